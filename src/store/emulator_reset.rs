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
        self.with(|db| {
            db.transaction(|db| {
                let registrations = db.execute("DELETE FROM registrations", &[])?;
                db.execute("DELETE FROM run_steps", &[])?;
                let runs = db.execute("DELETE FROM runs", &[])?;
                db.execute("DELETE FROM revision_cache", &[])?;
                let created = db.execute(
                    "UPDATE resource_drafts SET created = NULL WHERE created IS NOT NULL",
                    &[],
                )?;
                Ok(Forgotten {
                    registrations,
                    runs,
                    created,
                })
            })
        })
        .await
    }
}
