//! The task definition wizard: configure → containers → storage → review →
//! result. Each step saves the draft on every submit, so back, forward, a
//! refresh or a restart loses nothing.

pub mod account;
pub mod compare;
pub mod configure;
pub mod containers;
mod decode;
pub mod history;
pub mod new;
pub mod result;
pub mod review;
pub mod revision;
mod rows;
mod step;
pub mod storage;

use super::route::{Routes, admin, deployer, get, post, viewer};

use super::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::model::limits;
use crate::store::{Draft, Store};
use configure::Configure;
use containers::Containers;
use step::{show, submit};
use storage::Storage;

pub fn routes() -> Routes {
    let revision = "/task-definitions/{family}/{revision}";
    let draft = "/task-definitions/drafts/{id}";
    Routes::new()
        .route("/task-definitions", get(viewer(history::families)))
        .route("/task-definitions/{family}", get(viewer(history::family)))
        .route(
            "/task-definitions/{family}/compare",
            get(viewer(compare::show)),
        )
        .route(revision, get(viewer(revision::show)))
        .route(
            &format!("{revision}/deregister"),
            get(viewer(revision::confirm_deregister)).post(admin(revision::deregister)),
        )
        .route(
            &format!("{revision}/delete"),
            get(viewer(revision::confirm_delete)).post(admin(revision::delete)),
        )
        .route("/task-definitions/new", get(viewer(new::show)))
        .route("/task-definitions/drafts", post(viewer(new::create_empty)))
        .route("/task-definitions/import", post(viewer(new::import)))
        .route(
            &format!("{draft}/configure"),
            get(viewer(show::<Configure>)).post(viewer(submit::<Configure>)),
        )
        .route(
            &format!("{draft}/containers"),
            get(viewer(show::<Containers>)).post(viewer(submit::<Containers>)),
        )
        .route(
            &format!("{draft}/storage"),
            get(viewer(show::<Storage>)).post(viewer(submit::<Storage>)),
        )
        .route(&format!("{draft}/delete"), post(viewer(new::delete)))
        .route(&format!("{draft}/copy"), post(viewer(new::copy)))
        .route(&format!("{draft}/review"), get(viewer(review::show)))
        .route(&format!("{draft}/create"), post(deployer(review::create)))
        .route(&format!("{draft}/result"), get(viewer(review::result)))
        .route(&format!("{draft}/finish"), post(deployer(review::finish)))
        .route(&format!("{draft}/undo"), post(deployer(review::undo)))
        .route(
            "/task-definitions/revisions/{id}",
            get(viewer(result::show)),
        )
        .route(
            "/fargate/memory-options",
            get(viewer(configure::memory_options)),
        )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Configure,
    Containers,
    Storage,
    Review,
}

/// A task definition draft as the lists show it: its family (or
/// "untitled"), the step it was left on and when it was saved, opening at
/// that step; the home page and Task definitions both list them so.
pub struct DraftLine {
    pub family: String,
    pub step: &'static str,
    pub saved_at: String,
    pub url: String,
    pub delete_url: String,
}

impl DraftLine {
    pub fn of(draft: crate::store::DraftSummary, tr: Tr) -> Self {
        let step = Step::from_slug(&draft.step);
        DraftLine {
            family: if draft.family.is_empty() {
                tr.t("ui.untitled").to_string()
            } else {
                draft.family
            },
            step: step.label(tr),
            saved_at: crate::model::revision::readable_time(draft.updated_at as f64),
            url: step.url(&draft.id),
            delete_url: format!("/task-definitions/drafts/{}/delete", draft.id),
        }
    }
}

impl Step {
    const ALL: [Step; 4] = [
        Step::Configure,
        Step::Containers,
        Step::Storage,
        Step::Review,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Step::Configure => "configure",
            Step::Containers => "containers",
            Step::Storage => "storage",
            Step::Review => "review",
        }
    }

    /// The step a slug names; the first step for anything else.
    pub fn from_slug(slug: &str) -> Step {
        Step::ALL
            .into_iter()
            .find(|s| s.slug() == slug)
            .unwrap_or(Step::Configure)
    }

    pub fn label(self, tr: Tr) -> &'static str {
        tr.t(match self {
            Step::Configure => "step.configure",
            Step::Containers => "step.containers",
            Step::Storage => "step.storage",
            Step::Review => "step.review",
        })
    }

    pub fn url(self, draft_id: &str) -> String {
        format!("/task-definitions/drafts/{draft_id}/{}", self.slug())
    }

    /// Where the step's form posts: the draft version it was built from rides
    /// along, so a save based on an older one is refused.
    pub fn form_url(self, draft_id: &str, version: i64) -> String {
        format!("{}?v={version}", self.url(draft_id))
    }

    pub fn next(self) -> Step {
        Self::ALL
            .iter()
            .skip_while(|s| **s != self)
            .nth(1)
            .copied()
            .unwrap_or(Step::Review)
    }

    pub fn previous(self) -> Step {
        Self::ALL
            .iter()
            .rev()
            .skip_while(|s| **s != self)
            .nth(1)
            .copied()
            .unwrap_or(Step::Configure)
    }

    /// The step whose form holds the field at `path` (a validation path).
    pub fn owning(path: &str) -> Step {
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["containerDefinitions", _, "mountPoints" | "volumesFrom", ..] | ["volumes", ..] => {
                Step::Storage
            }
            ["containerDefinitions", ..] => Step::Containers,
            _ => Step::Configure,
        }
    }
}

/// The numbered steps at the top of every wizard page.
pub struct StepLink {
    pub number: usize,
    pub label: &'static str,
    pub url: String,
    pub current: bool,
}

pub fn step_links(tr: Tr, draft_id: &str, current: Step) -> Vec<StepLink> {
    Step::ALL
        .iter()
        .enumerate()
        .map(|(i, step)| StepLink {
            number: i + 1,
            label: step.label(tr),
            url: step.url(draft_id),
            current: *step == current,
        })
        .collect()
}

pub async fn load(store: &Store, id: &str) -> AppResult<Draft> {
    if !crate::web::form::is_draft_id(id) {
        return Err(AppError::NotFound);
    }
    let draft = store.draft(id).await?.ok_or(AppError::NotFound)?;
    if !limits::check(&draft.task_definition).is_empty() {
        return Err(AppError::DraftTooLarge);
    }
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_belongs_to_one_step() {
        assert_eq!(Step::owning("family"), Step::Configure);
        assert_eq!(
            Step::owning("containerDefinitions.1.image"),
            Step::Containers
        );
        assert_eq!(Step::owning("containerDefinitions"), Step::Containers);
        assert_eq!(
            Step::owning("containerDefinitions.1.volumesFrom.0.sourceContainer"),
            Step::Storage
        );
        assert_eq!(Step::owning("volumes.0.name"), Step::Storage);
    }

    #[test]
    fn steps_go_forward_and_back() {
        assert_eq!(Step::Configure.next(), Step::Containers);
        assert_eq!(Step::Storage.next(), Step::Review);
        assert_eq!(Step::Containers.previous(), Step::Configure);
        assert_eq!(Step::Configure.previous(), Step::Configure);
    }
}
