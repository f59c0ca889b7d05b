//! Every one-page create (role and its policies, log group and its
//! retention, cluster, repository, a task definition's registration) runs
//! through the same plan engine as the service wizard: each call journaled
//! before it is sent and with its answer, a call that got no answer (a
//! timeout: it may have happened) looked up and adopted before it is sent
//! again, a cut-off run finished by adopting what exists, and a refusal
//! part way cleaned up in reverse, each deletion reported.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::RunJournal;
use super::cleanup::cleanup_calls;
use super::plan::{Plan, Step};
use super::runner::{Earlier, Retry, run_delete, run_plan};
use crate::aws::create::is_already_exists;
use crate::aws::{Aws, AwsError, CreateError, Created, Undo};
use crate::model::api_call::ApiCall;
use crate::store::runs::CLEANUP_BASE;

/// Each call after the one before: IAM refuses concurrent changes to one
/// role (ConcurrentModification), and the first call makes what the others
/// change.
pub fn chain(calls: Vec<ApiCall>) -> Plan {
    let mut ids: Vec<String> = Vec::new();
    let steps = calls
        .into_iter()
        .map(|call| {
            let base = call.operation.name().to_string();
            let taken = ids.iter().filter(|id| id.starts_with(&base)).count();
            let id = if taken == 0 {
                base
            } else {
                format!("{base}{}", taken + 1)
            };
            let step = match ids.last() {
                Some(previous) => Step::new(&id, call).after(&[previous]),
                None => Step::new(&id, call),
            };
            ids.push(id);
            step
        })
        .collect();
    Plan::new(steps)
}

fn plan_error(error: super::plan::PlanError) -> CreateError {
    CreateError::refused(AwsError {
        code: "InvalidPlan".into(),
        message: error.to_string(),
    })
}

/// Creates what `calls` make. Finishing a cut-off run (`log.resuming()`),
/// what exists is adopted and the rest is sent again (attaching a policy or
/// setting a retention twice changes nothing).
pub async fn create(
    aws: &Aws,
    calls: Vec<ApiCall>,
    log: &RunJournal,
    retry: &Retry,
) -> Result<Created, CreateError> {
    let plan = chain(calls);
    let earlier: HashMap<String, Earlier> = if log.resuming() {
        plan.steps
            .iter()
            .map(|s| (s.id.clone(), Earlier::Unknown))
            .collect()
    } else {
        HashMap::new()
    };
    let progress = run_plan(aws, &plan, log, &earlier, retry)
        .await
        .map_err(plan_error)?;
    let Some(root) = plan.steps.first() else {
        return Err(plan_error(super::plan::PlanError::Cycle(String::new())));
    };
    if let Some((_, error)) = progress.failed.first() {
        if !progress.answers.contains_key(&root.id) && is_already_exists(error) {
            return Err(CreateError::AlreadyExists);
        }
        let undo = remove_answered(aws, &plan, &progress.answers, log, retry).await;
        return Err(CreateError::Refused {
            error: error.clone(),
            undo,
        });
    }
    let response: Vec<Value> = plan
        .steps
        .iter()
        .map(
            |s| json!({s.call.operation.name(): progress.answers.get(&s.id).cloned().unwrap_or_default()}),
        )
        .collect();
    let arn = aws
        .created_arn(&root.call, &progress.answers[&root.id])
        .await;
    Ok(Created {
        arn,
        response: json!(response),
    })
}

/// Removes everything `calls` would have made, whatever a cut-off run got
/// to: what is there is looked up first (a revision is deregistered by the
/// ARN AWS gave it), what is not is passed over.
pub async fn remove(aws: &Aws, calls: Vec<ApiCall>, log: &RunJournal, retry: &Retry) -> Vec<Undo> {
    let plan = chain(calls);
    let mut all: HashMap<String, Value> = HashMap::new();
    for step in &plan.steps {
        let found = aws.find_created(&step.call).await.ok().flatten();
        all.insert(step.id.clone(), found.unwrap_or_else(|| json!({})));
    }
    remove_answered(aws, &plan, &all, log, retry).await
}

async fn remove_answered(
    aws: &Aws,
    plan: &Plan,
    answers: &HashMap<String, Value>,
    log: &RunJournal,
    retry: &Retry,
) -> Vec<Undo> {
    let calls = cleanup_calls(plan, answers, &HashMap::new()).unwrap_or_default();
    let mut undo = Vec::new();
    for (k, (step_id, call)) in calls.iter().enumerate() {
        let outcome = run_delete(aws, log, CLEANUP_BASE + k, step_id, call, retry).await;
        undo.push(Undo {
            call: format!("{} ({step_id})", call.summary()),
            outcome,
        });
    }
    undo
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resource::Resource;
    use crate::model::role::{Role, RoleKind};

    #[test]
    fn a_role_is_made_call_after_call_and_undone_in_reverse() {
        let mut role = Role::new(RoleKind::Execution, "aws");
        role.read_parameters = true;
        role.managed_policy_arns
            .push("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy".into());
        let plan = chain(role.api_calls());
        let ids: Vec<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "CreateRole",
                "AttachRolePolicy",
                "AttachRolePolicy2",
                "PutRolePolicy"
            ]
        );
        assert_eq!(plan.waves().unwrap().len(), 4);
        let answers: HashMap<String, Value> =
            ids.iter().map(|id| (id.to_string(), json!({}))).collect();
        let undo: Vec<String> = cleanup_calls(&plan, &answers, &HashMap::new())
            .unwrap()
            .into_iter()
            .map(|(_, call)| call.title())
            .collect();
        assert_eq!(
            undo,
            [
                "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy",
                "iam:DetachRolePolicy",
                "iam:DeleteRole"
            ]
        );
    }
}

/// The role and log group creates through the plan engine, against a
/// replay client: the order of calls on the wire and the undo of a refusal.
#[cfg(test)]
mod replay_tests {
    use crate::aws::CreateError;
    use crate::aws::tests::{JSON, Replay, XML};
    use crate::deploy::RunJournal;
    use crate::deploy::resource_run::create;
    use crate::deploy::runner::Retry;
    use crate::model::log_group::LogGroup;
    use crate::model::resource::Resource;
    use crate::model::role::{MANAGED_POLICIES, Role, RoleKind};
    use crate::store::Store;

    async fn journal(resuming: bool) -> RunJournal {
        let store = Store::open_in_memory().unwrap();
        let run = store.start_run("roles", "d").await.unwrap();
        RunJournal::for_tests(store, run, resuming)
    }

    const CREATED: &str = r#"<CreateRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateRoleResult><Role><Path>/</Path><RoleName>ecsTaskExecutionRole</RoleName><RoleId>AROA1</RoleId><Arn>arn:aws:iam::123456789012:role/ecsTaskExecutionRole</Arn><CreateDate>2026-11-23T00:00:00Z</CreateDate></Role></CreateRoleResult></CreateRoleResponse>"#;
    const DONE: &str = r#"<Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"/>"#;
    const DENIED: &str = r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: iam:PutRolePolicy</Message></Error><RequestId>2</RequestId></ErrorResponse>"#;

    /// A refused PutRolePolicy leaves nothing behind: the attached policy is
    /// detached and the role deleted, in that order, and both are reported.
    #[tokio::test]
    async fn a_refusal_part_way_undoes_what_was_created() {
        let mut role = Role::new(RoleKind::Execution, "aws");
        role.read_parameters = true;
        let (aws, sent) = Replay::new(&[
            (200, XML, CREATED),
            (200, XML, DONE),
            (403, XML, DENIED),
            (200, XML, DONE),
            (200, XML, DONE),
        ]);
        let result = create(
            &aws,
            role.api_calls(),
            &journal(false).await,
            &Retry::STANDARD,
        )
        .await;
        let Err(CreateError::Refused { error, undo }) = result else {
            panic!("expected a refusal, got {result:?}");
        };
        assert_eq!(error.code, "AccessDenied");
        let calls: Vec<&str> = undo.iter().map(|u| u.call.as_str()).collect();
        assert_eq!(
            calls,
            [
                "iam:DetachRolePolicy RoleName=ecsTaskExecutionRole PolicyArn=arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy (AttachRolePolicy)",
                "iam:DeleteRole RoleName=ecsTaskExecutionRole (CreateRole)"
            ]
        );
        assert!(undo.iter().all(|u| u.outcome.is_ok()));
        assert_eq!(
            sent.actions(),
            [
                "CreateRole",
                "AttachRolePolicy",
                "PutRolePolicy",
                "DetachRolePolicy",
                "DeleteRole"
            ]
        );
    }

    #[tokio::test]
    async fn an_existing_role_is_reported_as_such_and_nothing_is_undone() {
        let exists = r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>EntityAlreadyExists</Code><Message>Role with name ecsTaskExecutionRole already exists.</Message></Error><RequestId>3</RequestId></ErrorResponse>"#;
        let (aws, sent) = Replay::new(&[(409, XML, exists)]);
        let mut role = Role::new(RoleKind::Execution, "aws");
        role.managed_policy_arns
            .push(MANAGED_POLICIES[1].arn("aws"));
        let result = create(
            &aws,
            role.api_calls(),
            &journal(false).await,
            &Retry::STANDARD,
        )
        .await;
        assert_eq!(result, Err(CreateError::AlreadyExists));
        assert_eq!(sent.actions(), ["CreateRole"]);
    }

    /// A refused retention policy would leave a group that keeps logs
    /// forever; it is deleted again and the page says so.
    #[tokio::test]
    async fn a_refused_retention_deletes_the_new_group() {
        let group = LogGroup {
            log_group_name: "/ecs/example".into(),
            retention_in_days: Some(180),
            tags: Vec::new(),
        };
        let denied = r#"{"__type":"AccessDeniedException","message":"not authorized to perform: logs:PutRetentionPolicy"}"#;
        let (aws, sent) = Replay::new(&[(200, JSON, "{}"), (400, JSON, denied), (200, JSON, "{}")]);
        let result = create(
            &aws,
            group.api_calls(),
            &journal(false).await,
            &Retry::STANDARD,
        )
        .await;
        let Err(CreateError::Refused { error, undo }) = result else {
            panic!("expected a refusal: {result:?}");
        };
        assert_eq!(error.code, "AccessDeniedException");
        assert_eq!(undo.len(), 1);
        assert_eq!(
            undo[0].call,
            "logs:DeleteLogGroup logGroupName=/ecs/example (CreateLogGroup)"
        );
        assert!(undo[0].outcome.is_ok());
        assert_eq!(
            sent.actions(),
            ["CreateLogGroup", "PutRetentionPolicy", "DeleteLogGroup"]
        );
    }
}
