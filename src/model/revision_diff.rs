//! What changed between two task definition revisions, as a person reads
//! it: containers matched by name (not by place), each changed field with
//! its old and new value, containers added and removed, environment
//! variables, secrets and ports matched by their name or port.
//!
//! Each revision is first turned into a document whose lists are keyed by
//! what identifies their items; json-patch's diff then finds the changes
//! (a kept crate, not a hand-written tree walk).

use serde_json::{Map, Value};

/// What AWS adds to a registered revision: never a change a person made.
const REGISTERED_FIELDS: [&str; 9] = [
    "taskDefinitionArn",
    "revision",
    "status",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
    "requiresAttributes",
    "compatibilities",
    "family",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub fn class(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }

    /// Its catalog key.
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "ui.change_added",
            ChangeKind::Removed => "ui.change_removed",
            ChangeKind::Changed => "ui.change_changed",
        }
    }
}

/// What a field is, for the page's marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Environment,
    Secret,
    Port,
    Other,
}

impl FieldKind {
    pub fn class(self) -> &'static str {
        match self {
            FieldKind::Environment => "environment",
            FieldKind::Secret => "secret",
            FieldKind::Port => "port",
            FieldKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    /// `image`, `environment › RAILS_ENV`, `portMappings › 3000/tcp`.
    pub field: String,
    pub kind: ChangeKind,
    pub field_kind: FieldKind,
    /// The value in the older revision (empty when added), as JSON text.
    pub old: String,
    pub new: String,
}

/// The changes of one container, or of the task itself (`container` empty).
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerChanges {
    pub container: String,
    /// The whole container was added or removed; None when it is in both.
    pub whole: Option<ChangeKind>,
    pub changes: Vec<FieldChange>,
}

/// Lists whose items are matched by a key, and how to name that key.
fn keyed_lists(list: &str) -> Option<fn(&Value) -> Option<String>> {
    fn field(item: &Value, name: &str) -> Option<String> {
        match &item[name] {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    Some(match list {
        "containerDefinitions" | "environment" | "secrets" | "volumes" => |v| field(v, "name"),
        "portMappings" => |v| {
            let port = field(v, "containerPort")?;
            let protocol = field(v, "protocol").unwrap_or_else(|| "tcp".into());
            Some(format!("{port}/{protocol}"))
        },
        "dependsOn" => |v| field(v, "containerName"),
        "mountPoints" => |v| field(v, "containerPath"),
        "ulimits" => |v| field(v, "name"),
        _ => return None,
    })
}

/// The revision with its keyed lists as objects (one level of containers
/// and one of their lists: the depth is fixed, never the input's).
pub fn comparable(definition: &Value) -> Value {
    let mut root = definition
        .get("taskDefinition")
        .unwrap_or(definition)
        .as_object()
        .cloned()
        .unwrap_or_default();
    for field in REGISTERED_FIELDS {
        root.remove(field);
    }
    for (name, value) in root.iter_mut() {
        *value = keyed(name, value);
        if name == "containerDefinitions"
            && let Value::Object(containers) = value
        {
            for container in containers.values_mut() {
                if let Value::Object(fields) = container {
                    for (list, value) in fields.iter_mut() {
                        *value = keyed(list, value);
                    }
                }
            }
        }
    }
    Value::Object(root)
}

fn keyed(name: &str, value: &Value) -> Value {
    let (Some(key), Value::Array(items)) = (keyed_lists(name), value) else {
        return value.clone();
    };
    let mut map = Map::new();
    for (n, item) in items.iter().enumerate() {
        // An item without its key keeps its place as its name.
        let k = key(item).unwrap_or_else(|| format!("#{n}"));
        map.insert(k, item.clone());
    }
    Value::Object(map)
}

/// The changes from `older` to `newer`, the task's own first, then each
/// container in the newer revision's order, then removed ones.
pub fn compare(older: &Value, newer: &Value) -> Vec<ContainerChanges> {
    let (a, b) = (comparable(older), comparable(newer));
    let patch = json_patch::diff(&a, &b);
    // The task's own fields come first.
    let mut groups: Vec<ContainerChanges> = vec![group_of("")];
    for operation in patch.0.iter() {
        let (path, kind) = match operation {
            json_patch::PatchOperation::Add(op) => (&op.path, ChangeKind::Added),
            json_patch::PatchOperation::Remove(op) => (&op.path, ChangeKind::Removed),
            json_patch::PatchOperation::Replace(op) => (&op.path, ChangeKind::Changed),
            _ => continue,
        };
        let tokens: Vec<String> = path.tokens().map(|t| t.decoded().into_owned()).collect();
        let pointer = path.as_str();
        let text = |doc: &Value| {
            doc.pointer(pointer)
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    // A variable reads as its value; its name is the field.
                    Value::Object(item) if item.len() == 2 && item.contains_key("name") => {
                        match item.get("value").or(item.get("valueFrom")) {
                            Some(Value::String(s)) => s.clone(),
                            _ => v.to_string(),
                        }
                    }
                    other => other.to_string(),
                })
                .unwrap_or_default()
        };
        let change = |field: &[String]| FieldChange {
            field: field.join(" › "),
            kind,
            field_kind: match field.first().map(String::as_str) {
                Some("environment") => FieldKind::Environment,
                Some("secrets") => FieldKind::Secret,
                Some("portMappings") => FieldKind::Port,
                _ => FieldKind::Other,
            },
            old: text(&a),
            new: text(&b),
        };
        match tokens.as_slice() {
            [list, container] if list == "containerDefinitions" => {
                let n = group(&mut groups, container);
                groups[n].whole = Some(kind);
            }
            [list, container, field @ ..] if list == "containerDefinitions" => {
                let n = group(&mut groups, container);
                groups[n].changes.push(change(field));
            }
            field => {
                groups[0].changes.push(change(field));
            }
        }
    }
    groups.retain(|g| g.whole.is_some() || !g.changes.is_empty());
    groups
}

/// True when registering `request` would make a revision with the same
/// content as `registered` (a description): nothing differs but what AWS
/// fills in by itself (empty lists, `essential: true`, `protocol: tcp`, a
/// container `cpu` of 0, the host port of awsvpc).
pub fn same_as_registered(request: &Value, registered: &Value) -> bool {
    compare(request, registered).iter().all(|group| {
        group.whole.is_none()
            && group
                .changes
                .iter()
                .all(|c| c.kind == ChangeKind::Added && filled_in_by_aws(c))
    })
}

fn filled_in_by_aws(change: &FieldChange) -> bool {
    let last = change.field.rsplit(" › ").next().unwrap_or_default();
    matches!(change.new.as_str(), "[]" | "{}" | "null")
        || (last == "essential" && change.new == "true")
        || (last == "protocol" && change.new == "tcp")
        || (last == "cpu" && change.new == "0" && !change.field.is_empty())
        || last == "hostPort"
}

fn group_of(container: &str) -> ContainerChanges {
    ContainerChanges {
        container: container.to_string(),
        whole: None,
        changes: Vec::new(),
    }
}

/// The place of `container`'s group, added when it has none yet.
fn group(groups: &mut Vec<ContainerChanges>, container: &str) -> usize {
    match groups.iter().position(|g| g.container == container) {
        Some(n) => n,
        None => {
            groups.push(group_of(container));
            groups.len() - 1
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn web(image: &str, env: Value, ports: Value) -> Value {
        json!({"name": "web", "image": image, "essential": true,
               "environment": env, "portMappings": ports})
    }

    fn definition(containers: Value) -> Value {
        json!({"family": "web", "revision": 3, "status": "ACTIVE",
               "taskDefinitionArn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:3",
               "cpu": "256", "memory": "512", "containerDefinitions": containers})
    }

    #[test]
    fn an_image_an_added_variable_and_a_removed_port_are_the_three_changes() {
        let older = definition(json!([web(
            "nginx:1.27",
            json!([{"name": "A", "value": "1"}]),
            json!([{"containerPort": 80, "protocol": "tcp"}, {"containerPort": 443}])
        )]));
        let mut newer = definition(json!([web(
            "nginx:1.28",
            json!([{"name": "A", "value": "1"}, {"name": "RAILS_ENV", "value": "production"}]),
            json!([{"containerPort": 80, "protocol": "tcp"}])
        )]));
        newer["revision"] = json!(4);
        let changes = compare(&older, &newer);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert_eq!(changes[0].container, "web");
        let mut seen: Vec<(String, ChangeKind, FieldKind, String, String)> = changes[0]
            .changes
            .iter()
            .map(|c| {
                (
                    c.field.clone(),
                    c.kind,
                    c.field_kind,
                    c.old.clone(),
                    c.new.clone(),
                )
            })
            .collect();
        seen.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(
            seen,
            [
                (
                    "environment › RAILS_ENV".to_string(),
                    ChangeKind::Added,
                    FieldKind::Environment,
                    String::new(),
                    "production".to_string()
                ),
                (
                    "image".to_string(),
                    ChangeKind::Changed,
                    FieldKind::Other,
                    "nginx:1.27".to_string(),
                    "nginx:1.28".to_string()
                ),
                (
                    "portMappings › 443/tcp".to_string(),
                    ChangeKind::Removed,
                    FieldKind::Port,
                    json!({"containerPort": 443}).to_string(),
                    String::new()
                ),
            ]
        );
    }

    #[test]
    fn containers_are_matched_by_name_not_by_place() {
        let worker = json!({"name": "worker", "image": "busybox"});
        let sidecar = json!({"name": "sidecar", "image": "envoy"});
        let older = definition(json!([web("a", json!([]), json!([])), worker.clone()]));
        // Reordered, one removed, one added: the reorder is no change.
        let newer = definition(json!([sidecar, web("a", json!([]), json!([]))]));
        let changes = compare(&older, &newer);
        let summary: Vec<(&str, Option<ChangeKind>)> = changes
            .iter()
            .map(|c| (c.container.as_str(), c.whole))
            .collect();
        assert!(summary.contains(&("worker", Some(ChangeKind::Removed))));
        assert!(summary.contains(&("sidecar", Some(ChangeKind::Added))));
        assert!(!summary.iter().any(|(name, _)| *name == "web"));
        // A rename is one container removed and another added.
        let renamed = definition(json!([{"name": "api", "image": "a"}]));
        let changes = compare(
            &definition(json!([{"name": "web", "image": "a"}])),
            &renamed,
        );
        assert_eq!(changes.len(), 2);
        assert_eq!(compare(&older, &older), Vec::new());
    }

    #[test]
    fn a_request_is_the_same_as_its_registered_revision() {
        let request = json!({"family": "web", "cpu": "256", "memory": "512",
            "containerDefinitions": [{"name": "web", "image": "nginx",
                "portMappings": [{"containerPort": 80}]}]});
        // What AWS answers: the same, with what it fills in by itself.
        let registered = json!({"taskDefinition": {"family": "web", "revision": 7,
            "status": "ACTIVE", "cpu": "256", "memory": "512",
            "taskDefinitionArn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:7",
            "volumes": [], "placementConstraints": [], "compatibilities": ["EC2", "FARGATE"],
            "containerDefinitions": [{"name": "web", "image": "nginx", "cpu": 0,
                "essential": true, "environment": [], "mountPoints": [], "volumesFrom": [],
                "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]}]}});
        assert!(same_as_registered(&request, &registered));
        let mut changed = request.clone();
        changed["containerDefinitions"][0]["image"] = json!("nginx:1.28");
        assert!(!same_as_registered(&changed, &registered));
        // A field the registered revision has and the request lacks.
        let mut registered_with_role = registered.clone();
        registered_with_role["taskDefinition"]["taskRoleArn"] = json!("arn:aws:iam::1:role/r");
        assert!(!same_as_registered(&request, &registered_with_role));
        let mut not_essential = request.clone();
        not_essential["containerDefinitions"][0]["essential"] = json!(false);
        assert!(!same_as_registered(&not_essential, &registered));
    }

    #[test]
    fn the_tasks_own_fields_and_registered_fields() {
        let older = definition(json!([]));
        let mut newer = older.clone();
        newer["memory"] = json!("1024");
        newer["revision"] = json!(9);
        newer["registeredAt"] = json!(1796000000.0);
        let changes = compare(&older, &newer);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].container, "");
        assert_eq!(changes[0].changes[0].field, "memory");
        assert_eq!(
            (
                changes[0].changes[0].old.as_str(),
                changes[0].changes[0].new.as_str()
            ),
            ("512", "1024")
        );
        // Describe output (wrapped in `taskDefinition`) compares the same.
        assert_eq!(
            compare(&json!({"taskDefinition": older.clone()}), &older),
            Vec::new()
        );
    }
}
