//! Every revision registered through the app: the history of task definitions.

use super::db::{Db, args};
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
        self.with(move |db| {
            let (draft_id, arn, family) = values;
            db.query_one(
                "INSERT INTO registrations (draft_id, arn, family, revision, response, registered_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                args![draft_id, arn, family, revision, response, now()],
            )?
            .get(0)
        })
        .await
    }

    pub async fn registration(&self, id: i64) -> Result<Option<Registration>, StoreError> {
        self.with(move |db| select_registrations(db, Some(id), 1))
            .await
            .map(|mut rows| rows.pop())
    }

    /// Newest first.
    pub async fn recent_registrations(&self, limit: i64) -> Result<Vec<Registration>, StoreError> {
        self.with(move |db| select_registrations(db, None, limit))
            .await
    }
}

/// One registration by id, or (`None`) the newest ones.
fn select_registrations(
    db: &mut Db,
    id: Option<i64>,
    limit: i64,
) -> Result<Vec<Registration>, StoreError> {
    db.query(
        "SELECT id, draft_id, arn, family, revision, response, registered_at FROM registrations \
         WHERE CAST(?1 AS BIGINT) IS NULL OR id = ?1 ORDER BY id DESC LIMIT ?2",
        args![id, limit],
    )?
    .iter()
    .map(|row| {
        Ok(Registration {
            id: row.get(0)?,
            draft_id: row.get(1)?,
            arn: row.get(2)?,
            family: row.get(3)?,
            revision: row.get(4)?,
            response: serde_json::from_str(&row.get::<String>(5)?)?,
            registered_at: row.get(6)?,
        })
    })
    .collect()
}
