//! Everything AWS would refuse (and a few things it would accept but a
//! beginner did not mean), found before anything is sent. Each issue names the
//! field by its path in the request, which is also the form field's name.

mod containers;
mod references;
#[cfg(test)]
mod tests;

use super::fargate;
use super::task_definition::{AWSVPC, Tag, TaskDefinition};

pub use super::issue::{Issue, Severity};
pub use super::limits::MAX_CONTAINERS;

/// All issues of a whole definition, task-level first, then container by container.
pub fn validate(td: &TaskDefinition) -> Vec<Issue> {
    let mut issues = validate_task(td);
    issues.extend(validate_containers(td));
    issues
}

/// The first step's fields: family, compatibility, size, roles, storage, tags.
pub fn validate_task(td: &TaskDefinition) -> Vec<Issue> {
    let mut issues = Vec::new();
    check_name(&mut issues, "family", &td.family);
    if td.is_fargate() {
        if td.network_mode.as_deref() != Some(AWSVPC) {
            issues.push(Issue::error("networkMode", "v.fargate_awsvpc"));
        }
        check_fargate_size(&mut issues, td);
    }
    for (field, arn) in [
        ("taskRoleArn", &td.task_role_arn),
        ("executionRoleArn", &td.execution_role_arn),
    ] {
        if let Some(arn) = arn.as_deref().filter(|a| !is_role_arn(a)) {
            issues.push(Issue::error(field, "v.role_arn").with("value", arn));
        }
    }
    if td.execution_role_arn.as_deref().is_none_or(str::is_empty)
        && let Some((container, need)) = needs_execution_role(td)
    {
        issues.push(Issue::error("executionRoleArn", need).with("container", container));
    }
    if let Some(storage) = &td.ephemeral_storage
        && !(21..=200).contains(&storage.size_in_gib)
    {
        issues.push(
            Issue::error("ephemeralStorage", "v.range")
                .with("min", 21)
                .with("max", 200),
        );
    }
    check_tags(&mut issues, &td.tags, 50);
    for (i, volume) in td.volumes.iter().enumerate() {
        match volume.name.as_deref() {
            Some(name) if !name.is_empty() => {
                check_name(&mut issues, &format!("volumes.{i}.name"), name)
            }
            _ => issues.push(Issue::error(format!("volumes.{i}.name"), "v.required")),
        }
    }
    issues
}

/// The first container that cannot work without a task execution role, and
/// the message that says why. AWS refuses to register secrets, private
/// registry credentials and (on Fargate) the awslogs driver without one; an
/// ECR image on Fargate registers, and then no task can pull it.
fn needs_execution_role(td: &TaskDefinition) -> Option<(&str, &'static str)> {
    td.container_definitions.iter().find_map(|c| {
        let need = if td.is_fargate() && c.awslogs().is_some() {
            "v.execution_role_for_logs"
        } else if !c.secrets.is_empty() {
            "v.execution_role_for_secrets"
        } else if c.repository_credentials.is_some() {
            "v.execution_role_for_credentials"
        } else if td.is_fargate() && super::repository::parse_ecr_image(&c.image).is_some() {
            "v.execution_role_for_ecr"
        } else {
            return None;
        };
        Some((c.name.as_str(), need))
    })
}

/// Tags as every AWS service takes them: a key of 1–128 characters, a value of
/// at most 256, at most `max` tags.
pub fn check_tags(issues: &mut Vec<Issue>, tags: &[Tag], max: usize) {
    if tags.len() > max {
        issues.push(Issue::error("tags", "v.too_many_tags").with("max", max));
    }
    for (i, tag) in tags.iter().enumerate() {
        let key = tag.key.trim();
        if key.is_empty() {
            issues.push(Issue::error(format!("tags.{i}.key"), "v.required"));
        } else if key.chars().count() > 128 {
            issues.push(Issue::error(format!("tags.{i}.key"), "v.max_length").with("max", 128));
        }
        if tag.value.chars().count() > 256 {
            issues.push(Issue::error(format!("tags.{i}.value"), "v.max_length").with("max", 256));
        }
    }
}

/// The containers and storage steps' fields, and how containers refer to each other.
/// A definition over the lists' limits gets only that message: nothing more is
/// checked, so the work stays bounded even for a draft saved before the limits.
pub fn validate_containers(td: &TaskDefinition) -> Vec<Issue> {
    let mut issues = super::limits::check(td);
    if !issues.is_empty() {
        return issues;
    }
    let count = td.container_definitions.len();
    if count == 0 {
        issues.push(Issue::error("containerDefinitions", "v.no_containers"));
    }
    if count > 0 && !td.container_definitions.iter().any(|c| c.is_essential()) {
        issues.push(Issue::error("containerDefinitions", "v.no_essential"));
    }
    let mut name_counts = std::collections::HashMap::new();
    for c in &td.container_definitions {
        *name_counts.entry(c.name.as_str()).or_insert(0) += 1;
    }
    for (i, container) in td.container_definitions.iter().enumerate() {
        containers::check(&mut issues, td, &name_counts, i, container);
    }
    references::check(&mut issues, td);
    issues
}

fn check_fargate_size(issues: &mut Vec<Issue>, td: &TaskDefinition) {
    let cpu = td.cpu.as_deref().map(fargate::parse_cpu);
    let memory = td.memory.as_deref().map(fargate::parse_memory);
    match (cpu, memory) {
        (None, _) => issues.push(Issue::error("cpu", "v.fargate_needs_size")),
        (_, None) => issues.push(Issue::error("memory", "v.fargate_needs_size")),
        (Some(Some(cpu)), Some(Some(memory))) if fargate::is_valid_pair(cpu, memory) => {}
        (Some(Some(cpu)), Some(_)) if !fargate::memory_options(cpu).is_empty() => {
            let options = fargate::memory_options(cpu);
            let lowest = options.first().copied().unwrap_or_default();
            let highest = options.last().copied().unwrap_or_default();
            issues.push(
                Issue::error("memory", "v.fargate_pair")
                    .with("cpu", fargate::cpu_label(cpu))
                    .with("min", fargate::memory_label(lowest))
                    .with("max", fargate::memory_label(highest)),
            );
        }
        _ => issues.push(Issue::error("cpu", "v.fargate_cpu")),
    }
}

/// `${CreateTargetGroup.TargetGroupArn}`: an output of an earlier step of the
/// same plan, filled in when that step has run.
pub fn is_output_reference(text: &str) -> bool {
    text.strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .is_some_and(|inner| {
            !inner.is_empty()
                && inner
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
        })
}

/// Family and container names: 1–255 of letters, digits, `-` and `_`.
/// A whole number from `min` to `max`, or the message that says so.
pub fn check_range(issues: &mut Vec<Issue>, path: &str, value: i64, min: i64, max: i64) {
    if !(min..=max).contains(&value) {
        issues.push(
            Issue::error(path, "v.range")
                .with("min", min)
                .with("max", max),
        );
    }
}

pub fn check_name(issues: &mut Vec<Issue>, path: &str, name: &str) {
    if name.is_empty() {
        issues.push(Issue::error(path, "v.required"));
    } else if name.len() > 255
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        issues.push(Issue::error(path, "v.name_chars"));
    }
}

/// `arn:<partition>:iam::<12-digit account>:role/<path/name>`.
pub fn is_role_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "iam", "", account, resource]
        if partition.starts_with("aws")
            && account.len() == 12
            && account.chars().all(|c| c.is_ascii_digit())
            && resource.strip_prefix("role/").is_some_and(|name| !name.is_empty()))
}

/// Environment variable names that usually hold a secret.
pub fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.ends_with("_KEY")
        || upper.ends_with("_SECRET")
        || upper.contains("PASSWORD")
        || upper.contains("TOKEN")
}
