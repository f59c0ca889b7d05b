//! Amazon EC2: the security groups a service plan creates. EC2 speaks its own
//! query protocol, which renames members on the wire (`UserIdGroupPairs` is
//! sent as `Groups`), so each request is read from the review's JSON into the
//! SDK's builder rather than encoded by hand; a replay test checks the wire.

use serde::Deserialize;
use serde_json::{Value, json};

use super::operations::{read, text};
use super::{Aws, AwsError};
use crate::model::operation::Operation;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateSecurityGroup {
    group_name: String,
    description: String,
    vpc_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct AuthorizeIngress {
    group_id: String,
    ip_permissions: Vec<IpPermission>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct IpPermission {
    ip_protocol: String,
    from_port: i32,
    to_port: i32,
    #[serde(default)]
    ip_ranges: Vec<IpRange>,
    #[serde(default)]
    user_id_group_pairs: Vec<GroupPair>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct IpRange {
    cidr_ip: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct GroupPair {
    group_id: String,
    #[serde(default)]
    description: Option<String>,
}

impl Aws {
    /// `{"GroupId": …}`, as `aws ec2 create-security-group` prints it.
    pub(super) async fn create_security_group(&self, input: &Value) -> Result<Value, AwsError> {
        let input: CreateSecurityGroup = read(Operation::CreateSecurityGroup, input)?;
        let output = self
            .ec2
            .create_security_group()
            .group_name(input.group_name)
            .description(input.description)
            .vpc_id(input.vpc_id)
            .send()
            .await?;
        Ok(json!({"GroupId": output.group_id()}))
    }

    pub(super) async fn authorize_ingress(&self, input: &Value) -> Result<Value, AwsError> {
        use aws_sdk_ec2::types;
        let input: AuthorizeIngress = read(Operation::AuthorizeSecurityGroupIngress, input)?;
        let permissions = input
            .ip_permissions
            .into_iter()
            .map(|p| {
                types::IpPermission::builder()
                    .ip_protocol(p.ip_protocol)
                    .from_port(p.from_port)
                    .to_port(p.to_port)
                    .set_ip_ranges(Some(
                        p.ip_ranges
                            .into_iter()
                            .map(|r| {
                                types::IpRange::builder()
                                    .cidr_ip(r.cidr_ip)
                                    .set_description(r.description)
                                    .build()
                            })
                            .collect(),
                    ))
                    .set_user_id_group_pairs(Some(
                        p.user_id_group_pairs
                            .into_iter()
                            .map(|g| {
                                types::UserIdGroupPair::builder()
                                    .group_id(g.group_id)
                                    .set_description(g.description)
                                    .build()
                            })
                            .collect(),
                    ))
                    .build()
            })
            .collect();
        let output = self
            .ec2
            .authorize_security_group_ingress()
            .group_id(input.group_id)
            .set_ip_permissions(Some(permissions))
            .send()
            .await?;
        Ok(json!({"Return": output.r#return()}))
    }

    pub(super) async fn delete_security_group(&self, input: &Value) -> Result<Value, AwsError> {
        self.ec2
            .delete_security_group()
            .group_id(text(input, "GroupId"))
            .send()
            .await?;
        Ok(json!({}))
    }

    /// The group a CreateSecurityGroup made: by its name in its VPC.
    pub(super) async fn find_security_group(
        &self,
        input: &Value,
    ) -> Result<Option<Value>, AwsError> {
        use aws_sdk_ec2::types::Filter;
        let filter = |name: &str, key: &str| {
            Filter::builder()
                .name(name)
                .values(text(input, key))
                .build()
        };
        let output = self
            .ec2
            .describe_security_groups()
            .filters(filter("group-name", "GroupName"))
            .filters(filter("vpc-id", "VpcId"))
            .send()
            .await?;
        Ok(output
            .security_groups()
            .first()
            .map(|g| json!({"GroupId": g.group_id()})))
    }
}

#[cfg(test)]
mod tests {
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_types::body::SdkBody;

    use super::*;
    use crate::aws::tests::{aws_with, query_params};
    use crate::model::load_balancing::tests::reference_002;

    fn answer(body: &str) -> ReplayEvent {
        ReplayEvent::new(
            http::Request::builder()
                .uri("https://ec2.ap-northeast-1.amazonaws.com/")
                .body(SdkBody::empty())
                .unwrap(),
            http::Response::builder()
                .status(200)
                .body(SdkBody::from(body.to_string()))
                .unwrap(),
        )
    }

    /// What the review shows is what goes on the wire, member for member
    /// (EC2's own names: `IpPermissions.1.Groups.1.GroupId`).
    #[tokio::test]
    async fn the_review_json_is_what_is_sent() {
        let lb = reference_002();
        let client = StaticReplayClient::new(vec![
            answer(
                "<CreateSecurityGroupResponse><groupId>sg-0123abcd</groupId></CreateSecurityGroupResponse>",
            ),
            answer(
                "<AuthorizeSecurityGroupIngressResponse><return>true</return></AuthorizeSecurityGroupIngressResponse>",
            ),
        ]);
        let aws = aws_with(client.clone());
        let created = aws
            .create_security_group(&lb.alb_security_group().input)
            .await
            .unwrap();
        assert_eq!(created, json!({"GroupId": "sg-0123abcd"}));
        let mut ingress = lb.service_ingress().input;
        ingress["GroupId"] = json!("sg-0123abcd");
        ingress["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"] = json!("sg-0fedcba9");
        aws.authorize_ingress(&ingress).await.unwrap();

        let sent: Vec<Vec<(String, String)>> = client
            .actual_requests()
            .map(|r| query_params(r.body().bytes().unwrap()))
            .collect();
        assert_eq!(
            sent[0],
            [
                ("Action", "CreateSecurityGroup"),
                ("Version", "2016-11-15"),
                // The JSON's (and the CLI's) `Description` is `GroupDescription` on the wire.
                (
                    "GroupDescription",
                    "HTTP from anywhere to the load balancer"
                ),
                ("GroupName", "ecs-alb-sg"),
                ("VpcId", "vpc-0a1b2c3d"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        let permission = |k: &str| {
            sent[1]
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(permission("GroupId"), Some("sg-0123abcd"));
        assert_eq!(permission("IpPermissions.1.FromPort"), Some("80"));
        assert_eq!(
            permission("IpPermissions.1.Groups.1.GroupId"),
            Some("sg-0fedcba9")
        );
        assert_eq!(
            permission("IpPermissions.1.Groups.1.Description"),
            Some("from the load balancer")
        );
    }

    #[tokio::test]
    async fn a_request_the_adapter_cannot_read_is_not_sent() {
        let client = StaticReplayClient::new(Vec::new());
        let error = aws_with(client.clone())
            .create_security_group(
                &json!({"GroupName": "x", "Descripton": "typo", "VpcId": "vpc-1"}),
            )
            .await
            .unwrap_err();
        assert_eq!(error.code, "InvalidPlanRequest");
        assert_eq!(client.actual_requests().count(), 0);
    }
}
