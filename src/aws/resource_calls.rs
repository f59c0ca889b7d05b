//! The role and log group wizards' calls as plan steps: IAM (a query
//! protocol) read from the review's JSON into the SDK's builders, so the
//! shown request and the sent one are one value (a replay test compares
//! them); CloudWatch Logs (JSON) sent as the review's body. Also what a
//! cut-off run may have made, and the deletes of a clean-up.

use serde::Deserialize;
use serde_json::{Value, json};

use super::ec2::unreadable;
use super::raw_body::{CaptureBody, replace_body};
use super::{Aws, AwsError};
use crate::model::api_call::ApiCall;

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

fn read<T: serde::de::DeserializeOwned>(operation: &str, input: &Value) -> Result<T, AwsError> {
    serde_json::from_value(input.clone()).map_err(|e| unreadable(operation, e))
}

impl Aws {
    /// The IAM and CloudWatch Logs calls of the role and log group wizards.
    pub(super) async fn send_resource_call(&self, call: &ApiCall) -> Result<Value, AwsError> {
        let input = &call.input;
        match (call.service, call.operation) {
            ("iam", "CreateRole") => {
                let request: CreateRole = read("CreateRole", input)?;
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
                    .map_err(|e| unreadable("CreateRole", e))?;
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
            ("iam", operation) => {
                let request: RolePolicy = read(operation, input)?;
                let role = request.role_name;
                let arn = request.policy_arn.unwrap_or_default();
                let name = request.policy_name.unwrap_or_default();
                match operation {
                    "AttachRolePolicy" => {
                        self.iam
                            .attach_role_policy()
                            .role_name(role)
                            .policy_arn(arn)
                            .send()
                            .await?;
                    }
                    "PutRolePolicy" => {
                        self.iam
                            .put_role_policy()
                            .role_name(role)
                            .policy_name(name)
                            .policy_document(request.policy_document.unwrap_or_default())
                            .send()
                            .await?;
                    }
                    "DetachRolePolicy" => {
                        self.iam
                            .detach_role_policy()
                            .role_name(role)
                            .policy_arn(arn)
                            .send()
                            .await?;
                    }
                    "DeleteRolePolicy" => {
                        self.iam
                            .delete_role_policy()
                            .role_name(role)
                            .policy_name(name)
                            .send()
                            .await?;
                    }
                    "DeleteRole" => {
                        self.iam.delete_role().role_name(role).send().await?;
                    }
                    _ => return Err(unsupported(call)),
                }
                Ok(json!({}))
            }
            ("logs", operation) => {
                // A JSON protocol: the review's body is sent as it is.
                let capture = CaptureBody::default();
                let body = input.to_string();
                let sent = match operation {
                    "CreateLogGroup" => self
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
                    "DeleteLogGroup" => self
                        .logs
                        .delete_log_group()
                        .log_group_name("placeholder")
                        .customize()
                        .mutate_request(replace_body(body))
                        .interceptor(capture.clone())
                        .send()
                        .await
                        .map(drop)
                        .map_err(AwsError::from),
                    _ => return Err(unsupported(call)),
                };
                sent?;
                Ok(capture.take_json())
            }
            _ => Err(unsupported(call)),
        }
    }

    /// The role or log group a cut-off create may have made.
    pub(super) async fn find_created_resource(
        &self,
        call: &ApiCall,
    ) -> Result<Option<Value>, AwsError> {
        let name = |key: &str| call.input[key].as_str().unwrap_or_default().to_string();
        match (call.service, call.operation) {
            ("iam", "CreateRole") => match self.role(&name("RoleName")).await {
                Ok(role) => Ok(Some(
                    json!({"Role": {"RoleName": role.name, "Arn": role.arn}}),
                )),
                Err(error) if error.code == "NoSuchEntity" => Ok(None),
                Err(error) => Err(error),
            },
            ("logs", "CreateLogGroup") => {
                let found = self.log_groups_named(&name("logGroupName")).await?;
                Ok((!found.is_empty()).then(|| json!({})))
            }
            _ => Ok(None),
        }
    }
}

impl Aws {
    /// The ARN of what `call` made: from the answer, or looked up.
    pub async fn created_arn(&self, call: &ApiCall, answer: &Value) -> String {
        let given = [
            &answer["Role"]["Arn"],
            &answer["cluster"]["clusterArn"],
            &answer["repository"]["repositoryArn"],
            &answer["taskDefinition"]["taskDefinitionArn"],
        ];
        if let Some(arn) = given.into_iter().find_map(Value::as_str) {
            return arn.to_string();
        }
        let name = call.input["logGroupName"].as_str().unwrap_or_default();
        self.log_groups_named(name)
            .await
            .ok()
            .and_then(|mut found| found.pop())
            .map(|(_, arn)| arn)
            .unwrap_or_default()
    }
}

fn unsupported(call: &ApiCall) -> AwsError {
    AwsError {
        code: "UnsupportedCall".into(),
        message: format!("ecs-wizard cannot send {} yet.", call.title()),
    }
}

#[cfg(test)]
mod tests {
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
        let client = StaticReplayClient::new(calls.iter().map(|c| ok(c.operation)).collect());
        let aws = aws_with(client.clone());
        for call in &calls {
            aws.send_plan_call(call).await.unwrap();
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
            assert_eq!(get("Action").as_deref(), Some(call.operation));
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
