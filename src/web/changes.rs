//! Changes to what exists — deleting a cluster, a repository (with its
//! images), a log group or a role (its policies first), and changing a
//! role's policies — each worked out from what AWS holds now, shown as the
//! calls it sends, and sent as a run of its own once confirmed. The run's
//! page follows it, offers Resume when it stops short, and says what was
//! done. A service's tear-down is such a run too, and shares the run page.
//!
//! The confirmation carries a digest of the calls it showed: Confirm works
//! them out again and sends nothing when they differ (something changed in
//! between), so what is sent is what was read.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{AppError, AppResult};
use super::form::{FormData, is_draft_id};
use super::messages::translate;
use super::page::{Page, is_htmx};
use super::route::{Routes, admin, get, post, viewer};
use super::runs::{StepRow, failure_text, step_row};
use super::state::AppState;
use crate::aws::{Aws, AwsError};
use crate::deploy::change::{self, ChangeCall, Kept};
use crate::model::access::Role;
use crate::model::change::{
    ChangeKind, PolicyEdit, delete_cluster_calls, delete_log_group_calls, delete_repository_calls,
    delete_role_calls, role_policy_calls,
};
use crate::store::runs::{Run, RunStatus, StepStatus};
use crate::web::refusal::said;

pub const KIND: &str = "changes";

pub fn routes() -> Routes {
    Routes::new()
        .route("/changes/new", get(viewer(confirm)))
        .route("/changes", post(admin(start)))
        .route("/changes/{id}", get(viewer(show)))
        .route("/changes/{id}/resume", post(admin(resume)))
}

/// What a change acts on: from a link, or from the form that made it.
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: ChangeKind,
    pub name: String,
    /// The role's policies as they should be (role-policies only).
    pub edit: PolicyEdit,
}

impl Request {
    /// None for a kind or name no page offers.
    pub fn new(kind: &str, name: &str, edit: PolicyEdit) -> Option<Self> {
        let kind = ChangeKind::parse(kind)?;
        kind.accepts(name).then(|| Self {
            kind,
            name: name.to_string(),
            edit,
        })
    }
}

#[derive(Deserialize)]
pub struct Link {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

/// The change as AWS holds things now.
struct Worked {
    calls: Vec<ChangeCall>,
    /// What it will do, in words.
    lead: String,
    /// Why it cannot be sent, in words; empty when it can.
    refusal: String,
}

/// None when what it acts on does not exist.
async fn work_out(aws: &Aws, page: &Page, request: &Request) -> Result<Option<Worked>, AwsError> {
    let tr = page.tr;
    let name = request.name.clone();
    let said = |key: &str, args: &[(&str, String)]| tr.fmt(key, args);
    let worked = |calls, lead| {
        Some(Worked {
            calls,
            lead,
            refusal: String::new(),
        })
    };
    Ok(match request.kind {
        ChangeKind::DeleteCluster => match aws.cluster(&name).await? {
            None => None,
            Some(cluster) => match delete_cluster_calls(&cluster) {
                Ok(calls) => worked(calls, said("h.delete_cluster", &[("name", name)])),
                Err(issue) => Some(Worked {
                    calls: Vec::new(),
                    lead: String::new(),
                    refusal: translate(tr, &issue),
                }),
            },
        },
        ChangeKind::DeleteRepository => match aws.image_count(&name).await? {
            None => None,
            Some(count) => {
                let shown = format!("{}{}", count.counted, if count.more { "+" } else { "" });
                let lead = if count.counted == 0 {
                    said("h.delete_repository_empty", &[("name", name.clone())])
                } else {
                    said(
                        "h.delete_repository",
                        &[("name", name.clone()), ("count", shown)],
                    )
                };
                worked(delete_repository_calls(&name, count.counted), lead)
            }
        },
        ChangeKind::DeleteLogGroup => {
            if aws.log_group_exists(&name).await? {
                worked(
                    delete_log_group_calls(&name),
                    said("h.delete_log_group", &[("name", name.clone())]),
                )
            } else {
                None
            }
        }
        ChangeKind::DeleteRole | ChangeKind::RolePolicies => {
            let role = match aws.role_details(&name).await {
                Ok(role) => role,
                Err(error) if error.code == "NoSuchEntity" => return Ok(None),
                Err(error) => return Err(error),
            };
            if request.kind == ChangeKind::DeleteRole {
                let lead = said(
                    "h.delete_role",
                    &[
                        ("name", name.clone()),
                        (
                            "count",
                            (role.attached.len() + role.inline.len()).to_string(),
                        ),
                    ],
                );
                worked(delete_role_calls(&role), lead)
            } else {
                let calls = role_policy_calls(&role, &request.edit);
                let refusal = if calls.is_empty() {
                    tr.t("h.role_policies_same").to_string()
                } else {
                    String::new()
                };
                Some(Worked {
                    calls,
                    lead: said("h.role_policies", &[("name", name)]),
                    refusal,
                })
            }
        }
    })
}

/// What Confirm compares: the calls, exactly.
fn digest(calls: &[ChangeCall]) -> String {
    let text = serde_json::to_string(calls).unwrap_or_default();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub struct CallRow {
    pub number: usize,
    pub title: String,
    pub what: String,
    pub json: String,
    pub cli: String,
}

pub struct ConfirmView {
    pub page: Page,
    pub title: String,
    pub kind: &'static str,
    pub name: String,
    pub lead: String,
    pub refusal: String,
    /// Set when Confirm found the calls changed since the page was shown.
    pub changed: bool,
    pub calls: Vec<CallRow>,
    pub back_url: String,
    /// The policy edit, as JSON, carried to Confirm.
    pub edit: String,
    pub ticket: String,
    pub digest: String,
    pub problem: String,
    pub blocked: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "changes/confirm.html")]
pub struct ConfirmPage {
    pub v: ConfirmView,
}

/// The confirmation of `request` as AWS holds things now.
pub async fn confirmation(
    state: &AppState,
    page: Page,
    request: &Request,
    changed: bool,
) -> AppResult<Response> {
    let worked = match state.connection.aws() {
        Some(aws) => Some(work_out(aws, &page, request).await),
        None => None,
    };
    confirmation_of(state, page, request, worked, changed)
}

/// The confirmation page of `request`, from what was worked out (None in
/// preview mode, where nothing is read).
fn confirmation_of(
    state: &AppState,
    page: Page,
    request: &Request,
    worked: Option<Result<Option<Worked>, AwsError>>,
    changed: bool,
) -> AppResult<Response> {
    let tr = page.tr;
    let mut v = ConfirmView {
        title: format!("{}: {}", tr.t(request.kind.title()), request.name),
        kind: request.kind.slug(),
        name: request.name.clone(),
        lead: String::new(),
        refusal: String::new(),
        changed,
        calls: Vec::new(),
        back_url: request.kind.back_url(&request.name),
        edit: serde_json::to_string(&request.edit).unwrap_or_default(),
        ticket: crate::store::new_id(),
        digest: String::new(),
        problem: String::new(),
        blocked: page.blocked_for(Role::Admin, false),
        page,
    };
    if let Some(worked) = worked {
        match worked {
            Ok(None) => return Err(AppError::NotFound),
            Ok(Some(worked)) => {
                let region = state.connection.region();
                v.digest = digest(&worked.calls);
                v.calls = worked
                    .calls
                    .iter()
                    .enumerate()
                    .filter_map(|(n, c)| {
                        let call = c.call()?;
                        Some(CallRow {
                            number: n + 1,
                            title: c.title(),
                            what: c.subject().to_string(),
                            json: call.json(),
                            cli: call.cli(region),
                        })
                    })
                    .collect();
                v.lead = worked.lead;
                v.refusal = worked.refusal;
            }
            Err(error) => v.problem = said(v.page.tr, &error),
        }
    }
    let status = if changed {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok((status, ConfirmPage { v }).into_response())
}

/// `/changes/new?kind=delete-cluster&name=demo`: the confirmation.
pub async fn confirm(
    State(state): State<AppState>,
    page: Page,
    Query(link): Query<Link>,
) -> AppResult<Response> {
    let request =
        Request::new(&link.kind, &link.name, PolicyEdit::default()).ok_or(AppError::NotFound)?;
    if request.kind == ChangeKind::RolePolicies {
        // Its confirmation comes from the role page's form.
        return Ok(Redirect::to(&format!("/roles/{}", request.name)).into_response());
    }
    confirmation(&state, page, &request, false).await
}

/// Confirm: sends the calls the confirmation showed, as a run.
pub async fn start(
    State(state): State<AppState>,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = FormData::new(pairs);
    let edit: PolicyEdit = serde_json::from_str(&form.text("edit")).unwrap_or_default();
    let request =
        Request::new(&form.text("kind"), &form.text("name"), edit).ok_or(AppError::NotFound)?;
    let ticket = form.text("ticket");
    if !is_draft_id(&ticket) || !request.edit.validate().is_empty() {
        return Err(AppError::NotFound);
    }
    let Some(aws) = state.connection.aws() else {
        return confirmation(&state, page, &request, false).await;
    };
    let key = format!("change:{ticket}");
    // A second press of the same Confirm: the run it started.
    if let Some(run) = state.store.latest_run(&key).await? {
        return Ok(Redirect::to(&run_url(&run.id)).into_response());
    }
    // What Confirm finds is what the page says again when it differs:
    // nothing is read twice.
    let worked = match work_out(aws, &page, &request).await {
        Ok(Some(worked))
            if worked.refusal.is_empty() && digest(&worked.calls) == form.text("digest") =>
        {
            worked
        }
        other => return confirmation_of(&state, page, &request, Some(other), true),
    };
    let snapshot = serde_json::to_value(Snapshot {
        kind: request.kind,
        name: request.name.clone(),
        calls: worked.calls,
    })
    .unwrap_or_default();
    let id = change::start(&state.store, aws, KIND, &key, &snapshot, state.plan_retry).await?;
    Ok(Redirect::to(&run_url(&id)).into_response())
}

/// What a change's run keeps: what it is, and the calls it sends.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    kind: ChangeKind,
    name: String,
    calls: Vec<ChangeCall>,
}

fn run_url(id: &str) -> String {
    format!("/changes/{id}")
}

/// The page of a run of calls, a change's or a tear-down's.
pub struct RunView {
    pub page: Page,
    pub heading: String,
    pub back_url: String,
    pub back_label: &'static str,
    pub status: String,
    pub class: &'static str,
    pub poll_url: String,
    pub steps: Vec<StepRow>,
    pub kept: Vec<Kept>,
    /// What was done, once the run has ended.
    pub done: Vec<String>,
    pub failure: String,
    pub resume_url: String,
    pub blocked: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "changes/run.html")]
pub struct RunPage {
    pub v: RunView,
}

#[derive(Template, WebTemplate)]
#[template(path = "changes/run_partial.html")]
pub struct RunPartial {
    pub v: RunView,
}

/// What a run's page says of it, in the reader's words.
pub struct RunWords {
    pub heading: String,
    /// What it says once the run succeeded.
    pub done: String,
    pub back_url: String,
    /// Catalog key of the way back.
    pub back_label: &'static str,
}

/// The run page's view.
pub fn run_view(
    page: Page,
    run: &Run,
    url: &str,
    calls: &[ChangeCall],
    kept: Vec<Kept>,
    words: RunWords,
) -> RunView {
    let tr = page.tr;
    let (status, class) = match run.status {
        RunStatus::Running => (tr.t("ui.change_running").to_string(), "warning"),
        RunStatus::Succeeded => (words.done, "ok"),
        _ => (tr.t("ui.change_stopped").to_string(), "error"),
    };
    let steps = calls
        .iter()
        .enumerate()
        .map(|(n, c)| step_row(run, n, c.title(), c.subject().to_string()))
        .collect();
    let done = if run.status == RunStatus::Running {
        Vec::new()
    } else {
        calls
            .iter()
            .enumerate()
            .filter(|(n, c)| {
                c.operation != "UpdateService"
                    && run
                        .steps
                        .iter()
                        .any(|s| s.seq == *n && s.status == StepStatus::Done)
            })
            .map(|(_, c)| format!("{} {}", c.title(), c.subject()))
            .collect()
    };
    let stopped = matches!(
        run.status,
        RunStatus::CleanupFailed | RunStatus::Interrupted | RunStatus::Refused
    );
    let failure = failure_text(tr, run);
    RunView {
        blocked: page.blocked_for(Role::Admin, false),
        page,
        heading: words.heading,
        back_url: words.back_url,
        back_label: words.back_label,
        status,
        class,
        poll_url: if run.status == RunStatus::Running {
            url.to_string()
        } else {
            String::new()
        },
        steps,
        kept,
        done,
        failure,
        resume_url: if stopped {
            format!("{url}/resume")
        } else {
            String::new()
        },
    }
}

/// The run `id` of `kind`, or not found.
pub async fn run_of(state: &AppState, kind: &str, id: &str) -> AppResult<Run> {
    if id.len() > 64 {
        return Err(AppError::NotFound);
    }
    state
        .store
        .run_by_id(id)
        .await?
        .filter(|run| run.kind == kind)
        .ok_or(AppError::NotFound)
}

/// The page, or only its run part when htmx polls it.
pub fn answer(headers: &HeaderMap, v: RunView) -> Response {
    if is_htmx(headers) {
        RunPartial { v }.into_response()
    } else {
        RunPage { v }.into_response()
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let run = run_of(&state, KIND, &id).await?;
    let snapshot: Snapshot =
        serde_json::from_value(run.snapshot.clone()).map_err(|_| AppError::NotFound)?;
    let tr = page.tr;
    let (kind, name) = (snapshot.kind, &snapshot.name);
    let words = RunWords {
        heading: format!("{}: {name}", tr.t(kind.title())),
        done: tr.fmt(kind.done(), &[("name", name.clone())]),
        back_url: kind.back_url(name),
        back_label: kind.back_label(),
    };
    let v = run_view(
        page,
        &run,
        &run_url(&id),
        &snapshot.calls,
        Vec::new(),
        words,
    );
    Ok(answer(&headers, v))
}

pub async fn resume(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let run = run_of(&state, KIND, &id).await?;
    if let Some(aws) = state.connection.aws() {
        change::resume(&state.store, aws, &run, state.plan_retry).await?;
    }
    Ok(Redirect::to(&run_url(&id)).into_response())
}
