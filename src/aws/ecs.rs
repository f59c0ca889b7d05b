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

#[cfg(test)]
mod tests {
    use aws_smithy_http_client::test_util::capture_request;
    use aws_smithy_types::body::SdkBody;

    use crate::aws::tests::aws_with;

    fn response(status: u16, body: &str) -> http::Response<SdkBody> {
        http::Response::builder()
            .status(status)
            .header("content-type", "application/x-amz-json-1.1")
            .body(SdkBody::from(body.to_string()))
            .expect("response")
    }

    /// What the review page shows is byte for byte what is signed and sent,
    /// and what AWS answers is kept whole, fields the SDK does not model included.
    #[tokio::test]
    async fn register_sends_the_request_json_unchanged_and_keeps_the_answer_whole() {
        let answer = r#"{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:7","family":"web","revision":7,"containerDefinitions":[{"name":"app","image":"nginx","someFutureField":true}]},"tags":[]}"#;
        let (client, requests) = capture_request(Some(response(200, answer)));
        let body = r#"{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","ulimits":[{"name":"nofile","softLimit":1,"hardLimit":2}]}]}"#;
        let registered = aws_with(client)
            .register_task_definition(body.to_string())
            .await
            .unwrap();
        let sent = requests.expect_request();
        assert_eq!(sent.body().bytes(), Some(body.as_bytes()));
        assert_eq!(
            sent.headers().get("content-length"),
            Some(body.len().to_string().as_str())
        );
        assert_eq!(
            sent.headers().get("x-amz-target"),
            Some("AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition")
        );
        assert!(
            sent.headers()
                .get("authorization")
                .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256"))
        );
        assert_eq!(registered.revision, 7);
        assert_eq!(registered.family, "web");
        assert_eq!(
            registered.response["taskDefinition"]["containerDefinitions"][0]["someFutureField"],
            true
        );
    }

    /// AWS's own code and message reach the refusal page.
    #[tokio::test]
    async fn a_refusal_keeps_aws_code_and_message() {
        let denied = r#"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ecs:RegisterTaskDefinition"}"#;
        let (client, _requests) = capture_request(Some(response(400, denied)));
        let error = aws_with(client)
            .register_task_definition("{}".into())
            .await
            .unwrap_err();
        assert_eq!(error.code, "AccessDeniedException");
        assert!(
            error
                .message
                .ends_with("is not authorized to perform: ecs:RegisterTaskDefinition")
        );

        let invalid = r#"{"__type":"ClientException","message":"Invalid 'cpu' setting for task."}"#;
        let (client, _requests) = capture_request(Some(response(400, invalid)));
        let error = aws_with(client)
            .register_task_definition("{}".into())
            .await
            .unwrap_err();
        assert_eq!(
            (error.code.as_str(), error.message.as_str()),
            ("ClientException", "Invalid 'cpu' setting for task.")
        );
    }
}
