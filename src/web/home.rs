//! The home page: runs that need the person (failed, cut off, under way),
//! the getting-started checklist, then task definition drafts and what was
//! registered.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::checklist::{self, Checklist};
use super::error::AppResult;
use super::listing::ReadNote;
use super::page::Page;
use super::service_drafts::{self, ServiceDraftLine};
use super::state::AppState;
use super::task_definitions::DraftLine;
use crate::store::runs::RunStatus;

pub struct HomeView {
    pub page: Page,
    pub checklist: Checklist,
    pub runs: Vec<RunLine>,
    pub drafts: Vec<DraftLine>,
    pub service_drafts: Vec<ServiceDraftLine>,
    pub registrations: Vec<RegistrationLine>,
    /// When the checklist's facts were read.
    pub note: ReadNote,
}

/// A service run that did not finish: resume it, clean it up, or watch it.
pub struct RunLine {
    pub name: String,
    /// Catalog key of its state.
    pub state: &'static str,
    pub class: &'static str,
    pub url: String,
}

pub struct RegistrationLine {
    pub family_revision: String,
    pub arn: String,
    pub url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/page.html")]
pub struct HomePage {
    pub v: HomeView,
}

pub async fn show(State(state): State<AppState>, page: Page) -> AppResult<HomePage> {
    let store = &state.store;
    let untitled = page.tr.t("ui.untitled");
    let drafts = store
        .recent_drafts(10)
        .await?
        .into_iter()
        .map(|d| DraftLine::of(d, page.tr))
        .collect();
    let service_drafts = service_drafts::lines(store, page.tr, 10, None).await?;
    let snapshot = checklist::read(&state).await?;
    // Revisions AWS no longer has (an emulator reset) are not offered.
    let known = |arn: &str| match &snapshot {
        Some(Ok(read)) => read.value.has_revision(arn),
        _ => true,
    };
    let registrations = store
        .recent_registrations(20)
        .await?
        .into_iter()
        .filter(|r| known(&r.arn))
        .map(|r| RegistrationLine {
            family_revision: format!("{}:{}", r.family, r.revision),
            arn: r.arn,
            url: format!("/task-definitions/revisions/{}", r.id),
        })
        .collect();
    let runs = store
        .unfinished_runs()
        .await?
        .into_iter()
        .map(|run| {
            let (state, class) = match run.status {
                RunStatus::Running => ("ui.run_running", "warning"),
                RunStatus::CleaningUp => ("ui.run_cleaning_up", "warning"),
                RunStatus::Interrupted => ("ui.run_interrupted", "error"),
                RunStatus::CleanupFailed => ("ui.cleanup_failed", "error"),
                _ => ("ui.run_refused", "error"),
            };
            RunLine {
                name: if run.name.is_empty() {
                    untitled.to_string()
                } else {
                    run.name
                },
                state,
                class,
                url: match run.kind.as_str() {
                    crate::deploy::teardown::KIND | super::changes::KIND => {
                        format!("/{}/{}", run.kind, run.run_id)
                    }
                    _ => format!("/services/drafts/{}/run", run.draft_id),
                },
            }
        })
        .collect();
    let note = match &snapshot {
        Some(Ok(read)) => ReadNote::of(page.tr, read),
        _ => ReadNote::default(),
    };
    let snapshot = snapshot.map(|read| read.map(|read| read.value.as_ref().clone()));
    Ok(HomePage {
        v: HomeView {
            checklist: checklist::build(page.tr, snapshot),
            page,
            runs,
            drafts,
            service_drafts,
            registrations,
            note,
        },
    })
}
