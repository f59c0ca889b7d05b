//! Service drafts not yet made into a service, for the home page and for
//! the revision pages' "use this revision in a draft".

use crate::store::db::args;

use crate::store::{Store, StoreError};

/// The service wizard's drafts' kind.
const KIND: &str = "services";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDraftSummary {
    pub id: String,
    /// The service's name, as typed so far (may be empty).
    pub name: String,
    pub cluster: String,
    /// `family:revision`, as chosen so far.
    pub task_definition: String,
    pub updated_at: i64,
}

impl Store {
    /// Service drafts whose service was not created, newest first.
    pub async fn open_service_drafts(
        &self,
        limit: u32,
    ) -> Result<Vec<ServiceDraftSummary>, StoreError> {
        self.with(move |db| {
            let field = |path| format!("coalesce({}, '')", db.json_text("d.body", path));
            let sql = format!(
                "SELECT id, {}, {}, {}, updated_at \
                 FROM resource_drafts d WHERE kind = ?1 AND NOT EXISTS \
                 (SELECT 1 FROM runs r WHERE r.draft_id = d.id AND r.status = 'succeeded') \
                 ORDER BY updated_at DESC, d.rowid DESC LIMIT ?2",
                field("service.serviceName"),
                field("service.cluster"),
                field("service.taskDefinition"),
            );
            db.query(&sql, args![KIND, limit])?
                .iter()
                .map(|row| {
                    Ok(ServiceDraftSummary {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        cluster: row.get(2)?,
                        task_definition: row.get(3)?,
                        updated_at: row.get(4)?,
                    })
                })
                .collect()
        })
        .await
    }
}
