//! SDK errors → AWS's own error code and message, nothing else.

use aws_sdk_ecs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AwsError {
    /// AWS's error code (`ClientException`, `AccessDeniedException`…), or
    /// `RequestFailed` when no answer came back.
    pub code: String,
    pub message: String,
}

pub const REQUEST_FAILED: &str = "RequestFailed";

impl<E, R> From<SdkError<E, R>> for AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    fn from(error: SdkError<E, R>) -> Self {
        match error.code() {
            Some(code) => Self {
                code: code.to_string(),
                message: error.message().unwrap_or_default().to_string(),
            },
            None => Self {
                code: REQUEST_FAILED.to_string(),
                message: DisplayErrorContext(&error).to_string(),
            },
        }
    }
}
