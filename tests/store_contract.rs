#![allow(clippy::unwrap_used)] // the contract bodies are async fns the tests call
//! The store's contract: every test here runs against both backends, the
//! SQLite file and a real PostgreSQL server (started by
//! `common::postgres`), in the manner of docs.rs's `backend_tests!`. A
//! test taking two stores gets two handles on one database, as two
//! instances have.

use crate::common;

use std::time::Duration;

use common::postgres::postgres;
use ecs_wizard::model::access::Role;
use ecs_wizard::model::account::RepositoryHint;
use ecs_wizard::model::audit::{CallAnswered, CallEvent, CallSent};
use ecs_wizard::store::audit::{AuditFilter, NewEntry, PAGE};
use ecs_wizard::store::runs::{RunStatus, StepStatus};
use ecs_wizard::store::{
    Draft, Forgotten, OidcLogin, ResourceDraft, SessionUser, Store, StoreError,
};
use serde_json::{Value, json};

macro_rules! backend_tests {
    (one: [$($one:ident),* $(,)?], two: [$($two:ident),* $(,)?] $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $one() {
                    super::$one(ecs_wizard::store::Store::open_in_memory().unwrap()).await
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $two() {
                    let dir = tempfile::tempdir().unwrap();
                    let a = ecs_wizard::store::Store::open(dir.path()).unwrap();
                    let b = ecs_wizard::store::Store::open(dir.path()).unwrap();
                    super::$two(a, b).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $one() {
                    super::$one(super::postgres().store().await).await
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $two() {
                    let server = super::postgres();
                    let settings = server.settings(&server.fresh_database());
                    let a = ecs_wizard::store::Store::open_postgres(&settings).await.unwrap();
                    let b = ecs_wizard::store::Store::open_postgres(&settings).await.unwrap();
                    super::$two(a, b).await
                }
            )*
        }
    };
}

backend_tests! {
    one: [
        a_session_is_its_users_until_it_ends_or_expires,
        an_admin_changes_roles_removes_accounts_and_ends_sessions,
        a_provider_session_keeps_the_role_it_was_given,
        attempts_are_counted_before_checking_and_cleared,
        of_many_attempts_at_once_at_most_the_limit_get_through,
        repository_hints_are_created_repositories_and_draft_images,
        drafts_are_kept_by_kind_with_what_aws_answered,
        each_version_is_kept_and_a_copy_is_its_makers,
        a_draft_is_saved_and_read_back,
        a_save_based_on_an_older_version_is_refused,
        a_draft_leaves_the_list_once_its_service_is_created,
        registrations_are_kept_newest_first,
        a_failed_import_is_read_back_and_only_the_newest_are_kept,
        a_description_is_kept_by_its_arn,
        a_reset_forgets_runs_and_registrations_and_keeps_drafts_and_the_audit_log,
        a_login_is_taken_once,
        entries_keep_their_calls_and_answers_newest_first,
        an_audit_entry_is_ended_once,
        steps_keep_their_answers_and_a_run_is_claimed_once,
        the_first_secret_kept_is_everyones,
        a_store_is_copied_once_into_an_empty_one,
    ],
    two: [
        what_one_instance_writes_the_other_reads,
        a_run_is_taken_over_once_its_lease_runs_out,
        of_attempts_on_two_instances_at_most_the_limit_get_through,
        a_draft_runs_once_whichever_instance_is_pressed,
    ],
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn entry(user: &str, path: &str) -> NewEntry {
    NewEntry {
        user: user.into(),
        role: "deployer".into(),
        address: "10.0.0.7".into(),
        method: "POST".into(),
        path: path.into(),
        page: "/roles/new".into(),
    }
}

fn sent(entry_id: i64, key: u64, resource: &str) -> CallEvent {
    CallEvent::Sent(CallSent {
        entry_id,
        call_key: key,
        service: "IAM".into(),
        operation: "CreateRole".into(),
        resource: resource.into(),
        request: "Action=CreateRole".into(),
    })
}

async fn an_audit_entry_is_ended_once(store: Store) {
    let id = store.open_audit_entry(entry("ann", "/x")).await.unwrap();
    store.audit_sink()(sent(id, 9, "r"));
    store.end_audit_entry(id, 200, None).await.unwrap();
    store.audit_written().await;
    assert!(store.end_audit_entry(id, 500, None).await.is_err());
    let kept = store
        .audit_entries(AuditFilter::default(), PAGE)
        .await
        .unwrap();
    assert_eq!(kept[0].http_status, Some(200));
    assert_eq!(kept[0].calls.len(), 1);
}

/// A SQLite store with a little of everything, as a team's file would be.
async fn filled_sqlite(dir: &std::path::Path) -> (Store, String, i64) {
    let from = Store::open(dir).unwrap();
    from.add_user("ana", Role::Admin, "$argon2id$x")
        .await
        .unwrap();
    from.start_session("h1", "ana").await.unwrap();
    let draft = from
        .create_resource_draft("clusters", &json!({"cluster_name": "a"}), Some("ana"))
        .await
        .unwrap();
    from.save_resource_draft(&draft, 1, &json!({"cluster_name": "b"}))
        .await
        .unwrap();
    let run = from
        .start_run_once(
            "services",
            &draft,
            &json!({"service": {"serviceName": "web"}}),
        )
        .await
        .unwrap()
        .unwrap();
    from.record_step(
        &run,
        0,
        "Cluster",
        "ecs:CreateCluster",
        StepStatus::Done,
        "",
        Some(&json!({"a": 1})),
    )
    .await
    .unwrap();
    from.finish_run(&run, RunStatus::Refused, &json!({}))
        .await
        .unwrap();
    let entry_id = from
        .open_audit_entry(entry("ana", "/clusters/new"))
        .await
        .unwrap();
    from.audit_sink()(sent(entry_id, 1, "a"));
    from.end_audit_entry(entry_id, 303, None).await.unwrap();
    from.audit_written().await;
    from.record_registration(&draft, "arn:td/web:1", "web", 1, &json!({}))
        .await
        .unwrap();
    from.shared_secret("csrf_key", &[3; 32]).await.unwrap();
    (from, draft, entry_id)
}

async fn a_store_is_copied_once_into_an_empty_one(to: Store) {
    let dir = tempfile::tempdir().unwrap();
    let (from, draft, entry_id) = filled_sqlite(dir.path()).await;
    let copied = from.copy_into(&to).await.unwrap();
    let rows = |table: &str| copied.iter().find(|(t, _)| *t == table).map(|(_, n)| *n);
    assert_eq!(rows("users"), Some(1));
    assert_eq!(rows("draft_versions"), Some(2));
    assert_eq!(rows("audit_calls"), Some(1));

    assert_eq!(to.user("ana").await.unwrap().unwrap().role, Role::Admin);
    assert!(to.session("h1", 3600, 86400).await.unwrap().is_some());
    let read: ResourceDraft<Value> = to
        .resource_draft("clusters", &draft)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (read.body["cluster_name"].as_str(), read.version),
        (Some("b"), 2)
    );
    let run = to.latest_run(&draft).await.unwrap().unwrap();
    assert_eq!((run.status, run.steps.len()), (RunStatus::Refused, 1));
    let entries = to
        .audit_entries(AuditFilter::default(), PAGE)
        .await
        .unwrap();
    assert_eq!((entries[0].id, entries[0].calls.len()), (entry_id, 1));
    assert_eq!(
        to.shared_secret("csrf_key", &[9; 32]).await.unwrap(),
        [3; 32]
    );
    // Ids go on after the copied ones.
    let next = to.open_audit_entry(entry("bo", "/x")).await.unwrap();
    assert!(next > entry_id);
    let second = to
        .record_registration(&draft, "arn:td/web:2", "web", 2, &json!({}))
        .await
        .unwrap();
    assert_eq!(to.recent_registrations(5).await.unwrap()[0].id, second);

    assert!(matches!(
        from.copy_into(&to).await,
        Err(StoreError::NotEmpty(_))
    ));
}

async fn what_one_instance_writes_the_other_reads(a: Store, b: Store) {
    a.add_user("ana", Role::Deployer, "$argon2id$x")
        .await
        .unwrap();
    a.start_session("h1", "ana").await.unwrap();
    assert_eq!(
        b.session("h1", 3600, 86400).await.unwrap(),
        Some(SessionUser {
            name: "ana".into(),
            role: Role::Deployer
        })
    );
    b.end_session("h1").await.unwrap();
    assert_eq!(a.session("h1", 3600, 86400).await.unwrap(), None);
    let key = a.shared_secret("csrf_key", &[1; 32]).await.unwrap();
    assert_eq!(b.shared_secret("csrf_key", &[2; 32]).await.unwrap(), key);
    let id = a
        .open_audit_entry(entry("ana", "/roles/new"))
        .await
        .unwrap();
    a.end_audit_entry(id, 303, None).await.unwrap();
    let listed = b.audit_entries(AuditFilter::default(), PAGE).await.unwrap();
    assert_eq!(listed[0].id, id);
}

async fn a_run_is_taken_over_once_its_lease_runs_out(a: Store, b: Store) {
    let (a, b) = (
        a.with_lease(Duration::from_secs(1)),
        b.with_lease(Duration::from_secs(1)),
    );
    let run = a
        .start_run_once(
            "services",
            "d1",
            &json!({"service": {"serviceName": "web"}}),
        )
        .await
        .unwrap()
        .unwrap();
    a.record_step(
        &run,
        0,
        "Cluster",
        "ecs:CreateCluster",
        StepStatus::Started,
        "",
        None,
    )
    .await
    .unwrap();
    assert!(
        b.take_over_expired().await.unwrap().is_empty(),
        "a's lease is live"
    );
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let taken = b.take_over_expired().await.unwrap();
    assert_eq!(
        taken.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [run.as_str()]
    );
    assert_eq!(taken[0].steps[0].status, StepStatus::Started);
    assert!(
        a.take_over_expired().await.unwrap().is_empty(),
        "taken once"
    );
    // The old holder may no longer write a step (so never sends it) nor end the run.
    assert!(matches!(
        a.record_step(
            &run,
            1,
            "Service",
            "ecs:CreateService",
            StepStatus::Started,
            "",
            None
        )
        .await,
        Err(StoreError::LeaseLost)
    ));
    assert!(!a.renew_lease(&run).await.unwrap());
    assert!(matches!(
        a.finish_run(&run, RunStatus::Refused, &json!({})).await,
        Err(StoreError::LeaseLost)
    ));
    b.record_step(
        &run,
        0,
        "Cluster",
        "ecs:CreateCluster",
        StepStatus::Done,
        "",
        Some(&json!({})),
    )
    .await
    .unwrap();
    assert!(b.renew_lease(&run).await.unwrap());
    b.finish_run(&run, RunStatus::Succeeded, &json!({}))
        .await
        .unwrap();
    let done = a.run_by_id(&run).await.unwrap().unwrap();
    assert_eq!(done.status, RunStatus::Succeeded);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert!(
        a.take_over_expired().await.unwrap().is_empty(),
        "a finished run is nobody's"
    );
}

async fn of_attempts_on_two_instances_at_most_the_limit_get_through(a: Store, b: Store) {
    let attempts = (0..40).map(|n| {
        let store = if n % 2 == 0 { a.clone() } else { b.clone() };
        tokio::spawn(async move { store.count_attempt("ana", 900, 5).await.unwrap() })
    });
    let mut through = 0;
    for attempt in attempts {
        through += usize::from(attempt.await.unwrap());
    }
    assert_eq!(through, 5);
}

async fn a_draft_runs_once_whichever_instance_is_pressed(a: Store, b: Store) {
    let presses = (0..20).map(|n| {
        let store = if n % 2 == 0 { a.clone() } else { b.clone() };
        tokio::spawn(async move {
            store
                .start_run_once("services", "d1", &json!({}))
                .await
                .unwrap()
        })
    });
    let mut started = 0;
    for press in presses {
        started += usize::from(press.await.unwrap().is_some());
    }
    assert_eq!(started, 1);
}

async fn a_session_is_its_users_until_it_ends_or_expires(store: Store) {
    assert!(
        store
            .add_user("ana", Role::Deployer, "$argon2id$x")
            .await
            .unwrap()
    );
    assert!(
        !store
            .add_user("ana", Role::Admin, "$argon2id$y")
            .await
            .unwrap()
    );
    let ana = store.user("ana").await.unwrap().unwrap();
    assert_eq!(
        (ana.role, ana.password_hash.as_str()),
        (Role::Deployer, "$argon2id$x")
    );

    store.start_session("h1", "ana").await.unwrap();
    let live = store.session("h1", 3600, 86400).await.unwrap();
    assert_eq!(
        live,
        Some(SessionUser {
            name: "ana".into(),
            role: Role::Deployer
        })
    );
    assert_eq!(store.session("other", 3600, 86400).await.unwrap(), None);
    // Expired (no time at all allowed): ended for good.
    assert_eq!(store.session("h1", -1, 86400).await.unwrap(), None);
    assert_eq!(store.session("h1", 3600, 86400).await.unwrap(), None);

    store.start_session("h2", "ana").await.unwrap();
    store.end_session("h2").await.unwrap();
    assert_eq!(store.session("h2", 3600, 86400).await.unwrap(), None);

    // A session of a name with no account is nobody's.
    store.start_session("h3", "gone").await.unwrap();
    assert_eq!(store.session("h3", 3600, 86400).await.unwrap(), None);
}

async fn an_admin_changes_roles_removes_accounts_and_ends_sessions(store: Store) {
    store.add_user("ana", Role::Viewer, "h").await.unwrap();
    store.add_user("bo", Role::Admin, "h").await.unwrap();
    store.start_session("s1", "ana").await.unwrap();
    store
        .start_provider_session("p1", "cy@example.com", Role::Deployer)
        .await
        .unwrap();
    let listed = store.users().await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|u| (u.name.as_str(), u.role, u.sessions))
            .collect::<Vec<_>>(),
        [("ana", Role::Viewer, 1), ("bo", Role::Admin, 0)]
    );
    assert_eq!(
        store.provider_sessions().await.unwrap()[0].name,
        "cy@example.com"
    );

    // A new role counts at once, in the session already open.
    assert!(store.set_role("ana", Role::Deployer).await.unwrap());
    assert!(!store.set_role("nobody", Role::Admin).await.unwrap());
    let ana = store.session("s1", 3600, 86400).await.unwrap().unwrap();
    assert_eq!(ana.role, Role::Deployer);

    assert_eq!(store.end_sessions_of("cy@example.com").await.unwrap(), 1);
    assert_eq!(store.session("p1", 3600, 86400).await.unwrap(), None);

    assert!(store.remove_user("ana").await.unwrap());
    assert!(!store.remove_user("ana").await.unwrap());
    assert_eq!(store.session("s1", 3600, 86400).await.unwrap(), None);
    assert_eq!(store.users().await.unwrap().len(), 1);
}

async fn a_provider_session_keeps_the_role_it_was_given(store: Store) {
    store
        .start_provider_session("p1", "ann@example.com", Role::Admin)
        .await
        .unwrap();
    assert_eq!(
        store.session("p1", 3600, 86400).await.unwrap(),
        Some(SessionUser {
            name: "ann@example.com".into(),
            role: Role::Admin
        })
    );
}

async fn attempts_are_counted_before_checking_and_cleared(store: Store) {
    for _ in 0..3 {
        assert!(store.count_attempt("ana", 900, 3).await.unwrap());
    }
    assert!(!store.count_attempt("ana", 900, 3).await.unwrap());
    assert!(store.count_attempt("bo", 900, 3).await.unwrap());
    store.clear_failures("ana").await.unwrap();
    assert!(store.count_attempt("ana", 900, 3).await.unwrap());
    // Outside the window, earlier attempts no longer count.
    assert!(store.count_attempt("bo", -1, 1).await.unwrap());
}

async fn of_many_attempts_at_once_at_most_the_limit_get_through(store: Store) {
    let attempts = (0..40).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.count_attempt("ana", 900, 5).await.unwrap() })
    });
    let mut through = 0;
    for attempt in attempts {
        through += usize::from(attempt.await.unwrap());
    }
    assert_eq!(through, 5);
}

async fn repository_hints_are_created_repositories_and_draft_images(store: Store) {
    let made = store
        .create_resource_draft(
            "repositories",
            &serde_json::json!({"repository_name": "web"}),
            None,
        )
        .await
        .unwrap();
    store
        .create_resource_draft(
            "repositories",
            &serde_json::json!({"repository_name": "never-made"}),
            None,
        )
        .await
        .unwrap();
    store
        .record_resource_created(&made, &serde_json::json!({}))
        .await
        .unwrap();
    store
        .create_resource_draft(
            "task_definitions",
            &serde_json::json!({"task_definition": {"containerDefinitions": [
                {"name": "a", "image": "1.dkr/app:v1"}, {"name": "b", "image": ""}]}}),
            None,
        )
        .await
        .unwrap();
    let mut hints = store.recent_repository_hints(10).await.unwrap();
    hints.sort_by_key(|h| format!("{h:?}"));
    assert_eq!(
        hints,
        [
            RepositoryHint::Image("1.dkr/app:v1".into()),
            RepositoryHint::Repository("web".into())
        ]
    );
}

async fn drafts_are_kept_by_kind_with_what_aws_answered(store: Store) {
    let id = store
        .create_resource_draft("clusters", &serde_json::json!({"cluster_name": "a"}), None)
        .await
        .unwrap();
    let draft: ResourceDraft<Value> = store
        .resource_draft("clusters", &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(draft.body["cluster_name"], "a");
    assert_eq!(draft.created, None);
    assert!(
        store
            .resource_draft::<Value>("roles", &id)
            .await
            .unwrap()
            .is_none(),
        "another kind's draft is not found"
    );
    store
        .save_resource_draft(
            &id,
            draft.version,
            &serde_json::json!({"cluster_name": "b"}),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .save_resource_draft(
                &id,
                draft.version,
                &serde_json::json!({"cluster_name": "c"})
            )
            .await,
        Err(StoreError::Conflict)
    ));
    store
        .record_resource_created(&id, &serde_json::json!({"arn": "x"}))
        .await
        .unwrap();
    let draft: ResourceDraft<Value> = store
        .resource_draft("clusters", &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(draft.body["cluster_name"], "b");
    assert_eq!(draft.created.unwrap()["arn"], "x");
}

async fn each_version_is_kept_and_a_copy_is_its_makers(store: Store) {
    let id = store
        .create_resource_draft("roles", &serde_json::json!({"n": 1}), Some("ana"))
        .await
        .unwrap();
    for n in 2..=50 + 5 {
        store
            .save_resource_draft(&id, n - 1, &serde_json::json!({"n": n}))
            .await
            .unwrap();
    }
    let at = |v| store.draft_body_at(&id, v);
    assert_eq!(at(50 + 5).await.unwrap().unwrap(), r#"{"n":55}"#);
    assert_eq!(at(6).await.unwrap().unwrap(), r#"{"n":6}"#);
    assert_eq!(at(5).await.unwrap(), None, "only the last ones are kept");
    let draft: ResourceDraft<Value> = store.resource_draft("roles", &id).await.unwrap().unwrap();
    assert_eq!(draft.owner.as_deref(), Some("ana"));

    let copy = store.copy_draft(&id, Some("bo")).await.unwrap().unwrap();
    let copied: ResourceDraft<Value> = store.resource_draft("roles", &copy).await.unwrap().unwrap();
    assert_eq!(
        (copied.body, copied.version, copied.owner.as_deref()),
        (serde_json::json!({"n": 55}), 1, Some("bo"))
    );
    assert_eq!(
        store.draft_body_at(&copy, 1).await.unwrap().unwrap(),
        r#"{"n":55}"#
    );
    assert_eq!(store.copy_draft("nope", None).await.unwrap(), None);
}

async fn a_draft_is_saved_and_read_back(store: Store) {
    let mut draft = Draft::default();
    draft.task_definition.family = "web".into();
    let id = store.create_draft(&draft, None).await.unwrap();
    assert_eq!(id.len(), 32);
    let read = store.draft(&id).await.unwrap().unwrap();
    assert_eq!(read.version, 1);
    assert_eq!(read.task_definition, draft.task_definition);
    let mut changed = read.clone();
    changed.task_definition.cpu = Some("256".into());
    changed.task_definition.family = "api".into();
    assert_eq!(store.save_draft(&id, &changed).await.unwrap(), 2);
    let read = store.draft(&id).await.unwrap().unwrap();
    assert_eq!(read.task_definition, changed.task_definition);
    assert_eq!(store.draft("nope").await.unwrap(), None);
    let mut changed = store.draft(&id).await.unwrap().unwrap();
    changed.step = "containers".into();
    store.save_draft(&id, &changed).await.unwrap();
    let recent = store.recent_drafts(5).await.unwrap();
    assert_eq!(
        (
            recent[0].id.as_str(),
            recent[0].family.as_str(),
            recent[0].step.as_str()
        ),
        (id.as_str(), "api", "containers")
    );
    // Registered, it leaves the list (its revision is in the history).
    store
        .record_registration(&id, "arn:td/api:1", "api", 1, &serde_json::json!({}))
        .await
        .unwrap();
    assert!(store.recent_drafts(5).await.unwrap().is_empty());
    assert!(store.delete_draft(&id).await.unwrap());
    assert!(!store.delete_draft(&id).await.unwrap());
    assert_eq!(store.draft(&id).await.unwrap(), None);
}

async fn a_save_based_on_an_older_version_is_refused(store: Store) {
    let id = store.create_draft(&Draft::default(), None).await.unwrap();
    let tab_a = store.draft(&id).await.unwrap().unwrap();
    let mut tab_b = tab_a.clone();
    let mut a = tab_a.clone();
    a.task_definition.family = "from-a".into();
    store.save_draft(&id, &a).await.unwrap();
    tab_b.task_definition.family = "from-b".into();
    assert!(matches!(
        store.save_draft(&id, &tab_b).await,
        Err(StoreError::Conflict)
    ));
    let kept = store.draft(&id).await.unwrap().unwrap();
    assert_eq!(kept.task_definition.family, "from-a", "A's change is kept");
}

async fn a_draft_leaves_the_list_once_its_service_is_created(store: Store) {
    let body =
        json!({"service": {"serviceName": "web", "cluster": "demo", "taskDefinition": "web:3"}});
    let id = store
        .create_resource_draft("services", &body, None)
        .await
        .unwrap();
    let open = store.open_service_drafts(10).await.unwrap();
    assert_eq!(
        (
            open[0].name.as_str(),
            open[0].cluster.as_str(),
            open[0].task_definition.as_str()
        ),
        ("web", "demo", "web:3")
    );
    let run = store.start_run("services", &id).await.unwrap();
    store
        .finish_run(&run, RunStatus::Succeeded, &json!({}))
        .await
        .unwrap();
    assert!(store.open_service_drafts(10).await.unwrap().is_empty());
}

async fn registrations_are_kept_newest_first(store: Store) {
    let response = serde_json::json!({"taskDefinition": {"revision": 1}});
    let first = store
        .record_registration("d", "arn:1", "web", 1, &response)
        .await
        .unwrap();
    let second = store
        .record_registration("d", "arn:2", "web", 2, &response)
        .await
        .unwrap();
    assert_eq!(
        store.registration(first).await.unwrap().unwrap().response,
        response
    );
    let recent = store.recent_registrations(10).await.unwrap();
    assert_eq!(
        recent.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second, first]
    );
    assert_eq!(store.registration(99).await.unwrap(), None);
}

async fn a_failed_import_is_read_back_and_only_the_newest_are_kept(store: Store) {
    let first = store.keep_failed_import("{,}").await.unwrap();
    assert_eq!(
        store.failed_import(&first).await.unwrap().as_deref(),
        Some("{,}")
    );
    for n in 0..20 {
        store.keep_failed_import(&n.to_string()).await.unwrap();
    }
    assert_eq!(store.failed_import(&first).await.unwrap(), None);
    assert_eq!(store.failed_import("nope").await.unwrap(), None);
}

async fn a_description_is_kept_by_its_arn(store: Store) {
    let arns = vec!["arn:a:1".to_string(), "arn:a:2".to_string()];
    assert!(store.cached_revisions(&arns).await.unwrap().is_empty());
    store
        .cache_revisions(vec![("arn:a:1".into(), json!({"revision": 1}))])
        .await
        .unwrap();
    let found = store.cached_revisions(&arns).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found["arn:a:1"]["revision"], 1);
}

async fn a_reset_forgets_runs_and_registrations_and_keeps_drafts_and_the_audit_log(store: Store) {
    let run = store
        .start_run_once("changes", "change:t", &json!({"name": "x"}))
        .await
        .unwrap()
        .unwrap();
    let draft = store.create_draft(&Default::default(), None).await.unwrap();
    let forgotten = store.forget_aws_records().await.unwrap();
    assert_eq!(forgotten.runs, 1);
    assert!(store.run_by_id(&run).await.unwrap().is_none());
    assert!(store.draft(&draft).await.unwrap().is_some(), "drafts stay");
    assert_eq!(
        store.forget_aws_records().await.unwrap(),
        Forgotten::default()
    );
}

async fn a_login_is_taken_once(store: Store) {
    let login = OidcLogin {
        browser_hash: "b".into(),
        nonce: "n".into(),
        pkce_verifier: "v".into(),
        back: "/roles".into(),
    };
    store.keep_oidc_login("s", login.clone()).await.unwrap();
    assert_eq!(store.take_oidc_login("other").await.unwrap(), None);
    assert_eq!(store.take_oidc_login("s").await.unwrap(), Some(login));
    assert_eq!(store.take_oidc_login("s").await.unwrap(), None);
}

async fn entries_keep_their_calls_and_answers_newest_first(store: Store) {
    let first = store
        .open_audit_entry(entry("ann", "/roles/drafts/a/create"))
        .await
        .unwrap();
    let sink = store.audit_sink();
    sink(sent(first, 1, "ecsTaskExecutionRole"));
    sink(CallEvent::Answered(CallAnswered {
        call_key: 1,
        outcome: "ok".into(),
        http_status: 200,
        answer: "<CreateRoleResponse/>".into(),
    }));
    store
        .end_audit_entry(first, 303, Some("/runs/x".into()))
        .await
        .unwrap();
    let second = store
        .open_audit_entry(entry("bob", "/clusters/c/services/s/delete"))
        .await
        .unwrap();

    let all = store
        .audit_entries(AuditFilter::default(), PAGE)
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|e| e.id).collect::<Vec<_>>(),
        [second, first]
    );
    let call = &all[1].calls[0];
    assert_eq!(call.resource, "ecsTaskExecutionRole");
    assert_eq!(call.outcome.as_deref(), Some("ok"));
    assert_eq!(call.http_status, Some(200));
    assert_eq!(all[1].link.as_deref(), Some("/runs/x"));
    assert_eq!(all[0].finished_at, None);

    let by = |filter: AuditFilter| {
        let store = store.clone();
        async move {
            store
                .audit_entries(filter, PAGE)
                .await
                .unwrap()
                .iter()
                .map(|e| e.id)
                .collect::<Vec<_>>()
        }
    };
    let ann = AuditFilter {
        user: Some("ann".into()),
        ..AuditFilter::default()
    };
    assert_eq!(by(ann).await, [first]);
    let role = AuditFilter {
        resource: Some("TASKEXECUTION".into()),
        ..AuditFilter::default()
    };
    assert_eq!(by(role).await, [first]);
    let by_path = AuditFilter {
        resource: Some("services/s".into()),
        ..AuditFilter::default()
    };
    assert_eq!(by(by_path).await, [second]);
    let older = AuditFilter {
        before: Some(second),
        ..AuditFilter::default()
    };
    assert_eq!(by(older).await, [first]);
    let future = AuditFilter {
        from: Some(now() + 3600),
        ..AuditFilter::default()
    };
    assert!(by(future).await.is_empty());
    assert_eq!(store.audit_users().await.unwrap(), ["ann", "bob"]);
}

async fn steps_keep_their_answers_and_a_run_is_claimed_once(store: Store) {
    let snapshot = json!({"service": {"serviceName": "web"}});
    let run = store
        .start_run_once("services", "d1", &snapshot)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .start_run_once("services", "d1", &snapshot)
            .await
            .unwrap(),
        None,
        "a second run of the same draft is not started"
    );
    let answer = json!({"GroupId": "sg-0123abcd"});
    for (status, answer) in [
        (StepStatus::Started, None),
        (StepStatus::Done, Some(&answer)),
    ] {
        store
            .record_step(
                &run,
                0,
                "AlbSecurityGroup",
                "ec2:CreateSecurityGroup",
                status,
                "",
                answer,
            )
            .await
            .unwrap();
    }
    store
        .record_step(
            &run,
            1,
            "AlbIngress",
            "ec2:Authorize",
            StepStatus::Failed,
            "Throttling: slow",
            None,
        )
        .await
        .unwrap();
    store
        .finish_run(&run, RunStatus::Refused, &json!({}))
        .await
        .unwrap();
    let read = store.latest_run("d1").await.unwrap().unwrap();
    assert_eq!(read.snapshot, snapshot);
    assert_eq!(read.status, RunStatus::Refused);
    assert_eq!(read.steps[0].answer, Some(answer));
    assert_eq!(read.steps[1].status, StepStatus::Failed);
    let unfinished = store.unfinished_runs().await.unwrap();
    assert_eq!(unfinished.len(), 1);
    assert_eq!(unfinished[0].name, "web");
    // A tear-down names its service itself.
    let teardown = store
        .start_run_once("teardowns", "teardown:arn@t", &json!({"service": "api"}))
        .await
        .unwrap()
        .unwrap();
    let unfinished = store.unfinished_runs().await.unwrap();
    assert_eq!(unfinished[0].run_id, teardown);
    assert_eq!(
        (unfinished[0].kind.as_str(), unfinished[0].name.as_str()),
        ("teardowns", "api")
    );
    // A change names what it acts on.
    let change = store
        .start_run_once(
            "changes",
            "change:t",
            &json!({"kind": "delete-role", "name": "old"}),
        )
        .await
        .unwrap()
        .unwrap();
    let unfinished = store.unfinished_runs().await.unwrap();
    assert_eq!(unfinished[0].run_id, change);
    assert_eq!(unfinished[0].name, "old");
    store
        .finish_run(&change, RunStatus::Succeeded, &json!({}))
        .await
        .unwrap();

    let from = [RunStatus::Refused, RunStatus::Interrupted];
    assert!(
        store
            .claim_run(&run, &from, RunStatus::Running)
            .await
            .unwrap()
    );
    assert!(
        !store
            .claim_run(&run, &from, RunStatus::Running)
            .await
            .unwrap()
    );
    // Other kinds of run are not listed.
    store.start_run("clusters", "c1").await.unwrap();
    assert_eq!(store.unfinished_runs().await.unwrap().len(), 2);
}

async fn the_first_secret_kept_is_everyones(store: Store) {
    let first = store.shared_secret("csrf", &[1, 2, 255]).await.unwrap();
    assert_eq!(first, [1, 2, 255]);
    let again = store.shared_secret("csrf", &[9, 9, 9]).await.unwrap();
    assert_eq!(again, first);
}
