//! A cluster's services, and a service's page: what reference 001's
//! troubleshooting reads from a terminal — deployments, events, targets'
//! health, tasks and why they stopped (explained) — with its actions and a
//! link to each container's log. While a deployment is under way the page
//! asks for itself again every few seconds, and stops once it settles.

use super::charts::{self, ChartsView};
use super::history::HistoryView;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};

use crate::aws::{Aws, AwsError};
use crate::i18n::Tr;
use crate::model::service::deployments::History;
use crate::model::service::metrics::Window;
use crate::model::service::scaling::{AutoScaling, ScalingMetric};
use crate::model::service::status::ServiceStatus;
use crate::model::service::troubleshoot::{TargetHealth, TaskSummary};
use crate::model::validate::check_name;
use crate::web::error::{AppError, AppResult};
use crate::web::form::Choice;
use crate::web::page::Page;
use crate::web::refusal::said;
use crate::web::state::AppState;

pub fn service_url(cluster: &str, service: &str) -> String {
    format!("/clusters/{cluster}/services/{service}")
}

/// Names AWS could not hold are not looked up: a 404 before any call.
pub fn check_names(names: &[&str]) -> AppResult<()> {
    let mut issues = Vec::new();
    for name in names {
        check_name(&mut issues, "", name);
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub struct TaskRow {
    pub task: TaskSummary,
    /// Catalog key of what its stop usually means, or empty.
    pub why: &'static str,
    /// (container, URL of its log)
    pub logs: Vec<(String, String)>,
}

pub struct TargetRow {
    pub target: TargetHealth,
    pub why: &'static str,
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
    pub targets: Vec<TargetRow>,
    /// Stopped tasks come first: their reasons are what a person looks for.
    pub stopped: Vec<TaskRow>,
    pub running: Vec<TaskRow>,
    /// The family's revisions, for "Update to revision".
    pub revisions: Vec<String>,
    /// Why targets, tasks or revisions could not be read, or empty.
    pub detail_problem: String,
    pub update_url: String,
    pub delete_url: String,
    /// "Between 2 and 6 tasks, tracking …", or empty when not scaled.
    pub scaling_summary: String,
    /// The auto scaling form's values: the service's, or the defaults.
    pub scaling: AutoScaling,
    pub scaled: bool,
    pub scaling_metrics: Vec<Choice>,
    /// Beside "Update desired tasks": auto scaling moves it back.
    pub desired_note: String,
    /// ECS's own record of the service's deployments.
    pub history: HistoryView,
    /// CloudWatch's charts; None in preview mode or without a service.
    pub charts: Option<ChartsView>,
}

#[derive(serde::Deserialize)]
pub struct WindowQuery {
    #[serde(default)]
    window: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/show.html")]
pub struct ServicePage {
    pub v: ServiceView,
}

/// What the page shows besides the service: read at once, each bounded
/// by the service (its groups, 100 running and 10 stopped tasks, one
/// page of revisions).
async fn details(
    aws: &Aws,
    tr: Tr,
    cluster: &str,
    service: &ServiceStatus,
) -> (Vec<TargetRow>, Vec<TaskRow>, Vec<String>, String) {
    let (targets, tasks, revisions) = tokio::join!(
        aws.target_health(&service.target_group_arns),
        aws.service_tasks(cluster, &service.name),
        async {
            let revisions = aws.revisions(service.family()).await;
            revisions.map(|read| read.value.to_vec())
        },
    );
    let mut problems = Vec::new();
    let targets = read(tr, &mut problems, targets)
        .into_iter()
        .map(|target: TargetHealth| TargetRow {
            why: target.explanation().unwrap_or_default(),
            target,
        })
        .collect();
    let base = service_url(cluster, &service.name);
    let tasks = read(tr, &mut problems, tasks)
        .into_iter()
        .map(|task: TaskSummary| TaskRow {
            why: task.explanation().unwrap_or_default(),
            logs: task
                .containers
                .iter()
                .map(|c| {
                    let url = format!("{base}/tasks/{}/logs/{}", task.id(), c.name);
                    (c.name.clone(), url)
                })
                .collect(),
            task,
        })
        .collect();
    let revisions = read(tr, &mut problems, revisions);
    (targets, tasks, revisions, problems.join("\n"))
}

/// What was read, or nothing and AWS's reason in `problems`.
fn read<T>(tr: Tr, problems: &mut Vec<String>, result: Result<Vec<T>, AwsError>) -> Vec<T> {
    result.unwrap_or_else(|error| {
        problems.push(said(tr, &error));
        Vec::new()
    })
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path((cluster, name)): Path<(String, String)>,
    Query(query): Query<WindowQuery>,
) -> AppResult<Response> {
    check_names(&[&cluster, &name])?;
    let url = service_url(&cluster, &name);
    let window = Window::parse(&query.window).unwrap_or_default();
    let mut v = ServiceView {
        page,
        refresh_url: String::new(),
        update_url: format!("{url}/update"),
        delete_url: format!("{url}/delete"),
        cluster,
        name,
        service: None,
        problem: String::new(),
        targets: Vec::new(),
        stopped: Vec::new(),
        running: Vec::new(),
        revisions: Vec::new(),
        detail_problem: String::new(),
        scaling_summary: String::new(),
        scaling: AutoScaling::default(),
        scaled: false,
        scaling_metrics: Vec::new(),
        desired_note: String::new(),
        history: HistoryView::empty(),
        charts: None,
    };
    if let Some(aws) = state.connection.aws() {
        match aws.service_status(&v.cluster, &v.name).await {
            Ok(Some(service)) => {
                let tasks;
                let (details, scaling, history, metric_data) = tokio::join!(
                    details(aws, v.page.tr, &v.cluster, &service),
                    aws.service_scaling(&v.cluster, &v.name),
                    aws.service_deployments(&v.cluster, &v.name),
                    charts::read(aws, &v.cluster, &service, window)
                );
                let started: Vec<f64> = match &history {
                    Ok(History::Read(deployments)) => {
                        deployments.iter().filter_map(|d| d.started_at).collect()
                    }
                    _ => Vec::new(),
                };
                v.charts = Some(ChartsView::new(
                    v.page.tr,
                    &service,
                    &v.cluster,
                    window,
                    metric_data,
                    charts::deployment_starts(&service, &started),
                    &url,
                ));
                match history {
                    Ok(history) => {
                        let now = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0.0, |d| d.as_secs_f64());
                        v.history = HistoryView::new(v.page.tr, &history, now, &url);
                    }
                    Err(error) => {
                        if !v.detail_problem.is_empty() {
                            v.detail_problem.push('\n');
                        }
                        v.detail_problem.push_str(&said(v.page.tr, &error));
                    }
                }
                (v.targets, tasks, v.revisions, v.detail_problem) = details;
                match scaling {
                    Ok(Some(read)) => {
                        let words = scaling_words(v.page.tr, &read.scaling);
                        v.scaling_summary = v.page.tr.fmt("ui.scaling_summary", &words);
                        v.desired_note = v.page.tr.fmt("h.desired_with_scaling", &words);
                        v.scaling = read.scaling;
                        v.scaled = true;
                    }
                    Ok(None) => {}
                    Err(error) => {
                        if !v.detail_problem.is_empty() {
                            v.detail_problem.push('\n');
                        }
                        v.detail_problem.push_str(&said(v.page.tr, &error));
                    }
                }
                (v.stopped, v.running) = tasks.into_iter().partition(|row| row.task.stopped());
                if service.deploying() {
                    v.refresh_url = if window == Window::default() {
                        url
                    } else {
                        format!("{url}?window={}", window.key())
                    };
                }
                v.service = Some(service);
            }
            Ok(None) => return Err(AppError::NotFound),
            Err(error) => v.problem = said(v.page.tr, &error),
        }
    }
    v.scaling_metrics = metric_choices(v.page.tr, v.scaling.metric);
    Ok(ServicePage { v }.into_response())
}

/// `{min}`, `{max}`, `{metric}`, `{target}`, `{in}`, `{out}` of a scaling.
pub fn scaling_words(tr: Tr, scaling: &AutoScaling) -> Vec<(&'static str, String)> {
    vec![
        ("min", scaling.min_tasks.to_string()),
        ("max", scaling.max_tasks.to_string()),
        ("metric", tr.t(scaling.metric.label()).to_string()),
        ("target", scaling.target.to_string()),
        ("in", scaling.scale_in_cooldown.to_string()),
        ("out", scaling.scale_out_cooldown.to_string()),
    ]
}

/// The metrics a scaling form offers, `current` chosen.
pub fn metric_choices(tr: Tr, current: ScalingMetric) -> Vec<Choice> {
    ScalingMetric::ALL
        .iter()
        .map(|m| Choice {
            value: m.key().to_string(),
            label: tr.t(m.label()).to_string(),
            selected: *m == current,
        })
        .collect()
}

pub struct ServicesView {
    /// "Services of cluster demo".
    pub heading: String,
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
    check_names(&[&cluster])?;
    let (services, next, problem) = match state.connection.aws() {
        None => (Vec::new(), None, String::new()),
        Some(aws) => match aws
            .services(&cluster, token.next.filter(|t| t.len() <= 4096))
            .await
        {
            Ok((services, next)) => (services, next, String::new()),
            Err(error) => (Vec::new(), None, said(page.tr, &error)),
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
            heading: page
                .tr
                .fmt("ui.services_of_cluster", &[("cluster", cluster.clone())]),
            page,
            cluster,
            services,
            problem,
            next_url,
        },
    }
    .into_response())
}
