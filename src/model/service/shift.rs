//! ECS's own blue/green, linear and canary deployments behind an
//! Application Load Balancer. The new revision's tasks start in a second
//! ("alternate") target group; ECS then moves the production listener
//! rule's traffic to it (all at once, in steps, or a canary share first),
//! using an IAM role it assumes to change the rule. The plan makes the
//! second target group, the rule, an optional test listener with its own
//! rule, and the role unless one is chosen.

use serde_json::json;

use super::AdvancedConfiguration;
use super::draft::{LoadBalancing, ServiceDraft};
use crate::model::api_call::ApiCall;
use crate::model::hcl::{quote, resource_label};
use crate::model::load_balancing::{LOAD_BALANCER_ARN, NewLoadBalancer};
use crate::model::operation::Operation;
use crate::model::role::{check_role_name, compact};
use crate::model::validate::{Issue, check_range, is_role_arn};

use super::traffic::TrafficShift;

/// Step ids, shared with the plan that orders them.
pub const INFRASTRUCTURE_ROLE: &str = "InfrastructureRole";
pub const INFRASTRUCTURE_POLICY: &str = "InfrastructurePolicy";
pub const ALTERNATE_TARGET_GROUP: &str = "AlternateTargetGroup";
pub const PRODUCTION_RULE: &str = "ProductionRule";
pub const TEST_LISTENER: &str = "TestListener";
pub const TEST_RULE: &str = "TestRule";

const ALTERNATE_TARGET_GROUP_ARN: &str = "${AlternateTargetGroup.TargetGroupArn}";
/// The role the plan makes, as CreateService (and a hook) names it.
pub const INFRASTRUCTURE_ROLE_ARN: &str = "${InfrastructureRole.Arn}";
const TEST_RULE_ARN: &str = "${TestRule.RuleArn}";
const PRODUCTION_RULE_ARN: &str = "${ProductionRule.RuleArn}";
/// On an existing listener, the rule the plan makes there.
const LISTENER_RULE_ARN: &str = "${CreateRule.RuleArn}";

/// The alternate target group's name: the first one's with `-alt`, held to
/// ELB's 32 characters.
pub fn alternate_name(name: &str) -> String {
    let kept: String = name.chars().take(28).collect();
    format!("{}-alt", kept.trim_end_matches('-'))
}

impl ServiceDraft {
    /// The strategy moves traffic, and the plan makes the target group it
    /// moves it from: the alternate one and the rules go beside it.
    pub fn shifts_traffic(&self) -> bool {
        self.service.deployment_configuration.shifts_traffic() && self.makes_listener()
    }

    /// The load balancer the test listener goes on.
    fn shift_load_balancer(&self) -> String {
        match self.load_balancing {
            LoadBalancing::New => LOAD_BALANCER_ARN.into(),
            _ => self.load_balancer_arn.clone(),
        }
    }

    fn alternate_load_balancer(&self) -> NewLoadBalancer {
        let mut lb = self.new_load_balancer();
        lb.target_group.name = alternate_name(&lb.target_group.name);
        lb
    }

    /// What CreateService's load balancer carries for ECS to move traffic.
    pub fn advanced_configuration(&self) -> Option<AdvancedConfiguration> {
        if !self.shifts_traffic() {
            return None;
        }
        let shift = &self.shift;
        Some(AdvancedConfiguration {
            alternate_target_group_arn: ALTERNATE_TARGET_GROUP_ARN.into(),
            production_listener_rule: if self.load_balancing == LoadBalancing::ExistingListener {
                LISTENER_RULE_ARN.into()
            } else {
                PRODUCTION_RULE_ARN.into()
            },
            test_listener_rule: (shift.test_port > 0).then(|| TEST_RULE_ARN.into()),
            role_arn: if shift.creates_role() {
                INFRASTRUCTURE_ROLE_ARN.into()
            } else {
                shift.role_arn.clone()
            },
        })
    }

    /// The role, the alternate target group, the production rule (on an
    /// existing listener, the rule the plan makes already is it) and the
    /// test listener with its rule.
    pub fn shift_calls(&self) -> Vec<(&'static str, ApiCall)> {
        if !self.shifts_traffic() {
            return Vec::new();
        }
        let shift = &self.shift;
        let mut calls = Vec::new();
        if shift.creates_role() {
            calls.push((
                INFRASTRUCTURE_ROLE,
                ApiCall::new(
                    Operation::CreateRole,
                    json!({
                        "RoleName": shift.role_name,
                        "AssumeRolePolicyDocument": compact(&TrafficShift::trust_policy()),
                        "Description": "Lets ECS move a service's traffic between its target groups",
                    }),
                ),
            ));
            calls.push((
                INFRASTRUCTURE_POLICY,
                ApiCall::new(
                    Operation::AttachRolePolicy,
                    json!({"RoleName": shift.role_name, "PolicyArn": shift.policy_arn()}),
                ),
            ));
        }
        let alternate = self.alternate_load_balancer();
        calls.push((ALTERNATE_TARGET_GROUP, alternate.create_target_group()));
        let lb = self.new_load_balancer();
        if self.load_balancing != LoadBalancing::ExistingListener {
            let listener = format!("${{{}.ListenerArn}}", Operation::CreateListener.name());
            calls.push((PRODUCTION_RULE, lb.create_rule(&listener, 1, "/*", &[])));
        }
        if shift.test_port > 0 {
            calls.push((
                TEST_LISTENER,
                lb.test_listener(&self.shift_load_balancer(), shift.test_port),
            ));
            let listener = format!("${{{TEST_LISTENER}.ListenerArn}}");
            calls.push((TEST_RULE, lb.create_rule(&listener, 1, "/*", &[])));
        }
        calls
    }

    /// What AWS would refuse, or what would leave traffic behind, of a
    /// strategy that moves traffic.
    pub fn shift_issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        let deployment = &self.service.deployment_configuration;
        if !deployment.shifts_traffic() {
            return issues;
        }
        let at = "deploymentConfiguration.strategy";
        let linear_or_canary = matches!(deployment.strategy.as_deref(), Some("LINEAR" | "CANARY"));
        match self.load_balancing {
            // Blue/green needs no load balancer; linear and canary move
            // load balancer traffic.
            LoadBalancing::None if linear_or_canary => {
                issues.push(Issue::error(at, "v.shift_needs_lb"));
            }
            LoadBalancing::Existing => issues.push(Issue::error(at, "v.shift_existing_tg")),
            _ => {}
        }
        if !self.shifts_traffic() {
            return issues;
        }
        let shift = &self.shift;
        if shift.creates_role() {
            check_role_name(&mut issues, "shift.roleName", &shift.role_name);
        } else if !is_role_arn(&shift.role_arn) {
            issues.push(Issue::error("shift.roleArn", "v.shift_role_arn"));
        }
        if shift.test_port != 0 {
            check_range(&mut issues, "shift.testPort", shift.test_port, 1, 65535);
            let lb = self.new_load_balancer();
            let mut taken = vec![lb.listener_port];
            if lb.https() {
                taken.push(lb.https_port);
            }
            if self.load_balancing != LoadBalancing::ExistingListener
                && taken.contains(&shift.test_port)
            {
                issues.push(Issue::error("shift.testPort", "v.shift_test_port"));
            }
        }
        let lb = self.new_load_balancer();
        if self.load_balancing == LoadBalancing::New && lb.https() && !lb.redirect_http {
            // Port 80 would keep forwarding to the first target group.
            issues.push(Issue::error(
                "loadBalancer.redirectHttp",
                "v.shift_http_forwards",
            ));
        }
        issues
    }

    /// The Terraform expression for a reference to a step of the shift.
    pub fn shift_reference(&self, reference: &str) -> Option<String> {
        let lb = self.new_load_balancer();
        let tg = resource_label(&lb.target_group.name, "tg");
        match reference {
            ALTERNATE_TARGET_GROUP_ARN => Some(format!(
                "aws_lb_target_group.{}.arn",
                resource_label(&alternate_name(&lb.target_group.name), "tg")
            )),
            INFRASTRUCTURE_ROLE_ARN => Some(format!(
                "aws_iam_role.{}.arn",
                resource_label(&self.shift.role_name, "role")
            )),
            TEST_RULE_ARN => Some(format!("aws_lb_listener_rule.{tg}_test.arn")),
            "${ProductionRule.RuleArn}" => {
                Some(format!("aws_lb_listener_rule.{tg}_production.arn"))
            }
            // The rule on an existing listener is named after its group.
            "${CreateRule.RuleArn}" => Some(format!("aws_lb_listener_rule.{tg}.arn")),
            _ => None,
        }
    }

    /// The shift's resources as Terraform: the role, the alternate target
    /// group and the rules, which ECS changes (their actions are ignored).
    pub fn shift_terraform(&self) -> String {
        if !self.shifts_traffic() {
            return String::new();
        }
        let lb = self.new_load_balancer();
        let tg = resource_label(&lb.target_group.name, "tg");
        let listener = |port: i64| {
            format!(
                "aws_lb_listener.{}_{port}.arn",
                resource_label(&lb.load_balancer_name, "lb")
            )
        };
        let load_balancer = match self.load_balancing {
            LoadBalancing::New => format!(
                "aws_lb.{}.arn",
                resource_label(&lb.load_balancer_name, "lb")
            ),
            _ => quote(&self.load_balancer_arn),
        };
        let mut hcl = String::new();
        let shift = &self.shift;
        if shift.creates_role() {
            let role = resource_label(&shift.role_name, "role");
            hcl.push_str(&format!(
                "resource \"aws_iam_role\" \"{role}\" {{\n  name               = {}\n  assume_role_policy = jsonencode({})\n}}\n\nresource \"aws_iam_role_policy_attachment\" \"{role}\" {{\n  role       = aws_iam_role.{role}.name\n  policy_arn = {}\n}}\n\n",
                quote(&shift.role_name),
                crate::model::hcl::hcl_value(&TrafficShift::trust_policy(), 1),
                quote(&shift.policy_arn())
            ));
        }
        hcl.push_str(&self.alternate_load_balancer().target_group_terraform());
        let rule = |label: &str, listener: &str| {
            format!(
                "\nresource \"aws_lb_listener_rule\" \"{tg}_{label}\" {{\n  listener_arn = {listener}\n  priority     = 1\n\n  condition {{\n    path_pattern {{\n      values = [\"/*\"]\n    }}\n  }}\n\n  action {{\n    type             = \"forward\"\n    target_group_arn = aws_lb_target_group.{tg}.arn\n  }}\n\n  # ECS moves traffic by changing this rule.\n  lifecycle {{\n    ignore_changes = [action]\n  }}\n}}\n"
            )
        };
        if self.load_balancing != LoadBalancing::ExistingListener {
            let (_, port) = lb.forward_listener();
            hcl.push_str(&rule("production", &listener(port)));
        }
        if shift.test_port > 0 {
            hcl.push_str(&format!(
                "\nresource \"aws_lb_listener\" \"{tg}_test\" {{\n  load_balancer_arn = {load_balancer}\n  port              = {}\n  protocol          = \"HTTP\"\n\n  default_action {{\n    type             = \"forward\"\n    target_group_arn = aws_lb_target_group.{tg}.arn\n  }}\n}}\n",
                shift.test_port
            ));
            hcl.push_str(&rule("test", &format!("aws_lb_listener.{tg}_test.arn")));
        }
        hcl
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::json;

    use super::*;
    use crate::deploy::service_plan::plan;
    use crate::model::service::draft::tests::reference_002_draft;
    use crate::model::service::{CanaryConfiguration, validate};

    /// Reference 002 deployed blue/green, as AWS's guide sets it up.
    pub fn reference_002_blue_green() -> ServiceDraft {
        let mut draft = reference_002_draft();
        let deployment = &mut draft.service.deployment_configuration;
        deployment.strategy = Some("BLUE_GREEN".into());
        deployment.bake_time_in_minutes = Some(5);
        draft
    }

    fn ids(draft: &ServiceDraft) -> Vec<&'static str> {
        draft.calls().iter().map(|(id, _)| *id).collect()
    }

    #[test]
    fn blue_green_makes_the_second_target_group_the_rule_and_the_role() {
        let draft = reference_002_blue_green();
        assert!(draft.issues().is_empty(), "{:?}", draft.issues());
        let calls = draft.calls();
        let call = |id: &str| &calls.iter().find(|(i, _)| *i == id).expect(id).1;
        assert_eq!(
            call(INFRASTRUCTURE_ROLE).input["AssumeRolePolicyDocument"],
            compact(&TrafficShift::trust_policy())
        );
        assert_eq!(
            call(INFRASTRUCTURE_POLICY).input,
            json!({"RoleName": "ecsInfrastructureRoleForLoadBalancers",
                   "PolicyArn": "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"})
        );
        let alternate = &call(ALTERNATE_TARGET_GROUP).input;
        assert_eq!(alternate["Name"], "ecs-fargate-tg-alt");
        assert_eq!(alternate["HealthCheckPath"], "/");
        assert_eq!(
            call(PRODUCTION_RULE).input,
            json!({"ListenerArn": "${CreateListener.ListenerArn}", "Priority": 1,
                   "Conditions": [{"Field": "path-pattern", "Values": ["/*"]}],
                   "Actions": [{"Type": "forward", "TargetGroupArn": "${CreateTargetGroup.TargetGroupArn}"}]})
        );
        let service = &call("CreateService").input;
        assert_eq!(
            service["loadBalancers"][0]["advancedConfiguration"],
            json!({"alternateTargetGroupArn": "${AlternateTargetGroup.TargetGroupArn}",
                   "productionListenerRule": "${ProductionRule.RuleArn}",
                   "roleArn": "${InfrastructureRole.Arn}"})
        );
        assert_eq!(
            service["deploymentConfiguration"]["strategy"],
            json!("BLUE_GREEN")
        );
        // The service waits for everything it names; the role's policy is
        // attached first, or ECS could not use it.
        let plan = plan(&draft);
        assert_eq!(plan.check(), Ok(()));
        let create = plan.steps.iter().find(|s| s.id == "CreateService").unwrap();
        for id in [
            ALTERNATE_TARGET_GROUP,
            PRODUCTION_RULE,
            INFRASTRUCTURE_ROLE,
            INFRASTRUCTURE_POLICY,
        ] {
            assert!(create.depends_on.contains(&id.to_string()), "{id}");
        }
        // The role and second group run beside the network: the longest
        // chain grows by the rule only.
        assert_eq!(plan.critical_path(|_| 1).unwrap(), 5);
        let read: crate::model::service::Service = serde_json::from_value(service.clone()).unwrap();
        assert!(validate(&read).iter().all(|i| !i.is_error()));
    }

    #[test]
    fn on_an_existing_listener_its_new_rule_is_the_production_rule() {
        let mut draft = reference_002_blue_green();
        draft.load_balancing = LoadBalancing::ExistingListener;
        draft.load_balancer_arn =
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shared/0123"
                .into();
        draft.listener_arn = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/shared/0123/4567".into();
        draft.load_balancer_groups = vec!["sg-0000000a".into()];
        draft.shift.role_arn = "arn:aws:iam::123456789012:role/ecsInfra".into();
        draft.shift.test_port = 8080;
        assert!(draft.issues().is_empty(), "{:?}", draft.issues());
        assert_eq!(
            ids(&draft),
            [
                "ServiceSecurityGroup",
                "ServiceIngress",
                "CreateTargetGroup",
                "CreateRule",
                ALTERNATE_TARGET_GROUP,
                TEST_LISTENER,
                TEST_RULE,
                "CreateService"
            ]
        );
        assert_eq!(
            draft.service_request().load_balancers[0].advanced_configuration,
            Some(AdvancedConfiguration {
                alternate_target_group_arn: ALTERNATE_TARGET_GROUP_ARN.into(),
                production_listener_rule: "${CreateRule.RuleArn}".into(),
                test_listener_rule: Some(TEST_RULE_ARN.into()),
                role_arn: "arn:aws:iam::123456789012:role/ecsInfra".into(),
            })
        );
        let calls = draft.calls();
        let test = &calls.iter().find(|(id, _)| *id == TEST_LISTENER).unwrap().1;
        assert_eq!(
            test.input["LoadBalancerArn"],
            json!(draft.load_balancer_arn)
        );
        assert_eq!(test.input["Port"], 8080);
        assert_eq!(plan(&draft).check(), Ok(()));
    }

    #[test]
    fn what_a_strategy_that_moves_traffic_cannot_work_with_is_named() {
        let keys = |draft: &ServiceDraft| -> Vec<(String, &'static str)> {
            draft
                .issues()
                .into_iter()
                .filter(|i| i.is_error())
                .map(|i| (i.path, i.key))
                .collect()
        };
        let mut draft = reference_002_blue_green();
        draft.service.deployment_configuration.strategy = Some("CANARY".into());
        draft.service.deployment_configuration.canary_configuration =
            Some(CanaryConfiguration::default());
        draft.load_balancing = LoadBalancing::None;
        draft.new_security_group = false;
        assert_eq!(
            keys(&draft),
            [(
                "deploymentConfiguration.strategy".into(),
                "v.shift_needs_lb"
            )]
        );
        // Blue/green without a load balancer is ECS's, with no traffic to move.
        draft.service.deployment_configuration.strategy = Some("BLUE_GREEN".into());
        draft.service.deployment_configuration.canary_configuration = None;
        assert!(keys(&draft).is_empty(), "{:?}", keys(&draft));
        assert!(
            draft
                .calls()
                .iter()
                .all(|(id, _)| *id != ALTERNATE_TARGET_GROUP)
        );
        draft.load_balancing = LoadBalancing::Existing;
        draft.target_group_arn =
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/tg/1".into();
        assert_eq!(
            keys(&draft),
            [(
                "deploymentConfiguration.strategy".into(),
                "v.shift_existing_tg"
            )]
        );
        let mut draft = reference_002_blue_green();
        draft.shift.test_port = 80;
        draft.shift.role_arn = "ecsInfra".into();
        draft.load_balancer.certificate_arn =
            crate::model::load_balancing::tests::CERTIFICATE.into();
        draft.load_balancer.redirect_http = false;
        assert_eq!(
            keys(&draft),
            [
                ("shift.roleArn".into(), "v.shift_role_arn"),
                ("shift.testPort".into(), "v.shift_test_port"),
                ("loadBalancer.redirectHttp".into(), "v.shift_http_forwards"),
            ]
        );
        draft.shift.role_arn = String::new();
        draft.shift.role_name = "has space".into();
        assert!(keys(&draft).contains(&("shift.roleName".into(), "v.role_name")));
    }

    #[test]
    fn the_second_group_s_name_keeps_to_elb_s_32_characters() {
        assert_eq!(alternate_name("web-tg"), "web-tg-alt");
        let long = "a".repeat(27) + "-bcde";
        assert_eq!(alternate_name(&long), format!("{}-alt", "a".repeat(27)));
        assert!(alternate_name(&"x".repeat(32)).len() <= 32);
    }

    #[test]
    fn terraform_declares_the_shift_and_points_the_service_at_it() {
        let mut draft = reference_002_blue_green();
        draft.shift.test_port = 8080;
        let hcl = draft.terraform();
        for expected in [
            "resource \"aws_iam_role\" \"ecsInfrastructureRoleForLoadBalancers\"",
            "policy_arn = \"arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers\"",
            "name        = \"ecs-fargate-tg-alt\"",
            "resource \"aws_lb_listener_rule\" \"ecs_fargate_tg_production\"",
            "listener_arn = aws_lb_listener.ecs_fargate_alb_80.arn",
            "resource \"aws_lb_listener\" \"ecs_fargate_tg_test\"",
            "ignore_changes = [action]",
            "alternate_target_group_arn = aws_lb_target_group.ecs_fargate_tg_alt.arn",
            "production_listener_rule   = aws_lb_listener_rule.ecs_fargate_tg_production.arn",
            "role_arn                   = aws_iam_role.ecsInfrastructureRoleForLoadBalancers.arn",
            "test_listener_rule         = aws_lb_listener_rule.ecs_fargate_tg_test.arn",
            "strategy = \"BLUE_GREEN\"",
        ] {
            assert!(hcl.contains(expected), "{expected} in\n{hcl}");
        }
        assert!(!hcl.contains("${"), "an unresolved reference in\n{hcl}");
    }
}
