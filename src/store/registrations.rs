//! Every revision registered through the app: the history of task definitions.

use rusqlite::params;
use serde_json::Value;

use super::{Store, StoreError, now};

#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub id: i64,
    pub draft_id: String,
    pub arn: String,
    pub family: String,
    pub revision: i64,
    /// The RegisterTaskDefinition response as AWS wrote it.
    pub response: Value,
    pub registered_at: i64,
}

impl Store {
    pub async fn record_registration(
        &self,
        draft_id: &str,
        arn: &str,
        family: &str,
        revision: i64,
        response: &Value,
    ) -> Result<i64, StoreError> {
        let response = serde_json::to_string(response)?;
        let values = (draft_id.to_string(), arn.to_string(), family.to_string());
        self.with(move |connection| {
            let (draft_id, arn, family) = values;
            connection.execute(
                "INSERT INTO registrations (draft_id, arn, family, revision, response, registered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![draft_id, arn, family, revision, response, now()],
            )?;
            Ok(connection.last_insert_rowid())
        })
        .await
    }

    pub async fn registration(&self, id: i64) -> Result<Option<Registration>, StoreError> {
        self.with(move |connection| select_registrations(connection, Some(id), 1))
            .await
            .map(|mut rows| rows.pop())
    }

    /// Newest first.
    pub async fn recent_registrations(&self, limit: i64) -> Result<Vec<Registration>, StoreError> {
        self.with(move |connection| select_registrations(connection, None, limit))
            .await
    }
}

/// One registration by id, or (`None`) the newest ones.
fn select_registrations(
    connection: &mut rusqlite::Connection,
    id: Option<i64>,
    limit: i64,
) -> Result<Vec<Registration>, StoreError> {
    {
        let mut statement = connection.prepare(
            "SELECT id, draft_id, arn, family, revision, response, registered_at FROM registrations \
             WHERE ?1 IS NULL OR id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = statement
            .query_map(params![id, limit], |row| {
                Ok((
                    Registration {
                        id: row.get(0)?,
                        draft_id: row.get(1)?,
                        arn: row.get(2)?,
                        family: row.get(3)?,
                        revision: row.get(4)?,
                        response: Value::Null,
                        registered_at: row.get(6)?,
                    },
                    row.get::<_, String>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(registration, response)| {
                Ok(Registration {
                    response: serde_json::from_str(&response)?,
                    ..registration
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn registrations_are_kept_newest_first() {
        let store = Store::open_in_memory().unwrap();
        let response = serde_json::json!({"taskDefinition": {"revision": 1}});
        let first = store
            .record_registration("d", "arn:1", "web", 1, &response)
            .await
            .unwrap();
        let second = store
            .record_registration("d", "arn:2", "web", 2, &response)
            .await
            .unwrap();
        assert_eq!(
            store.registration(first).await.unwrap().unwrap().response,
            response
        );
        let recent = store.recent_registrations(10).await.unwrap();
        assert_eq!(
            recent.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![second, first]
        );
        assert_eq!(store.registration(99).await.unwrap(), None);
    }
}
