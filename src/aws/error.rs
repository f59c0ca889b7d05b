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
/// No answer came: the endpoint could not be reached, or did not answer in time.
pub const NO_ANSWER: &str = "NoAnswer";

impl AwsError {
    /// What a page says of reads that did not finish by its deadline.
    pub fn no_answer() -> Self {
        Self {
            code: NO_ANSWER.to_string(),
            message: "AWS did not answer in time.".to_string(),
        }
    }
}

impl<E, R> From<SdkError<E, R>> for AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    fn from(error: SdkError<E, R>) -> Self {
        if let Some(code) = error.code() {
            return Self {
                code: code.to_string(),
                message: error.message().unwrap_or_default().to_string(),
            };
        }
        // The SDK's own description is debug text; a person gets a sentence
        // (the details go to the log).
        tracing::debug!(error = %DisplayErrorContext(&error), "no answer from AWS");
        let (code, message) = match &error {
            SdkError::TimeoutError(_) => (NO_ANSWER, "AWS did not answer in time."),
            SdkError::DispatchFailure(failure) if failure.is_timeout() => {
                (NO_ANSWER, "AWS did not answer in time.")
            }
            SdkError::DispatchFailure(failure) if failure.is_io() => {
                (NO_ANSWER, "The connection to AWS could not be made.")
            }
            SdkError::DispatchFailure(_) => (NO_ANSWER, "The request could not be sent to AWS."),
            _ => (REQUEST_FAILED, "AWS's answer could not be read."),
        };
        Self {
            code: code.to_string(),
            message: message.to_string(),
        }
    }
}

/// AWS asking for fewer requests: each service names it its own way.
pub fn is_throttling(error: &AwsError) -> bool {
    matches!(
        error.code.as_str(),
        "Throttling"
            | "ThrottlingException"
            | "TooManyRequestsException"
            | "RequestLimitExceeded"
            | "RequestThrottled"
    )
}
