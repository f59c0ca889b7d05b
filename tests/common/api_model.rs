//! Every request the tests send to the emulator is held against AWS's
//! published API models (botocore's `service-2.json`, installed with moto in
//! `.venv`): required members, unknown members, enums, lengths, ranges and
//! patterns. moto accepts much that AWS refuses; this does not. A proxy in
//! front of each moto forwards every request unchanged and records what the
//! model refuses; the test that started the emulator fails on the first.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use serde_json::{Map, Value};

/// One service's model: its protocol and shapes.
struct Model {
    service: &'static str,
    /// `json`, `query` or `ec2`.
    protocol: String,
    operations: Map<String, Value>,
    shapes: Map<String, Value>,
}

/// The services the app calls, by their botocore folder.
const SERVICES: [&str; 11] = [
    "ecs",
    "ecr",
    "logs",
    "iam",
    "ec2",
    "elbv2",
    "sts",
    "acm",
    "application-autoscaling",
    "route53",
    "cloudwatch",
];

fn models() -> &'static Vec<Model> {
    static MODELS: OnceLock<Vec<Model>> = OnceLock::new();
    MODELS.get_or_init(|| SERVICES.iter().map(|s| load(s)).collect())
}

fn botocore_data() -> PathBuf {
    let lib = super::repo().join(".venv/lib");
    let python = std::fs::read_dir(&lib)
        .ok()
        .and_then(|mut dirs| dirs.find_map(|d| d.ok().map(|d| d.path())))
        .unwrap_or_else(|| {
            panic!(
                "no Python in {}: install moto (and botocore with it) with: python3 -m venv .venv && .venv/bin/pip install 'moto[server]' (.ci/test does this)",
                lib.display()
            )
        });
    python.join("site-packages/botocore/data")
}

fn load(service: &'static str) -> Model {
    let folder = botocore_data().join(service);
    let mut versions: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}; reinstall moto into .venv", folder.display()))
        .filter_map(|d| d.ok().map(|d| d.path()))
        .filter(|p| p.join("service-2.json.gz").exists())
        .collect();
    versions.sort();
    let path = versions
        .last()
        .unwrap_or_else(|| panic!("no service-2.json.gz under {}", folder.display()))
        .join("service-2.json.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("model"))
        .read_to_string(&mut text)
        .expect("gzip");
    let mut model: Value = serde_json::from_str(&text).expect("model JSON");
    let take = |model: &mut Value, key: &str| match model[key].take() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Model {
        service,
        protocol: model["metadata"]["protocol"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        operations: take(&mut model, "operations"),
        shapes: take(&mut model, "shapes"),
    }
}

/// The model and the request's parameters as a tree: a JSON body as it is;
/// a query body's `A.member.1.B=v` pairs as nested objects (lists as
/// objects keyed by their numbers).
fn request_of<'m>(headers: &HeaderMap, body: &[u8]) -> Option<(&'m Model, String, Value)> {
    if let Some(target) = headers.get("x-amz-target").and_then(|t| t.to_str().ok()) {
        let (prefix, operation) = target.split_once('.')?;
        let service = match prefix {
            "AmazonEC2ContainerServiceV20141113" => "ecs",
            "AmazonEC2ContainerRegistry_V20150921" => "ecr",
            "Logs_20140328" => "logs",
            "CertificateManager" => "acm",
            "AnyScaleFrontendService" => "application-autoscaling",
            _ => return None,
        };
        let model = models().iter().find(|m| m.service == service)?;
        let input = if body.is_empty() {
            Value::Object(Map::new())
        } else {
            serde_json::from_slice(body).ok()?
        };
        return Some((model, operation.to_string(), input));
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let (action, version) = (field("Action")?, field("Version")?);
    let service = match version.as_str() {
        "2010-05-08" => "iam",
        "2016-11-15" => "ec2",
        "2015-12-01" => "elbv2",
        "2011-06-15" => "sts",
        _ => return None,
    };
    let model = models().iter().find(|m| m.service == service)?;
    let mut tree = Value::Object(Map::new());
    for (key, value) in pairs {
        if key == "Action" || key == "Version" {
            continue;
        }
        let mut node = &mut tree;
        let parts: Vec<&str> = key.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let map = match node {
                Value::Object(map) => map,
                other => {
                    *other = Value::Object(Map::new());
                    other.as_object_mut().expect("object")
                }
            };
            node = map.entry(part.to_string()).or_insert_with(|| {
                if last {
                    Value::String(String::new())
                } else {
                    Value::Object(Map::new())
                }
            });
            if last {
                *node = Value::String(value.clone());
            }
        }
    }
    Some((model, action, tree))
}

/// CloudWatch's RPC v2 CBOR requests (`/service/<name>/operation/<op>`),
/// the body read as the JSON tree it encodes.
fn cbor_request_of<'m>(uri: &Uri, body: &[u8]) -> Option<(&'m Model, String, Value)> {
    let rest = uri.path().strip_prefix("/service/")?;
    let (service, operation) = rest.split_once("/operation/")?;
    let model = match service {
        "GraniteServiceVersion20100801" => models().iter().find(|m| m.service == "cloudwatch")?,
        _ => return None,
    };
    let input = if body.is_empty() {
        Value::Object(Map::new())
    } else {
        match ciborium::from_reader::<ciborium::Value, _>(body) {
            Ok(value) => cbor_json(value),
            Err(e) => Value::String(format!("unreadable CBOR: {e}")),
        }
    };
    Some((model, operation.to_string(), input))
}

pub fn cbor_json(value: ciborium::Value) -> Value {
    use ciborium::Value as C;
    match value {
        C::Integer(n) => Value::from(i128::from(n) as i64),
        C::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        C::Text(s) => Value::String(s),
        C::Bool(b) => Value::Bool(b),
        C::Array(items) => Value::Array(items.into_iter().map(cbor_json).collect()),
        C::Map(pairs) => Value::Object(
            pairs
                .into_iter()
                .filter_map(|(k, v)| Some((k.into_text().ok()?, cbor_json(v))))
                .collect(),
        ),
        C::Tag(_, inner) => cbor_json(*inner),
        _ => Value::Null,
    }
}

/// Route 53's REST-XML requests: the operation from the method and path,
/// the input from the path's zone id, the query string and the XML body,
/// each element a member by its wire name (a list's items under its
/// member's name).
fn rest_request_of<'m>(
    method: &Method,
    uri: &Uri,
    body: &[u8],
) -> Option<(&'m Model, String, Value)> {
    let model = models().iter().find(|m| m.service == "route53")?;
    let (operation, zone) = match rest_action(method, uri)? {
        Some(found) => found,
        None => return Some((model, format!("{method} {}", uri.path()), Value::Null)),
    };
    let mut input = if body.is_empty() {
        Map::new()
    } else {
        let text = std::str::from_utf8(body).ok()?;
        let document = roxmltree::Document::parse(text).ok()?;
        match xml_value(document.root_element()) {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    };
    if let Some(zone) = zone {
        input.insert("Id".into(), Value::String(zone.to_string()));
    }
    for (key, value) in form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        input.insert(key.into_owned(), Value::String(value.into_owned()));
    }
    Some((model, operation.to_string(), Value::Object(input)))
}

/// A Route 53 request's operation and the zone id its path names: None
/// when it is not Route 53's; Some(None) for a Route 53 path not known here.
pub fn rest_action<'u>(
    method: &Method,
    uri: &'u Uri,
) -> Option<Option<(&'static str, Option<&'u str>)>> {
    let path = uri.path().strip_prefix("/2013-04-01/")?;
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    Some(match (method.as_str(), parts.as_slice()) {
        ("GET", ["hostedzone"]) => Some(("ListHostedZones", None)),
        ("POST", ["hostedzone"]) => Some(("CreateHostedZone", None)),
        ("GET", ["hostedzone", id, "rrset"]) => Some(("ListResourceRecordSets", Some(*id))),
        ("POST", ["hostedzone", id, "rrset"]) => Some(("ChangeResourceRecordSets", Some(*id))),
        _ => None,
    })
}

/// An element as a tree: its text, or its children by name (repeated
/// names as arrays).
fn xml_value(node: roxmltree::Node) -> Value {
    let children: Vec<roxmltree::Node> = node.children().filter(|c| c.is_element()).collect();
    if children.is_empty() {
        return Value::String(node.text().unwrap_or_default().to_string());
    }
    let mut map = Map::new();
    for child in children {
        let name = child.tag_name().name().to_string();
        let value = xml_value(child);
        match map.get_mut(&name) {
            Some(Value::Array(items)) => items.push(value),
            Some(first) => *first = Value::Array(vec![first.take(), value]),
            None => {
                map.insert(name, value);
            }
        }
    }
    Value::Object(map)
}

/// What the model refuses in one request of any protocol.
pub fn check_request(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Vec<String> {
    if let Some((model, operation, input)) = cbor_request_of(uri, body) {
        return check_against(model, &operation, &input);
    }
    match rest_request_of(method, uri, body) {
        Some((model, operation, input)) => check_against(model, &operation, &input),
        None => check(headers, body),
    }
}

/// What the model refuses in one request; empty when it would be accepted.
pub fn check(headers: &HeaderMap, body: &[u8]) -> Vec<String> {
    let Some((model, operation, input)) = request_of(headers, body) else {
        return Vec::new();
    };
    check_against(model, &operation, &input)
}

/// What the model refuses in an answer: a recorded fixture held to the
/// operation's output shape, so it cannot drift from AWS's models.
pub fn check_answer(service: &str, operation: &str, answer: &Value) -> Vec<String> {
    let Some(model) = models().iter().find(|m| m.service == service) else {
        return vec![format!("{service} is not a model here")];
    };
    let Some(op) = model.operations.get(operation) else {
        return vec![format!(
            "{service}:{operation} is not an operation of the model"
        )];
    };
    let mut found = Vec::new();
    if let Some(shape) = op["output"]["shape"].as_str() {
        let mut checker = Checker {
            model,
            found: &mut found,
        };
        checker.walk(shape, answer, &format!("{service}:{operation} answer"));
    }
    found
}

fn check_against(model: &Model, operation: &str, input: &Value) -> Vec<String> {
    let Some(op) = model.operations.get(operation) else {
        return vec![format!(
            "{}:{operation} is not an operation of the model",
            model.service
        )];
    };
    let mut found = Vec::new();
    if let Some(shape) = op["input"]["shape"].as_str() {
        let mut checker = Checker {
            model,
            found: &mut found,
        };
        checker.walk(shape, input, &format!("{}:{operation}", model.service));
    }
    found
}

struct Checker<'a> {
    model: &'a Model,
    found: &'a mut Vec<String>,
}

impl Checker<'_> {
    fn query(&self) -> bool {
        !matches!(self.model.protocol.as_str(), "json" | "smithy-rpc-v2-cbor")
    }

    fn walk(&mut self, shape_name: &str, value: &Value, path: &str) {
        let Some(shape) = self.model.shapes.get(shape_name).cloned() else {
            return;
        };
        match shape["type"].as_str().unwrap_or_default() {
            "structure" => self.structure(&shape, value, path),
            "list" => self.list(&shape, value, path),
            "map" => self.map(&shape, value, path),
            "string" => self.string(&shape, value, path),
            "integer" | "long" => self.number(&shape, value, path),
            "boolean" => {
                let ok = match value {
                    Value::Bool(_) => true,
                    Value::String(s) => self.query() && (s == "true" || s == "false"),
                    _ => false,
                };
                if !ok {
                    self.found.push(format!("{path}: {value} is not a boolean"));
                }
            }
            _ => {}
        }
    }

    /// The name a member goes by on the wire.
    fn wire_name(&self, name: &str, member: &Value) -> String {
        let capital = |s: &str| {
            let mut chars = s.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                .unwrap_or_default()
        };
        match self.model.protocol.as_str() {
            "ec2" => member["queryName"]
                .as_str()
                .map(str::to_string)
                .or_else(|| member["locationName"].as_str().map(capital))
                .unwrap_or_else(|| capital(name)),
            "query" | "rest-xml" => member["locationName"].as_str().unwrap_or(name).to_string(),
            _ => name.to_string(),
        }
    }

    fn structure(&mut self, shape: &Value, value: &Value, path: &str) {
        let empty = Map::new();
        let given = match value {
            Value::Object(map) => map,
            // A query body's empty structure.
            Value::String(s) if self.query() && s.is_empty() => &empty,
            other => {
                self.found
                    .push(format!("{path}: {other} is not a structure"));
                return;
            }
        };
        let members = shape["members"].as_object().cloned().unwrap_or_default();
        let wire: HashMap<String, (String, Value)> = members
            .iter()
            .map(|(name, member)| (self.wire_name(name, member), (name.clone(), member.clone())))
            .collect();
        for required in shape["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            let key = members
                .get(name)
                .map(|m| self.wire_name(name, m))
                .unwrap_or_else(|| name.to_string());
            let present = given.get(&key).is_some_and(|v| !v.is_null());
            if !present {
                self.found
                    .push(format!("{path}: required member {name} is missing"));
            }
        }
        for (key, item) in given {
            match wire.get(key) {
                None => self.found.push(format!("{path}: {key} is not a member")),
                Some(_) if item.is_null() && !self.query() => {}
                Some((name, member)) => {
                    let shape = member["shape"].as_str().unwrap_or_default().to_string();
                    self.walk(&shape, item, &format!("{path}.{name}"));
                }
            }
        }
    }

    fn list(&mut self, shape: &Value, value: &Value, path: &str) {
        let items: Vec<Value> = match value {
            Value::Array(items) => items.clone(),
            Value::String(s) if self.query() && s.is_empty() => Vec::new(),
            // `<Changes><Change>…</Change></Changes>`: the items under
            // their member's name, one or several.
            Value::Object(map) if self.model.protocol == "rest-xml" && map.len() == 1 => {
                match map.values().next() {
                    Some(Value::Array(items)) => items.clone(),
                    Some(item) => vec![item.clone()],
                    None => Vec::new(),
                }
            }
            Value::Object(map) if self.query() => {
                // `Name.member.N` (query) or `Name.N` (ec2, flattened).
                let map = match map.get("member") {
                    Some(Value::Object(inner)) => inner.clone(),
                    _ => map.clone(),
                };
                let mut numbered: Vec<(usize, Value)> = Vec::new();
                for (key, item) in map {
                    match key.parse::<usize>() {
                        Ok(n) => numbered.push((n, item)),
                        Err(_) => self.found.push(format!("{path}: {key} in a list")),
                    }
                }
                numbered.sort_by_key(|(n, _)| *n);
                numbered.into_iter().map(|(_, item)| item).collect()
            }
            other => {
                self.found.push(format!("{path}: {other} is not a list"));
                return;
            }
        };
        self.bounds(shape, items.len() as f64, path, "items");
        let member = shape["member"]["shape"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for (i, item) in items.iter().enumerate() {
            self.walk(&member, item, &format!("{path}[{i}]"));
        }
    }

    fn map(&mut self, shape: &Value, value: &Value, path: &str) {
        let Value::Object(map) = value else {
            if !(self.query() && value.as_str() == Some("")) {
                self.found.push(format!("{path}: {value} is not a map"));
            }
            return;
        };
        if self.query() {
            // `Name.entry.N.key` / `.value`: counted, not walked.
            return;
        }
        self.bounds(shape, map.len() as f64, path, "entries");
        let key_shape = shape["key"]["shape"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let value_shape = shape["value"]["shape"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for (key, item) in map {
            self.walk(
                &key_shape,
                &Value::String(key.clone()),
                &format!("{path} key"),
            );
            self.walk(&value_shape, item, &format!("{path}.{key}"));
        }
    }

    fn string(&mut self, shape: &Value, value: &Value, path: &str) {
        let Some(text) = value.as_str() else {
            self.found.push(format!("{path}: {value} is not a string"));
            return;
        };
        if let Some(allowed) = shape["enum"].as_array()
            && !allowed.iter().any(|a| a.as_str() == Some(text))
        {
            self.found
                .push(format!("{path}: {text:?} is not one of {allowed:?}"));
        }
        self.bounds(shape, text.chars().count() as f64, path, "characters");
        if let Some(pattern) = shape["pattern"].as_str()
            && let Some(regex) = compiled(pattern)
            && !regex.is_match(text)
        {
            self.found
                .push(format!("{path}: {text:?} does not match {pattern}"));
        }
    }

    fn number(&mut self, shape: &Value, value: &Value, path: &str) {
        let number = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if self.query() => s.parse::<f64>().ok(),
            _ => None,
        };
        match number {
            Some(n) => {
                for (bound, too) in [
                    ("min", n < shape["min"].as_f64().unwrap_or(f64::MIN)),
                    ("max", n > shape["max"].as_f64().unwrap_or(f64::MAX)),
                ] {
                    if too {
                        self.found.push(format!(
                            "{path}: {n} is beyond the {bound} {}",
                            shape[bound]
                        ));
                    }
                }
            }
            None => self.found.push(format!("{path}: {value} is not a number")),
        }
    }

    fn bounds(&mut self, shape: &Value, count: f64, path: &str, what: &str) {
        if let Some(min) = shape["min"].as_f64()
            && count < min
        {
            self.found.push(format!(
                "{path}: {count} {what}, the model's minimum is {min}"
            ));
        }
        if let Some(max) = shape["max"].as_f64()
            && count > max
        {
            self.found.push(format!(
                "{path}: {count} {what}, the model's maximum is {max}"
            ));
        }
    }
}

/// A model's pattern as a regex, kept; None for one Rust's regex cannot
/// read (look-arounds), which is then not checked.
fn compiled(pattern: &str) -> Option<regex::Regex> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<regex::Regex>>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().expect("lock");
    cache
        .entry(pattern.to_string())
        .or_insert_with(|| regex::Regex::new(pattern).ok())
        .clone()
}

/// A proxy in front of an emulator that checks each request as it passes.
pub struct ModelProxy {
    pub url: String,
    found: Arc<Mutex<Vec<String>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

#[derive(Clone)]
struct Forward {
    upstream: String,
    http: reqwest::Client,
    found: Arc<Mutex<Vec<String>>>,
}

impl ModelProxy {
    /// Starts on its own thread and runtime, so it serves whatever the test
    /// does with its own.
    pub fn start(upstream: &str) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let found = Arc::new(Mutex::new(Vec::new()));
        let state = Forward {
            upstream: upstream.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
            found: found.clone(),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let app = axum::Router::new().fallback(forward).with_state(state);
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        Self {
            url,
            found,
            stop: Some(stop),
        }
    }

    /// What the models refused so far.
    pub fn found(&self) -> Vec<String> {
        self.found.lock().expect("lock").clone()
    }

    /// What the models refused so far, no longer held against the test
    /// (for a test that sends a bad request on purpose).
    pub fn take_found(&self) -> Vec<String> {
        std::mem::take(&mut *self.found.lock().expect("lock"))
    }
}

impl Drop for ModelProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let found = self.found();
        if !found.is_empty() && !std::thread::panicking() {
            panic!(
                "AWS's API model refuses {} request(s) the test sent; the first: {}",
                found.len(),
                found[0]
            );
        }
    }
}

async fn forward(
    State(state): State<Forward>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let refused = check_request(&method, &uri, &headers, &body);
    if !refused.is_empty() {
        state.found.lock().expect("lock").extend(refused);
    }
    match super::faults::send_upstream(&state.http, &state.upstream, method, &uri, &headers, body)
        .await
    {
        Ok(answer) => super::faults::relayed(answer).await,
        Err(error) => Response::builder()
            .status(502)
            .body(Body::from(error.to_string()))
            .expect("response"),
    }
}
