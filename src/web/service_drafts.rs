//! Service drafts not yet made into a service: listed on the home page, and
//! offered on a revision's pages so that choosing a revision for a draft
//! keeps everything else typed in it.

use super::error::AppResult;
use crate::i18n::Tr;
use crate::store::Store;

/// How many drafts a revision's page offers.
const OFFERED: u32 = 3;

pub struct ServiceDraftLine {
    /// The service's name, or the draft's lack of one.
    pub name: String,
    /// `demo · web:3`: the cluster and revision chosen so far.
    pub detail: String,
    pub url: String,
    /// On a revision's page: "Use this revision in service draft web".
    pub offer: String,
}

/// The open service drafts, newest first; with `revision`, each link
/// chooses that revision in the draft.
pub async fn lines(
    store: &Store,
    tr: Tr,
    limit: u32,
    revision: Option<&str>,
) -> AppResult<Vec<ServiceDraftLine>> {
    let query = revision
        .map(|r| {
            format!(
                "?{}",
                serde_urlencoded::to_string([("taskDefinition", r)]).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    Ok(store
        .open_service_drafts(limit)
        .await?
        .into_iter()
        .map(|d| {
            let name = if d.name.is_empty() {
                tr.t("ui.untitled").to_string()
            } else {
                d.name
            };
            let offer = match revision {
                Some(_) => tr.fmt("ui.use_in_service_draft", &[("name", name.clone())]),
                None => String::new(),
            };
            ServiceDraftLine {
                name,
                offer,
                detail: [d.cluster, d.task_definition]
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · "),
                url: format!("/services/drafts/{}{query}", d.id),
            }
        })
        .collect())
}

/// The drafts a revision's page offers to put `revision` in.
pub async fn offered(store: &Store, tr: Tr, revision: &str) -> AppResult<Vec<ServiceDraftLine>> {
    lines(store, tr, OFFERED, Some(revision)).await
}
