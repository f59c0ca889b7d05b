//! A confirmed list of calls sent in order as a run of its own: a service's
//! tear-down, deleting a cluster, a repository, a log group or a role, and
//! changing a role's policies. The list is worked out once, shown on the
//! confirmation, stored with the run as its snapshot, and the run (and a
//! resume, which skips the calls done) sends exactly it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::RunJournal;
use super::runner::{Retry, run_delete};
use crate::aws::{Aws, AwsError};
pub use crate::model::change::ChangeCall;
use crate::store::runs::Run;
use crate::store::runs::{RunStatus, StepStatus};
use crate::store::{Store, StoreError};

/// Something a change leaves in place, and why (a catalog key): what a
/// service's tear-down keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    /// Its id (an ARN, `sg-…`).
    pub what: String,
    pub step: String,
    pub reason: String,
    /// Its name, as the creating request gave it; empty in old snapshots.
    #[serde(default)]
    pub name: String,
}

/// What every change's snapshot holds, whatever else it says.
#[derive(Deserialize, Default)]
struct Calls {
    #[serde(default)]
    calls: Vec<ChangeCall>,
}

fn calls_of(run: &Run) -> Vec<ChangeCall> {
    serde_json::from_value::<Calls>(run.snapshot.clone())
        .unwrap_or_default()
        .calls
}

/// Starts the change as a run of `kind` keyed by `key`, and returns its id;
/// when one was already started for the key (a double click), that one's.
/// `snapshot` holds its `calls`.
pub async fn start(
    store: &Store,
    aws: &Aws,
    kind: &'static str,
    key: &str,
    snapshot: &Value,
    retry: Retry,
) -> Result<String, StoreError> {
    let Some(run_id) = store.start_run_once(kind, key, snapshot).await? else {
        let run = store.latest_run(key).await?;
        return run.map(|run| run.id).ok_or(StoreError::Conflict);
    };
    let calls = serde_json::from_value::<Calls>(snapshot.clone())
        .unwrap_or_default()
        .calls;
    spawn(store, aws, &run_id, calls, HashSet::new(), retry);
    Ok(run_id)
}

/// Takes a stopped change up again: the calls it finished are not sent.
pub async fn resume(store: &Store, aws: &Aws, run: &Run, retry: Retry) -> Result<bool, StoreError> {
    let from = [
        RunStatus::Refused,
        RunStatus::Interrupted,
        RunStatus::CleanupFailed,
    ];
    if !store.claim_run(&run.id, &from, RunStatus::Running).await? {
        return Ok(false);
    }
    carry_on(store, aws, run, retry);
    Ok(true)
}

/// Goes on with a change this instance holds: the calls it finished are
/// not sent again.
pub fn carry_on(store: &Store, aws: &Aws, run: &Run, retry: Retry) {
    let done = run
        .steps
        .iter()
        .filter(|s| s.status == StepStatus::Done)
        .map(|s| s.seq)
        .collect();
    spawn(store, aws, &run.id, calls_of(run), done, retry);
}

fn spawn(
    store: &Store,
    aws: &Aws,
    run_id: &str,
    calls: Vec<ChangeCall>,
    done: HashSet<usize>,
    retry: Retry,
) {
    let journal = RunJournal::new(store.clone(), run_id.to_string(), false);
    let (store, run_id, aws) = (store.clone(), run_id.to_string(), aws.clone());
    let retry = retry.for_cleanup();
    crate::aws::audit::spawn(async move {
        let _lease = store.heartbeat(&run_id);
        let (status, outcome) = match send(&aws, &journal, &calls, &done, &retry).await {
            Ok(()) => (RunStatus::Succeeded, json!({})),
            Err(e) => (
                RunStatus::CleanupFailed,
                json!({"failed": [{"step": "", "code": e.code, "message": e.message}]}),
            ),
        };
        if let Err(error) = store.finish_run(&run_id, status, &outcome).await {
            tracing::error!(%error, "a change's end could not be recorded");
        }
    });
}

async fn send(
    aws: &Aws,
    journal: &RunJournal,
    calls: &[ChangeCall],
    done: &HashSet<usize>,
    retry: &Retry,
) -> Result<(), AwsError> {
    for (seq, line) in calls.iter().enumerate() {
        if done.contains(&seq) {
            continue;
        }
        let call = line.call().ok_or_else(|| AwsError {
            code: "UnsupportedCall".into(),
            message: line.title(),
        })?;
        run_delete(aws, journal, seq, &line.step, &call, retry).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_snapshot_without_names_still_reads() {
        let old = json!({"cluster": "c", "service": "s", "calls": [
            {"step": "CreateService", "service": "ecs", "operation": "DeleteService", "input": {}}
        ]});
        let calls = serde_json::from_value::<Calls>(old).unwrap().calls;
        assert_eq!(calls[0].subject(), "CreateService");
    }
}
