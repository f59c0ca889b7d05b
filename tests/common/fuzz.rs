//! Generated requests for the fuzz tests (issue 7): form bodies built from
//! the app's own rendered forms with their names and values mutated, query
//! strings and path segments, and imports shaped to hurt (long `dependsOn`
//! chains, deep nesting, many elements, a real definition with one value
//! replaced, text that is not JSON).

use proptest::prelude::*;
use proptest::sample::select;
use scraper::{Html, Selector};
use serde_json::{Value, json};

/// One form as the app rendered it: where it posts, the fields a browser
/// would send, and the values of its buttons named `action`.
#[derive(Debug, Clone)]
pub struct RenderedForm {
    pub action: String,
    pub fields: Vec<(String, String)>,
    pub buttons: Vec<String>,
}

/// Every `<form method=post>` on a page, except the language switch's.
pub fn forms_of(html: &str, page_path: &str) -> Vec<RenderedForm> {
    let document = Html::parse_document(html);
    let selector = |css| Selector::parse(css).expect("selector");
    let (form_sel, inputs, buttons) = (
        selector("form[method=post]"),
        selector("input[name], select[name], textarea[name]"),
        selector("button[name=action]"),
    );
    let option = selector("option");
    document
        .select(&form_sel)
        .map(|form| {
            let action = form
                .value()
                .attr("action")
                .map_or(page_path.to_string(), str::to_string);
            let fields = form
                .select(&inputs)
                .map(|field| {
                    let element = field.value();
                    let name = element.attr("name").unwrap_or_default().to_string();
                    let value = match element.name() {
                        "textarea" => field.text().collect(),
                        "select" => field
                            .select(&option)
                            .next()
                            .and_then(|o| o.value().attr("value"))
                            .unwrap_or_default()
                            .to_string(),
                        _ => element.attr("value").unwrap_or_default().to_string(),
                    };
                    (name, value)
                })
                .collect();
            let buttons = form
                .select(&buttons)
                .filter_map(|b| b.value().attr("value").map(str::to_string))
                .collect();
            RenderedForm {
                action,
                fields,
                buttons,
            }
        })
        .filter(|form| form.action != "/lang")
        .collect()
}

/// A request the fuzz sends.
#[derive(Clone)]
pub enum Fuzzed {
    Get(String),
    Post {
        path: String,
        body: Vec<(String, String)>,
        /// As htmx sends it (`HX-Request: true`).
        htmx: bool,
    },
}

/// Short, so a failure's report stays readable: the path, and the body's
/// field count, size and first fields.
impl std::fmt::Debug for Fuzzed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cut = |s: &str| s.chars().take(200).collect::<String>();
        match self {
            Fuzzed::Get(path) => write!(f, "GET {}", cut(path)),
            Fuzzed::Post { path, body, htmx } => {
                let bytes: usize = body.iter().map(|(n, v)| n.len() + v.len()).sum();
                let first: Vec<(String, String)> = body
                    .iter()
                    .take(12)
                    .map(|(n, v)| (cut(n), cut(v)))
                    .collect();
                write!(
                    f,
                    "POST {path} htmx={htmx} ({} fields, {bytes} bytes) {first:?}",
                    body.len()
                )
            }
        }
    }
}

/// Row numbers as an attacker writes them: in range, past every limit,
/// past `usize`, negative, or not a number.
fn index() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (0u32..12).prop_map(|n| n.to_string()),
        1 => Just("4294967296".to_string()),
        1 => Just("18446744073709551616".to_string()),
        1 => Just("99999999999999999999999999".to_string()),
        1 => Just("-1".to_string()),
        1 => Just(String::new()),
        1 => Just("01".to_string()),
        1 => Just("1e3".to_string()),
    ]
}

/// Values: what a person types, and what they never would.
pub fn value() -> impl Strategy<Value = String> {
    value_up_to(100_000)
}

/// Values at most `longest` characters long (a URL holds less than a body).
fn value_up_to(longest: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        4 => "\\PC{0,30}",
        2 => "[\\x00-\\x1f\\x7f\u{2028}\u{3000}\u{feff}\u{202e}a]{1,8}",
        2 => any::<i64>().prop_map(|n| n.to_string()),
        1 => select(vec![
            "18446744073709551616", "1e308", "-0", "NaN", "0x10", " 256 ", "０",
            "FARGATE", "awsvpc", "on", "true", "null", "[]", "{}", "${HOME}",
            "'; rm -rf / #", "<script>alert(1)</script>", "../../etc/passwd",
            "“quoted”", "arn:aws:iam::123456789012:role/x",
        ])
        .prop_map(str::to_string),
        1 => (1usize..longest).prop_map(|n| "x".repeat(n)),
    ]
}

/// A field name from the app's forms with its row numbers replaced, or a
/// name the app never rendered.
fn name(vocabulary: Vec<String>) -> impl Strategy<Value = String> {
    let known = select(vocabulary.clone());
    let renumbered =
        (select(vocabulary), index()).prop_map(|(name, index)| renumber(&name, &index));
    prop_oneof![
        4 => known,
        4 => renumbered,
        1 => "\\PC{0,20}",
        1 => "[a-zA-Z]{1,12}(\\[[0-9]{1,3}\\]|\\.[0-9]{1,3})(\\.[a-zA-Z]{1,12})?",
    ]
}

/// `name` with every row number replaced by `index`.
fn renumber(name: &str, index: &str) -> String {
    name.split('.')
        .map(|part| {
            if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                index
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Thousands of rows of one of the form's row fields: `prefix.N.field` for N
/// from 0 to `count`.
fn many_rows(vocabulary: Vec<String>) -> impl Strategy<Value = Vec<(String, String)>> {
    let rows: Vec<String> = vocabulary
        .into_iter()
        .filter(|n| n.split('.').any(|p| p.parse::<u32>().is_ok()))
        .collect();
    let rows = if rows.is_empty() {
        vec!["tags.0.key".to_string()]
    } else {
        rows
    };
    (select(rows), 1usize..6_000).prop_map(|(name, count)| {
        (0..count)
            .map(|n| (renumber(&name, &n.to_string()), format!("v{n}")))
            .collect()
    })
}

/// A body for `form`: its own fields, some dropped, some changed, some
/// duplicated, with extra names and sometimes thousands of rows; the
/// button pressed is one of its own or made up.
fn body(form: &RenderedForm) -> impl Strategy<Value = Vec<(String, String)>> + use<> {
    let vocabulary: Vec<String> = form
        .fields
        .iter()
        .map(|(n, _)| n.clone())
        .chain(std::iter::once("action".to_string()))
        .collect();
    let fields = form.fields.clone();
    let count = fields.len();
    // Most bodies stay close to what a browser sends, so they reach the
    // checks behind the decoding; some lose fields.
    let kept = proptest::collection::vec(proptest::bool::weighted(0.9), count..=count);
    let changed =
        proptest::collection::vec(proptest::option::weighted(0.2, value()), count..=count);
    let buttons: Vec<String> = form
        .buttons
        .iter()
        .cloned()
        .chain(["next".to_string(), "back".to_string()])
        .collect();
    let action = prop_oneof![
        4 => select(buttons),
        1 => (select(vec!["add:", "remove:"]), name(vocabulary.clone()), index())
            .prop_map(|(verb, list, row)| format!("{verb}{list}.{row}")),
        1 => value(),
    ];
    let extra = proptest::collection::vec((name(vocabulary.clone()), value()), 0..8);
    let rows = proptest::option::weighted(0.1, many_rows(vocabulary));
    (kept, changed, action, extra, rows).prop_map(move |(kept, changed, action, extra, rows)| {
        let mut body: Vec<(String, String)> = fields
            .iter()
            .zip(kept.iter().zip(changed))
            .filter(|(_, (keep, _))| **keep)
            .map(|((name, value), (_, changed))| (name.clone(), changed.unwrap_or(value.clone())))
            .collect();
        body.push(("action".to_string(), action));
        body.extend(extra);
        body.extend(rows.unwrap_or_default());
        body
    })
}

/// Imports built to hurt the parser, the limits and every check after them.
pub fn import(fixture: Value) -> impl Strategy<Value = String> {
    let pointers = pointers(&fixture);
    let replaced = (select(pointers), json_value()).prop_map(move |(pointer, value)| {
        let mut document = fixture.clone();
        if let Some(slot) = document.pointer_mut(&pointer) {
            *slot = value;
        }
        document.to_string()
    });
    prop_oneof![
        3 => replaced,
        1 => (1usize..30_000).prop_map(chain),
        1 => (1usize..60_000).prop_map(|depth| {
            format!(
                r#"{{"family":"deep","containerDefinitions":{}{}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            )
        }),
        1 => (1usize..30_000).prop_map(|count| {
            let environment: Vec<Value> = (0..count)
                .map(|n| json!({"name": format!("V{n}"), "value": "x"}))
                .collect();
            json!({"family": "many", "containerDefinitions": [
                {"name": "web", "image": "nginx", "environment": environment}
            ]})
            .to_string()
        }),
        1 => "\\PC{0,200}",
        1 => select(vec!["", " ", "{", "{\"family\":\"a\",}", "“family”", "[]", "null", "1"])
            .prop_map(str::to_string),
    ]
}

/// `count` containers, each `dependsOn` the next: the import that once
/// overflowed the stack.
fn chain(count: usize) -> String {
    let containers: Vec<Value> = (0..count)
        .map(|n| {
            json!({
                "name": format!("c{n}"),
                "image": "nginx",
                "dependsOn": [{"containerName": format!("c{}", n + 1), "condition": "START"}],
            })
        })
        .collect();
    json!({"family": "chain", "containerDefinitions": containers}).to_string()
}

/// Small JSON values of every kind, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z]{1,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The JSON pointer of every value in `document`, walked with a stack.
fn pointers(document: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![(String::new(), document)];
    while let Some((pointer, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    stack.push((format!("{pointer}/{key}"), child));
                }
            }
            Value::Array(items) => {
                for (n, child) in items.iter().enumerate() {
                    stack.push((format!("{pointer}/{n}"), child));
                }
            }
            _ => {}
        }
        found.push(pointer);
    }
    found
}

/// A path segment: one the app knows, or anything, percent-encoded.
fn segment(known: Vec<String>) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(known),
        1 => "[0-9a-f]{32}",
        1 => "\\PC{0,40}".prop_map(|s| form_urlencoded::byte_serialize(s.as_bytes()).collect()),
        1 => (1usize..5_000).prop_map(|n| "a".repeat(n)),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        3 => select(vec!["name", "tag", "type", "v", "check", "cpu", "kind", "back", "lang"])
            .prop_map(str::to_string),
        1 => "\\PC{0,10}",
    ];
    proptest::collection::vec((key, value_up_to(4_000)), 0..5)
        .prop_map(|pairs| serde_urlencoded::to_string(pairs).unwrap_or_default())
}

/// What the fuzz needs to know of the app it is fuzzing.
pub struct Known {
    /// GET routes as the router declares them: each `{parameter}` stands
    /// for a path segment.
    pub routes: Vec<String>,
    /// Segments that name something that exists (draft ids, role names).
    pub segments: Vec<String>,
    pub forms: Vec<RenderedForm>,
    pub import_fixture: Value,
}

/// `route` with its `{parameter}`s replaced by `values`, in order (the
/// last value again when there are more parameters than values).
fn fill_parameters(route: &str, values: &[String]) -> String {
    let mut given = values.iter();
    let mut last = String::new();
    route
        .split('/')
        .map(|part| {
            if part.starts_with('{') {
                if let Some(value) = given.next() {
                    last = value.clone();
                }
                last.clone()
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Any request: a GET of a route with generated segments and query, a POST
/// of one of the app's forms, mutated, or an import.
pub fn request(known: &Known) -> impl Strategy<Value = Fuzzed> + use<> {
    let segments: Vec<String> = known.segments.clone();
    let get = (
        select(known.routes.clone()),
        proptest::collection::vec(segment(segments), 4),
        query(),
    )
        .prop_map(|(route, values, query)| {
            let path = fill_parameters(&route, &values);
            Fuzzed::Get(if query.is_empty() {
                path
            } else {
                format!("{path}?{query}")
            })
        });
    let posts: Vec<BoxedStrategy<Fuzzed>> = known
        .forms
        .iter()
        .map(|form| {
            let action = form.action.clone();
            // The version a form was built from (`?v=`) is soon stale once
            // the fuzz saves: most posts leave it out so they reach the
            // checks behind the version check.
            let (path, _) = action.split_once("?v=").unwrap_or((&action, ""));
            let unversioned = path.to_string();
            (
                body(form),
                proptest::bool::weighted(0.3),
                proptest::bool::weighted(0.2),
            )
                .prop_map(move |(body, htmx, versioned)| Fuzzed::Post {
                    path: if versioned {
                        action.clone()
                    } else {
                        unversioned.clone()
                    },
                    body,
                    htmx,
                })
                .boxed()
        })
        .collect();
    let post = proptest::strategy::Union::new(posts);
    let import =
        (import(known.import_fixture.clone()), proptest::bool::ANY).prop_map(|(json, htmx)| {
            Fuzzed::Post {
                path: "/task-definitions/import".into(),
                body: vec![("json".into(), json)],
                htmx,
            }
        });
    prop_oneof![2 => get, 5 => post, 2 => import]
}
