//! Deleting a service and what the wizard's run made for it: scale to
//! zero, delete the service, then the listener (or rule), target group,
//! load balancer and security groups the run's journal says it created,
//! in the reverse of the order they were made, and last what a quick
//! start made first (its task definition, log group, cluster and execution
//! role). What the run adopted, and what other services still use (or
//! what something kept depends on), is listed and kept.
//!
//! It runs as a [`change`]: worked out once, shown on the confirmation,
//! stored with the run, and sent exactly so.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use super::change::Kept;
use super::change::{self, ChangeCall};
use super::cleanup::cleanup_calls;
use super::plan::{Plan, fill_in, outputs_of};
use super::runner::Retry;
use crate::aws::Aws;
use crate::model::api_call::ApiCall;
use crate::model::operation::{Operation, Service};
use crate::model::service::draft::{CREATE_SERVICE, SCALABLE_TARGET, SCALING_POLICY};
use crate::model::service::prerequisites::Prerequisites;
pub use crate::model::service::usage::Usage;
use crate::store::runs::Run;
use crate::store::runs::StepStatus;
use crate::store::{Store, StoreError};

pub const KIND: &str = "teardowns";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Teardown {
    pub cluster: String,
    pub service: String,
    /// The run that created the service, when this app did.
    pub created_by: String,
    pub calls: Vec<ChangeCall>,
    pub kept: Vec<Kept>,
}

/// The id a created resource is deleted by: the one string its delete
/// call names.
fn resource_id(call: &ApiCall) -> Option<String> {
    [
        "TargetGroupArn",
        "LoadBalancerArn",
        "ListenerArn",
        "RuleArn",
        "GroupId",
        "CertificateArn",
    ]
    .iter()
    .find_map(|k| call.input[*k].as_str().map(str::to_string))
    .or_else(|| call.input["AlarmNames"][0].as_str().map(str::to_string))
    .or_else(|| record_names(&call.input))
}

/// The names a Route 53 change's records have: `shop.example.com A, AAAA`.
fn record_names(input: &Value) -> Option<String> {
    let changes = input["ChangeBatch"]["Changes"].as_array()?;
    let name = changes.first()?["ResourceRecordSet"]["Name"].as_str()?;
    let kinds: Vec<&str> = changes
        .iter()
        .filter_map(|c| c["ResourceRecordSet"]["Type"].as_str())
        .collect();
    Some(format!("{name} {}", kinds.join(", ")))
}

/// The name a creating request gives what it makes: `ecs-fargate-tg`,
/// `ecs-alb-sg`, `HTTP:80` for a listener, `priority 10` for a rule.
fn name_in(input: &Value) -> String {
    let text = |key: &str| input[key].as_str().map(str::to_string);
    text("Name")
        .or_else(|| text("GroupName"))
        .or_else(|| text("AlarmName"))
        .or_else(|| {
            let (protocol, port) = (input["Protocol"].as_str()?, input["Port"].as_i64()?);
            Some(format!("{protocol}:{port}"))
        })
        .or_else(|| Some(format!("priority {}", input["Priority"].as_i64()?)))
        .or_else(|| text("DomainName"))
        .or_else(|| record_names(input))
        .unwrap_or_default()
}

/// Every string in `value` (the ids a request names).
fn strings(value: &Value) -> Vec<&str> {
    let mut found = Vec::new();
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(s) => found.push(s.as_str()),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    found
}

/// The tear-down of service `service` of `cluster`; `created` is the run
/// that made it with the plan it ran, when this app made it.
pub fn teardown(
    cluster: &str,
    service: &str,
    created: Option<(&Run, &Plan)>,
    usage: &Usage,
) -> Teardown {
    let mut result = Teardown {
        cluster: cluster.to_string(),
        service: service.to_string(),
        created_by: created.map(|(run, _)| run.id.clone()).unwrap_or_default(),
        calls: vec![
            ChangeCall::of(
                "ScaleToZero",
                service,
                ApiCall::new(
                    Operation::UpdateService,
                    json!({"cluster": cluster, "service": service, "desiredCount": 0}),
                ),
            ),
            ChangeCall::of(
                CREATE_SERVICE,
                service,
                ApiCall::new(
                    Operation::DeleteService,
                    json!({"cluster": cluster, "service": service, "force": true}),
                ),
            ),
        ],
        kept: Vec::new(),
    };
    // Auto scaling goes first, policies before the target: left in place
    // it would scale the service back up while it is deleted.
    if let Some(scaled) = &usage.scaling {
        let stop = scaled.stop(cluster, service).into_iter().map(|call| {
            let step = if call.operation == Operation::DeleteScalingPolicy {
                SCALING_POLICY
            } else {
                SCALABLE_TARGET
            };
            let what = call.input["PolicyName"]
                .as_str()
                .or(call.input["ResourceId"].as_str())
                .unwrap_or_default()
                .to_string();
            ChangeCall::of(step, &what, call)
        });
        result.calls.splice(0..0, stop);
    }
    let Some((run, plan)) = created else {
        return result;
    };
    let mut made = HashMap::new();
    let mut outputs = HashMap::new();
    for record in &run.steps {
        let (Some(answer), Some(step)) = (
            &record.answer,
            plan.steps.iter().find(|s| s.id == record.step_id),
        ) else {
            continue;
        };
        outputs.extend(outputs_of(step, answer));
        match record.status {
            StepStatus::Done => {
                made.insert(step.id.clone(), answer.clone());
            }
            StepStatus::Adopted if step.id != CREATE_SERVICE => result.kept.push(Kept {
                what: step.call.summary(),
                step: step.id.clone(),
                reason: "ui.kept_adopted".into(),
                name: name_in(&fill_in(&step.call.input, &outputs)),
            }),
            _ => {}
        }
    }
    let Ok(undo) = cleanup_calls(plan, &made, &outputs) else {
        return result;
    };
    // The run's scaling steps are undone by what the account holds now
    // (above), which may have been changed or removed since.
    let undo: Vec<(String, ApiCall)> = undo
        .into_iter()
        .filter(|(_, call)| call.service() != Service::AutoScaling)
        .collect();
    // Each made resource: its id, and the ids its own request (and the
    // ingress rules added to it) name — what it depends on.
    let filled = |id: &str| {
        plan.steps
            .iter()
            .find(|s| s.id == id)
            .map(|s| fill_in(&s.call.input, &outputs))
            .unwrap_or_default()
    };
    // What the quick start made first (the execution role, the cluster,
    // the log group, the task definition) goes last, unless used still.
    let (made_first, undo): (Vec<_>, Vec<_>) = undo
        .into_iter()
        .partition(|(step, _)| Prerequisites::BEFORE_SERVICE.contains(&step.as_str()));
    // The infrastructure role a strategy that moves traffic was given is
    // one per account, not per service: listed and kept.
    let (roles, undo): (Vec<_>, Vec<_>) = undo
        .into_iter()
        .partition(|(_, call)| call.service() == Service::Iam);
    for (step, call) in roles {
        if call.operation == Operation::DeleteRole {
            let name = call.input["RoleName"].as_str().unwrap_or_default();
            result.kept.push(Kept {
                what: name.to_string(),
                step,
                reason: "ui.kept_role".into(),
                name: name.to_string(),
            });
        }
    }
    let resources: Vec<(String, String, ApiCall, Vec<String>)> = undo
        .into_iter()
        .filter(|(step, _)| step != CREATE_SERVICE)
        .filter_map(|(step, call)| {
            let id = resource_id(&call)?;
            let mut names: Vec<String> = strings(&filled(&step))
                .into_iter()
                .map(str::to_string)
                .collect();
            for other in &plan.steps {
                let input = fill_in(&other.call.input, &outputs);
                if other.call.operation == Operation::AuthorizeSecurityGroupIngress
                    && input["GroupId"].as_str() == Some(id.as_str())
                {
                    names.extend(strings(&input).into_iter().map(str::to_string));
                }
            }
            Some((step, id, call, names))
        })
        .collect();
    let mut kept: HashMap<String, &'static str> = HashMap::new();
    for (_, id, call, names) in &resources {
        if usage.target_groups.contains(id) || usage.security_groups.contains(id) {
            kept.insert(id.clone(), "ui.kept_in_use");
        } else if usage.shared.contains(id) {
            kept.insert(id.clone(), "ui.kept_shared");
        } else if matches!(
            call.operation,
            Operation::DeleteListener | Operation::DeleteRule
        ) && names.iter().any(|n| usage.target_groups.contains(n))
        {
            // It sends traffic to a group another service uses.
            kept.insert(id.clone(), "ui.kept_serves_kept");
        }
    }
    // What a kept resource names stays too (a kept listener's load
    // balancer, a kept load balancer's security group). Linear passes
    // until nothing changes: a plan has at most a dozen steps.
    loop {
        let before = kept.len();
        for (_, id, _, names) in &resources {
            if kept.contains_key(id) {
                for (_, other, _, _) in &resources {
                    if other != id && names.contains(other) && !kept.contains_key(other) {
                        kept.insert(other.clone(), "ui.kept_needed");
                    }
                }
            }
        }
        if kept.len() == before {
            break;
        }
    }
    for (step, id, call, _) in resources {
        let name = name_in(&filled(&step));
        match kept.get(&id) {
            Some(reason) => result.kept.push(Kept {
                what: id,
                step,
                reason: reason.to_string(),
                name,
            }),
            None => result.calls.push(ChangeCall::of(&step, &name, call)),
        }
    }
    for (step, call) in made_first {
        let name = prerequisite_name(&call);
        let kept = match call.operation {
            Operation::DeleteCluster if usage.cluster_in_use => Some("ui.kept_cluster_in_use"),
            Operation::DeleteRole if usage.role_in_use => Some("ui.kept_role_in_use"),
            // Its policies stay with it.
            Operation::DetachRolePolicy | Operation::DeleteRolePolicy if usage.role_in_use => {
                continue;
            }
            _ => None,
        };
        match kept {
            Some(reason) => result.kept.push(Kept {
                what: name.clone(),
                step,
                reason: reason.into(),
                name,
            }),
            None => result.calls.push(ChangeCall::of(&step, &name, call)),
        }
    }
    result
}

/// What a prerequisite's undo names: the cluster, log group, revision or
/// role (with the policy, for a policy's).
fn prerequisite_name(call: &ApiCall) -> String {
    let text = |key: &str| call.input[key].as_str().unwrap_or_default().to_string();
    match call.operation {
        Operation::DeleteCluster => text("cluster"),
        Operation::DeleteLogGroup => text("logGroupName"),
        Operation::DeregisterTaskDefinition => text("taskDefinition")
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string(),
        Operation::DetachRolePolicy => format!(
            "{} {}",
            text("RoleName"),
            text("PolicyArn").rsplit('/').next().unwrap_or_default()
        ),
        Operation::DeleteRolePolicy => format!("{} {}", text("RoleName"), text("PolicyName")),
        _ => text("RoleName"),
    }
}

/// Starts the tear-down as a run of its own; its id, or the id of the one
/// already started for this service (a double click).
pub async fn start(
    store: &Store,
    aws: &Aws,
    key: &str,
    teardown: &Teardown,
    retry: Retry,
) -> Result<String, StoreError> {
    let snapshot = serde_json::to_value(teardown).unwrap_or_default();
    change::start(store, aws, KIND, key, &snapshot, retry).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::service_plan::plan;
    use crate::model::service::draft::tests::reference_002_draft;
    use crate::store::runs::{RunStatus, RunStep};

    /// Reference 002's run as the journal holds it once it succeeded.
    fn run_002(adopted: &[&str]) -> (Run, Plan) {
        run_of(&reference_002_draft(), adopted)
    }

    fn run_of(draft: &crate::model::service::draft::ServiceDraft, adopted: &[&str]) -> (Run, Plan) {
        let plan = plan(draft);
        let answers: HashMap<&str, Value> = [
            ("AlbSecurityGroup", json!({"GroupId": "sg-alb"})),
            ("AlbIngress", json!({})),
            ("ServiceSecurityGroup", json!({"GroupId": "sg-tasks"})),
            ("ServiceIngress", json!({})),
            (
                "CreateLoadBalancer",
                json!({"LoadBalancers": [{"LoadBalancerArn": "arn:lb", "DNSName": "x"}]}),
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
            ("ScalableTarget", json!({"ScalableTargetARN": "arn:target"})),
            ("ScalingPolicy", json!({"PolicyARN": "arn:policy"})),
            ("RequestCertificate", json!({"CertificateArn": "arn:certificate"})),
            (
                "ValidationRecord",
                json!({"Certificate": {"Status": "PENDING_VALIDATION", "DomainValidationOptions": [
                    {"ResourceRecord": {"Name": "_v.shop.example.com.", "Type": "CNAME", "Value": "_w.acm-validations.aws."}}
                ]}}),
            ),
            ("ValidationCname", json!({"ChangeInfo": {"Id": "/change/C1"}})),
            ("CertificateIssued", json!({"Certificate": {"Status": "ISSUED"}})),
            ("DomainRecords", json!({"ChangeInfo": {"Id": "/change/C2"}})),
            (
                "InfrastructureRole",
                json!({"Role": {"RoleName": "ecsInfrastructureRoleForLoadBalancers", "Arn": "arn:role"}}),
            ),
            ("InfrastructurePolicy", json!({})),
            (
                "AlternateTargetGroup",
                json!({"TargetGroups": [{"TargetGroupArn": "arn:tg-alt"}]}),
            ),
            ("ProductionRule", json!({"Rules": [{"RuleArn": "arn:rule"}]})),
            (
                "ExecutionRole",
                json!({"Role": {"RoleName": "ecsTaskExecutionRole", "Arn": "arn:execution-role"}}),
            ),
            ("ExecutionRolePolicy", json!({})),
            ("Cluster", json!({"cluster": {"clusterArn": "arn:cluster", "clusterName": "default"}})),
            ("LogGroup", json!({})),
            (
                "TaskDefinition",
                json!({"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nginx:1"}}),
            ),
        ]
        .into_iter()
        .collect();
        let steps = plan
            .steps
            .iter()
            .enumerate()
            .map(|(seq, s)| RunStep {
                seq,
                step_id: s.id.clone(),
                call: s.call.title(),
                status: if adopted.contains(&s.id.as_str()) {
                    StepStatus::Adopted
                } else {
                    StepStatus::Done
                },
                detail: String::new(),
                answer: answers.get(s.id.as_str()).cloned(),
            })
            .collect();
        let run = Run {
            id: "run1".into(),
            kind: "services".into(),
            draft_id: "d".into(),
            status: RunStatus::Succeeded,
            outcome: json!({}),
            started_at: 0,
            snapshot: json!({}),
            steps,
        };
        (run, plan)
    }

    fn titles(teardown: &Teardown) -> Vec<String> {
        teardown
            .calls
            .iter()
            .map(|c| format!("{} {}", c.title(), c.step))
            .collect()
    }

    #[test]
    fn a_domain_s_records_and_certificate_go_as_well_the_certificate_last() {
        let draft = crate::model::service::draft::tests::reference_002_on_a_domain();
        let (run, plan) = run_of(&draft, &[]);
        let teardown = teardown("c", "s", Some((&run, &plan)), &Usage::default());
        let titles = titles(&teardown);
        let at = |title: &str| titles.iter().position(|t| t == title).expect(title);
        // The name stops pointing at the load balancer before it goes.
        assert!(
            at("route53:ChangeResourceRecordSets DomainRecords")
                < at("elbv2:DeleteLoadBalancer CreateLoadBalancer"),
            "{titles:?}"
        );
        // ACM refuses to delete a certificate a listener still uses.
        assert!(
            at("elbv2:DeleteListener CreateListener")
                < at("acm:DeleteCertificate RequestCertificate")
        );
        assert_eq!(
            titles[titles.len() - 2..],
            [
                "route53:ChangeResourceRecordSets ValidationCname",
                "acm:DeleteCertificate RequestCertificate",
            ]
        );
        let validation = &teardown.calls[teardown.calls.len() - 2];
        assert_eq!(validation.what, "_v.shop.example.com. CNAME");
        assert_eq!(
            validation.input["ChangeBatch"]["Changes"][0]["ResourceRecordSet"]["ResourceRecords"]
                [0]["Value"],
            "_w.acm-validations.aws."
        );
    }

    #[test]
    fn reference_002_goes_in_dependency_order() {
        let (run, plan) = run_002(&[]);
        let teardown = teardown("c", "s", Some((&run, &plan)), &Usage::default());
        assert_eq!(
            titles(&teardown),
            [
                "ecs:UpdateService ScaleToZero",
                "ecs:DeleteService CreateService",
                "elbv2:DeleteListener CreateListener",
                "elbv2:DeleteTargetGroup CreateTargetGroup",
                "ec2:DeleteSecurityGroup ServiceSecurityGroup",
                "elbv2:DeleteLoadBalancer CreateLoadBalancer",
                "ec2:DeleteSecurityGroup AlbSecurityGroup",
            ]
        );
        assert_eq!(teardown.calls[0].input["desiredCount"], 0);
        assert!(teardown.kept.is_empty());
        assert!(teardown.calls.iter().all(|c| c.call().is_some()));
        // Stored and read back as the run's snapshot.
        let stored = serde_json::to_value(&teardown).unwrap();
        assert_eq!(
            serde_json::from_value::<Teardown>(stored).unwrap(),
            teardown
        );
    }

    #[test]
    fn auto_scaling_is_removed_before_the_service_is_scaled_to_zero() {
        let mut draft = reference_002_draft();
        draft.auto_scaling.enabled = true;
        let (run, plan) = run_of(&draft, &[]);
        // Without a scalable target now, the run's are not deleted again.
        let gone = teardown("c", "s", Some((&run, &plan)), &Usage::default());
        assert_eq!(titles(&gone)[0], "ecs:UpdateService ScaleToZero");
        let usage = Usage {
            scaling: Some(crate::model::service::scaling::ScalingRead {
                scaling: draft.auto_scaling.clone(),
                policy_names: vec!["ecs-fargate-service-cpu-target-tracking".into()],
                resource_label: String::new(),
            }),
            ..Usage::default()
        };
        let teardown = teardown(
            "ecs-fargate-cluster",
            "ecs-fargate-service",
            Some((&run, &plan)),
            &usage,
        );
        let titles = titles(&teardown);
        assert_eq!(
            titles[..3],
            [
                "application-autoscaling:DeleteScalingPolicy ScalingPolicy",
                "application-autoscaling:DeregisterScalableTarget ScalableTarget",
                "ecs:UpdateService ScaleToZero",
            ]
        );
        assert_eq!(
            teardown.calls[1].input["ResourceId"],
            "service/ecs-fargate-cluster/ecs-fargate-service"
        );
        assert_eq!(
            teardown.calls[0].what,
            "ecs-fargate-service-cpu-target-tracking"
        );
        assert!(teardown.calls.iter().all(|c| c.call().is_some()));
    }

    #[test]
    fn what_another_service_uses_is_kept_with_what_it_needs() {
        let (run, plan) = run_002(&[]);
        let usage = Usage {
            target_groups: ["arn:tg".to_string()].into(),
            ..Usage::default()
        };
        let teardown = teardown("c", "s", Some((&run, &plan)), &usage);
        // The group, the listener that feeds it, its load balancer and the
        // balancer's security group stay; the tasks' group goes.
        assert_eq!(
            titles(&teardown),
            [
                "ecs:UpdateService ScaleToZero",
                "ecs:DeleteService CreateService",
                "ec2:DeleteSecurityGroup ServiceSecurityGroup",
            ]
        );
        let kept: Vec<(&str, &str)> = teardown
            .kept
            .iter()
            .map(|k| (k.what.as_str(), k.reason.as_str()))
            .collect();
        assert!(kept.contains(&("arn:tg", "ui.kept_in_use")));
        assert!(kept.contains(&("arn:listener", "ui.kept_serves_kept")));
        assert!(kept.contains(&("arn:lb", "ui.kept_needed")));
        assert!(kept.contains(&("sg-alb", "ui.kept_needed")));
    }

    #[test]
    fn a_kept_task_group_keeps_the_group_its_rule_names() {
        let (run, plan) = run_002(&[]);
        let usage = Usage {
            security_groups: ["sg-tasks".to_string()].into(),
            ..Usage::default()
        };
        let teardown = teardown("c", "s", Some((&run, &plan)), &usage);
        let kept: Vec<&str> = teardown.kept.iter().map(|k| k.what.as_str()).collect();
        // The tasks' group lets the balancer's group in: both stay; the
        // balancer itself goes.
        assert_eq!(kept, ["sg-tasks", "sg-alb"]);
        let titles = titles(&teardown);
        assert!(titles.contains(&"elbv2:DeleteLoadBalancer CreateLoadBalancer".to_string()));
        assert!(titles.contains(&"elbv2:DeleteTargetGroup CreateTargetGroup".to_string()));
    }

    #[test]
    fn adopted_resources_are_kept_and_a_service_made_elsewhere_goes_alone() {
        let (run, plan) = run_002(&["CreateLoadBalancer"]);
        let teardown = teardown("c", "s", Some((&run, &plan)), &Usage::default());
        assert_eq!(teardown.kept.len(), 1);
        assert_eq!(teardown.kept[0].reason, "ui.kept_adopted");
        assert!(
            !titles(&teardown)
                .iter()
                .any(|t| t.contains("DeleteLoadBalancer"))
        );
        let alone = super::teardown("c", "s", None, &Usage::default());
        assert_eq!(alone.calls.len(), 2);
        assert!(alone.created_by.is_empty());
    }

    #[test]
    fn each_call_names_what_it_deletes_as_it_was_named() {
        let (run, plan) = run_002(&[]);
        let teardown = teardown("c", "s", Some((&run, &plan)), &Usage::default());
        let names: Vec<&str> = teardown.calls.iter().map(ChangeCall::subject).collect();
        assert_eq!(
            names,
            [
                "s",
                "s",
                "HTTP:80",
                "ecs-fargate-tg",
                "ecs-fargate-service-sg",
                "ecs-fargate-alb",
                "ecs-alb-sg",
            ]
        );
    }

    #[test]
    fn the_infrastructure_role_is_kept_and_the_second_group_and_rules_go() {
        let draft = crate::model::service::shift::tests::reference_002_blue_green();
        let (run, plan) = run_of(&draft, &[]);
        let teardown = teardown("c", "s", Some((&run, &plan)), &Usage::default());
        let kept: Vec<(&str, &str)> = teardown
            .kept
            .iter()
            .map(|k| (k.step.as_str(), k.reason.as_str()))
            .collect();
        assert_eq!(kept, [("InfrastructureRole", "ui.kept_role")]);
        let steps: Vec<&str> = teardown.calls.iter().map(|c| c.step.as_str()).collect();
        for step in [
            "AlternateTargetGroup",
            "ProductionRule",
            "CreateTargetGroup",
        ] {
            assert!(steps.contains(&step), "{step} in {steps:?}");
        }
        // The rule goes before the group it forwards to.
        let at = |id: &str| steps.iter().position(|s| *s == id).unwrap();
        assert!(at("ProductionRule") < at("CreateTargetGroup"));
    }

    #[test]
    fn what_a_quick_start_made_first_goes_last_unless_used_still() {
        let (run, plan) = run_of(
            &crate::model::service::draft::tests::quick_start_draft(),
            &[],
        );
        let t = teardown("default", "web", Some((&run, &plan)), &Usage::default());
        let last: Vec<(&str, &str)> = t
            .calls
            .iter()
            .rev()
            .take(5)
            .rev()
            .map(|c| (c.operation.as_str(), c.what.as_str()))
            .collect();
        assert_eq!(
            last,
            [
                ("DeleteLogGroup", "/ecs/nginx"),
                ("DeleteCluster", "default"),
                ("DeregisterTaskDefinition", "nginx:1"),
                (
                    "DetachRolePolicy",
                    "ecsTaskExecutionRole AmazonECSTaskExecutionRolePolicy"
                ),
                ("DeleteRole", "ecsTaskExecutionRole"),
            ]
        );
        // Another service in the cluster, another family in the account:
        // the cluster and the role (with its policy) are kept, and said so.
        let usage = Usage {
            cluster_in_use: true,
            role_in_use: true,
            ..Usage::default()
        };
        let t = teardown("default", "web", Some((&run, &plan)), &usage);
        let operations: Vec<&str> = t.calls.iter().map(|c| c.operation.as_str()).collect();
        assert!(!operations.contains(&"DeleteCluster") && !operations.contains(&"DeleteRole"));
        assert!(!operations.contains(&"DetachRolePolicy"));
        assert!(operations.contains(&"DeleteLogGroup"));
        let kept: Vec<(&str, &str)> = t
            .kept
            .iter()
            .map(|k| (k.name.as_str(), k.reason.as_str()))
            .collect();
        assert!(
            kept.contains(&("default", "ui.kept_cluster_in_use")),
            "{kept:?}"
        );
        assert!(
            kept.contains(&("ecsTaskExecutionRole", "ui.kept_role_in_use")),
            "{kept:?}"
        );
    }
}
