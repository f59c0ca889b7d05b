//! How many items each list may hold: AWS's own limits where it documents
//! them, a generous cap where it does not. Every form and import is checked
//! against them before anything is saved, so no later step (validation,
//! rendering, export) ever sees more than a task definition can hold.
//!
//! The check walks the request's JSON with an explicit stack, not recursion,
//! and visits each value once: its cost is linear in the input, whatever its
//! shape or depth.

use serde::Serialize;
use serde_json::Value;

use super::issue::Issue;

/// A task definition holds at most this many containers.
pub const MAX_CONTAINERS: usize = 10;

/// A list or map's field name → its largest size. The field name alone is
/// enough: no two fields of these requests share a name with different limits.
const LIMITS: &[(&str, usize)] = &[
    // RegisterTaskDefinition's documented limits.
    ("containerDefinitions", MAX_CONTAINERS),
    ("tags", 50),
    ("placementConstraints", 10),
    ("environmentFiles", 10),
    ("ignoredExitCodes", 50),
    ("dependsOn", MAX_CONTAINERS),
    ("volumesFrom", MAX_CONTAINERS),
    ("requiresCompatibilities", 3),
    ("resourceRequirements", 2),
    ("inferenceAccelerators", 8),
    ("credentialSpecs", 1),
    // Not documented by AWS: caps far above any real definition.
    ("environment", 1000),
    ("secrets", 1000),
    ("dockerLabels", 1000),
    ("options", 1000),
    ("secretOptions", 1000),
    ("command", 1000),
    ("entryPoint", 1000),
    // IAM: managed policies a role may have attached (the quota's maximum).
    ("managed_policies", 20),
];

/// Any other list or map in a request.
const DEFAULT_LIMIT: usize = 100;

pub fn limit_of(field: &str) -> usize {
    LIMITS
        .iter()
        .find(|(name, _)| *name == field)
        .map_or(DEFAULT_LIMIT, |(_, limit)| *limit)
}

/// Every list or map in `value` that holds more than its limit, each named by
/// its path (`containerDefinitions.3.environment`) with the limit.
pub fn check_value(value: &Value) -> Vec<Issue> {
    let mut issues = Vec::new();
    // Each visited value is a node (parent node, its key); a path is spelled
    // out only for a value that breaks a limit, so the walk stays linear
    // however deep the input is.
    let mut nodes: Vec<(usize, String)> = vec![(0, String::new())];
    let mut stack: Vec<(usize, &str, &Value)> = vec![(0, "", value)];
    while let Some((node, field, value)) = stack.pop() {
        let size = match value {
            Value::Array(items) => items.len(),
            Value::Object(map) => map.len(),
            _ => continue,
        };
        let limit = limit_of(field);
        if node != 0 && size > limit {
            // Too many to look into: the message is enough, and looking
            // further would do the work the limit exists to avoid.
            let path = path_of(&nodes, node);
            issues.push(
                Issue::error(path.clone(), "v.too_many")
                    .with("path", path)
                    .with("count", size)
                    .with("max", limit),
            );
            continue;
        }
        let mut push = |key: String, field, item| {
            nodes.push((node, key));
            stack.push((nodes.len() - 1, field, item));
        };
        match value {
            Value::Array(items) => {
                // An item is held to the default, not to its list's limit.
                for (i, item) in items.iter().enumerate().rev() {
                    push(i.to_string(), "", item);
                }
            }
            Value::Object(map) => {
                for (key, item) in map.iter().rev() {
                    push(key.clone(), key.as_str(), item);
                }
            }
            _ => {}
        }
    }
    issues
}

fn path_of(nodes: &[(usize, String)], mut node: usize) -> String {
    let mut keys = Vec::new();
    while node != 0 {
        keys.push(nodes[node].1.as_str());
        node = nodes[node].0;
    }
    keys.reverse();
    keys.join(".")
}

/// The same check on anything that serializes as a request (a task
/// definition, a role form).
pub fn check<T: Serialize>(request: &T) -> Vec<Issue> {
    match serde_json::to_value(request) {
        Ok(value) => check_value(&value),
        Err(_) => Vec::new(),
    }
}

/// The same issues filed under the whole form (path ""), for a form that
/// shows them at its top: the list at fault may have no place of its own on it.
pub fn for_form(issues: Vec<Issue>) -> Vec<Issue> {
    issues
        .into_iter()
        .map(|issue| Issue {
            path: String::new(),
            ..issue
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn each_list_is_held_to_its_limit_and_named() {
        let many = |n: usize| Value::Array(vec![json!({"name": "a"}); n]);
        let td = json!({
            "family": "web",
            "containerDefinitions": many(11),
        });
        let issues = check_value(&td);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path, "containerDefinitions");
        assert_eq!(issues[0].key, "v.too_many");
        assert!(issues[0].args.contains(&("max", "10".to_string())));
        assert!(issues[0].args.contains(&("count", "11".to_string())));

        let td = json!({
            "containerDefinitions": [{"name": "a", "environment": many(1001), "portMappings": many(100)}],
            "tags": many(51),
        });
        let paths: Vec<String> = check_value(&td).into_iter().map(|i| i.path).collect();
        assert_eq!(paths, ["containerDefinitions.0.environment", "tags"]);
        assert!(check_value(&json!({"containerDefinitions": many(10)})).is_empty());
        let wide: serde_json::Map<String, Value> =
            (0..40).map(|i| (format!("k{i}"), json!(1))).collect();
        assert!(
            check_value(&json!({"containerDefinitions": [wide]})).is_empty(),
            "a container's own fields are not held to the containers' limit"
        );
    }

    #[test]
    fn a_deep_value_is_walked_without_recursion() {
        let mut deep = json!(1);
        for _ in 0..100_000 {
            deep = Value::Array(vec![deep]);
        }
        assert!(check_value(&deep).is_empty());
        // serde_json's own drop of such a value recurses; leak it in the test.
        std::mem::forget(deep);
    }

    #[test]
    fn maps_count_too() {
        let labels: serde_json::Map<String, Value> =
            (0..1001).map(|i| (format!("k{i}"), json!("v"))).collect();
        let td = json!({"containerDefinitions": [{"dockerLabels": labels}]});
        assert_eq!(
            check_value(&td)[0].path,
            "containerDefinitions.0.dockerLabels"
        );
    }
}
