//! The service page's actions — force a new deployment, change the
//! desired tasks, move to another revision — each first shown as the
//! UpdateService request it sends (JSON and aws CLI), then sent by a POST
//! of the same action and value.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::show::{check_names, scaling_words, service_url};
use crate::aws::Aws;
use crate::model::api_call::ApiCall;
use crate::model::cost::workload;
use crate::model::service::status::ServiceStatus;
use crate::model::service::update::ServiceUpdate;
use crate::web::done::Done;
use crate::web::error::{AppError, AppResult};
use crate::web::estimate::EstimateView;
use crate::web::messages::{field_name, translate};
use crate::web::page::Page;
use crate::web::refusal::said;
use crate::web::state::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    value: String,
    /// The service page's auto scaling form sends its fields one by one;
    /// the confirmation carries them on as `value` (`2,6,cpu,70,300,300`).
    #[serde(default)]
    min_tasks: String,
    #[serde(default)]
    max_tasks: String,
    #[serde(default)]
    metric: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    scale_in_cooldown: String,
    #[serde(default)]
    scale_out_cooldown: String,
}

impl UpdateForm {
    fn value(&self) -> String {
        if self.action == "scaling" && self.value.is_empty() {
            [
                &self.min_tasks,
                &self.max_tasks,
                &self.metric,
                &self.target,
                &self.scale_in_cooldown,
                &self.scale_out_cooldown,
            ]
            .map(|s| s.trim())
            .join(",")
        } else {
            self.value.clone()
        }
    }
}

/// One call the update sends, as the confirmation shows it.
pub struct CallView {
    /// `update-json`, then `update-json-2`…: the first keeps the id the
    /// single-call actions always had.
    pub id: String,
    pub title: String,
    pub json: String,
    pub cli: String,
}

pub struct UpdateView {
    pub page: Page,
    pub cluster: String,
    pub name: String,
    pub service_url: String,
    pub post_url: String,
    /// None when the action or its value is not one the page offers.
    pub update: Option<ServiceUpdate>,
    /// What it will do, in words.
    pub lead: String,
    /// What the service's auto scaling does to it (a desired count), or empty.
    pub scaling_note: String,
    pub calls: Vec<CallView>,
    /// What AWS would refuse of the value, beside nothing: the form is on
    /// the service page.
    pub issues: Vec<String>,
    /// AWS's refusal of the POST, or why nothing can be sent.
    pub problem: String,
    pub blocked: String,
    /// What the service's tasks cost at the new count (or auto scaling's
    /// range), beside what they cost now.
    pub estimate: Option<EstimateView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/update.html")]
pub struct UpdatePage {
    pub v: UpdateView,
}

async fn view(
    state: &AppState,
    page: Page,
    cluster: String,
    name: String,
    form: &UpdateForm,
) -> AppResult<(UpdateView, Option<ServiceStatus>, Vec<ApiCall>)> {
    check_names(&[&cluster, &name])?;
    let mut service = None;
    let mut scaled = None;
    let mut problem = String::new();
    if let Some(aws) = state.connection.aws() {
        let (status, scaling) = tokio::join!(
            aws.service_status(&cluster, &name),
            aws.service_scaling(&cluster, &name)
        );
        match status {
            Ok(Some(found)) => service = Some(found),
            Ok(None) => return Err(AppError::NotFound),
            Err(error) => problem = said(page.tr, &error),
        }
        match scaling {
            Ok(read) => scaled = read,
            Err(error) => problem = said(page.tr, &error),
        }
    }
    let family = service.as_ref().map_or("", ServiceStatus::family);
    let mut update = ServiceUpdate::parse(&form.action, &form.value(), family);
    let current_desired = service.as_ref().map_or(0, |s| s.desired);
    let issues: Vec<String> = update
        .as_ref()
        .map(|u| u.issues(current_desired, scaled.as_ref()))
        .unwrap_or_default()
        .iter()
        .map(|issue| {
            format!(
                "{}: {}",
                field_name(page.tr, &issue.path),
                translate(page.tr, issue)
            )
        })
        .collect();
    let calls = update
        .as_ref()
        .map(|u| u.calls(&cluster, &name, scaled.as_ref()))
        .unwrap_or_default();
    if calls.is_empty() {
        // Nothing to send (auto scaling the service does not have).
        update = None;
    }
    let url = service_url(&cluster, &name);
    let current_revision = service
        .as_ref()
        .map(|s| s.revision().to_string())
        .unwrap_or_default();
    let lead = update
        .as_ref()
        .map(|u| {
            let mut args = vec![
                ("service", name.clone()),
                ("desired", current_desired.to_string()),
                ("value", u.value()),
                ("revision", current_revision.clone()),
            ];
            if let ServiceUpdate::Scaling(wanted) = u {
                args.extend(scaling_words(page.tr, wanted));
            }
            args.extend(u.words());
            page.tr.fmt(u.explanation(), &args)
        })
        .unwrap_or_default();
    let scaling_note = match (&update, &scaled) {
        (Some(ServiceUpdate::DesiredCount(_)), Some(read)) => page.tr.fmt(
            "h.desired_with_scaling",
            &scaling_words(page.tr, &read.scaling),
        ),
        _ => String::new(),
    };
    let region = state.connection.region();
    let estimate = match (&update, state.connection.aws(), &service) {
        (
            Some(u @ (ServiceUpdate::DesiredCount(_) | ServiceUpdate::Scaling(_))),
            Some(aws),
            Some(s),
        ) => Some(update_estimate(&page, aws, s, u).await),
        _ => None,
    };
    let v = UpdateView {
        estimate,
        lead,
        scaling_note,
        blocked: page.create_blocked(update.is_none() || !issues.is_empty()),
        issues,
        page,
        post_url: format!("{url}/update"),
        service_url: url,
        calls: calls
            .iter()
            .enumerate()
            .map(|(n, c)| CallView {
                id: if n == 0 {
                    "update-json".into()
                } else {
                    format!("update-json-{}", n + 1)
                },
                title: c.title(),
                json: c.json(),
                cli: c.cli(region),
            })
            .collect(),
        update,
        cluster,
        name,
        problem,
    };
    Ok((v, service, calls))
}

/// The tasks' cost after `update` (a count, or auto scaling's minimum and
/// maximum) and now: one DescribeTaskDefinition, kept like other reads.
async fn update_estimate(
    page: &Page,
    aws: &Aws,
    service: &ServiceStatus,
    update: &ServiceUpdate,
) -> EstimateView {
    let td = aws
        .task_definition(&service.task_definition)
        .await
        .ok()
        .flatten();
    let at = |tasks: i64| {
        let tasks = u32::try_from(tasks.max(0)).unwrap_or(u32::MAX);
        workload::running(td.as_ref()?, service, tasks)
    };
    let now = at(service.desired).map(|w| ("cost.now", w));
    let (main, also) = match update {
        ServiceUpdate::Scaling(s) => (
            at(s.min_tasks),
            at(s.max_tasks)
                .map(|w| ("cost.at_max", w))
                .into_iter()
                .chain(now)
                .collect(),
        ),
        ServiceUpdate::DesiredCount(n) => (at(*n), now.into_iter().collect()),
        _ => (None, Vec::new()),
    };
    let mut view = EstimateView::new(page.tr, &page.region, main.as_ref(), &also);
    view.scope = page.tr.t("cost.update_scope").to_string();
    view
}

pub async fn confirm(
    State(state): State<AppState>,
    page: Page,
    Path((cluster, name)): Path<(String, String)>,
    Query(form): Query<UpdateForm>,
) -> AppResult<Response> {
    let (v, _, _) = view(&state, page, cluster, name, &form).await?;
    let status = if v.update.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, UpdatePage { v }).into_response())
}

pub async fn send(
    State(state): State<AppState>,
    page: Page,
    Path((cluster, name)): Path<(String, String)>,
    Form(form): Form<UpdateForm>,
) -> AppResult<Response> {
    let (mut v, service, calls) = view(&state, page, cluster, name, &form).await?;
    let (Some(aws), Some(update), Some(_), true) = (
        state.connection.aws(),
        &v.update,
        service,
        v.blocked.is_empty(),
    ) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, UpdatePage { v }).into_response());
    };
    // In order; the first refusal stops the rest (a scalable target
    // registered without its policy yet is harmless, and sent again later).
    for call in &calls {
        if let Err(error) = aws.send(call).await {
            v.problem = said(v.page.tr, &error);
            return Ok((StatusCode::BAD_GATEWAY, UpdatePage { v }).into_response());
        }
    }
    let (done, value) = match update {
        ServiceUpdate::ForceNewDeployment => (Done::ForceDeployment, String::new()),
        ServiceUpdate::DesiredCount(n) => (Done::DesiredCount, n.to_string()),
        ServiceUpdate::Revision(r) => (Done::Revision, r.clone()),
        ServiceUpdate::Scaling(s) => (Done::Scaling, format!("{}–{}", s.min_tasks, s.max_tasks)),
        ServiceUpdate::StopScaling => (Done::ScalingStopped, String::new()),
        ServiceUpdate::StopDeployment(_) => (Done::DeploymentStopped, String::new()),
        ServiceUpdate::AnswerHook { go_on: true, .. } => (Done::HookContinued, String::new()),
        ServiceUpdate::AnswerHook { go_on: false, .. } => (Done::HookRolledBack, String::new()),
    };
    Ok(Redirect::to(&done.on(&v.service_url, &value)).into_response())
}
