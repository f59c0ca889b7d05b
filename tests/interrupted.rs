//! Issue 7, item 6: `kill -9` while a create is under way. The call reaches
//! the emulator but its answer is lost (a proxy swallows it), the app is
//! killed, and a new process on the same data folder must know what was
//! under way and offer to finish or undo it — not create again.

use crate::common;

use std::time::{Duration, Instant};

use common::proxy::proxy;
use common::{App, Client, ecs_client, fixture, iam_client, moto};

const FLAGS: &[&str] = &["--aws-timeout", "120"];

/// Waits until the app's journal has sent `call` without an answer.
fn wait_for_unanswered(app: &App, call: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(db) = rusqlite::Connection::open(app.database()) {
            let found: Option<String> = db
                .query_row(
                    "SELECT call FROM run_steps WHERE call LIKE ?1 AND status = 'started'",
                    [format!("{call}%")],
                    |row| row.get(0),
                )
                .ok();
            if found.is_some() {
                // Give the emulator time to act on what it received.
                std::thread::sleep(Duration::from_millis(500));
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{call} was never sent");
}

/// Presses Create in the background: its answer will never come.
async fn press_in_background(client: &Client, path: &str) {
    let mut form = client.reviewed(path).await;
    form.push(("csrf_token".into(), client.csrf.clone()));
    let (http, url) = (client.http().clone(), format!("{}{path}", client.base));
    tokio::spawn(async move {
        let _ = http.post(url).form(&form).send().await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_cut_off_while_attaching_its_policy_is_undone_after_a_restart() {
    let moto = moto();
    let proxy = proxy(&moto.url).await;
    let app = common::app_with_flags(&proxy.url, FLAGS);
    let client = Client::new(&app.url).await;
    let posted = client
        .post(
            "/roles/new",
            &[
                ("roleName", "cut-off"),
                ("policy.AmazonECSTaskExecutionRolePolicy", "on"),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.text);
    let draft = posted.location.trim_end_matches("/review").to_string();
    proxy.lose_answer_to("Action=AttachRolePolicy");
    press_in_background(&client, &format!("{draft}/create")).await;
    wait_for_unanswered(&app, "iam:AttachRolePolicy");
    let app = app.crash_and_restart(&proxy.url, FLAGS);
    proxy.heal();
    let iam = iam_client(&moto.url);
    assert_eq!(iam.list_roles().send().await.unwrap().roles().len(), 1);

    let client = Client::new(&app.url).await;
    let page = client.get(&format!("{draft}/result")).await;
    assert_eq!(
        page.select("h1"),
        ["This create was interrupted"],
        "{}",
        page.text
    );
    let states: Vec<String> = page.select("#run-steps li .msg");
    assert_eq!(states, ["done", "no answer recorded: may have happened"]);
    // Create again is not "already exists … nothing was changed": it comes back here.
    let again = client.press(&format!("{draft}/create")).await;
    assert_eq!(again.select("h1"), ["This create was interrupted"]);

    let undone = client.press(&format!("{draft}/undo")).await;
    assert_eq!(undone.select("h1"), ["Undone"], "{}", undone.text);
    assert!(
        iam.list_roles().send().await.unwrap().roles().is_empty(),
        "the half-made role is gone"
    );
    // Now it can be created again, whole.
    let created = client.press(&format!("{draft}/create")).await;
    assert!(created.text.contains("cut-off"), "{}", created.text);
    let attached = iam
        .list_attached_role_policies()
        .role_name("cut-off")
        .send()
        .await
        .unwrap();
    assert_eq!(attached.attached_policies().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_cut_off_after_it_reached_aws_is_finished_not_repeated() {
    let moto = moto();
    let proxy = proxy(&moto.url).await;
    let app = common::app_with_flags(&proxy.url, FLAGS);
    let client = Client::new(&app.url).await;
    let imported = client
        .post(
            "/task-definitions/import",
            &[("json", &fixture("reference_003_input.json"))],
        )
        .await;
    let draft = imported.location.trim_end_matches("/configure").to_string();
    proxy.lose_answer_to("RegisterTaskDefinition");
    press_in_background(&client, &format!("{draft}/create")).await;
    wait_for_unanswered(&app, "ecs:RegisterTaskDefinition");
    let app = app.crash_and_restart(&proxy.url, FLAGS);
    proxy.heal();
    let ecs = ecs_client(&moto.url);
    assert_eq!(
        common::registered_families(&ecs).await.len(),
        1,
        "revision 1 is in AWS"
    );

    let client = Client::new(&app.url).await;
    let again = client.press(&format!("{draft}/create")).await;
    assert_eq!(
        again.select("h1"),
        ["This create was interrupted"],
        "{}",
        again.text
    );
    assert_eq!(
        common::registered_families(&ecs).await.len(),
        1,
        "Create did not register a second revision"
    );
    let finished = client.press(&format!("{draft}/finish")).await;
    assert_eq!(
        finished.select("#family-revision"),
        ["ContainerHandsOn:1"],
        "revision 1 is adopted: {}",
        finished.text
    );
    assert_eq!(common::registered_families(&ecs).await.len(), 1);
    let home = client.get("/").await;
    assert!(
        home.text.contains("ContainerHandsOn:1"),
        "it is in the history"
    );
}

/// Issue 20, finding 6: AWS made the cluster, the repository and the
/// revision but answered after --aws-timeout, and the page said nothing
/// changed; pressing Create again registered a second revision. A call
/// without an answer may have happened: it is looked up and adopted, never
/// made twice. The proxy forwards each create, then holds AWS's answer past
/// the timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_answered_after_the_timeout_is_adopted_not_made_twice() {
    use common::faults::{Fault, fault_proxy};

    let moto = moto();
    let proxy = fault_proxy(&moto.url).await;
    // The look-up after a timeout gets the same time: 4 s, not 2, so a
    // busy machine's slow emulator is not taken for a silent one.
    let app = common::app_with_flags(&proxy.url, &["--aws-timeout", "4"]);
    let client = Client::new(&app.url).await;
    let late = || Fault::Late(Duration::from_secs(7));
    proxy.fail("CreateCluster", 1, late());
    proxy.fail("CreateRepository", 1, late());
    proxy.fail("RegisterTaskDefinition", 1, late());

    for (kind, fields) in [
        (
            "clusters",
            vec![("clusterName", "late-cluster"), ("fargate", "on")],
        ),
        ("repositories", vec![("repositoryName", "late-repository")]),
    ] {
        let mut form = fields.clone();
        form.push(("action", "next"));
        let saved = client.post(&format!("/{kind}/new"), &form).await;
        assert_eq!(saved.status, 303, "{kind}: {}", saved.text);
        let create = saved.location.replace("/review", "/create");
        let result = client.press(&create).await;
        assert_eq!(result.status, 200, "{kind}: {}", result.text);
        assert!(
            result.select("h1")[0].starts_with("Created"),
            "{kind}: {:?}",
            result.select("h1")
        );
        // Pressed again: the one result, nothing sent.
        let again = client.press(&create).await;
        assert_eq!(again.select("h1"), result.select("h1"));
    }
    let clusters = ecs_client(&moto.url).list_clusters().send().await.unwrap();
    assert_eq!(clusters.cluster_arns().len(), 1);
    assert_eq!(proxy.count("CreateCluster"), 1, "adopted, not sent again");
    let repositories = common::ecr_client(&moto.url)
        .describe_repositories()
        .send()
        .await
        .unwrap();
    assert_eq!(repositories.repositories().len(), 1);
    assert_eq!(proxy.count("CreateRepository"), 1);

    let imported = client
        .post(
            "/task-definitions/import",
            &[("json", &fixture("reference_000.json"))],
        )
        .await;
    assert_eq!(imported.status, 303, "{}", imported.text);
    let draft = imported.location.trim_end_matches("/configure").to_string();
    let registered = client.press(&format!("{draft}/create")).await;
    assert_eq!(registered.status, 200, "{}", registered.text);
    assert!(
        registered.location.is_empty() && registered.text.contains(":1"),
        "the revision's page: {:?}",
        registered.select("h1")
    );
    let again = client.press(&format!("{draft}/create")).await;
    assert_eq!(again.status, 200);
    let revisions = common::registered_families(&ecs_client(&moto.url)).await;
    assert_eq!(revisions.len(), 1, "one revision: {revisions:?}");
    assert_eq!(proxy.count("RegisterTaskDefinition"), 1);
}
