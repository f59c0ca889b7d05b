//! Issue 8's figure: reference 002's plan (eight calls), and issue 26's:
//! the quick start's plan (twenty-odd calls), each run against moto
//! behind a proxy that adds the same latency to every call, printing
//!
//! - the plan's wall time,
//! - the sum of its calls' times: what a sequential script such as
//!   reference 003 spends,
//! - the critical path: the longest chain of dependent calls, each weighed
//!   by the time it took in this run,
//!
//! and the ratios. The goal is a wall time within 1.2× of the critical path.
//! Figures are printed, never asserted: these machines are shared.
//!
//! `cargo bench --bench service_plan` runs 5 plans at 50 ms per call;
//! `cargo test --all-targets` runs one at 10 ms, so it keeps working.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::faults::fault_proxy;
use common::figures::ms;
use common::network::{cluster_and_task_definition, default_network, internet_gateway};
use common::{moto, plans, sdk_config};
use ecs_wizard::aws::Aws;
use ecs_wizard::deploy::plan_run;
use ecs_wizard::deploy::runner::Retry;
use ecs_wizard::deploy::service_plan::plan;
use ecs_wizard::model::load_balancing::{NewLoadBalancer, TargetGroup};
use ecs_wizard::model::service::Service;
use ecs_wizard::model::service::draft::{LoadBalancing, ServiceDraft};
use ecs_wizard::model::service::quick_start::{Found, QuickStart};
use ecs_wizard::store::Store;
use ecs_wizard::store::runs::RunStatus;
use ecs_wizard::web::quick_start;
use serde_json::json;

fn draft(n: usize, vpc: &str, subnets: &[String]) -> ServiceDraft {
    let mut draft = ServiceDraft {
        vpc_id: vpc.to_string(),
        new_security_group: true,
        load_balancing: LoadBalancing::New,
        load_balancer: NewLoadBalancer {
            load_balancer_name: format!("bench-{n}-alb"),
            security_group_name: format!("bench-{n}-alb-sg"),
            service_security_group_name: format!("bench-{n}-sg"),
            target_group: TargetGroup {
                name: format!("bench-{n}-tg"),
                ..TargetGroup::default()
            },
            ..NewLoadBalancer::default()
        },
        container: "web:80".into(),
        service: Service {
            cluster: "bench".into(),
            service_name: format!("bench-{n}"),
            task_definition: "bench:1".into(),
            desired_count: 2,
            health_check_grace_period_seconds: Some(30),
            ..Service::default()
        },
        ..ServiceDraft::default()
    };
    let network = &mut draft.service.network_configuration.awsvpc_configuration;
    network.subnets = subnets.to_vec();
    network.assign_public_ip = "ENABLED".into();
    draft
}

async fn run(plans_to_run: usize, latency: Duration) {
    let moto = moto();
    let config = sdk_config(&moto.url);
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let (vpc, subnets) = default_network(&ec2).await;
    internet_gateway(&ec2, &vpc).await;
    cluster_and_task_definition(&aws_sdk_ecs::Client::new(&config), "bench", "bench", "web").await;
    let proxy = fault_proxy(&moto.url).await;
    proxy.set_latency(latency);
    let aws = Aws::from_config(&sdk_config(&proxy.url));
    let store = Store::open_in_memory().expect("store");
    let millis = latency.as_millis();

    let drafts = (0..plans_to_run)
        .map(|n| draft(n, &vpc, &subnets))
        .collect();
    let label = format!("reference 002's plan, {millis} ms added to every AWS call");
    figures(&label, drafts, &store, &aws, &proxy).await;

    // The quick start's plan: the first run makes the execution role and
    // the cluster `default`; the later ones find them.
    let network = aws.network(None).await.expect("network").value;
    let found = |n: usize| Found {
        account: "123456789012".into(),
        region: common::REGION.into(),
        partition: "aws".into(),
        vpc_id: vpc.clone(),
        subnets: network.subnets.clone(),
        role_exists: n > 0,
        cluster_exists: n > 0,
        log_group_exists: false,
        infrastructure_role: (n > 0).then(|| {
            "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers".to_string()
        }),
    };
    let drafts = (0..plans_to_run)
        .map(|n| {
            let values = QuickStart {
                image: format!("bench-quick-{n}:latest"),
                ..QuickStart::default()
            };
            quick_start::draft(values, &found(n))
        })
        .collect();
    let label = format!("the quick start's plan, {millis} ms added to every AWS call");
    figures(&label, drafts, &store, &aws, &proxy).await;
}

/// Runs each draft's plan in turn and prints its figures.
async fn figures(
    label: &str,
    drafts: Vec<ServiceDraft>,
    store: &Store,
    aws: &Aws,
    proxy: &common::faults::FaultProxy,
) {
    println!("{label}, {} run(s):", drafts.len());
    println!(
        "  run   calls   wall ms   sum of calls ms   critical path ms   wall/critical   sum/wall"
    );
    let mut ratios = Vec::new();
    for (n, draft) in drafts.iter().enumerate() {
        let plan = plan(draft);
        let before = proxy.timings().len();
        let started = Instant::now();
        let run_id = plan_run::start(
            store,
            aws,
            "services",
            &format!("{label}-{n}"),
            &json!(draft),
            plan.clone(),
            Retry::STANDARD,
        )
        .await
        .expect("run")
        .expect("a new draft starts a run");
        let run = plans::finished(store, &run_id).await;
        let wall = started.elapsed();
        assert_eq!(run.status, RunStatus::Succeeded, "{}", run.outcome);
        let timings: Vec<(String, Duration)> = proxy.timings()[before..].to_vec();
        let sum: Duration = timings.iter().map(|(_, d)| *d).sum();
        // Each step weighed by its call's time (steps of the same operation
        // take that operation's times in turn).
        let mut by_action: HashMap<&str, Vec<Duration>> = HashMap::new();
        for (action, took) in &timings {
            by_action.entry(action.as_str()).or_default().push(*took);
        }
        let mut used: HashMap<&str, usize> = HashMap::new();
        let mut weight: HashMap<String, Duration> = HashMap::new();
        for step in &plan.steps {
            let n = used.entry(step.call.operation.name()).or_default();
            let took = by_action
                .get(step.call.operation.name())
                .and_then(|times| times.get(*n))
                .copied()
                .unwrap_or_default();
            *n += 1;
            weight.insert(step.id.clone(), took);
        }
        let critical = plan
            .critical_path(|s| weight[&s.id].as_secs_f64())
            .expect("a valid plan");
        let critical = Duration::from_secs_f64(critical);
        let ratio = wall.as_secs_f64() / critical.as_secs_f64();
        ratios.push(ratio);
        println!(
            "  {n:>3}   {:>5}   {:>7.0}   {:>15.0}   {:>16.0}   {:>13.2}   {:>8.2}",
            timings.len(),
            ms(wall),
            ms(sum),
            ms(critical),
            ratio,
            sum.as_secs_f64() / wall.as_secs_f64()
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "  median wall / critical path: {:.2} (goal: at most 1.20)",
        ratios[ratios.len() / 2]
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not.
    let full = std::env::args().any(|a| a == "--bench");
    let (plans_to_run, latency) = if full { (5, 50) } else { (1, 10) };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(run(plans_to_run, Duration::from_millis(latency)));
}
