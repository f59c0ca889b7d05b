//! The plan that puts a service behind a new Application Load Balancer
//! (reference 002): two security groups and their rules, the load balancer,
//! the target group, the listener, then the service. ECS refuses a service
//! whose target group has no load balancer yet, so the service waits for
//! the listener; the tasks' ingress rule is in place before it starts them.

use super::plan::{Plan, Step};
use crate::model::domain::{
    CERTIFICATE_ISSUED, DOMAIN_RECORDS, REQUEST_CERTIFICATE, VALIDATION_CNAME, VALIDATION_RECORD,
};
use crate::model::service::draft::{
    ALB_ATTRIBUTES, ALB_INGRESS, ALB_SECURITY_GROUP, CREATE_LISTENER, CREATE_LOAD_BALANCER,
    CREATE_RULE, CREATE_SERVICE, CREATE_TARGET_GROUP, HTTP_LISTENER, SCALABLE_TARGET,
    SCALING_POLICY, SERVICE_INGRESS, SERVICE_SECURITY_GROUP, ServiceDraft,
};
use crate::model::service::prerequisites::{
    CLUSTER, EXECUTION_ROLE, EXECUTION_ROLE_INLINE, EXECUTION_ROLE_POLICY, LOG_GROUP,
    Prerequisites, TASK_DEFINITION,
};
use crate::model::service::rollback_plan::{ERROR_ALARM, HOOK_POLICY};
use crate::model::service::shift::{
    ALTERNATE_TARGET_GROUP, INFRASTRUCTURE_POLICY, INFRASTRUCTURE_ROLE, PRODUCTION_RULE,
    TEST_LISTENER, TEST_RULE,
};
use crate::model::wait::Until;

/// What each step waits for (its outputs come with its operation).
fn after(id: &str) -> &'static [&'static str] {
    match id {
        ALB_INGRESS => &[ALB_SECURITY_GROUP],
        SERVICE_INGRESS => &[SERVICE_SECURITY_GROUP, ALB_SECURITY_GROUP],
        CREATE_LOAD_BALANCER => &[ALB_SECURITY_GROUP],
        ALB_ATTRIBUTES => &[CREATE_LOAD_BALANCER],
        // It forwards to the target group when it does not redirect.
        HTTP_LISTENER => &[CREATE_LOAD_BALANCER, CREATE_TARGET_GROUP],
        // ELB refuses a certificate ACM has not issued yet.
        CREATE_LISTENER => &[
            CREATE_LOAD_BALANCER,
            CREATE_TARGET_GROUP,
            CERTIFICATE_ISSUED,
        ],
        VALIDATION_RECORD => &[REQUEST_CERTIFICATE],
        VALIDATION_CNAME => &[VALIDATION_RECORD],
        CERTIFICATE_ISSUED => &[VALIDATION_CNAME],
        DOMAIN_RECORDS => &[CREATE_LOAD_BALANCER],
        CREATE_RULE => &[CREATE_TARGET_GROUP],
        INFRASTRUCTURE_POLICY => &[INFRASTRUCTURE_ROLE],
        PRODUCTION_RULE => &[CREATE_LISTENER, CREATE_TARGET_GROUP],
        TEST_LISTENER => &[CREATE_LOAD_BALANCER, CREATE_TARGET_GROUP],
        TEST_RULE => &[TEST_LISTENER],
        // Its metrics name the load balancer and both target groups.
        ERROR_ALARM => &[
            CREATE_LOAD_BALANCER,
            CREATE_TARGET_GROUP,
            ALTERNATE_TARGET_GROUP,
        ],
        HOOK_POLICY => &[INFRASTRUCTURE_ROLE],
        // ECS refuses a target group with no load balancer yet, and the
        // tasks' ingress rule should be in place before they start; a
        // strategy that moves traffic names its rules, second target group
        // and role (with its policy, or ECS cannot use it).
        CREATE_SERVICE => &[
            CREATE_LISTENER,
            CREATE_RULE,
            SERVICE_INGRESS,
            ALTERNATE_TARGET_GROUP,
            PRODUCTION_RULE,
            TEST_RULE,
            INFRASTRUCTURE_ROLE,
            INFRASTRUCTURE_POLICY,
            ERROR_ALARM,
            HOOK_POLICY,
            EXECUTION_ROLE,
            EXECUTION_ROLE_POLICY,
            EXECUTION_ROLE_INLINE,
            CLUSTER,
            LOG_GROUP,
            TASK_DEFINITION,
        ],
        // The quick start's role, cluster, log group and task definition.
        id if Prerequisites::BEFORE_SERVICE.contains(&id) => Prerequisites::after(id),
        // What is scaled exists first; the policy names its target.
        SCALABLE_TARGET => &[CREATE_SERVICE],
        SCALING_POLICY => &[SCALABLE_TARGET],
        _ => &[],
    }
}

/// What a step asks until (the steps that read the requested certificate).
fn until(id: &str) -> Option<Until> {
    match id {
        VALIDATION_RECORD => Some(Until::ValidationRecord),
        CERTIFICATE_ISSUED => Some(Until::CertificateIssued),
        _ => None,
    }
}

/// The draft's calls as a plan; a step waits only for steps the draft has.
pub fn plan(draft: &ServiceDraft) -> Plan {
    let calls = draft.calls();
    let present: Vec<&str> = calls.iter().map(|(id, _)| *id).collect();
    let steps = calls
        .iter()
        .map(|(id, call)| {
            let after: Vec<&str> = after(id)
                .iter()
                .copied()
                .filter(|a| present.contains(a))
                .collect();
            Step::new(id, call.clone()).after(&after).until(until(id))
        })
        .collect();
    Plan::new(steps)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde_json::json;

    use super::*;
    use crate::deploy::plan::{fill_in, outputs_of};
    use crate::model::service::draft::LoadBalancing;
    use crate::model::service::draft::tests::reference_002_draft;
    use crate::model::service::{Service, validate};

    #[test]
    fn reference_002_runs_in_four_waves_of_nine_calls() {
        let plan = plan(&reference_002_draft());
        assert_eq!(plan.check(), Ok(()));
        let waves: Vec<Vec<&str>> = plan
            .waves()
            .unwrap()
            .iter()
            .map(|wave| wave.iter().map(|&n| plan.steps[n].id.as_str()).collect())
            .collect();
        assert_eq!(
            waves,
            [
                vec![
                    "AlbSecurityGroup",
                    "ServiceSecurityGroup",
                    "CreateTargetGroup"
                ],
                vec!["AlbIngress", "ServiceIngress", "CreateLoadBalancer"],
                vec!["CreateListener", "AlbAttributes"],
                vec!["CreateService"],
            ]
        );
        // Nine calls, but the longest chain is four: the plan can take a
        // half of a sequential script's time.
        assert_eq!(plan.critical_path(|_| 1).unwrap(), 4);
    }

    #[test]
    fn the_listener_waits_for_the_certificate_and_the_name_for_the_load_balancer() {
        let plan = plan(&crate::model::service::draft::tests::reference_002_on_a_domain());
        assert_eq!(plan.check(), Ok(()));
        let step = |id: &str| plan.steps.iter().find(|s| s.id == id).expect(id);
        assert_eq!(
            step("ValidationRecord").until,
            Some(Until::ValidationRecord)
        );
        assert_eq!(
            step("CertificateIssued").until,
            Some(Until::CertificateIssued)
        );
        assert_eq!(step("CreateListener").until, None);
        assert!(
            step("CreateListener")
                .depends_on
                .contains(&"CertificateIssued".to_string())
        );
        assert_eq!(step("DomainRecords").depends_on, ["CreateLoadBalancer"]);
        // The certificate's four steps run beside the network's: the
        // longest chain grows by the listener's wait, not by everything.
        assert_eq!(plan.critical_path(|_| 1).unwrap(), 6);
    }

    #[test]
    fn auto_scaling_follows_the_service_and_counts_the_run_s_target_group() {
        let mut draft = reference_002_draft();
        draft.auto_scaling.enabled = true;
        draft.auto_scaling.metric = crate::model::service::scaling::ScalingMetric::Requests;
        draft.auto_scaling.target = 100;
        assert!(draft.issues().is_empty(), "{:?}", draft.issues());
        let plan = plan(&draft);
        assert_eq!(plan.check(), Ok(()));
        let policy = plan.steps.last().unwrap();
        assert_eq!(policy.depends_on, ["ScalableTarget"]);
        assert_eq!(
            policy.call.input["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
                ["ResourceLabel"],
            "${CreateLoadBalancer.ResourceLabel}/${CreateTargetGroup.ResourceLabel}"
        );
        assert!(draft.terraform().contains(
            "resource_label         = \"${aws_lb.ecs_fargate_alb.arn_suffix}/${aws_lb_target_group.ecs_fargate_tg.arn_suffix}\""
        ));
        // On an existing load balancer the label starts from its ARN.
        draft.load_balancing = LoadBalancing::ExistingLoadBalancer;
        draft.load_balancer_arn =
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shared/0123"
                .into();
        draft.load_balancer_groups = vec!["sg-0000000a".into()];
        draft.load_balancer.listener_port = 8080;
        assert_eq!(
            draft.scaling_label().as_deref(),
            Some("app/shared/0123/${CreateTargetGroup.ResourceLabel}")
        );
        assert_eq!(super::plan(&draft).check(), Ok(()));
        // An existing target group's load balancer is not in the draft.
        draft.load_balancing = LoadBalancing::Existing;
        draft.target_group_arn =
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/tg/1".into();
        draft.new_security_group = false;
        let keys: Vec<&str> = draft.issues().iter().map(|i| i.key).collect();
        assert!(keys.contains(&"v.scaling_requests_need_lb"), "{keys:?}");
    }

    #[test]
    fn without_a_new_load_balancer_the_service_waits_for_nothing() {
        let mut draft = reference_002_draft();
        draft.new_security_group = false;
        draft.load_balancing = LoadBalancing::Existing;
        let plan = plan(&draft);
        assert_eq!(plan.check(), Ok(()));
        assert_eq!(plan.steps.len(), 1);
        assert!(plan.steps[0].depends_on.is_empty());
        // Kept groups: the load balancer's steps run, the tasks' do not.
        draft.load_balancing = LoadBalancing::New;
        let plan = super::plan(&draft);
        assert_eq!(plan.check(), Ok(()));
        assert_eq!(
            plan.steps.last().map(|s| s.depends_on.clone()),
            Some(vec!["CreateListener".to_string()])
        );
    }

    #[test]
    fn the_service_gets_the_target_group_and_group_this_run_makes() {
        let plan = plan(&reference_002_draft());
        let service = &plan.steps[8].call.input;
        assert_eq!(
            service["loadBalancers"],
            json!([{"targetGroupArn": "${CreateTargetGroup.TargetGroupArn}", "containerName": "web", "containerPort": 80}])
        );
        assert_eq!(
            service["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"],
            json!(["${ServiceSecurityGroup.GroupId}"])
        );
        assert_eq!(service["healthCheckGracePeriodSeconds"], 30);
        let read: Service = serde_json::from_value(service.clone()).unwrap();
        assert!(
            validate(&read).iter().all(|i| !i.is_error()),
            "{:?}",
            validate(&read)
        );

        // Once the earlier steps have answered, the request is complete.
        let mut outputs = HashMap::new();
        outputs.extend(outputs_of(
            &plan.steps[5],
            &json!({"TargetGroups": [{"TargetGroupArn": "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/ecs-fargate-tg/1"}]}),
        ));
        outputs.extend(outputs_of(
            &plan.steps[2],
            &json!({"GroupId": "sg-0123abcd"}),
        ));
        let sent = fill_in(service, &outputs);
        assert_eq!(
            sent["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"],
            json!(["sg-0123abcd"])
        );
        assert!(
            sent["loadBalancers"][0]["targetGroupArn"]
                .as_str()
                .unwrap()
                .starts_with("arn:aws:elasticloadbalancing:")
        );
    }
}
