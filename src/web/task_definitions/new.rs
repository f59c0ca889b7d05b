//! The wizard's first page: start empty, or paste JSON (register input or
//! describe output) and open the wizard prefilled.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::Step;
use super::decode::{AccountHint, role_arn};
use crate::i18n::Tr;
use crate::model::defaults::new_task_definition;
use crate::model::import::{ImportError, import as import_json};
use crate::store::{Draft, Store};
use crate::web::done::Done;
use crate::web::draft_form::unprocessable;
use crate::web::error::{AppError, AppResult};
use crate::web::form::Context;
use crate::web::page::Page;
use crate::web::security::access::Signed;
use crate::web::state::AppState;

pub struct NewView {
    pub page: Page,
    pub json: String,
    pub error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_new/page.html")]
pub struct NewPage {
    pub v: NewView,
}

#[derive(serde::Deserialize)]
pub struct NewQuery {
    /// A refused import to show again with its error (after the language
    /// switch, or a reload).
    import: Option<String>,
}

pub async fn show(
    State(store): State<Store>,
    page: Page,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    let kept = match query
        .import
        .as_deref()
        .filter(|id| crate::web::form::is_draft_id(id))
    {
        Some(id) => store.failed_import(id).await?,
        None => None,
    };
    let Some(json) = kept else {
        return Ok(new_page(page, String::new(), String::new()));
    };
    // Still refused (it was kept because it was): the same message, now in
    // the page's language.
    let error = match import_json(&json) {
        Err(error) => describe(page.tr, &error),
        Ok(_) => String::new(),
    };
    Ok(new_page(page, json, error))
}

fn new_page(page: Page, json: String, error: String) -> Response {
    NewPage {
        v: NewView { page, json, error },
    }
    .into_response()
}

pub async fn create_empty(State(store): State<Store>, signed: Signed) -> AppResult<Redirect> {
    let draft = Draft {
        task_definition: new_task_definition(),
        ..Draft::default()
    };
    let id = store.create_draft(&draft, signed.owner()).await?;
    Ok(Redirect::to(&Step::Configure.url(&id)))
}

/// Deletes a draft (its registered revisions stay in the history): its
/// owner or an admin.
pub async fn delete(
    State(store): State<Store>,
    signed: Signed,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    let draft = super::load(&store, &id).await?;
    if !signed.may_edit(draft.owner.as_deref()) {
        return Err(AppError::NotYourDraft);
    }
    if !store.delete_draft(&id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(
        &Done::DraftDeleted.on("/", &draft.task_definition.family),
    ))
}

/// "Make my own copy": someone else's draft, as the reader's own.
pub async fn copy(
    State(store): State<Store>,
    signed: Signed,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    super::load(&store, &id).await?;
    let copy = store
        .copy_draft(&id, signed.owner())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&Step::Configure.url(&copy)))
}

#[derive(serde::Deserialize)]
pub struct ImportForm {
    json: String,
}

pub async fn import(
    State(state): State<AppState>,
    page: Page,
    signed: Signed,
    Form(form): Form<ImportForm>,
) -> AppResult<Response> {
    let store = &state.store;
    match import_json(&form.json) {
        Ok(imported) => {
            let mut task_definition = imported.task_definition;
            // A bare role name is taken as the form takes it: its ARN here.
            let context = Context::of(&state.connection);
            let hint = AccountHint::of(&context);
            for role in [
                &mut task_definition.execution_role_arn,
                &mut task_definition.task_role_arn,
            ] {
                if let Some(name) = role.take() {
                    *role = Some(role_arn(name, hint.as_ref()));
                }
            }
            let draft = Draft {
                task_definition,
                import_dropped: imported.dropped,
                ..Draft::default()
            };
            let id = store.create_draft(&draft, signed.owner()).await?;
            Ok(Redirect::to(&Step::Configure.url(&id)).into_response())
        }
        Err(error) => {
            let error = describe(page.tr, &error);
            let kept = store.keep_failed_import(&form.json).await?;
            let mut page = page;
            page.path = format!("/task-definitions/new?import={kept}");
            Ok(unprocessable(new_page(page, form.json, error)))
        }
    }
}

fn describe(tr: Tr, error: &ImportError) -> String {
    match error {
        ImportError::NotJson {
            line,
            column,
            message,
        } => tr.fmt(
            "imp.not_json",
            &[
                ("line", line.to_string()),
                ("column", column.to_string()),
                ("detail", message.clone()),
            ],
        ),
        ImportError::NotAnObject => tr.t("imp.not_object").to_string(),
        ImportError::Empty => tr.t("imp.empty").to_string(),
        ImportError::CurlyQuotes { line, column } => tr.fmt(
            "imp.curly_quotes",
            &[("line", line.to_string()), ("column", column.to_string())],
        ),
        ImportError::TrailingComma { line, column } => tr.fmt(
            "imp.trailing_comma",
            &[("line", line.to_string()), ("column", column.to_string())],
        ),
        ImportError::UnknownField { field, at } => tr.fmt(
            "v.unknown_field",
            &[("field", field.clone()), ("at", at.clone())],
        ),
        ImportError::TooMany { at, count, max } => tr.fmt(
            "imp.too_many",
            &[
                ("path", at.clone()),
                ("count", count.clone()),
                ("max", max.clone()),
            ],
        ),
        ImportError::Invalid { at, message } => tr.fmt(
            "imp.invalid",
            &[("at", at.clone()), ("detail", message.clone())],
        ),
    }
}
