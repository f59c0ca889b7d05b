//! The handlers every one-page wizard shares.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::views::{self, ExistsPage, ResultPage, ReviewPage};
use super::{Context, CreateWizard, FormCommon};
use crate::aws::CreateError;
use crate::spec::task_definition::Tag;
use crate::spec::validate::Issue;
use crate::store::{ResourceDraft, Store};
use crate::web::error::{AppError, AppResult};
use crate::web::form::{Action, FormData};
use crate::web::messages::Messages;
use crate::web::page::Page;
use crate::web::refusal::refused;
use crate::web::state::AppState;

fn draft_url<W: CreateWizard>(id: &str) -> String {
    format!("/{}/drafts/{id}", W::KIND)
}

/// Draft ids are 32 hex digits; anything else is not found without a query.
fn load<W: CreateWizard>(store: &Store, id: &str) -> AppResult<ResourceDraft<W>> {
    if id.len() != 32 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    store.resource_draft(W::KIND, id)?.ok_or(AppError::NotFound)
}

fn form_page<W: CreateWizard>(
    page: Page,
    body: &W,
    action_url: String,
    issues: &[Issue],
) -> Response {
    let errors = Messages::new(page.tr, issues);
    let tags = views::tag_rows(body.tags());
    body.render_form(FormCommon {
        title: body.title(),
        page,
        action_url,
        errors,
        tags,
    })
}

pub async fn start<W: CreateWizard>(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let body = W::start(&Context::of(&state.connection), &query);
    form_page(page, &body, format!("/{}/new", W::KIND), &[])
}

pub async fn edit<W: CreateWizard>(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load::<W>(&state.store, &id)?;
    let issues = draft.body.validate();
    let warnings: Vec<Issue> = issues.into_iter().filter(|i| !i.is_error()).collect();
    Ok(form_page(page, &draft.body, draft_url::<W>(&id), &warnings))
}

pub async fn submit_new<W: CreateWizard>(
    State(state): State<AppState>,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut form = FormData::new(pairs);
    let body = W::decode(&mut form, &Context::of(&state.connection));
    let id = state.store.create_resource_draft(W::KIND, &body)?;
    after_submit(&state, page, &id, body, form)
}

pub async fn submit<W: CreateWizard>(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    load::<W>(&state.store, &id)?;
    let mut form = FormData::new(pairs);
    let body = W::decode(&mut form, &Context::of(&state.connection));
    after_submit(&state, page, &id, body, form)
}

/// Saves the form, applies an add/remove button, or checks it and goes to review.
fn after_submit<W: CreateWizard>(
    state: &AppState,
    page: Page,
    id: &str,
    mut body: W,
    form: FormData,
) -> AppResult<Response> {
    let action = form.action();
    match &action {
        Action::Add(list) if list == "tags" => body.tags_mut().push(Tag::default()),
        Action::Remove(list, index) if list == "tags" && *index < body.tags_mut().len() => {
            body.tags_mut().remove(*index);
        }
        _ => {}
    }
    state.store.save_resource_draft(id, &body)?;
    if action != Action::Next {
        return Ok(Redirect::to(&draft_url::<W>(id)).into_response());
    }
    let mut issues = form.issues;
    issues.extend(body.validate());
    if issues.iter().any(Issue::is_error) {
        let page = form_page(page, &body, draft_url::<W>(id), &issues);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    Ok(Redirect::to(&format!("{}/review", draft_url::<W>(id))).into_response())
}

pub async fn review<W: CreateWizard>(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load::<W>(&state.store, &id)?;
    Ok(ReviewPage {
        v: views::review(page, &draft_url::<W>(&id), &draft),
    }
    .into_response())
}

pub async fn create<W: CreateWizard>(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load::<W>(&state.store, &id)?;
    let result_url = format!("{}/result", draft_url::<W>(&id));
    if draft.created.is_some() {
        return Ok(Redirect::to(&result_url).into_response());
    }
    let review = views::review(page, &draft_url::<W>(&id), &draft);
    let Some(aws) = state.connection.aws() else {
        return Ok((StatusCode::CONFLICT, ReviewPage { v: review }).into_response());
    };
    if !review.blocked.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, ReviewPage { v: review }).into_response());
    }
    match draft.body.create(aws).await {
        Ok(created) => {
            let record = serde_json::json!({"arn": created.arn, "response": created.response});
            state.store.record_resource_created(&id, &record)?;
            Ok(Redirect::to(&result_url).into_response())
        }
        Err(CreateError::AlreadyExists) => Ok((
            StatusCode::CONFLICT,
            ExistsPage {
                v: views::exists(review.page, &draft.body, &draft_url::<W>(&id)),
            },
        )
            .into_response()),
        Err(CreateError::Refused { error, undo }) => Ok(refused(
            review.page,
            error,
            undo,
            format!("{}/review", draft_url::<W>(&id)),
        )),
    }
}

pub async fn result<W: CreateWizard>(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load::<W>(&state.store, &id)?;
    let Some(created) = &draft.created else {
        return Ok(Redirect::to(&format!("{}/review", draft_url::<W>(&id))).into_response());
    };
    Ok(ResultPage {
        v: views::result(page, &draft.body, created),
    }
    .into_response())
}
