//! Every call that changes something goes out here: one exhaustive `match`
//! over `model::operation::Operation` sends it through its service's
//! adapter, and another finds what it made, by name, so a plan adopts what
//! an earlier attempt made instead of making it twice. An operation added
//! to the table without a way to send it, or to find what it makes, does
//! not compile. Answers come back as JSON in the API's own names (what the
//! aws CLI prints), where later steps read their outputs.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Aws, AwsError};
use crate::model::api_call::ApiCall;
use crate::model::operation::Operation;

/// A request the adapter cannot read: a bug in the plan, said plainly.
pub(super) fn unreadable(operation: Operation, error: impl std::fmt::Display) -> AwsError {
    AwsError {
        code: "InvalidPlanRequest".into(),
        message: format!(
            "ecs-wizard could not read its own {} request: {error}",
            operation.name()
        ),
    }
}

/// A query-protocol request read from the review's JSON into the struct
/// its SDK builder is filled from.
pub(super) fn read<T: DeserializeOwned>(
    operation: Operation,
    input: &Value,
) -> Result<T, AwsError> {
    serde_json::from_value(input.clone()).map_err(|e| unreadable(operation, e))
}

/// The string member `key` of a request, or "".
pub(super) fn text<'a>(input: &'a Value, key: &str) -> &'a str {
    input[key].as_str().unwrap_or_default()
}

/// "No such thing": a lookup found nothing.
pub(super) fn none_if_not_found(error: AwsError) -> Result<Option<Value>, AwsError> {
    if error.code.ends_with("NotFound") || error.code.ends_with("NotFoundException") {
        Ok(None)
    } else {
        Err(error)
    }
}

impl Aws {
    /// Sends `call`; AWS's answer as JSON.
    pub async fn send(&self, call: &ApiCall) -> Result<Value, AwsError> {
        use Operation::*;
        let input = &call.input;
        match call.operation {
            CreateCluster => self.create_cluster(input).await,
            DeleteCluster => self.delete_cluster(input).await,
            RegisterTaskDefinition => self.register_task_definition(input).await,
            DeregisterTaskDefinition => self.deregister_task_definition(input).await,
            CreateService => self.create_service(input).await,
            UpdateService => self.update_service(input).await,
            DeleteService => self.delete_service(input).await,
            CreateRepository => self.create_repository(input).await,
            DeleteRepository => self.delete_repository(input).await,
            CreateRole => self.create_role(input).await,
            DeleteRole | AttachRolePolicy | DetachRolePolicy | PutRolePolicy | DeleteRolePolicy => {
                self.change_role(call.operation, input).await
            }
            CreateLogGroup => self.create_log_group(input).await,
            PutRetentionPolicy => self.put_retention_policy(input).await,
            DeleteLogGroup => self.delete_log_group(input).await,
            CreateSecurityGroup => self.create_security_group(input).await,
            AuthorizeSecurityGroupIngress => self.authorize_ingress(input).await,
            DeleteSecurityGroup => self.delete_security_group(input).await,
            CreateLoadBalancer => self.create_load_balancer(input).await,
            ModifyLoadBalancerAttributes => self.modify_load_balancer_attributes(input).await,
            CreateTargetGroup => self.create_target_group(input).await,
            CreateListener => self.create_listener(input).await,
            CreateRule => self.create_rule(input).await,
            DeleteLoadBalancer | DeleteTargetGroup | DeleteListener | DeleteRule => {
                self.delete_load_balancing(call.operation, input).await
            }
            RegisterScalableTarget => self.register_scalable_target(input).await,
            DeregisterScalableTarget => self.deregister_scalable_target(input).await,
            PutScalingPolicy => self.put_scaling_policy(input).await,
            DeleteScalingPolicy => self.delete_scaling_policy(input).await,
            RequestCertificate => self.request_certificate(input).await,
            DescribeCertificate => self.describe_certificate(input).await,
            DeleteCertificate => self.delete_certificate(input).await,
            ChangeResourceRecordSets => self.change_records(input).await,
            PutMetricAlarm => self.put_metric_alarm(input).await,
            DeleteAlarms => self.delete_alarms(input).await,
            ContinueServiceDeployment | StopServiceDeployment => {
                self.answer_deployment(call.operation, input).await
            }
        }
    }

    /// What `call` would have made, if it exists: the answer the call
    /// would have given (its outputs in the same places), or None.
    pub async fn find_created(&self, call: &ApiCall) -> Result<Option<Value>, AwsError> {
        use Operation::*;
        let input = &call.input;
        match call.operation {
            CreateCluster => self.find_cluster(text(input, "clusterName")).await,
            RegisterTaskDefinition => Ok(self
                .latest_revision_matching(input)
                .await?
                .map(|registered| registered.response)),
            CreateService => self.find_service(input).await,
            CreateRepository => self.find_repository(text(input, "repositoryName")).await,
            CreateRole => self.find_role(text(input, "RoleName")).await,
            CreateLogGroup => self.find_log_group(text(input, "logGroupName")).await,
            CreateSecurityGroup => self.find_security_group(input).await,
            CreateLoadBalancer => self.find_load_balancer(text(input, "Name")).await,
            CreateTargetGroup => self.find_target_group(text(input, "Name")).await,
            CreateListener => self.find_listener(input).await,
            CreateRule => self.find_rule(input).await,
            ChangeResourceRecordSets => self.find_records(input).await,
            PutMetricAlarm => self.find_alarm(text(input, "AlarmName")).await,
            // Sent again, these change nothing more (see `Found::SendAgain`).
            UpdateService
            | DeleteCluster
            | DeregisterTaskDefinition
            | DeleteService
            | DeleteRepository
            | DeleteRole
            | AttachRolePolicy
            | DetachRolePolicy
            | PutRolePolicy
            | DeleteRolePolicy
            | PutRetentionPolicy
            | DeleteLogGroup
            | AuthorizeSecurityGroupIngress
            | ModifyLoadBalancerAttributes
            | DeleteSecurityGroup
            | DeleteLoadBalancer
            | DeleteTargetGroup
            | DeleteListener
            | DeleteRule
            | RegisterScalableTarget
            | DeregisterScalableTarget
            | PutScalingPolicy
            | DeleteScalingPolicy
            | RequestCertificate
            | DescribeCertificate
            | DeleteCertificate
            | DeleteAlarms
            | ContinueServiceDeployment
            | StopServiceDeployment => Ok(None),
        }
    }

    /// The ARN of what `call` made: from the answer, or looked up (a log
    /// group's answer names none).
    pub async fn created_arn(&self, call: &ApiCall, answer: &Value) -> String {
        if let Some(arn) = call.operation.arn_in(answer) {
            return arn.to_string();
        }
        self.log_groups_named(text(&call.input, "logGroupName"))
            .await
            .ok()
            .and_then(|mut found| found.pop())
            .map(|(_, arn)| arn)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_types::body::SdkBody;
    use serde_json::json;

    use crate::aws::tests::aws_with;
    use crate::model::api_call::ApiCall;
    use crate::model::operation::Operation;

    #[tokio::test]
    async fn delete_service_sends_the_shown_json() {
        let client = StaticReplayClient::new(vec![ReplayEvent::new(
            http::Request::builder()
                .uri("https://ecs.ap-northeast-1.amazonaws.com/")
                .body(SdkBody::empty())
                .unwrap(),
            http::Response::builder()
                .status(200)
                .body(SdkBody::from(r#"{"service":{"status":"DRAINING"}}"#))
                .unwrap(),
        )]);
        let call = ApiCall::new(
            Operation::DeleteService,
            json!({"cluster": "c", "service": "s", "force": true}),
        );
        let answer = aws_with(client.clone()).send(&call).await.unwrap();
        assert_eq!(answer["service"]["status"], "DRAINING");
        let sent = client.actual_requests().next().unwrap();
        assert_eq!(
            sent.body().bytes().unwrap(),
            call.input.to_string().as_bytes()
        );
    }

    #[tokio::test]
    async fn a_request_the_adapter_cannot_read_is_refused_before_sending() {
        let client = StaticReplayClient::new(Vec::new());
        let error = aws_with(client.clone())
            .send(&ApiCall::new(Operation::CreateRole, json!({"Nonsense": 1})))
            .await
            .unwrap_err();
        assert_eq!(error.code, "InvalidPlanRequest");
        assert_eq!(client.actual_requests().count(), 0);
    }
}
