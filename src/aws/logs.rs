//! Amazon CloudWatch Logs: log groups for the awslogs driver.

use serde_json::json;

use super::create::{CreateError, Created, StepLog, Undo, is_already_exists, logged};
use super::raw_body::{CaptureBody, replace_body};
use super::{Aws, AwsError};
use crate::model::account::LogGroupSummary;
use crate::model::log_group::LogGroup;
use crate::model::resource::Resource;

impl Aws {
    /// CreateLogGroup then PutRetentionPolicy, each with the review page's
    /// body and written to `log`; a refused retention deletes the new group
    /// again. Finishing a cut-off run, an existing group is this run's own.
    pub async fn create_log_group(
        &self,
        group: &LogGroup,
        log: &impl StepLog,
    ) -> Result<Created, CreateError> {
        let name = &group.log_group_name;
        let mut responses = Vec::new();
        for (index, call) in group.api_calls().iter().enumerate() {
            let capture = CaptureBody::default();
            let body = call.input.to_string();
            let send = async {
                match call.operation {
                    "PutRetentionPolicy" => self
                        .logs
                        .put_retention_policy()
                        .log_group_name("placeholder")
                        .retention_in_days(1)
                        .customize()
                        .mutate_request(replace_body(body))
                        .interceptor(capture.clone())
                        .send()
                        .await
                        .map(drop)
                        .map_err(AwsError::from),
                    _ => self
                        .logs
                        .create_log_group()
                        .log_group_name("placeholder")
                        .customize()
                        .mutate_request(replace_body(body))
                        .interceptor(capture.clone())
                        .send()
                        .await
                        .map(drop)
                        .map_err(AwsError::from),
                }
            };
            let title = format!("{} logGroupName={name}", call.title());
            match logged(log, title, send).await {
                Ok(()) => responses.push(json!({call.operation: capture.take_json()})),
                Err(error) if index == 0 && log.resuming() && is_already_exists(&error) => {}
                Err(error) if index == 0 => return Err(CreateError::from(error)),
                Err(error) => {
                    let undo = self.remove_log_group(group, log).await;
                    return Err(CreateError::Refused { error, undo });
                }
            }
        }
        let arn = self
            .log_groups_named(name)
            .await
            .ok()
            .and_then(|mut found| found.pop())
            .map(|(_, arn)| arn)
            .unwrap_or_default();
        Ok(Created {
            arn,
            response: json!(responses),
        })
    }

    /// Deletes the group (a missing one is already what was wanted).
    pub async fn remove_log_group(&self, group: &LogGroup, log: &impl StepLog) -> Vec<Undo> {
        let name = &group.log_group_name;
        let call = format!("logs:DeleteLogGroup logGroupName={name}");
        let send = async {
            self.logs
                .delete_log_group()
                .log_group_name(name)
                .send()
                .await
                .map(drop)
                .map_err(AwsError::from)
        };
        let outcome = match logged(log, call.clone(), send).await {
            Err(error) if error.code == "ResourceNotFoundException" => Ok(()),
            other => other,
        };
        vec![Undo { call, outcome }]
    }

    pub async fn log_groups(&self) -> Result<Vec<LogGroupSummary>, AwsError> {
        let mut groups = Vec::new();
        let mut pages = self.logs.describe_log_groups().into_paginator().send();
        while let Some(page) = pages.next().await {
            for group in page?.log_groups() {
                groups.push(LogGroupSummary {
                    name: group.log_group_name().unwrap_or_default().to_string(),
                    retention_in_days: group.retention_in_days(),
                    stored_bytes: group.stored_bytes().unwrap_or_default(),
                });
            }
        }
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(groups)
    }

    /// (name, ARN) of the groups whose name is exactly `name`.
    async fn log_groups_named(&self, name: &str) -> Result<Vec<(String, String)>, AwsError> {
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

#[cfg(test)]
mod tests {
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_types::body::SdkBody;

    use super::*;
    use crate::aws::create::NoLog;
    use crate::aws::tests::aws_with;

    fn event(status: u16, body: &str) -> ReplayEvent {
        let request = http::Request::builder()
            .uri("https://logs.ap-northeast-1.amazonaws.com/")
            .body(SdkBody::empty())
            .expect("request");
        let response = http::Response::builder()
            .status(status)
            .header("content-type", "application/x-amz-json-1.1")
            .body(SdkBody::from(body.to_string()))
            .expect("response");
        ReplayEvent::new(request, response)
    }

    /// A refused retention policy would leave a group that keeps logs
    /// forever; it is deleted again and the page says so.
    #[tokio::test]
    async fn a_refused_retention_deletes_the_new_group() {
        let group = LogGroup {
            log_group_name: "/ecs/example".into(),
            retention_in_days: Some(180),
            tags: Vec::new(),
        };
        let denied = r#"{"__type":"AccessDeniedException","message":"not authorized to perform: logs:PutRetentionPolicy"}"#;
        let client =
            StaticReplayClient::new(vec![event(200, "{}"), event(400, denied), event(200, "{}")]);
        let result = aws_with(client.clone())
            .create_log_group(&group, &NoLog)
            .await;
        let Err(CreateError::Refused { error, undo }) = result else {
            panic!("expected a refusal: {result:?}");
        };
        assert_eq!(error.code, "AccessDeniedException");
        assert_eq!(undo.len(), 1);
        assert_eq!(
            undo[0].call,
            "logs:DeleteLogGroup logGroupName=/ecs/example"
        );
        assert!(undo[0].outcome.is_ok());
        let targets: Vec<String> = client
            .actual_requests()
            .map(|r| {
                r.headers()
                    .get("x-amz-target")
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        assert_eq!(
            targets,
            [
                "Logs_20140328.CreateLogGroup",
                "Logs_20140328.PutRetentionPolicy",
                "Logs_20140328.DeleteLogGroup"
            ]
        );
    }

    #[tokio::test]
    async fn an_existing_group_is_reported_as_existing() {
        let exists = r#"{"__type":"ResourceAlreadyExistsException","message":"The specified log group already exists"}"#;
        let client = StaticReplayClient::new(vec![event(400, exists)]);
        let group = LogGroup {
            log_group_name: "/ecs/example".into(),
            ..LogGroup::default()
        };
        let result = aws_with(client).create_log_group(&group, &NoLog).await;
        assert_eq!(result, Err(CreateError::AlreadyExists));
    }
}
