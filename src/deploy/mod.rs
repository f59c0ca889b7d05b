//! Creates as runs: each is written to the journal before its first AWS call
//! and runs in a task of its own, so a closed tab or a slow answer never
//! leaves it half-done without a record. A run the app did not see to its
//! end (a crash, `kill -9`) is `interrupted` at the next start, and can be
//! finished (what exists is adopted) or undone (what it may have made is
//! removed).
//!
//! The service wizard's creates are plans of dependent steps
//! ([`plan_run`]): they can be resumed from a failed step or cleaned up.

pub mod change;
pub mod cleanup;
mod journal;
pub mod plan;
pub mod plan_run;
pub mod resource_run;
pub mod runner;
pub mod service_plan;
pub mod takeover;
pub mod teardown;

use std::future::Future;

use serde_json::{Value, json};

pub use journal::RunJournal;

use crate::aws::{AwsError, CreateError, Created, Undo};
use crate::store::runs::RunStatus;
use crate::store::{Store, StoreError};

/// Whether a run starts fresh or finishes one that was cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Fresh,
    Finish,
}

/// Runs `work` as a journaled run of draft `draft_id`, in its own task, and
/// records how it ended. `work` returns the run's status and outcome.
pub async fn run<F, Fut>(
    store: &Store,
    kind: &'static str,
    draft_id: &str,
    mode: Mode,
    work: F,
) -> Result<(), StoreError>
where
    F: FnOnce(RunJournal) -> Fut + Send + 'static,
    Fut: Future<Output = (RunStatus, Value)> + Send + 'static,
{
    let run_id = store.start_run(kind, draft_id).await?;
    let journal = RunJournal::new(store.clone(), run_id.clone(), mode == Mode::Finish);
    let store = store.clone();
    // Its own task: if the browser goes away, the handler is dropped, but the
    // run goes on to its end and its record.
    let task = crate::aws::audit::spawn(async move {
        let _lease = store.heartbeat(&run_id);
        let (status, outcome) = work(journal).await;
        store.finish_run(&run_id, status, &outcome).await
    });
    task.await
        .map_err(|error| StoreError::Task(error.to_string()))?
}

/// How a create ended, as the run records it.
pub fn outcome_of(result: &Result<Created, CreateError>) -> (RunStatus, Value) {
    match result {
        Ok(created) => (
            RunStatus::Succeeded,
            json!({"arn": created.arn, "response": created.response}),
        ),
        Err(CreateError::AlreadyExists) => (RunStatus::Exists, json!({})),
        Err(CreateError::Refused { error, undo }) => (
            RunStatus::Refused,
            json!({"code": error.code, "message": error.message, "undo": undo_json(undo)}),
        ),
    }
}

/// The record of an undo: each call, and AWS's error where it failed.
pub fn undo_json(undo: &[Undo]) -> Value {
    undo.iter()
        .map(|u| match &u.outcome {
            Ok(()) => json!({"call": u.call}),
            Err(e) => json!({"call": u.call, "code": e.code, "message": e.message}),
        })
        .collect()
}

/// Reads back what [`undo_json`] wrote.
pub fn undo_from(value: &Value) -> Vec<Undo> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| Undo {
                    call: item["call"].as_str().unwrap_or_default().to_string(),
                    outcome: match item["code"].as_str() {
                        None => Ok(()),
                        Some(code) => Err(AwsError {
                            code: code.to_string(),
                            message: item["message"].as_str().unwrap_or_default().to_string(),
                        }),
                    },
                })
                .collect()
        })
        .unwrap_or_default()
}

/// AWS's refusal as a refused run recorded it.
pub fn refusal_from(outcome: &Value) -> (AwsError, Vec<Undo>) {
    (
        AwsError {
            code: outcome["code"].as_str().unwrap_or_default().to_string(),
            message: outcome["message"].as_str().unwrap_or_default().to_string(),
        },
        undo_from(&outcome["undo"]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_and_its_undo_are_read_back_as_written() {
        let undo = vec![
            Undo {
                call: "iam:DeleteRole RoleName=web".into(),
                outcome: Ok(()),
            },
            Undo {
                call: "iam:DetachRolePolicy RoleName=web".into(),
                outcome: Err(AwsError {
                    code: "AccessDenied".into(),
                    message: "no".into(),
                }),
            },
        ];
        let error = AwsError {
            code: "LimitExceeded".into(),
            message: "too many".into(),
        };
        let (status, outcome) = outcome_of(&Err(CreateError::Refused {
            error: error.clone(),
            undo: undo.clone(),
        }));
        assert_eq!(status, RunStatus::Refused);
        assert_eq!(refusal_from(&outcome), (error, undo));
    }

    #[tokio::test]
    async fn a_run_goes_on_when_its_caller_is_dropped() {
        let store = Store::open_in_memory().unwrap();
        let (started, wait) = tokio::sync::oneshot::channel();
        let (release, go_on) = tokio::sync::oneshot::channel::<()>();
        let caller = tokio::spawn({
            let store = store.clone();
            async move {
                run(
                    &store,
                    "roles",
                    "d",
                    Mode::Fresh,
                    move |_journal| async move {
                        let _ = started.send(());
                        let _ = go_on.await;
                        (RunStatus::Succeeded, json!({"arn": "x"}))
                    },
                )
                .await
            }
        });
        wait.await.unwrap();
        caller.abort(); // the browser went away
        let _ = release.send(());
        for _ in 0..100 {
            let run = store.latest_run("d").await.unwrap().unwrap();
            if run.status == RunStatus::Succeeded {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the run did not finish on its own");
    }
}
