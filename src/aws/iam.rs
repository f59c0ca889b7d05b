//! AWS IAM: roles for ECS tasks. Creating one is several calls (the role, each
//! managed policy, the inline policy); a refusal part way undoes the rest.

use serde_json::{Value, json};

use super::create::{CreateError, Created, StepLog, Undo, is_already_exists, logged};
use super::{Aws, AwsError};
use crate::model::account::{PolicyDocument, RoleDetails, RoleSummary};
use crate::model::role::{Role, compact};

impl Aws {
    pub async fn list_roles(&self) -> Result<Vec<RoleSummary>, AwsError> {
        let mut roles = Vec::new();
        let mut pages = self.iam.list_roles().into_paginator().send();
        while let Some(page) = pages.next().await {
            for role in page?.roles() {
                roles.push(RoleSummary {
                    name: role.role_name().to_string(),
                    arn: role.arn().to_string(),
                    trust: policy_json(role.assume_role_policy_document()),
                });
            }
        }
        roles.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(roles)
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

    /// CreateRole, AttachRolePolicy for each managed policy, PutRolePolicy for
    /// the extra permissions: in that order, each written to `log` before it
    /// is sent, undone in reverse on a refusal. When finishing a cut-off run,
    /// an existing role is this run's own and is completed (attaching and
    /// putting a policy again changes nothing).
    pub async fn create_role(
        &self,
        role: &Role,
        log: &impl StepLog,
    ) -> Result<Created, CreateError> {
        let name = role.role_name.as_str();
        let tags = role
            .tags
            .iter()
            .map(|t| {
                aws_sdk_iam::types::Tag::builder()
                    .key(&t.key)
                    .value(&t.value)
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                CreateError::refused(AwsError {
                    code: "InvalidInput".into(),
                    message: e.to_string(),
                })
            })?;
        let send = async {
            let output = self
                .iam
                .create_role()
                .role_name(name)
                .assume_role_policy_document(compact(&crate::model::role::trust_policy()))
                .set_description(Some(role.description.clone()).filter(|d| !d.is_empty()))
                .set_tags(Some(tags).filter(|t| !t.is_empty()))
                .send()
                .await?;
            let created = output.role();
            Ok(json!({"Role": {
                "RoleName": name,
                "RoleId": created.map(|r| r.role_id()).unwrap_or_default(),
                "Arn": created.map(|r| r.arn()).unwrap_or_default(),
                "CreateDate": created.map(|r| r.create_date().to_string()).unwrap_or_default(),
            }}))
        };
        let response = match logged(log, format!("iam:CreateRole RoleName={name}"), send).await {
            Ok(response) => response,
            Err(error) if log.resuming() && is_already_exists(&error) => {
                let existing = self.role(name).await.map_err(CreateError::refused)?;
                json!({"Role": {"RoleName": name, "Arn": existing.arn}})
            }
            Err(error) => return Err(CreateError::from(error)),
        };
        let arn = response["Role"]["Arn"]
            .as_str()
            .unwrap_or_default()
            .to_string();

        let mut attached: Vec<&str> = Vec::new();
        let mut failure = None;
        for policy_arn in &role.managed_policy_arns {
            let send = async {
                self.iam
                    .attach_role_policy()
                    .role_name(name)
                    .policy_arn(policy_arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(AwsError::from)
            };
            let call = format!("iam:AttachRolePolicy RoleName={name} PolicyArn={policy_arn}");
            match logged(log, call, send).await {
                Ok(()) => attached.push(policy_arn),
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            }
        }
        let mut inline_put = false;
        if failure.is_none()
            && let Some(policy) = role.inline_policy()
        {
            let policy_name = role.inline_policy_name();
            let send = async {
                self.iam
                    .put_role_policy()
                    .role_name(name)
                    .policy_name(&policy_name)
                    .policy_document(compact(&policy))
                    .send()
                    .await
                    .map(drop)
                    .map_err(AwsError::from)
            };
            let call = format!("iam:PutRolePolicy RoleName={name} PolicyName={policy_name}");
            match logged(log, call, send).await {
                Ok(()) => inline_put = true,
                Err(error) => failure = Some(error),
            }
        }
        match failure {
            None => Ok(Created { arn, response }),
            Some(error) => {
                let undo = self.undo_role(role, &attached, inline_put, log).await;
                Err(CreateError::Refused { error, undo })
            }
        }
    }

    /// Removes a role a cut-off run may have made, whatever it got to:
    /// everything the form names is detached or deleted, and what is not
    /// there is passed over.
    pub async fn remove_role(&self, role: &Role, log: &impl StepLog) -> Vec<Undo> {
        let policies: Vec<&str> = role
            .managed_policy_arns
            .iter()
            .map(String::as_str)
            .collect();
        let mut undo = self
            .undo_role(role, &policies, role.inline_policy().is_some(), log)
            .await;
        for step in &mut undo {
            if step
                .outcome
                .as_ref()
                .is_err_and(|e| e.code == "NoSuchEntity")
            {
                step.outcome = Ok(());
            }
        }
        undo
    }

    /// Removes what `create_role` made, newest first; IAM refuses to delete a
    /// role that still has policies.
    async fn undo_role(
        &self,
        role: &Role,
        attached: &[&str],
        inline_put: bool,
        log: &impl StepLog,
    ) -> Vec<Undo> {
        let name = role.role_name.as_str();
        let mut undo = Vec::new();
        if inline_put {
            let policy_name = role.inline_policy_name();
            let call = format!("iam:DeleteRolePolicy RoleName={name} PolicyName={policy_name}");
            let send = async {
                self.iam
                    .delete_role_policy()
                    .role_name(name)
                    .policy_name(&policy_name)
                    .send()
                    .await
                    .map(drop)
                    .map_err(AwsError::from)
            };
            let outcome = logged(log, call.clone(), send).await;
            undo.push(Undo { call, outcome });
        }
        for policy_arn in attached.iter().rev() {
            let call = format!("iam:DetachRolePolicy RoleName={name} PolicyArn={policy_arn}");
            let send = async {
                self.iam
                    .detach_role_policy()
                    .role_name(name)
                    .policy_arn(*policy_arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(AwsError::from)
            };
            let outcome = logged(log, call.clone(), send).await;
            undo.push(Undo { call, outcome });
        }
        let call = format!("iam:DeleteRole RoleName={name}");
        let send = async {
            self.iam
                .delete_role()
                .role_name(name)
                .send()
                .await
                .map(drop)
                .map_err(AwsError::from)
        };
        let outcome = logged(log, call.clone(), send).await;
        undo.push(Undo { call, outcome });
        undo
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
fn policy_json(document: Option<&str>) -> Value {
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
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_types::body::SdkBody;

    use super::*;
    use crate::aws::create::NoLog;
    use crate::aws::tests::aws_with;
    use crate::model::role::{MANAGED_POLICIES, RoleKind};

    fn answer(status: u16, body: &str) -> http::Response<SdkBody> {
        http::Response::builder()
            .status(status)
            .header("content-type", "text/xml")
            .body(SdkBody::from(body.to_string()))
            .expect("response")
    }

    fn request() -> http::Request<SdkBody> {
        http::Request::builder()
            .uri("https://iam.amazonaws.com/")
            .body(SdkBody::empty())
            .expect("request")
    }

    const CREATED: &str = r#"<CreateRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateRoleResult><Role><Path>/</Path><RoleName>ecsTaskExecutionRole</RoleName><RoleId>AROA1</RoleId><Arn>arn:aws:iam::123456789012:role/ecsTaskExecutionRole</Arn><CreateDate>2026-11-23T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role></CreateRoleResult></CreateRoleResponse>"#;
    const OK: &str = r#"<AttachRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AttachRolePolicyResponse>"#;
    const DENIED: &str = r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: iam:PutRolePolicy</Message></Error><RequestId>2</RequestId></ErrorResponse>"#;

    fn body_of(request: &aws_smithy_runtime_api::http::Request) -> String {
        String::from_utf8_lossy(request.body().bytes().unwrap_or_default()).into_owned()
    }

    /// A refused PutRolePolicy leaves nothing behind: the attached policy is
    /// detached and the role deleted, in that order, and both are reported.
    #[tokio::test]
    async fn a_refusal_part_way_undoes_what_was_created() {
        let mut role = Role::new(RoleKind::Execution, "aws");
        role.read_parameters = true;
        let replies = [
            CREATED,
            OK,
            DENIED,
            r#"<DetachRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"/>"#,
            r#"<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"/>"#,
        ];
        let events = replies
            .iter()
            .map(|body| {
                let status = if *body == DENIED { 403 } else { 200 };
                ReplayEvent::new(request(), answer(status, body))
            })
            .collect();
        let client = StaticReplayClient::new(events);
        let result = aws_with(client.clone()).create_role(&role, &NoLog).await;
        let Err(CreateError::Refused { error, undo }) = result else {
            panic!("expected a refusal, got {result:?}");
        };
        assert_eq!(error.code, "AccessDenied");
        let calls: Vec<&str> = undo.iter().map(|u| u.call.as_str()).collect();
        assert_eq!(
            calls,
            [
                "iam:DetachRolePolicy RoleName=ecsTaskExecutionRole PolicyArn=arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
                "iam:DeleteRole RoleName=ecsTaskExecutionRole",
            ]
        );
        assert!(undo.iter().all(|u| u.outcome.is_ok()));
        let sent: Vec<String> = client
            .actual_requests()
            .map(body_of)
            .map(|b| b.split('&').next().unwrap_or_default().to_string())
            .collect();
        assert_eq!(
            sent,
            [
                "Action=CreateRole",
                "Action=AttachRolePolicy",
                "Action=PutRolePolicy",
                "Action=DetachRolePolicy",
                "Action=DeleteRole"
            ]
        );
    }

    #[tokio::test]
    async fn an_existing_role_is_reported_as_such_and_nothing_is_undone() {
        let exists = r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>EntityAlreadyExists</Code><Message>Role with name ecsTaskExecutionRole already exists.</Message></Error><RequestId>3</RequestId></ErrorResponse>"#;
        let client =
            StaticReplayClient::new(vec![ReplayEvent::new(request(), answer(409, exists))]);
        let mut role = Role::new(RoleKind::Execution, "aws");
        role.managed_policy_arns
            .push(MANAGED_POLICIES[1].arn("aws"));
        let result = aws_with(client.clone()).create_role(&role, &NoLog).await;
        assert_eq!(result, Err(CreateError::AlreadyExists));
        assert_eq!(client.actual_requests().count(), 1);
    }

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
