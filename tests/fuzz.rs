//! Issue 7's fuzz test that stays: generated form bodies, query strings,
//! path segments and imports for every route, with a fixed seed and case
//! count so CI is repeatable (`FUZZ_SEED` and `FUZZ_CASES` explore further).
//! Each answer must be below 500 and come within a bound; the memory the
//! server held must stay bounded; and the server must answer a GET at the end.
//!
//! Two targets: the router in-process in preview mode (many cases, fast), and
//! the real binary over HTTP against moto (fewer cases; its AWS-backed pages,
//! creates and journal run for real).

use crate::common;

use std::cell::RefCell;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::header;
use common::fuzz::{Fuzzed, Known, RenderedForm, forms_of, request};
use common::in_process::{InProcess, answer, preview_app};
use common::{App, Client, Moto, fixture};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use tower::ServiceExt;

/// Far above any answer seen (the slowest is printed), so a busy CI machine
/// does not fail it; a quadratic check or a stall still does.
const ANSWER_BOUND: Duration = Duration::from_secs(5);
/// Resident memory the server may reach over the whole run.
const MEMORY_BOUND_KIB: u64 = 1024 * 1024;

fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn runner(cases: u32) -> TestRunner {
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(7);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 300,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Where the fuzz sends its requests.
enum Target {
    InProcess(InProcess),
    Http {
        app: App,
        client: Client,
        _moto: Moto,
    },
}

struct Reply {
    status: u16,
    location: String,
    body: String,
}

impl From<common::in_process::Answer> for Reply {
    fn from(answer: common::in_process::Answer) -> Self {
        Self {
            status: answer.status,
            location: answer.location,
            body: answer.body,
        }
    }
}

impl Target {
    async fn get(&self, path: &str) -> Reply {
        match self {
            Target::InProcess(app) => {
                let response = app
                    .router
                    .clone()
                    .oneshot(app.get_request(path))
                    .await
                    .expect("infallible");
                answer(response).await.into()
            }
            Target::Http { client, .. } => {
                let page = client.get(path).await;
                Reply {
                    status: page.status,
                    location: page.location,
                    body: page.text,
                }
            }
        }
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body: Vec<(String, String)> = fields
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        self.send(&Fuzzed::Post {
            path: path.into(),
            body,
            htmx: false,
        })
        .await
    }

    /// Sends one request with this browser's cookie and token; the CSRF
    /// token goes first, as the app's forms put it.
    async fn send(&self, fuzzed: &Fuzzed) -> Reply {
        match (self, fuzzed) {
            (_, Fuzzed::Get(path)) => self.get(path).await,
            (Target::InProcess(app), Fuzzed::Post { path, body, htmx }) => {
                let mut fields = vec![("csrf_token".to_string(), app.csrf.clone())];
                fields.extend(body.iter().cloned());
                let mut request = app
                    .request("POST", path)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                if *htmx {
                    request = request.header("hx-request", "true");
                }
                let encoded = serde_urlencoded::to_string(&fields).expect("form");
                let response = app
                    .router
                    .clone()
                    .oneshot(request.body(Body::from(encoded)).expect("request"))
                    .await
                    .expect("infallible");
                answer(response).await.into()
            }
            (Target::Http { client, .. }, Fuzzed::Post { path, body, htmx }) => {
                let mut fields = vec![("csrf_token".to_string(), client.csrf.clone())];
                fields.extend(body.iter().cloned());
                let mut request = client
                    .http()
                    .post(format!("{}{path}", client.base))
                    .form(&fields);
                if *htmx {
                    request = request.header("hx-request", "true");
                }
                let response = request.send().await.expect("the server answers");
                let status = response.status().as_u16();
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                Reply {
                    status,
                    location,
                    body: response.text().await.unwrap_or_default(),
                }
            }
        }
    }

    fn peak_memory_kib(&self) -> u64 {
        match self {
            Target::InProcess(_) => common::peak_memory_kib("/proc/self/status"),
            Target::Http { app, .. } => app.peak_memory_kib(),
        }
    }
}

/// Makes one draft of each kind, then reads every page that has a form: the
/// fuzz posts those forms, with their own field names, mutated.
async fn learn(target: &Target) -> Known {
    let imported = target
        .post(
            "/task-definitions/import",
            &[("json", &fixture("reference_003_input.json"))],
        )
        .await;
    assert_eq!(imported.status, 303, "import: {}", imported.body);
    let td = imported.location.trim_end_matches("/configure").to_string();
    let empty = target.post("/task-definitions/drafts", &[]).await;
    let empty_td = empty.location.trim_end_matches("/configure").to_string();

    let mut pages = vec![
        "/".to_string(),
        "/task-definitions/new".to_string(),
        "/repositories/push-commands?name=web".to_string(),
    ];
    for draft in [&td, &empty_td] {
        for step in ["configure", "containers", "storage", "review"] {
            pages.push(format!("{draft}/{step}"));
        }
    }
    let mut segments = vec![id_of(&td), id_of(&empty_td), "web".to_string()];
    for kind in ["roles", "clusters", "repositories", "log-groups"] {
        pages.push(format!("/{kind}/new"));
        let first = target.get(&format!("/{kind}/new")).await;
        let form = forms_of(&first.body, &format!("/{kind}/new"))
            .into_iter()
            .next()
            .expect("a form");
        let fields: Vec<(&str, &str)> = form
            .fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .filter(|(n, _)| *n != "csrf_token")
            .chain([("action", "save")])
            .collect();
        let saved = target.post(&format!("/{kind}/new"), &fields).await;
        assert_eq!(saved.status, 303, "{kind}: {}", saved.body);
        pages.push(saved.location.clone());
        pages.push(format!("{}/review", saved.location));
        segments.push(id_of(&saved.location));
    }
    let mut forms: Vec<RenderedForm> = Vec::new();
    for path in &pages {
        // Against AWS, push commands for a repository that does not exist is 404.
        let page = target.get(path).await;
        if page.status == 200 {
            // Deleting the drafts would turn every later case into a 404
            // (deleting has tests of its own).
            forms.extend(
                forms_of(&page.body, path)
                    .into_iter()
                    .filter(|form| !form.action.ends_with("/delete")),
            );
        }
    }
    assert!(
        forms.len() >= 15,
        "the app's forms were found: {}",
        forms.len()
    );
    // Every page the router holds, from its own table.
    let routes = ecs_wizard::web::route_table()
        .into_iter()
        .filter(|route| route.method == "GET")
        .map(|route| route.path)
        .collect();
    Known {
        routes,
        segments,
        forms,
        import_fixture: serde_json::from_str(&fixture("reference_003_describe.json"))
            .expect("fixture"),
    }
}

fn id_of(draft_url: &str) -> String {
    draft_url
        .split('/')
        .find(|part| part.len() == 32)
        .unwrap_or_default()
        .to_string()
}

#[derive(Default)]
struct Figures {
    sent: u32,
    by_status: std::collections::BTreeMap<u16, u32>,
    slowest: Duration,
    slowest_request: String,
}

/// Sends `cases` generated requests; each answer below 500 within the bound.
fn fuzz(runtime: &tokio::runtime::Runtime, target: &Target, cases: u32) {
    let known = runtime.block_on(learn(target));
    let strategy = request(&known);
    let figures = RefCell::new(Figures::default());
    let result = runner(cases).run(&strategy, |fuzzed| {
        let started = Instant::now();
        let reply = runtime.block_on(target.send(&fuzzed));
        let elapsed = started.elapsed();
        let mut f = figures.borrow_mut();
        f.sent += 1;
        *f.by_status.entry(reply.status).or_default() += 1;
        if elapsed > f.slowest {
            f.slowest = elapsed;
            f.slowest_request = summary(&fuzzed);
        }
        if reply.status >= 500 {
            return Err(TestCaseError::fail(format!(
                "{} for {}: {}",
                reply.status,
                summary(&fuzzed),
                reply.body.chars().take(400).collect::<String>()
            )));
        }
        if elapsed > ANSWER_BOUND {
            return Err(TestCaseError::fail(format!(
                "{elapsed:?} for {}",
                summary(&fuzzed)
            )));
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let home = runtime.block_on(target.get("/"));
    assert_eq!(home.status, 200, "the server still answers");
    let peak = target.peak_memory_kib();
    let f = figures.into_inner();
    eprintln!(
        "fuzz: {} requests (incl. shrinking), statuses {:?}, slowest {:?} ({}), peak resident memory {} MiB",
        f.sent,
        f.by_status,
        f.slowest,
        f.slowest_request,
        peak / 1024
    );
    assert!(
        peak < MEMORY_BOUND_KIB,
        "peak resident memory {} MiB",
        peak / 1024
    );
}

/// A request in a line: its path and how big its body is.
fn summary(fuzzed: &Fuzzed) -> String {
    format!("{fuzzed:?}").chars().take(300).collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn generated_requests_to_the_router_never_fail_it() {
    let runtime = runtime();
    let target = Target::InProcess(runtime.block_on(preview_app()));
    fuzz(&runtime, &target, cases(1500));
}

#[test]
fn generated_requests_to_a_server_against_the_emulator_never_fail_it() {
    let runtime = runtime();
    let target = runtime.block_on(async {
        let moto = common::moto();
        let app = common::app(Some(&moto.url));
        let client = Client::new(&app.url).await;
        Target::Http {
            app,
            client,
            _moto: moto,
        }
    });
    fuzz(&runtime, &target, cases(300));
}
