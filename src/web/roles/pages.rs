//! The roles page and a role's page. A role's page reads its trust policy and
//! every policy document, says what keeps it from working as a task execution
//! role, and offers the fix: trust ecs-tasks, or attach
//! AmazonECSTaskExecutionRolePolicy.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::aws::{Aws, AwsError};
use crate::model::account::RoleSummary;
use crate::model::permissions::Gap;
use crate::model::role::{MANAGED_POLICIES, is_role_name, trust_policy_with_ecs_tasks};
use crate::web::error::{AppError, AppResult};
use crate::web::listing::{Listing, PageQuery, listing};
use crate::web::page::Page;
use crate::web::refusal::refused;
use crate::web::state::AppState;

pub struct RoleLine {
    pub name: String,
    pub url: String,
    /// Its trust policy lets ecs-tasks.amazonaws.com assume it.
    pub ecs_tasks_can_assume: bool,
}

impl From<&RoleSummary> for RoleLine {
    fn from(role: &RoleSummary) -> Self {
        Self {
            url: format!("/roles/{}", role.name),
            ecs_tasks_can_assume: role.trusts_ecs_tasks(),
            name: role.name.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "roles/list.html")]
pub struct RolesPage {
    pub v: Listing<RoleLine>,
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<PageQuery>,
) -> Response {
    let fetched = match state.connection.aws() {
        Some(aws) => Some(aws.roles_page(query.token()).await),
        None => None,
    };
    RolesPage {
        v: listing(page, "/roles", &query, fetched, |r| RoleLine::from(r)),
    }
    .into_response()
}

pub struct PolicyLine {
    pub name: String,
    pub arn: String,
    pub document: String,
}

pub struct RoleView {
    pub page: Page,
    pub name: String,
    pub arn: String,
    pub description: String,
    pub trust: String,
    pub attached: Vec<PolicyLine>,
    pub inline: Vec<PolicyLine>,
    /// What keeps it from working as a task execution role, translated.
    pub gaps: Vec<String>,
    pub offer_trust: bool,
    /// The trust policy the fix would write.
    pub fixed_trust: String,
    pub offer_attach: bool,
    pub trust_url: String,
    pub attach_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "roles/show.html")]
pub struct RolePage {
    pub v: RoleView,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(name): Path<String>,
) -> AppResult<Response> {
    let Some(aws) = state.connection.aws().filter(|_| is_role_name(&name)) else {
        return Err(AppError::NotFound);
    };
    let role = match aws.role_details(&name).await {
        Ok(role) => role,
        Err(error) if error.code == NO_SUCH_ENTITY => return Err(AppError::NotFound),
        Err(error) => return Ok(refused(page, error, Vec::new(), "/roles".into())),
    };
    let tr = page.tr;
    let gaps = role.execution_gaps();
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let lines = |policies: &[crate::model::account::PolicyDocument]| {
        policies
            .iter()
            .map(|p| PolicyLine {
                name: p.name.clone(),
                arn: p.arn.clone(),
                document: pretty(&p.document),
            })
            .collect()
    };
    let v = RoleView {
        gaps: gaps
            .iter()
            .map(|gap| match gap {
                Gap::NotAssumableByEcsTasks => tr.t("ui.gap_trust").to_string(),
                Gap::CannotPullFromEcr(missing) => {
                    tr.fmt("ui.gap_ecr", &[("actions", missing.join(", "))])
                }
                Gap::CannotWriteLogs(missing) => {
                    tr.fmt("ui.gap_logs", &[("actions", missing.join(", "))])
                }
            })
            .collect(),
        offer_trust: gaps.contains(&Gap::NotAssumableByEcsTasks),
        fixed_trust: pretty(&trust_policy_with_ecs_tasks(&role.trust)),
        offer_attach: gaps
            .iter()
            .any(|g| matches!(g, Gap::CannotPullFromEcr(_) | Gap::CannotWriteLogs(_))),
        trust_url: format!("/roles/{name}/trust-ecs-tasks"),
        attach_url: format!("/roles/{name}/attach-execution-policy"),
        trust: pretty(&role.trust),
        attached: lines(&role.attached),
        inline: lines(&role.inline),
        name: role.name,
        arn: role.arn,
        description: role.description,
        page,
    };
    Ok(RolePage { v }.into_response())
}

/// IAM's code for "there is no role of that name".
const NO_SUCH_ENTITY: &str = "NoSuchEntity";

/// Adds ecs-tasks.amazonaws.com to the role's trust policy, keeping what it had.
pub async fn trust_ecs_tasks(
    State(state): State<AppState>,
    page: Page,
    Path(name): Path<String>,
) -> AppResult<Response> {
    fix(&state, page, &name, async |aws: &Aws, role: RoleSummary| {
        aws.update_trust_policy(&role.name, &trust_policy_with_ecs_tasks(&role.trust))
            .await
    })
    .await
}

/// Attaches AmazonECSTaskExecutionRolePolicy, which grants the ECR pull and
/// CloudWatch Logs actions a task execution role needs.
pub async fn attach_execution_policy(
    State(state): State<AppState>,
    page: Page,
    Path(name): Path<String>,
) -> AppResult<Response> {
    fix(&state, page, &name, async |aws: &Aws, role: RoleSummary| {
        let partition = role.arn.split(':').nth(1).unwrap_or("aws");
        aws.attach_role_policy(&role.name, &MANAGED_POLICIES[0].arn(partition))
            .await
    })
    .await
}

/// Reads the role (one GetRole: a fix needs its ARN or trust policy, not
/// every policy document), applies `apply`, and goes back to the role's page.
async fn fix(
    state: &AppState,
    page: Page,
    name: &str,
    apply: impl AsyncFnOnce(&Aws, RoleSummary) -> Result<(), AwsError>,
) -> AppResult<Response> {
    if !is_role_name(name) {
        return Err(AppError::NotFound);
    }
    let back = format!("/roles/{name}");
    let Some(aws) = state.connection.aws() else {
        return Ok(Redirect::to(&back).into_response());
    };
    let result = match aws.role(name).await {
        Ok(role) => apply(aws, role).await,
        Err(error) if error.code == NO_SUCH_ENTITY => return Err(AppError::NotFound),
        Err(error) => Err(error),
    };
    Ok(match result {
        Ok(()) => Redirect::to(&back).into_response(),
        Err(error) => refused(page, error, Vec::new(), back),
    })
}
