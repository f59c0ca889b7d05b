//! A person's SQLite file from before the drafts, runs and form flows
//! became one of each is read by today's app with nothing lost.
//!
//! `fixtures/main-1fccd02.sql` is a file made by main at 1fccd02 (schema 9)
//! driven over HTTP against moto (`fixtures/make-old-store.sh`), dumped as
//! text: a task execution role drafted and created (a plan run), a cluster
//! drafted and created (the old direct path: a run whose step has no plan
//! id), a log group drafted and not sent, and a task definition draft left
//! on its containers step.

use crate::common;

use std::path::Path;

use common::in_process::preview_app_with;
use ecs_wizard::store::runs::RunStatus;
use ecs_wizard::store::{ResourceDraft, Store};
use serde_json::Value;

const ROLE: &str = "28387231ace668b651adfa4fc51e3ca0";
const LOG_GROUP: &str = "56fcc5dd01ca9cc4a825a93ebb5364f6";
const CLUSTER: &str = "6b84341464f707777d7a30253c44c982";
const TASK_DEFINITION: &str = "c40addf728db3bd7b5389585a08af10e";

/// The old file, rebuilt from its dump where the app keeps its data, and
/// opened (which migrates it).
fn old_store(dir: &Path) -> Store {
    let dump = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/main-1fccd02.sql");
    let dump = std::fs::read_to_string(dump).expect("the fixture is in the repository");
    rusqlite::Connection::open(dir.join("ecs-wizard.sqlite3"))
        .and_then(|file| file.execute_batch(&dump))
        .expect("the dump loads");
    Store::open(dir).expect("the old file opens and migrates")
}

#[tokio::test]
async fn drafts_and_runs_from_an_older_main_are_kept() {
    let dir = tempfile::tempdir().expect("dir");
    let store = old_store(dir.path());

    let td = store
        .draft(TASK_DEFINITION)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(td.task_definition.family, "fixture-web");
    assert_eq!(td.task_definition.cpu.as_deref(), Some("256"));
    assert_eq!((td.version, td.step.as_str()), (2, "containers"));
    assert_eq!(td.owner, None, "made where nobody signed in");
    let listed = store.recent_drafts(10).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].family, "fixture-web");

    let role: ResourceDraft<Value> = store
        .resource_draft("roles", ROLE)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(role.body["role_name"], "fixtureExecutionRole");
    assert!(role.created.is_some(), "AWS's answer is kept");
    let log_group: ResourceDraft<Value> = store
        .resource_draft("log-groups", LOG_GROUP)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        (log_group.body["log_group_name"].as_str(), log_group.version),
        (Some("/ecs/fixture"), 2)
    );

    let run = store.latest_run(ROLE).await.expect("read").expect("a run");
    assert_eq!(
        (run.kind.as_str(), run.status),
        ("roles", RunStatus::Succeeded)
    );
    assert_eq!(run.steps[0].step_id, "CreateRole");
    assert!(run.steps[0].answer.is_some(), "the step's answer is kept");
    let old_path = store
        .latest_run(CLUSTER)
        .await
        .expect("read")
        .expect("a run");
    assert_eq!(old_path.status, RunStatus::Succeeded);
    assert_eq!(
        (
            old_path.steps[0].step_id.as_str(),
            old_path.steps[0].call.as_str()
        ),
        ("", "ecs:CreateCluster clusterName=fixture-cluster"),
        "a run of the old direct path reads with no plan id"
    );
    // Versions began to be kept with the migration: a save keeps its body.
    let saved = store
        .save_resource_draft(LOG_GROUP, 2, &log_group.body)
        .await
        .expect("a save on the version read");
    assert!(
        store
            .draft_body_at(LOG_GROUP, saved)
            .await
            .expect("read")
            .is_some()
    );
}

#[tokio::test]
async fn the_old_drafts_open_in_the_app() {
    let dir = tempfile::tempdir().expect("dir");
    let mut app = preview_app_with(old_store(dir.path())).await;

    let containers = app
        .get(&format!(
            "/task-definitions/drafts/{TASK_DEFINITION}/containers"
        ))
        .await;
    assert_eq!(containers.status, 200, "{}", containers.body);
    let home = app.get("/task-definitions").await;
    assert!(home.body.contains("fixture-web"), "the draft is listed");

    let role = app.get(&format!("/roles/drafts/{ROLE}/result")).await;
    assert_eq!(role.status, 200);
    assert!(role.body.contains("fixtureExecutionRole"));
    let cluster = app.get(&format!("/clusters/drafts/{CLUSTER}/result")).await;
    assert_eq!(cluster.status, 200);
    assert!(cluster.body.contains("fixture-cluster"));

    let form = app.get(&format!("/log-groups/drafts/{LOG_GROUP}")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("/ecs/fixture"));
    let saved = app
        .post(
            &format!("/log-groups/drafts/{LOG_GROUP}?v=2"),
            &[
                ("logGroupName", "/ecs/fixture-2"),
                ("retentionInDays", "30"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let again = app.get(&format!("/log-groups/drafts/{LOG_GROUP}")).await;
    assert!(again.body.contains("/ecs/fixture-2"));
}
