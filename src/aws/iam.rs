//! AWS IAM: the roles offered in the task definition's role pickers.

use super::{Aws, AwsError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSummary {
    pub name: String,
    pub arn: String,
}

impl Aws {
    pub async fn list_roles(&self) -> Result<Vec<RoleSummary>, AwsError> {
        let mut roles = Vec::new();
        let mut pages = self.iam.list_roles().into_paginator().send();
        while let Some(page) = pages.next().await {
            for role in page?.roles() {
                roles.push(RoleSummary {
                    name: role.role_name().to_string(),
                    arn: role.arn().to_string(),
                });
            }
        }
        roles.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(roles)
    }
}
