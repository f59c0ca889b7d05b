//! Amazon ECS: task definitions.

use serde_json::Value;

use super::raw_body::{CaptureBody, replace_body};
use super::{Aws, AwsError};

/// A registered revision, with the definition exactly as AWS returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub arn: String,
    pub family: String,
    pub revision: i32,
    /// The whole RegisterTaskDefinition response (`taskDefinition` and `tags`).
    pub response: Value,
}

impl Aws {
    /// Sends `request_json` (a RegisterTaskDefinition body) unchanged.
    pub async fn register_task_definition(
        &self,
        request_json: String,
    ) -> Result<Registered, AwsError> {
        let capture = CaptureBody::default();
        // The builder needs its required members; the body replaces them all.
        let output = self
            .ecs
            .register_task_definition()
            .family("placeholder")
            .set_container_definitions(Some(Vec::new()))
            .customize()
            .mutate_request(replace_body(request_json))
            .interceptor(capture.clone())
            .send()
            .await?;
        let definition = output.task_definition();
        let response = capture
            .take()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or(Value::Null);
        Ok(Registered {
            arn: definition
                .and_then(|d| d.task_definition_arn())
                .unwrap_or_default()
                .to_string(),
            family: definition
                .and_then(|d| d.family())
                .unwrap_or_default()
                .to_string(),
            revision: definition.map(|d| d.revision()).unwrap_or_default(),
            response,
        })
    }
}
