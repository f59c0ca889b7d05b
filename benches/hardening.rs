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

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::figures::ms;
use common::{App, Client};
use serde_json::{Value, json};

/// One GET, timed to the last byte; the body's length. (The test client's
/// `get` also parses the HTML, which is not the server's time.)
async fn timed_get(client: &Client, path: &str) -> (Duration, usize) {
    let started = Instant::now();
    let response = client
        .http()
        .get(format!("{}{path}", client.base))
        .send()
        .await
        .expect("GET");
    assert!(
        response.status().as_u16() < 400,
        "{path}: {}",
        response.status()
    );
    let length = response.bytes().await.expect("body").len();
    (started.elapsed(), length)
}

/// The median of `runs` GETs of `path`.
async fn median(client: &Client, path: &str, runs: usize) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(timed_get(client, path).await.0);
    }
    times.sort();
    times[runs / 2]
}

fn peak_mib(app: &App) -> f64 {
    app.peak_memory_kib() as f64 / 1024.0
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
    // Preview mode (no AWS): these figures are the store's and the checks',
    // not the emulator's.
    let server = common::app(None);
    let browser = Client::new(&server.url).await;
    let css = browser
        .get("/")
        .await
        .attr("link[rel=stylesheet]", "href")
        .expect("a stylesheet");
    let runs = 31;

    let static_idle = median(&browser, &css, runs).await;
    let home_empty = median(&browser, "/", runs).await;
    let started = Instant::now();
    for _ in 0..drafts {
        let imported = browser
            .post("/task-definitions/import", &[("json", &fixture)])
            .await;
        assert_eq!(imported.status, 303, "import");
    }
    let filling = started.elapsed();
    let home_full = median(&browser, "/", runs).await;

    // 200 home pages at once; meanwhile, the stylesheet, one after another.
    let load_started = Instant::now();
    let load: Vec<_> = (0..200)
        .map(|_| {
            let (http, url) = (browser.http().clone(), format!("{}/", server.url));
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
        static_under_load = static_under_load.max(timed_get(&browser, &css).await.0);
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
    let before = peak_mib(&server);
    let started = Instant::now();
    let imported = browser
        .post("/task-definitions/import", &[("json", &import)])
        .await;
    let import_time = started.elapsed();
    assert_eq!(imported.status, 303, "the largest import is accepted");
    let draft = imported.location.trim_end_matches("/configure");
    let mut pages = Vec::new();
    for step in ["configure", "containers", "storage", "review"] {
        let (time, length) = timed_get(&browser, &format!("{draft}/{step}")).await;
        pages.push(format!(
            "{step} {:.0} ms ({:.1} MB)",
            ms(time),
            length as f64 / 1e6
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
        peak_mib(&server)
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
