//! Rules across containers: who depends on whom, who mounts what, and whether
//! the containers' memory fits the task.

use std::collections::{HashMap, HashSet};

use super::Issue;
use crate::model::task_definition::TaskDefinition;

pub(super) fn check(issues: &mut Vec<Issue>, td: &TaskDefinition) {
    check_depends_on(issues, td);
    check_cycles(issues, td);
    check_volumes(issues, td);
    check_memory_sum(issues, td);
}

fn check_depends_on(issues: &mut Vec<Issue>, td: &TaskDefinition) {
    let names = name_index(td);
    for (i, c) in td.container_definitions.iter().enumerate() {
        for (j, dependency) in c.depends_on.iter().enumerate() {
            let at = |field: &str| format!("containerDefinitions.{i}.dependsOn.{j}.{field}");
            let Some(target) = names
                .get(dependency.container_name.as_str())
                .map(|&k| &td.container_definitions[k])
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

/// Each container's index by name (the first, when a name is repeated).
pub(super) fn name_index(td: &TaskDefinition) -> HashMap<&str, usize> {
    let mut index = HashMap::new();
    for (i, c) in td.container_definitions.iter().enumerate() {
        index.entry(c.name.as_str()).or_insert(i);
    }
    index
}

/// A cycle in dependsOn means no container can start; name one container on it.
fn check_cycles(issues: &mut Vec<Issue>, td: &TaskDefinition) {
    let index = name_index(td);
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
    if let Some(start) = first_on_cycle(&edges) {
        issues.push(
            Issue::error(
                format!("containerDefinitions.{start}.dependsOn"),
                "v.depends_cycle",
            )
            .with("name", &td.container_definitions[start].name),
        );
    }
}

/// The first container (in order) from which a cycle is reached. A depth-first
/// search with its own stack: however long a chain of dependsOn an import
/// holds, the thread's stack does not grow with it.
fn first_on_cycle(edges: &[Vec<usize>]) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Unvisited,
        OnPath,
        Finished,
    }
    let mut mark = vec![Mark::Unvisited; edges.len()];
    // (node, index of the next edge to follow)
    let mut path: Vec<(usize, usize)> = Vec::new();
    for start in 0..edges.len() {
        if mark[start] != Mark::Unvisited {
            continue;
        }
        mark[start] = Mark::OnPath;
        path.push((start, 0));
        while let Some((node, next)) = path.last_mut() {
            let Some(&target) = edges[*node].get(*next) else {
                mark[*node] = Mark::Finished;
                path.pop();
                continue;
            };
            *next += 1;
            match mark[target] {
                Mark::OnPath => return Some(start),
                Mark::Unvisited => {
                    mark[target] = Mark::OnPath;
                    path.push((target, 0));
                }
                Mark::Finished => {}
            }
        }
    }
    None
}

fn check_volumes(issues: &mut Vec<Issue>, td: &TaskDefinition) {
    let names = name_index(td);
    let volumes: HashSet<&str> = td
        .volumes
        .iter()
        .filter_map(|v| v.name.as_deref())
        .collect();
    for (i, c) in td.container_definitions.iter().enumerate() {
        for (j, from) in c.volumes_from.iter().enumerate() {
            let source = from.source_container.as_deref().unwrap_or_default();
            if source == c.name || !names.contains_key(source) {
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
            if !volumes.contains(volume) {
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
        .and_then(crate::model::fargate::parse_memory)
        .map(i64::from)
    else {
        return;
    };
    let reserved: i64 = td
        .container_definitions
        .iter()
        .filter_map(|c| c.memory_reservation.or(c.memory))
        .sum();
    // A hard limit counts where no soft limit is set: then "reserve" is
    // not the word.
    let hard = td
        .container_definitions
        .iter()
        .any(|c| c.memory_reservation.is_none() && c.memory.is_some());
    let key = if hard {
        "v.memory_sum_hard"
    } else {
        "v.memory_sum"
    };
    if reserved > task {
        issues.push(
            Issue::error("containerDefinitions", key)
                .with("sum", reserved)
                .with("task", task),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::first_on_cycle;

    #[test]
    fn cycles_are_found_without_recursion() {
        assert_eq!(first_on_cycle(&[vec![1], vec![2], vec![]]), None);
        assert_eq!(first_on_cycle(&[vec![1], vec![0]]), Some(0));
        assert_eq!(first_on_cycle(&[vec![], vec![2], vec![1]]), Some(1));
        // A chain far longer than a thread's stack would allow recursing on.
        let n = 1_000_000;
        let mut chain: Vec<Vec<usize>> = (1..n).map(|i| vec![i]).collect();
        chain.push(Vec::new());
        assert_eq!(first_on_cycle(&chain), None);
        chain[n - 1] = vec![0];
        assert_eq!(first_on_cycle(&chain), Some(0));
    }
}
