//! "Delete the service and what was created with it": a confirmation that
//! lists each call in order and what is kept (and why), then a run of its
//! own whose page follows it, offers Resume when it stops short, and ends
//! with what was deleted.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::run::plan_of;
use super::show::{check_names, service_url};
use crate::aws::{Aws, AwsError};
use crate::deploy::change;
use crate::deploy::teardown::{self, KIND, Kept, Teardown, Usage};
use crate::model::access::Role;
use crate::web::changes;
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;
use crate::web::refusal::said;
use crate::web::state::AppState;

pub struct CallRow {
    pub number: usize,
    pub title: String,
    pub step: String,
    pub json: String,
}

pub struct ConfirmView {
    pub page: Page,
    pub cluster: String,
    pub name: String,
    pub service_url: String,
    pub post_url: String,
    pub calls: Vec<CallRow>,
    pub kept: Vec<Kept>,
    /// The run that created the service, when this app did.
    pub created_by: String,
    pub problem: String,
    pub blocked: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/delete.html")]
pub struct ConfirmPage {
    pub v: ConfirmView,
}

fn teardown_url(run_id: &str) -> String {
    format!("/teardowns/{run_id}")
}

/// A service's tear-down so far: its key (the service's ARN and when it
/// was made, which tells it from a later one of the same name; one
/// tear-down each), and the run already started for it.
enum Found {
    Started(String),
    Fresh(String),
}

async fn find(
    state: &AppState,
    aws: &Aws,
    cluster: &str,
    name: &str,
) -> AppResult<Result<Found, AwsError>> {
    let status = match aws.service_status(cluster, name).await {
        Ok(Some(status)) => status,
        Ok(None) => return Err(AppError::NotFound),
        Err(error) => return Ok(Err(error)),
    };
    let key = format!("teardown:{}@{}", status.arn, status.created_at);
    Ok(Ok(match state.store.latest_run(&key).await? {
        Some(run) => Found::Started(run.id),
        None => Found::Fresh(key),
    }))
}

/// The tear-down of a service as it stands.
async fn work_out(
    state: &AppState,
    aws: &Aws,
    cluster: &str,
    name: &str,
) -> AppResult<Result<Teardown, AwsError>> {
    let run = state.store.service_run(cluster, name).await?;
    let plan = run.as_ref().map(plan_of).transpose()?.map(|(_, plan)| plan);
    let created = run.as_ref().zip(plan.as_ref());
    // What the run made decides which balancers and listeners to ask about.
    let first = teardown::teardown(cluster, name, created, &Usage::default());
    let named = |operation: &str, key: &str| -> Vec<String> {
        first
            .calls
            .iter()
            .filter(|c| c.operation == operation)
            .filter_map(|c| c.input[key].as_str().map(str::to_string))
            .collect()
    };
    // The family of a revision the run registered, when it made the
    // execution role too (whether another family may use that role).
    let family = (!named("DeleteRole", "RoleName").is_empty())
        .then(|| named("DeregisterTaskDefinition", "taskDefinition"))
        .and_then(|arns| arns.first().cloned())
        .map(|arn| family_of(&arn));
    let usage = aws
        .usage(
            cluster,
            name,
            &named("DeleteLoadBalancer", "LoadBalancerArn"),
            &named("DeleteListener", "ListenerArn"),
            family.as_deref(),
        )
        .await;
    Ok(usage.map(|usage| teardown::teardown(cluster, name, created, &usage)))
}

/// `web` of `arn:…:task-definition/web:3`.
fn family_of(arn: &str) -> String {
    let revision = arn.rsplit('/').next().unwrap_or(arn);
    revision
        .rsplit_once(':')
        .map_or(revision, |(f, _)| f)
        .to_string()
}

pub async fn confirm(
    State(state): State<AppState>,
    page: Page,
    Path((cluster, name)): Path<(String, String)>,
) -> AppResult<Response> {
    check_names(&[&cluster, &name])?;
    let url = service_url(&cluster, &name);
    let mut v = ConfirmView {
        blocked: page.blocked_for(Role::Admin, false),
        page,
        post_url: format!("{url}/delete"),
        service_url: url,
        cluster,
        name,
        calls: Vec::new(),
        kept: Vec::new(),
        created_by: String::new(),
        problem: String::new(),
    };
    if let Some(aws) = state.connection.aws() {
        let worked_out = match find(&state, aws, &v.cluster, &v.name).await? {
            Ok(Found::Started(run_id)) => {
                return Ok(Redirect::to(&teardown_url(&run_id)).into_response());
            }
            Ok(Found::Fresh(_)) => work_out(&state, aws, &v.cluster, &v.name).await?,
            Err(error) => Err(error),
        };
        match worked_out {
            Ok(teardown) => {
                v.calls = teardown
                    .calls
                    .iter()
                    .enumerate()
                    .map(|(n, c)| CallRow {
                        number: n + 1,
                        title: c.title(),
                        step: c.subject().to_string(),
                        json: serde_json::to_string_pretty(&c.input).unwrap_or_default(),
                    })
                    .collect();
                v.kept = teardown.kept;
                v.created_by = teardown.created_by;
            }
            Err(error) => v.problem = said(v.page.tr, &error),
        }
    }
    Ok(ConfirmPage { v }.into_response())
}

pub async fn start(
    State(state): State<AppState>,
    Path((cluster, name)): Path<(String, String)>,
) -> AppResult<Response> {
    check_names(&[&cluster, &name])?;
    let Some(aws) = state.connection.aws() else {
        return Ok(StatusCode::CONFLICT.into_response());
    };
    let back = Redirect::to(&format!("{}/delete", service_url(&cluster, &name)));
    let key = match find(&state, aws, &cluster, &name).await? {
        // A second press: the tear-down already under way.
        Ok(Found::Started(run_id)) => {
            return Ok(Redirect::to(&teardown_url(&run_id)).into_response());
        }
        Ok(Found::Fresh(key)) => key,
        Err(_) => return Ok(back.into_response()),
    };
    let Ok(teardown) = work_out(&state, aws, &cluster, &name).await? else {
        return Ok(back.into_response());
    };
    let run_id = teardown::start(&state.store, aws, &key, &teardown, state.plan_retry).await?;
    Ok(Redirect::to(&teardown_url(&run_id)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let run = changes::run_of(&state, KIND, &id).await?;
    let teardown: Teardown = serde_json::from_value(run.snapshot.clone()).unwrap_or_default();
    let tr = page.tr;
    let words = changes::RunWords {
        heading: format!("{}: {}", tr.t("ui.delete_service"), teardown.service),
        done: tr.fmt("ui.done_teardown", &[("name", teardown.service.clone())]),
        back_url: format!("/clusters/{}/services", teardown.cluster),
        back_label: "ui.back_to_services",
    };
    let v = changes::run_view(
        page,
        &run,
        &teardown_url(&id),
        &teardown.calls,
        teardown.kept,
        words,
    );
    Ok(changes::answer(&headers, v))
}

pub async fn resume(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let run = changes::run_of(&state, KIND, &id).await?;
    if let Some(aws) = state.connection.aws() {
        change::resume(&state.store, aws, &run, state.plan_retry).await?;
    }
    Ok(Redirect::to(&teardown_url(&id)).into_response())
}
