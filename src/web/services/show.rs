//! A service's page, where a run ends: its status, task counts, revision
//! and the load balancer's address. (The next issue fills it out: events,
//! targets, tasks, logs.)

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use crate::aws::ServiceStatus;
use crate::model::validate::check_name;
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;
use crate::web::state::AppState;

pub fn service_url(cluster: &str, service: &str) -> String {
    format!("/clusters/{cluster}/services/{service}")
}

pub struct ServiceView {
    pub page: Page,
    pub cluster: String,
    pub name: String,
    /// None in preview mode, or when AWS could not be read (`problem`).
    pub service: Option<ServiceStatus>,
    pub problem: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/show.html")]
pub struct ServicePage {
    pub v: ServiceView,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path((cluster, name)): Path<(String, String)>,
) -> AppResult<Response> {
    // Names AWS could not hold are not looked up.
    let mut issues = Vec::new();
    check_name(&mut issues, "", &cluster);
    check_name(&mut issues, "", &name);
    if !issues.is_empty() {
        return Err(AppError::NotFound);
    }
    let (service, problem) = match state.connection.aws() {
        None => (None, String::new()),
        Some(aws) => match aws.service_status(&cluster, &name).await {
            Ok(Some(service)) => (Some(service), String::new()),
            Ok(None) => return Err(AppError::NotFound),
            Err(error) => (None, format!("{}: {}", error.code, error.message)),
        },
    };
    Ok(ServicePage {
        v: ServiceView {
            page,
            cluster,
            name,
            service,
            problem,
        },
    }
    .into_response())
}
