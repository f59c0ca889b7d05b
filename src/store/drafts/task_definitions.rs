//! The task definition wizard's drafts: its steps' work, saved on every
//! step so nothing is lost, and the list of those not yet registered.

use crate::store::db::args;
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
        self.with(move |db| {
            let sql = format!(
                "SELECT id, title, updated_at, coalesce({}, '') FROM resource_drafts WHERE kind = ?1 \
                 AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.draft_id = resource_drafts.id) \
                 ORDER BY updated_at DESC, rowid DESC LIMIT ?2",
                db.json_text("body", "step")
            );
            db.query(&sql, args![KIND, limit])?
                .iter()
                .map(|row| {
                    Ok(DraftSummary {
                        id: row.get(0)?,
                        family: row.get(1)?,
                        updated_at: row.get(2)?,
                        step: row.get(3)?,
                    })
                })
                .collect()
        })
        .await
    }

    /// Deletes a draft; its registrations stay in the history. False when
    /// there was no such draft.
    pub async fn delete_draft(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_string();
        self.with(move |db| {
            db.transaction(|db| {
                let deleted = db.execute(
                    "DELETE FROM resource_drafts WHERE id = ?1 AND kind = ?2",
                    args![&id, KIND],
                )? > 0;
                db.execute("DELETE FROM draft_versions WHERE draft_id = ?1", args![&id])?;
                Ok(deleted)
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
