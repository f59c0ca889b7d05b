//! What a create request ends in. A creation that takes several calls (a role
//! and its policies, a log group and its retention) is undone call by call
//! when a later call is refused, so nothing is left half-created; what could
//! not be undone is reported, never hidden.

use std::future::Future;

use serde_json::Value;

use super::AwsError;

/// The resource as AWS returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub arn: String,
    /// AWS's answer, as JSON.
    pub response: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CreateError {
    /// A resource of that name is already there; nothing was changed.
    AlreadyExists,
    /// AWS refused a call. `undo` lists what had been created before and how
    /// removing it went.
    Refused { error: AwsError, undo: Vec<Undo> },
}

/// One call made to remove what this attempt had created.
#[derive(Debug, Clone, PartialEq)]
pub struct Undo {
    /// `iam:DeleteRole RoleName=web`.
    pub call: String,
    pub outcome: Result<(), AwsError>,
}

impl CreateError {
    pub fn refused(error: AwsError) -> Self {
        CreateError::Refused {
            error,
            undo: Vec::new(),
        }
    }
}

/// AWS's codes for "a resource with that name exists".
pub fn is_already_exists(error: &AwsError) -> bool {
    matches!(
        error.code.as_str(),
        "EntityAlreadyExists"
            | "RepositoryAlreadyExistsException"
            | "ResourceAlreadyExistsException"
    )
}

impl From<AwsError> for CreateError {
    fn from(error: AwsError) -> Self {
        if is_already_exists(&error) {
            CreateError::AlreadyExists
        } else {
            CreateError::refused(error)
        }
    }
}

/// Where a create writes down each AWS call: before it is sent, and again
/// with AWS's answer. Implemented by the run journal (`deploy/`); a create
/// stops, sending nothing more, when a call cannot be written down.
pub trait StepLog: Sync {
    /// Records that `call` is about to be sent; returns its step number.
    fn begin(&self, call: &str) -> impl Future<Output = Result<usize, AwsError>> + Send;

    /// Records how step `step` ended.
    fn end(
        &self,
        step: usize,
        call: &str,
        outcome: Result<(), &AwsError>,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// True when finishing a run that was cut off: "already exists" on the
    /// first call then means this run made it before it stopped.
    fn resuming(&self) -> bool {
        false
    }
}

/// Sends one call through `log`: recorded before, and its answer after.
pub async fn logged<T>(
    log: &impl StepLog,
    call: String,
    send: impl Future<Output = Result<T, AwsError>>,
) -> Result<T, AwsError> {
    let step = log.begin(&call).await?;
    let result = send.await;
    log.end(step, &call, result.as_ref().map(drop)).await?;
    result
}

/// A log that keeps nothing: for replay tests of a single adapter call.
#[cfg(test)]
pub struct NoLog;

#[cfg(test)]
impl StepLog for NoLog {
    async fn begin(&self, _call: &str) -> Result<usize, AwsError> {
        Ok(0)
    }

    async fn end(&self, _: usize, _: &str, _: Result<(), &AwsError>) -> Result<(), AwsError> {
        Ok(())
    }
}
