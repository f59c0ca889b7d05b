//! The journal of creates, one for every wizard. A run is written before
//! its first AWS call and each call is written before it is sent and again
//! with AWS's answer, so a crash, a `kill -9` or a closed browser leaves a
//! record of what may exist. Resume reads the answers back as the outputs
//! later steps need; clean-up reads the ids of what was made from them.
//! Runs still `running` when the app starts were cut off: they become
//! `interrupted`, and their page offers to finish or undo them.

use rusqlite::{Connection, OptionalExtension, params};
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
    /// The step's place: its index in the plan, or `CLEANUP_BASE` + n for
    /// the n-th call of a clean-up.
    pub seq: usize,
    pub step_id: String,
    /// `elbv2:CreateListener (CreateListener)`
    pub call: String,
    pub status: StepStatus,
    pub detail: String,
    pub answer: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub id: String,
    pub kind: String,
    pub draft_id: String,
    pub status: RunStatus,
    pub outcome: Value,
    pub started_at: i64,
    /// The draft as it was when the run started.
    pub snapshot: Value,
    pub steps: Vec<RunStep>,
}

/// Clean-up calls are recorded after the plan's steps, from this place on.
pub const CLEANUP_BASE: usize = 10_000;

/// A run that needs the person: failed, cut off, or still going.
#[derive(Debug, Clone, PartialEq)]
pub struct UnfinishedRun {
    pub run_id: String,
    /// `services` (a wizard's run), `teardowns` (a service's deletion) or
    /// `changes` (a deletion or a role's policies).
    pub kind: String,
    pub draft_id: String,
    pub status: RunStatus,
    /// What the run makes, as the draft named it (a service name).
    pub name: String,
    pub started_at: i64,
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

    /// Records a new run of draft `draft_id`, unless the draft has one that
    /// is not cleaned up: then None (a double click starts one run).
    pub async fn start_run_once(
        &self,
        kind: &'static str,
        draft_id: &str,
        snapshot: &Value,
    ) -> Result<Option<String>, StoreError> {
        let id = new_id();
        let values = (id.clone(), draft_id.to_string(), snapshot.to_string());
        let inserted = self
            .with(move |connection| {
                let (run, draft, snapshot) = values;
                // One statement: the check and the insert cannot interleave
                // with another request's.
                Ok(connection.execute(
                    "INSERT INTO runs (id, kind, draft_id, status, started_at, snapshot) \
                     SELECT ?1, ?2, ?3, 'running', ?4, ?5 WHERE NOT EXISTS \
                     (SELECT 1 FROM runs WHERE draft_id = ?3 AND status != 'undone')",
                    params![run, kind, draft, now(), snapshot],
                )?)
            })
            .await?;
        Ok((inserted == 1).then_some(id))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn record_step(
        &self,
        run_id: &str,
        seq: usize,
        step_id: &str,
        call: &str,
        status: StepStatus,
        detail: &str,
        answer: Option<&Value>,
    ) -> Result<(), StoreError> {
        let values = (
            run_id.to_string(),
            step_id.to_string(),
            call.to_string(),
            detail.to_string(),
            answer.map(Value::to_string),
        );
        self.with(move |connection| {
            let (run, step_id, call, detail, answer) = values;
            connection.execute(
                "INSERT INTO run_steps (run_id, seq, step_id, call, status, detail, answer, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (run_id, seq) DO UPDATE SET status = excluded.status, detail = excluded.detail, \
                 answer = coalesce(excluded.answer, run_steps.answer), at = excluded.at",
                params![run, seq as i64, step_id, call, status.as_str(), detail, answer, now()],
            )?;
            Ok(())
        })
        .await
    }

    /// Moves a run from one of `from` to `to`, if it is in one of them: true
    /// when this caller got it (two presses of Resume start one run).
    pub async fn claim_run(
        &self,
        run_id: &str,
        from: &[RunStatus],
        to: RunStatus,
    ) -> Result<bool, StoreError> {
        let run = run_id.to_string();
        let from: Vec<&'static str> = from.iter().map(|s| s.as_str()).collect();
        self.with(move |connection| {
            let list = from
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ");
            let changed = connection.execute(
                &format!("UPDATE runs SET status = ?2, finished_at = NULL WHERE id = ?1 AND status IN ({list})"),
                params![run, to.as_str()],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    pub async fn run_by_id(&self, run_id: &str) -> Result<Option<Run>, StoreError> {
        let run = run_id.to_string();
        self.with(move |connection| read_run(connection, "id = ?1", &run))
            .await
    }

    /// The newest run of a draft.
    pub async fn latest_run(&self, draft_id: &str) -> Result<Option<Run>, StoreError> {
        let draft = draft_id.to_string();
        self.with(move |connection| read_run(connection, "draft_id = ?1", &draft))
            .await
    }

    /// The newest succeeded run of the service wizard that made service
    /// `service` of `cluster`: what its tear-down undoes.
    pub async fn service_run(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<Run>, StoreError> {
        // Cluster names hold no `/`: the pair is one key.
        let key = format!("{cluster}/{service}");
        self.with(move |connection| {
            read_run(
                connection,
                "kind = 'services' AND status = 'succeeded' AND \
                 json_extract(snapshot, '$.service.cluster') || '/' || \
                 json_extract(snapshot, '$.service.serviceName') = ?1",
                &key,
            )
        })
        .await
    }

    /// Service runs and tear-downs that failed, were cut off or are under
    /// way, newest first.
    pub async fn unfinished_runs(&self) -> Result<Vec<UnfinishedRun>, StoreError> {
        self.with(move |connection| {
            // A run's snapshot is its draft (`service.serviceName`); a
            // tear-down's names the service (`service`), a change what it
            // acts on (`name`).
            let mut statement = connection.prepare_cached(
                "SELECT id, kind, draft_id, status, \
                 coalesce(json_extract(snapshot, '$.service.serviceName'), json_extract(snapshot, '$.service'), \
                 json_extract(snapshot, '$.name'), ''), started_at \
                 FROM runs WHERE kind IN ('services', 'teardowns', 'changes') \
                 AND status IN ('running', 'refused', 'interrupted', 'cleaning_up', 'cleanup_failed') \
                 ORDER BY started_at DESC, rowid DESC LIMIT 20",
            )?;
            let rows = statement.query_map([], |row| {
                Ok(UnfinishedRun {
                    run_id: row.get(0)?,
                    kind: row.get(1)?,
                    draft_id: row.get(2)?,
                    status: RunStatus::parse(&row.get::<_, String>(3)?),
                    name: row.get(4)?,
                    started_at: row.get(5)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
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

fn read_run(
    connection: &Connection,
    condition: &str,
    key: &str,
) -> Result<Option<Run>, StoreError> {
    let row = connection
        .query_row(
            &format!(
                "SELECT id, kind, draft_id, status, outcome, started_at, coalesce(snapshot, 'null') FROM runs \
                 WHERE {condition} ORDER BY started_at DESC, rowid DESC LIMIT 1"
            ),
            [key],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, i64>(5)?,
                    row.get::<_, String>(6)?,
                ))
            },
        )
        .optional()?;
    let Some((id, kind, draft_id, status, outcome, started_at, snapshot)) = row else {
        return Ok(None);
    };
    let mut statement = connection.prepare_cached(
        "SELECT seq, coalesce(step_id, ''), call, status, coalesce(detail, ''), answer FROM run_steps \
         WHERE run_id = ?1 ORDER BY seq",
    )?;
    let steps = statement
        .query_map([&id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, Option<String>>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let steps = steps
        .into_iter()
        .map(|(seq, step_id, call, status, detail, answer)| {
            Ok(RunStep {
                seq: seq as usize,
                step_id,
                call,
                status: StepStatus::parse(&status),
                detail,
                answer: answer.map(|a| serde_json::from_str(&a)).transpose()?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some(Run {
        id,
        kind,
        draft_id,
        status: RunStatus::parse(&status),
        outcome: match outcome {
            Some(text) => serde_json::from_str(&text)?,
            None => Value::Null,
        },
        started_at,
        snapshot: serde_json::from_str(&snapshot)?,
        steps,
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

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
                    .record_step(&run, seq, id, id, status, "", None)
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

    #[tokio::test]
    async fn steps_keep_their_answers_and_a_run_is_claimed_once() {
        let store = Store::open_in_memory().unwrap();
        let snapshot = json!({"service": {"serviceName": "web"}});
        let run = store
            .start_run_once("services", "d1", &snapshot)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store
                .start_run_once("services", "d1", &snapshot)
                .await
                .unwrap(),
            None,
            "a second run of the same draft is not started"
        );
        let answer = json!({"GroupId": "sg-0123abcd"});
        for (status, answer) in [
            (StepStatus::Started, None),
            (StepStatus::Done, Some(&answer)),
        ] {
            store
                .record_step(
                    &run,
                    0,
                    "AlbSecurityGroup",
                    "ec2:CreateSecurityGroup",
                    status,
                    "",
                    answer,
                )
                .await
                .unwrap();
        }
        store
            .record_step(
                &run,
                1,
                "AlbIngress",
                "ec2:Authorize",
                StepStatus::Failed,
                "Throttling: slow",
                None,
            )
            .await
            .unwrap();
        store
            .finish_run(&run, RunStatus::Refused, &json!({}))
            .await
            .unwrap();
        let read = store.latest_run("d1").await.unwrap().unwrap();
        assert_eq!(read.snapshot, snapshot);
        assert_eq!(read.status, RunStatus::Refused);
        assert_eq!(read.steps[0].answer, Some(answer));
        assert_eq!(read.steps[1].status, StepStatus::Failed);
        let unfinished = store.unfinished_runs().await.unwrap();
        assert_eq!(unfinished.len(), 1);
        assert_eq!(unfinished[0].name, "web");
        // A tear-down names its service itself.
        let teardown = store
            .start_run_once("teardowns", "teardown:arn@t", &json!({"service": "api"}))
            .await
            .unwrap()
            .unwrap();
        let unfinished = store.unfinished_runs().await.unwrap();
        assert_eq!(unfinished[0].run_id, teardown);
        assert_eq!(
            (unfinished[0].kind.as_str(), unfinished[0].name.as_str()),
            ("teardowns", "api")
        );
        // A change names what it acts on.
        let change = store
            .start_run_once(
                "changes",
                "change:t",
                &json!({"kind": "delete-role", "name": "old"}),
            )
            .await
            .unwrap()
            .unwrap();
        let unfinished = store.unfinished_runs().await.unwrap();
        assert_eq!(unfinished[0].run_id, change);
        assert_eq!(unfinished[0].name, "old");
        store
            .finish_run(&change, RunStatus::Succeeded, &json!({}))
            .await
            .unwrap();

        let from = [RunStatus::Refused, RunStatus::Interrupted];
        assert!(
            store
                .claim_run(&run, &from, RunStatus::Running)
                .await
                .unwrap()
        );
        assert!(
            !store
                .claim_run(&run, &from, RunStatus::Running)
                .await
                .unwrap()
        );
        // Other kinds of run are not listed.
        store.start_run("clusters", "c1").await.unwrap();
        assert_eq!(store.unfinished_runs().await.unwrap().len(), 2);
    }
}
