//! Create sends what the person reviewed, never what the draft became
//! after: each review's Create form carries the draft's version, and a
//! Create pressed on an older one shows the review again with what changed
//! since, sending nothing. (Found by probing team mode: a viewer added
//! AdministratorAccess to a role draft a deployer had reviewed; the
//! deployer's Create attached it.)

use serde::Deserialize;
use serde_json::Value;

use super::error::AppResult;
use crate::i18n::Tr;
use crate::model::draft_changes::changes;
use crate::store::Store;

/// The version of the draft the review showed, from its Create form.
#[derive(Debug, Default, Deserialize)]
pub struct Reviewed {
    #[serde(default)]
    pub version: Option<i64>,
}

/// One changed field, as the review lists it.
pub struct ChangeLine {
    pub field: String,
    /// Catalog key: added, removed, changed.
    pub kind: &'static str,
    pub class: &'static str,
    pub old: String,
    pub new: String,
}

/// What a review says above Create when the draft changed after it was shown.
pub struct ChangedSince {
    pub said: String,
    pub lines: Vec<ChangeLine>,
}

/// The draft `id` is at `version` now, sending `now` (its requests as a
/// document); `document` turns a kept body into the same kind of document.
/// None when Create may send: the review was of this version, or of one
/// whose requests were exactly these.
pub async fn changed_since(
    store: &Store,
    tr: Tr,
    id: &str,
    reviewed: &Reviewed,
    version: i64,
    now: &Value,
    document: impl Fn(&str) -> Option<Value>,
) -> AppResult<Option<ChangedSince>> {
    let Some(seen) = reviewed.version else {
        return Ok(Some(ChangedSince {
            said: tr.t("ui.review_not_known").to_string(),
            lines: Vec::new(),
        }));
    };
    if seen == version {
        return Ok(None);
    }
    let before = match store.draft_body_at(id, seen).await? {
        Some(body) => document(&body),
        None => None,
    };
    let Some(before) = before else {
        return Ok(Some(ChangedSince {
            said: tr.t("ui.review_not_known").to_string(),
            lines: Vec::new(),
        }));
    };
    let found = changes(&before, now);
    if found.is_empty() {
        return Ok(None);
    }
    Ok(Some(ChangedSince {
        said: tr.fmt(
            "ui.changed_since_review",
            &[("reviewed", seen.to_string()), ("now", version.to_string())],
        ),
        lines: found
            .into_iter()
            .map(|change| ChangeLine {
                field: change.field,
                kind: change.kind.label(),
                class: change.kind.class(),
                old: change.old,
                new: change.new,
            })
            .collect(),
    }))
}
