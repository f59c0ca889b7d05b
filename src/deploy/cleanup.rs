//! What removes what a plan made: for each step that created something, the
//! delete call that takes it away, read from the step's request and AWS's
//! answer, in the reverse of the plan's order (the service before its
//! listener, the listener before its target group and load balancer, the
//! load balancer before its security group).

use std::collections::HashMap;

use serde_json::Value;

use super::plan::{Plan, PlanError, Step};
use crate::model::api_call::ApiCall;

/// The call that deletes what `step` made, from the operation table;
/// `input` is its request as sent (outputs filled in), `answer` what AWS
/// answered. None for a step that made nothing of its own (a rule goes
/// with its group).
pub fn undo_call(step: &Step, input: &Value, answer: &Value) -> Option<ApiCall> {
    ApiCall::new(step.call.operation, input.clone()).undo(answer)
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
    use serde_json::json;

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
