//! An import that was refused, kept under a random id so its page has a GET
//! URL: switching the language (or reloading) shows the same text with the
//! error again, instead of an empty form. Only the newest few are kept.

use rusqlite::{OptionalExtension, params};

use super::drafts::new_id;
use super::{Store, StoreError, now};

/// Enough for several people importing at once; older ones are dropped.
const KEPT: i64 = 20;

impl Store {
    pub async fn keep_failed_import(&self, json: &str) -> Result<String, StoreError> {
        let id = new_id();
        let (new, json) = (id.clone(), json.to_string());
        self.with(move |connection| {
            let transaction = connection.transaction()?;
            transaction.execute(
                "INSERT INTO failed_imports (id, json, created_at) VALUES (?1, ?2, ?3)",
                params![new, json, now()],
            )?;
            transaction.execute(
                "DELETE FROM failed_imports WHERE rowid NOT IN \
                 (SELECT rowid FROM failed_imports ORDER BY rowid DESC LIMIT ?1)",
                [KEPT],
            )?;
            transaction.commit()?;
            Ok(())
        })
        .await?;
        Ok(id)
    }

    pub async fn failed_import(&self, id: &str) -> Result<Option<String>, StoreError> {
        let id = id.to_string();
        self.with(move |connection| {
            Ok(connection
                .query_row(
                    "SELECT json FROM failed_imports WHERE id = ?1",
                    [id],
                    |row| row.get(0),
                )
                .optional()?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_import_is_read_back_and_only_the_newest_are_kept() {
        let store = Store::open_in_memory().unwrap();
        let first = store.keep_failed_import("{,}").await.unwrap();
        assert_eq!(
            store.failed_import(&first).await.unwrap().as_deref(),
            Some("{,}")
        );
        for n in 0..KEPT {
            store.keep_failed_import(&n.to_string()).await.unwrap();
        }
        assert_eq!(store.failed_import(&first).await.unwrap(), None);
        assert_eq!(store.failed_import("nope").await.unwrap(), None);
    }
}
