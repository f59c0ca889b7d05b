//! Drafts of the one-page wizards. Each is a form kept as JSON under its kind
//! (`roles`, `clusters`…), and, once created, AWS's answer: a second press of
//! Create shows that answer instead of creating again.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::drafts::new_id;
use super::{Store, StoreError, now};
use crate::model::account::RepositoryHint;

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDraft<T> {
    pub body: T,
    /// What AWS answered to Create, once it succeeded.
    pub created: Option<Value>,
    /// Which save this is: a save based on an older one is refused.
    pub version: i64,
}

impl Store {
    pub async fn create_resource_draft<T: Serialize>(
        &self,
        kind: &'static str,
        body: &T,
    ) -> Result<String, StoreError> {
        let id = new_id();
        let body = serde_json::to_string(body)?;
        let new = id.clone();
        self.with(move |connection| {
            connection.execute(
                "INSERT INTO resource_drafts (id, kind, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                params![new, kind, body, now()],
            )?;
            Ok(())
        })
        .await?;
        Ok(id)
    }

    /// The draft `id` of `kind`; None for an unknown id or another kind's.
    pub async fn resource_draft<T: DeserializeOwned + Send + 'static>(
        &self,
        kind: &'static str,
        id: &str,
    ) -> Result<Option<ResourceDraft<T>>, StoreError> {
        let id = id.to_string();
        self.with(move |connection| {
            let row: Option<(String, Option<String>, i64)> = connection
                .query_row(
                    "SELECT body, created, version FROM resource_drafts WHERE id = ?1 AND kind = ?2",
                    params![id, kind],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            row.map(|(body, created, version)| {
                Ok(ResourceDraft {
                    body: serde_json::from_str(&body)?,
                    created: created.map(|c| serde_json::from_str(&c)).transpose()?,
                    version,
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
        let body = serde_json::to_string(body)?;
        let id = id.to_string();
        self.with(move |connection| {
            let changed = connection.execute(
                "UPDATE resource_drafts SET body = ?2, updated_at = ?3, version = version + 1 \
                 WHERE id = ?1 AND version = ?4",
                params![id, body, now(), version],
            )?;
            if changed == 0 {
                return Err(StoreError::Conflict);
            }
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
            )
            .await
            .unwrap();
        store
            .create_resource_draft(
                "repositories",
                &serde_json::json!({"repository_name": "never-made"}),
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
            .create_resource_draft("clusters", &serde_json::json!({"cluster_name": "a"}))
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
}
