//! Issue 12's figures: the main pages against moto behind a proxy that adds
//! 50 ms to every AWS call, in accounts of 10, 100 and 1,000 repositories,
//! roles, clusters and log groups. For each page it prints the AWS calls of
//! a cold view (after Refresh) and of a warm one, each view's time, and the
//! longest chain of calls the page made one after another (the time no
//! page could beat) with the ratio of the cold view's time to it. Then the
//! first page's transfer: HTML, CSS and JS as sent compressed.
//!
//! Goals (printed beside each figure, never asserted: these machines are
//! shared): at most 10 calls cold whatever the size, 0 warm, a cold view
//! within 2× of its longest chain, and a first page of at most 40 KB.
//!
//! `cargo bench --bench account_pages` runs 10, 100 and 1,000;
//! `cargo test --all-targets` runs 10, so it keeps working.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::faults::{FaultProxy, fault_proxy, longest_chain};
use common::figures::{counted, ms};
use common::services::save_with_an_existing_target_group;
use common::{Client, app, moto, push_image, sdk_config};
use futures_util::future::join_all;

const LATENCY: Duration = Duration::from_millis(50);
const ACCOUNT: &str = "123456789012";
const TRUST: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// `size` of each, straight into moto (not through the proxy), 25 at a time;
/// then what makes every checklist step done.
async fn fill(moto_url: &str, size: usize) {
    let config = sdk_config(moto_url);
    let ecr = aws_sdk_ecr::Client::new(&config);
    let ecs = aws_sdk_ecs::Client::new(&config);
    let iam = aws_sdk_iam::Client::new(&config);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let numbers: Vec<usize> = (0..size).collect();
    for chunk in numbers.chunks(25) {
        join_all(chunk.iter().map(|n| {
            let (ecr, ecs, iam, logs) = (&ecr, &ecs, &iam, &logs);
            async move {
                ecr.create_repository()
                    .repository_name(format!("repo-{n:04}"))
                    .send()
                    .await
                    .expect("CreateRepository");
                ecs.create_cluster()
                    .cluster_name(format!("cluster-{n:04}"))
                    .send()
                    .await
                    .expect("CreateCluster");
                iam.create_role()
                    .role_name(format!("role-{n:04}"))
                    .assume_role_policy_document(TRUST)
                    .send()
                    .await
                    .expect("CreateRole");
                logs.create_log_group()
                    .log_group_name(format!("/ecs/group-{n:04}"))
                    .send()
                    .await
                    .expect("CreateLogGroup");
            }
        }))
        .await;
    }
    iam.create_role()
        .role_name("ecsTaskExecutionRole")
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .expect("the execution role");
    // The person's own repository, made last (a second later, so that it is
    // the newest by AWS's timestamps), with their image pushed.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    ecr.create_repository()
        .repository_name("web-app")
        .send()
        .await
        .expect("CreateRepository");
    push_image(moto_url, "web-app", "latest").await;
    ecs.register_task_definition()
        .family("bench")
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("web")
                .image(image())
                .memory(512)
                .build(),
        )
        .send()
        .await
        .expect("a task definition");
    ecs.create_service()
        .cluster("cluster-0000")
        .service_name("web")
        .task_definition("bench:1")
        .desired_count(1)
        .send()
        .await
        .expect("a service");
}

fn image() -> String {
    format!("{ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/web-app:latest")
}

/// A task definition draft at its containers step, as a person leaves it.
async fn draft(client: &Client) -> String {
    let created = client.post("/task-definitions/drafts", &[]).await;
    let draft = created.location.trim_end_matches("/configure").to_string();
    let image = image();
    let saved = client
        .post(
            &format!("{draft}/containers"),
            &[
                ("containerDefinitions.0.name", "web"),
                ("containerDefinitions.0.image", image.as_str()),
                ("containerDefinitions.0.essential", "on"),
                ("containerDefinitions.0.logCollection", "on"),
                (
                    "containerDefinitions.0.logConfiguration.awslogs-group",
                    "/ecs/group-0000",
                ),
                (
                    "containerDefinitions.0.logConfiguration.awslogs-region",
                    "ap-northeast-1",
                ),
                ("action", "save"),
            ],
        )
        .await;
    assert!(saved.status < 400, "{}", saved.text);
    draft
}

struct View {
    calls: Vec<String>,
    took: Duration,
    chain: (usize, Duration),
}

async fn view(client: &Client, proxy: &FaultProxy, path: &str) -> View {
    let (before, spans_before) = (proxy.calls().len(), proxy.spans().len());
    let started = Instant::now();
    let page = client.get(path).await;
    let took = started.elapsed();
    assert_eq!(page.status, 200, "{path}: {}", page.text);
    View {
        calls: proxy.calls().split_off(before),
        took,
        chain: longest_chain(&proxy.spans()[spans_before..]),
    }
}

async fn pages(size: usize) {
    let moto = moto();
    let proxy = fault_proxy(&moto.url).await;
    fill(&moto.url, size).await;
    let app = app(Some(&proxy.url));
    let client = Client::new(&app.url).await;
    let draft = draft(&client).await;
    let existing = save_with_an_existing_target_group(&client).await;
    proxy.set_latency(LATENCY);
    let paths = [
        ("home", "/".to_string()),
        ("roles", "/roles".to_string()),
        ("repositories", "/repositories".to_string()),
        ("clusters", "/clusters".to_string()),
        ("log groups", "/log-groups".to_string()),
        ("td containers", format!("{draft}/containers")),
        ("td review", format!("{draft}/review")),
        ("service form", "/services/new".to_string()),
        ("service form, existing target group", existing),
    ];
    for (name, path) in &paths {
        client.post("/refresh", &[("back", "/")]).await;
        let cold = view(&client, &proxy, path).await;
        let warm = view(&client, &proxy, path).await;
        let ratio = ms(cold.took) / ms(cold.chain.1).max(1.0);
        let goal = |ok: bool| if ok { "ok" } else { "MISSED" };
        println!(
            "{size:>5}  {name:<13}  cold {:>2} calls {} [{}]  {:>6.0} ms  chain {} calls {:>4.0} ms  ×{ratio:.2} {}  |  warm {:>2} calls {} [{}] {:>5.0} ms",
            cold.calls.len(),
            goal(cold.calls.len() <= 10),
            counted(&cold.calls),
            ms(cold.took),
            cold.chain.0,
            ms(cold.chain.1),
            goal(ratio <= 2.0),
            warm.calls.len(),
            goal(warm.calls.is_empty()),
            counted(&warm.calls),
            ms(warm.took),
        );
    }
}

/// The first page and its stylesheet and scripts, as a browser that
/// accepts brotli and gzip receives them, and unencoded.
async fn transfer() {
    let moto = moto();
    let app = app(Some(&moto.url));
    let client = Client::new(&app.url).await;
    let home = client.get("/").await;
    let mut urls = vec!["/".to_string()];
    urls.extend(home.attrs("link[rel=stylesheet]", "href"));
    urls.extend(home.attrs("script[src]", "src"));
    let mut total = (0, 0);
    for url in &urls {
        let size = |encoding: &'static str| {
            let request = client
                .http()
                .get(format!("{}{url}", app.url))
                .header("accept-encoding", encoding);
            async move {
                let answer = request.send().await.expect("GET");
                let encoded = answer
                    .headers()
                    .get("content-encoding")
                    .map(|v| v.to_str().unwrap_or_default().to_string())
                    .unwrap_or_else(|| "none".into());
                (answer.bytes().await.expect("body").len(), encoded)
            }
        };
        let (compressed, encoding) = size("br, gzip").await;
        let (plain, _) = size("identity").await;
        println!("  {url:<40} {plain:>7} B  →  {compressed:>6} B ({encoding})");
        total = (total.0 + plain, total.1 + compressed);
    }
    let kb = total.1 as f64 / 1024.0;
    println!(
        "  first page in all: {} B → {} B = {kb:.1} KB {}",
        total.0,
        total.1,
        if kb <= 40.0 {
            "ok (≤ 40 KB)"
        } else {
            "MISSED (> 40 KB)"
        }
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not.
    let full = std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if full { &[10, 100, 1000] } else { &[10] };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!(
            "AWS calls per view against moto, each call {} ms slower through a proxy",
            LATENCY.as_millis()
        );
        for &size in sizes {
            pages(size).await;
        }
        println!("First page transfer:");
        transfer().await;
    });
}
