//! The journal of creates, one for every wizard. A run is written before
//! its first AWS call and each call is written before it is sent and again
//! with AWS's answer, so a crash, a `kill -9` or a closed browser leaves a
//! record of what may exist. Resume reads the answers back as the outputs
//! later steps need; clean-up reads the ids of what was made from them.
//! Runs still `running` when the app starts were cut off: they become
//! `interrupted`, and their page offers to finish or undo them.

use serde_json::Value;

use super::db::{Db, args};
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
        let (holder, until) = (self.instance.to_string(), self.lease_end());
        self.with(move |db| {
            db.execute(
                "INSERT INTO runs (id, kind, draft_id, status, started_at, holder, lease_until) \
                 VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6)",
                args![run, kind, draft, now(), holder, until],
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
        let (run, holder) = (run_id.to_string(), self.instance.to_string());
        self.with(move |db| {
            // Only its holder (or anyone, when nobody holds it) ends a
            // run: one that lost its lease leaves the run to the instance
            // that took it over.
            let ended = db.execute(
                "UPDATE runs SET status = ?2, outcome = ?3, finished_at = ?4, holder = NULL, \
                 lease_until = NULL WHERE id = ?1 AND (holder = ?5 OR holder IS NULL)",
                args![run, status.as_str(), outcome, now(), holder],
            )?;
            if ended == 0 {
                return Err(StoreError::LeaseLost);
            }
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
        let (holder, until) = (self.instance.to_string(), self.lease_end());
        let inserted = self
            .with(move |db| {
                let (run, draft, snapshot) = values;
                db.transaction(|db| {
                    // The check and the insert cannot interleave with
                    // another request's, on this instance or another.
                    db.serialize(&format!("run of {draft}"))?;
                    db.execute(
                        "INSERT INTO runs (id, kind, draft_id, status, started_at, snapshot, holder, lease_until) \
                         SELECT CAST(?1 AS TEXT), CAST(?2 AS TEXT), CAST(?3 AS TEXT), 'running', \
                         CAST(?4 AS BIGINT), CAST(?5 AS TEXT), CAST(?6 AS TEXT), CAST(?7 AS BIGINT) \
                         WHERE NOT EXISTS (SELECT 1 FROM runs WHERE draft_id = ?3 AND status != 'undone')",
                        args![run, kind, &draft, now(), snapshot, holder, until],
                    )
                })
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
        let (holder, until) = (self.instance.to_string(), self.lease_end());
        self.with(move |db| {
            let (run, step_id, call, detail, answer) = values;
            db.transaction(|db| {
                // A step is written (and so sent) only under the run's
                // lease, which this renews: two instances never both send.
                let held = db.execute(
                    "UPDATE runs SET lease_until = ?3 WHERE id = ?1 AND holder = ?2",
                    args![&run, holder, until],
                )?;
                if held == 0 {
                    return Err(StoreError::LeaseLost);
                }
                db.execute(
                    "INSERT INTO run_steps (run_id, seq, step_id, call, status, detail, answer, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                     ON CONFLICT (run_id, seq) DO UPDATE SET status = excluded.status, detail = excluded.detail, \
                     answer = coalesce(excluded.answer, run_steps.answer), at = excluded.at",
                    args![&run, seq, step_id, call, status.as_str(), detail, answer, now()],
                )?;
                Ok(())
            })
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
        let (holder, until) = (self.instance.to_string(), self.lease_end());
        self.with(move |db| {
            let list = from
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ");
            let changed = db.execute(
                &format!(
                    "UPDATE runs SET status = ?2, finished_at = NULL, holder = ?3, lease_until = ?4 \
                     WHERE id = ?1 AND status IN ({list})"
                ),
                args![run, to.as_str(), holder, until],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    pub async fn run_by_id(&self, run_id: &str) -> Result<Option<Run>, StoreError> {
        let run = run_id.to_string();
        self.with(move |db| read_run(db, "id = ?1", &run)).await
    }

    /// The newest run of a draft.
    pub async fn latest_run(&self, draft_id: &str) -> Result<Option<Run>, StoreError> {
        let draft = draft_id.to_string();
        self.with(move |db| read_run(db, "draft_id = ?1", &draft))
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
        self.with(move |db| {
            let condition = format!(
                "kind = 'services' AND status = 'succeeded' AND {} || '/' || {} = ?1",
                db.json_text("snapshot", "service.cluster"),
                db.json_text("snapshot", "service.serviceName"),
            );
            read_run(db, &condition, &key)
        })
        .await
    }

    /// Service runs and tear-downs that failed, were cut off or are under
    /// way, newest first.
    pub async fn unfinished_runs(&self) -> Result<Vec<UnfinishedRun>, StoreError> {
        self.with(move |db| {
            // A run's snapshot is its draft (`service.serviceName`); a
            // tear-down's names the service (`service`), a change what it
            // acts on (`name`).
            let sql = format!(
                "SELECT id, kind, draft_id, status, coalesce({}, {}, {}, ''), started_at \
                 FROM runs WHERE kind IN ('services', 'teardowns', 'changes') \
                 AND status IN ('running', 'refused', 'interrupted', 'cleaning_up', 'cleanup_failed') \
                 ORDER BY started_at DESC, rowid DESC LIMIT 20",
                db.json_text("snapshot", "service.serviceName"),
                db.json_text("snapshot", "service"),
                db.json_text("snapshot", "name"),
            );
            db.query(&sql, &[])?
                .iter()
                .map(|row| {
                    Ok(UnfinishedRun {
                        run_id: row.get(0)?,
                        kind: row.get(1)?,
                        draft_id: row.get(2)?,
                        status: RunStatus::parse(&row.get::<String>(3)?),
                        name: row.get(4)?,
                        started_at: row.get(5)?,
                    })
                })
                .collect()
        })
        .await
    }
}

/// At start: no run of an earlier process can still be under way.
pub(super) fn mark_interrupted(db: &mut Db) -> Result<usize, StoreError> {
    // A clean-up cut off can only be tried again: resuming the plan would
    // take deleted resources for made ones.
    db.execute(
        "UPDATE runs SET status = 'cleanup_failed', holder = NULL WHERE status = 'cleaning_up'",
        &[],
    )?;
    db.execute(
        "UPDATE runs SET status = 'interrupted', holder = NULL WHERE status = 'running'",
        &[],
    )
}

pub(super) fn read_run(db: &mut Db, condition: &str, key: &str) -> Result<Option<Run>, StoreError> {
    let sql = format!(
        "SELECT id, kind, draft_id, status, outcome, started_at, coalesce(snapshot, 'null') FROM runs \
         WHERE {condition} ORDER BY started_at DESC, rowid DESC LIMIT 1"
    );
    let Some(row) = db.query_opt(&sql, args![key])? else {
        return Ok(None);
    };
    let id: String = row.get(0)?;
    let steps = db
        .query(
            "SELECT seq, coalesce(step_id, ''), call, status, coalesce(detail, ''), answer FROM run_steps \
             WHERE run_id = ?1 ORDER BY seq",
            args![&id],
        )?
        .iter()
        .map(|step| {
            Ok(RunStep {
                seq: step.get(0)?,
                step_id: step.get(1)?,
                call: step.get(2)?,
                status: StepStatus::parse(&step.get::<String>(3)?),
                detail: step.get(4)?,
                answer: step
                    .get::<Option<String>>(5)?
                    .map(|a| serde_json::from_str(&a))
                    .transpose()?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some(Run {
        id,
        kind: row.get(1)?,
        draft_id: row.get(2)?,
        status: RunStatus::parse(&row.get::<String>(3)?),
        outcome: match row.get::<Option<String>>(4)? {
            Some(text) => serde_json::from_str(&text)?,
            None => Value::Null,
        },
        started_at: row.get(5)?,
        snapshot: serde_json::from_str(&row.get::<String>(6)?)?,
        steps,
    }))
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
}
