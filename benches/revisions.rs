//! Issue 10's figures: a family's page with 10, 100 and 1,000 revisions
//! against moto behind a counting proxy, printing for each the AWS calls
//! of its first view (by operation) and of a second one (descriptions are
//! kept), and the page's time, with the ratio to the 10-revision family
//! measured in the same run. Figures are printed, never asserted.
//!
//! `cargo bench --bench revisions` runs 10, 100 and 1,000 revisions;
//! `cargo test --all-targets` runs 10 and 30, so it keeps working.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::faults::fault_proxy;
use common::figures::{counted, ms};
use common::{Client, app, moto, register_raw};
use serde_json::json;

async fn run(sizes: &[usize]) {
    let moto = moto();
    let proxy = fault_proxy(&moto.url).await;
    let app = app(Some(&proxy.url));
    let client = Client::new(&app.url).await;
    println!("revisions  first view: calls  ms  (ratio)  second view: calls  ms  (ratio)");
    let mut baseline: Option<(f64, f64)> = None;
    for &size in sizes {
        let family = format!("bench-{size}");
        for n in 0..size {
            register_raw(
                &moto.url,
                &json!({"family": family, "containerDefinitions": [
                    {"name": "web", "image": format!("nginx:{n}"), "memory": 512}]}),
            )
            .await;
        }
        let url = format!("/task-definitions/{family}");
        let mut figures = Vec::new();
        for _ in 0..2 {
            let before = proxy.calls().len();
            let started = Instant::now();
            let page = client.get(&url).await;
            let took = ms(started.elapsed());
            assert_eq!(page.status, 200, "{}", page.text);
            let calls = proxy.calls().split_off(before);
            figures.push((calls, took));
        }
        let (first, second) = (&figures[0], &figures[1]);
        let base = *baseline.get_or_insert((first.1, second.1));
        println!(
            "{size:>9}  {:>3} [{}]  {:>7.1}  ({:.2})  {:>3} [{}]  {:>7.1}  ({:.2})",
            first.0.len(),
            counted(&first.0),
            first.1,
            first.1 / base.0,
            second.0.len(),
            counted(&second.0),
            second.1,
            second.1 / base.1,
        );
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not.
    let full = std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if full { &[10, 100, 1000] } else { &[10, 30] };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(run(sizes));
}
