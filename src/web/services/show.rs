//! A service's page, where a run ends: its status, task counts, revision
//! and the load balancer's address. (The next issue fills it out: events,
//! targets, tasks, logs.)

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use crate::model::service::status::ServiceStatus;
use crate::model::validate::check_name;
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;
use crate::web::state::AppState;

pub fn service_url(cluster: &str, service: &str) -> String {
    format!("/clusters/{cluster}/services/{service}")
}

pub struct ServiceView {
    pub page: Page,
    /// While a deployment is under way: the page asks for itself again.
    pub refresh_url: String,
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
    let refresh_url = if service.as_ref().is_some_and(ServiceStatus::deploying) {
        service_url(&cluster, &name)
    } else {
        String::new()
    };
    Ok(ServicePage {
        v: ServiceView {
            page,
            refresh_url,
            cluster,
            name,
            service,
            problem,
        },
    }
    .into_response())
}

pub struct ServicesView {
    pub page: Page,
    pub cluster: String,
    pub services: Vec<ServiceStatus>,
    pub problem: String,
    /// The next page's URL, or empty.
    pub next_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/list.html")]
pub struct ServicesPage {
    pub v: ServicesView,
}

#[derive(serde::Deserialize)]
pub struct PageToken {
    #[serde(default)]
    next: Option<String>,
}

/// A cluster's services, ten at a time (one ListServices and one
/// DescribeServices a page, whatever the cluster holds).
pub async fn list(
    State(state): State<AppState>,
    page: Page,
    Path(cluster): Path<String>,
    axum::extract::Query(token): axum::extract::Query<PageToken>,
) -> AppResult<Response> {
    let mut issues = Vec::new();
    check_name(&mut issues, "", &cluster);
    if !issues.is_empty() {
        return Err(AppError::NotFound);
    }
    let (services, next, problem) = match state.connection.aws() {
        None => (Vec::new(), None, String::new()),
        Some(aws) => match aws
            .services(&cluster, token.next.filter(|t| t.len() <= 4096))
            .await
        {
            Ok((services, next)) => (services, next, String::new()),
            Err(error) => (
                Vec::new(),
                None,
                format!("{}: {}", error.code, error.message),
            ),
        },
    };
    let next_url = next
        .map(|token| {
            format!(
                "/clusters/{cluster}/services?{}",
                serde_urlencoded::to_string([("next", token)]).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    Ok(ServicesPage {
        v: ServicesView {
            page,
            cluster,
            services,
            problem,
            next_url,
        },
    }
    .into_response())
}
