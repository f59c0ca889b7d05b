//! Rules across containers: who depends on whom, who mounts what, and whether
//! the containers' memory fits the task.

use std::collections::HashMap;

use super::Issue;
use crate::spec::task_definition::TaskDefinition;

pub(super) fn check(issues: &mut Vec<Issue>, td: &TaskDefinition) {
    check_depends_on(issues, td);
    check_cycles(issues, td);
    check_volumes(issues, td);
    check_memory_sum(issues, td);
}

fn check_depends_on(issues: &mut Vec<Issue>, td: &TaskDefinition) {
    for (i, c) in td.container_definitions.iter().enumerate() {
        for (j, dependency) in c.depends_on.iter().enumerate() {
            let at = |field: &str| format!("containerDefinitions.{i}.dependsOn.{j}.{field}");
            let Some(target) = td
                .container(&dependency.container_name)
                .filter(|t| t.name != c.name)
            else {
                issues.push(
                    Issue::error(at("containerName"), "v.unknown_container")
                        .with("name", &dependency.container_name),
                );
                continue;
            };
            match dependency.condition.as_str() {
                "START" => {}
                "HEALTHY" if target.health_check.is_none() => {
                    issues.push(
                        Issue::error(at("condition"), "v.healthy_needs_check")
                            .with("name", &target.name),
                    );
                }
                "HEALTHY" => {}
                "COMPLETE" | "SUCCESS" if target.is_essential() => {
                    issues.push(
                        Issue::error(at("condition"), "v.complete_on_essential")
                            .with("name", &target.name),
                    );
                }
                "COMPLETE" | "SUCCESS" => {}
                other => issues.push(
                    Issue::error(at("condition"), "v.one_of")
                        .with("value", other)
                        .with("allowed", "START, COMPLETE, SUCCESS, HEALTHY"),
                ),
            }
        }
    }
}

/// A cycle in dependsOn means no container can start; name one container on it.
fn check_cycles(issues: &mut Vec<Issue>, td: &TaskDefinition) {
    let index: HashMap<&str, usize> = td
        .container_definitions
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = td
        .container_definitions
        .iter()
        .map(|c| {
            c.depends_on
                .iter()
                .filter_map(|d| index.get(d.container_name.as_str()).copied())
                .collect()
        })
        .collect();
    // 0 = unvisited, 1 = on the current path, 2 = finished.
    let mut state = vec![0u8; edges.len()];
    for start in 0..edges.len() {
        if state[start] == 0 && reaches_cycle(start, &edges, &mut state) {
            issues.push(
                Issue::error(
                    format!("containerDefinitions.{start}.dependsOn"),
                    "v.depends_cycle",
                )
                .with("name", &td.container_definitions[start].name),
            );
            return;
        }
    }
}

fn reaches_cycle(node: usize, edges: &[Vec<usize>], state: &mut [u8]) -> bool {
    state[node] = 1;
    for &next in &edges[node] {
        if state[next] == 1 || (state[next] == 0 && reaches_cycle(next, edges, state)) {
            return true;
        }
    }
    state[node] = 2;
    false
}

fn check_volumes(issues: &mut Vec<Issue>, td: &TaskDefinition) {
    for (i, c) in td.container_definitions.iter().enumerate() {
        for (j, from) in c.volumes_from.iter().enumerate() {
            let source = from.source_container.as_deref().unwrap_or_default();
            if td.container(source).is_none_or(|s| s.name == c.name) {
                issues.push(
                    Issue::error(
                        format!("containerDefinitions.{i}.volumesFrom.{j}.sourceContainer"),
                        "v.unknown_container",
                    )
                    .with("name", source),
                );
            }
        }
        for (j, mount) in c.mount_points.iter().enumerate() {
            let volume = mount.source_volume.as_deref().unwrap_or_default();
            if !td.volumes.iter().any(|v| v.name.as_deref() == Some(volume)) {
                issues.push(
                    Issue::error(
                        format!("containerDefinitions.{i}.mountPoints.{j}.sourceVolume"),
                        "v.unknown_volume",
                    )
                    .with("name", volume),
                );
            }
            if mount
                .container_path
                .as_deref()
                .is_none_or(|p| !p.starts_with('/'))
            {
                issues.push(Issue::error(
                    format!("containerDefinitions.{i}.mountPoints.{j}.containerPath"),
                    "v.absolute_path",
                ));
            }
        }
    }
}

/// The memory containers reserve (soft limit, else hard limit) must fit the task.
fn check_memory_sum(issues: &mut Vec<Issue>, td: &TaskDefinition) {
    let Some(task) = td
        .memory
        .as_deref()
        .and_then(crate::spec::fargate::parse_memory)
        .map(i64::from)
    else {
        return;
    };
    let reserved: i64 = td
        .container_definitions
        .iter()
        .filter_map(|c| c.memory_reservation.or(c.memory))
        .sum();
    if reserved > task {
        issues.push(
            Issue::error("containerDefinitions", "v.memory_sum")
                .with("sum", reserved)
                .with("task", task),
        );
    }
}
