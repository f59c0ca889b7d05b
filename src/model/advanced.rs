//! The "Advanced (JSON)" boxes: every field without a form control, per task
//! and per container, editable as JSON and merged back with the form's fields.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::container::ContainerDefinition;
use super::import::from_value_at;
use super::task_definition::TaskDefinition;
use super::validate::Issue;

/// Task-level fields that have a form control somewhere in the wizard.
pub const TASK_FORM_KEYS: [&str; 12] = [
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "tags",
    "ephemeralStorage",
    "runtimePlatform",
];

/// Container fields with a form control. `logConfiguration` has one only while
/// it uses awslogs ("Use log collection"); any other driver lives in the box.
pub const CONTAINER_FORM_KEYS: [&str; 16] = [
    "name",
    "image",
    "essential",
    "portMappings",
    "cpu",
    "memory",
    "memoryReservation",
    "environment",
    "secrets",
    "entryPoint",
    "command",
    "workingDirectory",
    "healthCheck",
    "dependsOn",
    "mountPoints",
    "volumesFrom",
];

const LOG_CONFIGURATION: &str = "logConfiguration";

pub fn task_text(td: &TaskDefinition) -> String {
    text_without(td, &TASK_FORM_KEYS)
}

pub fn container_text(container: &ContainerDefinition) -> String {
    let mut owned: Vec<&str> = CONTAINER_FORM_KEYS.to_vec();
    if container.awslogs().is_some() {
        owned.push(LOG_CONFIGURATION);
    }
    text_without(container, &owned)
}

/// Replaces `td`'s fields without a form control by those in `text`.
pub fn apply_to_task(td: &mut TaskDefinition, text: &str) -> Result<(), Issue> {
    *td = merged(td, text, &TASK_FORM_KEYS, "advanced", "")?;
    Ok(())
}

/// Same for a container; `log_collection` says whether the form owns `logConfiguration`.
pub fn apply_to_container(
    container: &mut ContainerDefinition,
    text: &str,
    index: usize,
    log_collection: bool,
) -> Result<(), Issue> {
    let mut owned: Vec<&str> = CONTAINER_FORM_KEYS.to_vec();
    if log_collection {
        owned.push(LOG_CONFIGURATION);
    }
    let path = format!("containerDefinitions.{index}.advanced");
    *container = merged(
        container,
        text,
        &owned,
        &path,
        &format!("containerDefinitions[{index}]"),
    )?;
    Ok(())
}

fn text_without<T: Serialize>(value: &T, owned: &[&str]) -> String {
    let Ok(Value::Object(mut map)) = serde_json::to_value(value) else {
        return String::new();
    };
    map.retain(|key, _| !owned.contains(&key.as_str()));
    if map.is_empty() {
        String::new()
    } else {
        serde_json::to_string_pretty(&map).unwrap_or_default()
    }
}

fn merged<T: Serialize + DeserializeOwned>(
    current: &T,
    text: &str,
    owned: &[&str],
    path: &str,
    json_path: &str,
) -> Result<T, Issue> {
    let extra = if text.trim().is_empty() {
        Map::new()
    } else {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(Issue::error(path, "v.advanced_object")),
            Err(error) => return Err(Issue::error(path, "v.advanced_json").with("detail", error)),
        }
    };
    if let Some(key) = extra.keys().find(|k| owned.contains(&k.as_str())) {
        return Err(Issue::error(path, "v.advanced_form_key").with("field", key));
    }
    let Ok(Value::Object(mut map)) = serde_json::to_value(current) else {
        return Err(Issue::error(path, "v.advanced_object"));
    };
    map.retain(|key, _| owned.contains(&key.as_str()));
    map.extend(extra);
    from_value_at(Value::Object(map), json_path).map_err(|error| error.into_issue(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::import::import;

    fn with_extras() -> TaskDefinition {
        import(r#"{"family":"web","pidMode":"task","containerDefinitions":[{"name":"app","image":"nginx",
            "ulimits":[{"name":"nofile","softLimit":1,"hardLimit":2}],
            "logConfiguration":{"logDriver":"awsfirelens","options":{"Name":"cloudwatch"}}}]}"#)
        .unwrap()
        .task_definition
    }

    #[test]
    fn the_box_shows_only_fields_without_a_control() {
        let td = with_extras();
        assert_eq!(task_text(&td), "{\n  \"pidMode\": \"task\"\n}");
        let text = container_text(&td.container_definitions[0]);
        assert!(
            text.contains("ulimits") && text.contains("awsfirelens") && !text.contains("nginx"),
            "{text}"
        );
        let plain = import(r#"{"family":"w","containerDefinitions":[{"name":"a","image":"b"}]}"#)
            .unwrap()
            .task_definition;
        assert_eq!(task_text(&plain), "");
    }

    #[test]
    fn editing_the_box_replaces_those_fields_and_keeps_the_form_ones() {
        let mut td = with_extras();
        apply_to_task(&mut td, r#"{"ipcMode":"host"}"#).unwrap();
        assert_eq!(
            (
                td.pid_mode.as_deref(),
                td.ipc_mode.as_deref(),
                td.family.as_str()
            ),
            (None, Some("host"), "web")
        );
        let container = &mut td.container_definitions[0];
        apply_to_container(container, "", 0, false).unwrap();
        assert!(container.ulimits.is_empty() && container.log_configuration.is_none());
        assert_eq!(container.image, "nginx");
    }

    #[test]
    fn typos_and_form_fields_are_refused_by_name() {
        let mut td = with_extras();
        let issue = apply_to_task(&mut td, r#"{"pidMod":"task"}"#).unwrap_err();
        assert_eq!(
            (issue.path.as_str(), issue.key),
            ("advanced", "v.unknown_field")
        );
        assert_eq!(issue.args[0], ("field", "pidMod".to_string()));
        let issue = apply_to_container(
            &mut td.container_definitions[0],
            r#"{"image":"x"}"#,
            0,
            false,
        )
        .unwrap_err();
        assert_eq!(
            (issue.path.as_str(), issue.key),
            ("containerDefinitions.0.advanced", "v.advanced_form_key")
        );
        let issue = apply_to_container(
            &mut td.container_definitions[0],
            r#"{"ulimits":[{"nam":"x"}]}"#,
            0,
            false,
        )
        .unwrap_err();
        assert_eq!(
            issue.args[1],
            ("at", "containerDefinitions[0].ulimits[0]".to_string())
        );
        assert_eq!(
            apply_to_task(&mut td, "[1]").unwrap_err().key,
            "v.advanced_object"
        );
        assert_eq!(
            apply_to_task(&mut td, "{").unwrap_err().key,
            "v.advanced_json"
        );
        assert_eq!(
            td.pid_mode.as_deref(),
            Some("task"),
            "a refused edit changes nothing"
        );
    }
}
