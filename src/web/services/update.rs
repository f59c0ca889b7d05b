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

use super::show::{check_names, service_url};
use crate::model::service::status::ServiceStatus;
use crate::model::service::update::ServiceUpdate;
use crate::web::done::Done;
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;
use crate::web::refusal::said;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    value: String,
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
    pub json: String,
    pub cli: String,
    /// AWS's refusal of the POST, or why nothing can be sent.
    pub problem: String,
    pub blocked: String,
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
) -> AppResult<(UpdateView, Option<ServiceStatus>)> {
    check_names(&[&cluster, &name])?;
    let mut service = None;
    let mut problem = String::new();
    if let Some(aws) = state.connection.aws() {
        match aws.service_status(&cluster, &name).await {
            Ok(Some(found)) => service = Some(found),
            Ok(None) => return Err(AppError::NotFound),
            Err(error) => problem = said(page.tr, &error),
        }
    }
    let family = service.as_ref().map_or("", ServiceStatus::family);
    let update = ServiceUpdate::parse(&form.action, &form.value, family);
    let call = update.as_ref().map(|u| u.call(&cluster, &name));
    let url = service_url(&cluster, &name);
    let current_desired = service.as_ref().map_or(0, |s| s.desired);
    let current_revision = service
        .as_ref()
        .map(|s| s.revision().to_string())
        .unwrap_or_default();
    let lead = update
        .as_ref()
        .map(|u| {
            page.tr.fmt(
                u.explanation(),
                &[
                    ("service", name.clone()),
                    ("desired", current_desired.to_string()),
                    ("value", u.value()),
                    ("revision", current_revision.clone()),
                ],
            )
        })
        .unwrap_or_default();
    let v = UpdateView {
        lead,
        blocked: page.create_blocked(update.is_none()),
        page,
        post_url: format!("{url}/update"),
        service_url: url,
        json: call.as_ref().map(|c| c.json()).unwrap_or_default(),
        cli: call
            .as_ref()
            .map(|c| c.cli(state.connection.region()))
            .unwrap_or_default(),
        update,
        cluster,
        name,
        problem,
    };
    Ok((v, service))
}

pub async fn confirm(
    State(state): State<AppState>,
    page: Page,
    Path((cluster, name)): Path<(String, String)>,
    Query(form): Query<UpdateForm>,
) -> AppResult<Response> {
    let (v, _) = view(&state, page, cluster, name, &form).await?;
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
    let (mut v, service) = view(&state, page, cluster, name, &form).await?;
    let (Some(aws), Some(update), Some(_)) = (state.connection.aws(), &v.update, service) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, UpdatePage { v }).into_response());
    };
    match aws
        .update_service(&update.call(&v.cluster, &v.name).input)
        .await
    {
        Ok(_) => {
            let (done, value) = match update {
                ServiceUpdate::ForceNewDeployment => (Done::ForceDeployment, String::new()),
                ServiceUpdate::DesiredCount(n) => (Done::DesiredCount, n.to_string()),
                ServiceUpdate::Revision(r) => (Done::Revision, r.clone()),
            };
            Ok(Redirect::to(&done.on(&v.service_url, &value)).into_response())
        }
        Err(error) => {
            v.problem = said(v.page.tr, &error);
            Ok((StatusCode::BAD_GATEWAY, UpdatePage { v }).into_response())
        }
    }
}
