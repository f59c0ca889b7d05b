//! Service drafts not yet made into a service, for the home page and for
//! the revision pages' "use this revision in a draft".

use rusqlite::params;

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
        self.with(move |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT id, coalesce(json_extract(body, '$.service.serviceName'), ''), \
                 coalesce(json_extract(body, '$.service.cluster'), ''), \
                 coalesce(json_extract(body, '$.service.taskDefinition'), ''), updated_at \
                 FROM resource_drafts d WHERE kind = ?1 AND NOT EXISTS \
                 (SELECT 1 FROM runs r WHERE r.draft_id = d.id AND r.status = 'succeeded') \
                 ORDER BY updated_at DESC, rowid DESC LIMIT ?2",
            )?;
            let rows = statement.query_map(params![KIND, limit], |row| {
                Ok(ServiceDraftSummary {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    cluster: row.get(2)?,
                    task_definition: row.get(3)?,
                    updated_at: row.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::runs::RunStatus;

    #[tokio::test]
    async fn a_draft_leaves_the_list_once_its_service_is_created() {
        let store = Store::open_in_memory().unwrap();
        let body = json!({"service": {"serviceName": "web", "cluster": "demo", "taskDefinition": "web:3"}});
        let id = store
            .create_resource_draft(KIND, &body, None)
            .await
            .unwrap();
        let open = store.open_service_drafts(10).await.unwrap();
        assert_eq!(
            (
                open[0].name.as_str(),
                open[0].cluster.as_str(),
                open[0].task_definition.as_str()
            ),
            ("web", "demo", "web:3")
        );
        let run = store.start_run(KIND, &id).await.unwrap();
        store
            .finish_run(&run, RunStatus::Succeeded, &json!({}))
            .await
            .unwrap();
        assert!(store.open_service_drafts(10).await.unwrap().is_empty());
    }
}
