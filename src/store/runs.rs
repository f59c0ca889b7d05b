//! The journal of creates. A run is written before its first AWS call and
//! each call is written before it is sent and again with AWS's answer, so a
//! crash, a `kill -9` or a closed browser leaves a record of what may exist.
//! Runs still `running` when the app starts were cut off: they become
//! `interrupted`, and their page offers to finish or undo them.

use rusqlite::{Connection, params};
use serde_json::Value;

use super::drafts::new_id;
use super::{Store, StoreError, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Succeeded,
    /// A resource of that name already existed; nothing was created.
    Exists,
    /// AWS refused a call; what had been created was undone (see the steps).
    Refused,
    /// The app stopped while the run was under way.
    Interrupted,
    /// An interrupted run whose resources the person chose to remove.
    Undone,
    /// A plan run's clean-up is under way.
    CleaningUp,
    /// A clean-up that did not finish: it can only be tried again.
    CleanupFailed,
}

impl RunStatus {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Exists => "exists",
            RunStatus::Refused => "refused",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Undone => "undone",
            RunStatus::CleaningUp => "cleaning_up",
            RunStatus::CleanupFailed => "cleanup_failed",
        }
    }

    pub(super) fn parse(text: &str) -> Self {
        match text {
            "running" => RunStatus::Running,
            "succeeded" => RunStatus::Succeeded,
            "exists" => RunStatus::Exists,
            "refused" => RunStatus::Refused,
            "undone" => RunStatus::Undone,
            "cleaning_up" => RunStatus::CleaningUp,
            "cleanup_failed" => RunStatus::CleanupFailed,
            _ => RunStatus::Interrupted,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// Sent (or about to be); no answer recorded. After a crash: may have happened.
    Started,
    Done,
    Failed,
    /// It existed already (made by this run before it was cut off): adopted.
    Adopted,
}

impl StepStatus {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            StepStatus::Started => "started",
            StepStatus::Done => "done",
            StepStatus::Failed => "failed",
            StepStatus::Adopted => "adopted",
        }
    }

    pub(super) fn parse(text: &str) -> Self {
        match text {
            "done" => StepStatus::Done,
            "failed" => StepStatus::Failed,
            "adopted" => StepStatus::Adopted,
            _ => StepStatus::Started,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunStep {
    /// `iam:AttachRolePolicy RoleName=web PolicyArn=arn:…`
    pub call: String,
    pub status: StepStatus,
    /// AWS's error when it failed.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub id: String,
    pub status: RunStatus,
    /// What the run ended with (the created resource, or AWS's refusal), as JSON.
    pub outcome: Value,
    pub started_at: i64,
    pub steps: Vec<RunStep>,
}

impl Store {
    /// Records that a create of draft `draft_id` (of `kind`) is starting.
    pub async fn start_run(
        &self,
        kind: &'static str,
        draft_id: &str,
    ) -> Result<String, StoreError> {
        let id = new_id();
        let (run, draft) = (id.clone(), draft_id.to_string());
        self.with(move |connection| {
            connection.execute(
                "INSERT INTO runs (id, kind, draft_id, status, started_at) VALUES (?1, ?2, ?3, 'running', ?4)",
                params![run, kind, draft, now()],
            )?;
            Ok(())
        })
        .await?;
        Ok(id)
    }

    pub async fn finish_run(
        &self,
        run_id: &str,
        status: RunStatus,
        outcome: &Value,
    ) -> Result<(), StoreError> {
        let outcome = serde_json::to_string(outcome)?;
        let run = run_id.to_string();
        self.with(move |connection| {
            connection.execute(
                "UPDATE runs SET status = ?2, outcome = ?3, finished_at = ?4 WHERE id = ?1",
                params![run, status.as_str(), outcome, now()],
            )?;
            Ok(())
        })
        .await
    }

    /// The newest run of a draft, with its steps in order.
    pub async fn latest_run(&self, draft_id: &str) -> Result<Option<Run>, StoreError> {
        let draft = draft_id.to_string();
        self.with(move |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT id, status, outcome, started_at FROM runs WHERE draft_id = ?1 \
                 ORDER BY started_at DESC, rowid DESC LIMIT 1",
            )?;
            let mut rows = statement.query_map([draft], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, i64>(3)?,
                ))
            })?;
            let Some(row) = rows.next().transpose()? else {
                return Ok(None);
            };
            let (id, status, outcome, started_at) = row;
            let steps = steps_of(connection, &id)?;
            Ok(Some(Run {
                status: RunStatus::parse(&status),
                outcome: match outcome {
                    Some(text) => serde_json::from_str(&text)?,
                    None => Value::Null,
                },
                id,
                started_at,
                steps,
            }))
        })
        .await
    }
}

fn steps_of(connection: &Connection, run_id: &str) -> Result<Vec<RunStep>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT call, status, coalesce(detail, '') FROM run_steps WHERE run_id = ?1 ORDER BY seq",
    )?;
    let steps = statement.query_map([run_id], |row| {
        Ok(RunStep {
            call: row.get(0)?,
            status: StepStatus::parse(&row.get::<_, String>(1)?),
            detail: row.get(2)?,
        })
    })?;
    Ok(steps.collect::<Result<_, _>>()?)
}

/// At start: no run of an earlier process can still be under way.
pub(super) fn mark_interrupted(connection: &Connection) -> rusqlite::Result<usize> {
    // A clean-up cut off can only be tried again: resuming the plan would
    // take deleted resources for made ones.
    connection.execute(
        "UPDATE runs SET status = 'cleanup_failed' WHERE status = 'cleaning_up'",
        [],
    )?;
    connection.execute(
        "UPDATE runs SET status = 'interrupted' WHERE status = 'running'",
        [],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_run_and_its_steps_are_kept_and_a_restart_interrupts_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let run = store.start_run("roles", "d1").await.unwrap();
        let step = |seq: usize, id: &'static str, status: StepStatus| {
            let (store, run) = (store.clone(), run.clone());
            async move {
                store
                    .record_plan_step(&run, seq, id, id, status, "", None)
                    .await
                    .unwrap()
            }
        };
        step(0, "CreateRole", StepStatus::Started).await;
        step(0, "CreateRole", StepStatus::Done).await;
        step(1, "AttachRolePolicy", StepStatus::Started).await;
        let latest = store.latest_run("d1").await.unwrap().unwrap();
        assert_eq!(latest.status, RunStatus::Running);
        assert_eq!(
            latest.steps.iter().map(|s| s.status).collect::<Vec<_>>(),
            [StepStatus::Done, StepStatus::Started]
        );
        drop(store);

        let restarted = Store::open(dir.path()).unwrap();
        let latest = restarted.latest_run("d1").await.unwrap().unwrap();
        assert_eq!(latest.status, RunStatus::Interrupted);
        restarted
            .finish_run(&run, RunStatus::Undone, &serde_json::json!({"undo": []}))
            .await
            .unwrap();
        let latest = restarted.latest_run("d1").await.unwrap().unwrap();
        assert_eq!(latest.status, RunStatus::Undone);
        assert!(restarted.latest_run("other").await.unwrap().is_none());
    }
}
