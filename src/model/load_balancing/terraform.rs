//! The new load balancer's resources as Terraform, named after what they
//! are called in AWS, so that the service's `${Step.Output}` references
//! become expressions pointing at them (`aws_lb_target_group.web_tg.arn`).

use std::fmt::Write;

use super::{ALB_GROUP, LOAD_BALANCER_ARN, NewLoadBalancer, SERVICE_GROUP, TARGET_GROUP_ARN};
use crate::model::domain::{REQUESTED_CERTIFICATE, TERRAFORM_CERTIFICATE};
use crate::model::hcl::{list, quote, resource_label};

impl NewLoadBalancer {
    fn alb_group_label(&self) -> String {
        resource_label(&self.security_group_name, "sg")
    }

    fn service_group_label(&self) -> String {
        resource_label(&self.service_security_group_name, "sg")
    }

    /// The target group, as `create_target_group` sends it.
    pub fn target_group_terraform(&self) -> String {
        let tg = &self.target_group;
        format!(
            "resource \"aws_lb_target_group\" \"{}\" {{\n  name        = {}\n  port        = {}\n  protocol    = {}\n  target_type = \"ip\"\n  vpc_id      = {}\n\n  health_check {{\n    path                = {}\n    interval            = {}\n    timeout             = {}\n    healthy_threshold   = {}\n    unhealthy_threshold = {}\n    matcher             = {}\n  }}\n}}\n",
            resource_label(&tg.name, "tg"),
            quote(&tg.name),
            tg.port,
            quote(&tg.protocol),
            quote(&self.vpc_id),
            quote(&tg.health_check_path),
            tg.interval_seconds,
            tg.timeout_seconds,
            tg.healthy_threshold,
            tg.unhealthy_threshold,
            quote(&tg.success_codes)
        )
    }

    /// The target group and a listener on `load_balancer` (an expression)
    /// forwarding to it.
    fn target_group_and_listener(&self, load_balancer: &str) -> String {
        let mut hcl = self.target_group_terraform();
        hcl.push('\n');
        let lb = resource_label(&self.load_balancer_name, "lb");
        let tg_label = resource_label(&self.target_group.name, "tg");
        let (protocol, port) = self.forward_listener();
        let tls = if self.https() {
            format!(
                "  certificate_arn   = {}\n  ssl_policy        = {}\n",
                if self.certificate_arn == REQUESTED_CERTIFICATE {
                    TERRAFORM_CERTIFICATE.to_string()
                } else {
                    quote(&self.certificate_arn)
                },
                quote(&self.ssl_policy)
            )
        } else {
            String::new()
        };
        let _ = write!(
            hcl,
            "resource \"aws_lb_listener\" \"{lb}_{port}\" {{\n  load_balancer_arn = {load_balancer}\n  port              = {port}\n  protocol          = \"{protocol}\"\n{tls}\n  default_action {{\n    type             = \"forward\"\n    target_group_arn = aws_lb_target_group.{tg_label}.arn\n  }}\n}}\n",
        );
        hcl
    }

    /// Beside the HTTPS listener: the HTTP one, redirecting (301) or
    /// forwarding, as `http_listener` sends it.
    fn http_listener_terraform(&self, load_balancer: &str) -> String {
        let lb = resource_label(&self.load_balancer_name, "lb");
        let action = if self.redirect_http {
            format!(
                "  default_action {{\n    type = \"redirect\"\n\n    redirect {{\n      port        = \"{}\"\n      protocol    = \"HTTPS\"\n      status_code = \"HTTP_301\"\n    }}\n  }}\n",
                self.https_port
            )
        } else {
            format!(
                "  default_action {{\n    type             = \"forward\"\n    target_group_arn = aws_lb_target_group.{}.arn\n  }}\n",
                resource_label(&self.target_group.name, "tg")
            )
        };
        format!(
            "\nresource \"aws_lb_listener\" \"{lb}_{port}\" {{\n  load_balancer_arn = {load_balancer}\n  port              = {port}\n  protocol          = \"HTTP\"\n\n{action}}}\n",
            port = self.listener_port
        )
    }

    /// The Terraform expression for an output of the plan's steps.
    pub fn terraform_reference(&self, reference: &str) -> String {
        match reference {
            ALB_GROUP => format!("aws_security_group.{}.id", self.alb_group_label()),
            SERVICE_GROUP => format!("aws_security_group.{}.id", self.service_group_label()),
            LOAD_BALANCER_ARN => format!(
                "aws_lb.{}.arn",
                resource_label(&self.load_balancer_name, "lb")
            ),
            TARGET_GROUP_ARN => format!(
                "aws_lb_target_group.{}.arn",
                resource_label(&self.target_group.name, "tg")
            ),
            other => crate::model::hcl::as_variable(other),
        }
    }

    /// Security groups, their rules, the load balancer, the target group
    /// and the listener. `service_group`: the tasks' group is made too.
    pub fn terraform(&self, service_group: bool) -> String {
        let mut hcl = String::new();
        let vpc = quote(&self.vpc_id);
        let group = |hcl: &mut String, label: &str, name: &str, description: &str| {
            let _ = write!(
                hcl,
                "resource \"aws_security_group\" \"{label}\" {{\n  name        = {}\n  description = {}\n  vpc_id      = {vpc}\n}}\n\n",
                quote(name),
                quote(description)
            );
        };
        let alb_group = self.alb_group_label();
        group(
            &mut hcl,
            &alb_group,
            &self.security_group_name,
            self.alb_group_description(),
        );
        for port in self.open_ports() {
            let rule = if port == self.listener_port {
                "http"
            } else {
                "https"
            };
            let _ = write!(
                hcl,
                "resource \"aws_vpc_security_group_ingress_rule\" \"{alb_group}_{rule}\" {{\n  security_group_id = aws_security_group.{alb_group}.id\n  description       = {}\n  ip_protocol       = \"tcp\"\n  from_port         = {port}\n  to_port           = {port}\n  cidr_ipv4         = \"0.0.0.0/0\"\n}}\n\n",
                quote(super::FROM_ANYWHERE),
            );
        }
        let _ = write!(
            hcl,
            "resource \"aws_vpc_security_group_egress_rule\" \"{alb_group}_out\" {{\n  security_group_id = aws_security_group.{alb_group}.id\n  description       = {}\n  ip_protocol       = \"-1\"\n  cidr_ipv4         = \"0.0.0.0/0\"\n}}\n\n",
            quote(ALL_OUT),
        );
        if service_group {
            hcl.push_str(
                &self.service_group_terraform(&[format!("aws_security_group.{alb_group}.id")]),
            );
        }
        let lb = resource_label(&self.load_balancer_name, "lb");
        let _ = write!(
            hcl,
            "resource \"aws_lb\" \"{lb}\" {{\n  name               = {}\n  load_balancer_type = \"application\"\n  internal           = false\n  subnets            = {}\n  security_groups    = [aws_security_group.{alb_group}.id]\n\n  drop_invalid_header_fields = true\n}}\n\n",
            quote(&self.load_balancer_name),
            list(&self.subnets)
        );
        let load_balancer = format!("aws_lb.{lb}.arn");
        hcl.push_str(&self.target_group_and_listener(&load_balancer));
        if self.https() {
            hcl.push_str(&self.http_listener_terraform(&load_balancer));
        }
        hcl
    }
}

/// The egress rule AWS gives every new group, declared so that Terraform
/// keeps it (it removes a group's default egress otherwise, and tasks
/// could no longer pull their image).
const ALL_OUT: &str = "all traffic out (AWS's default)";

impl NewLoadBalancer {
    /// The tasks' group: the container port in from `groups` (expressions)
    /// only, and all traffic out, as the plan leaves it. Its rules are
    /// inline: checkov reads a separate rule naming a group as open to all.
    fn service_group_terraform(&self, groups: &[String]) -> String {
        format!(
            "resource \"aws_security_group\" \"{label}\" {{\n  name        = {}\n  description = \"The container port from the load balancer only\"\n  vpc_id      = {}\n\n  ingress {{\n    description     = {}\n    protocol        = \"tcp\"\n    from_port       = {port}\n    to_port         = {port}\n    security_groups = [{}]\n  }}\n\n  egress {{\n    description = {}\n    protocol    = \"-1\"\n    from_port   = 0\n    to_port     = 0\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }}\n}}\n\n",
            quote(&self.service_security_group_name),
            quote(&self.vpc_id),
            quote(super::FROM_LOAD_BALANCER),
            groups.join(", "),
            quote(ALL_OUT),
            label = self.service_group_label(),
            port = self.container_port
        )
    }

    /// A new listener and target group on a load balancer that exists (and
    /// the tasks' group, letting in the load balancer's `groups`).
    pub fn terraform_on_existing(
        &self,
        load_balancer_arn: &str,
        groups: &[String],
        service_group: bool,
    ) -> String {
        let mut hcl = String::new();
        if service_group {
            let groups: Vec<String> = groups.iter().map(|g| quote(g)).collect();
            hcl.push_str(&self.service_group_terraform(&groups));
        }
        hcl.push_str(&self.target_group_and_listener(&quote(load_balancer_arn)));
        hcl
    }
}

impl NewLoadBalancer {
    /// A rule on an existing listener to a new target group (and the
    /// tasks' group, letting in the load balancer's `groups`).
    pub fn terraform_rule(
        &self,
        listener_arn: &str,
        priority: i64,
        path: &str,
        hosts: &[String],
        groups: &[String],
        service_group: bool,
    ) -> String {
        let with_listener = self.terraform_on_existing("", groups, service_group);
        // Keep the groups and the target group; the rule replaces the listener.
        let mut hcl = with_listener
            .split("resource \"aws_lb_listener\"")
            .next()
            .unwrap_or_default()
            .to_string();
        let tg = resource_label(&self.target_group.name, "tg");
        let _ = write!(
            hcl,
            "resource \"aws_lb_listener_rule\" \"{tg}\" {{\n  listener_arn = {}\n  priority     = {priority}\n\n  condition {{\n    path_pattern {{\n      values = [{}]\n    }}\n  }}\n{host}\n  action {{\n    type             = \"forward\"\n    target_group_arn = aws_lb_target_group.{tg}.arn\n  }}\n}}\n",
            quote(listener_arn),
            quote(path),
            host = if hosts.is_empty() {
                String::new()
            } else {
                format!(
                    "\n  condition {{\n    host_header {{\n      values = {}\n    }}\n  }}\n",
                    list(hosts)
                )
            }
        );
        hcl
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::reference_002;

    #[test]
    fn reference_002_as_terraform() {
        let hcl = reference_002().terraform(true);
        for needle in [
            "resource \"aws_security_group\" \"ecs_alb_sg\" {\n  name        = \"ecs-alb-sg\"",
            "cidr_ipv4         = \"0.0.0.0/0\"",
            "security_groups = [aws_security_group.ecs_alb_sg.id]",
            // Declared, or Terraform would remove AWS's default egress and
            // the tasks could not pull their image.
            "resource \"aws_vpc_security_group_egress_rule\" \"ecs_alb_sg_out\"",
            "  egress {\n    description = \"all traffic out (AWS's default)\"",
            "subnets            = [\"subnet-0a1b2c3d\", \"subnet-1a2b3c4d\"]",
            "target_type = \"ip\"",
            "target_group_arn = aws_lb_target_group.ecs_fargate_tg.arn",
        ] {
            assert!(hcl.contains(needle), "{needle} missing in:\n{hcl}");
        }
        assert_eq!(hcl.matches('{').count(), hcl.matches('}').count());
        assert!(
            !reference_002()
                .terraform(false)
                .contains("ecs_fargate_service_sg")
        );
    }

    #[test]
    fn a_certificate_declares_the_https_listener_and_the_redirect() {
        let mut lb = reference_002();
        lb.certificate_arn = super::super::tests::CERTIFICATE.into();
        let hcl = lb.terraform(true);
        for needle in [
            "resource \"aws_lb_listener\" \"ecs_fargate_alb_443\"",
            "protocol          = \"HTTPS\"\n  certificate_arn   = \"arn:aws:acm:",
            "ssl_policy        = \"ELBSecurityPolicy-TLS13-1-2-2021-06\"",
            "resource \"aws_lb_listener\" \"ecs_fargate_alb_80\"",
            "type = \"redirect\"",
            "status_code = \"HTTP_301\"",
            "resource \"aws_vpc_security_group_ingress_rule\" \"ecs_alb_sg_https\"",
            "drop_invalid_header_fields = true",
        ] {
            assert!(hcl.contains(needle), "{needle} missing in:\n{hcl}");
        }
        assert_eq!(hcl.matches('{').count(), hcl.matches('}').count());
    }

    /// Every ingress rule carries the description its request carries
    /// (checkov's CKV_AWS_23 asks each rule for one).
    #[test]
    fn each_ingress_rule_is_described_as_its_request_is() {
        let lb = reference_002();
        let hcl = lb.terraform(true);
        // The load balancer's ingress and egress as rules of their own, the
        // tasks' inline.
        let rules = hcl.matches("resource \"aws_vpc_security_group_").count()
            + hcl.matches("  ingress {").count()
            + hcl.matches("  egress {").count();
        assert_eq!(rules, 4, "{hcl}");
        let anywhere =
            lb.alb_ingress().input["IpPermissions"][0]["IpRanges"][0]["Description"].clone();
        let from_lb =
            lb.service_ingress().input["IpPermissions"][0]["UserIdGroupPairs"][0]["Description"]
                .clone();
        for described in [anywhere, from_lb] {
            let text = described.as_str().expect("a description");
            assert!(
                hcl.contains(&format!("= \"{text}\"")),
                "{text} missing in:\n{hcl}"
            );
        }
        assert_eq!(
            hcl.matches(" description ").count(),
            2 + rules,
            "groups and rules: {hcl}"
        );
    }
}
