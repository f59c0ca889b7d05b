//! The run journal as the plan runner sees it: every call written down
//! before it is sent and again with its answer.

use super::runner::PlanLog;
use crate::aws::AwsError;
use crate::store::Store;
use crate::store::runs::StepStatus;

pub struct RunJournal {
    store: Store,
    run_id: String,
    resuming: bool,
}

impl RunJournal {
    pub(super) fn new(store: Store, run_id: String, resuming: bool) -> Self {
        Self {
            store,
            run_id,
            resuming,
        }
    }
}

impl RunJournal {
    /// True when finishing a run that was cut off: what its steps may have
    /// made is looked for before anything is sent.
    pub fn resuming(&self) -> bool {
        self.resuming
    }

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
            .record_step(&self.run_id, seq, step, call, status, detail, answer)
            .await
            .map_err(not_recorded)
    }
}
