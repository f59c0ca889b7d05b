//! Two service revisions side by side (DescribeServiceRevisions): what a
//! person compares of a deployment's "from" and "to" — the task definition,
//! each container's image and its digest, the load balancers, the network,
//! the capacity. Lists are keyed by what identifies their items, then
//! json-patch's diff finds the changes, as the task definition compare does.

use serde_json::{Map, Value, json};

use crate::model::revision_diff::ChangeKind;

/// One field that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionChange {
    /// `images › web › imageDigest`.
    pub field: String,
    pub kind: ChangeKind,
    pub old: String,
    pub new: String,
}

/// `arn:…:service-revision/cluster/service/id` of `service` of `cluster`.
pub fn is_revision_of(arn: &str, cluster: &str, service: &str) -> bool {
    arn.starts_with("arn:aws")
        && arn.contains(&format!(":service-revision/{cluster}/{service}/"))
        && arn.len() <= 1600
        && arn
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ":/-_".contains(c))
}

fn keyed(list: &Value, key: &str) -> Value {
    let mut map = Map::new();
    for (n, item) in list.as_array().into_iter().flatten().enumerate() {
        let k = item[key]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{n}"));
        map.insert(k, item.clone());
    }
    Value::Object(map)
}

/// The parts of a revision a person compares, lists keyed.
pub fn comparable(revision: &Value) -> Value {
    json!({
        "taskDefinition": revision["taskDefinition"],
        "launchType": revision["launchType"],
        "platformVersion": revision["platformVersion"],
        "capacityProviderStrategy": keyed(&revision["capacityProviderStrategy"], "capacityProvider"),
        "images": keyed(&revision["containerImages"], "containerName"),
        "loadBalancers": keyed(&revision["loadBalancers"], "targetGroupArn"),
        "network": revision["networkConfiguration"]["awsvpcConfiguration"],
    })
}

/// What changed from `older` to `newer`.
pub fn compare(older: &Value, newer: &Value) -> Vec<RevisionChange> {
    let (a, b) = (comparable(older), comparable(newer));
    let text = |doc: &Value, pointer: &str| match doc.pointer(pointer) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    json_patch::diff(&a, &b)
        .0
        .iter()
        .filter_map(|operation| {
            let (path, kind) = match operation {
                json_patch::PatchOperation::Add(op) => (&op.path, ChangeKind::Added),
                json_patch::PatchOperation::Remove(op) => (&op.path, ChangeKind::Removed),
                json_patch::PatchOperation::Replace(op) => (&op.path, ChangeKind::Changed),
                _ => return None,
            };
            let tokens: Vec<String> = path.tokens().map(|t| t.decoded().into_owned()).collect();
            Some(RevisionChange {
                field: tokens.join(" › "),
                kind,
                old: text(&a, path.as_str()),
                new: text(&b, path.as_str()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_image_digest_and_task_definition_are_the_changes() {
        let old = json!({"taskDefinition": "arn:…:task-definition/web:1",
            "containerImages": [{"containerName": "web", "imageDigest": "sha256:aaa", "image": "web:v1"}],
            "loadBalancers": [{"targetGroupArn": "tg", "containerName": "web", "containerPort": 80}],
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "ENABLED"}}});
        let mut new = old.clone();
        new["taskDefinition"] = json!("arn:…:task-definition/web:2");
        new["containerImages"][0]["imageDigest"] = json!("sha256:bbb");
        let changes = compare(&old, &new);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["taskDefinition", "images › web › imageDigest"]);
        assert_eq!(
            (changes[1].old.as_str(), changes[1].new.as_str()),
            ("sha256:aaa", "sha256:bbb")
        );
        assert!(compare(&old, &old).is_empty());
        assert!(is_revision_of(
            "arn:aws:ecs:ap-northeast-1:123456789012:service-revision/c/web/1",
            "c",
            "web"
        ));
        assert!(!is_revision_of(
            "arn:aws:ecs:ap-northeast-1:123456789012:service-revision/c/api/1",
            "c",
            "web"
        ));
    }
}
