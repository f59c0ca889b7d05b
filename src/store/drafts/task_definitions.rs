//! The task definition wizard's drafts: its steps' work, saved on every
//! step so nothing is lost, and the list of those not yet registered.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::model::task_definition::TaskDefinition;
use crate::store::{Store, StoreError};

/// Task definition drafts' kind in the one drafts table.
const KIND: &str = "task_definitions";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub task_definition: TaskDefinition,
    /// Read-only fields an import left out, shown once on the first step.
    #[serde(default)]
    pub import_dropped: Vec<String>,
    /// The wizard step the person is on (`configure`, `containers`…):
    /// where the drafts list takes them back to.
    #[serde(default)]
    pub step: String,
    /// Which save this is (a column, not part of the body): a save based on
    /// an older version is refused.
    #[serde(skip)]
    pub version: i64,
    /// Who made it, when people sign in (a column, not part of the body).
    #[serde(skip)]
    pub owner: Option<String>,
}

/// A line of the drafts list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftSummary {
    pub id: String,
    pub family: String,
    pub updated_at: i64,
    /// The step it was left on, or empty for a draft saved before steps
    /// were recorded.
    pub step: String,
}

impl Store {
    pub async fn create_draft(
        &self,
        draft: &Draft,
        owner: Option<&str>,
    ) -> Result<String, StoreError> {
        let body = serde_json::to_string(draft)?;
        let family = draft.task_definition.family.clone();
        self.insert_draft(KIND, body, family, owner).await
    }

    pub async fn draft(&self, id: &str) -> Result<Option<Draft>, StoreError> {
        Ok(self
            .resource_draft::<Draft>(KIND, id)
            .await?
            .map(|saved| Draft {
                version: saved.version,
                owner: saved.owner,
                ..saved.body
            }))
    }

    /// Saves `draft` if it is still at `draft.version`; returns the new
    /// version, or [`StoreError::Conflict`] when another tab saved first.
    pub async fn save_draft(&self, id: &str, draft: &Draft) -> Result<i64, StoreError> {
        let body = serde_json::to_string(draft)?;
        let family = draft.task_definition.family.clone();
        self.save_body(id, draft.version, body, Some(family)).await
    }

    /// The most recently edited drafts, newest first.
    /// Drafts not yet registered, newest first: a registered one leaves
    /// the list (its revision is in the history).
    pub async fn recent_drafts(&self, limit: u32) -> Result<Vec<DraftSummary>, StoreError> {
        self.with(move |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT id, title, updated_at, coalesce(json_extract(body, '$.step'), '') FROM resource_drafts WHERE kind = ?1 \
                 AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.draft_id = resource_drafts.id) \
                 ORDER BY updated_at DESC, rowid DESC LIMIT ?2",
            )?;
            let rows = statement.query_map(params![KIND, limit], |row| {
                Ok(DraftSummary {
                    id: row.get(0)?,
                    family: row.get(1)?,
                    updated_at: row.get(2)?,
                    step: row.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Deletes a draft; its registrations stay in the history. False when
    /// there was no such draft.
    pub async fn delete_draft(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_string();
        self.with(move |connection| {
            let transaction = connection.transaction()?;
            let deleted = transaction.execute(
                "DELETE FROM resource_drafts WHERE id = ?1 AND kind = ?2",
                params![id, KIND],
            )? > 0;
            transaction.execute(
                "DELETE FROM draft_versions WHERE draft_id = ?1",
                params![id],
            )?;
            transaction.commit()?;
            Ok(deleted)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_draft_is_saved_and_read_back() {
        let store = Store::open_in_memory().unwrap();
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

    #[tokio::test]
    async fn a_save_based_on_an_older_version_is_refused() {
        let store = Store::open_in_memory().unwrap();
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

    #[tokio::test]
    async fn drafts_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let id = Store::open(dir.path())
            .unwrap()
            .create_draft(&Draft::default(), None)
            .await
            .unwrap();
        assert!(
            Store::open(dir.path())
                .unwrap()
                .draft(&id)
                .await
                .unwrap()
                .is_some()
        );
    }
}
