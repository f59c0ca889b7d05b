//! A registered revision as the history pages show it: what AWS recorded
//! about it (number, status, when and by whom), and a readable summary of
//! each container — with environment values that look like secrets masked,
//! since a page is easier to share than a terminal.

use serde_json::Value;

use super::import::import;
use super::task_definition::TaskDefinition;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Revision {
    pub arn: String,
    pub family: String,
    pub revision: i64,
    /// ACTIVE, INACTIVE or DELETE_IN_PROGRESS.
    pub status: String,
    /// `2026-11-29 21:03:06 UTC`, or empty when AWS did not say.
    pub registered_at: String,
    pub registered_by: String,
    pub cpu: String,
    pub memory: String,
    /// (name, image) of each container.
    pub images: Vec<(String, String)>,
    /// The definition as the wizard's model reads it (for the summary and
    /// the exports); None when it could not be read.
    pub definition: Option<TaskDefinition>,
    /// AWS's description, whole.
    pub described: Value,
}

/// `2026-11-29 21:03:06 UTC` from seconds since the epoch.
pub fn readable_time(seconds: f64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    time::OffsetDateTime::from_unix_timestamp(seconds as i64)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

impl Revision {
    /// From DescribeTaskDefinition's answer (`{"taskDefinition": …}`).
    pub fn of(described: &Value) -> Revision {
        let td = described.get("taskDefinition").unwrap_or(described);
        let text = |key: &str| td[key].as_str().unwrap_or_default().to_string();
        Revision {
            arn: text("taskDefinitionArn"),
            family: text("family"),
            revision: td["revision"].as_i64().unwrap_or(0),
            status: text("status"),
            registered_at: td["registeredAt"]
                .as_f64()
                .map(readable_time)
                .unwrap_or_default(),
            registered_by: text("registeredBy"),
            cpu: text("cpu"),
            memory: text("memory"),
            images: td["containerDefinitions"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| {
                    (
                        c["name"].as_str().unwrap_or_default().to_string(),
                        c["image"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            definition: import(&described.to_string())
                .ok()
                .map(|imported| imported.task_definition),
            described: described.clone(),
        }
    }

    /// `web:7`
    pub fn name(&self) -> String {
        format!("{}:{}", self.family, self.revision)
    }
}

/// Names that usually hold a secret: their values are not shown.
pub fn looks_secret(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "KEY",
        "CREDENTIAL",
        "PRIVATE",
        "AUTH",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// An environment value as the page shows it.
pub fn shown_value(name: &str, value: &str) -> String {
    if looks_secret(name) && !value.is_empty() {
        "••••••••".to_string()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_description_reads_as_a_revision() {
        let described = json!({"taskDefinition": {
            "taskDefinitionArn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:7",
            "family": "web", "revision": 7, "status": "INACTIVE",
            "registeredAt": 1796000000.5, "registeredBy": "arn:aws:iam::123456789012:user/ci",
            "cpu": "256", "memory": "512",
            "containerDefinitions": [{"name": "web", "image": "nginx:1.27"}]
        }});
        let revision = Revision::of(&described);
        assert_eq!(revision.name(), "web:7");
        assert_eq!(revision.status, "INACTIVE");
        assert_eq!(revision.registered_at, "2026-11-30 00:53:20 UTC");
        assert_eq!(
            revision.images,
            [("web".to_string(), "nginx:1.27".to_string())]
        );
        assert!(revision.definition.is_some());
    }

    #[test]
    fn values_that_look_secret_are_masked() {
        assert_eq!(shown_value("RAILS_MASTER_KEY", "abc"), "••••••••");
        assert_eq!(shown_value("DB_PASSWORD", "hunter2"), "••••••••");
        assert_eq!(shown_value("github_token", "x"), "••••••••");
        assert_eq!(shown_value("RAILS_ENV", "production"), "production");
        assert_eq!(shown_value("API_KEY", ""), "");
    }
}
