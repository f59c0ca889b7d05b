//! Two revisions side by side (`/task-definitions/{family}/compare?a=3&b=4`,
//! or `b=other-family:2`): each changed field with its old and new value,
//! containers matched by name, added and removed ones, variables and ports
//! marked; what did not change is folded away. By default a revision is
//! compared with the one before it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::history::{check_family, family_url, revision_url};
use crate::aws::revisions::revision_number;
use crate::model::revision::Revision;
use crate::model::revision_diff::{ContainerChanges, compare};
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;
use crate::web::refusal::said;
use crate::web::state::AppState;

/// The two revisions a compare page shows, from `?a=…&b=…` (the service
/// page's compare of service revisions reads it too).
#[derive(Deserialize, Default)]
pub struct CompareQuery {
    #[serde(default)]
    pub a: String,
    #[serde(default)]
    pub b: String,
}

pub struct CompareView {
    pub page: Page,
    pub family: String,
    pub family_url: String,
    /// `web:3` and `web:4`
    pub older: String,
    pub newer: String,
    pub older_url: String,
    pub newer_url: String,
    /// The table's column heads: `Revision 3`, or the full name when the
    /// two are of different families.
    pub older_label: String,
    pub newer_label: String,
    /// Their numbers, when of this family (the form preselects them).
    pub older_n: i64,
    pub newer_n: i64,
    pub groups: Vec<ContainerChanges>,
    /// Both revisions' JSON, for the folded full view.
    pub older_json: String,
    pub newer_json: String,
    /// The family's newest revisions, for the form.
    pub choices: Vec<i64>,
    pub problem: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_history/compare.html")]
pub struct ComparePage {
    pub v: CompareView,
}

/// `7` (a revision of `family`) or `other:2`; None for anything else.
fn reference(family: &str, text: &str) -> Option<(String, i64)> {
    let (f, n) = match text.trim().rsplit_once(':') {
        Some((f, n)) => (f.to_string(), n),
        None => (family.to_string(), text.trim()),
    };
    let n: i64 = n.parse().ok().filter(|n| *n > 0)?;
    check_family(&f).ok()?;
    Some((f, n))
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(family): Path<String>,
    Query(query): Query<CompareQuery>,
) -> AppResult<Response> {
    check_family(&family)?;
    let mut v = CompareView {
        page,
        family_url: family_url(&family),
        family: family.clone(),
        older: String::new(),
        newer: String::new(),
        older_url: String::new(),
        newer_url: String::new(),
        older_n: 0,
        newer_n: 0,
        older_label: String::new(),
        newer_label: String::new(),
        groups: Vec::new(),
        older_json: String::new(),
        newer_json: String::new(),
        choices: Vec::new(),
        problem: String::new(),
    };
    let Some(aws) = state.connection.aws() else {
        return Ok(ComparePage { v }.into_response());
    };
    let listed = aws.revisions_page(&family, "ACTIVE", None, 100).await;
    let newest: Vec<String> = match listed {
        Ok((arns, _)) => arns,
        Err(e) => {
            v.problem = said(v.page.tr, &e);
            Vec::new()
        }
    };
    v.choices = newest.iter().map(|a| revision_number(a)).collect();
    // Default: the newest against the one before it.
    let b = reference(&family, &query.b)
        .or_else(|| v.choices.first().map(|n| (family.clone(), *n)))
        .ok_or(AppError::NotFound)?;
    let a = reference(&family, &query.a)
        .or_else(|| (b.1 > 1).then(|| (b.0.clone(), b.1 - 1)))
        .ok_or(AppError::NotFound)?;
    let refs: Vec<String> = [&a, &b].iter().map(|(f, n)| format!("{f}:{n}")).collect();
    // Described by name (the store keeps them by ARN, which only the
    // answer names), and kept for the family's pages.
    let mut revisions: Vec<Revision> = Vec::new();
    for (reference, answer) in refs.iter().zip(aws.describe_revisions(&refs).await) {
        match answer {
            Ok(Some(value)) => {
                let found = Revision::of(&value);
                state
                    .store
                    .cache_revisions(vec![(found.arn.clone(), value)])
                    .await?;
                revisions.push(found);
            }
            Ok(None) => {
                v.problem = page_problem(&v.page, reference);
            }
            Err(e) => v.problem = said(v.page.tr, &e),
        }
    }
    if let [older, newer] = revisions.as_slice() {
        v.groups = compare(&older.described, &newer.described);
        let label = |r: &Revision| {
            if older.family == newer.family {
                format!("{} {}", v.page.tr.t("ui.revision"), r.revision)
            } else {
                r.name()
            }
        };
        v.older_label = label(older);
        v.newer_label = label(newer);
        v.older_n = older.revision;
        v.newer_n = newer.revision;
        v.older = older.name();
        v.newer = newer.name();
        v.older_url = revision_url(&older.family, older.revision);
        v.newer_url = revision_url(&newer.family, newer.revision);
        v.older_json = serde_json::to_string_pretty(&older.described).unwrap_or_default();
        v.newer_json = serde_json::to_string_pretty(&newer.described).unwrap_or_default();
    }
    Ok(ComparePage { v }.into_response())
}

fn page_problem(page: &Page, reference: &str) -> String {
    page.tr
        .fmt("v.no_such_revision", &[("revision", reference.to_string())])
}
