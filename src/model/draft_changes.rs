//! What changed in a draft's requests between the version a person reviewed
//! and the one saved now: shown, and nothing sent, when Create is pressed
//! on a review that is no longer the draft (another tab, another person).
//!
//! Calls are keyed by what they act on (`iam:AttachRolePolicy RoleName=web
//! PolicyArn=…`), so a policy swapped for another reads as one call taken
//! away and one added; json-patch's diff finds the changes (a kept crate,
//! not a hand-written tree walk). Secret-looking values are masked first.

use serde_json::{Map, Value};

use super::api_call::ApiCall;
use super::audit::mask_json;
use super::revision_diff::{ChangeKind, comparable};

#[derive(Debug, Clone, PartialEq)]
pub struct DraftChange {
    /// `iam:AttachRolePolicy RoleName=web PolicyArn=… › PolicyArn`,
    /// `containerDefinitions › web › image`.
    pub field: String,
    pub kind: ChangeKind,
    /// JSON text; empty when added (old) or removed (new).
    pub old: String,
    pub new: String,
}

/// The calls a review shows, as one document keyed by each call's summary.
pub fn calls_document(calls: &[ApiCall]) -> Value {
    let mut document = Map::new();
    for call in calls {
        let summary = call.summary();
        let mut key = summary.clone();
        let mut n = 1;
        while document.contains_key(&key) {
            n += 1;
            key = format!("{summary} #{n}");
        }
        document.insert(key, call.input.clone());
    }
    Value::Object(document)
}

/// A task definition request as a document whose lists are keyed by what
/// names their items (containers by name, variables by name…).
pub fn task_definition_document(request: &Value) -> Value {
    let mut document = comparable(request);
    // `comparable` leaves out what AWS adds on registering, the family too.
    if let (Value::Object(map), Some(family)) = (&mut document, request.get("family")) {
        map.insert("family".into(), family.clone());
    }
    document
}

/// Each field that differs between `reviewed` and `now`. A secret-looking
/// value that changed is listed, its values masked.
pub fn changes(reviewed: &Value, now: &Value) -> Vec<DraftChange> {
    let (mut shown_before, mut shown_now) = (reviewed.clone(), now.clone());
    mask_json(&mut shown_before);
    mask_json(&mut shown_now);
    // Masking changes only string values, so a path in one is in the other.
    let shown = |document: &Value, path: &str| document.pointer(path).map(text).unwrap_or_default();
    json_patch::diff(reviewed, now)
        .0
        .iter()
        .map(|operation| {
            use json_patch::PatchOperation::*;
            let (path, kind) = match operation {
                Add(add) => (add.path.as_str(), ChangeKind::Added),
                Remove(remove) => (remove.path.as_str(), ChangeKind::Removed),
                Replace(replace) => (replace.path.as_str(), ChangeKind::Changed),
                Move(moved) => (moved.path.as_str(), ChangeKind::Changed),
                Copy(copied) => (copied.path.as_str(), ChangeKind::Added),
                Test(test) => (test.path.as_str(), ChangeKind::Changed),
            };
            DraftChange {
                field: readable(path),
                kind,
                old: match kind {
                    ChangeKind::Added => String::new(),
                    _ => shown(&shown_before, path),
                },
                new: match kind {
                    ChangeKind::Removed => String::new(),
                    _ => shown(&shown_now, path),
                },
            }
        })
        .collect()
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// `/iam:CreateRole RoleName=web/Tags/0/Value` → `iam:CreateRole RoleName=web › Tags › 1 › Value`.
fn readable(pointer: &str) -> String {
    pointer
        .split('/')
        .skip(1)
        .map(|part| {
            let part = part.replace("~1", "/").replace("~0", "~");
            match part.parse::<usize>() {
                Ok(n) => (n + 1).to_string(),
                Err(_) => part,
            }
        })
        .collect::<Vec<_>>()
        .join(" › ")
}

#[cfg(test)]
mod tests {
    use crate::model::operation::Operation;
    use serde_json::json;

    use super::*;

    fn attach(policy: &str) -> ApiCall {
        ApiCall::new(
            Operation::AttachRolePolicy,
            json!({"RoleName": "web", "PolicyArn": format!("arn:aws:iam::aws:policy/{policy}")}),
        )
    }

    #[test]
    fn a_policy_swapped_after_review_reads_as_one_taken_away_and_one_added() {
        let create = ApiCall::new(Operation::CreateRole, json!({"RoleName": "web"}));
        let reviewed =
            calls_document(&[create.clone(), attach("AmazonECSTaskExecutionRolePolicy")]);
        let now = calls_document(&[
            create,
            attach("AmazonECSTaskExecutionRolePolicy"),
            attach("AdministratorAccess"),
        ]);
        let found = changes(&reviewed, &now);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, ChangeKind::Added);
        assert_eq!(
            found[0].field,
            "iam:AttachRolePolicy RoleName=web PolicyArn=arn:aws:iam::aws:policy/AdministratorAccess"
        );
        assert!(found[0].new.contains("AdministratorAccess"));
        assert!(changes(&reviewed, &reviewed).is_empty());
    }

    #[test]
    fn a_changed_image_names_its_container_and_secrets_stay_masked() {
        let definition = |image: &str, password: &str| {
            json!({"family": "web", "containerDefinitions": [
                {"name": "app", "image": image,
                 "environment": [{"name": "DB_PASSWORD", "value": password}]}]})
        };
        let reviewed = task_definition_document(&definition("nginx:1.27", "hunter2"));
        let now = task_definition_document(&definition("evil/miner:latest", "hunter3"));
        let mut found = changes(&reviewed, &now);
        found.sort_by(|a, b| a.field.cmp(&b.field));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[0].field,
            "containerDefinitions › app › environment › DB_PASSWORD › value"
        );
        assert_eq!(
            (found[0].old.as_str(), found[0].new.as_str()),
            ("****", "****")
        );
        assert_eq!(found[1].kind, ChangeKind::Changed);
        assert_eq!(found[1].field, "containerDefinitions › app › image");
        assert_eq!(
            (found[1].old.as_str(), found[1].new.as_str()),
            ("nginx:1.27", "evil/miner:latest")
        );
        let renamed =
            task_definition_document(&json!({"family": "api", "containerDefinitions": []}));
        let before =
            task_definition_document(&json!({"family": "web", "containerDefinitions": []}));
        assert_eq!(changes(&before, &renamed)[0].field, "family");
    }

    #[test]
    fn paths_read_as_people_count() {
        assert_eq!(readable("/a~1b/0/c~0d"), "a/b › 1 › c~d");
        assert_eq!(readable(""), "");
    }
}
