//! `ecs-wizard store copy`: an SQLite file's rows into an empty PostgreSQL
//! store, once, when a team moves to several instances. Rows keep their ids
//! and their order; the audit log is copied as it is (its triggers refuse
//! changing it, not adding to it).

use super::db::{Db, SqlValue};
use super::{Store, StoreError};

/// Every table and its columns, in an order that keeps references whole.
/// `rowid` is SQLite's order of insertion, a column of that name in
/// PostgreSQL where lists sort by it. A test holds this to the schema.
pub const TABLES: &[(&str, &[&str])] = &[
    (
        "registrations",
        &[
            "id",
            "draft_id",
            "arn",
            "family",
            "revision",
            "response",
            "registered_at",
        ],
    ),
    (
        "resource_drafts",
        &[
            "rowid",
            "id",
            "kind",
            "body",
            "created",
            "created_at",
            "updated_at",
            "version",
            "title",
            "owner",
        ],
    ),
    ("draft_versions", &["draft_id", "version", "body"]),
    (
        "runs",
        &[
            "rowid",
            "id",
            "kind",
            "draft_id",
            "status",
            "outcome",
            "started_at",
            "finished_at",
            "snapshot",
            "holder",
            "lease_until",
        ],
    ),
    (
        "run_steps",
        &[
            "run_id", "seq", "call", "status", "detail", "at", "step_id", "answer",
        ],
    ),
    ("failed_imports", &["rowid", "id", "json", "created_at"]),
    ("revision_cache", &["arn", "body", "cached_at"]),
    ("users", &["name", "role", "password_hash", "created_at"]),
    (
        "sessions",
        &["id_hash", "user_name", "created_at", "last_seen", "role"],
    ),
    ("sign_in_failures", &["user_name", "at"]),
    (
        "oidc_logins",
        &[
            "rowid",
            "state_hash",
            "browser_hash",
            "nonce",
            "pkce_verifier",
            "back",
            "created_at",
        ],
    ),
    (
        "audit_entries",
        &[
            "id",
            "at",
            "user_name",
            "role",
            "address",
            "method",
            "path",
            "page",
            "finished_at",
            "http_status",
            "link",
        ],
    ),
    (
        "audit_calls",
        &[
            "id",
            "entry_id",
            "at",
            "service",
            "operation",
            "resource",
            "request",
            "answered_at",
            "outcome",
            "http_status",
            "answer",
        ],
    ),
    ("settings", &["name", "value"]),
];

/// Rows read from SQLite at a time.
const BATCH: i64 = 500;

/// Rows copied, per table.
pub type Copied = Vec<(&'static str, usize)>;

impl Store {
    /// Copies every row of this store into `to`, which must hold none yet.
    pub async fn copy_into(&self, to: &Store) -> Result<Copied, StoreError> {
        let (from, to) = (self.backend.clone(), to.backend.clone());
        tokio::task::spawn_blocking(move || {
            from.blocking(|source| to.blocking(|target| copy(source, target)))
        })
        .await
        .map_err(|error| StoreError::Task(error.to_string()))?
    }
}

fn copy(source: &mut Db, target: &mut Db) -> Result<Copied, StoreError> {
    target.transaction(|target| {
        for (table, _) in TABLES {
            let held: i64 = target
                .query_one(&format!("SELECT count(*) FROM {table}"), &[])?
                .get(0)?;
            if held > 0 {
                return Err(StoreError::NotEmpty(table.to_string()));
            }
        }
        let mut copied = Copied::new();
        for (table, columns) in TABLES {
            copied.push((table, copy_table(source, target, table, columns)?));
        }
        if target.is_postgres() {
            // Ids made from now on follow the copied ones.
            for (table, column) in SERIALS {
                target.query(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), \
                         coalesce(max({column}), 0) + 1, false) FROM {table}"
                    ),
                    &[],
                )?;
            }
        }
        Ok(copied)
    })
}

const SERIALS: [(&str, &str); 6] = [
    ("registrations", "id"),
    ("resource_drafts", "rowid"),
    ("runs", "rowid"),
    ("failed_imports", "rowid"),
    ("oidc_logins", "rowid"),
    ("audit_entries", "id"),
];

fn copy_table(
    source: &mut Db,
    target: &mut Db,
    table: &str,
    columns: &[&str],
) -> Result<usize, StoreError> {
    let list = columns.join(", ");
    let places = (1..=columns.len())
        .map(|n| format!("?{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let insert = format!("INSERT INTO {table} ({list}) VALUES ({places})");
    // SQLite's rowid pages through any table, in the order rows came.
    let select = format!(
        "SELECT rowid AS copy_order, {list} FROM {table} WHERE rowid > ?1 ORDER BY rowid LIMIT ?2"
    );
    let (mut after, mut copied) = (0i64, 0usize);
    loop {
        let rows = source.query(&select, &[SqlValue::Int(after), SqlValue::Int(BATCH)])?;
        let Some(last) = rows.last() else {
            return Ok(copied);
        };
        after = last.get(0)?;
        for row in &rows {
            let values: Vec<SqlValue> = (1..=columns.len())
                .map(|i| row.get::<SqlValue>(i))
                .collect::<Result<_, _>>()?;
            target.execute(&insert, &values)?;
            copied += 1;
        }
    }
}
