//! The quick start's one page: an image, its port and a few optional
//! values. On Next the account is read for what it has (the default VPC,
//! the execution role, the `default` cluster, the log group) and the
//! values become a service draft through the service wizard's own form
//! decoder, with what is missing made first by the same plan. Its review,
//! Create, run, Resume, Clean up and tear-down are the service wizard's.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::create::load;
use super::error::{AppError, AppResult};
use super::form::{Choice, Context};
use super::messages::Messages;
use super::page::Page;
use super::refusal::said;
use super::route::{Routes, get, viewer};
use super::security::access::Signed;
use super::services::decode_service_fields;
use super::state::AppState;
use super::task_definitions::account::{Suggestion, facts, image_suggestions};
use crate::aws::AwsError;
use crate::model::account::named_in;
use crate::model::fargate::{cpu_label, memory_label};
use crate::model::role::RoleKind;
use crate::model::service::draft::ServiceDraft;
use crate::model::service::prerequisites::TASK_DEFINITION_ARN;
use crate::model::service::quick_start::{CLUSTER, Found, MAX_VARIABLES, QuickStart};
use crate::model::service::traffic::DEFAULT_ROLE_NAME;
use crate::model::validate::Issue;

pub fn routes() -> Routes {
    Routes::new().route("/quick-start", get(viewer(show)).post(viewer(submit)))
}

/// The Fargate sizes offered: the smallest first, as a beginner needs.
const SIZES: [(u32, u32); 6] = [
    (256, 512),
    (256, 1024),
    (512, 1024),
    (1024, 2048),
    (2048, 4096),
    (4096, 8192),
];
/// Longest text the two lists may hold (50 lines of a name and an ARN).
const MAX_LIST_TEXT: usize = 64 * 1024;

pub struct QuickView {
    pub page: Page,
    pub values: QuickStart,
    pub environment: String,
    pub secrets: String,
    pub sizes: Vec<Choice>,
    pub images: Vec<Suggestion>,
    pub zones: Vec<Suggestion>,
    /// Beside each field, and summed up at the top.
    pub errors: Messages,
    /// Why the account could not be read, or empty.
    pub problem: String,
    /// The draft being changed, and the version the form was built from.
    pub draft: String,
    pub version: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "quick_start.html")]
pub struct QuickPage {
    pub v: QuickView,
}

#[derive(Deserialize)]
pub struct DraftQuery {
    #[serde(default)]
    draft: String,
}

/// `NAME=value` lines.
fn lines_of(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `NAME=value` lines read back; more than the limit are kept so the
/// check can say so (and nothing is saved).
fn pairs_of(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(MAX_VARIABLES + 1)
        .map(|line| match line.split_once('=') {
            Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
            None => (line.to_string(), String::new()),
        })
        .collect()
}

async fn view(state: &AppState, page: Page, values: QuickStart, issues: &[Issue]) -> QuickView {
    let tr = page.tr;
    let mut images = Vec::new();
    let mut zones = Vec::new();
    if let Some(aws) = state.connection.aws() {
        let empty = crate::model::task_definition::TaskDefinition::default();
        let (account, hosted) = tokio::join!(facts(&state.connection, &empty), aws.hosted_zones());
        images = image_suggestions(
            account.as_ref().map(|read| read.value.as_ref()),
            tr.t("ui.not_pushed"),
        );
        if let Ok(read) = hosted {
            zones = read
                .value
                .iter()
                .filter(|z| !z.private)
                .map(|z| Suggestion {
                    value: z.id.clone(),
                    label: z.name.trim_end_matches('.').to_string(),
                })
                .collect();
        }
    }
    let size = (values.cpu.clone(), values.memory.clone());
    QuickView {
        environment: lines_of(&values.environment),
        secrets: lines_of(&values.secrets),
        sizes: SIZES
            .iter()
            .map(|(cpu, memory)| Choice {
                value: format!("{cpu}/{memory}"),
                label: format!("{} · {}", cpu_label(*cpu), memory_label(*memory)),
                selected: size == (cpu.to_string(), memory.to_string()),
            })
            .collect(),
        images,
        zones,
        errors: Messages::new(tr, issues),
        problem: String::new(),
        draft: String::new(),
        version: 0,
        values,
        page,
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<DraftQuery>,
) -> AppResult<Response> {
    let (values, draft, version) = if query.draft.is_empty() {
        (QuickStart::default(), String::new(), 0)
    } else {
        let saved = load::<ServiceDraft>(&state.store, &query.draft).await?;
        let values = saved.body.quick_start.clone().ok_or(AppError::NotFound)?;
        (values, query.draft, saved.version)
    };
    let mut v = view(&state, page, values, &[]).await;
    v.draft = draft;
    v.version = version;
    Ok(QuickPage { v }.into_response())
}

/// The posted form as quick start values.
fn read(pairs: &[(String, String)]) -> (QuickStart, String, i64) {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let int = |name: &str, default: i64| get(name).parse().unwrap_or(default);
    let defaults = QuickStart::default();
    let (cpu, memory) = get("size")
        .split_once('/')
        .map(|(c, m)| (c.to_string(), m.to_string()))
        .unwrap_or((defaults.cpu.clone(), defaults.memory.clone()));
    let list = |name: &str| {
        let text = get(name);
        if text.len() > MAX_LIST_TEXT {
            // Over any sensible size: kept whole so the check refuses it.
            vec![(String::new(), String::new()); MAX_VARIABLES + 1]
        } else {
            pairs_of(&text)
        }
    };
    let values = QuickStart {
        image: get("image"),
        container_port: int("containerPort", 0),
        health_check_path: Some(get("healthCheckPath"))
            .filter(|p| !p.is_empty())
            .unwrap_or(defaults.health_check_path),
        cpu,
        memory,
        min_tasks: int("minTasks", defaults.min_tasks),
        max_tasks: int("maxTasks", defaults.max_tasks),
        domain: get("domain").to_ascii_lowercase(),
        hosted_zone_id: get("hostedZoneId"),
        environment: list("environment"),
        secrets: list("secrets"),
    };
    (values, get("draft"), int("version", 0))
}

/// What the account has, read at once: the default VPC, whether the
/// execution role, the log group and the `default` cluster exist, and the
/// infrastructure role.
async fn found(state: &AppState, quick: &QuickStart) -> Result<Found, AwsError> {
    let context = Context::of(&state.connection);
    let mut found = Found {
        account: context.account.clone().unwrap_or_default(),
        region: context.region.clone(),
        partition: context.partition.clone(),
        ..Found::default()
    };
    let Some(aws) = state.connection.aws() else {
        return Ok(found);
    };
    let td = quick.task_definition(&found);
    let named = named_in(&td, &found.account, &found.region);
    let (network, account, cluster, infrastructure) = tokio::join!(
        aws.network(None),
        aws.facts_for(&found.account, &named),
        aws.find_cluster(CLUSTER),
        aws.role_if_any(DEFAULT_ROLE_NAME)
    );
    found.infrastructure_role = infrastructure?.map(|role| role.arn);
    let network = network?.value;
    let account = account?.value;
    if let Some(vpc) = network.preferred_vpc() {
        found.vpc_id = vpc.id.clone();
        found.subnets = network
            .subnets
            .iter()
            .filter(|s| s.vpc_id == vpc.id)
            .cloned()
            .collect();
    }
    found.role_exists = account
        .roles
        .iter()
        .any(|r| r.name == RoleKind::Execution.default_name());
    found.log_group_exists = td.container_definitions.iter().any(|c| {
        c.awslogs()
            .and_then(|l| l.options.get("awslogs-group"))
            .is_some_and(|g| account.log_groups.contains(g))
    });
    found.cluster_exists = cluster?.is_some();
    Ok(found)
}

/// The service draft a quick start makes: its values in the service
/// wizard's fields, read by that wizard's decoder, with what the account
/// lacks made first and the task definition registered by the plan.
pub fn draft(values: QuickStart, found: &Found) -> ServiceDraft {
    let mut draft = decode_service_fields(values.service_fields(found), &found.partition);
    draft.service.task_definition = TASK_DEFINITION_ARN.into();
    draft.prerequisites = values.prerequisites(found);
    draft.quick_start = Some(values);
    draft
}

pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    signed: Signed,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (values, draft_id, version) = read(&pairs);
    let issues = values.issues();
    let refused = |mut v: QuickView, problem: String| {
        v.draft = draft_id.clone();
        v.version = version;
        v.problem = problem;
        (StatusCode::UNPROCESSABLE_ENTITY, QuickPage { v }).into_response()
    };
    if !issues.is_empty() {
        let v = view(&state, page, values, &issues).await;
        return Ok(refused(v, String::new()));
    }
    let found = match found(&state, &values).await {
        Ok(found) => found,
        Err(error) => {
            let problem = said(page.tr, &error);
            let v = view(&state, page, values, &[]).await;
            return Ok(refused(v, problem));
        }
    };
    let draft = draft(values, &found);
    let id = if draft_id.is_empty() {
        state
            .store
            .create_resource_draft("services", &draft, signed.owner())
            .await?
    } else {
        let saved = load::<ServiceDraft>(&state.store, &draft_id).await?;
        if !signed.may_edit(saved.owner.as_deref()) {
            return Err(AppError::NotYourDraft);
        }
        state
            .store
            .save_resource_draft(&draft_id, version, &draft)
            .await?;
        draft_id
    };
    Ok(Redirect::to(&format!("/services/drafts/{id}/review")).into_response())
}
