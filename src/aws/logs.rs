//! Amazon CloudWatch Logs: log groups for the awslogs driver.

use serde_json::{Value, json};

use super::raw_body::send_json;
use super::{Aws, AwsError};
use crate::model::account::LogGroupSummary;

impl Aws {
    // A JSON protocol: the review's body is sent as it is.
    pub(super) async fn create_log_group(&self, input: &Value) -> Result<Value, AwsError> {
        let operation = self.logs.create_log_group().log_group_name("placeholder");
        send_json!(operation, input.to_string())
    }

    pub(super) async fn put_retention_policy(&self, input: &Value) -> Result<Value, AwsError> {
        let operation = self
            .logs
            .put_retention_policy()
            .log_group_name("placeholder")
            .retention_in_days(1);
        send_json!(operation, input.to_string())
    }

    pub(super) async fn delete_log_group(&self, input: &Value) -> Result<Value, AwsError> {
        let operation = self.logs.delete_log_group().log_group_name("placeholder");
        send_json!(operation, input.to_string())
    }

    /// A log group CreateLogGroup made (its answer is empty; so is this).
    pub(super) async fn find_log_group(&self, name: &str) -> Result<Option<Value>, AwsError> {
        let found = self.log_groups_named(name).await?;
        Ok((!found.is_empty()).then(|| json!({})))
    }

    /// (name, ARN) of the groups whose name is exactly `name`.
    pub(super) async fn log_groups_named(
        &self,
        name: &str,
    ) -> Result<Vec<(String, String)>, AwsError> {
        let output = self
            .logs
            .describe_log_groups()
            .log_group_name_prefix(name)
            .send()
            .await?;
        Ok(output
            .log_groups()
            .iter()
            .filter(|g| g.log_group_name() == Some(name))
            .map(|g| {
                let arn = g.arn().unwrap_or_default();
                (
                    name.to_string(),
                    arn.strip_suffix(":*").unwrap_or(arn).to_string(),
                )
            })
            .collect())
    }
}

pub(super) fn log_group_summary(
    group: &aws_sdk_cloudwatchlogs::types::LogGroup,
) -> LogGroupSummary {
    LogGroupSummary {
        name: group.log_group_name().unwrap_or_default().to_string(),
        retention_in_days: group.retention_in_days(),
        stored_bytes: group.stored_bytes().unwrap_or_default(),
    }
}
