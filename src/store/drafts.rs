//! A wizard's work in progress, saved on every step so nothing is lost.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, now};
use crate::spec::task_definition::TaskDefinition;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub task_definition: TaskDefinition,
    /// Read-only fields an import left out, shown once on the first step.
    #[serde(default)]
    pub import_dropped: Vec<String>,
}

impl Store {
    pub fn create_draft(&self, draft: &Draft) -> Result<String, StoreError> {
        let id = new_id();
        let body = serde_json::to_string(draft)?;
        let at = now();
        self.lock()?.execute(
            "INSERT INTO drafts (id, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![id, body, at],
        )?;
        Ok(id)
    }

    pub fn draft(&self, id: &str) -> Result<Option<Draft>, StoreError> {
        let body: Option<String> = self
            .lock()?
            .query_row("SELECT body FROM drafts WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
    }

    pub fn save_draft(&self, id: &str, draft: &Draft) -> Result<(), StoreError> {
        let body = serde_json::to_string(draft)?;
        self.lock()?.execute(
            "UPDATE drafts SET body = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, body, now()],
        )?;
        Ok(())
    }

    /// The most recently edited drafts, newest first: (id, family).
    pub fn recent_drafts(&self, limit: u32) -> Result<Vec<(String, String)>, StoreError> {
        let connection = self.lock()?;
        let mut statement = connection.prepare(
            "SELECT id, json_extract(body, '$.task_definition.family') FROM drafts ORDER BY updated_at DESC, rowid DESC LIMIT ?1",
        )?;
        let rows = statement.query_map([limit], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// 128 random bits, hex: draft URLs cannot be guessed from one another.
pub(super) fn new_id() -> String {
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

    #[test]
    fn a_draft_is_saved_and_read_back() {
        let store = Store::open_in_memory().unwrap();
        let mut draft = Draft::default();
        draft.task_definition.family = "web".into();
        let id = store.create_draft(&draft).unwrap();
        assert_eq!(id.len(), 32);
        assert_eq!(store.draft(&id).unwrap(), Some(draft.clone()));
        draft.task_definition.cpu = Some("256".into());
        store.save_draft(&id, &draft).unwrap();
        assert_eq!(store.draft(&id).unwrap(), Some(draft));
        assert_eq!(store.draft("nope").unwrap(), None);
        assert_eq!(
            store.recent_drafts(5).unwrap(),
            vec![(id, "web".to_string())]
        );
    }

    #[test]
    fn drafts_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let id = Store::open(dir.path())
            .unwrap()
            .create_draft(&Draft::default())
            .unwrap();
        assert!(
            Store::open(dir.path())
                .unwrap()
                .draft(&id)
                .unwrap()
                .is_some()
        );
    }
}
