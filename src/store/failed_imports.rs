//! An import that was refused, kept under a random id so its page has a GET
//! URL: switching the language (or reloading) shows the same text with the
//! error again, instead of an empty form. Only the newest few are kept.

use super::db::args;

use super::drafts::new_id;
use super::{Store, StoreError, now};

/// Enough for several people importing at once; older ones are dropped.
const KEPT: i64 = 20;

impl Store {
    pub async fn keep_failed_import(&self, json: &str) -> Result<String, StoreError> {
        let id = new_id();
        let (new, json) = (id.clone(), json.to_string());
        self.with(move |db| {
            db.transaction(|db| {
                db.execute(
                    "INSERT INTO failed_imports (id, json, created_at) VALUES (?1, ?2, ?3)",
                    args![&new, &json, now()],
                )?;
                db.execute(
                    "DELETE FROM failed_imports WHERE rowid NOT IN \
                     (SELECT rowid FROM failed_imports ORDER BY rowid DESC LIMIT ?1)",
                    args![KEPT],
                )?;
                Ok(())
            })
        })
        .await?;
        Ok(id)
    }

    pub async fn failed_import(&self, id: &str) -> Result<Option<String>, StoreError> {
        let id = id.to_string();
        self.with(move |db| {
            db.query_opt("SELECT json FROM failed_imports WHERE id = ?1", args![id])?
                .map(|row| row.get(0))
                .transpose()
        })
        .await
    }
}
