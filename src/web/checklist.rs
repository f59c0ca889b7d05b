//! The getting-started checklist on the home page: the tutorials' path, each
//! step marked done by looking at the account, with a button for the next.

use crate::aws::{AwsError, Connection, Read};
use crate::i18n::Tr;
use crate::model::account::likely_repositories;
use crate::model::account::{AccountSnapshot, ChecklistItem, Milestone, Progress, checklist};
use crate::store::StoreError;
use crate::web::refusal::explain;
use crate::web::state::AppState;

pub struct ChecklistLine {
    pub number: usize,
    pub title: &'static str,
    pub help: &'static str,
    /// `done`, `started` or `todo`: the CSS class and the test hook.
    pub state: &'static str,
    pub state_label: &'static str,
    /// What counts as done, e.g. "ecsTaskExecutionRole".
    pub subject: String,
    pub action_label: &'static str,
    /// Empty when there is nothing to press.
    pub action_url: String,
    /// The first step not done: its button is the primary one.
    pub is_next: bool,
}

pub struct Checklist {
    pub lines: Vec<ChecklistLine>,
    /// Empty when the account was read; otherwise why it was not.
    pub problem: String,
}

/// The account as the checklist reads it; None in preview mode. However
/// the reads chain, it answers by `--aws-timeout`.
pub async fn read(
    state: &AppState,
) -> Result<Option<Result<Read<AccountSnapshot>, AwsError>>, StoreError> {
    Ok(match state.connection.as_ref() {
        Connection::Connected { aws, identity } => {
            let hints = state.store.recent_repository_hints(20).await?;
            let region = aws.region().unwrap_or_default();
            let likely = likely_repositories(&hints, &identity.account, region, 2);
            let read = tokio::time::timeout(state.aws_timeout, aws.snapshot(&likely)).await;
            Some(read.unwrap_or_else(|_| Err(AwsError::no_answer())))
        }
        Connection::PreviewOnly { .. } => None,
    })
}

/// The checklist's next step, as a result page offers it: ("Next:
/// Create cluster", URL); the home page when the account could not be
/// read or all is done.
pub async fn next_step(state: &AppState, tr: Tr) -> (String, String) {
    let snapshot = read(state)
        .await
        .ok()
        .flatten()
        .map(|read| read.map(|read| read.value.as_ref().clone()));
    let list = build(tr, snapshot);
    list.lines
        .into_iter()
        .find(|line| line.is_next)
        .map(|line| {
            let action = tr.t(line.action_label).to_string();
            (
                tr.fmt("ui.next_action", &[("action", action)]),
                line.action_url,
            )
        })
        .unwrap_or_else(|| (tr.t("ui.next_step").to_string(), "/".into()))
}

/// `snapshot` is None in preview mode.
pub fn build(tr: Tr, snapshot: Option<Result<AccountSnapshot, AwsError>>) -> Checklist {
    let snapshot_missing = snapshot.is_none();
    let (account, problem) = match snapshot {
        Some(Ok(account)) => (account, String::new()),
        Some(Err(error)) => {
            let (meaning, _) = explain(tr, &error.code);
            let problem = tr.fmt(
                "ui.checklist_unreadable",
                &[("code", error.code), ("message", error.message)],
            );
            (AccountSnapshot::default(), format!("{problem} {meaning}"))
        }
        // The banner says why once; each step says it cannot be checked,
        // and no step is pressed on as the next one.
        None => (AccountSnapshot::default(), String::new()),
    };
    let unchecked = snapshot_missing;
    let items = checklist(&account);
    let next = items.iter().position(|i| i.progress != Progress::Done);
    let lines = items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let mut line = line(index, item, next == Some(index) && !unchecked);
            if unchecked {
                line.state = "unknown";
                line.state_label = "ui.state_unknown";
            }
            line
        })
        .collect();
    Checklist { lines, problem }
}

fn line(index: usize, item: ChecklistItem, is_next: bool) -> ChecklistLine {
    let subject = item.subject.clone().unwrap_or_default();
    let (title, help) = match item.milestone {
        Milestone::ExecutionRole => ("ui.cl_role", "h.cl_role"),
        Milestone::Cluster => ("ui.cl_cluster", "h.cl_cluster"),
        Milestone::Repository => ("ui.cl_repository", "h.cl_repository"),
        Milestone::TaskDefinition => ("ui.cl_task_definition", "h.cl_task_definition"),
        Milestone::Service => ("ui.cl_service", "h.cl_service"),
    };
    let (action_label, action_url) = match (item.milestone, item.progress) {
        (Milestone::ExecutionRole, Progress::Done) => ("ui.open", format!("/roles/{subject}")),
        (Milestone::ExecutionRole, _) => (
            "ui.create_execution_role",
            "/roles/new?kind=execution".into(),
        ),
        (Milestone::Cluster, Progress::Done) => ("ui.open", "/clusters".into()),
        (Milestone::Cluster, _) => ("ui.create_cluster", "/clusters/new".into()),
        (Milestone::Repository, Progress::Done) => ("ui.open", "/repositories".into()),
        (Milestone::Repository, Progress::Started) => (
            "ui.view_push_commands",
            format!(
                "/repositories/push-commands?{}",
                serde_urlencoded::to_string([("name", subject.as_str())]).unwrap_or_default()
            ),
        ),
        (Milestone::Repository, Progress::Todo) => {
            ("ui.create_repository", "/repositories/new".into())
        }
        (Milestone::TaskDefinition, Progress::Done) => {
            ("ui.new_revision", "/task-definitions/new".into())
        }
        (Milestone::TaskDefinition, _) => {
            ("ui.new_task_definition", "/task-definitions/new".into())
        }
        (Milestone::Service, Progress::Done) => ("ui.open", "/clusters".into()),
        (Milestone::Service, _) => ("ui.create_service", "/services/new".into()),
    };
    let (state, state_label) = match item.progress {
        Progress::Done => ("done", "ui.state_done"),
        Progress::Started => ("started", "ui.state_started"),
        Progress::Todo => ("todo", "ui.state_todo"),
    };
    ChecklistLine {
        number: index + 1,
        title,
        help,
        state,
        state_label,
        subject,
        action_label,
        action_url,
        is_next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::model::account::RepositorySummary;

    #[test]
    fn an_empty_account_points_at_the_role_first() {
        let list = build(Tr::new(Lang::En), Some(Ok(AccountSnapshot::default())));
        assert!(list.problem.is_empty());
        assert_eq!(list.lines.len(), 5);
        assert!(list.lines[0].is_next);
        assert_eq!(list.lines[0].action_url, "/roles/new?kind=execution");
        assert!(list.lines.iter().skip(1).all(|l| !l.is_next));
        assert_eq!(list.lines[4].action_url, "/services/new");
    }

    #[test]
    fn a_repository_without_an_image_leads_to_the_push_commands() {
        let account = AccountSnapshot {
            repositories: vec![RepositorySummary {
                name: "team/app".into(),
                uri: String::new(),
                images: Some(Vec::new()),
            }],
            ..Default::default()
        };
        let list = build(Tr::new(Lang::En), Some(Ok(account)));
        assert_eq!(list.lines[2].state, "started");
        assert_eq!(
            list.lines[2].action_url,
            "/repositories/push-commands?name=team%2Fapp"
        );
    }

    #[test]
    fn preview_and_refusals_say_why_nothing_is_marked() {
        let preview = build(Tr::new(Lang::En), None);
        // The banner says why; no step claims "not yet" or presses on.
        assert!(preview.problem.is_empty());
        assert!(
            preview
                .lines
                .iter()
                .all(|l| l.state == "unknown" && !l.is_next)
        );
        let refused = build(
            Tr::new(Lang::En),
            Some(Err(AwsError {
                code: "AccessDenied".into(),
                message: "no".into(),
            })),
        );
        assert!(refused.problem.contains("AccessDenied"));
        assert!(refused.lines.iter().all(|l| l.state == "todo"));
    }
}
