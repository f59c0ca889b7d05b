//! Create starts the plan as a run held by the app and goes to the run's
//! page, which follows it while it goes (htmx polling a fragment), offers
//! Resume and Clean up when it stops short, and links the service once it
//! exists.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::review::{ReviewPage, completed, review};
use super::show::service_url;
use crate::deploy::plan_run;
use crate::deploy::service_plan::plan;
use crate::model::draft_changes::calls_document;
use crate::model::resource::Resource;
use crate::model::service::draft::ServiceDraft;
use crate::store::runs::RunStatus;
use crate::store::runs::{CLEANUP_BASE, Run};
use crate::web::create::load;
use crate::web::error::{AppError, AppResult};
use crate::web::page::{Page, is_htmx};
use crate::web::reviewed::{Reviewed, changed_since};
use crate::web::runs::{StepRow, failure_text, step_row};
use crate::web::state::AppState;

fn run_url(id: &str) -> String {
    format!("/services/drafts/{id}/run")
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(reviewed): Form<Reviewed>,
) -> AppResult<Response> {
    let saved = load::<ServiceDraft>(&state.store, &id).await?;
    let sent = calls_document(&saved.body.api_calls());
    let draft = completed(&state, saved.body).await;
    // One run per draft: a second press, or a press in an older tab,
    // shows the run that exists (unless it was cleaned up).
    if let Some(run) = state.store.latest_run(&id).await?
        && run.status != RunStatus::Undone
    {
        return Ok(Redirect::to(&run_url(&id)).into_response());
    }
    let tr = page.tr;
    let mut v = review(&state, page, &id, saved.version, &draft).await?;
    let Some(aws) = state.connection.aws() else {
        return Ok((StatusCode::CONFLICT, ReviewPage { v }).into_response());
    };
    if !v.blocked.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, ReviewPage { v }).into_response());
    }
    v.changed = changed_since(
        &state.store,
        tr,
        &id,
        &reviewed,
        saved.version,
        &sent,
        |body| {
            serde_json::from_str::<ServiceDraft>(body)
                .ok()
                .map(|b| calls_document(&b.api_calls()))
        },
    )
    .await?;
    if v.changed.is_some() {
        return Ok((StatusCode::CONFLICT, ReviewPage { v }).into_response());
    }
    plan_run::start(
        &state.store,
        aws,
        "services",
        &id,
        &json!(draft),
        plan(&draft),
        state.plan_retry,
    )
    .await?;
    Ok(Redirect::to(&run_url(&id)).into_response())
}

/// The run's draft as it was run, and its plan.
pub(super) fn plan_of(run: &Run) -> AppResult<(ServiceDraft, crate::deploy::plan::Plan)> {
    plan_run::service_plan_of(run).map_err(|e| AppError::Store(e.into()))
}

async fn latest(state: &AppState, id: &str) -> AppResult<Run> {
    load::<ServiceDraft>(&state.store, id).await?;
    state.store.latest_run(id).await?.ok_or(AppError::NotFound)
}

pub async fn resume(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let run = latest(&state, &id).await?;
    if let Some(aws) = state.connection.aws() {
        let (_, plan) = plan_of(&run)?;
        plan_run::resume(&state.store, aws, &run, plan, state.plan_retry).await?;
    }
    Ok(Redirect::to(&run_url(&id)).into_response())
}

pub async fn clean_up(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let run = latest(&state, &id).await?;
    if let Some(aws) = state.connection.aws() {
        let (_, plan) = plan_of(&run)?;
        plan_run::clean_up(&state.store, aws, &run, plan, state.plan_retry).await?;
    }
    Ok(Redirect::to(&run_url(&id)).into_response())
}

/// Longest wait for the load balancer to answer the address check.
const ADDRESS_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// The address a run's load balancer was given, when it looks like one
/// AWS gives (nothing else is ever asked for).
fn balancer_address(run: &Run) -> Option<String> {
    let dns = run.outcome["outputs"]["CreateLoadBalancer.DNSName"].as_str()?;
    let valid = dns.len() <= 253
        && dns
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && (dns.ends_with(".elb.amazonaws.com") || dns.ends_with(".elb.amazonaws.com.cn"));
    valid.then(|| format!("http://{dns}/"))
}

/// Asks the run's load balancer once whether it answers: any HTTP answer
/// counts (a redirect to HTTPS too). An emulator's address is not asked.
pub async fn address_check(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let run = latest(&state, &id).await?;
    let tr = page.tr;
    let said = match (run.status, balancer_address(&run), state.connection.aws()) {
        (RunStatus::Succeeded, Some(_), Some(aws)) if aws.custom_endpoint() => {
            tr.t("ui.address_emulator").to_string()
        }
        (RunStatus::Succeeded, Some(url), Some(_)) => {
            let answer = match reqwest::Client::builder()
                .timeout(ADDRESS_CHECK)
                .redirect(reqwest::redirect::Policy::none())
                .build()
            {
                Ok(client) => client.get(&url).send().await.ok(),
                Err(_) => None,
            };
            match answer {
                Some(answer) => tr.fmt(
                    "ui.address_answers",
                    &[("status", answer.status().as_u16().to_string())],
                ),
                None => tr.t("ui.address_silent").to_string(),
            }
        }
        _ => return Err(AppError::NotFound),
    };
    Ok(AddressCheck { said }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "services/address_check.html")]
pub struct AddressCheck {
    pub said: String,
}

pub struct RunView {
    pub page: Page,
    pub name: String,
    pub status: &'static str,
    pub lead: &'static str,
    pub class: &'static str,
    /// While the run goes on: the URL the page polls.
    pub poll_url: String,
    pub steps: Vec<StepRow>,
    pub cleanup: Vec<StepRow>,
    pub failure: String,
    pub resume_url: String,
    pub cleanup_url: String,
    pub service_url: String,
    pub dns_name: String,
    /// Where the page asks once whether the load balancer answers.
    pub address_check_url: String,
    /// `https://shop.example.com` once its records are made; else empty.
    pub domain_url: String,
    pub review_url: String,
    pub blocked: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/run.html")]
pub struct RunPage {
    pub v: RunView,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/run_partial.html")]
pub struct RunPartial {
    pub v: RunView,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let run = latest(&state, &id).await?;
    let (draft, plan) = plan_of(&run)?;
    let base = format!("/services/drafts/{id}");
    let (status, lead, class) = match run.status {
        RunStatus::Running => ("ui.run_running", "h.service_run_running", "warning"),
        RunStatus::CleaningUp => ("ui.run_cleaning_up", "h.run_cleaning_up", "warning"),
        RunStatus::Succeeded => ("ui.service_created", "h.service_created", "ok"),
        RunStatus::Refused => ("ui.run_refused", "h.run_refused", "error"),
        RunStatus::Interrupted => ("ui.run_interrupted", "h.plan_interrupted", "error"),
        RunStatus::CleanupFailed => ("ui.cleanup_failed", "h.cleanup_failed", "error"),
        RunStatus::Undone | RunStatus::Exists => ("ui.run_cleaned_up", "h.run_cleaned_up", "ok"),
    };
    let row = |seq: usize, title: String, id: String| step_row(&run, seq, title, id);
    let steps = plan
        .steps
        .iter()
        .enumerate()
        .map(|(n, s)| row(n, s.call.title(), s.id.clone()))
        .collect();
    let cleanup = run
        .steps
        .iter()
        .filter(|s| s.seq >= CLEANUP_BASE)
        .map(|s| {
            let title = s.call.split(' ').next().unwrap_or_default().to_string();
            let mut line = row(s.seq, title, s.step_id.clone());
            line.number = s.seq - CLEANUP_BASE + 1;
            line
        })
        .collect();
    let failure = failure_text(page.tr, &run);
    let going = matches!(run.status, RunStatus::Running | RunStatus::CleaningUp);
    let stopped_short = matches!(run.status, RunStatus::Refused | RunStatus::Interrupted);
    let service = &draft.service;
    let v = RunView {
        name: service.service_name.clone(),
        status,
        lead,
        class,
        poll_url: if going { run_url(&id) } else { String::new() },
        steps,
        cleanup,
        failure,
        resume_url: if stopped_short {
            format!("{base}/resume")
        } else {
            String::new()
        },
        cleanup_url: if stopped_short || run.status == RunStatus::CleanupFailed {
            format!("{base}/cleanup")
        } else {
            String::new()
        },
        service_url: if run.status == RunStatus::Succeeded {
            service_url(&service.cluster, &service.service_name)
        } else {
            String::new()
        },
        dns_name: run.outcome["outputs"]["CreateLoadBalancer.DNSName"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        address_check_url: if run.status == RunStatus::Succeeded && balancer_address(&run).is_some()
        {
            format!("{base}/address")
        } else {
            String::new()
        },
        domain_url: if run.status == RunStatus::Succeeded && draft.domain.is_set() {
            draft.domain.url()
        } else {
            String::new()
        },
        review_url: format!("{base}/review"),
        blocked: page.create_blocked(false),
        page,
    };
    Ok(if is_htmx(&headers) {
        RunPartial { v }.into_response()
    } else {
        RunPage { v }.into_response()
    })
}
