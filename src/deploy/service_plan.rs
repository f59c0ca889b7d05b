//! The plan that puts a service behind a new Application Load Balancer
//! (reference 002): two security groups and their rules, the load balancer,
//! the target group, the listener, then the service. ECS refuses a service
//! whose target group has no load balancer yet, so the service waits for
//! the listener; the tasks' ingress rule is in place before it starts them.

use super::plan::{Plan, Step};
use crate::model::load_balancing::{NewLoadBalancer, SERVICE_GROUP, TARGET_GROUP_ARN};
use crate::model::service::{LoadBalancer, Service};

/// `service`'s load balancer and security groups become the ones this plan
/// creates (`${…}` references to the steps that make them).
pub fn with_new_load_balancer(lb: &NewLoadBalancer, service: &Service, container: &str) -> Plan {
    let mut service = service.clone();
    service.load_balancers = vec![LoadBalancer {
        target_group_arn: TARGET_GROUP_ARN.into(),
        container_name: container.to_string(),
        container_port: lb.container_port,
    }];
    service
        .network_configuration
        .awsvpc_configuration
        .security_groups = vec![SERVICE_GROUP.into()];
    Plan::new(vec![
        Step::new("AlbSecurityGroup", lb.alb_security_group()).output("GroupId", "/GroupId"),
        Step::new("AlbIngress", lb.alb_ingress()).after(&["AlbSecurityGroup"]),
        Step::new("ServiceSecurityGroup", lb.service_security_group())
            .output("GroupId", "/GroupId"),
        Step::new("ServiceIngress", lb.service_ingress())
            .after(&["ServiceSecurityGroup", "AlbSecurityGroup"]),
        Step::new("CreateLoadBalancer", lb.create_load_balancer())
            .after(&["AlbSecurityGroup"])
            .output("LoadBalancerArn", "/LoadBalancers/0/LoadBalancerArn")
            .output("DNSName", "/LoadBalancers/0/DNSName"),
        Step::new("CreateTargetGroup", lb.create_target_group())
            .output("TargetGroupArn", "/TargetGroups/0/TargetGroupArn"),
        Step::new("CreateListener", lb.create_listener())
            .after(&["CreateLoadBalancer", "CreateTargetGroup"])
            .output("ListenerArn", "/Listeners/0/ListenerArn"),
        Step::new("CreateService", service.api_call())
            .after(&["CreateListener", "ServiceIngress"])
            .output("ServiceArn", "/service/serviceArn"),
    ])
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde_json::json;

    use super::*;
    use crate::deploy::plan::{fill_in, outputs_of};
    use crate::model::load_balancing::tests::reference_002;
    use crate::model::service::validate;

    fn service_002() -> Service {
        let mut service = Service {
            cluster: "ecs-fargate-cluster".into(),
            service_name: "ecs-fargate-service".into(),
            task_definition: "ecs-fargate-task:1".into(),
            desired_count: 2,
            health_check_grace_period_seconds: Some(30),
            ..Service::default()
        };
        let vpc = &mut service.network_configuration.awsvpc_configuration;
        vpc.subnets = vec!["subnet-0a1b2c3d".into(), "subnet-1a2b3c4d".into()];
        vpc.assign_public_ip = "ENABLED".into();
        service
    }

    #[test]
    fn reference_002_runs_in_four_waves() {
        let plan = with_new_load_balancer(&reference_002(), &service_002(), "web");
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
                vec!["CreateListener"],
                vec!["CreateService"],
            ]
        );
        // Eight calls, but the longest chain is four: the plan can take a
        // half of a sequential script's time.
        assert_eq!(plan.critical_path(|_| 1).unwrap(), 4);
    }

    #[test]
    fn the_service_gets_the_target_group_and_group_this_run_makes() {
        let plan = with_new_load_balancer(&reference_002(), &service_002(), "web");
        let service = &plan.steps[7].call.input;
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
