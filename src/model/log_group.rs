//! A CloudWatch Logs log group with a retention period, as reference 004's
//! `aws_cloudwatch_log_group` declares it.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::api_call::ApiCall;
use super::hcl::{quote, resource_label};
use super::operation::Operation;
use super::resource::Resource;
use super::role::tags_block;
use super::task_definition::Tag;
use super::validate::{Issue, check_tags};

/// The retention periods CloudWatch Logs accepts, in days.
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogGroup {
    pub log_group_name: String,
    /// None: never expire.
    pub retention_in_days: Option<u32>,
    pub tags: Vec<Tag>,
}

impl Resource for LogGroup {
    fn name(&self) -> &str {
        &self.log_group_name
    }

    fn tags(&self) -> &[Tag] {
        &self.tags
    }

    fn tags_mut(&mut self) -> &mut Vec<Tag> {
        &mut self.tags
    }

    /// CreateLogGroup, then PutRetentionPolicy when a period is chosen.
    fn api_calls(&self) -> Vec<ApiCall> {
        let mut create = json!({"logGroupName": self.log_group_name});
        if !self.tags.is_empty() {
            let tags: serde_json::Map<String, serde_json::Value> = self
                .tags
                .iter()
                .map(|t| (t.key.clone(), json!(t.value)))
                .collect();
            create["tags"] = json!(tags);
        }
        let mut calls = vec![ApiCall::new(Operation::CreateLogGroup, create)];
        if let Some(days) = self.retention_in_days {
            calls.push(ApiCall::new(
                Operation::PutRetentionPolicy,
                json!({"logGroupName": self.log_group_name, "retentionInDays": days}),
            ));
        }
        calls
    }

    fn terraform(&self) -> String {
        let retention = self
            .retention_in_days
            .map(|days| format!("  retention_in_days = {days}\n"))
            .unwrap_or_default();
        format!(
            "resource \"aws_cloudwatch_log_group\" \"{}\" {{\n  name              = {}\n{retention}{}}}\n",
            resource_label(self.log_group_name.trim_start_matches('/'), "log"),
            quote(&self.log_group_name),
            tags_block(&self.tags),
        )
    }

    fn validate(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        check_log_group_name(&mut issues, "logGroupName", &self.log_group_name);
        if let Some(days) = self.retention_in_days
            && !RETENTION_DAYS.contains(&days)
        {
            issues.push(Issue::error("retentionInDays", "v.retention").with("value", days));
        }
        check_tags(&mut issues, &self.tags, 50);
        issues
    }
}

/// CloudWatch Logs' rule: 1–512 of letters, digits, `_ - / . #`.
pub fn check_log_group_name(issues: &mut Vec<Issue>, path: &str, name: &str) {
    if name.is_empty() {
        issues.push(Issue::error(path, "v.required"));
    } else if name.len() > 512
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.#".contains(c))
    {
        issues.push(Issue::error(path, "v.log_group_name"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_004() -> LogGroup {
        LogGroup {
            log_group_name: "/ecs/example".into(),
            retention_in_days: Some(180),
            tags: Vec::new(),
        }
    }

    #[test]
    fn reference_004_is_a_group_and_a_retention_policy() {
        let calls = reference_004().api_calls();
        assert_eq!(calls[0].input, json!({"logGroupName": "/ecs/example"}));
        assert_eq!(calls[1].title(), "logs:PutRetentionPolicy");
        assert_eq!(calls[1].input["retentionInDays"], 180);
        assert!(reference_004().validate().is_empty());
        assert_eq!(
            reference_004().terraform(),
            "resource \"aws_cloudwatch_log_group\" \"ecs_example\" {\n  name              = \"/ecs/example\"\n  retention_in_days = 180\n}\n"
        );
    }

    #[test]
    fn never_expire_sends_no_retention_and_tags_are_a_map() {
        let group = LogGroup {
            retention_in_days: None,
            tags: vec![Tag {
                key: "env".into(),
                value: "dev".into(),
            }],
            ..reference_004()
        };
        let calls = group.api_calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].input["tags"], json!({"env": "dev"}));
    }

    #[test]
    fn names_and_retention_are_checked() {
        let mut group = reference_004();
        group.retention_in_days = Some(100);
        assert_eq!(group.validate()[0].key, "v.retention");
        for bad in ["", "/ecs/my app", "/ecs/ログ", &"a".repeat(513)] {
            let mut issues = Vec::new();
            check_log_group_name(&mut issues, "logGroupName", bad);
            assert_eq!(issues.len(), 1, "{bad:?}");
        }
        let mut issues = Vec::new();
        check_log_group_name(
            &mut issues,
            "logGroupName",
            "/aws/ecs/containerinsights/x#1",
        );
        assert!(issues.is_empty());
    }
}
