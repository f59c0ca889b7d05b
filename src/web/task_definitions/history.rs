//! The history of task definitions: every family with its latest revision
//! and how many there are, then a family's revisions newest first, a page
//! at a time, with the services that run each. Revisions registered
//! outside the app (console, CLI, Terraform) are listed like the others.
//! Only the revisions a page shows are described, at once, and each
//! description is kept (a registered revision never changes).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::DraftLine;
use crate::aws::paging::PageToken;
use crate::aws::revisions::{family_revision, revision_number};
use crate::aws::{Aws, AwsError};
use crate::model::revision::Revision;
use crate::model::validate::check_name;
use crate::web::error::{AppError, AppResult};
use crate::web::listing::ReadNote;
use crate::web::page::Page;
use crate::web::refusal::said;
use crate::web::state::AppState;

/// Families a page of the list shows; revisions a page of a family shows.
pub const FAMILIES_PER_PAGE: usize = 10;
pub const REVISIONS_PER_PAGE: usize = 20;

pub fn family_url(family: &str) -> String {
    format!("/task-definitions/{family}")
}

pub fn revision_url(family: &str, revision: i64) -> String {
    format!("/task-definitions/{family}/{revision}")
}

/// A family name as ECS allows it, or a 404 before any call.
pub fn check_family(family: &str) -> AppResult<()> {
    let mut issues = Vec::new();
    check_name(&mut issues, "", family);
    if issues.is_empty() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// `arns` described, from the store when seen before, else from AWS at
/// once (and kept). A revision AWS no longer knows is left out.
pub async fn described(
    state: &AppState,
    aws: &Aws,
    arns: &[String],
) -> AppResult<Result<Vec<Revision>, AwsError>> {
    let mut known = state.store.cached_revisions(arns).await?;
    let missing: Vec<String> = arns
        .iter()
        .filter(|a| !known.contains_key(*a))
        .cloned()
        .collect();
    let mut fresh = Vec::new();
    for (arn, answer) in missing.iter().zip(aws.describe_revisions(&missing).await) {
        match answer {
            Ok(Some(value)) => fresh.push((arn.clone(), value)),
            Ok(None) => {}
            Err(error) => return Ok(Err(error)),
        }
    }
    if !fresh.is_empty() {
        state.store.cache_revisions(fresh.clone()).await?;
    }
    known.extend(fresh);
    Ok(Ok(arns
        .iter()
        .filter_map(|arn| known.get(arn).map(Revision::of))
        .collect()))
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    status: String,
}

pub struct FamilyLine {
    pub family: String,
    pub url: String,
    /// `web:7`, or empty when no revision is ACTIVE.
    pub latest: String,
    pub latest_url: String,
    /// `12`, or `100+` when there are more than a page holds.
    pub active: String,
    pub inactive: String,
    pub changed_at: String,
}

pub struct FamiliesView {
    pub page: Page,
    /// When the families were read, with Refresh.
    pub note: ReadNote,
    pub filter: String,
    pub families: Vec<FamilyLine>,
    pub drafts: Vec<DraftLine>,
    pub next_url: String,
    pub problem: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_history/families.html")]
pub struct FamiliesPage {
    pub v: FamiliesView,
}

fn count(arns: &[String], more: bool) -> String {
    if more {
        format!("{}+", arns.len())
    } else {
        arns.len().to_string()
    }
}

/// One family's line: its ACTIVE and INACTIVE revisions listed at once
/// (100 each), the newest described for when it last changed.
async fn family_line(
    state: &AppState,
    aws: &Aws,
    family: String,
) -> AppResult<Result<FamilyLine, AwsError>> {
    let (active, inactive) = tokio::join!(
        aws.revisions_page(&family, "ACTIVE", None, 100),
        aws.revisions_page(&family, "INACTIVE", None, 100),
    );
    let ((active, more_active), (inactive, more_inactive)) = match (active, inactive) {
        (Ok(a), Ok(i)) => (a, i),
        (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
    };
    let newest = active
        .first()
        .or(inactive.first())
        .cloned()
        .into_iter()
        .collect::<Vec<_>>();
    let changed_at = match described(state, aws, &newest).await? {
        Ok(revisions) => revisions
            .first()
            .map(|r| r.registered_at.clone())
            .unwrap_or_default(),
        Err(e) => return Ok(Err(e)),
    };
    let latest = active.first().map(|a| family_revision(a).to_string());
    Ok(Ok(FamilyLine {
        url: family_url(&family),
        latest_url: active
            .first()
            .map(|a| revision_url(&family, revision_number(a)))
            .unwrap_or_default(),
        latest: latest.unwrap_or_default(),
        active: count(&active, more_active.is_some()),
        inactive: count(&inactive, more_inactive.is_some()),
        changed_at,
        family,
    }))
}

pub async fn families(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let filter: String = query
        .q
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(255)
        .collect();
    let drafts = state
        .store
        .recent_drafts(50)
        .await?
        .into_iter()
        .map(|d| DraftLine::of(d, page.tr))
        .collect();
    let mut v = FamiliesView {
        page,
        note: ReadNote::default(),
        filter,
        families: Vec::new(),
        drafts,
        next_url: String::new(),
        problem: String::new(),
    };
    if let Some(aws) = state.connection.aws() {
        let token = PageToken::decode(&query.next);
        match aws.families_page(&v.filter, token, FAMILIES_PER_PAGE).await {
            Ok(read) => {
                v.note = ReadNote::of(v.page.tr, &read);
                let (names, next) = read.value.as_ref().clone();
                let lines = futures_util::future::join_all(
                    names.into_iter().map(|f| family_line(&state, aws, f)),
                )
                .await;
                for line in lines {
                    match line? {
                        Ok(line) => v.families.push(line),
                        Err(e) => v.problem = said(v.page.tr, &e),
                    }
                }
                if let Some(next) = next {
                    v.next_url = format!(
                        "/task-definitions?{}",
                        serde_urlencoded::to_string([("q", &v.filter), ("next", &next.encode())])
                            .unwrap_or_default()
                    );
                }
            }
            Err(e) => v.problem = said(v.page.tr, &e),
        }
    }
    Ok(FamiliesPage { v }.into_response())
}

pub struct RevisionLine {
    pub revision: Revision,
    pub url: String,
    /// Compare with the revision before it, when there is one.
    pub compare_url: String,
    /// `cluster/service` of each service that runs it now.
    pub services: Vec<(String, String)>,
}

pub struct FamilyView {
    pub page: Page,
    pub family: String,
    /// ACTIVE or INACTIVE: which revisions the page lists.
    pub status: String,
    pub revisions: Vec<RevisionLine>,
    pub next_url: String,
    pub problem: String,
    /// Revisions for the compare form (those on this page).
    pub choices: Vec<i64>,
    pub compare_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_history/family.html")]
pub struct FamilyPage {
    pub v: FamilyView,
}

pub async fn family(
    State(state): State<AppState>,
    page: Page,
    Path(family): Path<String>,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    check_family(&family)?;
    let status = if query.status == "INACTIVE" {
        "INACTIVE"
    } else {
        "ACTIVE"
    };
    let mut v = FamilyView {
        page,
        compare_url: format!("{}/compare", family_url(&family)),
        family,
        status: status.to_string(),
        revisions: Vec::new(),
        next_url: String::new(),
        problem: String::new(),
        choices: Vec::new(),
    };
    let Some(aws) = state.connection.aws() else {
        return Ok(FamilyPage { v }.into_response());
    };
    let token = PageToken::decode(&query.next);
    let (listed, running) = tokio::join!(
        aws.revisions_page(&v.family, status, token, REVISIONS_PER_PAGE),
        aws.services_running(&v.family),
    );
    let (arns, next) = match listed {
        Ok(listed) => listed,
        Err(e) => {
            v.problem = said(v.page.tr, &e);
            return Ok(FamilyPage { v }.into_response());
        }
    };
    let mut running_by_revision: HashMap<String, Vec<(String, String)>> = HashMap::new();
    match running {
        Ok(running) => {
            for (cluster, service, revision) in running {
                running_by_revision
                    .entry(revision)
                    .or_default()
                    .push((cluster, service));
            }
        }
        Err(e) => v.problem = said(v.page.tr, &e),
    }
    match described(&state, aws, &arns).await? {
        Ok(revisions) => {
            v.choices = revisions.iter().map(|r| r.revision).collect();
            v.revisions = revisions
                .into_iter()
                .map(|revision| RevisionLine {
                    url: revision_url(&v.family, revision.revision),
                    compare_url: if revision.revision > 1 {
                        format!(
                            "{}?a={}&b={}",
                            v.compare_url,
                            revision.revision - 1,
                            revision.revision
                        )
                    } else {
                        String::new()
                    },
                    services: running_by_revision
                        .remove(&revision.name())
                        .unwrap_or_default(),
                    revision,
                })
                .collect();
        }
        Err(e) => v.problem = said(v.page.tr, &e),
    }
    if let Some(next) = next {
        v.next_url = format!(
            "{}?{}",
            family_url(&v.family),
            serde_urlencoded::to_string([("status", status), ("next", &next.encode())])
                .unwrap_or_default()
        );
    }
    Ok(FamilyPage { v }.into_response())
}
