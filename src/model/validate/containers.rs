//! Rules on one container's own fields.

use std::collections::HashMap;

use super::{Issue, check_name, looks_secret};
use crate::model::container::{AWSLOGS, ContainerDefinition, HealthCheck};
use crate::model::task_definition::TaskDefinition;

/// CPU units a container may reserve (10 vCPU), as the ECS API allows.
const MAX_CONTAINER_CPU: i64 = 10240;

/// `name_counts`: how many containers bear each name, counted once for all.
pub(super) fn check(
    issues: &mut Vec<Issue>,
    td: &TaskDefinition,
    name_counts: &HashMap<&str, usize>,
    i: usize,
    c: &ContainerDefinition,
) {
    let at = |field: &str| format!("containerDefinitions.{i}.{field}");
    check_name(issues, &at("name"), &c.name);
    if !c.name.is_empty() && name_counts.get(c.name.as_str()).is_some_and(|&n| n > 1) {
        issues.push(Issue::error(at("name"), "v.name_duplicate").with("name", &c.name));
    }
    if c.image.trim().is_empty() {
        issues.push(Issue::error(at("image"), "v.required"));
    }
    check_ports(issues, td, i, c);
    check_memory(issues, td, i, c);
    if let Some(health) = &c.health_check {
        check_health(issues, &at("healthCheck"), health);
    }
    if c.log_configuration
        .as_ref()
        .is_some_and(|l| l.log_driver == AWSLOGS)
    {
        check_awslogs(issues, td, i, c);
    }
    for (j, variable) in c.environment.iter().enumerate() {
        let name = variable.name.as_deref().unwrap_or_default();
        if name.is_empty() {
            issues.push(Issue::error(
                at(&format!("environment.{j}.name")),
                "v.required",
            ));
        } else if looks_secret(name) {
            issues.push(
                Issue::warning(at(&format!("environment.{j}.name")), "v.env_looks_secret")
                    .with("name", name),
            );
        }
    }
    for (j, secret) in c.secrets.iter().enumerate() {
        if secret.name.is_empty() {
            issues.push(Issue::error(at(&format!("secrets.{j}.name")), "v.required"));
        }
        if !is_secret_source(&secret.value_from) {
            issues.push(Issue::error(
                at(&format!("secrets.{j}.valueFrom")),
                "v.secret_source",
            ));
        }
    }
}

fn check_ports(issues: &mut Vec<Issue>, td: &TaskDefinition, i: usize, c: &ContainerDefinition) {
    for (j, mapping) in c.port_mappings.iter().enumerate() {
        let at = |field: &str| format!("containerDefinitions.{i}.portMappings.{j}.{field}");
        match mapping.container_port {
            None if mapping.container_port_range.is_none() => {
                issues.push(Issue::error(at("containerPort"), "v.required"));
            }
            Some(port) if !(1..=65535).contains(&port) => {
                issues.push(
                    Issue::error(at("containerPort"), "v.range")
                        .with("min", 1)
                        .with("max", 65535),
                );
            }
            _ => {}
        }
        if let Some(host) = mapping.host_port {
            if !(0..=65535).contains(&host) {
                issues.push(
                    Issue::error(at("hostPort"), "v.range")
                        .with("min", 0)
                        .with("max", 65535),
                );
            } else if td.network_mode.as_deref() == Some("awsvpc")
                && Some(host) != mapping.container_port
            {
                issues.push(Issue::error(at("hostPort"), "v.awsvpc_host_port"));
            }
        }
        if let Some(protocol) = mapping
            .protocol
            .as_deref()
            .filter(|p| !matches!(*p, "tcp" | "udp"))
        {
            issues.push(
                Issue::error(at("protocol"), "v.one_of")
                    .with("value", protocol)
                    .with("allowed", "tcp, udp"),
            );
        }
        if let Some(app) = mapping.app_protocol.as_deref() {
            if !matches!(app, "http" | "http2" | "grpc") {
                issues.push(
                    Issue::error(at("appProtocol"), "v.one_of")
                        .with("value", app)
                        .with("allowed", "http, http2, grpc"),
                );
            } else if mapping.name.as_deref().unwrap_or_default().is_empty() {
                issues.push(Issue::error(at("name"), "v.app_protocol_needs_name"));
            }
        }
    }
}

fn check_memory(issues: &mut Vec<Issue>, td: &TaskDefinition, i: usize, c: &ContainerDefinition) {
    let at = |field: &str| format!("containerDefinitions.{i}.{field}");
    let task_memory = td
        .memory
        .as_deref()
        .and_then(crate::model::fargate::parse_memory)
        .map(i64::from);
    for (field, value) in [
        ("memory", c.memory),
        ("memoryReservation", c.memory_reservation),
    ] {
        match (value, task_memory) {
            (Some(v), _) if v < 6 => issues.push(Issue::error(at(field), "v.container_memory_min")),
            (Some(v), Some(task)) if v > task => {
                issues.push(Issue::error(at(field), "v.container_memory_fits").with("task", task));
            }
            _ => {}
        }
    }
    if let (Some(hard), Some(soft)) = (c.memory, c.memory_reservation)
        && soft > hard
    {
        issues.push(Issue::error(at("memoryReservation"), "v.soft_over_hard"));
    }
    if c.cpu.is_some_and(|cpu| cpu < 0) {
        issues.push(
            Issue::error(at("cpu"), "v.range")
                .with("min", 0)
                .with("max", MAX_CONTAINER_CPU),
        );
    }
}

pub(super) fn check_health(issues: &mut Vec<Issue>, at: &str, health: &HealthCheck) {
    match health.command.first().map(String::as_str) {
        Some("CMD" | "CMD-SHELL") if health.command.len() > 1 => {}
        Some("NONE") => {}
        _ => issues.push(Issue::error(format!("{at}.command"), "v.health_command")),
    }
    let ranges = [
        ("interval", health.interval, 5, 300),
        ("timeout", health.timeout, 2, 60),
        ("retries", health.retries, 1, 10),
        ("startPeriod", health.start_period, 0, 300),
    ];
    for (field, value, min, max) in ranges {
        if value.is_some_and(|v| !(min..=max).contains(&v)) {
            issues.push(
                Issue::error(format!("{at}.{field}"), "v.range")
                    .with("min", min)
                    .with("max", max),
            );
        }
    }
}

fn check_awslogs(issues: &mut Vec<Issue>, td: &TaskDefinition, i: usize, c: &ContainerDefinition) {
    let options = c.log_configuration.as_ref().map(|l| &l.options);
    let mut required = vec!["awslogs-group", "awslogs-region"];
    if td.is_fargate() {
        required.push("awslogs-stream-prefix");
    }
    for key in required {
        if options
            .and_then(|o| o.get(key))
            .is_none_or(|v| v.trim().is_empty())
        {
            issues.push(Issue::error(
                format!("containerDefinitions.{i}.logConfiguration.{key}"),
                "v.required",
            ));
        }
    }
}

/// A Secrets Manager ARN, an SSM parameter ARN, or an SSM parameter name.
fn is_secret_source(text: &str) -> bool {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("arn:") {
        return rest.contains(":secretsmanager:") || rest.contains(":ssm:");
    }
    !text.is_empty() && !text.contains(char::is_whitespace)
}
