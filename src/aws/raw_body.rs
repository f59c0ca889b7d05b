//! Our model serializes to AWS's wire JSON already, so ECS requests carry that
//! JSON as their body, and responses are kept as AWS wrote them: what the
//! review page shows is byte for byte what is sent, and nothing the SDK's
//! types do not know is lost on the way in or out.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;

/// Replaces a request's body before it is signed.
pub fn replace_body(body: String) -> impl Fn(&mut HttpRequest) + Send + Sync + 'static {
    move |request: &mut HttpRequest| {
        request
            .headers_mut()
            .insert("content-length", body.len().to_string());
        *request.body_mut() = SdkBody::from(body.clone());
    }
}

/// Sends `$operation` (an SDK operation whose required members are set to
/// placeholders) with `$body` as its whole body, and answers with AWS's
/// JSON as it came (Null for none). For JSON protocols: the review's
/// request is the body, byte for byte.
macro_rules! send_json {
    ($operation:expr, $body:expr) => {
        $crate::aws::raw_body::send_json!(@send $operation.customize(), $body)
    };
    // With a configuration of its own for this one call.
    ($operation:expr, $body:expr, $config:expr) => {
        $crate::aws::raw_body::send_json!(@send $operation.customize().config_override($config), $body)
    };
    (@send $customized:expr, $body:expr) => {{
        let capture = $crate::aws::raw_body::CaptureBody::default();
        $customized
            .mutate_request($crate::aws::raw_body::replace_body($body))
            .interceptor(capture.clone())
            .send()
            .await
            .map(|_| capture.take_json())
            .map_err($crate::aws::AwsError::from)
    }};
}
pub(crate) use send_json;

/// Keeps the response body once the SDK has read it.
#[derive(Debug, Clone, Default)]
pub struct CaptureBody(Arc<Mutex<Option<Vec<u8>>>>);

impl CaptureBody {
    pub fn take(&self) -> Option<Vec<u8>> {
        self.0.lock().ok()?.take()
    }

    /// The response as JSON; Null when there was none.
    pub fn take_json(&self) -> serde_json::Value {
        self.take()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or(serde_json::Value::Null)
    }
}

impl Intercept for CaptureBody {
    fn name(&self) -> &'static str {
        "CaptureBody"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let (Some(bytes), Ok(mut slot)) = (context.response().body().bytes(), self.0.lock()) {
            *slot = Some(bytes.to_vec());
        }
        Ok(())
    }
}
