//! The run journal as the AWS adapters see it: every call written down
//! before it is sent and again with its answer.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::runner::PlanLog;
use crate::aws::{AwsError, StepLog};
use crate::store::Store;
use crate::store::runs::StepStatus;

pub struct RunJournal {
    store: Store,
    run_id: String,
    next: AtomicUsize,
    resuming: bool,
}

impl RunJournal {
    pub(super) fn new(store: Store, run_id: String, resuming: bool) -> Self {
        Self {
            store,
            run_id,
            next: AtomicUsize::new(0),
            resuming,
        }
    }
}

impl RunJournal {
    /// A journal for another layer's tests (the AWS adapters' replay tests).
    #[cfg(test)]
    pub(crate) fn for_tests(store: Store, run_id: String, resuming: bool) -> Self {
        Self::new(store, run_id, resuming)
    }
}

/// A call that could not be written down is not sent.
pub(super) fn not_recorded(error: crate::store::StoreError) -> AwsError {
    tracing::error!(%error, "the run journal could not be written");
    AwsError {
        code: "NotRecorded".into(),
        message: "ecs-wizard could not write this step to its journal, so it was not sent. The server log has the details.".into(),
    }
}

/// Plan steps are written at their place in the plan, with AWS's answer.
impl PlanLog for RunJournal {
    fn run_id(&self) -> &str {
        &self.run_id
    }

    async fn record(
        &self,
        seq: usize,
        step: &str,
        call: &str,
        status: StepStatus,
        detail: &str,
        answer: Option<&serde_json::Value>,
    ) -> Result<(), AwsError> {
        self.store
            .record_plan_step(&self.run_id, seq, step, call, status, detail, answer)
            .await
            .map_err(not_recorded)
    }
}

impl StepLog for RunJournal {
    async fn begin(&self, call: &str) -> Result<usize, AwsError> {
        let step = self.next.fetch_add(1, Ordering::SeqCst);
        self.store
            .record_step(&self.run_id, step, call, StepStatus::Started, "")
            .await
            .map_err(not_recorded)?;
        Ok(step)
    }

    async fn end(
        &self,
        step: usize,
        call: &str,
        outcome: Result<(), &AwsError>,
    ) -> Result<(), AwsError> {
        let (status, detail) = match outcome {
            Ok(()) => (StepStatus::Done, String::new()),
            Err(error) => (
                StepStatus::Failed,
                format!("{}: {}", error.code, error.message),
            ),
        };
        self.store
            .record_step(&self.run_id, step, call, status, &detail)
            .await
            .map_err(not_recorded)
    }

    fn resuming(&self) -> bool {
        self.resuming
    }
}
