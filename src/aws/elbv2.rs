//! Elastic Load Balancing (v2): the load balancer, target group and listener a
//! service plan creates. A query protocol: each request is read from the
//! review's JSON into the SDK's builder, and a replay test checks the wire.

use aws_sdk_elasticloadbalancingv2::types;
use serde::Deserialize;
use serde_json::{Value, json};

use super::operations::{none_if_not_found, read, text};
use super::{Aws, AwsError};
use crate::model::operation::Operation;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateLoadBalancer {
    name: String,
    subnets: Vec<String>,
    security_groups: Vec<String>,
    scheme: String,
    r#type: String,
    ip_address_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ModifyLoadBalancerAttributes {
    load_balancer_arn: String,
    attributes: Vec<Attribute>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Attribute {
    key: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateTargetGroup {
    name: String,
    protocol: String,
    port: i32,
    vpc_id: String,
    target_type: String,
    health_check_protocol: String,
    health_check_path: String,
    health_check_interval_seconds: i32,
    health_check_timeout_seconds: i32,
    healthy_threshold_count: i32,
    unhealthy_threshold_count: i32,
    matcher: Matcher,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Matcher {
    http_code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateListener {
    load_balancer_arn: String,
    protocol: String,
    port: i32,
    #[serde(default)]
    certificates: Vec<Certificate>,
    #[serde(default)]
    ssl_policy: Option<String>,
    default_actions: Vec<Action>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Certificate {
    certificate_arn: String,
}

/// `forward` to a target group, or `redirect` (HTTP to HTTPS).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Action {
    r#type: String,
    #[serde(default)]
    target_group_arn: Option<String>,
    #[serde(default)]
    redirect_config: Option<RedirectConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RedirectConfig {
    protocol: String,
    port: String,
    status_code: String,
}

impl Action {
    fn build(self) -> types::Action {
        types::Action::builder()
            .r#type(types::ActionTypeEnum::from(self.r#type.as_str()))
            .set_target_group_arn(self.target_group_arn)
            .set_redirect_config(self.redirect_config.map(|r| {
                types::RedirectActionConfig::builder()
                    .protocol(r.protocol)
                    .port(r.port)
                    .status_code(types::RedirectActionStatusCodeEnum::from(
                        r.status_code.as_str(),
                    ))
                    .build()
            }))
            .build()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateRule {
    listener_arn: String,
    priority: i32,
    conditions: Vec<Condition>,
    actions: Vec<Action>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Condition {
    field: String,
    #[serde(default)]
    values: Option<Vec<String>>,
    #[serde(default)]
    host_header_config: Option<ValuesConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ValuesConfig {
    values: Vec<String>,
}

impl Aws {
    /// `{"LoadBalancers": [{"LoadBalancerArn", "DNSName"}]}`, as the CLI prints it.
    pub(super) async fn create_load_balancer(&self, input: &Value) -> Result<Value, AwsError> {
        let input: CreateLoadBalancer = read(Operation::CreateLoadBalancer, input)?;
        let output = self
            .elbv2
            .create_load_balancer()
            .name(input.name)
            .set_subnets(Some(input.subnets))
            .set_security_groups(Some(input.security_groups))
            .scheme(types::LoadBalancerSchemeEnum::from(input.scheme.as_str()))
            .r#type(types::LoadBalancerTypeEnum::from(input.r#type.as_str()))
            .ip_address_type(types::IpAddressType::from(input.ip_address_type.as_str()))
            .send()
            .await?;
        let balancers: Vec<Value> = output
            .load_balancers()
            .iter()
            .map(balancer_answer)
            .collect();
        Ok(json!({"LoadBalancers": balancers}))
    }

    /// `{"Attributes": [{"Key", "Value"}]}`: every attribute as it now is.
    pub(super) async fn modify_load_balancer_attributes(
        &self,
        input: &Value,
    ) -> Result<Value, AwsError> {
        let input: ModifyLoadBalancerAttributes =
            read(Operation::ModifyLoadBalancerAttributes, input)?;
        let attributes = input
            .attributes
            .into_iter()
            .map(|a| {
                types::LoadBalancerAttribute::builder()
                    .key(a.key)
                    .value(a.value)
                    .build()
            })
            .collect();
        let output = self
            .elbv2
            .modify_load_balancer_attributes()
            .load_balancer_arn(input.load_balancer_arn)
            .set_attributes(Some(attributes))
            .send()
            .await?;
        let attributes: Vec<Value> = output
            .attributes()
            .iter()
            .map(|a| json!({"Key": a.key(), "Value": a.value()}))
            .collect();
        Ok(json!({"Attributes": attributes}))
    }

    pub(super) async fn create_target_group(&self, input: &Value) -> Result<Value, AwsError> {
        let input: CreateTargetGroup = read(Operation::CreateTargetGroup, input)?;
        let output = self
            .elbv2
            .create_target_group()
            .name(input.name)
            .protocol(types::ProtocolEnum::from(input.protocol.as_str()))
            .port(input.port)
            .vpc_id(input.vpc_id)
            .target_type(types::TargetTypeEnum::from(input.target_type.as_str()))
            .health_check_protocol(types::ProtocolEnum::from(
                input.health_check_protocol.as_str(),
            ))
            .health_check_path(input.health_check_path)
            .health_check_interval_seconds(input.health_check_interval_seconds)
            .health_check_timeout_seconds(input.health_check_timeout_seconds)
            .healthy_threshold_count(input.healthy_threshold_count)
            .unhealthy_threshold_count(input.unhealthy_threshold_count)
            .matcher(
                types::Matcher::builder()
                    .http_code(input.matcher.http_code)
                    .build(),
            )
            .send()
            .await?;
        let groups: Vec<Value> = output
            .target_groups()
            .iter()
            .map(|tg| json!({"TargetGroupArn": tg.target_group_arn(), "TargetGroupName": tg.target_group_name()}))
            .collect();
        Ok(json!({"TargetGroups": groups}))
    }

    pub(super) async fn create_listener(&self, input: &Value) -> Result<Value, AwsError> {
        let input: CreateListener = read(Operation::CreateListener, input)?;
        let actions = input
            .default_actions
            .into_iter()
            .map(Action::build)
            .collect();
        let certificates: Vec<types::Certificate> = input
            .certificates
            .into_iter()
            .map(|c| {
                types::Certificate::builder()
                    .certificate_arn(c.certificate_arn)
                    .build()
            })
            .collect();
        let output = self
            .elbv2
            .create_listener()
            .load_balancer_arn(input.load_balancer_arn)
            .protocol(types::ProtocolEnum::from(input.protocol.as_str()))
            .port(input.port)
            .set_certificates((!certificates.is_empty()).then_some(certificates))
            .set_ssl_policy(input.ssl_policy)
            .set_default_actions(Some(actions))
            .send()
            .await?;
        let listeners: Vec<Value> = output
            .listeners()
            .iter()
            .map(|l| json!({"ListenerArn": l.listener_arn()}))
            .collect();
        Ok(json!({"Listeners": listeners}))
    }
}

impl Aws {
    /// `{"Rules": [{"RuleArn"}]}`, as the CLI prints it.
    pub(super) async fn create_rule(&self, input: &Value) -> Result<Value, AwsError> {
        let input: CreateRule = read(Operation::CreateRule, input)?;
        let conditions = input
            .conditions
            .into_iter()
            .map(|c| {
                // As the review shows it: a path's `Values` on the condition
                // (one value), host names in their config (several).
                types::RuleCondition::builder()
                    .field(c.field)
                    .set_values(c.values)
                    .set_host_header_config(c.host_header_config.map(|h| {
                        types::HostHeaderConditionConfig::builder()
                            .set_values(Some(h.values))
                            .build()
                    }))
                    .build()
            })
            .collect();
        let actions = input.actions.into_iter().map(Action::build).collect();
        let output = self
            .elbv2
            .create_rule()
            .listener_arn(input.listener_arn)
            .priority(input.priority)
            .set_conditions(Some(conditions))
            .set_actions(Some(actions))
            .send()
            .await?;
        let rules: Vec<Value> = output
            .rules()
            .iter()
            .map(|r| json!({"RuleArn": r.rule_arn()}))
            .collect();
        Ok(json!({"Rules": rules}))
    }

    /// DeleteLoadBalancer, DeleteTargetGroup, DeleteListener, DeleteRule:
    /// each names what it deletes by its ARN.
    pub(super) async fn delete_load_balancing(
        &self,
        operation: Operation,
        input: &Value,
    ) -> Result<Value, AwsError> {
        match operation {
            Operation::DeleteLoadBalancer => {
                self.elbv2
                    .delete_load_balancer()
                    .load_balancer_arn(text(input, "LoadBalancerArn"))
                    .send()
                    .await?;
            }
            Operation::DeleteTargetGroup => {
                self.elbv2
                    .delete_target_group()
                    .target_group_arn(text(input, "TargetGroupArn"))
                    .send()
                    .await?;
            }
            Operation::DeleteListener => {
                self.elbv2
                    .delete_listener()
                    .listener_arn(text(input, "ListenerArn"))
                    .send()
                    .await?;
            }
            Operation::DeleteRule => {
                self.elbv2
                    .delete_rule()
                    .rule_arn(text(input, "RuleArn"))
                    .send()
                    .await?;
            }
            other => {
                return Err(super::operations::unreadable(
                    other,
                    "not a load balancing delete",
                ));
            }
        }
        Ok(json!({}))
    }

    pub(super) async fn find_load_balancer(&self, name: &str) -> Result<Option<Value>, AwsError> {
        match self
            .elbv2
            .describe_load_balancers()
            .names(name)
            .send()
            .await
        {
            Ok(output) => Ok(output
                .load_balancers()
                .first()
                .map(|lb| json!({"LoadBalancers": [balancer_answer(lb)]}))),
            Err(error) => none_if_not_found(error.into()),
        }
    }

    pub(super) async fn find_target_group(&self, name: &str) -> Result<Option<Value>, AwsError> {
        match self.elbv2.describe_target_groups().names(name).send().await {
            Ok(output) => Ok(output.target_groups().first().map(|tg| {
                json!({"TargetGroups": [{"TargetGroupArn": tg.target_group_arn(), "TargetGroupName": tg.target_group_name()}]})
            })),
            Err(error) => none_if_not_found(error.into()),
        }
    }

    /// The listener a CreateListener made: its load balancer's, on its port.
    pub(super) async fn find_listener(&self, input: &Value) -> Result<Option<Value>, AwsError> {
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

    /// The rule a CreateRule made: its listener's, at its priority.
    pub(super) async fn find_rule(&self, input: &Value) -> Result<Option<Value>, AwsError> {
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
}

/// A load balancer in CreateLoadBalancer's answer: what later steps read
/// (a domain's alias names its DNS name and zone).
fn balancer_answer(lb: &aws_sdk_elasticloadbalancingv2::types::LoadBalancer) -> Value {
    json!({
        "LoadBalancerArn": lb.load_balancer_arn(),
        "DNSName": lb.dns_name(),
        "CanonicalHostedZoneId": lb.canonical_hosted_zone_id(),
    })
}

#[cfg(test)]
mod tests {
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_types::body::SdkBody;

    use super::*;
    use crate::aws::tests::{aws_with, query_params};
    use crate::model::load_balancing::tests::reference_002;

    const NS: &str = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

    fn answer(operation: &str, result: &str) -> ReplayEvent {
        let body = format!(
            "<{operation}Response xmlns=\"{NS}\"><{operation}Result>{result}</{operation}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></{operation}Response>"
        );
        ReplayEvent::new(
            http::Request::builder()
                .uri("https://elasticloadbalancing.ap-northeast-1.amazonaws.com/")
                .body(SdkBody::empty())
                .unwrap(),
            http::Response::builder()
                .status(200)
                .body(SdkBody::from(body))
                .unwrap(),
        )
    }

    /// The shown JSON, flattened as the query protocol spells it (lists as
    /// `Name.member.N`, structures as `Name.Field`).
    fn flattened(input: &Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut stack = vec![(String::new(), input)];
        while let Some((prefix, value)) = stack.pop() {
            let join = |key: &str| {
                if prefix.is_empty() {
                    key.to_string()
                } else {
                    format!("{prefix}.{key}")
                }
            };
            match value {
                Value::Object(map) => stack.extend(map.iter().map(|(k, v)| (join(k), v))),
                Value::Array(items) => stack.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(n, v)| (format!("{prefix}.member.{}", n + 1), v)),
                ),
                Value::String(s) => out.push((prefix, s.clone())),
                other => out.push((prefix, other.to_string())),
            }
        }
        out.sort();
        out
    }

    fn sent_without_action(body: &[u8]) -> Vec<(String, String)> {
        let mut params: Vec<(String, String)> = query_params(body)
            .into_iter()
            .filter(|(k, _)| k != "Action" && k != "Version")
            .collect();
        params.sort();
        params
    }

    #[tokio::test]
    async fn each_request_on_the_wire_is_the_review_json() {
        let lb = reference_002();
        let mut listener = lb.create_listener().input;
        listener["LoadBalancerArn"] = json!(
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/ecs-fargate-alb/1"
        );
        listener["DefaultActions"][0]["TargetGroupArn"] = json!(
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/ecs-fargate-tg/2"
        );
        let mut balancer = lb.create_load_balancer().input;
        balancer["SecurityGroups"] = json!(["sg-0123abcd"]);
        let client = StaticReplayClient::new(vec![
            answer(
                "CreateLoadBalancer",
                "<LoadBalancers><member><LoadBalancerArn>arn:lb</LoadBalancerArn><DNSName>ecs-fargate-alb-1.ap-northeast-1.elb.amazonaws.com</DNSName></member></LoadBalancers>",
            ),
            answer(
                "CreateTargetGroup",
                "<TargetGroups><member><TargetGroupArn>arn:tg</TargetGroupArn><TargetGroupName>ecs-fargate-tg</TargetGroupName></member></TargetGroups>",
            ),
            answer(
                "CreateListener",
                "<Listeners><member><ListenerArn>arn:listener</ListenerArn></member></Listeners>",
            ),
            answer(
                "CreateRule",
                "<Rules><member><RuleArn>arn:rule</RuleArn></member></Rules>",
            ),
        ]);
        let aws = aws_with(client.clone());
        let made = aws.create_load_balancer(&balancer).await.unwrap();
        assert_eq!(
            made.pointer("/LoadBalancers/0/DNSName"),
            Some(&json!("ecs-fargate-alb-1.ap-northeast-1.elb.amazonaws.com"))
        );
        let tg = aws
            .create_target_group(&lb.create_target_group().input)
            .await
            .unwrap();
        assert_eq!(
            tg.pointer("/TargetGroups/0/TargetGroupArn"),
            Some(&json!("arn:tg"))
        );
        aws.create_listener(&listener).await.unwrap();
        let mut rule = lb
            .create_rule(
                "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/a/1/2",
                10,
                "/api/*",
                &["shop.example.com".to_string()],
            )
            .input;
        rule["Actions"][0]["TargetGroupArn"] = json!("arn:tg");
        let made = aws.create_rule(&rule).await.unwrap();
        assert_eq!(made.pointer("/Rules/0/RuleArn"), Some(&json!("arn:rule")));

        let sent: Vec<Vec<(String, String)>> = client
            .actual_requests()
            .map(|r| sent_without_action(r.body().bytes().unwrap()))
            .collect();
        assert_eq!(sent[0], flattened(&balancer));
        assert_eq!(sent[1], flattened(&lb.create_target_group().input));
        assert_eq!(sent[2], flattened(&listener));
        assert_eq!(sent[3], flattened(&rule));
    }

    #[tokio::test]
    async fn https_redirect_and_attributes_on_the_wire_are_the_review_json() {
        let mut lb = reference_002();
        lb.certificate_arn = crate::model::load_balancing::tests::CERTIFICATE.into();
        let arn = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/ecs-fargate-alb/1";
        let mut https = lb.create_listener().input;
        https["LoadBalancerArn"] = json!(arn);
        https["DefaultActions"][0]["TargetGroupArn"] = json!("arn:tg");
        let mut redirect = lb.http_listener().input;
        redirect["LoadBalancerArn"] = json!(arn);
        let mut attributes = lb.load_balancer_attributes().input;
        attributes["LoadBalancerArn"] = json!(arn);
        let listener =
            "<Listeners><member><ListenerArn>arn:listener</ListenerArn></member></Listeners>";
        let client = StaticReplayClient::new(vec![
            answer("CreateListener", listener),
            answer("CreateListener", listener),
            answer(
                "ModifyLoadBalancerAttributes",
                "<Attributes><member><Key>routing.http.drop_invalid_header_fields.enabled</Key><Value>true</Value></member></Attributes>",
            ),
        ]);
        let aws = aws_with(client.clone());
        aws.create_listener(&https).await.unwrap();
        aws.create_listener(&redirect).await.unwrap();
        let answered = aws
            .modify_load_balancer_attributes(&attributes)
            .await
            .unwrap();
        assert_eq!(answered["Attributes"][0]["Value"], "true");
        let sent: Vec<Vec<(String, String)>> = client
            .actual_requests()
            .map(|r| sent_without_action(r.body().bytes().unwrap()))
            .collect();
        assert_eq!(sent[0], flattened(&https));
        assert_eq!(sent[1], flattened(&redirect));
        assert_eq!(sent[2], flattened(&attributes));
    }
}
