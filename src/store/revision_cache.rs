//! Descriptions of task definition revisions, kept by ARN: a registered
//! revision never changes, so each is described once.

use std::collections::HashMap;

use rusqlite::params;
use serde_json::Value;

use super::{Store, StoreError, now};

impl Store {
    /// The kept descriptions of those of `arns` that were described before.
    pub async fn cached_revisions(
        &self,
        arns: &[String],
    ) -> Result<HashMap<String, Value>, StoreError> {
        let arns = arns.to_vec();
        self.with(move |connection| {
            let mut statement =
                connection.prepare_cached("SELECT body FROM revision_cache WHERE arn = ?1")?;
            let mut found = HashMap::new();
            for arn in arns {
                let body: Option<String> = statement
                    .query_row([&arn], |row| row.get(0))
                    .map(Some)
                    .or_else(|e| match e {
                        rusqlite::Error::QueryReturnedNoRows => Ok(None),
                        other => Err(other),
                    })?;
                if let Some(value) = body.and_then(|b| serde_json::from_str(&b).ok()) {
                    found.insert(arn, value);
                }
            }
            Ok(found)
        })
        .await
    }

    pub async fn cache_revisions(&self, described: Vec<(String, Value)>) -> Result<(), StoreError> {
        self.with(move |connection| {
            let transaction = connection.transaction()?;
            {
                let mut statement = transaction.prepare_cached(
                    "INSERT OR REPLACE INTO revision_cache (arn, body, cached_at) VALUES (?1, ?2, ?3)",
                )?;
                for (arn, body) in &described {
                    statement.execute(params![arn, body.to_string(), now()])?;
                }
            }
            transaction.commit()?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[tokio::test]
    async fn a_description_is_kept_by_its_arn() {
        let store = Store::open_in_memory().unwrap();
        let arns = vec!["arn:a:1".to_string(), "arn:a:2".to_string()];
        assert!(store.cached_revisions(&arns).await.unwrap().is_empty());
        store
            .cache_revisions(vec![("arn:a:1".into(), json!({"revision": 1}))])
            .await
            .unwrap();
        let found = store.cached_revisions(&arns).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found["arn:a:1"]["revision"], 1);
    }
}
