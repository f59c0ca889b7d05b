//! What a service needs that the account may lack — the task execution
//! role, the cluster, the log group, the task definition — made by the
//! service's own plan, before the service, when the quick start finds them
//! missing. Each is the model its own wizard sends; here its calls get
//! step ids and a place in the plan, so the service's journal, Resume,
//! Clean up and tear-down cover them too.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::model::account::{AccountFacts, RoleSummary};
use crate::model::api_call::ApiCall;
use crate::model::cluster::Cluster;
use crate::model::export;
use crate::model::log_group::LogGroup;
use crate::model::operation::Operation;
use crate::model::resource::Resource;
use crate::model::role::{Role, trust_policy};
use crate::model::task_definition::TaskDefinition;

pub const EXECUTION_ROLE: &str = "ExecutionRole";
pub const EXECUTION_ROLE_POLICY: &str = "ExecutionRolePolicy";
pub const EXECUTION_ROLE_INLINE: &str = "ExecutionRoleInlinePolicy";
pub const CLUSTER: &str = "Cluster";
pub const LOG_GROUP: &str = "LogGroup";
pub const TASK_DEFINITION: &str = "TaskDefinition";

/// The service's task definition when the plan registers it: the ARN
/// RegisterTaskDefinition answers with.
pub const TASK_DEFINITION_ARN: &str = "${TaskDefinition.TaskDefinitionArn}";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prerequisites {
    pub role: Option<Role>,
    pub cluster: Option<Cluster>,
    pub log_group: Option<LogGroup>,
    pub task_definition: Option<TaskDefinition>,
}

impl Prerequisites {
    pub fn is_empty(&self) -> bool {
        self.role.is_none()
            && self.cluster.is_none()
            && self.log_group.is_none()
            && self.task_definition.is_none()
    }

    /// Their calls, each with its step id: the role and its policies, the
    /// cluster, the log group, the task definition.
    pub fn calls(&self) -> Vec<(&'static str, ApiCall)> {
        let mut calls = Vec::new();
        if let Some(role) = &self.role {
            let mut policies = 0;
            for call in role.api_calls() {
                let id = match call.operation {
                    Operation::CreateRole => EXECUTION_ROLE,
                    Operation::PutRolePolicy => EXECUTION_ROLE_INLINE,
                    // One managed policy: the execution role's own.
                    _ if policies == 0 => {
                        policies += 1;
                        EXECUTION_ROLE_POLICY
                    }
                    _ => continue,
                };
                calls.push((id, call));
            }
        }
        if let Some(cluster) = &self.cluster {
            calls.extend(cluster.api_calls().into_iter().map(|c| (CLUSTER, c)));
        }
        if let Some(group) = &self.log_group {
            // Retention is a second call; the quick start keeps AWS's
            // default (never expire) so the group is one step.
            calls.extend(
                group
                    .api_calls()
                    .into_iter()
                    .filter(|c| c.operation == Operation::CreateLogGroup)
                    .map(|c| (LOG_GROUP, c)),
            );
        }
        if let Some(td) = &self.task_definition {
            let request = serde_json::to_value(td).unwrap_or_else(|_| json!({}));
            calls.push((
                TASK_DEFINITION,
                ApiCall::new(Operation::RegisterTaskDefinition, request),
            ));
        }
        calls
    }

    /// What a step among them waits for.
    pub fn after(id: &str) -> &'static [&'static str] {
        match id {
            EXECUTION_ROLE_POLICY | EXECUTION_ROLE_INLINE => &[EXECUTION_ROLE],
            // Tasks start with the role it names: made, with its policy.
            TASK_DEFINITION => &[EXECUTION_ROLE, EXECUTION_ROLE_POLICY, EXECUTION_ROLE_INLINE],
            _ => &[],
        }
    }

    /// The steps the service waits for.
    pub const BEFORE_SERVICE: [&'static str; 6] = [
        EXECUTION_ROLE,
        EXECUTION_ROLE_POLICY,
        EXECUTION_ROLE_INLINE,
        CLUSTER,
        LOG_GROUP,
        TASK_DEFINITION,
    ];

    /// An output of theirs as Terraform names it: the registered task
    /// definition's ARN.
    pub fn reference(&self, reference: &str) -> Option<String> {
        let td = self.task_definition.as_ref()?;
        (reference == TASK_DEFINITION_ARN).then(|| {
            format!(
                "aws_ecs_task_definition.{}.arn",
                crate::model::hcl::resource_label(&td.family, "td")
            )
        })
    }

    /// The cluster named `name` as Terraform names it, when the plan makes it.
    pub fn cluster_reference(&self, name: &str) -> Option<String> {
        let cluster = self.cluster.as_ref().filter(|c| c.cluster_name == name)?;
        Some(format!(
            "aws_ecs_cluster.{}.arn",
            crate::model::hcl::resource_label(&cluster.cluster_name, "cluster")
        ))
    }

    /// What the plan makes for them, as the account facts preflight reads
    /// will hold it: the role (trusting ECS tasks) and the log group.
    pub fn apply(&self, facts: &mut AccountFacts, partition: &str) {
        if let Some(role) = &self.role
            && !facts.roles.iter().any(|r| r.name == role.role_name)
        {
            facts.roles.push(RoleSummary {
                name: role.role_name.clone(),
                arn: format!(
                    "arn:{partition}:iam::{}:role/{}",
                    facts.account, role.role_name
                ),
                trust: trust_policy(),
            });
        }
        if let Some(group) = &self.log_group
            && !facts.log_groups.contains(&group.log_group_name)
        {
            facts.log_groups.push(group.log_group_name.clone());
        }
    }

    pub fn terraform(&self) -> String {
        let mut blocks = Vec::new();
        if let Some(role) = &self.role {
            blocks.push(role.terraform());
        }
        if let Some(cluster) = &self.cluster {
            blocks.push(cluster.terraform());
        }
        if let Some(group) = &self.log_group {
            blocks.push(group.terraform());
        }
        if let Some(td) = &self.task_definition {
            blocks.push(export::terraform(td));
        }
        blocks.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::role::RoleKind;

    fn all() -> Prerequisites {
        Prerequisites {
            role: Some(Role::new(RoleKind::Execution, "aws")),
            cluster: Some(Cluster {
                cluster_name: "default".into(),
                ..Cluster::default()
            }),
            log_group: Some(LogGroup {
                log_group_name: "/ecs/shop-web".into(),
                ..LogGroup::default()
            }),
            task_definition: Some(
                serde_json::from_value(json!({"family": "shop-web", "containerDefinitions": []}))
                    .expect("task definition"),
            ),
        }
    }

    #[test]
    fn each_prerequisite_is_a_step_of_its_own_operation() {
        let calls = all().calls();
        let steps: Vec<(&str, Operation)> =
            calls.iter().map(|(id, c)| (*id, c.operation)).collect();
        assert_eq!(
            steps,
            [
                (EXECUTION_ROLE, Operation::CreateRole),
                (EXECUTION_ROLE_POLICY, Operation::AttachRolePolicy),
                (EXECUTION_ROLE_INLINE, Operation::PutRolePolicy),
                (CLUSTER, Operation::CreateCluster),
                (LOG_GROUP, Operation::CreateLogGroup),
                (TASK_DEFINITION, Operation::RegisterTaskDefinition),
            ]
        );
        assert_eq!(calls[5].1.input["family"], "shop-web");
        assert!(Prerequisites::default().calls().is_empty());
        assert!(Prerequisites::default().is_empty());
    }

    #[test]
    fn the_task_definition_waits_for_its_role_and_the_terraform_has_them_all() {
        assert!(Prerequisites::after(TASK_DEFINITION).contains(&EXECUTION_ROLE));
        let hcl = all().terraform();
        for resource in [
            "resource \"aws_iam_role\"",
            "resource \"aws_ecs_cluster\"",
            "resource \"aws_cloudwatch_log_group\"",
            "resource \"aws_ecs_task_definition\"",
        ] {
            assert!(hcl.contains(resource), "{resource}: {hcl}");
        }
    }
}
