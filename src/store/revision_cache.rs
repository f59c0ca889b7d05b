//! Descriptions of task definition revisions, kept by ARN: a registered
//! revision never changes, so each is described once.

use std::collections::HashMap;

use super::db::args;
use serde_json::Value;

use super::{Store, StoreError, now};

impl Store {
    /// The kept descriptions of those of `arns` that were described before.
    pub async fn cached_revisions(
        &self,
        arns: &[String],
    ) -> Result<HashMap<String, Value>, StoreError> {
        let arns = arns.to_vec();
        self.with(move |db| {
            let mut found = HashMap::new();
            for arn in arns {
                let body: Option<String> = db
                    .query_opt(
                        "SELECT body FROM revision_cache WHERE arn = ?1",
                        args![&arn],
                    )?
                    .map(|row| row.get(0))
                    .transpose()?;
                if let Some(value) = body.and_then(|b| serde_json::from_str(&b).ok()) {
                    found.insert(arn, value);
                }
            }
            Ok(found)
        })
        .await
    }

    pub async fn cache_revisions(&self, described: Vec<(String, Value)>) -> Result<(), StoreError> {
        self.with(move |db| {
            db.transaction(|db| {
                for (arn, body) in &described {
                    db.execute(
                        "INSERT INTO revision_cache (arn, body, cached_at) VALUES (?1, ?2, ?3) \
                         ON CONFLICT (arn) DO UPDATE SET body = excluded.body, cached_at = excluded.cached_at",
                        args![arn, body.to_string(), now()],
                    )?;
                }
                Ok(())
            })
        })
        .await
    }
}
