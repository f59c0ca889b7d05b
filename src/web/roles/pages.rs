//! The roles page and a role's page. A role's page reads its trust policy and
//! every policy document, says what keeps it from working as a task execution
//! role, and offers the fix: trust ecs-tasks, or attach
//! AmazonECSTaskExecutionRolePolicy. Its form changes the managed policies
//! attached and the inline policies; it leads to the confirmation of the
//! calls that make it so (`web/changes.rs`), and back here when IAM would
//! refuse what was typed.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::aws::{Aws, AwsError};
use crate::model::account::{RoleDetails, RoleSummary};
use crate::model::change::{InlinePolicy, PolicyEdit, policy_name};
use crate::model::issue::Issue;
use crate::model::permissions::Gap;
use crate::model::role::{MANAGED_POLICIES, is_role_name, trust_policy_with_ecs_tasks};
use crate::web::changes::{self, Request};
use crate::web::done::Done;
use crate::web::error::{AppError, AppResult};
use crate::web::form::{FormData, split_lines};
use crate::web::listing::{Listing, PageQuery, listing};
use crate::web::messages::Messages;
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
    pub policies_url: String,
    pub delete_url: String,
    /// The form: each managed policy offered, checked when attached.
    pub choices: Vec<PolicyChoice>,
    pub other_arns: String,
    /// Each inline policy, then an empty row for a new one.
    pub inline_rows: Vec<InlineRow>,
    /// A review's fix filled in the new inline policy.
    pub filled: bool,
    pub errors: Messages,
}

pub struct PolicyChoice {
    pub n: usize,
    pub name: String,
    pub arn: String,
    pub checked: bool,
}

pub struct InlineRow {
    pub n: usize,
    pub name: String,
    pub document: String,
    /// Not on the role yet: typed here, or filled in by a review's fix.
    pub new: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "roles/show.html")]
pub struct RolePage {
    pub v: RoleView,
}

/// `?add=ACTION&resource=ARN`: the fix a review offers, as a new inline
/// policy filled in (nothing is sent until its calls are confirmed).
#[derive(Deserialize)]
pub struct Adding {
    #[serde(default)]
    add: String,
    #[serde(default)]
    resource: String,
}

impl Adding {
    fn policy(&self) -> Option<InlinePolicy> {
        InlinePolicy::allowing(&self.add, &self.resource)
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(name): Path<String>,
    Query(adding): Query<Adding>,
) -> AppResult<Response> {
    role_page(&state, page, &name, None, adding.policy()).await
}

/// The form as posted: what it asks for, and the rows it was typed in.
struct Posted {
    edit: PolicyEdit,
    other_arns: String,
    /// The form row of each inline policy of `edit`.
    rows: Vec<usize>,
    issues: Vec<Issue>,
}

fn decode(form: &FormData) -> Posted {
    let other_arns = form.raw("attachedOther").unwrap_or_default().to_string();
    let mut attached: Vec<String> = form
        .rows("attached.")
        .into_iter()
        .map(|n| form.text(&format!("attached.{n}")))
        .chain(split_lines(&other_arns))
        .filter(|arn| !arn.is_empty())
        .collect();
    // A policy both checked and typed is attached once.
    let mut seen = std::collections::HashSet::new();
    attached.retain(|arn| seen.insert(arn.clone()));
    let mut inline = Vec::new();
    let mut rows = Vec::new();
    for n in form.rows("inline.") {
        let name = form.text(&format!("inline.{n}.name"));
        let document = form
            .raw(&format!("inline.{n}.document"))
            .unwrap_or_default()
            .to_string();
        let deleted = form.checked(&format!("inline.{n}.delete"));
        if deleted || (name.is_empty() && document.trim().is_empty()) {
            continue;
        }
        inline.push(InlinePolicy { name, document });
        rows.push(n);
    }
    let edit = PolicyEdit { attached, inline };
    // Messages land beside the row they were typed in.
    let issues = edit
        .validate()
        .into_iter()
        .map(|mut issue| {
            if let Some(rest) = issue.path.strip_prefix("inline.")
                && let Some((i, field)) = rest.split_once('.')
                && let Some(row) = i.parse::<usize>().ok().and_then(|i| rows.get(i))
            {
                issue.path = format!("inline.{row}.{field}");
            }
            if issue.path == "attached" && issue.key == "v.policy_arn" {
                issue.path = "attachedOther".into();
            }
            issue
        })
        .collect();
    Posted {
        edit,
        other_arns,
        rows,
        issues,
    }
}

/// The role's policies form posted: back here with the messages when IAM
/// would refuse it, else the confirmation of the calls.
pub async fn policies(
    State(state): State<AppState>,
    page: Page,
    Path(name): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let posted = decode(&FormData::new(pairs));
    if !posted.issues.is_empty() {
        let page = role_page(&state, page, &name, Some(posted), None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let request = Request::new("role-policies", &name, posted.edit).ok_or(AppError::NotFound)?;
    changes::confirmation(&state, page, &request, false).await
}

async fn role_page(
    state: &AppState,
    page: Page,
    name: &str,
    posted: Option<Posted>,
    adding: Option<InlinePolicy>,
) -> AppResult<Response> {
    let Some(aws) = state.connection.aws().filter(|_| is_role_name(name)) else {
        return Err(AppError::NotFound);
    };
    let role = match aws.role_details(name).await {
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
    let (choices, other_arns, mut inline_rows, errors) = form_of(&role, posted, tr);
    let filled = adding.is_some();
    if let (Some(mut policy), Some(last)) = (adding, inline_rows.last_mut()) {
        if role.inline.iter().any(|p| p.name == policy.name) {
            policy.name.push_str("-2");
        }
        last.name = policy.name;
        last.document = policy.document;
    }
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
        policies_url: format!("/roles/{name}/policies"),
        filled,
        delete_url: format!("/changes/new?kind=delete-role&name={name}"),
        choices,
        other_arns,
        inline_rows,
        errors,
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

/// The policies form: as the role is, or as it was posted.
fn form_of(
    role: &RoleDetails,
    posted: Option<Posted>,
    tr: crate::i18n::Tr,
) -> (Vec<PolicyChoice>, String, Vec<InlineRow>, Messages) {
    let partition = role.arn.split(':').nth(1).unwrap_or("aws");
    let mut offered: Vec<String> = role.attached.iter().map(|p| p.arn.clone()).collect();
    for policy in MANAGED_POLICIES {
        let arn = policy.arn(partition);
        if !offered.contains(&arn) {
            offered.push(arn);
        }
    }
    let (chosen, other_arns, inline, rows, errors) = match posted {
        Some(posted) => {
            let other: Vec<String> = split_lines(&posted.other_arns);
            let chosen: Vec<String> = posted
                .edit
                .attached
                .iter()
                .filter(|arn| !other.contains(arn))
                .cloned()
                .collect();
            let errors = Messages::new(tr, &posted.issues);
            (
                chosen,
                posted.other_arns,
                posted.edit.inline,
                posted.rows,
                errors,
            )
        }
        None => {
            let inline: Vec<InlinePolicy> = role
                .inline
                .iter()
                .map(|p| InlinePolicy {
                    name: p.name.clone(),
                    document: serde_json::to_string_pretty(&p.document).unwrap_or_default(),
                })
                .collect();
            let rows = (0..inline.len()).collect();
            let chosen = role.attached.iter().map(|p| p.arn.clone()).collect();
            (chosen, String::new(), inline, rows, Messages::default())
        }
    };
    let choices = offered
        .into_iter()
        .enumerate()
        .map(|(n, arn)| PolicyChoice {
            n,
            name: policy_name(&arn).to_string(),
            checked: chosen.contains(&arn),
            arn,
        })
        .collect();
    let mut inline_rows: Vec<InlineRow> = inline
        .into_iter()
        .zip(rows)
        .map(|(policy, n)| InlineRow {
            n,
            new: !role.inline.iter().any(|p| p.name == policy.name),
            name: policy.name,
            document: policy.document,
        })
        .collect();
    let next = inline_rows.iter().map(|r| r.n + 1).max().unwrap_or(0);
    inline_rows.push(InlineRow {
        n: next,
        name: String::new(),
        document: String::new(),
        new: true,
    });
    (choices, other_arns, inline_rows, errors)
}

/// IAM's code for "there is no role of that name".
const NO_SUCH_ENTITY: &str = "NoSuchEntity";

/// Adds ecs-tasks.amazonaws.com to the role's trust policy, keeping what it had.
pub async fn trust_ecs_tasks(
    State(state): State<AppState>,
    page: Page,
    Path(name): Path<String>,
) -> AppResult<Response> {
    fix(
        &state,
        page,
        &name,
        Done::Trusted,
        async |aws: &Aws, role: RoleSummary| {
            aws.update_trust_policy(&role.name, &trust_policy_with_ecs_tasks(&role.trust))
                .await
        },
    )
    .await
}

/// Attaches AmazonECSTaskExecutionRolePolicy, which grants the ECR pull and
/// CloudWatch Logs actions a task execution role needs.
pub async fn attach_execution_policy(
    State(state): State<AppState>,
    page: Page,
    Path(name): Path<String>,
) -> AppResult<Response> {
    fix(
        &state,
        page,
        &name,
        Done::Attached,
        async |aws: &Aws, role: RoleSummary| {
            let partition = role.arn.split(':').nth(1).unwrap_or("aws");
            aws.attach_role_policy(&role.name, &MANAGED_POLICIES[0].arn(partition))
                .await
        },
    )
    .await
}

/// Reads the role (one GetRole: a fix needs its ARN or trust policy, not
/// every policy document), applies `apply`, and goes back to the role's page.
async fn fix(
    state: &AppState,
    page: Page,
    name: &str,
    done: Done,
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
        Ok(()) => Redirect::to(&done.on(&back, name)).into_response(),
        Err(error) => refused(page, error, Vec::new(), back),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_checked_and_typed_again_is_attached_once() {
        const AGENT: &str = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy";
        const TEAM: &str = "arn:aws:iam::123456789012:policy/team";
        let form = FormData::new(vec![
            ("attached.0".into(), AGENT.into()),
            ("attachedOther".into(), format!("{TEAM}\n{AGENT}")),
        ]);
        assert_eq!(decode(&form).edit.attached, [AGENT, TEAM]);
    }
}
