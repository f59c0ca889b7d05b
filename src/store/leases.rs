//! Leases on runs: the instance sending a run's calls holds it, renews it
//! while it goes (each step it writes, and a heartbeat between), and
//! another instance takes the run over once the holder stops renewing.
//! Steps are written under the lease before they are sent
//! ([`Store::record_step`]), so two instances never send the same call.

use std::time::Duration;

use super::db::args;
use super::runs::{Run, read_run};
use super::{Store, StoreError, now};

/// A lease long enough for a slow write, short enough that a lost instance's
/// runs go on within a minute.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// Runs taken over at most per look (the rest wait for the next).
const TAKEN_PER_LOOK: i64 = 10;

/// Renews a run's lease until dropped.
#[derive(Debug)]
pub struct LeaseHeartbeat(tokio::task::JoinHandle<()>);

impl Drop for LeaseHeartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Store {
    /// How long a lease lasts unless renewed.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// A lease for tests that take runs over quickly.
    #[doc(hidden)]
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    pub(super) fn lease_end(&self) -> i64 {
        now() + i64::try_from(self.lease.as_secs().max(1)).unwrap_or(i64::MAX)
    }

    /// Extends this instance's lease on `run_id`; false when it no longer
    /// holds it.
    pub async fn renew_lease(&self, run_id: &str) -> Result<bool, StoreError> {
        let (run, holder, until) = (
            run_id.to_string(),
            self.instance.to_string(),
            self.lease_end(),
        );
        self.with(move |db| {
            let renewed = db.execute(
                "UPDATE runs SET lease_until = ?3 WHERE id = ?1 AND holder = ?2",
                args![run, holder, until],
            )?;
            Ok(renewed == 1)
        })
        .await
    }

    /// Renews the lease on `run_id` three times a lease until dropped.
    pub fn heartbeat(&self, run_id: &str) -> LeaseHeartbeat {
        let (store, run) = (self.clone(), run_id.to_string());
        LeaseHeartbeat(tokio::spawn(async move {
            let every = store.lease / 3;
            loop {
                tokio::time::sleep(every).await;
                match store.renew_lease(&run).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(error) => tracing::warn!(%error, run, "a run's lease could not be renewed"),
                }
            }
        }))
    }

    /// Runs under way whose holder stopped renewing its lease, now held by
    /// this instance: what it must carry on.
    pub async fn take_over_expired(&self) -> Result<Vec<Run>, StoreError> {
        let (holder, until) = (self.instance.to_string(), self.lease_end());
        self.with(move |db| {
            let at = now();
            let expired = db.query(
                "SELECT id FROM runs WHERE status IN ('running', 'cleaning_up') \
                 AND (lease_until IS NULL OR lease_until < ?1) ORDER BY started_at LIMIT ?2",
                args![at, TAKEN_PER_LOOK],
            )?;
            let mut taken = Vec::new();
            for row in expired {
                let id: String = row.get(0)?;
                // Only one instance gets each: the condition is checked again
                // as the row is changed.
                let got = db.execute(
                    "UPDATE runs SET holder = ?2, lease_until = ?3 WHERE id = ?1 \
                     AND status IN ('running', 'cleaning_up') \
                     AND (lease_until IS NULL OR lease_until < ?4)",
                    args![&id, &holder, until, at],
                )?;
                if got == 1
                    && let Some(run) = read_run(db, "id = ?1", &id)?
                {
                    taken.push(run);
                }
            }
            Ok(taken)
        })
        .await
    }
}

impl Store {
    /// Leaves a run this instance took over but cannot carry on (a
    /// one-resource wizard's, which its page finishes or undoes) for a
    /// person, as a restart leaves it.
    pub async fn interrupt_run(&self, run_id: &str) -> Result<(), StoreError> {
        let (run, holder) = (run_id.to_string(), self.instance.to_string());
        self.with(move |db| {
            db.execute(
                "UPDATE runs SET status = CASE WHEN status = 'cleaning_up' THEN 'cleanup_failed' \
                 ELSE 'interrupted' END, holder = NULL, lease_until = NULL \
                 WHERE id = ?1 AND holder = ?2",
                args![run, holder],
            )?;
            Ok(())
        })
        .await
    }
}
