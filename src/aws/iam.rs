//! AWS IAM: roles for ECS tasks. Creating one is several calls (the role, each
//! managed policy, the inline policy); a refusal part way undoes the rest.

use serde_json::Value;

use super::{Aws, AwsError};
use crate::model::account::{PolicyDocument, RoleDetails, RoleSummary};
use crate::model::role::compact;

impl Aws {
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
