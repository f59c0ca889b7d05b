//! The page of a create that did not end in a result, a refusal or "already
//! exists": one cut off by a restart (finish or undo it), one still under way
//! in another tab, or one whose resources were removed.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::error::AppResult;
use super::page::Page;
use super::refusal::refused;
use crate::aws::NO_ANSWER;
use crate::deploy::{Mode, refusal_from, undo_from};
use crate::store::Store;
use crate::store::runs::{Run, RunStatus, StepStatus};

pub struct StepLine {
    pub call: String,
    /// Catalog key of what became of it.
    pub state: &'static str,
    /// CSS class: ok, warning, error.
    pub class: &'static str,
    pub detail: String,
}

pub struct RunView {
    pub page: Page,
    pub title: &'static str,
    pub lead: &'static str,
    pub steps: Vec<StepLine>,
    /// Set for an interrupted run: where Finish and Undo post.
    pub finish_url: String,
    pub undo_url: String,
    pub review_url: String,
    /// Why Finish and Undo cannot be pressed (preview mode), or empty.
    pub blocked: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "run.html")]
pub struct RunPage {
    pub v: RunView,
}

/// True while a draft's latest run is under way or was cut off: Create must
/// not start another one beside it (that is how a second revision or a
/// half-made role went unnoticed).
pub async fn run_pending(store: &Store, draft_id: &str) -> AppResult<bool> {
    Ok(store
        .latest_run(draft_id)
        .await?
        .is_some_and(|run| matches!(run.status, RunStatus::Running | RunStatus::Interrupted)))
}

/// How the next Create of a draft runs: as finishing the last one when that
/// one ended without an answer from AWS (it may have made what it asked
/// for, so that is looked for first), else fresh.
pub async fn next_mode(store: &Store, draft_id: &str) -> AppResult<Mode> {
    let unsure = store.latest_run(draft_id).await?.is_some_and(|run| {
        run.status == RunStatus::Refused && run.outcome["code"].as_str() == Some(NO_ANSWER)
    });
    Ok(if unsure { Mode::Finish } else { Mode::Fresh })
}

/// True when a draft's latest run was cut off (by a crash or `kill -9`):
/// only then can it be finished or undone.
pub async fn interrupted(store: &Store, draft_id: &str) -> AppResult<bool> {
    Ok(store
        .latest_run(draft_id)
        .await?
        .is_some_and(|run| run.status == RunStatus::Interrupted))
}

/// The page for a run that did not end in a result or "already exists"
/// (the callers show those their own way); the draft's pages live under
/// `draft_url`.
pub fn page_for(page: Page, run: &Run, draft_url: &str, review_url: String) -> Response {
    let (title, lead) = match run.status {
        RunStatus::Refused | RunStatus::Succeeded | RunStatus::Exists => {
            let (error, undo) = refusal_from(&run.outcome);
            let mut response = refused(page, error, undo, review_url);
            // A page read back, not the answer of the refused call itself.
            *response.status_mut() = StatusCode::OK;
            return response;
        }
        RunStatus::Interrupted => ("ui.run_interrupted", "h.run_interrupted"),
        // The one-page wizards' runs never clean up; a plan's have their own page.
        RunStatus::Running | RunStatus::CleaningUp | RunStatus::CleanupFailed => {
            ("ui.run_running", "h.run_running")
        }
        RunStatus::Undone => ("ui.run_undone", "h.run_undone"),
    };
    let interrupted = run.status == RunStatus::Interrupted;
    let mut steps: Vec<StepLine> = run.steps.iter().map(step_line).collect();
    if run.status == RunStatus::Undone {
        for undo in undo_from(&run.outcome["undo"]) {
            if let Err(error) = undo.outcome
                && let Some(line) = steps.iter_mut().find(|s| s.call == undo.call)
            {
                line.detail = super::refusal::said(page.tr, &error);
            }
        }
    }
    let blocked = page.create_blocked(false);
    let v = RunView {
        page,
        blocked,
        title,
        lead,
        steps,
        finish_url: if interrupted {
            format!("{draft_url}/finish")
        } else {
            String::new()
        },
        undo_url: if interrupted {
            format!("{draft_url}/undo")
        } else {
            String::new()
        },
        review_url,
    };
    RunPage { v }.into_response()
}

fn step_line(step: &crate::store::runs::RunStep) -> StepLine {
    let (state, class) = match step.status {
        StepStatus::Done => ("ui.step_done", "ok"),
        StepStatus::Adopted => ("ui.step_adopted", "ok"),
        StepStatus::Failed => ("ui.step_failed", "error"),
        StepStatus::Started => ("ui.step_unknown", "warning"),
    };
    StepLine {
        call: step.call.clone(),
        state,
        class,
        detail: step.detail.clone(),
    }
}

pub struct StepRow {
    pub number: usize,
    pub title: String,
    pub id: String,
    /// Catalog key of its state.
    pub state: &'static str,
    pub class: &'static str,
    pub detail: String,
}

/// A journal line as the run pages show it: its number, call, step and state.
pub fn step_row(run: &Run, seq: usize, title: String, id: String) -> StepRow {
    let record = run.steps.iter().find(|s| s.seq == seq);
    let (state, class) = match record.map(|r| r.status) {
        None => ("ui.step_waiting", ""),
        Some(StepStatus::Done) => ("ui.step_done", "ok"),
        Some(StepStatus::Adopted) => ("ui.step_adopted", "ok"),
        Some(StepStatus::Failed) => ("ui.step_failed", "error"),
        Some(StepStatus::Started) if run.status == RunStatus::Running => {
            ("ui.step_sending", "warning")
        }
        Some(StepStatus::Started) => ("ui.step_unknown", "warning"),
    };
    StepRow {
        number: seq + 1,
        title,
        id,
        state,
        class,
        detail: record.map(|r| r.detail.clone()).unwrap_or_default(),
    }
}

/// What stopped a run, a line per failed call: its step and what AWS's
/// refusal means, then AWS's code and message.
pub fn failure_text(tr: crate::i18n::Tr, run: &Run) -> String {
    run.outcome["failed"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let step = f["step"].as_str().unwrap_or_default();
            let said = super::refusal::said(
                tr,
                &crate::aws::AwsError {
                    code: f["code"].as_str().unwrap_or_default().to_string(),
                    message: f["message"].as_str().unwrap_or_default().to_string(),
                },
            );
            if step.is_empty() {
                said
            } else {
                format!("{step} {said}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
