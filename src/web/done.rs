//! What an action did, said on the page it returns to. The action's
//! redirect names it (`?done=desired&value=3`), one of a fixed list, so a
//! crafted link can make a page say nothing but these sentences, with the
//! value as text.

use crate::i18n::Tr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    ForceDeployment,
    DesiredCount,
    Revision,
    Deregistered,
    RevisionDeleted,
    DraftDeleted,
    UserRole,
    UserRemoved,
    SessionsEnded,
    Trusted,
    Attached,
    Scaling,
    ScalingStopped,
    DeploymentStopped,
    HookContinued,
    HookRolledBack,
}

/// A value shown longer than this is not shown.
const MAX_VALUE: usize = 200;

impl Done {
    const ALL: [Done; 16] = [
        Done::ForceDeployment,
        Done::DesiredCount,
        Done::Revision,
        Done::Deregistered,
        Done::RevisionDeleted,
        Done::DraftDeleted,
        Done::UserRole,
        Done::UserRemoved,
        Done::SessionsEnded,
        Done::Trusted,
        Done::Attached,
        Done::Scaling,
        Done::ScalingStopped,
        Done::DeploymentStopped,
        Done::HookContinued,
        Done::HookRolledBack,
    ];

    fn slug(self) -> &'static str {
        match self {
            Done::ForceDeployment => "force",
            Done::DesiredCount => "desired",
            Done::Revision => "revision",
            Done::Deregistered => "deregistered",
            Done::RevisionDeleted => "revision-deleted",
            Done::DraftDeleted => "draft-deleted",
            Done::UserRole => "user-role",
            Done::UserRemoved => "user-removed",
            Done::SessionsEnded => "sessions-ended",
            Done::Trusted => "trusted",
            Done::Attached => "attached",
            Done::Scaling => "scaling",
            Done::ScalingStopped => "scaling-stopped",
            Done::DeploymentStopped => "deployment-stopped",
            Done::HookContinued => "hook-continued",
            Done::HookRolledBack => "hook-rolled-back",
        }
    }

    /// Catalog key of the sentence; `{value}` is filled from the link.
    fn key(self) -> &'static str {
        match self {
            Done::ForceDeployment => "done.force",
            Done::DesiredCount => "done.desired",
            Done::Revision => "done.revision",
            Done::Deregistered => "done.deregistered",
            Done::RevisionDeleted => "done.revision_deleted",
            Done::DraftDeleted => "done.draft_deleted",
            Done::UserRole => "done.user_role",
            Done::UserRemoved => "done.user_removed",
            Done::SessionsEnded => "done.sessions_ended",
            Done::Trusted => "done.trusted",
            Done::Attached => "done.attached",
            Done::Scaling => "done.scaling",
            Done::ScalingStopped => "done.scaling_stopped",
            Done::DeploymentStopped => "done.deployment_stopped",
            Done::HookContinued => "done.hook_continued",
            Done::HookRolledBack => "done.hook_rolled_back",
        }
    }

    /// `path` with this said on it; `value` fills `{value}`.
    pub fn on(self, path: &str, value: &str) -> String {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("done", self.slug())
            .append_pair("value", value)
            .finish();
        let joiner = if path.contains('?') { '&' } else { '?' };
        format!("{path}{joiner}{query}")
    }
}

/// What a page's query says was done, in `tr`'s words; empty for none.
pub fn said(tr: Tr, query: &str) -> String {
    let mut done = None;
    let mut value = String::new();
    for (name, text) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "done" => done = Done::ALL.into_iter().find(|d| d.slug() == text),
            "value" if text.chars().count() <= MAX_VALUE => value = text.into_owned(),
            _ => {}
        }
    }
    done.map(|d| tr.fmt(d.key(), &[("value", value)]))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn each_action_is_said_in_both_languages_with_its_value() {
        for done in Done::ALL {
            let url = done.on("/clusters/c/services/s", "3");
            let query = url.split_once('?').unwrap().1;
            for lang in [Lang::En, Lang::Ja] {
                let text = said(Tr::new(lang), query);
                assert!(
                    !text.is_empty() && !text.contains('{'),
                    "{done:?} {lang:?}: {text}"
                );
            }
        }
        assert_eq!(
            said(Tr::new(Lang::En), "done=desired&value=3"),
            "The service was asked to run 3 tasks. ECS starts or stops tasks over the next minutes."
        );
        assert_eq!(
            Done::Trusted.on("/x?y=1", "r"),
            "/x?y=1&done=trusted&value=r"
        );
    }

    #[test]
    fn a_link_can_say_only_what_the_list_holds() {
        let tr = Tr::new(Lang::En);
        assert_eq!(said(tr, "done=anything&value=hello"), "");
        assert_eq!(said(tr, ""), "");
        let long = format!("done=desired&value={}", "9".repeat(MAX_VALUE + 1));
        assert!(!said(tr, &long).contains("999"));
    }
}
