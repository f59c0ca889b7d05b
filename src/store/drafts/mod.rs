//! Drafts: every wizard's work in progress, one table for all, each a form
//! kept as JSON under its kind (`roles`, `clusters`, `task_definitions`…)
//! with its version, its owner, its recent versions' bodies and, once
//! created, AWS's answer: a second press of Create shows that answer
//! instead of creating again. The task definition wizard's typed reads and
//! its drafts list are in [`task_definitions`].

mod services;
mod task_definitions;

pub use task_definitions::{Draft, DraftSummary};

use rusqlite::{OptionalExtension, params};
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
    connection: &rusqlite::Connection,
    id: &str,
    version: i64,
    body: &str,
) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT OR REPLACE INTO draft_versions (draft_id, version, body) VALUES (?1, ?2, ?3)",
        params![id, version, body],
    )?;
    connection.execute(
        "DELETE FROM draft_versions WHERE draft_id = ?1 AND version <= ?2",
        params![id, version - KEPT_VERSIONS],
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
        self.with(move |connection| {
            let transaction = connection.transaction()?;
            transaction.execute(
                "INSERT INTO resource_drafts (id, kind, body, title, owner, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![new, kind, body, title, owner, now()],
            )?;
            keep_version(&transaction, &new, 1, &body)?;
            transaction.commit()?;
            Ok(())
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
            .with(move |connection| {
                let transaction = connection.transaction()?;
                let copied = transaction.execute(
                    "INSERT INTO resource_drafts (id, kind, body, title, owner, created_at, updated_at) \
                     SELECT ?2, kind, body, title, ?3, ?4, ?4 FROM resource_drafts WHERE id = ?1",
                    params![from, made, owner, now()],
                )?;
                if copied == 1 {
                    transaction.execute(
                        "INSERT INTO draft_versions (draft_id, version, body) \
                         SELECT ?2, 1, body FROM resource_drafts WHERE id = ?1",
                        params![from, made],
                    )?;
                }
                transaction.commit()?;
                Ok(copied == 1)
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
        self.with(move |connection| {
            Ok(connection
                .query_row(
                    "SELECT body FROM draft_versions WHERE draft_id = ?1 AND version = ?2",
                    params![id, version],
                    |row| row.get(0),
                )
                .optional()?)
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
        self.with(move |connection| {
            let row: Option<(String, Option<String>, i64, Option<String>)> = connection
                .query_row(
                    "SELECT body, created, version, owner FROM resource_drafts WHERE id = ?1 AND kind = ?2",
                    params![id, kind],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()?;
            row.map(|(body, created, version, owner)| {
                Ok(ResourceDraft {
                    body: serde_json::from_str(&body)?,
                    created: created.map(|c| serde_json::from_str(&c)).transpose()?,
                    version,
                    owner,
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
        self.with(move |connection| {
            let transaction = connection.transaction()?;
            let changed = transaction.execute(
                "UPDATE resource_drafts SET body = ?2, title = coalesce(?5, title), updated_at = ?3, \
                 version = version + 1 WHERE id = ?1 AND version = ?4",
                params![id, body, now(), version, title],
            )?;
            if changed == 0 {
                return Err(StoreError::Conflict);
            }
            keep_version(&transaction, &id, version + 1, &body)?;
            transaction.commit()?;
            Ok(version + 1)
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
        self.with(move |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT is_image, hint FROM ( \
                   SELECT 0 AS is_image, json_extract(body, '$.repository_name') AS hint, updated_at \
                   FROM resource_drafts WHERE kind = 'repositories' AND created IS NOT NULL \
                   UNION ALL \
                   SELECT 1, json_extract(c.value, '$.image'), d.updated_at FROM resource_drafts d, \
                   json_each(d.body, '$.task_definition.containerDefinitions') c \
                   WHERE d.kind = 'task_definitions' AND json_valid(d.body)) \
                 WHERE hint IS NOT NULL AND hint != '' ORDER BY updated_at DESC LIMIT ?1",
            )?;
            let rows = statement.query_map(params![limit], |row| {
                let hint: String = row.get(1)?;
                Ok(if row.get::<_, bool>(0)? {
                    RepositoryHint::Image(hint)
                } else {
                    RepositoryHint::Repository(hint)
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
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
        self.with(move |connection| {
            connection.execute(
                "UPDATE resource_drafts SET created = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, created, now()],
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn repository_hints_are_created_repositories_and_draft_images() {
        let store = Store::open_in_memory().unwrap();
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

    #[tokio::test]
    async fn drafts_are_kept_by_kind_with_what_aws_answered() {
        let store = Store::open_in_memory().unwrap();
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

    #[tokio::test]
    async fn each_version_is_kept_and_a_copy_is_its_makers() {
        let store = Store::open_in_memory().unwrap();
        let id = store
            .create_resource_draft("roles", &serde_json::json!({"n": 1}), Some("ana"))
            .await
            .unwrap();
        for n in 2..=KEPT_VERSIONS + 5 {
            store
                .save_resource_draft(&id, n - 1, &serde_json::json!({"n": n}))
                .await
                .unwrap();
        }
        let at = |v| store.draft_body_at(&id, v);
        assert_eq!(at(KEPT_VERSIONS + 5).await.unwrap().unwrap(), r#"{"n":55}"#);
        assert_eq!(at(6).await.unwrap().unwrap(), r#"{"n":6}"#);
        assert_eq!(at(5).await.unwrap(), None, "only the last ones are kept");
        let draft: ResourceDraft<Value> =
            store.resource_draft("roles", &id).await.unwrap().unwrap();
        assert_eq!(draft.owner.as_deref(), Some("ana"));

        let copy = store.copy_draft(&id, Some("bo")).await.unwrap().unwrap();
        let copied: ResourceDraft<Value> =
            store.resource_draft("roles", &copy).await.unwrap().unwrap();
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
}
