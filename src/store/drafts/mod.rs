//! Drafts: every wizard's work in progress, one table for all, each a form
//! kept as JSON under its kind (`roles`, `clusters`, `task_definitions`…)
//! with its version, its owner, its recent versions' bodies and, once
//! created, AWS's answer: a second press of Create shows that answer
//! instead of creating again. The task definition wizard's typed reads and
//! its drafts list are in [`task_definitions`].

mod services;
mod task_definitions;

pub use task_definitions::{Draft, DraftSummary};

use super::db::{Db, args};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Store, StoreError, now};
use crate::model::account::RepositoryHint;

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDraft<T> {
    pub body: T,
    /// What AWS answered to Create, once it succeeded.
    pub created: Option<Value>,
    /// Which save this is: a save based on an older one is refused.
    pub version: i64,
    /// Who made it, when people sign in.
    pub owner: Option<String>,
}

/// Versions of a draft whose bodies are kept (for what changed since a
/// review); older ones are dropped as new ones are saved.
pub const KEPT_VERSIONS: i64 = 50;

/// Keeps `body` as version `version` of draft `id`, dropping the oldest.
pub(super) fn keep_version(
    db: &mut Db,
    id: &str,
    version: i64,
    body: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO draft_versions (draft_id, version, body) VALUES (?1, ?2, ?3) \
         ON CONFLICT (draft_id, version) DO UPDATE SET body = excluded.body",
        args![id, version, body],
    )?;
    db.execute(
        "DELETE FROM draft_versions WHERE draft_id = ?1 AND version <= ?2",
        args![id, version - KEPT_VERSIONS],
    )?;
    Ok(())
}

impl Store {
    /// A new draft of `kind`, made by `owner` (None where nobody signs in).
    pub async fn create_resource_draft<T: Serialize>(
        &self,
        kind: &'static str,
        body: &T,
        owner: Option<&str>,
    ) -> Result<String, StoreError> {
        self.insert_draft(kind, serde_json::to_string(body)?, String::new(), owner)
            .await
    }

    pub(super) async fn insert_draft(
        &self,
        kind: &'static str,
        body: String,
        title: String,
        owner: Option<&str>,
    ) -> Result<String, StoreError> {
        let id = new_id();
        let (new, owner) = (id.clone(), owner.map(str::to_string));
        self.with(move |db| {
            db.transaction(|db| {
                db.execute(
                    "INSERT INTO resource_drafts (id, kind, body, title, owner, created_at, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                    args![&new, kind, &body, title, owner, now()],
                )?;
                keep_version(db, &new, 1, &body)
            })
        })
        .await?;
        Ok(id)
    }

    /// A copy of draft `id` (any kind) made by `owner`, at its first
    /// version and not created; None when there is no such draft.
    pub async fn copy_draft(
        &self,
        id: &str,
        owner: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        let (from, copy, owner) = (id.to_string(), new_id(), owner.map(str::to_string));
        let made = copy.clone();
        let copied = self
            .with(move |db| {
                db.transaction(|db| {
                    let copied = db.execute(
                        "INSERT INTO resource_drafts (id, kind, body, title, owner, created_at, updated_at) \
                         SELECT CAST(?2 AS TEXT), kind, body, title, CAST(?3 AS TEXT), CAST(?4 AS BIGINT), \
                         CAST(?4 AS BIGINT) FROM resource_drafts WHERE id = ?1",
                        args![&from, &made, owner, now()],
                    )?;
                    if copied == 1 {
                        db.execute(
                            "INSERT INTO draft_versions (draft_id, version, body) \
                             SELECT CAST(?2 AS TEXT), 1, body FROM resource_drafts WHERE id = ?1",
                            args![&from, &made],
                        )?;
                    }
                    Ok(copied == 1)
                })
            })
            .await?;
        Ok(copied.then_some(copy))
    }

    /// The body draft `id` had at `version`, as saved; None once that
    /// version is no longer kept (or never was: drafts saved before versions
    /// were kept).
    pub async fn draft_body_at(
        &self,
        id: &str,
        version: i64,
    ) -> Result<Option<String>, StoreError> {
        let id = id.to_string();
        self.with(move |db| {
            db.query_opt(
                "SELECT body FROM draft_versions WHERE draft_id = ?1 AND version = ?2",
                args![id, version],
            )?
            .map(|row| row.get(0))
            .transpose()
        })
        .await
    }

    /// The draft `id` of `kind`; None for an unknown id or another kind's.
    pub async fn resource_draft<T: DeserializeOwned + Send + 'static>(
        &self,
        kind: &'static str,
        id: &str,
    ) -> Result<Option<ResourceDraft<T>>, StoreError> {
        let id = id.to_string();
        self.with(move |db| {
            let row = db.query_opt(
                "SELECT body, created, version, owner FROM resource_drafts WHERE id = ?1 AND kind = ?2",
                args![id, kind],
            )?;
            row.map(|row| {
                Ok(ResourceDraft {
                    body: serde_json::from_str(&row.get::<String>(0)?)?,
                    created: row
                        .get::<Option<String>>(1)?
                        .map(|c| serde_json::from_str(&c))
                        .transpose()?,
                    version: row.get(2)?,
                    owner: row.get(3)?,
                })
            })
            .transpose()
        })
        .await
    }

    /// Saves the form if the draft is still at `version`; returns the new
    /// version, or [`StoreError::Conflict`] when another tab saved first.
    pub async fn save_resource_draft<T: Serialize>(
        &self,
        id: &str,
        version: i64,
        body: &T,
    ) -> Result<i64, StoreError> {
        self.save_body(id, version, serde_json::to_string(body)?, None)
            .await
    }

    /// Saves `body` (and `title`, when given) if draft `id` is still at
    /// `version`, keeping the new version's body.
    pub(super) async fn save_body(
        &self,
        id: &str,
        version: i64,
        body: String,
        title: Option<String>,
    ) -> Result<i64, StoreError> {
        let id = id.to_string();
        self.with(move |db| {
            db.transaction(|db| {
                let changed = db.execute(
                    "UPDATE resource_drafts SET body = ?2, title = coalesce(?5, title), updated_at = ?3, \
                     version = version + 1 WHERE id = ?1 AND version = ?4",
                    args![&id, &body, now(), version, title],
                )?;
                if changed == 0 {
                    return Err(StoreError::Conflict);
                }
                keep_version(db, &id, version + 1, &body)?;
                Ok(version + 1)
            })
        })
        .await
    }

    /// What the person has been working with, newest first: the names of
    /// repositories this app created, and the image URIs of task definition
    /// drafts. The checklist looks into these before any others.
    pub async fn recent_repository_hints(
        &self,
        limit: u32,
    ) -> Result<Vec<RepositoryHint>, StoreError> {
        self.with(move |db| {
            // Each container of each task definition draft: a JSON array
            // walked in each dialect's own way.
            let containers = if db.is_postgres() {
                "SELECT 1 AS is_image, c.value #>> '{image}' AS hint, d.updated_at \
                 FROM resource_drafts d, jsonb_array_elements(CASE WHEN jsonb_typeof( \
                 CAST(d.body AS jsonb) #> '{task_definition,containerDefinitions}') = 'array' \
                 THEN CAST(d.body AS jsonb) #> '{task_definition,containerDefinitions}' \
                 ELSE CAST('[]' AS jsonb) END) c WHERE d.kind = 'task_definitions'"
            } else {
                "SELECT 1 AS is_image, json_extract(c.value, '$.image') AS hint, d.updated_at \
                 FROM resource_drafts d, json_each(d.body, '$.task_definition.containerDefinitions') c \
                 WHERE d.kind = 'task_definitions' AND json_valid(d.body)"
            };
            let repository = db.json_text("body", "repository_name");
            let sql = format!(
                "SELECT is_image, hint FROM ( \
                   SELECT 0 AS is_image, {repository} AS hint, updated_at \
                   FROM resource_drafts WHERE kind = 'repositories' AND created IS NOT NULL \
                   UNION ALL {containers}) hints \
                 WHERE hint IS NOT NULL AND hint != '' ORDER BY updated_at DESC LIMIT ?1"
            );
            db.query(&sql, args![limit])?
                .iter()
                .map(|row| {
                    let hint: String = row.get(1)?;
                    Ok(if row.get::<bool>(0)? {
                        RepositoryHint::Image(hint)
                    } else {
                        RepositoryHint::Repository(hint)
                    })
                })
                .collect()
        })
        .await
    }

    pub async fn record_resource_created(
        &self,
        id: &str,
        created: &Value,
    ) -> Result<(), StoreError> {
        let created = serde_json::to_string(created)?;
        let id = id.to_string();
        self.with(move |db| {
            db.execute(
                "UPDATE resource_drafts SET created = ?2, updated_at = ?3 WHERE id = ?1",
                args![id, created, now()],
            )?;
            Ok(())
        })
        .await
    }
}

/// 128 random bits, hex: draft URLs cannot be guessed from one another.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    // getrandom only fails without an OS random source; fall back to the clock.
    if getrandom::fill(&mut bytes).is_err() {
        bytes[..8].copy_from_slice(&now().to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
