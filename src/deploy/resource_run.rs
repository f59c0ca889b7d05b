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
use crate::store::plan_runs::CLEANUP_BASE;

/// Each call after the one before: IAM refuses concurrent changes to one
/// role (ConcurrentModification), and the first call makes what the others
/// change.
pub fn chain(calls: Vec<ApiCall>) -> Plan {
    let mut ids: Vec<String> = Vec::new();
    let steps = calls
        .into_iter()
        .map(|call| {
            let base = call.operation.to_string();
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
            |s| json!({s.call.operation: progress.answers.get(&s.id).cloned().unwrap_or_default()}),
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
