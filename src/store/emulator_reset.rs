//! After an emulator is reset, what this app recorded about the account it
//! held is forgotten with it: the revisions registered here, the runs and
//! their journals, the revisions kept from AWS, and what each one-page
//! wizard's draft created. Drafts stay (they are the person's work, not
//! AWS's), and so does the audit log, which only grows.

use super::{Store, StoreError};

/// What was forgotten, as counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Forgotten {
    pub registrations: usize,
    pub runs: usize,
    pub created: usize,
}

impl Store {
    pub async fn forget_aws_records(&self) -> Result<Forgotten, StoreError> {
        self.with(|connection| {
            let transaction = connection.transaction()?;
            let registrations = transaction.execute("DELETE FROM registrations", [])?;
            transaction.execute("DELETE FROM run_steps", [])?;
            let runs = transaction.execute("DELETE FROM runs", [])?;
            transaction.execute("DELETE FROM revision_cache", [])?;
            let created = transaction.execute(
                "UPDATE resource_drafts SET created = NULL WHERE created IS NOT NULL",
                [],
            )?;
            transaction.commit()?;
            Ok(Forgotten {
                registrations,
                runs,
                created,
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[tokio::test]
    async fn a_reset_forgets_runs_and_registrations_and_keeps_drafts_and_the_audit_log() {
        let store = Store::open_in_memory().unwrap();
        let run = store
            .start_run_once("changes", "change:t", &json!({"name": "x"}))
            .await
            .unwrap()
            .unwrap();
        let draft = store.create_draft(&Default::default(), None).await.unwrap();
        let forgotten = store.forget_aws_records().await.unwrap();
        assert_eq!(forgotten.runs, 1);
        assert!(store.run_by_id(&run).await.unwrap().is_none());
        assert!(store.draft(&draft).await.unwrap().is_some(), "drafts stay");
        assert_eq!(
            store.forget_aws_records().await.unwrap(),
            Forgotten::default()
        );
    }
}
