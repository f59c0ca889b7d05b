//! One revision (`/task-definitions/{family}/{revision}`): a readable
//! summary, the full JSON with its aws CLI and Terraform, the services that
//! run it, and its actions — a new revision from this one (the wizard,
//! prefilled), a service updated to it, deregister and delete — each of
//! the last two first confirmed on a page that says what it will do.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::history::{check_family, family_url, revision_url};
use crate::model::access::Role;
use crate::model::export::{aws_cli, request_json, terraform};
use crate::model::revision::{Revision, shown_value};
use crate::model::task_definition::TaskDefinition;
use crate::web::done::Done;
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;
use crate::web::refusal::said;
use crate::web::service_drafts::{self, ServiceDraftLine};
use crate::web::state::AppState;

pub struct ContainerSummary {
    pub name: String,
    pub image: String,
    pub essential: bool,
    /// `80/tcp`
    pub ports: Vec<String>,
    /// (name, value as shown: secret-looking values masked)
    pub environment: Vec<(String, String)>,
    /// (name, where it comes from)
    pub secrets: Vec<(String, String)>,
    /// `awslogs: /ecs/web (ap-northeast-1, prefix ecs)`
    pub logging: String,
    pub health_check: String,
    /// `db: HEALTHY`
    pub depends_on: Vec<String>,
    pub cpu_memory: String,
}

pub struct RevisionView {
    pub page: Page,
    pub revision: Revision,
    pub family_url: String,
    pub url: String,
    pub containers: Vec<ContainerSummary>,
    pub volumes: Vec<String>,
    pub json: String,
    pub cli: String,
    pub terraform: String,
    /// The description as the import box takes it: a new revision from this one.
    pub import_json: String,
    /// (cluster, service) of each service that runs this revision now.
    pub running_here: Vec<(String, String)>,
    /// (cluster, service, URL of its "update to this revision"
    /// confirmation) of the family's services on another revision.
    pub services: Vec<(String, String, String)>,
    /// `service_query` for "Create a service with this revision".
    pub service_query: String,
    /// Open service drafts this revision can be chosen in.
    pub service_drafts: Vec<ServiceDraftLine>,
    pub compare_url: String,
    pub problem: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_history/revision.html")]
pub struct RevisionPage {
    pub v: RevisionView,
}

fn summary(revision: &Revision) -> (Vec<ContainerSummary>, Vec<String>) {
    match &revision.definition {
        Some(td) => summarise(td),
        None => (Vec::new(), Vec::new()),
    }
}

/// Each container as a person reads it, and the volumes' names: the
/// revision page and the wizard's review both start with this.
pub fn summarise(td: &TaskDefinition) -> (Vec<ContainerSummary>, Vec<String>) {
    let containers = td
        .container_definitions
        .iter()
        .map(|c| ContainerSummary {
            name: c.name.clone(),
            image: c.image.clone(),
            essential: c.is_essential(),
            ports: c
                .port_mappings
                .iter()
                .filter_map(|p| {
                    p.container_port
                        .map(|port| format!("{port}/{}", p.protocol.as_deref().unwrap_or("tcp")))
                })
                .collect(),
            environment: c
                .environment
                .iter()
                .map(|kv| {
                    let name = kv.name.clone().unwrap_or_default();
                    let value = shown_value(&name, kv.value.as_deref().unwrap_or_default());
                    (name, value)
                })
                .collect(),
            secrets: c
                .secrets
                .iter()
                .map(|s| (s.name.clone(), s.value_from.clone()))
                .collect(),
            logging: c
                .log_configuration
                .as_ref()
                .map(|l| {
                    let options: Vec<String> =
                        l.options.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    format!("{}: {}", l.log_driver, options.join(", "))
                })
                .unwrap_or_default(),
            health_check: c
                .health_check
                .as_ref()
                .map(|h| h.command.join(" "))
                .unwrap_or_default(),
            depends_on: c
                .depends_on
                .iter()
                .map(|d| format!("{}: {}", d.container_name, d.condition))
                .collect(),
            cpu_memory: [
                c.cpu.map(|n| format!("CPU {n}")),
                c.memory.map(|n| format!("memory {n} MiB")),
                c.memory_reservation.map(|n| format!("reserved {n} MiB")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
        })
        .collect();
    let volumes = td.volumes.iter().filter_map(|v| v.name.clone()).collect();
    (containers, volumes)
}

/// The revision `family:revision` as AWS describes it now.
async fn load(
    state: &AppState,
    family: &str,
    revision: i64,
) -> AppResult<Result<Option<Revision>, crate::aws::AwsError>> {
    let Some(aws) = state.connection.aws() else {
        return Ok(Ok(None));
    };
    match aws.describe_revision(&format!("{family}:{revision}")).await {
        Ok(Some(value)) => {
            let found = Revision::of(&value);
            if found.arn.is_empty() {
                return Ok(Ok(None));
            }
            // Kept for the family's pages; this page reads the status now.
            state
                .store
                .cache_revisions(vec![(found.arn.clone(), value)])
                .await?;
            Ok(Ok(Some(found)))
        }
        Ok(None) => Ok(Ok(None)),
        Err(error) => Ok(Err(error)),
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path((family, revision)): Path<(String, i64)>,
) -> AppResult<Response> {
    check_family(&family)?;
    if state.connection.aws().is_none() {
        return Err(AppError::NotFound);
    }
    let revision = match load(&state, &family, revision).await? {
        Ok(Some(revision)) => revision,
        Ok(None) => return Err(AppError::NotFound),
        Err(error) => {
            return Ok((StatusCode::BAD_GATEWAY, said(page.tr, &error)).into_response());
        }
    };
    let mut problem = String::new();
    let running = match state.connection.aws() {
        Some(aws) => match aws.services_running(&family).await {
            Ok(running) => running,
            Err(e) => {
                problem = said(page.tr, &e);
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    let (here, elsewhere): (Vec<_>, Vec<_>) = running
        .into_iter()
        .partition(|(_, _, r)| *r == revision.name());
    let running_here = here.into_iter().map(|(c, s, _)| (c, s)).collect();
    let services = elsewhere
        .into_iter()
        .map(|(cluster, service, _)| {
            let url = format!(
                "/clusters/{cluster}/services/{service}/update?{}",
                serde_urlencoded::to_string([("action", "revision"), ("value", &revision.name()),])
                    .unwrap_or_default()
            );
            (cluster, service, url)
        })
        .collect();
    let (containers, volumes) = summary(&revision);
    let region = state.connection.region();
    let (cli, terraform) = revision
        .definition
        .as_ref()
        .map(|td| (aws_cli(td, region), terraform(td)))
        .unwrap_or_default();
    let v = RevisionView {
        family_url: family_url(&family),
        url: revision_url(&family, revision.revision),
        compare_url: if revision.revision > 1 {
            format!(
                "{}/compare?a={}&b={}",
                family_url(&family),
                revision.revision - 1,
                revision.revision
            )
        } else {
            String::new()
        },
        json: serde_json::to_string_pretty(&revision.described).unwrap_or_default(),
        import_json: revision
            .definition
            .as_ref()
            .map(request_json)
            .unwrap_or_default(),
        service_query: serde_urlencoded::to_string([("taskDefinition", revision.name())])
            .unwrap_or_default(),
        service_drafts: service_drafts::offered(&state.store, page.tr, &revision.name()).await?,
        cli,
        terraform,
        containers,
        volumes,
        services,
        running_here,
        problem,
        revision,
        page,
    };
    Ok(RevisionPage { v }.into_response())
}

/// Deregister (ACTIVE → INACTIVE) or delete (INACTIVE → gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Deregister,
    Delete,
}

impl Change {
    pub fn action(self) -> &'static str {
        match self {
            Change::Deregister => "deregister",
            Change::Delete => "delete",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Change::Deregister => "ui.deregister",
            Change::Delete => "ui.delete_revision",
        }
    }

    fn explanation(self) -> &'static str {
        match self {
            Change::Deregister => "h.deregister",
            Change::Delete => "h.delete_revision",
        }
    }

    /// The status the revision must have for this change.
    fn required_status(self) -> &'static str {
        match self {
            Change::Deregister => "ACTIVE",
            Change::Delete => "INACTIVE",
        }
    }
}

pub struct ChangeView {
    pub page: Page,
    pub change: Change,
    pub name: String,
    pub url: String,
    pub post_url: String,
    pub lead: String,
    /// `cluster/service` of each service that still runs it.
    pub in_use: Vec<String>,
    /// Why it cannot be done now (its status), or AWS's refusal.
    pub problem: String,
    pub blocked: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_history/change.html")]
pub struct ChangePage {
    pub v: ChangeView,
}

async fn change_view(
    state: &AppState,
    page: Page,
    family: &str,
    number: i64,
    change: Change,
) -> AppResult<(ChangeView, Option<Revision>)> {
    check_family(family)?;
    let url = revision_url(family, number);
    let name = format!("{family}:{number}");
    let mut v = ChangeView {
        lead: page
            .tr
            .fmt(change.explanation(), &[("revision", name.clone())]),
        blocked: page.blocked_for(Role::Admin, false),
        page,
        change,
        post_url: format!("{url}/{}", change.action()),
        url,
        name,
        in_use: Vec::new(),
        problem: String::new(),
    };
    let Some(aws) = state.connection.aws() else {
        return Ok((v, None));
    };
    let revision = match load(state, family, number).await? {
        Ok(Some(revision)) => revision,
        Ok(None) => return Err(AppError::NotFound),
        Err(e) => {
            v.problem = said(v.page.tr, &e);
            return Ok((v, None));
        }
    };
    match aws.services_running(family).await {
        Ok(running) => {
            v.in_use = running
                .into_iter()
                .filter(|(_, _, r)| *r == v.name)
                .map(|(cluster, service, _)| format!("{cluster}/{service}"))
                .collect();
        }
        Err(e) => v.problem = said(v.page.tr, &e),
    }
    if revision.status != change.required_status() {
        v.problem = v.page.tr.fmt(
            "v.revision_status",
            &[
                ("revision", v.name.clone()),
                ("status", revision.status.clone()),
            ],
        );
        return Ok((v, None));
    }
    Ok((v, Some(revision)))
}

pub async fn confirm_deregister(
    State(state): State<AppState>,
    page: Page,
    Path((family, number)): Path<(String, i64)>,
) -> AppResult<Response> {
    confirm(&state, page, &family, number, Change::Deregister).await
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    page: Page,
    Path((family, number)): Path<(String, i64)>,
) -> AppResult<Response> {
    confirm(&state, page, &family, number, Change::Delete).await
}

pub async fn deregister(
    State(state): State<AppState>,
    page: Page,
    Path((family, number)): Path<(String, i64)>,
) -> AppResult<Response> {
    apply(&state, page, &family, number, Change::Deregister).await
}

pub async fn delete(
    State(state): State<AppState>,
    page: Page,
    Path((family, number)): Path<(String, i64)>,
) -> AppResult<Response> {
    apply(&state, page, &family, number, Change::Delete).await
}

async fn confirm(
    state: &AppState,
    page: Page,
    family: &str,
    number: i64,
    change: Change,
) -> AppResult<Response> {
    let (v, _) = change_view(state, page, family, number, change).await?;
    Ok(ChangePage { v }.into_response())
}

async fn apply(
    state: &AppState,
    page: Page,
    family: &str,
    number: i64,
    change: Change,
) -> AppResult<Response> {
    let (mut v, revision) = change_view(state, page, family, number, change).await?;
    let (Some(aws), Some(revision)) = (state.connection.aws(), revision) else {
        return Ok((StatusCode::CONFLICT, ChangePage { v }).into_response());
    };
    let sent = match change {
        Change::Deregister => aws.deregister_revision(&revision.arn).await,
        Change::Delete => aws.delete_revision(&revision.arn).await,
    };
    match sent {
        Ok(()) => Ok(Redirect::to(&match change {
            Change::Deregister => Done::Deregistered.on(&v.url, &revision.name()),
            Change::Delete => Done::RevisionDeleted
                .on(&(family_url(family) + "?status=INACTIVE"), &revision.name()),
        })
        .into_response()),
        Err(e) => {
            v.problem = said(v.page.tr, &e);
            Ok((StatusCode::BAD_GATEWAY, ChangePage { v }).into_response())
        }
    }
}
