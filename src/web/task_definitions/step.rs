//! The task definition wizard's form steps: what differs from one to the
//! next ([`WizardStep`]); the flow they share with the one-page wizards is
//! [`crate::web::draft_form`].

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use super::{Step, load, rows};
use crate::model::issue::Issue;
use crate::model::limits;
use crate::model::task_definition::TaskDefinition;
use crate::store::{Draft, Store, StoreError};
use crate::web::draft_form::{self, DraftForm, Loaded};
use crate::web::error::AppResult;
use crate::web::form::{Action, FormData, FormVersion};
use crate::web::page::Page;
use crate::web::security::access::Signed;
use crate::web::state::AppState;

pub use crate::web::draft_form::Shape;

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

    /// Fills what a visit shows in place of what is empty (see
    /// [`DraftForm::prepare`]); not saved until submitted.
    fn prepare(_td: &mut TaskDefinition, _state: &AppState, _query: &HashMap<String, String>) {}

    /// Where a `go:PLACE` button leads once the step is saved.
    fn go_url(_id: &str, _place: &str) -> Option<String> {
        None
    }

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

/// A draft as step `S` reads and shows it.
pub struct OnStep<S>(Draft, PhantomData<S>);

impl<S> OnStep<S> {
    /// The draft at `version`, as the step renders it.
    fn at(&self, version: i64) -> Draft {
        Draft {
            version,
            ..self.0.clone()
        }
    }
}

impl<S: WizardStep + Send + Sync> DraftForm for OnStep<S> {
    async fn load(store: &Store, id: &str) -> AppResult<Loaded<Self>> {
        let draft = load(store, id).await?;
        Ok(Loaded {
            version: draft.version,
            owner: draft.owner.clone(),
            form: OnStep(draft, PhantomData),
        })
    }

    async fn save(&self, store: &Store, id: &str, version: i64) -> Result<i64, StoreError> {
        store.save_draft(id, &self.at(version)).await
    }

    fn read(&mut self, form: &mut FormData, state: &AppState) -> Vec<Issue> {
        S::decode(&mut self.0.task_definition, form, state)
    }

    fn apply(&mut self, action: &Action, state: &AppState) {
        let region = state.connection.region().unwrap_or_default().to_string();
        let td = &mut self.0.task_definition;
        rows::apply(td, action, &region);
        if matches!(action, Action::Next | Action::Back) {
            rows::prune_empty(td);
        }
    }

    fn over_limits(&self) -> Vec<Issue> {
        limits::for_form(limits::check(&self.0.task_definition))
    }

    fn check(&self) -> Vec<Issue> {
        S::check(&self.0.task_definition)
    }

    fn document(&self) -> Value {
        super::review::sent_document(&self.0)
    }

    fn shown(&self, check: bool) -> Vec<Issue> {
        let mut issues = S::advice(&self.0.task_definition);
        if check {
            issues.extend(self.check());
        }
        issues
    }

    fn prepare(&mut self, state: &AppState, query: &HashMap<String, String>) {
        S::prepare(&mut self.0.task_definition, state, query);
    }

    /// The step the person goes on to: the drafts list returns them there.
    fn going(&mut self, action: &Action, next_errors: bool) {
        if *action == Action::Next {
            self.0.import_dropped.clear();
        }
        self.0.step = match action {
            Action::Next if !next_errors => S::STEP.next(),
            Action::Back => S::STEP.previous(),
            _ => S::STEP,
        }
        .slug()
        .to_string();
    }

    fn url(id: &str) -> String {
        S::STEP.url(id)
    }

    fn next_url(id: &str) -> String {
        S::STEP.next().url(id)
    }

    fn back_url(id: &str) -> String {
        S::STEP.previous().url(id)
    }

    fn copy_url(id: &str) -> String {
        format!("/task-definitions/drafts/{id}/copy")
    }

    fn go_url(id: &str, place: &str) -> Option<String> {
        S::go_url(id, place)
    }

    async fn render(
        &self,
        state: &AppState,
        page: Page,
        id: &str,
        version: i64,
        issues: &[Issue],
        posted: Option<&FormData>,
        shape: Shape,
    ) -> Response {
        S::render(state, page, id, &self.at(version), issues, posted, shape).await
    }
}

pub async fn show<S: WizardStep + Send + Sync>(
    State(state): State<AppState>,
    page: Page,
    signed: Signed,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    draft_form::show::<OnStep<S>>(&state, page, &signed, &id, &query).await
}

pub async fn submit<S: WizardStep + Send + Sync>(
    State(state): State<AppState>,
    page: Page,
    signed: Signed,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(based_on): Query<FormVersion>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    draft_form::submit::<OnStep<S>>(&state, page, &signed, &headers, &id, based_on.v, pairs).await
}
