//! Every call that changes something, written to the audit log as it leaves
//! and as it is answered. An SDK interceptor on every client does it (like
//! `Invalidate`), so no create, update or delete path can forget it.
//!
//! Which log entry a call belongs to travels with the work in a task-local
//! [`AuditScope`]: the web layer opens an entry around a request, and
//! [`spawn`] carries it into the runs a request starts.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

use super::read_cache::is_read;
use crate::model::audit::{CallAnswered, CallEvent, CallSent, masked_body, resource_of};

/// Where a call's record goes (the store's audit writer).
pub type Sink = Arc<dyn Fn(CallEvent) + Send + Sync>;

/// The log entry the calls made by this work belong to.
#[derive(Clone)]
pub struct AuditScope {
    pub entry_id: i64,
    pub sink: Sink,
}

tokio::task_local! {
    static SCOPE: AuditScope;
}

/// The scope the current task runs in, if any.
pub fn current() -> Option<AuditScope> {
    SCOPE.try_with(Clone::clone).ok()
}

/// Runs `work` with its calls recorded under `scope`.
pub async fn within<F: Future>(scope: Option<AuditScope>, work: F) -> F::Output {
    match scope {
        Some(scope) => SCOPE.scope(scope, work).await,
        None => work.await,
    }
}

/// `tokio::spawn`, keeping the audit scope: a run a request starts goes on
/// after the response, and its calls still belong to that request's entry.
pub fn spawn<F>(work: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(within(current(), work))
}

#[derive(Debug, Clone, Copy)]
struct CallKey(u64);

impl Storable for CallKey {
    type Storer = StoreReplace<Self>;
}

static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

#[derive(Debug)]
pub struct RecordCalls;

impl Intercept for RecordCalls {
    fn name(&self) -> &'static str {
        "RecordCallsInAuditLog"
    }

    // Right before the first attempt leaves, after every change to the
    // request (the app swaps some bodies for the review's in
    // modify_before_signing): what is written is what is sent. A retry
    // finds its key already kept and is the same call.
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(scope) = current() else {
            return Ok(());
        };
        if config.load::<CallKey>().is_some() {
            return Ok(());
        }
        let Some(metadata) = config.load::<Metadata>() else {
            return Ok(());
        };
        if is_read(metadata.name()) {
            return Ok(());
        }
        let request = context.request();
        let body = request.body().bytes().unwrap_or_default();
        // A JSON call's target names what it is, even sent on another
        // operation's pipeline (ContinueServiceDeployment, which the SDK
        // here lacks).
        let operation = request
            .headers()
            .get("x-amz-target")
            .and_then(|target| target.rsplit('.').next())
            .unwrap_or(metadata.name());
        let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        let sent = CallSent {
            entry_id: scope.entry_id,
            call_key: key,
            service: metadata.service().to_string(),
            operation: operation.to_string(),
            resource: resource_of(body),
            request: masked_body(body),
        };
        config.interceptor_state().store_put(CallKey(key));
        (scope.sink)(CallEvent::Sent(sent));
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (Some(scope), Some(CallKey(key))) = (current(), config.load::<CallKey>().copied())
        else {
            return Ok(());
        };
        let failed = match context.output_or_error() {
            Some(Ok(_)) => None,
            Some(Err(error)) => Some(error.to_string()),
            None => Some("no answer".to_string()),
        };
        let answered = match (context.response(), failed) {
            (Some(response), failed) => {
                let body = response.body().bytes().unwrap_or_default();
                let outcome = match failed {
                    None => "ok".to_string(),
                    Some(words) => error_code(body).unwrap_or(words),
                };
                CallAnswered {
                    call_key: key,
                    outcome,
                    http_status: response.status().as_u16(),
                    answer: masked_body(body),
                }
            }
            (None, failed) => CallAnswered {
                call_key: key,
                outcome: "no answer".to_string(),
                http_status: 0,
                answer: failed.unwrap_or_default(),
            },
        };
        (scope.sink)(CallEvent::Answered(answered));
        Ok(())
    }
}

/// AWS's error code in an error body: `__type` in JSON (after any `#`),
/// `<Code>` in XML.
fn error_code(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text) {
        let kind = map.get("__type").and_then(|t| t.as_str())?;
        return Some(kind.rsplit('#').next().unwrap_or(kind).to_string());
    }
    let start = text.find("<Code>")? + "<Code>".len();
    let end = text[start..].find("</Code>")? + start;
    Some(text[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn error_codes_are_read_from_json_and_xml() {
        assert_eq!(
            error_code(br#"{"__type":"com.amazonaws.ecs#ClusterNotFoundException","message":"x"}"#)
                .as_deref(),
            Some("ClusterNotFoundException")
        );
        assert_eq!(
            error_code(
                b"<ErrorResponse><Error><Code>EntityAlreadyExists</Code></Error></ErrorResponse>"
            )
            .as_deref(),
            Some("EntityAlreadyExists")
        );
        assert_eq!(error_code(b"{}"), None);
        assert_eq!(error_code(b"plain"), None);
    }

    #[tokio::test]
    async fn a_spawned_task_keeps_the_scope_and_others_have_none() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink: Sink = {
            let seen = seen.clone();
            Arc::new(move |event| seen.lock().unwrap().push(event))
        };
        let scope = AuditScope { entry_id: 7, sink };
        let inner = within(Some(scope), async {
            spawn(async { current().map(|s| s.entry_id) })
                .await
                .unwrap()
        })
        .await;
        assert_eq!(inner, Some(7));
        assert!(current().is_none());
        let outside = spawn(async { current().is_none() }).await.unwrap();
        assert!(outside);
    }
}
