//! What a plan needs besides its create calls: finding what a step cut off
//! by a crash may have made (so resuming adopts it instead of making a
//! second one), and the delete calls a clean-up sends. Each lookup answers
//! in the same shape as the create call it stands for, so later steps read
//! their outputs from it alike.

use aws_sdk_ec2::types::Filter;
use serde_json::{Value, json};

use super::raw_body::send_json;
use super::{Aws, AwsError};
use crate::model::api_call::ApiCall;

fn text<'a>(input: &'a Value, key: &str) -> &'a str {
    input[key].as_str().unwrap_or_default()
}

/// ELB's "no such thing" codes: the lookup found nothing.
fn not_found(error: &AwsError) -> bool {
    error.code.ends_with("NotFound") || error.code.ends_with("NotFoundException")
}

impl Aws {
    /// What `call` would have created, if it exists: the answer the create
    /// would have given, or None.
    pub async fn find_created(&self, call: &ApiCall) -> Result<Option<Value>, AwsError> {
        let input = &call.input;
        match (call.service, call.operation) {
            ("ec2", "CreateSecurityGroup") => {
                let output = self
                    .ec2
                    .describe_security_groups()
                    .filters(
                        Filter::builder()
                            .name("group-name")
                            .values(text(input, "GroupName"))
                            .build(),
                    )
                    .filters(
                        Filter::builder()
                            .name("vpc-id")
                            .values(text(input, "VpcId"))
                            .build(),
                    )
                    .send()
                    .await?;
                Ok(output
                    .security_groups()
                    .first()
                    .map(|g| json!({"GroupId": g.group_id()})))
            }
            ("elbv2", "CreateLoadBalancer") => {
                let found = self
                    .elbv2
                    .describe_load_balancers()
                    .names(text(input, "Name"))
                    .send()
                    .await;
                match found {
                    Ok(output) => Ok(output.load_balancers().first().map(|lb| {
                        json!({"LoadBalancers": [{"LoadBalancerArn": lb.load_balancer_arn(), "DNSName": lb.dns_name()}]})
                    })),
                    Err(error) => none_if_not_found(error.into()),
                }
            }
            ("elbv2", "CreateTargetGroup") => {
                let found = self
                    .elbv2
                    .describe_target_groups()
                    .names(text(input, "Name"))
                    .send()
                    .await;
                match found {
                    Ok(output) => Ok(output.target_groups().first().map(|tg| {
                        json!({"TargetGroups": [{"TargetGroupArn": tg.target_group_arn(), "TargetGroupName": tg.target_group_name()}]})
                    })),
                    Err(error) => none_if_not_found(error.into()),
                }
            }
            ("elbv2", "CreateListener") => {
                let found = self
                    .elbv2
                    .describe_listeners()
                    .load_balancer_arn(text(input, "LoadBalancerArn"))
                    .send()
                    .await;
                let port = input["Port"].as_i64();
                match found {
                    Ok(output) => Ok(output
                        .listeners()
                        .iter()
                        .find(|l| l.port().map(i64::from) == port)
                        .map(|l| json!({"Listeners": [{"ListenerArn": l.listener_arn()}]}))),
                    Err(error) => none_if_not_found(error.into()),
                }
            }
            ("elbv2", "CreateRule") => {
                let found = self
                    .elbv2
                    .describe_rules()
                    .listener_arn(text(input, "ListenerArn"))
                    .send()
                    .await;
                let priority = input["Priority"].as_i64().map(|p| p.to_string());
                match found {
                    Ok(output) => Ok(output
                        .rules()
                        .iter()
                        .find(|r| r.priority().map(str::to_string) == priority)
                        .map(|r| json!({"Rules": [{"RuleArn": r.rule_arn()}]}))),
                    Err(error) => none_if_not_found(error.into()),
                }
            }
            ("ecs", "CreateService") => {
                let output = self
                    .ecs
                    .describe_services()
                    .cluster(text(input, "cluster"))
                    .services(text(input, "serviceName"))
                    .send()
                    .await?;
                Ok(output
                    .services()
                    .iter()
                    .find(|s| s.status() == Some("ACTIVE"))
                    .map(|s| json!({"service": {"serviceArn": s.service_arn(), "serviceName": s.service_name(), "status": s.status()}})))
            }
            ("ecs", "CreateCluster") => self.find_cluster(text(input, "clusterName")).await,
            ("ecr", "CreateRepository") => {
                self.find_repository(text(input, "repositoryName")).await
            }
            // Registering again would make another revision: the family's
            // latest is adopted when it is exactly this request.
            ("ecs", "RegisterTaskDefinition") => Ok(self
                .latest_revision_matching(input)
                .await?
                .map(|registered| registered.response)),
            // A rule: adding it again is answered "duplicate", which the
            // runner takes as done.
            ("ec2", _) => Ok(None),
            _ => self.find_created_resource(call).await,
        }
    }

    /// Sends a clean-up call (see `deploy::cleanup`).
    pub(super) async fn send_delete(&self, call: &ApiCall) -> Result<Value, AwsError> {
        let input = &call.input;
        match call.operation {
            "DeleteSecurityGroup" => {
                self.ec2
                    .delete_security_group()
                    .group_id(text(input, "GroupId"))
                    .send()
                    .await?;
            }
            "DeleteLoadBalancer" => {
                self.elbv2
                    .delete_load_balancer()
                    .load_balancer_arn(text(input, "LoadBalancerArn"))
                    .send()
                    .await?;
            }
            "DeleteTargetGroup" => {
                self.elbv2
                    .delete_target_group()
                    .target_group_arn(text(input, "TargetGroupArn"))
                    .send()
                    .await?;
            }
            "DeleteRule" => {
                self.elbv2
                    .delete_rule()
                    .rule_arn(text(input, "RuleArn"))
                    .send()
                    .await?;
            }
            "DeleteListener" => {
                self.elbv2
                    .delete_listener()
                    .listener_arn(text(input, "ListenerArn"))
                    .send()
                    .await?;
            }
            "DeleteCluster" => {
                self.ecs
                    .delete_cluster()
                    .cluster(text(input, "cluster"))
                    .send()
                    .await?;
            }
            "DeregisterTaskDefinition" => {
                self.ecs
                    .deregister_task_definition()
                    .task_definition(text(input, "taskDefinition"))
                    .send()
                    .await?;
            }
            "DeleteRepository" => {
                self.ecr
                    .delete_repository()
                    .repository_name(text(input, "repositoryName"))
                    .send()
                    .await?;
            }
            "DeleteService" => {
                // A JSON protocol: the shown request is the body.
                let operation = self.ecs.delete_service().service("placeholder");
                return send_json!(operation, input.to_string());
            }
            _ => {
                return Err(AwsError {
                    code: "UnsupportedCall".into(),
                    message: format!("ecs-wizard cannot send {} yet.", call.title()),
                });
            }
        }
        Ok(json!({}))
    }
}

fn none_if_not_found(error: AwsError) -> Result<Option<Value>, AwsError> {
    if not_found(&error) {
        Ok(None)
    } else {
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_types::body::SdkBody;
    use serde_json::json;

    use crate::aws::tests::aws_with;
    use crate::model::api_call::ApiCall;

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
            "ecs",
            "DeleteService",
            json!({"cluster": "c", "service": "s", "force": true}),
        );
        let answer = aws_with(client.clone())
            .send_plan_call(&call)
            .await
            .unwrap();
        assert_eq!(answer["service"]["status"], "DRAINING");
        let sent = client.actual_requests().next().unwrap();
        assert_eq!(
            sent.body().bytes().unwrap(),
            call.input.to_string().as_bytes()
        );
    }
}
