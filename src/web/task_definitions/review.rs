//! Step 4, "Review": the exact request as JSON, the aws CLI command and the
//! Terraform block, every remaining issue with a link to its step, and Create.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::history::revision_url;
use super::revision::{ContainerSummary, summarise};
use super::{Step, StepLink, account, load, step_links};
use crate::aws::{Aws, registered};
use crate::deploy::runner::Retry;
use crate::deploy::{self, Mode, outcome_of, resource_run, undo_json};
use crate::model::api_call::ApiCall;
use crate::model::cost::workload;
use crate::model::draft_changes::task_definition_document;
use crate::model::export;
use crate::model::operation::Operation;
use crate::model::revision::Revision;
use crate::model::revision_diff::same_as_registered;
use crate::model::scanner;
use crate::model::validate::{Issue, validate};
use crate::store::Draft;
use crate::store::runs::RunStatus;
use crate::web::error::AppResult;
use crate::web::estimate::EstimateView;
use crate::web::flagged::{self, FlaggedLine};
use crate::web::messages::translate;
use crate::web::page::Page;
use crate::web::reviewed::{ChangedSince, Reviewed, changed_since};
use crate::web::runs::{self, interrupted, next_mode, run_pending};
use crate::web::state::AppState;

/// The journal's name for task definition runs.
const KIND: &str = "task-definitions";

pub struct ReviewView {
    pub page: Page,
    pub steps: Vec<StepLink>,
    pub create_url: String,
    pub family: String,
    pub issues: Vec<IssueLine>,
    pub request_json: String,
    pub cli: String,
    pub terraform: String,
    pub flagged: Vec<FlaggedLine>,
    /// Empty when Create can be pressed; otherwise why not.
    pub blocked: String,
    /// What will be registered, as a person reads it.
    pub containers: Vec<ContainerSummary>,
    pub cpu_memory: String,
    /// The family's latest revision when it has exactly this content
    /// (registering would make a copy): its name, its page, what to say.
    pub identical: Option<(String, String, String)>,
    /// The draft's version this review shows: its Create sends that one.
    pub version: i64,
    /// Set when Create was pressed on an older review: what changed since.
    pub changed: Option<ChangedSince>,
    /// What one task of it costs while it runs.
    pub estimate: EstimateView,
}

pub struct IssueLine {
    pub text: String,
    pub class: &'static str,
    pub step_url: String,
    pub step_label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_review/page.html")]
pub struct ReviewPage {
    pub v: ReviewView,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load(&state.store, &id).await?;
    let read = account::facts(&state.connection, &draft.task_definition).await;
    let facts = read.as_ref().map(|read| read.value.as_ref());
    let warnings = account::warnings(&draft.task_definition, facts);
    let mut v = view(page, &id, &draft, warnings);
    v.identical = identical(&state, &draft).await.map(|(name, url)| {
        let said = v
            .page
            .tr
            .fmt("ui.identical_revision", &[("revision", name.clone())]);
        (name, url, said)
    });
    Ok(ReviewPage { v }.into_response())
}

/// The family's latest revision, when registering the draft would only
/// make a copy of it (aws-cli issue 1332: every register is a new
/// revision). A failed read says nothing: Create stays the same.
async fn identical(state: &AppState, draft: &Draft) -> Option<(String, String)> {
    let aws = state.connection.aws()?;
    let td = &draft.task_definition;
    let latest = aws.latest_revision(&td.family).await.ok()??;
    let request = serde_json::to_value(td).ok()?;
    if !same_as_registered(&request, &latest) {
        return None;
    }
    let revision = Revision::of(&latest);
    let url = revision_url(&revision.family, revision.revision);
    Some((revision.name(), url))
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(reviewed): Form<Reviewed>,
) -> AppResult<Response> {
    let draft = load(&state.store, &id).await?;
    let result_url = format!("/task-definitions/drafts/{id}/result");
    // A create under way or cut off is finished or undone, never repeated:
    // a second revision would be registered without a word. Nor is this
    // version of the draft registered twice (a second press, a reload).
    if run_pending(&state.store, &id).await? || registered_as_is(&state, &id, &draft).await? {
        return Ok(Redirect::to(&result_url).into_response());
    }
    // What the account lacks only warns, so Create does not read it again.
    let tr = page.tr;
    let mut review = view(page, &id, &draft, Vec::new());
    let Some(aws) = state.connection.aws() else {
        return Ok((StatusCode::CONFLICT, ReviewPage { v: review }).into_response());
    };
    if !review.blocked.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, ReviewPage { v: review }).into_response());
    }
    let sent = sent_document(&draft);
    review.changed = changed_since(
        &state.store,
        tr,
        &id,
        &reviewed,
        draft.version,
        &sent,
        |body| {
            serde_json::from_str::<Draft>(body)
                .ok()
                .map(|d| sent_document(&d))
        },
    )
    .await?;
    if review.changed.is_some() {
        return Ok((StatusCode::CONFLICT, ReviewPage { v: review }).into_response());
    }
    let mode = next_mode(&state.store, &id).await?;
    register(&state, aws, &id, &draft, mode).await?;
    Ok(Redirect::to(&result_url).into_response())
}

/// The registration as a plan's one call: the review's request.
fn registration(draft: &Draft) -> Vec<ApiCall> {
    let request = serde_json::to_value(&draft.task_definition).unwrap_or_default();
    vec![ApiCall::new(Operation::RegisterTaskDefinition, request)]
}

/// Registers the draft as a plan run and keeps the revision in the history.
/// A call that got no answer in time is looked up before it is sent again,
/// and finishing a cut-off run looks first: the family's latest revision is
/// adopted when it is exactly this request (the call reached AWS), so a
/// second revision is never registered for one Create.
async fn register(
    state: &AppState,
    aws: &Aws,
    id: &str,
    draft: &Draft,
    mode: Mode,
) -> AppResult<()> {
    let (aws, store, draft_id) = (aws.clone(), state.store.clone(), id.to_string());
    let (calls, version) = (registration(draft), draft.version);
    deploy::run(&state.store, KIND, id, mode, move |journal| async move {
        let created = resource_run::create(&aws, calls, &journal, &Retry::STANDARD).await;
        let answer = match &created {
            Ok(created) => created.response[0][Operation::RegisterTaskDefinition.name()].clone(),
            Err(_) => return outcome_of(&created),
        };
        let registered = registered(answer);
        let recorded = store
            .record_registration(
                &draft_id,
                &registered.arn,
                &registered.family,
                i64::from(registered.revision),
                &registered.response,
            )
            .await;
        let registration = recorded.map_err(|error| {
            tracing::error!(%error, "could not keep the registration in the history");
        });
        (
            RunStatus::Succeeded,
            json!({"arn": registered.arn, "registration": registration.ok(), "version": version}),
        )
    })
    .await?;
    Ok(())
}

/// Whether the draft's latest run registered it at the version it has now.
async fn registered_as_is(state: &AppState, id: &str, draft: &Draft) -> AppResult<bool> {
    Ok(state.store.latest_run(id).await?.is_some_and(|run| {
        run.status == RunStatus::Succeeded && run.outcome["version"].as_i64() == Some(draft.version)
    }))
}

/// How the draft's latest Create ended, at a URL of its own.
pub async fn result(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    load(&state.store, &id).await?;
    let review_url = Step::Review.url(&id);
    Ok(match state.store.latest_run(&id).await? {
        Some(run) if run.status == RunStatus::Succeeded => {
            match run.outcome["registration"].as_i64() {
                Some(record) => {
                    Redirect::to(&format!("/task-definitions/revisions/{record}")).into_response()
                }
                None => Redirect::to(&review_url).into_response(),
            }
        }
        Some(run) => runs::page_for(
            page,
            &run,
            &format!("/task-definitions/drafts/{id}"),
            review_url,
        ),
        None => Redirect::to(&review_url).into_response(),
    })
}

/// Finishes an interrupted Create (see [`register`]).
pub async fn finish(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let draft = load(&state.store, &id).await?;
    if let (Some(aws), true) = (
        state.connection.aws(),
        interrupted(&state.store, &id).await?,
    ) {
        register(&state, aws, &id, &draft, Mode::Finish).await?;
    }
    Ok(Redirect::to(&format!("/task-definitions/drafts/{id}/result")).into_response())
}

/// Undoes an interrupted Create: the revision it registered, if it reached
/// AWS, is deregistered.
pub async fn undo(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let draft = load(&state.store, &id).await?;
    if let (Some(aws), true) = (
        state.connection.aws(),
        interrupted(&state.store, &id).await?,
    ) {
        let (aws, calls) = (aws.clone(), registration(&draft));
        deploy::run(
            &state.store,
            KIND,
            &id,
            Mode::Fresh,
            move |journal| async move {
                let undo = resource_run::remove(&aws, calls, &journal, &Retry::STANDARD).await;
                (RunStatus::Undone, json!({"undo": undo_json(&undo)}))
            },
        )
        .await?;
    }
    Ok(Redirect::to(&format!("/task-definitions/drafts/{id}/result")).into_response())
}

/// The registration a review shows, as a document keyed by names.
pub(super) fn sent_document(draft: &Draft) -> Value {
    let request = serde_json::to_value(&draft.task_definition).unwrap_or_default();
    task_definition_document(&request)
}

/// `account_warnings`: what the account does not hold yet (never blocking).
fn view(page: Page, id: &str, draft: &Draft, account_warnings: Vec<Issue>) -> ReviewView {
    let td = &draft.task_definition;
    let tr = page.tr;
    let mut all = validate(td);
    all.extend(account_warnings);
    let issues: Vec<IssueLine> = all
        .iter()
        .map(|issue| {
            let step = Step::owning(&issue.path);
            IssueLine {
                text: translate(tr, issue),
                class: if issue.is_error() { "error" } else { "warning" },
                step_url: step.url(id),
                step_label: step.label(tr),
            }
        })
        .collect();
    let blocked = page.create_blocked(issues.iter().any(|i| i.class == "error"));
    let mut estimate = EstimateView::new(tr, &page.region, workload::task(td).as_ref(), &[]);
    estimate.scope = tr.t("cost.per_task").to_string();
    ReviewView {
        estimate,
        steps: step_links(tr, id, Step::Review),
        create_url: format!("/task-definitions/drafts/{id}/create"),
        family: td.family.clone(),
        issues,
        request_json: export::request_json(td),
        cli: export::aws_cli(td, Some(page.region.as_str()).filter(|r| !r.is_empty())),
        terraform: export::terraform(td),
        flagged: flagged::lines(
            tr,
            &scanner::task_definition(td),
            &format!("/task-definitions/drafts/{id}"),
        ),
        blocked,
        identical: None,
        version: draft.version,
        changed: None,
        containers: summarise(td).0,
        cpu_memory: format!(
            "{} / {}",
            td.cpu.as_deref().unwrap_or("—"),
            td.memory.as_deref().unwrap_or("—")
        ),
        page,
    }
}
