//! The one flow of a form kept as a draft, for the one-page wizards and for
//! each step of the task definition wizard alike: show it (with its
//! advice, and its errors when `?check=1` asks), and on submit read the
//! posted form into the draft, apply an add/remove button, refuse what is
//! over AWS's limits (nothing of it saved or shown), check the rules on
//! Next, save based on the version the form was built from, and answer with
//! the page of errors (422), the htmx fragment, or a redirect. When another
//! tab saved first, what the form would change in that save is listed and
//! nothing is saved (409); when it would change nothing, it is saved.

use std::collections::HashMap;
use std::future::Future;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::error::{AppError, AppResult};
use super::form::{Action, FormData};
use super::page::{Page, is_htmx};
use super::security::access::Signed;
use super::state::AppState;
use serde_json::Value;

use crate::model::draft_changes::{DraftChange, changes};
use crate::model::issue::Issue;
use crate::model::revision_diff::ChangeKind;
use crate::store::{Store, StoreError};

/// How many differing fields a conflict lists before "and N more".
const CONFLICT_LINES: usize = 12;

/// A whole page, or only the `<form id="step-form">` htmx swaps in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Page,
    Fragment,
}

impl Shape {
    /// htmx swaps only the form: it must get the fragment, with the messages.
    fn of(headers: &HeaderMap) -> Self {
        if is_htmx(headers) {
            Shape::Fragment
        } else {
            Shape::Page
        }
    }
}

/// A draft as read for one of its forms.
pub struct Loaded<F> {
    pub form: F,
    /// The version saved; a form built from it posts it back.
    pub version: i64,
    /// Who may change it when people sign in.
    pub owner: Option<String>,
}

/// What one form of a draft says: how it is read, checked, kept, shown and
/// where its buttons go.
pub trait DraftForm: Sized + Send + Sync {
    fn load(store: &Store, id: &str) -> impl Future<Output = AppResult<Loaded<Self>>> + Send;

    /// Saves it if the draft is still at `version`; the new version.
    fn save(
        &self,
        store: &Store,
        id: &str,
        version: i64,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Reads the posted form into the draft; returns what could not be read.
    fn read(&mut self, form: &mut FormData, state: &AppState) -> Vec<Issue>;

    /// Adds or removes the row a button asks for.
    fn apply(&mut self, action: &Action, state: &AppState);

    /// What is over AWS's limits, as the form says it.
    fn over_limits(&self) -> Vec<Issue>;

    /// The rules checked when the person presses Next.
    fn check(&self) -> Vec<Issue>;

    /// What the draft would send, as a document: two saves are compared by it.
    fn document(&self) -> Value;

    /// What a visit shows: its advice, and with `check` (the language switch
    /// coming back to a page of errors) what Next would refuse.
    fn shown(&self, check: bool) -> Vec<Issue> {
        if check { self.check() } else { Vec::new() }
    }

    /// Fills what a visit shows in place of what is empty, from the
    /// account or from what the link offers (`query`); not saved until
    /// the form is submitted.
    fn prepare(&mut self, _state: &AppState, _query: &HashMap<String, String>) {}

    /// Records where the person goes on to (`next_errors`: Next found errors).
    fn going(&mut self, _action: &Action, _next_errors: bool) {}

    /// This form's URL, where Next and Back lead, and "make my own copy".
    fn url(id: &str) -> String;
    fn next_url(id: &str) -> String;
    fn back_url(id: &str) -> String {
        Self::url(id)
    }
    fn copy_url(id: &str) -> String;

    /// Where a `go:PLACE` button leads once the form is saved; None stays.
    fn go_url(_id: &str, _place: &str) -> Option<String> {
        None
    }

    /// The form as HTML. `posted` is the form just sent when it comes back
    /// with errors, so text that could not be read is shown as typed.
    #[allow(clippy::too_many_arguments)]
    fn render(
        &self,
        state: &AppState,
        page: Page,
        id: &str,
        version: i64,
        issues: &[Issue],
        posted: Option<&FormData>,
        shape: Shape,
    ) -> impl Future<Output = Response> + Send;
}

pub fn unprocessable(page: Response) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// The form, as saved. `?check` shows what Next would refuse.
pub async fn show<F: DraftForm>(
    state: &AppState,
    mut page: Page,
    signed: &Signed,
    id: &str,
    query: &HashMap<String, String>,
) -> AppResult<Response> {
    let Loaded {
        mut form,
        version,
        owner,
    } = F::load(&state.store, id).await?;
    page.draft_of(signed, owner.as_deref(), F::copy_url(id));
    form.prepare(state, query);
    let issues = form.shown(query.contains_key("check"));
    Ok(form
        .render(state, page, id, version, &issues, None, Shape::Page)
        .await)
}

/// A submit of the form of draft `id`, built from version `based_on`.
#[allow(clippy::too_many_arguments)]
pub async fn submit<F: DraftForm>(
    state: &AppState,
    page: Page,
    signed: &Signed,
    headers: &HeaderMap,
    id: &str,
    based_on: Option<i64>,
    pairs: Vec<(String, String)>,
) -> AppResult<Response> {
    let saved = F::load(&state.store, id).await?;
    if !signed.may_edit(saved.owner.as_deref()) {
        return Err(AppError::NotYourDraft);
    }
    let version = based_on.unwrap_or(saved.version);
    save_posted(state, page, headers, id, saved.form, version, pairs).await
}

/// Reads `pairs` into `draft`, then checks, saves and answers.
pub async fn save_posted<F: DraftForm>(
    state: &AppState,
    mut page: Page,
    headers: &HeaderMap,
    id: &str,
    mut draft: F,
    version: i64,
    pairs: Vec<(String, String)>,
) -> AppResult<Response> {
    let mut form = FormData::new(pairs);
    let action = form.action();
    let shape = Shape::of(headers);
    let mut issues = draft.read(&mut form, state);
    draft.apply(&action, state);
    let over_limits = draft.over_limits();
    if !over_limits.is_empty() {
        // Nothing over AWS's limits is saved or shown: the form comes back
        // as it was saved, with the message.
        let saved = F::load(&state.store, id).await?;
        let page = saved
            .form
            .render(state, page, id, saved.version, &over_limits, None, shape)
            .await;
        return Ok(unprocessable(page));
    }
    if action == Action::Next {
        issues.extend(draft.check());
    }
    let errors = issues.iter().any(Issue::is_error);
    draft.going(&action, errors);
    let version = match save_over_equal(state, id, &draft, version).await? {
        Saved::At(version) => version,
        Saved::Differs { now, lines } => {
            // Another tab saved first and this form would change what it
            // saved: nothing is overwritten. The form comes back as typed,
            // built on the version now saved, naming each field it differs in.
            page.path = F::url(id);
            let conflict = conflict_issues(&lines);
            let page = draft
                .render(state, page, id, now, &conflict, Some(&form), shape)
                .await;
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
    };
    if errors {
        page.path = format!("{}?check=1", F::url(id));
        let page = draft
            .render(state, page, id, version, &issues, Some(&form), shape)
            .await;
        return Ok(unprocessable(page));
    }
    Ok(match action {
        Action::Next => Redirect::to(&F::next_url(id)).into_response(),
        Action::Back => Redirect::to(&F::back_url(id)).into_response(),
        Action::Go(place) if let Some(url) = F::go_url(id, &place) => {
            Redirect::to(&url).into_response()
        }
        _ if shape == Shape::Fragment => {
            let advice = draft.shown(false);
            draft
                .render(state, page, id, version, &advice, None, Shape::Fragment)
                .await
        }
        _ => Redirect::to(&F::url(id)).into_response(),
    })
}

enum Saved {
    At(i64),
    /// Saved elsewhere at `now`; `lines` is what this form would change in it.
    Differs {
        now: i64,
        lines: Vec<DraftChange>,
    },
}

/// Saves `draft` on `version`. When another tab saved first, and saved what
/// this form says, it is saved on top; otherwise what differs is returned.
async fn save_over_equal<F: DraftForm>(
    state: &AppState,
    id: &str,
    draft: &F,
    version: i64,
) -> AppResult<Saved> {
    match draft.save(&state.store, id, version).await {
        Ok(version) => return Ok(Saved::At(version)),
        Err(StoreError::Conflict) => {}
        Err(error) => return Err(error.into()),
    }
    let saved = F::load(&state.store, id).await?;
    let lines = changes(&saved.form.document(), &draft.document());
    if !lines.is_empty() {
        return Ok(Saved::Differs {
            now: saved.version,
            lines,
        });
    }
    // A second save in between is refused like the first, never retried.
    match draft.save(&state.store, id, saved.version).await {
        Ok(version) => Ok(Saved::At(version)),
        Err(StoreError::Conflict) => Ok(Saved::Differs {
            now: F::load(&state.store, id).await?.version,
            lines: Vec::new(),
        }),
        Err(error) => Err(error.into()),
    }
}

/// The conflict, then each field this form would change: saved, and yours.
fn conflict_issues(lines: &[DraftChange]) -> Vec<Issue> {
    let mut issues = vec![Issue::error("", "v.changed_elsewhere")];
    issues.extend(lines.iter().take(CONFLICT_LINES).map(|line| {
        let issue = |key| Issue::error("", key).with("field", &line.field);
        match line.kind {
            ChangeKind::Changed => issue("v.changed_elsewhere_field")
                .with("saved", &line.old)
                .with("yours", &line.new),
            ChangeKind::Removed => issue("v.changed_elsewhere_only_saved"),
            ChangeKind::Added => issue("v.changed_elsewhere_only_yours"),
        }
    }));
    if lines.len() > CONFLICT_LINES {
        issues.push(
            Issue::error("", "v.changed_elsewhere_more")
                .with("count", lines.len() - CONFLICT_LINES),
        );
    }
    issues
}
