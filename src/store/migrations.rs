//! Schema changes, applied in order, the same numbered list for both stores:
//! SQLite's `user_version` and PostgreSQL's `ecs_wizard_schema` record how
//! far a database got, and a database a newer version made is refused.
//!
//! PostgreSQL came at version 11: its first migration makes that schema at
//! once ([`POSTGRES_AT_11`]); every change after it is written for both
//! ([`BOTH`]), and a test holds the two schemas to the same columns.

use rusqlite::Connection;

use super::StoreError;
use super::db::Db;

const SQLITE_TO_11: [&str; 11] = [
    r#"
    CREATE TABLE drafts (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE registrations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        draft_id TEXT NOT NULL,
        arn TEXT NOT NULL,
        family TEXT NOT NULL,
        revision INTEGER NOT NULL,
        response TEXT NOT NULL,
        registered_at INTEGER NOT NULL
    );
    CREATE INDEX registrations_by_family ON registrations (family, revision);
"#,
    // The one-page wizards (role, cluster, repository, log group): the form as
    // typed, and what AWS answered once it was created.
    r#"
    CREATE TABLE resource_drafts (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        created TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
"#,
    // Lists read columns, never the JSON body. A version per draft refuses a
    // save based on an older one (two tabs). The journal records each create
    // before its first call and each call's answer after it.
    r#"
    ALTER TABLE drafts ADD COLUMN family TEXT NOT NULL DEFAULT '';
    ALTER TABLE drafts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    UPDATE drafts SET family = coalesce(json_extract(body, '$.task_definition.family'), '');
    CREATE INDEX drafts_by_update ON drafts (updated_at);
    ALTER TABLE resource_drafts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        draft_id TEXT NOT NULL,
        status TEXT NOT NULL,
        outcome TEXT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER
    );
    CREATE INDEX runs_by_draft ON runs (draft_id, started_at);
    CREATE INDEX runs_by_status ON runs (status);
    CREATE TABLE run_steps (
        run_id TEXT NOT NULL REFERENCES runs (id),
        seq INTEGER NOT NULL,
        call TEXT NOT NULL,
        status TEXT NOT NULL,
        detail TEXT,
        at INTEGER NOT NULL,
        PRIMARY KEY (run_id, seq)
    );
"#,
    // A refused import, so its error page has a URL to come back to.
    r#"
    CREATE TABLE failed_imports (
        id TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
"#,
    // Plan runs (the service wizard): the draft as it was run, so resume and
    // clean-up act on what was sent even if the form changed since; each
    // step's id in the plan and AWS's answer, where later steps and the
    // clean-up find the ids of what it made.
    r#"
    ALTER TABLE runs ADD COLUMN snapshot TEXT;
    ALTER TABLE run_steps ADD COLUMN step_id TEXT;
    ALTER TABLE run_steps ADD COLUMN answer TEXT;
    CREATE INDEX runs_by_kind ON runs (kind, started_at);
"#,
    // One drafts table for every wizard, by kind: task definition drafts
    // join the others, their family kept as the list's title column.
    r#"
    ALTER TABLE resource_drafts ADD COLUMN title TEXT NOT NULL DEFAULT '';
    INSERT INTO resource_drafts (id, kind, body, created, created_at, updated_at, version, title)
        SELECT id, 'task_definitions', body, NULL, created_at, updated_at, version, family FROM drafts;
    DROP TABLE drafts;
    CREATE INDEX resource_drafts_by_kind ON resource_drafts (kind, updated_at);
"#,
    // Descriptions of registered revisions, by ARN: a revision never
    // changes (its status is read from the listing), so a page describes
    // only what it has not seen.
    r#"
    CREATE TABLE revision_cache (
        arn TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        cached_at INTEGER NOT NULL
    );
"#,
    // Local accounts (issue 13): who may sign in with which role, the
    // sessions they hold (by the hash of the cookie's id, never the id), and
    // recent failed sign-ins, to slow down guessing.
    r#"
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen INTEGER NOT NULL
    );
    CREATE TABLE sign_in_failures (
        user_name TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX sign_in_failures_by_user ON sign_in_failures (user_name, at);
"#,
    // The audit log: one entry per request that changes something in AWS,
    // and each call it sent. Append-only from the app's side: triggers refuse
    // deleting, and changing anything but filling in an ending once.
    // Sessions from an identity provider carry their own role (from its
    // claims at sign-in), and a sign-in in progress keeps its state, nonce
    // and PKCE verifier here, found by the state's hash.
    r#"
    CREATE TABLE audit_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        user_name TEXT NOT NULL,
        role TEXT NOT NULL,
        address TEXT NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        page TEXT NOT NULL,
        finished_at INTEGER,
        http_status INTEGER,
        link TEXT
    );
    CREATE INDEX audit_entries_by_user ON audit_entries (user_name, id);
    CREATE TABLE audit_calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_id INTEGER NOT NULL REFERENCES audit_entries (id),
        at INTEGER NOT NULL,
        service TEXT NOT NULL,
        operation TEXT NOT NULL,
        resource TEXT NOT NULL,
        request TEXT NOT NULL,
        answered_at INTEGER,
        outcome TEXT,
        http_status INTEGER,
        answer TEXT
    );
    CREATE INDEX audit_calls_by_entry ON audit_calls (entry_id);
    CREATE TRIGGER audit_entries_kept BEFORE DELETE ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_calls_kept BEFORE DELETE ON audit_calls
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_entries_end_once BEFORE UPDATE ON audit_entries
    WHEN OLD.finished_at IS NOT NULL
        OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
        OR NEW.user_name IS NOT OLD.user_name OR NEW.role IS NOT OLD.role
        OR NEW.address IS NOT OLD.address OR NEW.method IS NOT OLD.method
        OR NEW.path IS NOT OLD.path OR NEW.page IS NOT OLD.page
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_calls_end_once BEFORE UPDATE ON audit_calls
    WHEN OLD.answered_at IS NOT NULL
        OR NEW.id IS NOT OLD.id OR NEW.entry_id IS NOT OLD.entry_id
        OR NEW.at IS NOT OLD.at OR NEW.service IS NOT OLD.service
        OR NEW.operation IS NOT OLD.operation OR NEW.resource IS NOT OLD.resource
        OR NEW.request IS NOT OLD.request
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    ALTER TABLE sessions ADD COLUMN role TEXT;
    CREATE TABLE oidc_logins (
        state_hash TEXT PRIMARY KEY,
        browser_hash TEXT NOT NULL,
        nonce TEXT NOT NULL,
        pkce_verifier TEXT NOT NULL,
        back TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
"#,
    // REPLACE and INSERT OR REPLACE delete the row in their way without
    // firing delete triggers (SQLite's default): an insert that would meet
    // a row already there is refused before it gets that far.
    r#"
    CREATE TRIGGER audit_entries_never_replaced BEFORE INSERT ON audit_entries
    WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_entries WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_calls_never_replaced BEFORE INSERT ON audit_calls
    WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_calls WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#,
    // Whose a draft is (who may change it when people sign in; NULL: made
    // where nobody signs in), and its recent versions' bodies, so a Create
    // pressed on an older review can say what changed since.
    r#"
    ALTER TABLE resource_drafts ADD COLUMN owner TEXT;
    CREATE TABLE draft_versions (
        draft_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (draft_id, version)
    );
"#,
];

/// A change after version 11, in each dialect.
struct Migration {
    sqlite: &'static str,
    postgres: &'static str,
}

const BOTH: [Migration; 1] = [
    // Shared secrets (the CSRF key), and a lease on each run: the instance
    // sending its calls, and until when it holds it unless it renews.
    Migration {
        sqlite: r#"
    CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    ALTER TABLE runs ADD COLUMN holder TEXT;
    ALTER TABLE runs ADD COLUMN lease_until INTEGER;
"#,
        postgres: r#"
    CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    ALTER TABLE runs ADD COLUMN holder TEXT;
    ALTER TABLE runs ADD COLUMN lease_until BIGINT;
"#,
    },
];

/// The schema version this binary knows.
pub const LATEST: i64 = (SQLITE_TO_11.len() + BOTH.len()) as i64;

fn newer(found: i64) -> Result<(), StoreError> {
    if found > LATEST {
        return Err(StoreError::NewerSchema {
            found,
            known: LATEST,
        });
    }
    Ok(())
}

pub fn run_sqlite(connection: &mut Connection) -> Result<(), StoreError> {
    let done: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    newer(done)?;
    let all = SQLITE_TO_11
        .iter()
        .copied()
        .chain(BOTH.iter().map(|m| m.sqlite));
    for (index, sql) in all.enumerate().skip(usize::try_from(done).unwrap_or(0)) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(sql)?;
        transaction.pragma_update(None, "user_version", index + 1)?;
        transaction.commit()?;
    }
    Ok(())
}

/// Migrates under a lock all instances take, in one transaction. A
/// database already at this version is only read: the app's own role need
/// not be allowed to change tables (see [`Store::grant_app_role`]).
pub fn run_postgres(db: &mut Db) -> Result<(), StoreError> {
    db.transaction(|db| {
        // A schema change on a long audit log may take longer than a page's
        // statement is allowed to.
        db.batch("SET LOCAL statement_timeout = 0")?;
        db.serialize("ecs-wizard migrations")?;
        let exists: bool = db
            .query_one("SELECT to_regclass('ecs_wizard_schema') IS NOT NULL", &[])?
            .get(0)?;
        let done: i64 = if exists {
            db.query_one(
                "SELECT coalesce(max(version), 0) FROM ecs_wizard_schema",
                &[],
            )?
            .get(0)?
        } else {
            0
        };
        newer(done)?;
        if done == LATEST {
            return Ok(());
        }
        if !exists {
            db.batch("CREATE TABLE ecs_wizard_schema (version BIGINT NOT NULL)")?;
        }
        if done == 0 {
            db.batch(POSTGRES_AT_11)?;
        }
        let from = usize::try_from(done.max(11) - 11).unwrap_or(0);
        for migration in BOTH.iter().skip(from) {
            db.batch(migration.postgres)?;
        }
        db.execute("DELETE FROM ecs_wizard_schema", &[])?;
        db.execute(
            "INSERT INTO ecs_wizard_schema (version) VALUES (?1)",
            super::db::args![LATEST],
        )?;
        Ok(())
    })
}

impl super::Store {
    /// Lets `role` (the role the app connects as, not the tables' owner)
    /// read and write every table, and only add to the audit log: no DELETE
    /// or TRUNCATE there, and UPDATE of an entry's ending only. Not being
    /// the owner, it cannot drop the triggers either.
    pub async fn grant_app_role(&self, role: &str) -> Result<(), StoreError> {
        let role = format!("\"{}\"", role.replace('"', "\"\""));
        self.with(move |db| {
            db.batch(&format!(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}; \
                 GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}; \
                 REVOKE DELETE, TRUNCATE, UPDATE ON audit_entries, audit_calls FROM {role}; \
                 GRANT UPDATE (finished_at, http_status, link) ON audit_entries TO {role}; \
                 GRANT UPDATE (answered_at, outcome, http_status, answer) ON audit_calls TO {role}; \
                 REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ecs_wizard_schema FROM {role};"
            ))
        })
        .await
    }
}

/// PostgreSQL's first migration: the schema SQLite had at version 11. A
/// row's order of insertion, which SQLite keeps as `rowid`, is a column of
/// that name here. The audit log refuses deleting and truncating, and
/// changing anything but filling in an ending once.
const POSTGRES_AT_11: &str = r#"
    CREATE TABLE registrations (
        id BIGSERIAL PRIMARY KEY,
        draft_id TEXT NOT NULL,
        arn TEXT NOT NULL,
        family TEXT NOT NULL,
        revision BIGINT NOT NULL,
        response TEXT NOT NULL,
        registered_at BIGINT NOT NULL
    );
    CREATE INDEX registrations_by_family ON registrations (family, revision);
    CREATE TABLE resource_drafts (
        rowid BIGSERIAL UNIQUE,
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        created TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        version BIGINT NOT NULL DEFAULT 1,
        title TEXT NOT NULL DEFAULT '',
        owner TEXT
    );
    CREATE INDEX resource_drafts_by_kind ON resource_drafts (kind, updated_at);
    CREATE TABLE draft_versions (
        draft_id TEXT NOT NULL,
        version BIGINT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (draft_id, version)
    );
    CREATE TABLE runs (
        rowid BIGSERIAL UNIQUE,
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        draft_id TEXT NOT NULL,
        status TEXT NOT NULL,
        outcome TEXT,
        started_at BIGINT NOT NULL,
        finished_at BIGINT,
        snapshot TEXT
    );
    CREATE INDEX runs_by_draft ON runs (draft_id, started_at);
    CREATE INDEX runs_by_status ON runs (status);
    CREATE INDEX runs_by_kind ON runs (kind, started_at);
    CREATE TABLE run_steps (
        run_id TEXT NOT NULL REFERENCES runs (id),
        seq BIGINT NOT NULL,
        call TEXT NOT NULL,
        status TEXT NOT NULL,
        detail TEXT,
        at BIGINT NOT NULL,
        step_id TEXT,
        answer TEXT,
        PRIMARY KEY (run_id, seq)
    );
    CREATE TABLE failed_imports (
        rowid BIGSERIAL UNIQUE,
        id TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE TABLE revision_cache (
        arn TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        cached_at BIGINT NOT NULL
    );
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_seen BIGINT NOT NULL,
        role TEXT
    );
    CREATE TABLE sign_in_failures (
        user_name TEXT NOT NULL,
        at BIGINT NOT NULL
    );
    CREATE INDEX sign_in_failures_by_user ON sign_in_failures (user_name, at);
    CREATE TABLE oidc_logins (
        rowid BIGSERIAL UNIQUE,
        state_hash TEXT PRIMARY KEY,
        browser_hash TEXT NOT NULL,
        nonce TEXT NOT NULL,
        pkce_verifier TEXT NOT NULL,
        back TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE TABLE audit_entries (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        user_name TEXT NOT NULL,
        role TEXT NOT NULL,
        address TEXT NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        page TEXT NOT NULL,
        finished_at BIGINT,
        http_status BIGINT,
        link TEXT
    );
    CREATE INDEX audit_entries_by_user ON audit_entries (user_name, id);
    CREATE TABLE audit_calls (
        id BIGSERIAL PRIMARY KEY,
        entry_id BIGINT NOT NULL REFERENCES audit_entries (id),
        at BIGINT NOT NULL,
        service TEXT NOT NULL,
        operation TEXT NOT NULL,
        resource TEXT NOT NULL,
        request TEXT NOT NULL,
        answered_at BIGINT,
        outcome TEXT,
        http_status BIGINT,
        answer TEXT
    );
    CREATE INDEX audit_calls_by_entry ON audit_calls (entry_id);
    CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
    CREATE TRIGGER audit_entries_kept BEFORE DELETE OR TRUNCATE ON audit_entries
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
    CREATE TRIGGER audit_calls_kept BEFORE DELETE OR TRUNCATE ON audit_calls
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
    CREATE FUNCTION audit_entries_end_once() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.finished_at IS NOT NULL
            OR NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at
            OR NEW.user_name IS DISTINCT FROM OLD.user_name OR NEW.role IS DISTINCT FROM OLD.role
            OR NEW.address IS DISTINCT FROM OLD.address OR NEW.method IS DISTINCT FROM OLD.method
            OR NEW.path IS DISTINCT FROM OLD.path OR NEW.page IS DISTINCT FROM OLD.page
        THEN RAISE EXCEPTION 'the audit log is append-only'; END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER audit_entries_end_once BEFORE UPDATE ON audit_entries
        FOR EACH ROW EXECUTE FUNCTION audit_entries_end_once();
    CREATE FUNCTION audit_calls_end_once() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.answered_at IS NOT NULL
            OR NEW.id IS DISTINCT FROM OLD.id OR NEW.entry_id IS DISTINCT FROM OLD.entry_id
            OR NEW.at IS DISTINCT FROM OLD.at OR NEW.service IS DISTINCT FROM OLD.service
            OR NEW.operation IS DISTINCT FROM OLD.operation
            OR NEW.resource IS DISTINCT FROM OLD.resource
            OR NEW.request IS DISTINCT FROM OLD.request
        THEN RAISE EXCEPTION 'the audit log is append-only'; END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER audit_calls_end_once BEFORE UPDATE ON audit_calls
        FOR EACH ROW EXECUTE FUNCTION audit_calls_end_once();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_definition_drafts_move_into_the_one_drafts_table() {
        let mut connection = Connection::open_in_memory().unwrap();
        for (index, sql) in SQLITE_TO_11[..5].iter().enumerate() {
            connection.execute_batch(sql).unwrap();
            connection
                .pragma_update(None, "user_version", index + 1)
                .unwrap();
        }
        connection
            .execute(
                "INSERT INTO drafts (id, body, family, version, created_at, updated_at) VALUES ('d1', '{}', 'web', 3, 1, 2)",
                [],
            )
            .unwrap();
        run_sqlite(&mut connection).unwrap();
        let moved: (String, String, i64) = connection
            .query_row(
                "SELECT kind, title, version FROM resource_drafts WHERE id = 'd1'",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap();
        assert_eq!(moved, ("task_definitions".into(), "web".into(), 3));
        let old: i64 = connection
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'drafts'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(old, 0);
    }
}
