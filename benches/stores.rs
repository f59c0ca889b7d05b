//! Issue 27: sign-in and page latency with each store on this machine, the
//! same binary and the same requests, one after another: SQLite (the file
//! in the data folder) and PostgreSQL (a server the bench starts, over TLS
//! on loopback, as `tests/shared_store.rs` uses it). It prints each
//! store's median and 95th percentile and PostgreSQL's ratio to SQLite's.
//! Figures only: nothing here is asserted on time.
//!
//! `cargo bench --bench stores` makes 20 sign-ins and 300 views of each
//! page; `cargo test --all-targets` makes 2 and 10, so it keeps working.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::figures::ms;
use common::postgres::postgres;
use common::{App, Client, app_with_users, app_with_users_on};

const NAME: &str = "ana";
const PASSWORD: &str = "ana-password-1234";
/// Pages that read the store: the home page (drafts, unfinished runs),
/// the audit log, the accounts and their sessions.
const PAGES: [&str; 3] = ["/", "/audit", "/users"];

struct Figures {
    sign_in: Vec<Duration>,
    pages: Vec<Vec<Duration>>,
}

fn postgres_app() -> App {
    let pg = postgres();
    let database = pg.fresh_database();
    let flags = pg.app_flags(&database);
    let mut add = flags.clone();
    add.extend(["user", "add", NAME, "--role", "admin", "--password-stdin"].map(String::from));
    let added = common::cli(&add, Some(PASSWORD));
    assert!(
        added.status.success(),
        "user add: {}",
        common::printed(&added)
    );
    let mut all: Vec<&str> = flags.iter().map(String::as_str).collect();
    all.push("--local-accounts");
    app_with_users_on(None, &[], &all)
}

async fn measure(app: &App, sign_ins: usize, views: usize) -> Figures {
    // A warm-up: the first connection, the first password check.
    let client = Client::signed_in(&app.url, NAME, PASSWORD).await;
    let mut sign_in = Vec::new();
    for _ in 0..sign_ins {
        let started = Instant::now();
        Client::signed_in(&app.url, NAME, PASSWORD).await;
        sign_in.push(started.elapsed());
    }
    let mut pages = Vec::new();
    for page in PAGES {
        let mut times = Vec::new();
        for _ in 0..views {
            let started = Instant::now();
            let answer = client.get(page).await;
            times.push(started.elapsed());
            assert_eq!(answer.status, 200, "{page}: {}", answer.text);
        }
        pages.push(times);
    }
    Figures { sign_in, pages }
}

fn quantile(times: &[Duration], q: f64) -> f64 {
    let mut sorted: Vec<f64> = times.iter().copied().map(ms).collect();
    sorted.sort_by(f64::total_cmp);
    let at = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted.get(at).copied().unwrap_or(0.0)
}

fn line(what: &str, sqlite: &[Duration], postgres: &[Duration]) {
    let (s50, s95) = (quantile(sqlite, 0.5), quantile(sqlite, 0.95));
    let (p50, p95) = (quantile(postgres, 0.5), quantile(postgres, 0.95));
    println!(
        "  {what:<22} SQLite {s50:7.2} ms (p95 {s95:7.2})   PostgreSQL {p50:7.2} ms (p95 {p95:7.2})   median {:.2}×",
        p50 / s50.max(0.001)
    );
}

async fn run(sign_ins: usize, views: usize) {
    let sqlite_app = app_with_users(&[(NAME, "admin", PASSWORD)]);
    let postgres_app = postgres_app();
    // Turn about, so neither store always runs on a machine warmed by the other.
    let sqlite = measure(&sqlite_app, sign_ins, views).await;
    let postgres = measure(&postgres_app, sign_ins, views).await;
    println!("{sign_ins} sign-ins and {views} views of each page, one at a time, per store:");
    line("sign-in", &sqlite.sign_in, &postgres.sign_in);
    for (n, page) in PAGES.iter().enumerate() {
        line(&format!("GET {page}"), &sqlite.pages[n], &postgres.pages[n]);
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not.
    let full = std::env::args().any(|a| a == "--bench");
    let (sign_ins, views) = if full { (20, 300) } else { (2, 10) };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(run(sign_ins, views));
}
