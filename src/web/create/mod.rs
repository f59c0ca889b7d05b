//! The one-page wizards (IAM role, cluster, ECR repository, log group) share
//! one flow: form → review (the exact requests as JSON, aws CLI, Terraform) →
//! Create → result. The resource itself (name, rules, requests, Terraform) is a
//! [`Resource`] in `model/`; [`CreateWizard`] adds only what the web needs.
//!
//! The form is saved as a draft on every submit, so a refresh loses nothing;
//! once created, AWS's answer is kept with the draft, so pressing Create again
//! shows the result instead of creating a second time.

mod flow;
mod views;

use std::collections::HashMap;
use std::future::Future;

use super::route::{Routes, deployer, get, post, viewer};
use axum::response::Response;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::form::FormData;
use super::messages::Messages;
use super::page::Page;
use crate::aws::{Aws, Connection, CreateError, Created, Undo};
use crate::deploy::RunJournal;
use crate::model::resource::Resource;
use crate::model::scanner::Flagged;
use crate::web::form::{Context, TagRow};

pub use flow::load;

/// A form kept as a draft: what the form half of the flow (new, edit, save,
/// add and remove rows, check on Next) needs. The service wizard shares it
/// and has its own review and run.
pub trait FormWizard:
    Resource + Clone + Serialize + DeserializeOwned + Send + Sync + Sized + 'static
{
    /// The URL segment and the drafts' kind: `roles`, `clusters`…
    const KIND: &'static str;

    /// The form a first visit shows. `query` may prefill it (`?name=…`).
    fn start(context: &Context, query: &HashMap<String, String>) -> Self;

    /// Fills what a visit's link offers into a saved draft's form, before it
    /// is shown (not saved until the form is sent): a revision chosen for a
    /// service draft keeps the rest of it.
    fn prepare(&mut self, _query: &HashMap<String, String>) {}

    /// Reads the posted form; fields that did not parse go to `form.issues`.
    fn decode(form: &mut FormData, context: &Context) -> Self;

    /// The catalog key of the page's title, e.g. "Create role".
    fn title(&self) -> &'static str;

    /// What the form reads from the account to offer as choices.
    type Facts: Send;

    fn read_facts(&self, connection: &Connection) -> impl Future<Output = Self::Facts> + Send;

    /// The form as HTML.
    fn render_form(&self, form: FormCommon, facts: Self::Facts) -> Response;
}

/// A one-page wizard that creates one resource in one run.
pub trait CreateWizard: FormWizard {
    /// Documents worth reading before Create, shown pretty-printed on the
    /// review page: (catalog key of the title, JSON).
    fn documents(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// What a Terraform scanner flags in its Terraform, left so by a
    /// default (`model::scanner`).
    fn flagged(&self) -> Vec<Flagged>;

    /// Where the resource is shown once it exists.
    fn resource_url(&self) -> String;

    /// What the result page says comes next, when it is this wizard's to
    /// say: (catalog key, URL). None: the checklist's next step, read from
    /// the account (so "create a cluster" is never offered beside one).
    fn next_step(&self) -> Option<(&'static str, String)> {
        None
    }

    /// What the create did besides making the resource, a line each (the
    /// policies a role was given).
    fn done_lines(&self) -> Vec<String> {
        Vec::new()
    }

    /// Creates it, each AWS call written to `log`.
    fn create(
        &self,
        aws: &Aws,
        log: &RunJournal,
    ) -> impl Future<Output = Result<Created, CreateError>> + Send;

    /// Removes what a cut-off create may have made, each call written to `log`.
    fn remove(&self, aws: &Aws, log: &RunJournal) -> impl Future<Output = Vec<Undo>> + Send;
}

/// What every wizard's form shows besides its own fields.
pub struct FormCommon {
    pub page: Page,
    pub title: &'static str,
    pub action_url: String,
    pub errors: Messages,
    pub tags: Vec<TagRow>,
}

/// The form half: `/KIND/new` and `/KIND/drafts/{id}`.
pub fn form_routes<W: FormWizard>() -> Routes {
    let base = format!("/{}", W::KIND);
    Routes::new()
        .route(
            &format!("{base}/new"),
            get(viewer(flow::start::<W>)).post(viewer(flow::submit_new::<W>)),
        )
        .route(
            &format!("{base}/drafts/{{id}}"),
            get(viewer(flow::edit::<W>)).post(viewer(flow::submit::<W>)),
        )
        .route(
            &format!("{base}/drafts/{{id}}/copy"),
            post(viewer(flow::copy::<W>)),
        )
}

pub fn routes<W: CreateWizard>() -> Routes {
    let draft = format!("/{}/drafts/{{id}}", W::KIND);
    form_routes::<W>()
        .route(&format!("{draft}/review"), get(viewer(flow::review::<W>)))
        .route(
            &format!("{draft}/create"),
            post(deployer(flow::create::<W>)),
        )
        .route(&format!("{draft}/result"), get(viewer(flow::result::<W>)))
        .route(
            &format!("{draft}/finish"),
            post(deployer(flow::finish::<W>)),
        )
        .route(&format!("{draft}/undo"), post(deployer(flow::undo::<W>)))
}
