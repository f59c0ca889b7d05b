//! The flow every form step shares: read the posted form into the draft,
//! apply an add/remove button, check the step's rules when going forward,
//! save, then answer with the page, its htmx fragment, or a redirect.

use std::future::Future;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::{Step, load, rows, unprocessable};
use crate::model::limits;
use crate::model::task_definition::TaskDefinition;
use crate::model::validate::Issue;
use crate::store::{Draft, StoreError};
use crate::web::error::{AppError, AppResult};
use crate::web::form::{Action, FormData, FormVersion};
use crate::web::page::{Page, is_htmx};
use crate::web::security::access::Signed;
use crate::web::state::AppState;

fn copy_url(id: &str) -> String {
    format!("/task-definitions/drafts/{id}/copy")
}

/// A whole page, or only the `<form id="step-form">` htmx swaps in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Page,
    Fragment,
}

/// What differs from one form step to the next.
pub trait WizardStep {
    const STEP: Step;

    /// Reads the posted form into the task definition; returns what could not be read.
    fn decode(td: &mut TaskDefinition, form: &mut FormData, state: &AppState) -> Vec<Issue>;

    /// The rules checked when the person presses Next.
    fn check(td: &TaskDefinition) -> Vec<Issue>;

    /// Advice shown whenever the step is (warnings that do not block).
    fn advice(_td: &TaskDefinition) -> Vec<Issue> {
        Vec::new()
    }

    /// Fills what a first visit shows in place of an empty list; not saved until submitted.
    fn prepare(_td: &mut TaskDefinition, _state: &AppState) {}

    /// The step as HTML. `posted` is the form just sent when it comes back with
    /// errors, so text that could not be read (bad JSON) is shown as typed.
    fn render(
        state: &AppState,
        page: Page,
        id: &str,
        draft: &Draft,
        issues: &[Issue],
        posted: Option<&FormData>,
        shape: Shape,
    ) -> impl Future<Output = Response> + Send;
}

pub async fn show<S: WizardStep>(
    State(state): State<AppState>,
    mut page: Page,
    signed: Signed,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> AppResult<Response> {
    let mut draft = load(&state.store, &id).await?;
    page.draft_of(&signed, draft.owner.as_deref(), copy_url(&id));
    S::prepare(&mut draft.task_definition, &state);
    let mut issues = S::advice(&draft.task_definition);
    // `?check=1`: the step as Next left it, with its errors (the language
    // switch comes back here from a page of errors).
    if query.check.is_some() {
        issues.extend(S::check(&draft.task_definition));
    }
    Ok(S::render(&state, page, &id, &draft, &issues, None, Shape::Page).await)
}

#[derive(serde::Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    check: Option<String>,
}

pub async fn submit<S: WizardStep>(
    State(state): State<AppState>,
    page: Page,
    signed: Signed,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(based_on): Query<FormVersion>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut draft = load(&state.store, &id).await?;
    if !signed.may_edit(draft.owner.as_deref()) {
        return Err(AppError::NotYourDraft);
    }
    if let Some(version) = based_on.v {
        draft.version = version;
    }
    let mut form = FormData::new(pairs);
    let action = form.action();
    let region = state.connection.region().unwrap_or_default().to_string();
    let td = &mut draft.task_definition;
    let mut issues = S::decode(td, &mut form, &state);
    rows::apply(td, &action, &region);
    if matches!(action, Action::Next | Action::Back) {
        rows::prune_empty(td);
    }
    let over_limits = limits::for_form(limits::check(&*td));
    if !over_limits.is_empty() {
        // Nothing over AWS's limits is saved or rendered: the step comes back
        // as it was saved, with the message.
        let saved = load(&state.store, &id).await?;
        let shape = if is_htmx(&headers) {
            Shape::Fragment
        } else {
            Shape::Page
        };
        let page = S::render(&state, page, &id, &saved, &over_limits, None, shape).await;
        return Ok(unprocessable(page));
    }
    if action == Action::Next {
        issues.extend(S::check(td));
        draft.import_dropped.clear();
    }
    // The step the person goes on to: the drafts list returns them there.
    let errors = issues.iter().any(Issue::is_error);
    draft.step = match action {
        Action::Next if !errors => S::STEP.next(),
        Action::Back => S::STEP.previous(),
        _ => S::STEP,
    }
    .slug()
    .to_string();
    // htmx swaps only the form: it must get the fragment, with the messages.
    let shape = if is_htmx(&headers) {
        Shape::Fragment
    } else {
        Shape::Page
    };
    match state.store.save_draft(&id, &draft).await {
        Ok(version) => draft.version = version,
        Err(StoreError::Conflict) => {
            // Another tab saved first: nothing is overwritten. The form comes
            // back as typed, built on the version now saved, with the message.
            draft.version = load(&state.store, &id).await?.version;
            let conflict = [Issue::error("", "v.changed_elsewhere")];
            let mut page = page;
            page.path = S::STEP.url(&id);
            let page = S::render(&state, page, &id, &draft, &conflict, Some(&form), shape).await;
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(error) => return Err(error.into()),
    }
    if issues.iter().any(Issue::is_error) {
        let mut page = page;
        page.path = format!("{}?check=1", S::STEP.url(&id));
        let page = S::render(&state, page, &id, &draft, &issues, Some(&form), shape).await;
        return Ok(unprocessable(page));
    }
    Ok(match action {
        Action::Next => Redirect::to(&S::STEP.next().url(&id)).into_response(),
        Action::Back => Redirect::to(&S::STEP.previous().url(&id)).into_response(),
        _ if is_htmx(&headers) => {
            let advice = S::advice(&draft.task_definition);
            S::render(&state, page, &id, &draft, &advice, None, Shape::Fragment).await
        }
        _ => Redirect::to(&S::STEP.url(&id)).into_response(),
    })
}
