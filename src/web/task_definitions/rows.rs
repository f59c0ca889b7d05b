//! The add and remove buttons: each names a list by its path in the request.

use crate::model::container::{ContainerDependency, MountPoint, PortMapping, Secret, VolumeFrom};
use crate::model::defaults::new_container;
use crate::model::task_definition::{KeyValuePair, Tag, TaskDefinition, Volume};
use crate::model::validate::MAX_CONTAINERS;
use crate::web::form::Action;

/// Applies an add/remove; returns false for anything else.
pub fn apply(td: &mut TaskDefinition, action: &Action, region: &str) -> bool {
    match action {
        Action::Add(list) => add(td, list, region),
        Action::Remove(list, index) => remove(td, list, *index),
        _ => false,
    }
}

fn add(td: &mut TaskDefinition, list: &str, region: &str) -> bool {
    let first_name = td
        .container_definitions
        .first()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    match split(list) {
        ("tags", None) => td.tags.push(Tag::default()),
        ("volumes", None) => td.volumes.push(Volume {
            name: Some(String::new()),
            ..Volume::default()
        }),
        ("containerDefinitions", None) if td.container_definitions.len() < MAX_CONTAINERS => {
            let container = new_container(&td.family, region);
            td.container_definitions.push(container);
        }
        ("mountPoints", None) => match td.container_definitions.first_mut() {
            Some(c) => c.mount_points.push(MountPoint::default()),
            None => return false,
        },
        ("volumesFrom", None) => match td
            .container_definitions
            .iter_mut()
            .rev()
            .find(|c| c.name != first_name)
        {
            Some(c) => c.volumes_from.push(VolumeFrom {
                source_container: Some(first_name),
                read_only: None,
            }),
            None => match td.container_definitions.first_mut() {
                Some(c) => c.volumes_from.push(VolumeFrom::default()),
                None => return false,
            },
        },
        (field, Some(i)) => {
            let Some(c) = td.container_definitions.get_mut(i) else {
                return false;
            };
            match field {
                "portMappings" => c.port_mappings.push(PortMapping {
                    protocol: Some("tcp".into()),
                    ..Default::default()
                }),
                "environment" => c.environment.push(KeyValuePair::default()),
                "secrets" => c.secrets.push(Secret::default()),
                "dependsOn" => c.depends_on.push(ContainerDependency {
                    condition: "START".into(),
                    ..Default::default()
                }),
                _ => return false,
            }
        }
        _ => return false,
    }
    true
}

fn remove(td: &mut TaskDefinition, list: &str, index: usize) -> bool {
    fn take<T>(items: &mut Vec<T>, index: usize) -> bool {
        (index < items.len()).then(|| items.remove(index)).is_some()
    }
    match split(list) {
        ("tags", None) => take(&mut td.tags, index),
        ("volumes", None) => take(&mut td.volumes, index),
        ("containerDefinitions", None) => take(&mut td.container_definitions, index),
        ("mountPoints", None) => remove_flat(td, index, |c| &mut c.mount_points),
        ("volumesFrom", None) => remove_flat(td, index, |c| &mut c.volumes_from),
        (field, Some(i)) => {
            let Some(c) = td.container_definitions.get_mut(i) else {
                return false;
            };
            match field {
                "portMappings" => take(&mut c.port_mappings, index),
                "environment" => take(&mut c.environment, index),
                "secrets" => take(&mut c.secrets, index),
                "dependsOn" => take(&mut c.depends_on, index),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Rows added but left entirely empty are dropped when the step is left.
pub fn prune_empty(td: &mut TaskDefinition) {
    td.tags
        .retain(|t| !(t.key.is_empty() && t.value.is_empty()));
    for c in &mut td.container_definitions {
        c.environment.retain(|e| {
            e.name.as_deref().is_some_and(|n| !n.is_empty())
                || e.value.as_deref().is_some_and(|v| !v.is_empty())
        });
        c.secrets
            .retain(|s| !(s.name.is_empty() && s.value_from.is_empty()));
        c.port_mappings.retain(|p| {
            *p != PortMapping {
                protocol: p.protocol.clone(),
                ..PortMapping::default()
            }
        });
    }
}

/// Storage shows every container's rows in one list; find row `index` in it.
fn remove_flat<T>(
    td: &mut TaskDefinition,
    mut index: usize,
    list: impl Fn(&mut crate::model::container::ContainerDefinition) -> &mut Vec<T>,
) -> bool {
    for c in &mut td.container_definitions {
        let items = list(c);
        if index < items.len() {
            items.remove(index);
            return true;
        }
        index -= items.len();
    }
    false
}

/// `containerDefinitions.2.environment` → ("environment", Some(2)); `tags` → ("tags", None).
fn split(list: &str) -> (&str, Option<usize>) {
    match list.split('.').collect::<Vec<_>>().as_slice() {
        ["containerDefinitions", i, field] => (field, i.parse().ok()),
        _ => (list, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::container::ContainerDefinition;

    #[test]
    fn rows_are_added_and_removed_where_the_button_says() {
        let mut td = TaskDefinition::default();
        assert!(apply(
            &mut td,
            &Action::Add("containerDefinitions".into()),
            "r"
        ));
        assert!(apply(
            &mut td,
            &Action::Add("containerDefinitions.0.environment".into()),
            "r"
        ));
        assert!(apply(
            &mut td,
            &Action::Add("containerDefinitions.0.environment".into()),
            "r"
        ));
        assert!(apply(
            &mut td,
            &Action::Remove("containerDefinitions.0.environment".into(), 1),
            "r"
        ));
        assert_eq!(td.container_definitions[0].environment.len(), 1);
        assert!(!apply(
            &mut td,
            &Action::Remove("containerDefinitions.5.environment".into(), 0),
            "r"
        ));
        assert!(!apply(
            &mut td,
            &Action::Add("containerDefinitions.0.nonsense".into()),
            "r"
        ));
        assert!(!apply(&mut td, &Action::Next, "r"));
    }

    #[test]
    fn empty_rows_are_pruned() {
        let mut td = TaskDefinition::default();
        apply(&mut td, &Action::Add("containerDefinitions".into()), "r");
        for list in [
            "containerDefinitions.0.environment",
            "containerDefinitions.0.secrets",
            "containerDefinitions.0.portMappings",
            "tags",
        ] {
            apply(&mut td, &Action::Add(list.into()), "r");
        }
        td.container_definitions[0].environment.push(KeyValuePair {
            name: Some("A".into()),
            value: None,
        });
        prune_empty(&mut td);
        let c = &td.container_definitions[0];
        assert_eq!(
            (
                c.environment.len(),
                c.secrets.len(),
                c.port_mappings.len(),
                td.tags.len()
            ),
            (1, 0, 0, 0)
        );
    }

    #[test]
    fn at_most_ten_containers() {
        let mut td = TaskDefinition::default();
        for _ in 0..12 {
            apply(&mut td, &Action::Add("containerDefinitions".into()), "r");
        }
        assert_eq!(td.container_definitions.len(), MAX_CONTAINERS);
    }

    #[test]
    fn flat_storage_rows_are_found_across_containers() {
        let mut td = TaskDefinition {
            container_definitions: vec![
                ContainerDefinition {
                    name: "a".into(),
                    volumes_from: vec![VolumeFrom::default()],
                    ..Default::default()
                },
                ContainerDefinition {
                    name: "b".into(),
                    volumes_from: vec![VolumeFrom::default(), VolumeFrom::default()],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert!(apply(
            &mut td,
            &Action::Remove("volumesFrom".into(), 2),
            "r"
        ));
        assert_eq!(
            (
                td.container_definitions[0].volumes_from.len(),
                td.container_definitions[1].volumes_from.len()
            ),
            (1, 1)
        );
        assert!(!apply(
            &mut td,
            &Action::Remove("volumesFrom".into(), 2),
            "r"
        ));
    }
}
