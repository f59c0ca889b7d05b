//! An HTTP proxy in front of the emulator that knows each request's AWS
//! action (`X-Amz-Target` for JSON services, `Action=` for query ones):
//! it counts calls, adds latency, and answers chosen calls with AWS's own
//! error shapes (a refusal, throttling, a 5xx) or lets a call reach the
//! emulator and never returns its answer (what a crash mid-call leaves).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this status, AWS error code and message.
    Error {
        status: u16,
        code: String,
        message: String,
    },
    /// Forward it, then never answer.
    LoseAnswer,
    /// Forward it, then answer only after this long (past the app's
    /// timeout: AWS did it, the app never heard).
    Late(Duration),
    /// Answer this JSON body (status 200) instead of the emulator: what
    /// AWS would say where the emulator cannot (a certificate still
    /// pending validation, or failed).
    Answer(String),
}

impl Fault {
    pub fn refuse(code: &str, message: &str) -> Self {
        Fault::Error {
            status: 400,
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn throttle() -> Self {
        Fault::Error {
            status: 400,
            code: "Throttling".into(),
            message: "Rate exceeded".into(),
        }
    }

    pub fn unavailable() -> Self {
        Fault::Error {
            status: 503,
            code: "ServiceUnavailable".into(),
            message: "Service is unavailable, please try again".into(),
        }
    }
}

#[derive(Default)]
struct Shared {
    /// action → (text the body must hold, how many more times, fault)
    faults: HashMap<String, (String, usize, Fault)>,
    /// action → answers given in turn, before its faults and the emulator.
    answers: HashMap<String, std::collections::VecDeque<String>>,
    /// Every action seen, in order (faulted ones included), with its body.
    calls: Vec<(String, String)>,
    /// How long each forwarded call took, latency included, in arrival order.
    timings: Vec<(String, Duration)>,
    /// When each forwarded call began and ended, in the order they ended.
    spans: Vec<Span>,
    latency: Duration,
}

/// One forwarded call: its action, when it came and when it was answered.
#[derive(Clone, Debug)]
pub struct Span {
    pub action: String,
    pub start: std::time::Instant,
    pub end: std::time::Instant,
}

/// The longest run of calls each begun after the one before it ended (the
/// calls a page could not make at once), and its time: what the page
/// cannot be faster than, however it overlaps the rest.
pub fn longest_chain(spans: &[Span]) -> (usize, Duration) {
    let mut sorted: Vec<&Span> = spans.iter().collect();
    sorted.sort_by_key(|s| s.start);
    // best[i]: the longest chain ending with call i, by time.
    let mut best: Vec<(usize, Duration)> = Vec::with_capacity(sorted.len());
    for (i, span) in sorted.iter().enumerate() {
        let own = span.end - span.start;
        let before = (0..i)
            .filter(|&j| sorted[j].end <= span.start)
            .map(|j| best[j])
            .max_by_key(|(_, time)| *time)
            .unwrap_or((0, Duration::ZERO));
        best.push((before.0 + 1, before.1 + own));
    }
    best.into_iter()
        .max_by_key(|(_, time)| *time)
        .unwrap_or((0, Duration::ZERO))
}

#[derive(Clone)]
struct ProxyState {
    upstream: String,
    http: reqwest::Client,
    shared: Arc<Mutex<Shared>>,
}

pub struct FaultProxy {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
}

impl FaultProxy {
    /// The next `times` calls of `action` get `fault`.
    pub fn fail(&self, action: &str, times: usize, fault: Fault) {
        self.fail_when(action, "", times, fault);
    }

    /// The same, for calls of `action` whose body holds `marker` (one of
    /// two security groups, say).
    pub fn fail_when(&self, action: &str, marker: &str, times: usize, fault: Fault) {
        self.shared
            .lock()
            .expect("lock")
            .faults
            .insert(action.to_string(), (marker.to_string(), times, fault));
    }

    /// The next calls of `action` are answered with `bodies`, one each,
    /// in turn; later ones reach the emulator again.
    pub fn answer_in_turn(&self, action: &str, bodies: Vec<serde_json::Value>) {
        self.shared.lock().expect("lock").answers.insert(
            action.to_string(),
            bodies.iter().map(|b| b.to_string()).collect(),
        );
    }

    pub fn clear(&self) {
        let mut shared = self.shared.lock().expect("lock");
        shared.faults.clear();
        shared.answers.clear();
    }

    /// Every call forwarded or answered so far, by action.
    pub fn calls(&self) -> Vec<String> {
        let shared = self.shared.lock().expect("lock");
        shared
            .calls
            .iter()
            .map(|(action, _)| action.clone())
            .collect()
    }

    /// The bodies of the calls of `action`, in order.
    pub fn bodies(&self, action: &str) -> Vec<String> {
        let shared = self.shared.lock().expect("lock");
        shared
            .calls
            .iter()
            .filter(|(a, _)| a == action)
            .map(|(_, body)| body.clone())
            .collect()
    }

    pub fn count(&self, action: &str) -> usize {
        self.calls().iter().filter(|a| *a == action).count()
    }

    /// Each forwarded call's time, latency included, in the order they ended.
    pub fn timings(&self) -> Vec<(String, Duration)> {
        self.shared.lock().expect("lock").timings.clone()
    }

    /// Each forwarded call's start and end, in the order they ended.
    pub fn spans(&self) -> Vec<Span> {
        self.shared.lock().expect("lock").spans.clone()
    }

    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().expect("lock").latency = latency;
    }
}

/// Runs on the caller's runtime: a test that blocks its thread (starting
/// the app) needs a multi-threaded one, or the proxy cannot answer.
pub async fn fault_proxy(upstream: &str) -> FaultProxy {
    let shared = Arc::new(Mutex::new(Shared::default()));
    let state = ProxyState {
        upstream: upstream.trim_end_matches('/').to_string(),
        http: reqwest::Client::new(),
        shared: shared.clone(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new().fallback(forward).with_state(state);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    FaultProxy { url, shared }
}

/// `CreateService` from `AmazonEC2ContainerServiceV20141113.CreateService`,
/// or `CreateTargetGroup` from a query body.
fn action_of(headers: &HeaderMap, body: &[u8]) -> String {
    if let Some(target) = headers.get("x-amz-target").and_then(|t| t.to_str().ok()) {
        return target.rsplit('.').next().unwrap_or_default().to_string();
    }
    String::from_utf8_lossy(body)
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .unwrap_or_default()
        .to_string()
}

/// AWS's error body for the request's protocol: JSON for ECS, CBOR for
/// CloudWatch, EC2's own XML for EC2 (API version 2016-11-15), the query
/// protocol's for ELB.
fn error_response(
    headers: &HeaderMap,
    body: &[u8],
    status: u16,
    code: &str,
    message: &str,
) -> Response {
    let status = StatusCode::from_u16(status).expect("status");
    if headers.get("x-amz-target").is_some() {
        let body = serde_json::json!({"__type": code, "message": message}).to_string();
        return (
            status,
            [("content-type", "application/x-amz-json-1.1")],
            body,
        )
            .into_response();
    }
    if headers.get("smithy-protocol").is_some() {
        let mut cbor = Vec::new();
        let error = std::collections::BTreeMap::from([("__type", code), ("message", message)]);
        ciborium::into_writer(&error, &mut cbor).expect("CBOR");
        return (
            status,
            [
                ("content-type", "application/cbor"),
                ("smithy-protocol", "rpc-v2-cbor"),
            ],
            cbor,
        )
            .into_response();
    }
    let xml = if String::from_utf8_lossy(body).contains("Version=2016-11-15") {
        format!(
            "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>fault</RequestID></Response>"
        )
    } else {
        format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
        )
    };
    (status, [("content-type", "text/xml")], xml).into_response()
}

async fn forward(
    State(state): State<ProxyState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // CloudWatch's CBOR calls name their operation in the path.
    let cbor = uri
        .path()
        .split_once("/operation/")
        .map(|(_, operation)| operation.to_string());
    let action = match super::api_model::rest_action(&method, &uri) {
        Some(rest) => rest.map_or("", |(operation, _)| operation).to_string(),
        None => cbor.unwrap_or_else(|| action_of(&headers, &body)),
    };
    let started = std::time::Instant::now();
    let (fault, latency) = {
        let mut shared = state.shared.lock().expect("lock");
        shared
            .calls
            .push((action.clone(), String::from_utf8_lossy(&body).into_owned()));
        let latency = shared.latency;
        let text = String::from_utf8_lossy(&body);
        let queued = shared
            .answers
            .get_mut(&action)
            .and_then(|queue| queue.pop_front());
        let fault = match shared.faults.get_mut(&action) {
            Some((marker, left, fault)) if *left > 0 && text.contains(marker.as_str()) => {
                *left -= 1;
                Some(fault.clone())
            }
            _ => None,
        };
        (queued.map(Fault::Answer).or(fault), latency)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(Fault::Error {
        status,
        code,
        message,
    }) = &fault
    {
        return error_response(&headers, &body, *status, code, message);
    }
    if let Some(Fault::Answer(answer)) = fault {
        return (
            StatusCode::OK,
            [("content-type", "application/x-amz-json-1.1")],
            answer,
        )
            .into_response();
    }
    let answer =
        match send_upstream(&state.http, &state.upstream, method, &uri, &headers, body).await {
            Ok(answer) => answer,
            Err(error) => return (StatusCode::BAD_GATEWAY, error.to_string()).into_response(),
        };
    match fault {
        // It happened upstream; the caller never learns.
        Some(Fault::LoseAnswer) => std::future::pending::<()>().await,
        Some(Fault::Late(after)) => tokio::time::sleep(after).await,
        _ => {}
    }
    let response = relayed(answer).await;
    let mut shared = state.shared.lock().expect("lock");
    shared.timings.push((action.clone(), started.elapsed()));
    shared.spans.push(Span {
        action,
        start: started,
        end: std::time::Instant::now(),
    });
    drop(shared);
    response
}

/// The request as it came, sent on to `upstream`.
pub async fn send_upstream(
    http: &reqwest::Client,
    upstream: &str,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<reqwest::Response, reqwest::Error> {
    let mut request = http.request(method, format!("{upstream}{uri}")).body(body);
    for (name, value) in headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    request.send().await
}

/// The upstream's answer, as the proxy's.
pub async fn relayed(answer: reqwest::Response) -> Response {
    let mut response = Response::builder().status(answer.status().as_u16());
    for (name, value) in answer.headers() {
        if name != "content-length" && name != "transfer-encoding" && name != "connection" {
            response = response.header(name.as_str(), value.as_bytes());
        }
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    response.body(Body::from(bytes)).expect("response")
}
