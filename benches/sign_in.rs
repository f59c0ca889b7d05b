//! Issue 20, finding 2: 200 sign-ins at once against the real binary, as
//! anyone may send them (no account needed). Each password check takes
//! about 19 MiB; unbounded, 200 at once took the server from 31 MB to
//! 6.57 GB. It prints the server's resident memory before, at its peak and
//! after, their ratios to before, and how the attempts were answered (a
//! few checked, the rest "try again" at once). The goal: at most 150 MB
//! after. Figures only: nothing here is asserted on time.
//!
//! `cargo bench --bench sign_in` sends 200 at once; `cargo test
//! --all-targets` sends 20, so it keeps working.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::figures::ms;
use common::{Client, app_with_users};

async fn run(at_once: usize) {
    let app = app_with_users(&[("ana", "viewer", "ana-password-123")]);
    let client = Client::anonymous(&app.url).await;
    // One right sign-in first: the server has checked a password once.
    Client::signed_in(&app.url, "ana", "ana-password-123").await;
    let before = app.memory_kib();

    let started = Instant::now();
    let attempts: Vec<_> = (0..at_once)
        .map(|n| {
            let (http, base, csrf) = (
                client.http().clone(),
                client.base.clone(),
                client.csrf.clone(),
            );
            tokio::spawn(async move {
                let name = format!("guess{n}");
                let form = [
                    ("csrf_token", csrf.as_str()),
                    ("name", name.as_str()),
                    ("password", "not-the-password"),
                ];
                let answer = http
                    .post(format!("{base}/signin"))
                    .form(&form)
                    .send()
                    .await
                    .expect("POST /signin");
                answer.status().as_u16()
            })
        })
        .collect();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for attempt in attempts {
        *statuses.entry(attempt.await.expect("attempt")).or_default() += 1;
    }
    let all_answered = started.elapsed();
    let right_after = app.memory_kib();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let settled = app.memory_kib();
    let peak = app.peak_memory_kib();

    let mib = |kib: u64| kib as f64 / 1024.0;
    let ratio = |kib: u64| kib as f64 / before as f64;
    println!("{at_once} sign-ins at once (unknown names, wrong passwords):");
    println!(
        "  answered: {}",
        statuses
            .iter()
            .map(|(status, n)| format!("{status}×{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("  all answered in {:.0} ms", ms(all_answered));
    println!("  resident memory before: {:.1} MiB", mib(before));
    println!("  peak: {:.1} MiB ({:.2}× before)", mib(peak), ratio(peak));
    println!(
        "  right after: {:.1} MiB ({:.2}× before); 2 s later: {:.1} MiB ({:.2}× before) (goal: at most 150 MB)",
        mib(right_after),
        ratio(right_after),
        mib(settled),
        ratio(settled)
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not.
    let full = std::env::args().any(|a| a == "--bench");
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(run(if full { 200 } else { 20 }));
}
