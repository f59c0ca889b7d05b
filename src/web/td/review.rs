//! Step 4, "Review": the exact request as JSON, the aws CLI command and the
//! Terraform block, every remaining issue with a link to its step, and Create.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{Step, StepLink, load, step_links};
use crate::aws::AwsError;
use crate::i18n::{Tr, catalog};
use crate::spec::export;
use crate::spec::validate::validate;
use crate::store::Draft;
use crate::web::error::AppResult;
use crate::web::messages::translate;
use crate::web::page::Page;
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

/// AWS said no: its code and message, what that usually means, what to do.
pub struct RefusalView {
    pub page: Page,
    pub code: String,
    pub message: String,
    pub meaning: String,
    pub next: String,
    pub review_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_review/refused.html")]
pub struct RefusedPage {
    pub v: RefusalView,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load(&state.store, &id)?;
    Ok(ReviewPage {
        v: view(page, &id, &draft),
    }
    .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load(&state.store, &id)?;
    let review = view(page, &id, &draft);
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
            let record = state.store.record_registration(
                &id,
                &registered.arn,
                &registered.family,
                revision,
                &registered.response,
            )?;
            Ok(Redirect::to(&format!("/task-definitions/revisions/{record}")).into_response())
        }
        Err(error) => {
            tracing::warn!(code = %error.code, "AWS refused register-task-definition");
            Ok((
                StatusCode::BAD_GATEWAY,
                RefusedPage {
                    v: refusal(review.page, &id, error),
                },
            )
                .into_response())
        }
    }
}

fn view(page: Page, id: &str, draft: &Draft) -> ReviewView {
    let td = &draft.task_definition;
    let tr = page.tr;
    let issues: Vec<IssueLine> = validate(td)
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
    let blocked = if page.is_preview() {
        page.preview_reason.clone()
    } else if issues.iter().any(|i| i.class == "error") {
        tr.t("ui.fix_errors_first").to_string()
    } else {
        String::new()
    };
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

fn refusal(page: Page, id: &str, error: AwsError) -> RefusalView {
    let (meaning, next) = explain(page.tr, &error.code);
    RefusalView {
        code: error.code,
        message: error.message,
        meaning,
        next,
        review_url: Step::Review.url(id),
        page,
    }
}

/// The catalog explains the codes a beginner meets most; others get the general advice.
fn explain(tr: Tr, code: &str) -> (String, String) {
    let known = catalog(tr.lang)
        .get(&format!("awserr.{code}.meaning"))
        .is_some();
    let key = if known { code } else { "other" };
    (
        tr.t(&format!("awserr.{key}.meaning")).to_string(),
        tr.t(&format!("awserr.{key}.next")).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn known_codes_are_explained_and_others_get_general_advice() {
        let tr = Tr::new(Lang::En);
        let (meaning, _) = explain(tr, "AccessDeniedException");
        assert!(meaning.contains("permission"), "{meaning}");
        let (general, next) = explain(tr, "SomethingNew");
        assert_eq!(general, tr.t("awserr.other.meaning"));
        assert!(!next.is_empty());
    }
}
