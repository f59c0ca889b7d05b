//! Issue 12: the home page's checklist makes at most ten AWS calls,
//! whatever the account holds (30 repositories, 25 clusters here), and still
//! finds the repository with an image and the cluster with a service.

mod common;

use common::services::*;

/// The calls a view of `path` makes, and the page.
async fn calls_of(w: &World, path: &str) -> (Vec<String>, common::Page) {
    let before = w.proxy.calls().len();
    let page = w.client.get(path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    (w.proxy.calls().split_off(before), page)
}

// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checklist_reads_a_bounded_number_of_calls() {
    let w = world().await;
    let ecr = aws_sdk_ecr::Client::new(&w.config);
    let ecs = aws_sdk_ecs::Client::new(&w.config);
    for n in 0..30 {
        ecr.create_repository()
            .repository_name(format!("repo-{n:02}"))
            .send()
            .await
            .expect("CreateRepository");
    }
    for n in 0..22 {
        ecs.create_cluster()
            .cluster_name(format!("cluster-{n:02}"))
            .send()
            .await
            .expect("CreateCluster");
    }
    let (calls, home) = calls_of(&w, "/").await;
    assert!(calls.len() <= 10, "{} calls: {calls:?}", calls.len());
    assert_eq!(home.select("#checklist > li").len(), 5);
    let states = home.attr("#checklist > li:nth-child(3)", "data-state");
    assert_eq!(states.as_deref(), Some("started"), "no image pushed yet");

    // The newest repository gets its image; a cluster gets a service.
    common::push_image(&w._moto.url, "repo-29", "latest").await;
    ecs.create_service()
        .cluster(CLUSTER)
        .service_name("web")
        .task_definition("ecs-fargate-task:1")
        .desired_count(1)
        .send()
        .await
        .expect("a service");
    let (calls, home) = calls_of(&w, "/").await;
    assert!(calls.len() <= 10, "{} calls: {calls:?}", calls.len());
    assert_eq!(
        home.attr("#checklist > li:nth-child(3)", "data-state")
            .as_deref(),
        Some("done")
    );
    assert_eq!(
        home.attr("#checklist > li:nth-child(5)", "data-state")
            .as_deref(),
        Some("done")
    );
}
