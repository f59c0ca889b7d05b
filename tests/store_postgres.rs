//! Issue 27: what only PostgreSQL has. Its schema matches SQLite's, the
//! app's own role may not rewrite the audit log, a SQLite file is copied in
//! with `ecs-wizard store copy`, and a database a newer version made, or
//! one that is not there, stops the app at start with the reason. A
//! statement kept waiting is ended after the store's query timeout.

use crate::common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::app_with_users_on;
use common::postgres::postgres;
use common::{Client, cli, printed as text};
use ecs_wizard::store::audit::NewEntry;
use ecs_wizard::store::{DatabaseSettings, Store, StoreError, TokenSource, new_id};

fn args(flags: &[String], more: &[&str]) -> Vec<String> {
    let mut all = flags.to_vec();
    all.extend(more.iter().map(|s| s.to_string()));
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_two_schemas_have_the_same_tables_and_columns_and_the_copy_takes_them_all() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path()).unwrap();
    let sqlite = rusqlite::Connection::open(dir.path().join("ecs-wizard.sqlite3")).unwrap();
    let mut statement = sqlite
        .prepare(
            "SELECT m.name || '.' || c.name FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
        )
        .unwrap();
    let in_sqlite: BTreeSet<String> = statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();

    let pg = postgres();
    let database = pg.fresh_database();
    Store::open_postgres(&pg.settings(&database)).await.unwrap();
    let listed = pg.psql(
        &database,
        "SELECT table_name || '.' || column_name FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name != 'ecs_wizard_schema'",
    );
    let in_postgres: BTreeSet<String> = listed.lines().map(str::to_string).collect();
    // SQLite's rowid is implicit; PostgreSQL names it where lists sort by it.
    let named_rowids: BTreeSet<String> = in_postgres
        .iter()
        .filter(|c| c.ends_with(".rowid"))
        .cloned()
        .collect();
    let without_rowids: BTreeSet<String> = in_postgres.difference(&named_rowids).cloned().collect();
    assert_eq!(in_sqlite, without_rowids);

    let copied: BTreeSet<String> = ecs_wizard::store::transfer::TABLES
        .iter()
        .flat_map(|(table, columns)| columns.iter().map(move |c| format!("{table}.{c}")))
        .collect();
    assert_eq!(copied, in_postgres, "store copy takes every column");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_role_cannot_rewrite_the_audit_log_nor_drop_its_triggers() {
    let pg = postgres();
    let database = pg.fresh_database();
    let flags = pg.app_flags(&database);
    let migrated = cli(&args(&flags, &["store", "migrate"]), None);
    assert!(migrated.status.success(), "{}", text(&migrated));
    let role = format!("app_{}", &new_id()[..12]);
    pg.psql(
        &database,
        &format!("CREATE ROLE {role} LOGIN PASSWORD 'app-password'"),
    );
    let granted = cli(&args(&flags, &["store", "grant", &role]), None);
    assert!(granted.status.success(), "{}", text(&granted));
    assert!(
        text(&granted).contains("cannot delete"),
        "{}",
        text(&granted)
    );

    // The app, connected as that role, works as ever.
    let settings = DatabaseSettings {
        url: pg.url(&role, &database),
        password: Some("app-password".into()),
        ..pg.settings(&database)
    };
    let store = Store::open_postgres(&settings).await.unwrap();
    let entry = store
        .open_audit_entry(NewEntry {
            user: "ana".into(),
            role: "admin".into(),
            address: "10.0.0.7".into(),
            method: "POST".into(),
            path: "/clusters/new".into(),
            page: "/".into(),
        })
        .await
        .unwrap();
    store.end_audit_entry(entry, 303, None).await.unwrap();
    let draft = store.create_draft(&Default::default(), None).await.unwrap();
    assert!(store.delete_draft(&draft).await.unwrap());
    store.forget_aws_records().await.unwrap();

    // As that role: no delete, no truncate, no rewrite, no way around.
    for sql in [
        "DELETE FROM audit_entries",
        "TRUNCATE audit_calls",
        "UPDATE audit_entries SET user_name = 'eve'",
        "ALTER TABLE audit_entries DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_entries_kept ON audit_entries",
        "UPDATE ecs_wizard_schema SET version = 1",
    ] {
        let refused = pg.psql_as(&role, "app-password", &database, sql);
        let why = refused.expect_err(sql);
        assert!(
            why.contains("permission denied") || why.contains("must be owner"),
            "{sql}: {why}"
        );
    }
    // The owner is held by the triggers.
    for sql in [
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries CASCADE",
        "UPDATE audit_entries SET user_name = 'eve'",
    ] {
        let why = pg
            .psql_as(
                "postgres",
                common::postgres::SUPERUSER_PASSWORD,
                &database,
                sql,
            )
            .expect_err(sql);
        assert!(why.contains("append-only"), "{sql}: {why}");
    }
    assert_eq!(
        pg.psql(
            &database,
            "SELECT count(*) FROM audit_entries WHERE user_name = 'ana'"
        ),
        "1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_store_is_copied_in_once_and_its_accounts_sign_in() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("data");
    let data_flag = vec!["--data-dir".to_string(), data_dir.display().to_string()];
    let added = cli(
        &args(
            &data_flag,
            &["user", "add", "ana", "--role", "admin", "--password-stdin"],
        ),
        Some("ana-password-1234"),
    );
    assert!(added.status.success(), "{}", text(&added));

    let pg = postgres();
    let database = pg.fresh_database();
    let mut flags = data_flag.clone();
    flags.extend(pg.app_flags(&database));
    let copied = cli(&args(&flags, &["store", "copy"]), None);
    assert!(copied.status.success(), "{}", text(&copied));
    assert!(text(&copied).contains("users: 1"), "{}", text(&copied));
    let again = cli(&args(&flags, &["store", "copy"]), None);
    assert!(!again.status.success());
    assert!(text(&again).contains("already holds"), "{}", text(&again));

    let store_flags = pg.app_flags(&database);
    let mut app_flags: Vec<&str> = store_flags.iter().map(String::as_str).collect();
    app_flags.push("--local-accounts");
    let app = app_with_users_on(None, &[], &app_flags);
    let client = Client::signed_in(&app.url, "ana", "ana-password-1234").await;
    assert_eq!(
        client.get("/users").await.status,
        200,
        "ana is an admin here too"
    );
    // The password never shows in what the app prints.
    assert!(!text(&copied).contains(common::postgres::SUPERUSER_PASSWORD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_schema_or_a_missing_database_stops_the_start_with_the_reason() {
    let pg = postgres();
    let database = pg.fresh_database();
    Store::open_postgres(&pg.settings(&database)).await.unwrap();
    pg.psql(&database, "UPDATE ecs_wizard_schema SET version = 999");
    let refused = Store::open_postgres(&pg.settings(&database)).await;
    assert!(
        matches!(refused, Err(StoreError::NewerSchema { found: 999, .. })),
        "{refused:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let sqlite = rusqlite::Connection::open(dir.path().join("ecs-wizard.sqlite3")).unwrap();
    sqlite.pragma_update(None, "user_version", 999).unwrap();
    drop(sqlite);
    assert!(matches!(
        Store::open(dir.path()),
        Err(StoreError::NewerSchema { .. })
    ));

    let nowhere = format!(
        "postgres://postgres@127.0.0.1:{}/none?sslmode=disable",
        common::free_port()
    );
    let failed = cli(
        &[
            "--database-url".into(),
            nowhere,
            "store".into(),
            "migrate".into(),
        ],
        None,
    );
    assert!(!failed.status.success());
    assert!(text(&failed).contains("database"), "{}", text(&failed));
}

/// A store on `settings` with one account, ana.
async fn store_with_ana(settings: &DatabaseSettings) -> Store {
    let store = Store::open_postgres(settings)
        .await
        .expect("open the PostgreSQL store");
    store
        .add_user("ana", ecs_wizard::model::access::Role::Admin, "h")
        .await
        .expect("add ana");
    store
}

/// A token source that answers `password` and remembers whom it was asked for.
fn tokens(password: &'static str, asked: Arc<Mutex<Vec<(String, u16, String)>>>) -> TokenSource {
    Arc::new(move |host, port, user| {
        asked.lock().expect("lock").push((host, port, user));
        Box::pin(async move { Ok(password.to_string()) })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_iam_each_connection_signs_in_with_a_fresh_token() {
    let pg = postgres();
    let database = pg.fresh_database();
    Store::open_postgres(&pg.settings(&database)).await.unwrap();
    let role = format!("iam_{}", &new_id()[..12]);
    // RDS checks the token; this server checks it as the role's password.
    pg.psql(
        &database,
        &format!("CREATE ROLE {role} LOGIN PASSWORD 'token-now'"),
    );
    pg.psql(
        &database,
        &format!("GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"),
    );
    pg.psql(
        &database,
        &format!("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"),
    );
    let asked = Arc::new(Mutex::new(Vec::new()));
    let settings = DatabaseSettings {
        url: pg.url(&role, &database),
        password: None,
        iam: Some(tokens("token-now", asked.clone())),
        ..pg.settings(&database)
    };
    let store = store_with_ana(&settings).await;
    assert!(store.user("ana").await.unwrap().is_some());
    let asked = asked.lock().unwrap().clone();
    assert!(!asked.is_empty(), "a token was made for the connection");
    assert_eq!(asked[0], ("127.0.0.1".to_string(), pg.port, role.clone()));

    let wrong = DatabaseSettings {
        iam: Some(tokens("an-expired-token", Arc::default())),
        ..settings
    };
    let refused = Store::open_postgres(&wrong).await;
    assert!(
        refused.is_err(),
        "a token the server refuses stops the start"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_kept_waiting_is_ended_after_the_query_timeout() {
    let pg = postgres();
    let database = pg.fresh_database();
    let settings = DatabaseSettings {
        query_timeout: Duration::from_secs(1),
        ..pg.settings(&database)
    };
    let store = store_with_ana(&settings).await;
    // Another session holds the accounts table, as a stuck migration or a
    // hung administrator's transaction would.
    let mut holder = pg.psql_in_background(
        &database,
        "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT",
    );
    let held = "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
                WHERE c.relname = 'users' AND l.mode = 'AccessExclusiveLock' AND l.granted";
    let started = Instant::now();
    while pg.psql(&database, held) != "1" {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "psql never took the lock"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let started = Instant::now();
    let waited = store.user("ana").await;
    let took = started.elapsed();
    let error = waited.expect_err("a read behind the lock is ended, not left waiting");
    assert!(
        format!("{error:?}").contains("statement timeout"),
        "{error:?}"
    );
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(10),
        "ended after {took:?}"
    );

    pg.psql(
        &database,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()",
    );
    let _ = holder.wait();
    assert!(
        store.user("ana").await.unwrap().is_some(),
        "the store answers again once the lock is let go"
    );
}
