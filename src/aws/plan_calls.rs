//! One entry for a plan's steps: each call goes to its service's adapter,
//! and the answer comes back as JSON in the API's own names (what the CLI
//! prints), where later steps find their outputs.

use serde_json::Value;

use super::raw_body::send_json;
use super::{Aws, AwsError};
use crate::model::api_call::ApiCall;

impl Aws {
    pub async fn send_plan_call(&self, call: &ApiCall) -> Result<Value, AwsError> {
        let input = &call.input;
        match (call.service, call.operation) {
            ("ec2", "CreateSecurityGroup") => self.create_security_group(input).await,
            ("ec2", "AuthorizeSecurityGroupIngress") => self.authorize_ingress(input).await,
            ("elbv2", "CreateLoadBalancer") => self.create_load_balancer(input).await,
            ("elbv2", "CreateTargetGroup") => self.create_target_group(input).await,
            ("elbv2", "CreateListener") => self.create_listener(input).await,
            ("elbv2", "CreateRule") => self.create_rule(input).await,
            ("ecs", "CreateService") => self.create_service(input).await,
            ("ecs", "UpdateService") => self.update_service(input).await,
            ("ecs", "CreateCluster") => self.create_cluster_call(input).await,
            ("ecs", "RegisterTaskDefinition") => self.register_call(input).await,
            ("ecr", "CreateRepository") => self.create_repository_call(input).await,
            ("ecs", "DeleteService" | "DeleteCluster" | "DeregisterTaskDefinition")
            | ("ecr", "DeleteRepository")
            | ("ec2", "DeleteSecurityGroup")
            | (
                "elbv2",
                "DeleteLoadBalancer" | "DeleteTargetGroup" | "DeleteListener" | "DeleteRule",
            ) => self.send_delete(call).await,
            ("iam" | "logs", _) => self.send_resource_call(call).await,
            _ => Err(AwsError {
                code: "UnsupportedCall".into(),
                message: format!("ecs-wizard cannot send {} yet.", call.title()),
            }),
        }
    }

    /// The review's CreateService JSON is the body, byte for byte (a JSON
    /// protocol, like RegisterTaskDefinition); AWS's answer is kept whole.
    async fn create_service(&self, input: &Value) -> Result<Value, AwsError> {
        let operation = self.ecs.create_service().service_name("placeholder");
        send_json!(operation, input.to_string())
    }
}

#[cfg(test)]
mod tests {
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_types::body::SdkBody;
    use serde_json::json;

    use crate::aws::tests::aws_with;
    use crate::model::api_call::ApiCall;
    use crate::model::service::tests::reference_003;

    #[tokio::test]
    async fn create_service_sends_the_review_json_and_keeps_the_answer() {
        let service = reference_003();
        let answer = r#"{"service":{"serviceArn":"arn:aws:ecs:ap-northeast-1:123456789012:service/ContainerHandsOn/ContainerHandsOn","status":"ACTIVE","someFutureField":1}}"#;
        let client = StaticReplayClient::new(vec![ReplayEvent::new(
            http::Request::builder()
                .uri("https://ecs.ap-northeast-1.amazonaws.com/")
                .body(SdkBody::empty())
                .unwrap(),
            http::Response::builder()
                .status(200)
                .body(SdkBody::from(answer))
                .unwrap(),
        )]);
        let answered = aws_with(client.clone())
            .send_plan_call(&service.api_call())
            .await
            .unwrap();
        assert_eq!(answered["service"]["someFutureField"], 1);
        let sent = client.actual_requests().next().unwrap();
        assert_eq!(
            sent.body().bytes().unwrap(),
            service.request().to_string().as_bytes()
        );
        assert_eq!(
            sent.headers().get("x-amz-target"),
            Some("AmazonEC2ContainerServiceV20141113.CreateService")
        );
    }

    #[tokio::test]
    async fn a_call_without_an_adapter_is_refused_before_sending() {
        let client = StaticReplayClient::new(Vec::new());
        let error = aws_with(client.clone())
            .send_plan_call(&ApiCall::new("ec2", "RunInstances", json!({})))
            .await
            .unwrap_err();
        assert_eq!(error.code, "UnsupportedCall");
        assert_eq!(client.actual_requests().count(), 0);
    }
}
