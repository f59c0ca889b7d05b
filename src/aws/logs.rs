//! Amazon CloudWatch Logs: log groups for the awslogs driver.

use super::{Aws, AwsError};
use crate::model::account::LogGroupSummary;

impl Aws {
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
