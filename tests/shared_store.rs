//! Issue 27: two instances of the app on one PostgreSQL database, as a
//! team runs them behind a load balancer. A session made on one works on
//! the other, a change made through one is seen (and audited) on the other
//! at once, the home page of each lists the other's unfinished runs, and a
//! run whose instance is killed is finished once by the other. An instance
//! whose listening connection is cut listens again and reads afresh.

use crate::common;

use std::time::{Duration, Instant};

use common::postgres::{Postgres, postgres};
use common::services::{
    CLUSTER, FLAGS, fill_in, made, reference_002_fields, settle, start_run, states, world_with,
};
use common::{Client, app_with_flags, moto};

const PASSWORD: &str = "ana-password-1234";

/// Runs `ecs-wizard` with the database's flags before `args`; what it printed.
fn run(database: &[String], args: &[&str], stdin: Option<&str>) -> String {
    let mut all = database.to_vec();
    all.extend(args.iter().map(|a| a.to_string()));
    let output = common::cli(&all, stdin);
    assert!(
        output.status.success(),
        "ecs-wizard {args:?}: {}",
        common::printed(&output)
    );
    common::printed(&output)
}

fn flags_for(pg: &Postgres, database: &str, more: &[&str]) -> Vec<String> {
    let mut flags = pg.app_flags(database);
    flags.extend(more.iter().map(|f| f.to_string()));
    flags
}

fn strs(flags: &[String]) -> Vec<&str> {
    flags.iter().map(String::as_str).collect()
}

/// Waits until `found` holds for what `read` returns, for up to `within`.
async fn eventually<F, Fut>(within: Duration, mut read: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < within {
        if read().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sign_in_the_audit_log_and_what_they_read() {
    let pg = postgres();
    let database = pg.fresh_database();
    let store_flags = pg.app_flags(&database);
    let added = run(
        &store_flags,
        &["user", "add", "ana", "--role", "admin", "--password-stdin"],
        Some(PASSWORD),
    );
    assert!(added.contains("Added ana"), "{added}");
    let moto = moto();
    let flags = flags_for(
        pg,
        &database,
        &["--local-accounts", "--retry-pause-ms", "20"],
    );
    let a = app_with_flags(&moto.url, &strs(&flags));
    let b = app_with_flags(&moto.url, &strs(&flags));

    // Signed in on one, the same browser is signed in on the other, and a
    // form token one instance made is good on the other.
    let on_a = Client::signed_in(&a.url, "ana", PASSWORD).await;
    let on_b = on_a.at(&b.url);
    let home = on_b.get("/").await;
    assert_eq!(home.status, 200, "{}", home.text);
    assert!(home.text.contains("ana"), "B knows who signed in on A");

    // B reads the clusters (and keeps the read); A makes one; B's next
    // page shows it without waiting for its cache to age.
    let before = on_b.get("/clusters").await;
    assert!(!before.text.contains("made-on-a"));
    let posted = on_a
        .post(
            "/clusters/new",
            &[("clusterName", "made-on-a"), ("action", "next")],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.text);
    let created = on_a
        .press(&posted.location.replace("/review", "/create"))
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let seen = eventually(Duration::from_secs(5), || async {
        on_b.get("/clusters").await.text.contains("made-on-a")
    })
    .await;
    assert!(seen, "B still shows the clusters it read before A made one");

    // The change A made is in the audit log B shows, with its call.
    let log = on_b.get("/audit?resource=made-on-a").await;
    assert_eq!(log.status, 200, "{}", log.text);
    assert!(log.text.contains("CreateCluster"), "{}", log.text);

    // Signing out on B (with A's token) ends the session on A too.
    let out = on_b.post("/signout", &[]).await;
    assert_eq!(out.status, 303, "{}", out.text);
    let after = on_a.get("/").await;
    assert_eq!(after.status, 303, "signed out everywhere");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_whose_instance_is_killed_is_finished_once_by_another() {
    let pg = postgres();
    let database = pg.fresh_database();
    let mut more = FLAGS.to_vec();
    more.extend(["--run-lease-seconds", "3", "--aws-timeout", "60"]);
    let flags = flags_for(pg, &database, &more);
    let mut w = world_with(&strs(&flags)).await;
    let b = app_with_flags(&w.proxy.url, &strs(&flags));
    let on_b = Client::new(&b.url).await;

    let mut fields = reference_002_fields();
    fields.retain(|(name, _)| *name != "serviceName");
    fields.push(("serviceName", "taken-over"));
    for (name, value) in [
        ("loadBalancer.loadBalancerName", "taken-over-alb"),
        ("loadBalancer.securityGroupName", "taken-over-alb-sg"),
        ("loadBalancer.targetGroup.name", "taken-over-tg"),
        ("loadBalancer.serviceSecurityGroupName", "taken-over-sg"),
    ] {
        fields.retain(|(n, _)| *n != name);
        fields.push((name, value));
    }
    let review = fill_in(
        &w,
        &format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1"),
        &fields,
    )
    .await;
    // Every call now takes a while, so the run is under way when A dies.
    w.proxy.set_latency(Duration::from_millis(1500));
    let run_url = start_run(&w, &review).await;

    let done_steps = || {
        pg.psql(
            &database,
            "SELECT count(*) FROM run_steps WHERE status = 'done'",
        )
        .parse::<usize>()
        .unwrap_or(0)
    };
    let under_way = eventually(Duration::from_secs(30), || async { done_steps() >= 2 }).await;
    assert!(under_way, "the run never got going");
    let done_at_kill = done_steps();
    let status = pg.psql(&database, "SELECT status FROM runs");
    assert_eq!(status, "running");
    w.app.kill();
    w.proxy.set_latency(Duration::ZERO);
    // B's home page lists the run A held, before its lease runs out.
    let home = on_b.get("/").await;
    assert!(home.text.contains("taken-over"), "{}", home.text);

    // B takes the run over once A's lease runs out, and finishes it.
    let run = settle(&on_b, &run_url).await;
    assert!(
        states(&run).iter().all(|s| s == "ok"),
        "{:?} {}",
        states(&run),
        run.text
    );
    assert!(
        done_at_kill < states(&run).len(),
        "A was killed with {done_at_kill} of {} steps done: B finished the rest",
        states(&run).len()
    );
    // What A had sent without an answer was looked for before B sent it
    // (A's call may have died with A, at the proxy), and AWS holds each
    // resource once.
    let calls = w.proxy.calls();
    for (create, find) in [
        ("CreateLoadBalancer", "DescribeLoadBalancers"),
        ("CreateTargetGroup", "DescribeTargetGroups"),
        ("CreateListener", "DescribeListeners"),
        ("CreateService", "DescribeServices"),
    ] {
        let sent: Vec<usize> = (0..calls.len()).filter(|&i| calls[i] == create).collect();
        assert!(!sent.is_empty() && sent.len() <= 2, "{create}: {calls:?}");
        if let [first, again] = sent[..] {
            assert!(
                calls[first..again].iter().any(|c| c == find),
                "{create} sent again without {find} first: {calls:?}"
            );
        }
    }
    for (what, count) in made(&w, "taken-over").await {
        assert_eq!(count, 1, "{what}");
    }
    let holders = pg.psql(
        &database,
        "SELECT count(*) FROM runs WHERE holder IS NOT NULL",
    );
    assert_eq!(holders, "0", "a finished run is nobody's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_listening_connection_is_made_again_and_the_kept_reads_dropped() {
    let pg = postgres();
    let database = pg.fresh_database();
    let moto = moto();
    let app = app_with_flags(&moto.url, &strs(&pg.app_flags(&database)));
    let client = Client::new(&app.url).await;
    let listeners = |sql: &str| {
        pg.psql(
            &database,
            &format!(
                "SELECT {sql} FROM pg_stat_activity \
                 WHERE datname = current_database() AND query LIKE 'LISTEN %'"
            ),
        )
    };
    let listening = eventually(Duration::from_secs(10), || async {
        listeners("count(*)") == "1"
    })
    .await;
    assert!(
        listening,
        "the app never listened for other instances' changes"
    );

    // A cluster made outside the app is announced by nobody: the app's
    // kept read of the clusters does not show it yet.
    assert!(!client.get("/clusters").await.text.contains("made-outside"));
    common::ecs_client(&moto.url)
        .create_cluster()
        .cluster_name("made-outside")
        .send()
        .await
        .expect("CreateCluster in moto");
    assert!(
        !client.get("/clusters").await.text.contains("made-outside"),
        "the clusters read is kept"
    );

    // The listening connection is cut (a failover, a restarted server):
    // what was said meanwhile is unknown, so the kept reads go.
    let cut = listeners("count(pg_terminate_backend(pid))");
    assert_eq!(cut, "1");
    let seen = eventually(Duration::from_secs(10), || async {
        client.get("/clusters").await.text.contains("made-outside")
    })
    .await;
    assert!(
        seen,
        "the app kept its reads after losing what it listened to"
    );
    let again = eventually(Duration::from_secs(10), || async {
        listeners("count(*)") == "1"
    })
    .await;
    assert!(again, "the app did not listen again");
}
