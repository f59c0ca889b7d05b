//! Drafts of the one-page wizards. Each is a form kept as JSON under its kind
//! (`roles`, `clusters`…), and, once created, AWS's answer: a second press of
//! Create shows that answer instead of creating again.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::drafts::new_id;
use super::{Store, StoreError, now};

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDraft<T> {
    pub body: T,
    /// What AWS answered to Create, once it succeeded.
    pub created: Option<Value>,
}

impl Store {
    pub fn create_resource_draft<T: Serialize>(
        &self,
        kind: &str,
        body: &T,
    ) -> Result<String, StoreError> {
        let id = new_id();
        let at = now();
        self.lock()?.execute(
            "INSERT INTO resource_drafts (id, kind, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![id, kind, serde_json::to_string(body)?, at],
        )?;
        Ok(id)
    }

    /// The draft `id` of `kind`; None for an unknown id or another kind's.
    pub fn resource_draft<T: DeserializeOwned>(
        &self,
        kind: &str,
        id: &str,
    ) -> Result<Option<ResourceDraft<T>>, StoreError> {
        let row: Option<(String, Option<String>)> = self
            .lock()?
            .query_row(
                "SELECT body, created FROM resource_drafts WHERE id = ?1 AND kind = ?2",
                params![id, kind],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        row.map(|(body, created)| {
            Ok(ResourceDraft {
                body: serde_json::from_str(&body)?,
                created: created.map(|c| serde_json::from_str(&c)).transpose()?,
            })
        })
        .transpose()
    }

    pub fn save_resource_draft<T: Serialize>(&self, id: &str, body: &T) -> Result<(), StoreError> {
        self.lock()?.execute(
            "UPDATE resource_drafts SET body = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, serde_json::to_string(body)?, now()],
        )?;
        Ok(())
    }

    pub fn record_resource_created(&self, id: &str, created: &Value) -> Result<(), StoreError> {
        self.lock()?.execute(
            "UPDATE resource_drafts SET created = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, serde_json::to_string(created)?, now()],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_kept_by_kind_with_what_aws_answered() {
        let store = Store::open_in_memory().unwrap();
        let id = store
            .create_resource_draft("clusters", &serde_json::json!({"cluster_name": "a"}))
            .unwrap();
        let draft: ResourceDraft<Value> = store.resource_draft("clusters", &id).unwrap().unwrap();
        assert_eq!(draft.body["cluster_name"], "a");
        assert_eq!(draft.created, None);
        assert!(
            store
                .resource_draft::<Value>("roles", &id)
                .unwrap()
                .is_none(),
            "another kind's draft is not found"
        );
        store
            .save_resource_draft(&id, &serde_json::json!({"cluster_name": "b"}))
            .unwrap();
        store
            .record_resource_created(&id, &serde_json::json!({"arn": "x"}))
            .unwrap();
        let draft: ResourceDraft<Value> = store.resource_draft("clusters", &id).unwrap().unwrap();
        assert_eq!(draft.body["cluster_name"], "b");
        assert_eq!(draft.created.unwrap()["arn"], "x");
    }
}
