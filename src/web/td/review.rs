//! Step 4, "Review": the exact request as JSON, the aws CLI command and the
//! Terraform block, every remaining issue with a link to its step, and Create.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{Step, StepLink, account, load, step_links};
use crate::spec::export;
use crate::spec::validate::{Issue, validate};
use crate::store::Draft;
use crate::web::error::AppResult;
use crate::web::messages::translate;
use crate::web::page::Page;
use crate::web::refusal::refused;
use crate::web::state::AppState;

pub struct ReviewView {
    pub page: Page,
    pub steps: Vec<StepLink>,
    pub create_url: String,
    pub family: String,
    pub issues: Vec<IssueLine>,
    pub request_json: String,
    pub cli: String,
    pub terraform: String,
    /// Empty when Create can be pressed; otherwise why not.
    pub blocked: String,
}

pub struct IssueLine {
    pub text: String,
    pub class: &'static str,
    pub step_url: String,
    pub step_label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_review/page.html")]
pub struct ReviewPage {
    pub v: ReviewView,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load(&state.store, &id).await?;
    let facts = account::facts(&state.connection).await;
    let warnings = account::warnings(&draft.task_definition, facts.as_ref());
    Ok(ReviewPage {
        v: view(page, &id, &draft, warnings),
    }
    .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load(&state.store, &id).await?;
    // What the account lacks only warns, so Create does not read it again.
    let review = view(page, &id, &draft, Vec::new());
    let Some(aws) = state.connection.aws() else {
        return Ok((StatusCode::CONFLICT, ReviewPage { v: review }).into_response());
    };
    if !review.blocked.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, ReviewPage { v: review }).into_response());
    }
    match aws
        .register_task_definition(review.request_json.clone())
        .await
    {
        Ok(registered) => {
            let revision = i64::from(registered.revision);
            let record = state
                .store
                .record_registration(
                    &id,
                    &registered.arn,
                    &registered.family,
                    revision,
                    &registered.response,
                )
                .await?;
            Ok(Redirect::to(&format!("/task-definitions/revisions/{record}")).into_response())
        }
        Err(error) => Ok(refused(
            review.page,
            error,
            Vec::new(),
            Step::Review.url(&id),
        )),
    }
}

/// `account_warnings`: what the account does not hold yet (never blocking).
fn view(page: Page, id: &str, draft: &Draft, account_warnings: Vec<Issue>) -> ReviewView {
    let td = &draft.task_definition;
    let tr = page.tr;
    let mut all = validate(td);
    all.extend(account_warnings);
    let issues: Vec<IssueLine> = all
        .iter()
        .map(|issue| {
            let step = Step::owning(&issue.path);
            IssueLine {
                text: translate(tr, issue),
                class: if issue.is_error() { "error" } else { "warning" },
                step_url: step.url(id),
                step_label: step.label(tr),
            }
        })
        .collect();
    let blocked = page.create_blocked(issues.iter().any(|i| i.class == "error"));
    ReviewView {
        steps: step_links(tr, id, Step::Review),
        create_url: format!("/task-definitions/drafts/{id}/create"),
        family: td.family.clone(),
        issues,
        request_json: export::request_json(td),
        cli: export::aws_cli(td, Some(page.region.as_str()).filter(|r| !r.is_empty())),
        terraform: export::terraform(td),
        blocked,
        page,
    }
}
