//! Plan runs held by the app: started, resumed or cleaned up in a task of
//! their own (a closed tab never stops one), each step written to the
//! journal before it is sent and again with AWS's answer.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::RunJournal;
use super::cleanup::cleanup_calls;
use super::plan::{Plan, fill_in, outputs_of};
use super::runner::{Earlier, Progress, Retry, run_delete, run_plan};
use crate::aws::{Aws, AwsError};
use crate::model::service::draft::ServiceDraft;
use crate::store::runs::{CLEANUP_BASE, Run};
use crate::store::runs::{RunStatus, StepStatus};
use crate::store::{Store, StoreError};

/// What an earlier attempt of `run` left of each step of its plan.
pub fn earlier_of(run: &Run) -> HashMap<String, Earlier> {
    run.steps
        .iter()
        .filter(|s| s.seq < CLEANUP_BASE)
        .filter_map(|s| match (s.status, &s.answer) {
            (StepStatus::Done | StepStatus::Adopted, Some(answer)) => {
                Some((s.step_id.clone(), Earlier::Done(answer.clone())))
            }
            (StepStatus::Started, _) => Some((s.step_id.clone(), Earlier::Unknown)),
            _ => None,
        })
        .collect()
}

/// Starts `plan` as a new run of draft `draft_id`; returns the run's id
/// at once, while the run goes on in its own task. None when the draft
/// has a run already (one not cleaned up).
pub async fn start(
    store: &Store,
    aws: &Aws,
    kind: &'static str,
    draft_id: &str,
    snapshot: &Value,
    plan: Plan,
    retry: Retry,
) -> Result<Option<String>, StoreError> {
    let Some(run_id) = store.start_run_once(kind, draft_id, snapshot).await? else {
        return Ok(None);
    };
    spawn_run(store, aws, &run_id, plan, HashMap::new(), retry);
    Ok(Some(run_id))
}

/// Takes a refused or cut-off run up again from where it stopped; false
/// when the run is in no state to resume (or another press got it first).
pub async fn resume(
    store: &Store,
    aws: &Aws,
    run: &Run,
    plan: Plan,
    retry: Retry,
) -> Result<bool, StoreError> {
    let from = [RunStatus::Refused, RunStatus::Interrupted];
    if !store.claim_run(&run.id, &from, RunStatus::Running).await? {
        return Ok(false);
    }
    carry_on(store, aws, run, plan, retry);
    Ok(true)
}

/// Goes on with a run this instance holds (taken over from one that
/// stopped): what its steps made is used, what may have been sent is
/// looked for before anything is sent again.
pub fn carry_on(store: &Store, aws: &Aws, run: &Run, plan: Plan, retry: Retry) {
    spawn_run(store, aws, &run.id, plan, earlier_of(run), retry);
}

/// The service wizard's draft as a run of it was started, and its plan.
pub fn service_plan_of(run: &Run) -> Result<(ServiceDraft, Plan), serde_json::Error> {
    let draft: ServiceDraft = serde_json::from_value(run.snapshot.clone())?;
    let plan = super::service_plan::plan(&draft);
    Ok((draft, plan))
}

fn spawn_run(
    store: &Store,
    aws: &Aws,
    run_id: &str,
    plan: Plan,
    earlier: HashMap<String, Earlier>,
    retry: Retry,
) {
    let journal = RunJournal::new(store.clone(), run_id.to_string(), false);
    let (store, run_id) = (store.clone(), run_id.to_string());
    let aws = aws.clone();
    crate::aws::audit::spawn(async move {
        let _lease = store.heartbeat(&run_id);
        let (status, outcome) = match run_plan(&aws, &plan, &journal, &earlier, &retry).await {
            Ok(progress) if progress.succeeded() => (RunStatus::Succeeded, outcome(&progress)),
            Ok(progress) => (RunStatus::Refused, outcome(&progress)),
            Err(error) => (
                RunStatus::Refused,
                json!({"failed": [{"step": "", "code": "InvalidPlan", "message": error.to_string()}]}),
            ),
        };
        if let Err(error) = store.finish_run(&run_id, status, &outcome).await {
            tracing::error!(%error, "a plan run's end could not be recorded");
        }
    });
}

fn outcome(progress: &Progress) -> Value {
    let failed: Vec<Value> = progress
        .failed
        .iter()
        .map(|(step, e)| json!({"step": step, "code": e.code, "message": e.message}))
        .collect();
    json!({"failed": failed, "outputs": progress.outputs})
}

/// Deletes what a refused or cut-off run made, newest first; false when
/// the run is in no state to clean up.
pub async fn clean_up(
    store: &Store,
    aws: &Aws,
    run: &Run,
    plan: Plan,
    retry: Retry,
) -> Result<bool, StoreError> {
    let from = [
        RunStatus::Refused,
        RunStatus::Interrupted,
        RunStatus::CleanupFailed,
    ];
    if !store
        .claim_run(&run.id, &from, RunStatus::CleaningUp)
        .await?
    {
        return Ok(false);
    }
    let journal = RunJournal::new(store.clone(), run.id.clone(), false);
    let (store, run_id) = (store.clone(), run.id.clone());
    let earlier = earlier_of(run);
    let aws = aws.clone();
    let retry = retry.for_cleanup();
    crate::aws::audit::spawn(async move {
        let _lease = store.heartbeat(&run_id);
        let removed = remove_made(&aws, &journal, &plan, &earlier, &retry).await;
        let status = if removed.is_ok() {
            RunStatus::Undone
        } else {
            RunStatus::CleanupFailed
        };
        let outcome = match removed {
            Ok(()) => json!({}),
            Err(e) => json!({"failed": [{"step": "", "code": e.code, "message": e.message}]}),
        };
        if let Err(error) = store.finish_run(&run_id, status, &outcome).await {
            tracing::error!(%error, "a clean-up's end could not be recorded");
        }
    });
    Ok(true)
}

async fn remove_made(
    aws: &Aws,
    journal: &RunJournal,
    plan: &Plan,
    earlier: &HashMap<String, Earlier>,
    retry: &Retry,
) -> Result<(), AwsError> {
    let mut answers = HashMap::new();
    let mut outputs = HashMap::new();
    for step in &plan.steps {
        if let Some(Earlier::Done(answer)) = earlier.get(&step.id) {
            outputs.extend(outputs_of(step, answer));
            answers.insert(step.id.clone(), answer.clone());
        }
    }
    // A step cut off without an answer may have made its resource: look.
    for step in &plan.steps {
        if earlier.get(&step.id) == Some(&Earlier::Unknown) {
            let mut call = step.call.clone();
            call.input = fill_in(&call.input, &outputs);
            if let Some(found) = aws.find_created(&call).await? {
                answers.insert(step.id.clone(), found);
            }
        }
    }
    let calls = cleanup_calls(plan, &answers, &outputs).map_err(|e| AwsError {
        code: "InvalidPlan".into(),
        message: e.to_string(),
    })?;
    // Dropping a cleanup line means it was never begun: the next try
    // records from the same places again.
    for (k, (step_id, call)) in calls.iter().enumerate() {
        run_delete(aws, journal, CLEANUP_BASE + k, step_id, call, retry).await?;
    }
    Ok(())
}
