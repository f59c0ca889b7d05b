//! The handlers every one-page wizard shares.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::views::{self, ExistsPage, ResultPage, ReviewPage};
use super::{Context, CreateWizard, FormCommon, FormWizard};
use crate::aws::Aws;
use crate::deploy::{self, Mode, outcome_of, undo_json};
use crate::model::limits;
use crate::model::task_definition::Tag;
use crate::model::validate::Issue;
use crate::store::runs::RunStatus;
use crate::store::{ResourceDraft, Store, StoreError};
use crate::web::checklist;
use crate::web::draft_form::{self, DraftForm, Loaded, Shape, unprocessable};
use crate::web::error::{AppError, AppResult};
use crate::web::form::{Action, FormData, FormVersion};
use crate::web::form::{is_draft_id, tag_rows};
use crate::web::messages::Messages;
use crate::web::page::Page;
use crate::web::reviewed::{Reviewed, changed_since};
use crate::web::runs::{self, interrupted, next_mode, run_pending};
use crate::web::security::access::Signed;
use crate::web::state::AppState;

fn draft_url<W: FormWizard>(id: &str) -> String {
    format!("/{}/drafts/{id}", W::KIND)
}

fn copy_url<W: FormWizard>(id: &str) -> String {
    format!("{}/copy", draft_url::<W>(id))
}

/// "Make my own copy": someone else's draft, as the reader's own.
pub async fn copy<W: FormWizard>(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> AppResult<Response> {
    load::<W>(&state.store, &id).await?;
    let copy = state
        .store
        .copy_draft(&id, signed.owner())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&draft_url::<W>(&copy)).into_response())
}

/// Draft ids are 32 hex digits; anything else is not found without a query.
pub async fn load<W: FormWizard>(store: &Store, id: &str) -> AppResult<ResourceDraft<W>> {
    if !is_draft_id(id) {
        return Err(AppError::NotFound);
    }
    store
        .resource_draft(W::KIND, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Where a draft's form posts: with the version it was built from.
fn form_url<W: FormWizard>(id: &str, version: i64) -> String {
    format!("{}?v={version}", draft_url::<W>(id))
}

async fn form_page<W: FormWizard>(
    state: &AppState,
    page: Page,
    body: &W,
    action_url: String,
    issues: &[Issue],
) -> Response {
    let errors = Messages::new(page.tr, issues);
    let tags = tag_rows(body.tags());
    // Boxed: a wizard's joined account reads are large (see the service
    // review's `service_facts`).
    let facts = Box::pin(body.read_facts(&state.connection)).await;
    body.render_form(
        FormCommon {
            title: body.title(),
            page,
            action_url,
            errors,
            tags,
        },
        facts,
    )
}

pub async fn start<W: FormWizard>(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let body = W::start(&Context::of(&state.connection), &query);
    form_page(&state, page, &body, format!("/{}/new", W::KIND), &[]).await
}

/// A one-page wizard's draft as its form reads and shows it.
pub struct OnePage<W>(W);

impl<W: FormWizard> DraftForm for OnePage<W> {
    async fn load(store: &Store, id: &str) -> AppResult<Loaded<Self>> {
        let draft = load::<W>(store, id).await?;
        Ok(Loaded {
            form: OnePage(draft.body),
            version: draft.version,
            owner: draft.owner,
        })
    }

    async fn save(&self, store: &Store, id: &str, version: i64) -> Result<i64, StoreError> {
        store.save_resource_draft(id, version, &self.0).await
    }

    /// The whole form is posted: the draft is what it says.
    fn read(&mut self, form: &mut FormData, state: &AppState) -> Vec<Issue> {
        self.0 = W::decode(form, &Context::of(&state.connection));
        std::mem::take(&mut form.issues)
    }

    fn apply(&mut self, action: &Action, _state: &AppState) {
        let tags = self.0.tags_mut();
        match action {
            Action::Add(list) if list == "tags" => tags.push(Tag::default()),
            Action::Remove(list, index) if list == "tags" && *index < tags.len() => {
                tags.remove(*index);
            }
            _ => {}
        }
    }

    fn over_limits(&self) -> Vec<Issue> {
        limits::for_form(limits::check(&self.0))
    }

    fn check(&self) -> Vec<Issue> {
        self.0.validate()
    }

    fn document(&self) -> Value {
        views::sent_document(&self.0)
    }

    /// Errors wait for Next (or `?check=1`); advice is shown at once.
    fn shown(&self, check: bool) -> Vec<Issue> {
        let issues = self.0.validate();
        if check {
            issues
        } else {
            issues.into_iter().filter(|i| !i.is_error()).collect()
        }
    }

    fn prepare(&mut self, _state: &AppState, query: &HashMap<String, String>) {
        self.0.prepare(query);
    }

    fn url(id: &str) -> String {
        draft_url::<W>(id)
    }

    fn next_url(id: &str) -> String {
        format!("{}/review", draft_url::<W>(id))
    }

    fn copy_url(id: &str) -> String {
        copy_url::<W>(id)
    }

    /// One page, with or without htmx.
    async fn render(
        &self,
        state: &AppState,
        page: Page,
        id: &str,
        version: i64,
        issues: &[Issue],
        _posted: Option<&FormData>,
        _shape: Shape,
    ) -> Response {
        form_page(state, page, &self.0, form_url::<W>(id, version), issues).await
    }
}

pub async fn edit<W: FormWizard>(
    State(state): State<AppState>,
    page: Page,
    signed: Signed,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    draft_form::show::<OnePage<W>>(&state, page, &signed, &id, &query).await
}

pub async fn submit_new<W: FormWizard>(
    State(state): State<AppState>,
    page: Page,
    signed: Signed,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut form = FormData::new(pairs.clone());
    let context = Context::of(&state.connection);
    let body = W::decode(&mut form, &context);
    let over_limits = limits::for_form(limits::check(&body));
    if !over_limits.is_empty() {
        // Nothing over AWS's limits is saved: a new form comes back.
        let empty = W::start(&context, &HashMap::new());
        let url = format!("/{}/new", W::KIND);
        let page = form_page(&state, page, &empty, url, &over_limits).await;
        return Ok(unprocessable(page));
    }
    let id = state
        .store
        .create_resource_draft(W::KIND, &body, signed.owner())
        .await?;
    draft_form::save_posted(&state, page, &headers, &id, OnePage(body), 1, pairs).await
}

pub async fn submit<W: FormWizard>(
    State(state): State<AppState>,
    page: Page,
    signed: Signed,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(based_on): Query<FormVersion>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    draft_form::submit::<OnePage<W>>(&state, page, &signed, &headers, &id, based_on.v, pairs).await
}

pub async fn review<W: CreateWizard>(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load::<W>(&state.store, &id).await?;
    Ok(ReviewPage {
        v: views::review(page, &draft_url::<W>(&id), &draft),
    }
    .into_response())
}

pub async fn create<W: CreateWizard>(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(reviewed): Form<Reviewed>,
) -> AppResult<Response> {
    let draft = load::<W>(&state.store, &id).await?;
    let result_url = format!("{}/result", draft_url::<W>(&id));
    // Created already, or a create under way or cut off: never a second one.
    if draft.created.is_some() || run_pending(&state.store, &id).await? {
        return Ok(Redirect::to(&result_url).into_response());
    }
    let tr = page.tr;
    let mut review = views::review(page, &draft_url::<W>(&id), &draft);
    let Some(aws) = state.connection.aws() else {
        return Ok((StatusCode::CONFLICT, ReviewPage { v: review }).into_response());
    };
    if !review.blocked.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, ReviewPage { v: review }).into_response());
    }
    let sent = views::sent_document(&draft.body);
    review.changed = changed_since(
        &state.store,
        tr,
        &id,
        &reviewed,
        draft.version,
        &sent,
        |body| {
            serde_json::from_str::<W>(body)
                .ok()
                .map(|b| views::sent_document(&b))
        },
    )
    .await?;
    if review.changed.is_some() {
        return Ok((StatusCode::CONFLICT, ReviewPage { v: review }).into_response());
    }
    let mode = next_mode(&state.store, &id).await?;
    run_create(&state, aws, &id, draft.body, mode).await?;
    Ok(Redirect::to(&result_url).into_response())
}

/// Creates the resource as a journaled run; what AWS answered is kept with
/// the draft once it exists.
async fn run_create<W: CreateWizard>(
    state: &AppState,
    aws: &Aws,
    id: &str,
    body: W,
    mode: Mode,
) -> AppResult<()> {
    let (aws, store, draft_id) = (aws.clone(), state.store.clone(), id.to_string());
    deploy::run(&state.store, W::KIND, id, mode, move |journal| async move {
        let result = body.create(&aws, &journal).await;
        let (status, outcome) = outcome_of(&result);
        if status == RunStatus::Succeeded
            && let Err(error) = store.record_resource_created(&draft_id, &outcome).await
        {
            tracing::error!(%error, "could not keep what AWS answered with the draft");
        }
        (status, outcome)
    })
    .await?;
    Ok(())
}

/// Finishes an interrupted create: what exists is adopted, the rest is sent.
pub async fn finish<W: CreateWizard>(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load::<W>(&state.store, &id).await?;
    if let (Some(aws), true) = (
        state.connection.aws(),
        interrupted(&state.store, &id).await?,
    ) {
        run_create(&state, aws, &id, draft.body, Mode::Finish).await?;
    }
    Ok(Redirect::to(&format!("{}/result", draft_url::<W>(&id))).into_response())
}

/// Undoes an interrupted create: removes what it may have made.
pub async fn undo<W: CreateWizard>(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load::<W>(&state.store, &id).await?;
    if let (Some(aws), true) = (
        state.connection.aws(),
        interrupted(&state.store, &id).await?,
    ) {
        let (aws, body) = (aws.clone(), draft.body);
        deploy::run(
            &state.store,
            W::KIND,
            &id,
            Mode::Fresh,
            move |journal| async move {
                let undo = body.remove(&aws, &journal).await;
                (RunStatus::Undone, json!({"undo": undo_json(&undo)}))
            },
        )
        .await?;
    }
    Ok(Redirect::to(&format!("{}/result", draft_url::<W>(&id))).into_response())
}

/// How the draft's latest create ended, at a URL of its own (so reloading it
/// or switching the language shows it again and sends nothing).
pub async fn result<W: CreateWizard>(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load::<W>(&state.store, &id).await?;
    let review_url = format!("{}/review", draft_url::<W>(&id));
    let run = state.store.latest_run(&id).await?;
    match run {
        Some(run) if run.status == RunStatus::Exists => {
            let v = views::exists(page, &draft.body, &draft_url::<W>(&id));
            Ok(ExistsPage { v }.into_response())
        }
        Some(run) if run.status != RunStatus::Succeeded => {
            Ok(runs::page_for(page, &run, &draft_url::<W>(&id), review_url))
        }
        _ => match draft.created.as_ref() {
            Some(created) => {
                let next = match draft.body.next_step() {
                    Some((label, url)) => (page.tr.t(label).to_string(), url),
                    None => checklist::next_step(&state, page.tr).await,
                };
                Ok(ResultPage {
                    v: views::result(page, &draft.body, created, next),
                }
                .into_response())
            }
            None => Ok(Redirect::to(&review_url).into_response()),
        },
    }
}
