//! "Compare" of two service revisions, linked from a deployment's
//! "from → to" in the history: one DescribeServiceRevisions for both.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};

use super::show::{check_names, service_url};
use crate::model::service::deployments::short_revision;
use crate::model::service::revision_compare::{RevisionChange, compare, is_revision_of};
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;
use crate::web::refusal::said;
use crate::web::state::AppState;
use crate::web::task_definitions::compare::CompareQuery;

pub struct CompareView {
    pub page: Page,
    pub cluster: String,
    pub name: String,
    pub service_url: String,
    /// The revisions' ids, older first.
    pub older: String,
    pub newer: String,
    pub changes: Vec<RevisionChange>,
    /// Read, and the two are the same in what is compared.
    pub same: bool,
    pub problem: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/revision_compare.html")]
pub struct ComparePage {
    pub v: CompareView,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path((cluster, name)): Path<(String, String)>,
    Query(pair): Query<CompareQuery>,
) -> AppResult<Response> {
    check_names(&[&cluster, &name])?;
    // Only this service's revisions: nothing else is looked up.
    if !is_revision_of(&pair.a, &cluster, &name) || !is_revision_of(&pair.b, &cluster, &name) {
        return Err(AppError::NotFound);
    }
    let mut v = CompareView {
        page,
        service_url: service_url(&cluster, &name),
        cluster,
        name,
        older: short_revision(&pair.a).to_string(),
        newer: short_revision(&pair.b).to_string(),
        changes: Vec::new(),
        same: false,
        problem: String::new(),
    };
    if let Some(aws) = state.connection.aws() {
        match aws
            .service_revisions(&[pair.a.clone(), pair.b.clone()])
            .await
        {
            Ok(found) if found.len() == 2 => {
                v.changes = compare(&found[0], &found[1]);
                v.same = v.changes.is_empty();
            }
            Ok(_) => return Err(AppError::NotFound),
            Err(error) => v.problem = said(v.page.tr, &error),
        }
    }
    Ok(ComparePage { v }.into_response())
}
