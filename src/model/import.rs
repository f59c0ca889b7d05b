//! Pasted JSON → a task definition: the register-task-definition input, or
//! describe-task-definition output with its read-only fields dropped.

use serde_json::Value;

use super::issue::Issue;
use super::limits;
use super::task_definition::{Tag, TaskDefinition};

/// Fields AWS adds when it stores a revision; register refuses them.
pub const READ_ONLY_FIELDS: [&str; 9] = [
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
    "deleteRequestedAt",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub task_definition: TaskDefinition,
    /// Read-only fields that were present and left out, in the order found.
    pub dropped: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("the box is empty")]
    Empty,
    /// “ ” or ‘ ’ where JSON needs straight quotes: text pasted from a
    /// document or a chat.
    #[error("typographic quotes at line {line}, column {column}")]
    CurlyQuotes { line: usize, column: usize },
    #[error("a comma after the last item at line {line}, column {column}")]
    TrailingComma { line: usize, column: usize },
    #[error("not JSON (line {line}, column {column}): {message}")]
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the JSON must be an object")]
    NotAnObject,
    #[error("unknown field `{field}` at {at}")]
    UnknownField { field: String, at: String },
    #[error("{at}: {message}")]
    Invalid { at: String, message: String },
    #[error("{at} holds {count} items; AWS allows at most {max}")]
    TooMany {
        at: String,
        count: String,
        max: String,
    },
}

/// A JSON syntax error in a beginner's words: the mistakes people make
/// pasting JSON are named; anything else keeps serde's words, without the
/// position (the message says it once).
fn syntax_error(text: &str, error: &serde_json::Error) -> ImportError {
    let (line, column) = (error.line(), error.column());
    let message = error.to_string();
    if message.starts_with("trailing comma") {
        return ImportError::TrailingComma { line, column };
    }
    // The first typographic quote, by line and column (1-based, as serde counts).
    for (n, text_line) in text.lines().enumerate() {
        if let Some(at) = text_line.chars().position(|c| "“”‘’".contains(c)) {
            return ImportError::CurlyQuotes {
                line: n + 1,
                column: at + 1,
            };
        }
    }
    let message = match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    };
    ImportError::NotJson {
        line,
        column,
        message,
    }
}

impl ImportError {
    /// The problem as a field message, filed under the form field `path`.
    pub fn into_issue(self, path: &str) -> Issue {
        match self {
            ImportError::UnknownField { field, at } => Issue::error(path, "v.unknown_field")
                .with("field", field)
                .with("at", at),
            other => Issue::error(path, "v.advanced_invalid").with("detail", other),
        }
    }
}

pub fn import(text: &str) -> Result<Imported, ImportError> {
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| syntax_error(text, &e))?;
    let Value::Object(mut outer) = value else {
        return Err(ImportError::NotAnObject);
    };
    // describe-task-definition wraps the definition and prints tags beside it.
    let (mut object, outer_tags) = match outer.remove("taskDefinition") {
        Some(Value::Object(inner)) => (inner, outer.remove("tags")),
        Some(_) => return Err(ImportError::NotAnObject),
        None => (outer, None),
    };
    let dropped = READ_ONLY_FIELDS
        .iter()
        .filter(|field| object.remove(**field).is_some())
        .map(|field| (*field).to_string())
        .collect();
    let definition = Value::Object(object);
    // Before the typed parse: nothing over AWS's limits goes any further.
    if let Some(issue) = limits::check_value(&definition).into_iter().next() {
        let arg = |name| {
            issue
                .args
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        return Err(ImportError::TooMany {
            count: arg("count"),
            max: arg("max"),
            at: issue.path,
        });
    }
    let mut task_definition = parse_task_definition(definition)?;
    if let Some(tags) = outer_tags.filter(|t| !t.is_null()) {
        let tags: Vec<Tag> = from_value_at(tags, "tags")?;
        task_definition.tags.extend(tags);
    }
    Ok(Imported {
        task_definition,
        dropped,
    })
}

/// Reads a full task definition, naming the place of the first problem.
pub fn parse_task_definition(value: Value) -> Result<TaskDefinition, ImportError> {
    from_value_at(value, "")
}

/// Deserializes `value`, reporting problems with their JSON path under `prefix`.
pub fn from_value_at<T: serde::de::DeserializeOwned>(
    value: Value,
    prefix: &str,
) -> Result<T, ImportError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let inner = error.path().to_string();
        let at = match (prefix.is_empty(), inner == ".") {
            (true, true) => "(top level)".to_string(),
            (true, false) => inner,
            (false, true) => prefix.to_string(),
            (false, false) => format!("{prefix}.{inner}"),
        };
        let message = error.into_inner().to_string();
        match unknown_field_name(&message) {
            Some(field) => ImportError::UnknownField {
                at: parent_of(&at, &field),
                field,
            },
            None => ImportError::Invalid { at, message },
        }
    })
}

fn unknown_field_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest.split('`').next()?.to_string())
}

/// serde_path_to_error's path ends with the unknown key itself; say where it stands.
fn parent_of(at: &str, field: &str) -> String {
    match at.strip_suffix(field) {
        Some(parent) => {
            let parent = parent.trim_end_matches('.');
            if parent.is_empty() {
                "(top level)".to_string()
            } else {
                parent.to_string()
            }
        }
        None => at.to_string(),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn pasting_mistakes_are_named() {
        assert!(matches!(import("  \n"), Err(ImportError::Empty)));
        assert!(matches!(
            import("{\"family\": \"web\",\n}"),
            Err(ImportError::TrailingComma { line: 2, .. })
        ));
        assert!(matches!(
            import("{\n  “family”: “web”\n}"),
            Err(ImportError::CurlyQuotes { line: 2, column: 3 })
        ));
        match import("{\"family\" \"web\"}") {
            Err(ImportError::NotJson {
                message, line: 1, ..
            }) => {
                assert!(!message.contains("line"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    use super::*;

    #[test]
    fn register_input_is_read_whole() {
        let imported = import(r#"{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","ulimits":[{"name":"nofile","softLimit":1024,"hardLimit":4096}]}]}"#).unwrap();
        assert_eq!(imported.task_definition.family, "web");
        assert_eq!(
            imported.task_definition.container_definitions[0].ulimits[0].hard_limit,
            4096
        );
        assert!(imported.dropped.is_empty());
    }

    #[test]
    fn describe_output_drops_read_only_fields_and_keeps_tags() {
        let text = r#"{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
            "family":"web","revision":3,"status":"ACTIVE","volumes":[],"placementConstraints":[],
            "compatibilities":["EC2","FARGATE"],"requiresAttributes":[{"name":"x"}],
            "registeredAt":1663243819.62,"registeredBy":"arn:aws:sts::123456789012:assumed-role/x/y",
            "containerDefinitions":[{"name":"app","image":"nginx","environment":[],"mountPoints":[],"volumesFrom":[],"cpu":0}]},
            "tags":[{"key":"Name","value":"web"}]}"#;
        let imported = import(text).unwrap();
        assert_eq!(
            imported.dropped,
            [
                "taskDefinitionArn",
                "revision",
                "status",
                "requiresAttributes",
                "compatibilities",
                "registeredAt",
                "registeredBy"
            ]
        );
        assert_eq!(
            imported.task_definition.tags,
            vec![Tag {
                key: "Name".into(),
                value: "web".into()
            }]
        );
        assert!(imported.task_definition.volumes.is_empty());
    }

    #[test]
    fn lists_over_aws_limits_are_refused_by_path() {
        let containers: Vec<Value> = (0..26_000)
            .map(|i| {
                serde_json::json!({"name": format!("c{i}"), "image": "x",
                "dependsOn": [{"containerName": format!("c{}", i + 1), "condition": "START"}]})
            })
            .collect();
        let text =
            serde_json::json!({"family": "web", "containerDefinitions": containers}).to_string();
        assert!(text.len() > 2_000_000 / 2);
        assert_eq!(
            import(&text),
            Err(ImportError::TooMany {
                at: "containerDefinitions".into(),
                count: "26000".into(),
                max: "10".into()
            })
        );
        let env: Vec<Value> = (0..1001)
            .map(|i| serde_json::json!({"name": format!("V{i}"), "value": "1"}))
            .collect();
        let text = serde_json::json!({"taskDefinition": {"family": "web", "containerDefinitions": [{"name": "a", "image": "b", "environment": env}]}}).to_string();
        assert!(
            matches!(import(&text), Err(ImportError::TooMany { at, .. }) if at == "containerDefinitions.0.environment")
        );
    }

    #[test]
    fn nulls_are_accepted_as_not_set() {
        let imported = import(r#"{"family":"web","volumes":null,"cpu":null,"containerDefinitions":[{"name":"a","image":"b","environment":null,"dockerLabels":null}]}"#).unwrap();
        assert_eq!(imported.task_definition.cpu, None);
    }

    #[test]
    fn a_typo_is_refused_by_name_and_place() {
        let error = import(r#"{"family":"web","containerDefinitions":[{"name":"a","image":"b"},{"name":"c","imagee":"d"}]}"#).unwrap_err();
        assert_eq!(
            error,
            ImportError::UnknownField {
                field: "imagee".into(),
                at: "containerDefinitions[1]".into()
            }
        );
        let error = import(r#"{"famly":"web"}"#).unwrap_err();
        assert_eq!(
            error,
            ImportError::UnknownField {
                field: "famly".into(),
                at: "(top level)".into()
            }
        );
        let error = import(r#"{"family":"w","containerDefinitions":[{"name":"a","image":"b","linuxParameters":{"initProcesEnabled":true}}]}"#).unwrap_err();
        assert_eq!(
            error,
            ImportError::UnknownField {
                field: "initProcesEnabled".into(),
                at: "containerDefinitions[0].linuxParameters".into()
            }
        );
    }

    #[test]
    fn wrong_types_and_broken_json_say_where() {
        assert!(matches!(
            import("{"),
            Err(ImportError::NotJson { line: 1, .. })
        ));
        assert_eq!(import("[]"), Err(ImportError::NotAnObject));
        let error = import(
            r#"{"family":"w","containerDefinitions":[{"name":"a","image":"b","memory":"lots"}]}"#,
        )
        .unwrap_err();
        assert!(
            matches!(error, ImportError::Invalid { ref at, .. } if at == "containerDefinitions[0].memory"),
            "{error:?}"
        );
    }
}
