//! The service as Terraform's `aws_ecs_service`, written the way reference
//! 001 and 004 write theirs (with `ignore_changes = [task_definition]`, since
//! deployments change the revision outside Terraform), and a service draft's
//! whole plan: the load balancer's resources, the service, its auto scaling.

use std::fmt::Write;

use super::Service;
use super::draft::{LoadBalancing, ServiceDraft};
use super::shift::alternate_name;
use crate::model::hcl::{quote, resource_label};
use crate::model::role::tags_block;
use crate::model::validate::is_output_reference;

/// A value, or for `${Step.Output}` the Terraform expression `resolve` gives
/// for it (a plan points it at the resource it declares).
fn value(text: &str, resolve: &dyn Fn(&str) -> String) -> String {
    if is_output_reference(text) {
        resolve(text)
    } else {
        quote(text)
    }
}

fn list(items: &[String], resolve: &dyn Fn(&str) -> String) -> String {
    let items: Vec<String> = items.iter().map(|i| value(i, resolve)).collect();
    format!("[{}]", items.join(", "))
}

pub fn service(service: &Service) -> String {
    declared(
        service,
        &crate::model::hcl::as_variable,
        &Declared::default(),
    )
}

/// What the same Terraform declares that the service names by name: the
/// service points at the resource instead (an expression), so Terraform
/// makes it before the service.
#[derive(Debug, Default)]
pub struct Declared {
    /// The cluster's expression.
    pub cluster: Option<String>,
    /// Alarm names and their expressions.
    pub alarms: Vec<(String, String)>,
}

pub fn declared(service: &Service, resolve: &dyn Fn(&str) -> String, names: &Declared) -> String {
    let mut hcl = String::new();
    let label = resource_label(&service.service_name, "service");
    let _ = writeln!(hcl, "resource \"aws_ecs_service\" \"{label}\" {{");
    let _ = writeln!(hcl, "  name            = {}", quote(&service.service_name));
    let cluster = names
        .cluster
        .clone()
        .unwrap_or_else(|| quote(&service.cluster));
    let _ = writeln!(hcl, "  cluster         = {cluster}");
    let _ = writeln!(
        hcl,
        "  task_definition = {}",
        value(&service.task_definition, resolve)
    );
    let _ = writeln!(hcl, "  desired_count   = {}", service.desired_count);
    if let Some(launch_type) = &service.launch_type {
        let _ = writeln!(hcl, "  launch_type     = {}", quote(launch_type));
    }
    if let Some(version) = &service.platform_version {
        let _ = writeln!(hcl, "  platform_version = {}", quote(version));
    }
    if let Some(grace) = service.health_check_grace_period_seconds {
        let _ = writeln!(hcl, "  health_check_grace_period_seconds = {grace}");
    }
    for item in &service.capacity_provider_strategy {
        let _ = write!(
            hcl,
            "\n  capacity_provider_strategy {{\n    capacity_provider = {}\n    weight            = {}\n    base              = {}\n  }}\n",
            quote(&item.capacity_provider),
            item.weight,
            item.base
        );
    }
    let vpc = &service.network_configuration.awsvpc_configuration;
    let _ = write!(
        hcl,
        "\n  network_configuration {{\n    subnets          = {}\n    security_groups  = {}\n    assign_public_ip = {}\n  }}\n",
        list(&vpc.subnets, resolve),
        list(&vpc.security_groups, resolve),
        vpc.assign_public_ip == "ENABLED"
    );
    for lb in &service.load_balancers {
        let _ = write!(
            hcl,
            "\n  load_balancer {{\n    target_group_arn = {}\n    container_name   = {}\n    container_port   = {}\n",
            value(&lb.target_group_arn, resolve),
            quote(&lb.container_name),
            lb.container_port
        );
        if let Some(advanced) = &lb.advanced_configuration {
            let _ = write!(
                hcl,
                "\n    advanced_configuration {{\n      alternate_target_group_arn = {}\n      production_listener_rule   = {}\n      role_arn                   = {}\n",
                value(&advanced.alternate_target_group_arn, resolve),
                value(&advanced.production_listener_rule, resolve),
                value(&advanced.role_arn, resolve)
            );
            if let Some(test) = &advanced.test_listener_rule {
                let _ = writeln!(
                    hcl,
                    "      test_listener_rule         = {}",
                    value(test, resolve)
                );
            }
            hcl.push_str("    }\n");
        }
        hcl.push_str("  }\n");
    }
    let deployment = &service.deployment_configuration;
    let _ = write!(
        hcl,
        "\n  deployment_maximum_percent         = {}\n  deployment_minimum_healthy_percent = {}\n",
        deployment.maximum_percent, deployment.minimum_healthy_percent
    );
    if let Some(breaker) = deployment.deployment_circuit_breaker {
        let _ = write!(
            hcl,
            "\n  deployment_circuit_breaker {{\n    enable   = {}\n    rollback = {}\n  }}\n",
            breaker.enable, breaker.rollback
        );
        if breaker.threshold_configuration.is_some() || breaker.reset_on_healthy_task.is_some() {
            hcl.push_str("  # Its threshold and reset are not in the AWS provider yet: the review's\n  # CreateService request sets them.\n");
        }
    }
    if let Some(alarms) = &deployment.alarms {
        let alarm = |name: &String| {
            let declared = names.alarms.iter().find(|(n, _)| n == name);
            declared.map_or_else(|| quote(name), |(_, expression)| expression.clone())
        };
        let alarm_names: Vec<String> = alarms.alarm_names.iter().map(alarm).collect();
        let _ = write!(
            hcl,
            "\n  alarms {{\n    alarm_names = [{}]\n    enable      = {}\n    rollback    = {}\n  }}\n",
            alarm_names.join(", "),
            alarms.enable,
            alarms.rollback
        );
    }
    hcl.push_str(&strategy_block(deployment, resolve));
    let _ = write!(
        hcl,
        "\n  deployment_controller {{\n    type = {}\n  }}\n",
        quote(&service.deployment_controller.kind)
    );
    if let Some(propagate) = &service.propagate_tags {
        let _ = writeln!(hcl, "  propagate_tags = {}", quote(propagate));
    }
    if service.enable_execute_command {
        let _ = writeln!(hcl, "  enable_execute_command = true");
    }
    hcl.push_str("\n  lifecycle {\n    ignore_changes = [task_definition]\n  }\n");
    hcl.push_str(&tags_block(&service.tags));
    hcl.push_str("}\n");
    hcl
}

/// ECS's own strategy, as the AWS provider's `deployment_configuration`
/// block takes it (its bake time is a string there); nothing for ROLLING.
fn strategy_block(
    deployment: &super::DeploymentConfiguration,
    resolve: &dyn Fn(&str) -> String,
) -> String {
    let Some(strategy) = deployment.strategy.as_deref().filter(|s| *s != "ROLLING") else {
        return String::new();
    };
    let mut block = format!(
        "\n  deployment_configuration {{\n    strategy = {}\n",
        quote(strategy)
    );
    if let Some(bake) = deployment.bake_time_in_minutes {
        let _ = writeln!(block, "    bake_time_in_minutes = \"{bake}\"");
    }
    if let Some(linear) = deployment.linear_configuration {
        let _ = write!(
            block,
            "\n    linear_configuration {{\n      step_percent              = {}\n      step_bake_time_in_minutes = {}\n    }}\n",
            linear.step_percent, linear.step_bake_time_in_minutes
        );
    }
    if let Some(canary) = deployment.canary_configuration {
        let _ = write!(
            block,
            "\n    canary_configuration {{\n      canary_percent              = {}\n      canary_bake_time_in_minutes = {}\n    }}\n",
            canary.canary_percent, canary.canary_bake_time_in_minutes
        );
    }
    for hook in &deployment.lifecycle_hooks {
        let stages: Vec<String> = hook.lifecycle_stages.iter().map(|s| quote(s)).collect();
        match (&hook.hook_target_arn, &hook.role_arn) {
            (Some(function), Some(role)) => {
                let _ = write!(
                    block,
                    "\n    lifecycle_hook {{\n      hook_target_arn  = {}\n      role_arn         = {}\n      lifecycle_stages = [{}]\n    }}\n",
                    value(function, resolve),
                    value(role, resolve),
                    stages.join(", ")
                );
            }
            _ => {
                let _ = writeln!(
                    block,
                    "\n    # A pause at {} is not in the AWS provider yet: the review's\n    # CreateService request sets it.",
                    hook.lifecycle_stages.join(", ")
                );
            }
        }
    }
    block.push_str("  }\n");
    block
}

/// The plan's names for the ends of its load balancer's and target groups'
/// ARNs, which ALB's metrics use.
const RESOURCE_LABELS: [&str; 3] = [
    "${CreateLoadBalancer.ResourceLabel}",
    "${CreateTargetGroup.ResourceLabel}",
    "${AlternateTargetGroup.ResourceLabel}",
];

impl ServiceDraft {
    /// One of `RESOURCE_LABELS` as Terraform names it.
    pub(super) fn arn_suffix(&self, reference: &str) -> Option<String> {
        let lb = self.new_load_balancer();
        let (kind, label) = match reference {
            "${CreateLoadBalancer.ResourceLabel}" => {
                ("aws_lb", resource_label(&lb.load_balancer_name, "lb"))
            }
            "${CreateTargetGroup.ResourceLabel}" => (
                "aws_lb_target_group",
                resource_label(&lb.target_group.name, "tg"),
            ),
            "${AlternateTargetGroup.ResourceLabel}" => (
                "aws_lb_target_group",
                resource_label(&alternate_name(&lb.target_group.name), "tg"),
            ),
            _ => return None,
        };
        Some(format!("{kind}.{label}.arn_suffix"))
    }

    /// Terraform for everything the plan creates: the load balancer's
    /// resources, then the service pointing at them.
    pub fn terraform(&self) -> String {
        let service = self.service_request();
        let lb = self.new_load_balancer();
        let mut hcl = match self.load_balancing {
            LoadBalancing::New => lb.terraform(self.creates_service_group()),
            LoadBalancing::ExistingLoadBalancer => lb.terraform_on_existing(
                &self.load_balancer_arn,
                &self.load_balancer_groups,
                self.creates_service_group(),
            ),
            LoadBalancing::ExistingListener => lb.terraform_rule(
                &self.listener_arn,
                self.rule_priority,
                &self.rule_path,
                &self.rule_hosts,
                &self.load_balancer_groups,
                self.creates_service_group(),
            ),
            LoadBalancing::None | LoadBalancing::Existing => String::new(),
        };
        let made_first = self.prerequisites.terraform();
        let names = Declared {
            cluster: self.prerequisites.cluster_reference(&service.cluster),
            alarms: self.error_alarm_reference().into_iter().collect(),
        };
        if hcl.is_empty() {
            hcl = declared(
                &service,
                &|reference| {
                    self.prerequisites
                        .reference(reference)
                        .unwrap_or_else(|| crate::model::hcl::as_variable(reference))
                },
                &names,
            );
        } else {
            hcl.push('\n');
            hcl.push_str(&self.shift_terraform());
            hcl.push_str(&self.rollback_terraform());
            hcl.push('\n');
            hcl.push_str(&declared(
                &service,
                &|reference| {
                    self.shift_reference(reference)
                        .or_else(|| self.prerequisites.reference(reference))
                        .unwrap_or_else(|| lb.terraform_reference(reference))
                },
                &names,
            ));
        }
        if self.domain.is_set() {
            let target = match self.load_balancing {
                LoadBalancing::New => {
                    let lb = resource_label(&lb.load_balancer_name, "lb");
                    Some((
                        format!("\"dualstack.${{aws_lb.{lb}.dns_name}}\""),
                        format!("aws_lb.{lb}.zone_id"),
                    ))
                }
                LoadBalancing::ExistingLoadBalancer | LoadBalancing::ExistingListener => Some((
                    quote(&format!("dualstack.{}", self.load_balancer_dns)),
                    quote(&self.load_balancer_zone),
                )),
                LoadBalancing::None | LoadBalancing::Existing => None,
            };
            hcl.push('\n');
            hcl.push_str(&self.domain.terraform(self.requests_certificate(), target));
        }
        if self.auto_scaling.enabled {
            let address = format!(
                "aws_ecs_service.{}",
                resource_label(&service.service_name, "service")
            );
            // Its label names the load balancer and group by their ARNs' ends.
            let mut label = self.scaling_label().unwrap_or_default();
            for reference in RESOURCE_LABELS {
                if let Some(suffix) = self.arn_suffix(reference) {
                    label = label.replace(reference, &format!("${{{suffix}}}"));
                }
            }
            let label = format!("\"{label}\"");
            hcl.push('\n');
            hcl.push_str(
                &self
                    .auto_scaling
                    .terraform(&service.service_name, &address, &label),
            );
        }
        if made_first.is_empty() {
            hcl
        } else {
            format!("{made_first}\n{hcl}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::reference_003;
    use super::*;

    #[test]
    fn a_domain_declares_its_certificate_validation_and_alias() {
        let draft = super::super::draft::tests::reference_002_on_a_domain();
        let hcl = draft.terraform();
        assert!(
            hcl.contains("resource \"aws_acm_certificate\" \"requested\""),
            "{hcl}"
        );
        assert!(hcl.contains("resource \"aws_acm_certificate_validation\" \"requested\""));
        assert!(hcl.contains(
            "  certificate_arn   = aws_acm_certificate_validation.requested.certificate_arn\n"
        ));
        assert!(hcl.contains("resource \"aws_route53_record\" \"shop_example_com_aaaa\""));
        assert!(hcl.contains(
            "    name                   = \"dualstack.${aws_lb.ecs_fargate_alb.dns_name}\"\n"
        ));
        assert!(hcl.contains("    zone_id                = aws_lb.ecs_fargate_alb.zone_id\n"));
        assert!(
            !hcl.contains("RequestCertificate"),
            "no plan reference is left: {hcl}"
        );
        assert_eq!(hcl.matches('{').count(), hcl.matches('}').count());
    }

    #[test]
    fn an_ecs_strategy_is_declared_as_the_provider_takes_it() {
        let mut service = reference_003();
        service.deployment_controller.kind = "ECS".into();
        service.deployment_configuration.strategy = Some("CANARY".into());
        service.deployment_configuration.bake_time_in_minutes = Some(15);
        service.deployment_configuration.canary_configuration =
            Some(super::super::CanaryConfiguration::default());
        let hcl = service.terraform();
        assert!(hcl.contains(
            "  deployment_configuration {\n    strategy = \"CANARY\"\n    bake_time_in_minutes = \"15\"\n\n    canary_configuration {\n      canary_percent              = 5\n      canary_bake_time_in_minutes = 10\n    }\n  }\n"
        ), "{hcl}");
        assert_eq!(hcl.matches('{').count(), hcl.matches('}').count());
        service.deployment_configuration = Default::default();
        assert!(!service.terraform().contains("deployment_configuration {"));
    }

    #[test]
    fn reference_003_as_terraform() {
        let hcl = reference_003().terraform();
        assert!(hcl.starts_with(
            "resource \"aws_ecs_service\" \"ContainerHandsOn\" {\n  name            = \"ContainerHandsOn\"\n"
        ), "{hcl}");
        assert!(hcl.contains("  desired_count   = 2\n"));
        assert!(hcl.contains(
            "    subnets          = [\"subnet-0a1b2c3d4e5f60001\", \"subnet-0a1b2c3d4e5f60002\"]\n"
        ));
        assert!(hcl.contains("    assign_public_ip = false\n"));
        assert!(hcl.contains("    container_port   = 80\n"));
        assert!(hcl.contains("    type = \"CODE_DEPLOY\"\n"));
        assert!(hcl.contains("ignore_changes = [task_definition]"));
        assert!(!hcl.contains("deployment_circuit_breaker"));
        assert_eq!(hcl.matches('{').count(), hcl.matches('}').count());
    }

    #[test]
    fn an_output_of_an_earlier_step_is_an_expression_not_a_string() {
        let mut service = reference_003();
        service.load_balancers[0].target_group_arn = "${CreateTargetGroup.TargetGroupArn}".into();
        service
            .network_configuration
            .awsvpc_configuration
            .security_groups = vec!["${CreateSecurityGroup.GroupId}".into()];
        let hcl = service.terraform();
        assert!(
            hcl.contains("target_group_arn = var.create_target_group_target_group_arn\n"),
            "{hcl}"
        );
        assert!(hcl.contains("security_groups  = [var.create_security_group_group_id]\n"));
        let declared = declared(
            &service,
            &|r| {
                if r.starts_with("${CreateTargetGroup") {
                    "aws_lb_target_group.tg.arn".into()
                } else {
                    "aws_security_group.ecs.id".into()
                }
            },
            &Declared::default(),
        );
        assert!(declared.contains("target_group_arn = aws_lb_target_group.tg.arn\n"));
        // A literal `${` from a user is never an expression.
        service.service_name = "${x}".into();
        assert!(service.terraform().contains("name            = \"$${x}\""));
    }

    #[test]
    fn a_quick_start_declares_what_it_makes_first_and_names_its_revision() {
        let draft = crate::model::service::draft::tests::quick_start_draft();
        let hcl = draft.terraform();
        for resource in [
            "resource \"aws_iam_role\" \"ecsTaskExecutionRole\"",
            "resource \"aws_ecs_cluster\"",
            "resource \"aws_cloudwatch_log_group\"",
            "resource \"aws_ecs_task_definition\" \"nginx\"",
        ] {
            assert!(hcl.contains(resource), "{resource}: {hcl}");
        }
        assert!(
            hcl.contains("task_definition = aws_ecs_task_definition.nginx.arn"),
            "{hcl}"
        );
        // The cluster it makes is pointed at, so Terraform makes it first.
        let cluster = &draft
            .prerequisites
            .cluster
            .as_ref()
            .expect("cluster")
            .cluster_name;
        let label = resource_label(cluster, "cluster");
        assert!(
            hcl.contains(&format!("cluster         = aws_ecs_cluster.{label}.arn\n")),
            "{hcl}"
        );
        assert!(
            !hcl.contains("${TaskDefinition"),
            "no plan reference is left: {hcl}"
        );
    }
}
