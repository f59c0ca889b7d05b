//! The audit log: an entry per request that changes something in AWS, and
//! each call it sent. Entries are opened before the handler runs (so the
//! intent is on disk before anything is sent) and ended after. Calls arrive
//! from the SDK interceptor, which must not block: they go through a channel
//! to one writer thread, in the order they happened.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender};

use super::db::{Db, SqlValue, args};
use super::{Backend, Store, StoreError, now};
use crate::model::audit::{CallAnswered, CallEvent, CallSent};

/// Who asked for a change, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// "" when nobody signs in (one person on loopback).
    pub user: String,
    pub role: String,
    pub address: String,
    pub method: String,
    pub path: String,
    /// The page the form was on (the Referer's path), or "".
    pub page: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub user: String,
    pub role: String,
    pub address: String,
    pub method: String,
    pub path: String,
    pub page: String,
    pub finished_at: Option<i64>,
    pub http_status: Option<u16>,
    /// Where the app sent the person after (the run or what was changed).
    pub link: Option<String>,
    pub calls: Vec<AuditCall>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCall {
    pub at: i64,
    pub service: String,
    pub operation: String,
    pub resource: String,
    pub request: String,
    pub answered_at: Option<i64>,
    pub outcome: Option<String>,
    pub http_status: Option<u16>,
    pub answer: Option<String>,
}

/// Which entries to list. Dates are Unix seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub user: Option<String>,
    /// Part of a name: what a call changed, the path or the link.
    pub resource: Option<String>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    /// Entries older than this id (the next page).
    pub before: Option<i64>,
}

pub(super) enum Write {
    Call(CallEvent),
    /// Answered once everything sent before it is written.
    Flush(Sender<()>),
}

/// Starts the thread that writes calls; it ends when the last sender goes.
pub(super) fn start_writer(backend: Backend) -> Sender<Write> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("audit-writer".into())
        .spawn(move || write_calls(&backend, &receiver))
        .map_err(|error| tracing::error!(%error, "the audit writer could not start"))
        .ok();
    sender
}

fn write_calls(backend: &Backend, receiver: &Receiver<Write>) {
    // Call keys of calls not answered yet → their row.
    let mut rows: HashMap<u64, i64> = HashMap::new();
    while let Ok(write) = receiver.recv() {
        let event = match write {
            Write::Call(event) => event,
            Write::Flush(done) => {
                let _ = done.send(());
                continue;
            }
        };
        let written = match event {
            CallEvent::Sent(sent) => backend.blocking(|db| insert_call(db, &sent)).map(|row| {
                rows.insert(sent.call_key, row);
            }),
            CallEvent::Answered(answer) => match rows.remove(&answer.call_key) {
                Some(row) => backend.blocking(|db| answer_call(db, row, &answer)),
                None => Ok(()),
            },
        };
        if let Err(error) = written {
            tracing::error!(%error, "a call could not be written to the audit log");
        }
    }
}

fn insert_call(db: &mut Db, sent: &CallSent) -> Result<i64, StoreError> {
    db.query_one(
        "INSERT INTO audit_calls (entry_id, at, service, operation, resource, request) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        args![
            sent.entry_id,
            now(),
            &sent.service,
            &sent.operation,
            &sent.resource,
            &sent.request
        ],
    )?
    .get(0)
}

fn answer_call(db: &mut Db, row: i64, answer: &CallAnswered) -> Result<(), StoreError> {
    db.execute(
        "UPDATE audit_calls SET answered_at = ?2, outcome = ?3, http_status = ?4, answer = ?5 \
         WHERE id = ?1",
        args![
            row,
            now(),
            &answer.outcome,
            answer.http_status,
            &answer.answer
        ],
    )?;
    Ok(())
}

/// Entries a page shows at most; the CSV export reads this many at a time.
pub const PAGE: usize = 50;

impl Store {
    /// Records who asks for what, before it is sent; the entry's id.
    pub async fn open_audit_entry(&self, entry: NewEntry) -> Result<i64, StoreError> {
        self.with(move |db| {
            db.query_one(
                "INSERT INTO audit_entries (at, user_name, role, address, method, path, page) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                args![
                    now(),
                    entry.user,
                    entry.role,
                    entry.address,
                    entry.method,
                    entry.path,
                    entry.page
                ],
            )?
            .get(0)
        })
        .await
    }

    /// Ends an entry with the app's answer and where it sent the person.
    pub async fn end_audit_entry(
        &self,
        id: i64,
        http_status: u16,
        link: Option<String>,
    ) -> Result<(), StoreError> {
        self.with(move |db| {
            db.execute(
                "UPDATE audit_entries SET finished_at = ?2, http_status = ?3, link = ?4 WHERE id = ?1",
                args![id, now(), http_status, link],
            )?;
            Ok(())
        })
        .await
    }

    /// Where the interceptor sends each call's record.
    pub fn audit_sink(&self) -> Arc<dyn Fn(CallEvent) + Send + Sync> {
        let sender = self.audit.clone();
        Arc::new(move |event| {
            let _ = sender.send(Write::Call(event));
        })
    }

    /// Waits until every call recorded so far is written.
    pub async fn audit_written(&self) {
        let (done, wait) = std::sync::mpsc::channel();
        if self.audit.send(Write::Flush(done)).is_ok() {
            let _ = tokio::task::spawn_blocking(move || wait.recv()).await;
        }
    }

    /// Entries newest first, `limit` at most, with their calls.
    pub async fn audit_entries(
        &self,
        filter: AuditFilter,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_written().await;
        self.with(move |db| {
            let mut entries = select_entries(db, &filter, limit)?;
            attach_calls(db, &mut entries)?;
            Ok(entries)
        })
        .await
    }

    /// Everyone who has an entry, for the filter's choices.
    pub async fn audit_users(&self) -> Result<Vec<String>, StoreError> {
        self.with(|db| {
            db.query(
                "SELECT DISTINCT user_name FROM audit_entries ORDER BY user_name LIMIT 500",
                &[],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect()
        })
        .await
    }
}

fn select_entries(
    db: &mut Db,
    filter: &AuditFilter,
    limit: usize,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut sql = String::from(
        "SELECT id, at, user_name, role, address, method, path, page, finished_at, http_status, link \
         FROM audit_entries e WHERE 1 = 1",
    );
    let mut values: Vec<SqlValue> = Vec::new();
    if let Some(user) = &filter.user {
        values.push(user.clone().into());
        sql.push_str(&format!(" AND user_name = ?{}", values.len()));
    }
    if let Some(part) = &filter.resource {
        values.push(contains_pattern(&part.to_lowercase()).into());
        let n = values.len();
        sql.push_str(&format!(
            " AND (lower(path) LIKE ?{n} ESCAPE '!' OR lower(coalesce(link, '')) LIKE ?{n} ESCAPE '!' \
             OR EXISTS (SELECT 1 FROM audit_calls c WHERE c.entry_id = e.id \
             AND lower(c.resource) LIKE ?{n} ESCAPE '!'))"
        ));
    }
    for (bound, op) in [(filter.from, ">="), (filter.until, "<")] {
        if let Some(at) = bound {
            values.push(at.into());
            sql.push_str(&format!(" AND at {op} ?{}", values.len()));
        }
    }
    if let Some(before) = filter.before {
        values.push(before.into());
        sql.push_str(&format!(" AND id < ?{}", values.len()));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
    db.query(&sql, &values)?
        .iter()
        .map(|row| {
            Ok(AuditEntry {
                id: row.get(0)?,
                at: row.get(1)?,
                user: row.get(2)?,
                role: row.get(3)?,
                address: row.get(4)?,
                method: row.get(5)?,
                path: row.get(6)?,
                page: row.get(7)?,
                finished_at: row.get(8)?,
                http_status: row.get(9)?,
                link: row.get(10)?,
                calls: Vec::new(),
            })
        })
        .collect()
}

/// A LIKE pattern matching text that holds `part` anywhere (`!` escapes).
fn contains_pattern(part: &str) -> String {
    let mut pattern = String::from("%");
    for c in part.chars() {
        if matches!(c, '%' | '_' | '!') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

fn attach_calls(db: &mut Db, entries: &mut [AuditEntry]) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    // The entries' own ids (at most a page of them): a filtered page's
    // entries may lie far apart, and other entries' calls are not read.
    let slots = (1..=entries.len())
        .map(|n| format!("?{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT entry_id, at, service, operation, resource, request, answered_at, outcome, \
         http_status, answer FROM audit_calls WHERE entry_id IN ({slots}) ORDER BY id"
    );
    let ids: Vec<SqlValue> = entries.iter().map(|e| e.id.into()).collect();
    let mut by_entry: HashMap<i64, Vec<AuditCall>> = HashMap::new();
    for row in db.query(&sql, &ids)? {
        let call = AuditCall {
            at: row.get(1)?,
            service: row.get(2)?,
            operation: row.get(3)?,
            resource: row.get(4)?,
            request: row.get(5)?,
            answered_at: row.get(6)?,
            outcome: row.get(7)?,
            http_status: row.get(8)?,
            answer: row.get(9)?,
        };
        by_entry.entry(row.get(0)?).or_default().push(call);
    }
    for entry in entries {
        entry.calls = by_entry.remove(&entry.id).unwrap_or_default();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[tokio::test]
    async fn the_log_cannot_be_rewritten_or_shortened() {
        let store = Store::open_in_memory().unwrap();
        let id = store.open_audit_entry(entry("ann", "/x")).await.unwrap();
        store.audit_sink()(sent(id, 9, "r"));
        store.end_audit_entry(id, 200, None).await.unwrap();
        store.audit_written().await;
        // Ending twice, rewriting who or what, deleting: all refused.
        assert!(store.end_audit_entry(id, 500, None).await.is_err());
        let refused = |sql: &'static str| {
            let store = store.clone();
            async move { store.with(move |db| db.execute(sql, &[])).await.is_err() }
        };
        assert!(refused("UPDATE audit_entries SET user_name = 'eve'").await);
        assert!(refused("DELETE FROM audit_entries").await);
        assert!(refused("UPDATE audit_calls SET request = 'x'").await);
        assert!(refused("DELETE FROM audit_calls").await);
        // Each way SQLite has of replacing a row: delete triggers do not
        // fire for them.
        for table in ["audit_entries", "audit_calls"] {
            let copy = match table {
                "audit_entries" => {
                    "SELECT 1, at, 'eve', role, address, method, path, page, finished_at, http_status, link FROM audit_entries WHERE id = 1"
                }
                _ => {
                    "SELECT 1, entry_id, at, service, operation, resource, 'x', answered_at, outcome, http_status, answer FROM audit_calls WHERE id = 1"
                }
            };
            for verb in ["REPLACE INTO", "INSERT OR REPLACE INTO"] {
                let sql = format!("{verb} {table} {copy}");
                let store = store.clone();
                let done = store.with(move |db| db.execute(&sql, &[])).await;
                assert!(done.is_err(), "{verb} {table}");
            }
            let upsert =
                format!("INSERT INTO {table} {copy} ON CONFLICT (id) DO UPDATE SET at = 0");
            let done = store.with(move |db| db.execute(&upsert, &[])).await;
            assert!(done.is_err(), "an upsert into {table}");
            // Moving a row onto another's id would replace that one.
            let moved = format!("UPDATE OR REPLACE {table} SET id = 2 WHERE id = 1");
            let done = store.with(move |db| db.execute(&moved, &[])).await;
            assert!(done.is_err(), "UPDATE OR REPLACE on {table}");
        }
        let kept = store
            .audit_entries(AuditFilter::default(), PAGE)
            .await
            .unwrap();
        assert_eq!(kept[0].user, "ann");
        assert_eq!(kept[0].http_status, Some(200));
        assert_eq!(kept[0].calls.len(), 1);
    }
}
