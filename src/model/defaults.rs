//! What a new draft and a new container start with: the console's defaults.

use std::collections::BTreeMap;

use super::container::{AWSLOGS, ContainerDefinition, LogConfiguration};
use super::task_definition::{AWSVPC, FARGATE, RuntimePlatform, TaskDefinition};

pub fn new_task_definition() -> TaskDefinition {
    TaskDefinition {
        requires_compatibilities: vec![FARGATE.into()],
        network_mode: Some(AWSVPC.into()),
        cpu: Some("1024".into()),
        memory: Some("3072".into()),
        runtime_platform: Some(RuntimePlatform {
            cpu_architecture: Some("X86_64".into()),
            operating_system_family: Some("LINUX".into()),
        }),
        ..TaskDefinition::default()
    }
}

/// Essential, with log collection on and filled as the console fills it.
pub fn new_container(family: &str, region: &str) -> ContainerDefinition {
    ContainerDefinition {
        essential: Some(true),
        log_configuration: Some(awslogs(family, region)),
        ..ContainerDefinition::default()
    }
}

/// `/ecs/<family>`, the region, stream prefix `ecs`, create group `true`.
pub fn awslogs(family: &str, region: &str) -> LogConfiguration {
    let options = BTreeMap::from([
        ("awslogs-create-group".to_string(), "true".to_string()),
        ("awslogs-group".to_string(), log_group(family)),
        ("awslogs-region".to_string(), region.to_string()),
        ("awslogs-stream-prefix".to_string(), "ecs".to_string()),
    ]);
    LogConfiguration {
        log_driver: AWSLOGS.into(),
        options,
        secret_options: Vec::new(),
    }
}

pub fn log_group(family: &str) -> String {
    format!("/ecs/{family}")
}

/// When the family is renamed, log groups still at the old default follow it.
pub fn rename_family(td: &mut TaskDefinition, new_family: String) {
    let (old_group, new_group) = (log_group(&td.family), log_group(&new_family));
    for container in &mut td.container_definitions {
        if let Some(group) = container
            .log_configuration
            .as_mut()
            .filter(|l| l.log_driver == AWSLOGS)
            .and_then(|l| l.options.get_mut("awslogs-group"))
            .filter(|g| **g == old_group)
        {
            *group = new_group.clone();
        }
    }
    td.family = new_family;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_container_collects_logs_like_the_console() {
        let c = new_container("zenn-clone-task-definition-backend", "ap-northeast-1");
        let options = &c.log_configuration.unwrap().options;
        assert_eq!(
            options["awslogs-group"],
            "/ecs/zenn-clone-task-definition-backend"
        );
        assert_eq!(options["awslogs-region"], "ap-northeast-1");
        assert_eq!(options["awslogs-stream-prefix"], "ecs");
        assert_eq!(options["awslogs-create-group"], "true");
        assert!(c.essential == Some(true));
    }

    #[test]
    fn renaming_the_family_moves_default_log_groups_only() {
        let mut td = new_task_definition();
        td.family = "old".into();
        td.container_definitions = vec![new_container("old", "r"), new_container("custom", "r")];
        rename_family(&mut td, "new".into());
        let group = |i: usize| {
            td.container_definitions[i]
                .log_configuration
                .as_ref()
                .unwrap()
                .options["awslogs-group"]
                .clone()
        };
        assert_eq!(
            (group(0).as_str(), group(1).as_str()),
            ("/ecs/new", "/ecs/custom")
        );
    }
}
