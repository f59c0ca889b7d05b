//! What removes what a plan made: for each step that created something, the
//! delete call that takes it away, read from the step's request and AWS's
//! answer, in the reverse of the plan's order (the service before its
//! listener, the listener before its target group and load balancer, the
//! load balancer before its security group).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::plan::{Plan, PlanError, Step};
use crate::model::api_call::ApiCall;

/// The call that deletes what `step` made; `input` is its request as sent
/// (outputs filled in), `answer` what AWS answered. None for a step that
/// made nothing of its own (a rule goes with its group).
pub fn undo_call(step: &Step, input: &Value, answer: &Value) -> Option<ApiCall> {
    let text = |value: &Value| value.as_str().filter(|s| !s.is_empty()).map(str::to_string);
    match (step.call.service, step.call.operation) {
        ("ecs", "CreateService") => {
            let service =
                text(&answer["service"]["serviceArn"]).or_else(|| text(&input["serviceName"]))?;
            Some(ApiCall::new(
                "ecs",
                "DeleteService",
                // force: delete without first scaling to zero.
                json!({"cluster": input["cluster"], "service": service, "force": true}),
            ))
        }
        ("elbv2", "CreateListener") => Some(ApiCall::new(
            "elbv2",
            "DeleteListener",
            json!({"ListenerArn": text(&answer["Listeners"][0]["ListenerArn"])?}),
        )),
        ("elbv2", "CreateRule") => Some(ApiCall::new(
            "elbv2",
            "DeleteRule",
            json!({"RuleArn": text(&answer["Rules"][0]["RuleArn"])?}),
        )),
        ("elbv2", "CreateTargetGroup") => Some(ApiCall::new(
            "elbv2",
            "DeleteTargetGroup",
            json!({"TargetGroupArn": text(&answer["TargetGroups"][0]["TargetGroupArn"])?}),
        )),
        ("elbv2", "CreateLoadBalancer") => Some(ApiCall::new(
            "elbv2",
            "DeleteLoadBalancer",
            json!({"LoadBalancerArn": text(&answer["LoadBalancers"][0]["LoadBalancerArn"])?}),
        )),
        ("ec2", "CreateSecurityGroup") => Some(ApiCall::new(
            "ec2",
            "DeleteSecurityGroup",
            json!({"GroupId": text(&answer["GroupId"])?}),
        )),
        // IAM and CloudWatch Logs name what they make: the request says
        // what to delete.
        ("iam", "CreateRole") => Some(ApiCall::new(
            "iam",
            "DeleteRole",
            json!({"RoleName": input["RoleName"]}),
        )),
        ("iam", "AttachRolePolicy") => Some(ApiCall::new(
            "iam",
            "DetachRolePolicy",
            json!({"RoleName": input["RoleName"], "PolicyArn": input["PolicyArn"]}),
        )),
        ("iam", "PutRolePolicy") => Some(ApiCall::new(
            "iam",
            "DeleteRolePolicy",
            json!({"RoleName": input["RoleName"], "PolicyName": input["PolicyName"]}),
        )),
        ("logs", "CreateLogGroup") => Some(ApiCall::new(
            "logs",
            "DeleteLogGroup",
            json!({"logGroupName": input["logGroupName"]}),
        )),
        ("ecs", "CreateCluster") => Some(ApiCall::new(
            "ecs",
            "DeleteCluster",
            json!({"cluster": input["clusterName"]}),
        )),
        ("ecr", "CreateRepository") => Some(ApiCall::new(
            "ecr",
            "DeleteRepository",
            json!({"repositoryName": input["repositoryName"]}),
        )),
        // A revision is known by the ARN AWS gave it: without an answer
        // there is nothing to deregister.
        ("ecs", "RegisterTaskDefinition") => Some(ApiCall::new(
            "ecs",
            "DeregisterTaskDefinition",
            json!({"taskDefinition": text(&answer["taskDefinition"]["taskDefinitionArn"])?}),
        )),
        _ => None,
    }
}

/// The delete calls for the steps in `answers` (step id → answer), each
/// with the id of the step it undoes, in reverse plan order.
pub fn cleanup_calls(
    plan: &Plan,
    answers: &HashMap<String, Value>,
    outputs: &HashMap<String, Value>,
) -> Result<Vec<(String, ApiCall)>, PlanError> {
    let mut calls = Vec::new();
    for n in plan.order()?.into_iter().rev() {
        let step = &plan.steps[n];
        if let Some(answer) = answers.get(&step.id) {
            let input = super::plan::fill_in(&step.call.input, outputs);
            if let Some(call) = undo_call(step, &input, answer) {
                calls.push((step.id.clone(), call));
            }
        }
    }
    Ok(calls)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::plan::outputs_of;
    use crate::deploy::service_plan::plan;
    use crate::model::service::draft::tests::reference_002_draft;

    #[test]
    fn reference_002_is_removed_in_reverse() {
        let plan = plan(&reference_002_draft());
        let answers: HashMap<String, Value> = [
            ("AlbSecurityGroup", json!({"GroupId": "sg-0000000a"})),
            ("AlbIngress", json!({})),
            ("ServiceSecurityGroup", json!({"GroupId": "sg-0000000b"})),
            (
                "CreateLoadBalancer",
                json!({"LoadBalancers": [{"LoadBalancerArn": "arn:lb"}]}),
            ),
            (
                "CreateTargetGroup",
                json!({"TargetGroups": [{"TargetGroupArn": "arn:tg"}]}),
            ),
            (
                "CreateListener",
                json!({"Listeners": [{"ListenerArn": "arn:listener"}]}),
            ),
            (
                "CreateService",
                json!({"service": {"serviceArn": "arn:service"}}),
            ),
        ]
        .into_iter()
        .map(|(id, answer)| (id.to_string(), answer))
        .collect();
        let mut outputs = HashMap::new();
        for step in &plan.steps {
            if let Some(answer) = answers.get(&step.id) {
                outputs.extend(outputs_of(step, answer));
            }
        }
        let calls = cleanup_calls(&plan, &answers, &outputs).unwrap();
        let titles: Vec<String> = calls.iter().map(|(_, c)| c.title()).collect();
        assert_eq!(
            titles,
            [
                "ecs:DeleteService",
                "elbv2:DeleteListener",
                "elbv2:DeleteTargetGroup",
                "ec2:DeleteSecurityGroup",
                "elbv2:DeleteLoadBalancer",
                "ec2:DeleteSecurityGroup",
            ]
        );
        assert_eq!(
            calls[0].1.input,
            json!({"cluster": "ecs-fargate-cluster", "service": "arn:service", "force": true})
        );
        // The tasks' group refers to the load balancer's, which goes last,
        // after the load balancer that uses it.
        assert_eq!(calls[3].1.input["GroupId"], "sg-0000000b");
        assert_eq!(calls[5].1.input["GroupId"], "sg-0000000a");

        // Only what was made is removed.
        let some: HashMap<String, Value> = answers
            .into_iter()
            .filter(|(id, _)| id == "AlbSecurityGroup" || id == "CreateTargetGroup")
            .collect();
        assert_eq!(cleanup_calls(&plan, &some, &outputs).unwrap().len(), 2);
    }
}
