//! What a create request ends in. A creation that takes several calls (a role
//! and its policies, a log group and its retention) is undone call by call
//! when a later call is refused, so nothing is left half-created; what could
//! not be undone is reported, never hidden.

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
