//! Issue 7's figures, measured against the real binary on loopback and
//! printed (never asserted on time: these machines are shared):
//!
//! - the home page with many drafts, against the same page with none and a
//!   static file, in the same run (ratios, not absolute times);
//! - a static file while 200 home pages are requested at once (the store's
//!   work must not hold up requests that do not need it);
//! - the largest import the app accepts (just under the 2 MB body limit,
//!   within every AWS limit), then its heaviest pages: time and the server's
//!   peak resident memory.
//!
//! `cargo bench --bench hardening` runs it at full size (1,000 drafts).
//! `cargo test --all-targets` runs it small, so it keeps working.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Server {
    url: String,
    child: Child,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// The binary in preview mode (no AWS): these figures are the store's
    /// and the checks', not the emulator's.
    fn start() -> Self {
        let data = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_ecs-wizard"))
            .current_dir(data.path())
            .env_clear()
            .env("HOME", data.path())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("RUST_LOG", "error")
            .args(["--port", "0", "--region", "ap-northeast-1", "--data-dir"])
            .arg(data.path().join("data"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("start ecs-wizard");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the serving line");
        let url = line
            .split("http://")
            .nth(1)
            .map(|rest| format!("http://{}", rest.trim().trim_end_matches('/')))
            .expect("a URL");
        Self {
            url,
            child,
            _data: data,
        }
    }

    fn peak_memory_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status");
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM");
        kib / 1024.0
    }
}

/// A browser: cookies kept, the page's origin sent, redirects not followed.
struct Browser {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

impl Browser {
    async fn new(base: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::ORIGIN, base.parse().expect("origin"));
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let mut browser = Self {
            http,
            base: base.to_string(),
            csrf: String::new(),
        };
        let home = browser.get("/").await;
        browser.csrf = between(&home, "name=\"csrf_token\" value=\"", "\"").to_string();
        browser
    }

    async fn get(&self, path: &str) -> String {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        assert!(
            response.status().as_u16() < 400,
            "{path}: {}",
            response.status()
        );
        response.text().await.expect("body")
    }

    /// Posts a form; returns the status and where it redirects.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let mut form = vec![("csrf_token", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .form(&form)
            .send()
            .await
            .expect("POST");
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (response.status().as_u16(), location)
    }

    /// The median of `runs` GETs of `path`.
    async fn median(&self, path: &str, runs: usize) -> Duration {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            self.get(path).await;
            times.push(started.elapsed());
        }
        times.sort();
        times[runs / 2]
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).map(|i| i + start.len()).expect(start);
    let to = text[from..].find(end).expect(end);
    &text[from..from + to]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A definition at every AWS limit the import checks: 10 containers, each
/// with 1,000 environment variables, as long as the 2 MB body limit allows
/// once form-encoded.
fn largest_accepted_import() -> String {
    let value = "x".repeat(150);
    let containers: Vec<Value> = (0..10)
        .map(|c| {
            let environment: Vec<Value> = (0..1000)
                .map(|n| json!({"name": format!("V{n}"), "value": value}))
                .collect();
            json!({"name": format!("c{c}"), "image": "nginx:1.27", "memory": 256,
                   "essential": c == 0, "environment": environment})
        })
        .collect();
    json!({"family": "largest", "requiresCompatibilities": ["FARGATE"],
           "networkMode": "awsvpc", "cpu": "4096", "memory": "8192",
           "containerDefinitions": containers})
    .to_string()
}

async fn run(drafts: usize) {
    let fixture = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/reference_003_input.json"),
    )
    .expect("fixture");
    let server = Server::start();
    let browser = Browser::new(&server.url).await;
    let home = browser.get("/").await;
    let css = between(&home, "<link rel=\"stylesheet\" href=\"", "\"").to_string();
    let runs = 31;

    let static_idle = browser.median(&css, runs).await;
    let home_empty = browser.median("/", runs).await;
    let started = Instant::now();
    for _ in 0..drafts {
        let (status, _) = browser
            .post("/task-definitions/import", &[("json", &fixture)])
            .await;
        assert_eq!(status, 303, "import");
    }
    let filling = started.elapsed();
    let home_full = browser.median("/", runs).await;

    // 200 home pages at once; meanwhile, the stylesheet, one after another.
    let load_started = Instant::now();
    let load: Vec<_> = (0..200)
        .map(|_| {
            let (http, url) = (browser.http.clone(), format!("{}/", server.url));
            tokio::spawn(async move {
                let started = Instant::now();
                let response = http.get(url).send().await.expect("GET /");
                assert_eq!(response.status(), 200);
                response.bytes().await.expect("body");
                started.elapsed()
            })
        })
        .collect();
    let mut static_under_load = Duration::ZERO;
    for _ in 0..20 {
        let started = Instant::now();
        browser.get(&css).await;
        static_under_load = static_under_load.max(started.elapsed());
    }
    let mut slowest_home = Duration::ZERO;
    for task in load {
        slowest_home = slowest_home.max(task.await.expect("task"));
    }
    let all_homes = load_started.elapsed();

    println!("== home page with {drafts} drafts (preview mode, loopback)");
    println!(
        "   filling: {drafts} imports in {:.1} s",
        filling.as_secs_f64()
    );
    println!(
        "   home, 0 drafts: {:.2} ms · home, {drafts} drafts: {:.2} ms · ratio {:.2}",
        ms(home_empty),
        ms(home_full),
        home_full.as_secs_f64() / home_empty.as_secs_f64()
    );
    println!(
        "   static file idle: {:.2} ms · home with {drafts} drafts / static file: {:.1}×",
        ms(static_idle),
        home_full.as_secs_f64() / static_idle.as_secs_f64()
    );
    println!(
        "   200 home pages at once: all answered in {:.0} ms (slowest {:.0} ms); static file meanwhile: slowest {:.1} ms ({:.1}× idle)",
        ms(all_homes),
        ms(slowest_home),
        ms(static_under_load),
        static_under_load.as_secs_f64() / static_idle.as_secs_f64()
    );

    let import = largest_accepted_import();
    let before = server.peak_memory_mib();
    let started = Instant::now();
    let (status, location) = browser
        .post("/task-definitions/import", &[("json", &import)])
        .await;
    let import_time = started.elapsed();
    assert_eq!(status, 303, "the largest import is accepted");
    let draft = location.trim_end_matches("/configure");
    let mut pages = Vec::new();
    for step in ["configure", "containers", "storage", "review"] {
        let started = Instant::now();
        let body = browser.get(&format!("{draft}/{step}")).await;
        pages.push(format!(
            "{step} {:.0} ms ({:.1} MB)",
            ms(started.elapsed()),
            body.len() as f64 / 1e6
        ));
    }
    println!(
        "== largest accepted import: {:.2} MB of JSON (10 containers × 1,000 variables)",
        import.len() as f64 / 1e6
    );
    println!(
        "   import {:.0} ms; pages: {}",
        ms(import_time),
        pages.join(", ")
    );
    println!(
        "   server peak resident memory: {:.0} MiB before, {:.0} MiB after",
        before,
        server.peak_memory_mib()
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not.
    let full = std::env::args().any(|a| a == "--bench");
    let drafts = std::env::var("BENCH_DRAFTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if full { 1000 } else { 20 });
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(run(drafts));
}
