//! AWS IAM: roles for ECS tasks. Creating one is several calls (the role, each
//! managed policy, the inline policy); a refusal part way undoes the rest.

use serde::Deserialize;
use serde_json::{Value, json};

use super::operations::{read, unreadable};
use super::{Aws, AwsError};
use crate::model::account::{PolicyDocument, RoleDetails, RoleSummary};
use crate::model::operation::Operation;
use crate::model::role::compact;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateRole {
    role_name: String,
    assume_role_policy_document: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    tags: Vec<IamTag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct IamTag {
    key: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RolePolicy {
    role_name: String,
    #[serde(default)]
    policy_arn: Option<String>,
    #[serde(default)]
    policy_name: Option<String>,
    #[serde(default)]
    policy_document: Option<String>,
}

impl Aws {
    /// CreateRole, read from the review's JSON into the SDK's builder (a
    /// query protocol: a replay test compares the wire with the JSON).
    pub(super) async fn create_role(&self, input: &Value) -> Result<Value, AwsError> {
        let request: CreateRole = read(Operation::CreateRole, input)?;
        let tags = request
            .tags
            .into_iter()
            .map(|t| {
                aws_sdk_iam::types::Tag::builder()
                    .key(t.key)
                    .value(t.value)
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| unreadable(Operation::CreateRole, e))?;
        let output = self
            .iam
            .create_role()
            .role_name(&request.role_name)
            .assume_role_policy_document(request.assume_role_policy_document)
            .set_description(request.description)
            .set_tags(Some(tags).filter(|t| !t.is_empty()))
            .send()
            .await?;
        let role = output.role();
        Ok(json!({"Role": {
            "RoleName": request.role_name,
            "RoleId": role.map(|r| r.role_id()).unwrap_or_default(),
            "Arn": role.map(|r| r.arn()).unwrap_or_default(),
            "CreateDate": role.map(|r| r.create_date().to_string()).unwrap_or_default(),
        }}))
    }

    /// A role's policies attached, put, detached or deleted, or the role
    /// deleted.
    pub(super) async fn change_role(
        &self,
        operation: Operation,
        input: &Value,
    ) -> Result<Value, AwsError> {
        let request: RolePolicy = read(operation, input)?;
        let role = request.role_name;
        let arn = request.policy_arn.unwrap_or_default();
        let name = request.policy_name.unwrap_or_default();
        match operation {
            Operation::AttachRolePolicy => {
                self.iam
                    .attach_role_policy()
                    .role_name(role)
                    .policy_arn(arn)
                    .send()
                    .await?;
            }
            Operation::PutRolePolicy => {
                self.iam
                    .put_role_policy()
                    .role_name(role)
                    .policy_name(name)
                    .policy_document(request.policy_document.unwrap_or_default())
                    .send()
                    .await?;
            }
            Operation::DetachRolePolicy => {
                self.iam
                    .detach_role_policy()
                    .role_name(role)
                    .policy_arn(arn)
                    .send()
                    .await?;
            }
            Operation::DeleteRolePolicy => {
                self.iam
                    .delete_role_policy()
                    .role_name(role)
                    .policy_name(name)
                    .send()
                    .await?;
            }
            Operation::DeleteRole => {
                self.iam.delete_role().role_name(role).send().await?;
            }
            other => return Err(unreadable(other, "not a change to a role")),
        }
        Ok(json!({}))
    }

    /// The role a CreateRole made, answered in its shape.
    pub(super) async fn find_role(&self, name: &str) -> Result<Option<Value>, AwsError> {
        Ok(self
            .role_if_any(name)
            .await?
            .map(|role| json!({"Role": {"RoleName": role.name, "Arn": role.arn}})))
    }

    /// The role with its trust, or None when the account has no such role.
    pub async fn role_if_any(&self, name: &str) -> Result<Option<RoleSummary>, AwsError> {
        match self.role(name).await {
            Ok(role) => Ok(Some(role)),
            Err(error) if error.code == "NoSuchEntity" => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// One role with its trust policy (a single GetRole).
    pub async fn role(&self, name: &str) -> Result<RoleSummary, AwsError> {
        let output = self.iam.get_role().role_name(name).send().await?;
        let role = output.role();
        Ok(RoleSummary {
            name: role.map(|r| r.role_name()).unwrap_or(name).to_string(),
            arn: role.map(|r| r.arn()).unwrap_or_default().to_string(),
            trust: policy_json(role.and_then(|r| r.assume_role_policy_document())),
        })
    }

    /// The role, its trust policy, and the documents of every policy it has.
    pub async fn role_details(&self, name: &str) -> Result<RoleDetails, AwsError> {
        let output = self.iam.get_role().role_name(name).send().await?;
        let role = output.role();
        let mut attached = Vec::new();
        let mut pages = self
            .iam
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            for policy in page?.attached_policies() {
                let arn = policy.policy_arn().unwrap_or_default().to_string();
                attached.push(PolicyDocument {
                    name: policy.policy_name().unwrap_or_default().to_string(),
                    document: self.managed_policy_document(&arn).await?,
                    arn,
                });
            }
        }
        let mut inline = Vec::new();
        let mut pages = self
            .iam
            .list_role_policies()
            .role_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            for policy_name in page?.policy_names() {
                let policy = self
                    .iam
                    .get_role_policy()
                    .role_name(name)
                    .policy_name(policy_name)
                    .send()
                    .await?;
                inline.push(PolicyDocument {
                    name: policy_name.clone(),
                    arn: String::new(),
                    document: policy_json(Some(policy.policy_document())),
                });
            }
        }
        Ok(RoleDetails {
            name: role.map(|r| r.role_name()).unwrap_or(name).to_string(),
            arn: role.map(|r| r.arn()).unwrap_or_default().to_string(),
            description: role
                .and_then(|r| r.description())
                .unwrap_or_default()
                .to_string(),
            trust: policy_json(role.and_then(|r| r.assume_role_policy_document())),
            attached,
            inline,
        })
    }

    async fn managed_policy_document(&self, arn: &str) -> Result<Value, AwsError> {
        let policy = self.iam.get_policy().policy_arn(arn).send().await?;
        let version = policy
            .policy()
            .and_then(|p| p.default_version_id())
            .unwrap_or("v1");
        let document = self
            .iam
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await?;
        Ok(policy_json(
            document.policy_version().and_then(|v| v.document()),
        ))
    }

    pub async fn attach_role_policy(&self, role: &str, policy_arn: &str) -> Result<(), AwsError> {
        self.iam
            .attach_role_policy()
            .role_name(role)
            .policy_arn(policy_arn)
            .send()
            .await?;
        Ok(())
    }

    pub async fn update_trust_policy(&self, role: &str, policy: &Value) -> Result<(), AwsError> {
        self.iam
            .update_assume_role_policy()
            .role_name(role)
            .policy_document(compact(policy))
            .send()
            .await?;
        Ok(())
    }
}

/// IAM returns policy documents URL-encoded; some emulators do not.
/// A listed role as the pages show it.
pub(super) fn role_summary(role: &aws_sdk_iam::types::Role) -> RoleSummary {
    RoleSummary {
        name: role.role_name().to_string(),
        arn: role.arn().to_string(),
        trust: policy_json(role.assume_role_policy_document()),
    }
}

pub(super) fn policy_json(document: Option<&str>) -> Value {
    let Some(text) = document else {
        return Value::Null;
    };
    serde_json::from_str(text)
        .or_else(|_| serde_json::from_str(&percent_decode(text)))
        .unwrap_or(Value::Null)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_are_read_encoded_or_not() {
        let plain = r#"{"Statement":[{"Effect":"Allow"}]}"#;
        let encoded = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%7D%5D%7D";
        assert_eq!(policy_json(Some(plain)), policy_json(Some(encoded)));
        assert_eq!(policy_json(Some(plain))["Statement"][0]["Effect"], "Allow");
        assert_eq!(policy_json(None), Value::Null);
        assert_eq!(percent_decode("a%2Fb+c%zz"), "a/b c%zz");
    }
}

#[cfg(test)]
mod replay_tests {
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_types::body::SdkBody;

    use crate::aws::tests::{aws_with, query_params};
    use crate::model::resource::Resource;
    use crate::model::role::{Role, RoleKind};
    use crate::model::task_definition::Tag;

    /// What the role's review shows is what goes on the wire, parameter by
    /// parameter (IAM's query protocol names them differently).
    #[tokio::test]
    async fn each_role_request_on_the_wire_is_the_review_json() {
        let mut role = Role::new(RoleKind::Execution, "aws");
        role.description = "for ECS tasks".into();
        role.read_parameters = true;
        role.tags.push(Tag {
            key: "team".into(),
            value: "web".into(),
        });
        let calls = role.api_calls();
        let ok = |operation: &str| {
            let body = if operation == "CreateRole" {
                r#"<CreateRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateRoleResult><Role><Path>/</Path><RoleName>r</RoleName><RoleId>A</RoleId><Arn>arn:aws:iam::123456789012:role/r</Arn><CreateDate>2026-11-23T00:00:00Z</CreateDate></Role></CreateRoleResult></CreateRoleResponse>"#.to_string()
            } else {
                format!(
                    r#"<{operation}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"/>"#
                )
            };
            ReplayEvent::new(
                http::Request::builder()
                    .uri("https://iam.amazonaws.com/")
                    .body(SdkBody::empty())
                    .unwrap(),
                http::Response::builder()
                    .status(200)
                    .body(SdkBody::from(body))
                    .unwrap(),
            )
        };
        let client =
            StaticReplayClient::new(calls.iter().map(|c| ok(c.operation.name())).collect());
        let aws = aws_with(client.clone());
        for call in &calls {
            aws.send(call).await.unwrap();
        }
        let sent: Vec<_> = client.actual_requests().collect();
        assert_eq!(sent.len(), calls.len());
        for (call, request) in calls.iter().zip(sent) {
            let params = query_params(request.body().bytes().unwrap());
            let get = |name: &str| {
                params
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            };
            assert_eq!(get("Action").as_deref(), Some(call.operation.name()));
            for (key, value) in call.input.as_object().unwrap() {
                match value {
                    serde_json::Value::String(text) => {
                        assert_eq!(get(key).as_deref(), Some(text.as_str()), "{key}");
                    }
                    // Tags: Tags.member.1.Key / .Value
                    _ => {
                        assert_eq!(get("Tags.member.1.Key").as_deref(), Some("team"));
                        assert_eq!(get("Tags.member.1.Value").as_deref(), Some("web"));
                    }
                }
            }
        }
    }
}

/// The role and log group creates through the plan engine, against a
/// replay client: the order of calls on the wire and the undo of a refusal.
#[cfg(test)]
mod engine_tests {
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_types::body::SdkBody;

    use crate::aws::CreateError;
    use crate::aws::tests::aws_with;
    use crate::deploy::RunJournal;
    use crate::deploy::resource_run::create;
    use crate::deploy::runner::Retry;
    use crate::model::log_group::LogGroup;
    use crate::model::resource::Resource;
    use crate::model::role::{MANAGED_POLICIES, Role, RoleKind};
    use crate::store::Store;

    async fn journal(resuming: bool) -> RunJournal {
        let store = Store::open_in_memory().unwrap();
        let run = store.start_run("roles", "d").await.unwrap();
        RunJournal::for_tests(store, run, resuming)
    }

    fn event(status: u16, content_type: &str, body: &str) -> ReplayEvent {
        ReplayEvent::new(
            http::Request::builder()
                .uri("https://aws.example/")
                .body(SdkBody::empty())
                .unwrap(),
            http::Response::builder()
                .status(status)
                .header("content-type", content_type)
                .body(SdkBody::from(body.to_string()))
                .unwrap(),
        )
    }

    fn iam(status: u16, body: &str) -> ReplayEvent {
        event(status, "text/xml", body)
    }

    fn logs(status: u16, body: &str) -> ReplayEvent {
        event(status, "application/x-amz-json-1.1", body)
    }

    const CREATED: &str = r#"<CreateRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateRoleResult><Role><Path>/</Path><RoleName>ecsTaskExecutionRole</RoleName><RoleId>AROA1</RoleId><Arn>arn:aws:iam::123456789012:role/ecsTaskExecutionRole</Arn><CreateDate>2026-11-23T00:00:00Z</CreateDate></Role></CreateRoleResult></CreateRoleResponse>"#;
    const DONE: &str = r#"<Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"/>"#;
    const DENIED: &str = r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: iam:PutRolePolicy</Message></Error><RequestId>2</RequestId></ErrorResponse>"#;

    fn actions(client: &StaticReplayClient) -> Vec<String> {
        client
            .actual_requests()
            .map(|r| {
                let body =
                    String::from_utf8_lossy(r.body().bytes().unwrap_or_default()).into_owned();
                match r.headers().get("x-amz-target") {
                    Some(target) => target.rsplit('.').next().unwrap_or_default().to_string(),
                    None => body
                        .split('&')
                        .next()
                        .unwrap_or_default()
                        .trim_start_matches("Action=")
                        .to_string(),
                }
            })
            .collect()
    }

    /// A refused PutRolePolicy leaves nothing behind: the attached policy is
    /// detached and the role deleted, in that order, and both are reported.
    #[tokio::test]
    async fn a_refusal_part_way_undoes_what_was_created() {
        let mut role = Role::new(RoleKind::Execution, "aws");
        role.read_parameters = true;
        let client = StaticReplayClient::new(vec![
            iam(200, CREATED),
            iam(200, DONE),
            iam(403, DENIED),
            iam(200, DONE),
            iam(200, DONE),
        ]);
        let aws = aws_with(client.clone());
        let result = create(
            &aws,
            role.api_calls(),
            &journal(false).await,
            &Retry::STANDARD,
        )
        .await;
        let Err(CreateError::Refused { error, undo }) = result else {
            panic!("expected a refusal, got {result:?}");
        };
        assert_eq!(error.code, "AccessDenied");
        let calls: Vec<&str> = undo.iter().map(|u| u.call.as_str()).collect();
        assert_eq!(
            calls,
            [
                "iam:DetachRolePolicy RoleName=ecsTaskExecutionRole PolicyArn=arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy (AttachRolePolicy)",
                "iam:DeleteRole RoleName=ecsTaskExecutionRole (CreateRole)"
            ]
        );
        assert!(undo.iter().all(|u| u.outcome.is_ok()));
        assert_eq!(
            actions(&client),
            [
                "CreateRole",
                "AttachRolePolicy",
                "PutRolePolicy",
                "DetachRolePolicy",
                "DeleteRole"
            ]
        );
    }

    #[tokio::test]
    async fn an_existing_role_is_reported_as_such_and_nothing_is_undone() {
        let exists = r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>EntityAlreadyExists</Code><Message>Role with name ecsTaskExecutionRole already exists.</Message></Error><RequestId>3</RequestId></ErrorResponse>"#;
        let client = StaticReplayClient::new(vec![iam(409, exists)]);
        let mut role = Role::new(RoleKind::Execution, "aws");
        role.managed_policy_arns
            .push(MANAGED_POLICIES[1].arn("aws"));
        let aws = aws_with(client.clone());
        let result = create(
            &aws,
            role.api_calls(),
            &journal(false).await,
            &Retry::STANDARD,
        )
        .await;
        assert_eq!(result, Err(CreateError::AlreadyExists));
        assert_eq!(client.actual_requests().count(), 1);
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
            StaticReplayClient::new(vec![logs(200, "{}"), logs(400, denied), logs(200, "{}")]);
        let aws = aws_with(client.clone());
        let result = create(
            &aws,
            group.api_calls(),
            &journal(false).await,
            &Retry::STANDARD,
        )
        .await;
        let Err(CreateError::Refused { error, undo }) = result else {
            panic!("expected a refusal: {result:?}");
        };
        assert_eq!(error.code, "AccessDeniedException");
        assert_eq!(undo.len(), 1);
        assert_eq!(
            undo[0].call,
            "logs:DeleteLogGroup logGroupName=/ecs/example (CreateLogGroup)"
        );
        assert!(undo[0].outcome.is_ok());
        assert_eq!(
            actions(&client),
            ["CreateLogGroup", "PutRetentionPolicy", "DeleteLogGroup"]
        );
    }
}
