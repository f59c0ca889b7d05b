//! AWS STS: who the app is acting as, shown in every page's header.

use super::{Aws, AwsError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub account: String,
    pub arn: String,
}

impl Aws {
    pub async fn caller_identity(&self) -> Result<Identity, AwsError> {
        let output = self.sts.get_caller_identity().send().await?;
        Ok(Identity {
            account: output.account().unwrap_or_default().to_string(),
            arn: output.arn().unwrap_or_default().to_string(),
        })
    }
}
