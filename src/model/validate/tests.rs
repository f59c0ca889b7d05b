use super::*;
use crate::model::container::{
    ContainerDependency, HealthCheck, MountPoint, PortMapping, Secret, VolumeFrom,
};
use crate::model::import::import;
use crate::model::task_definition::{EphemeralStorage, KeyValuePair, Volume};

fn reference_000() -> TaskDefinition {
    import(include_str!("../../../tests/fixtures/reference_000.json"))
        .unwrap()
        .task_definition
}

fn errors(td: &TaskDefinition) -> Vec<(String, &'static str)> {
    validate(td)
        .into_iter()
        .filter(Issue::is_error)
        .map(|i| (i.path, i.key))
        .collect()
}

fn has(td: &TaskDefinition, path: &str, key: &str) -> bool {
    errors(td).iter().any(|(p, k)| p == path && *k == key)
}

#[test]
fn reference_000_is_valid_but_warns_about_its_master_key() {
    let td = reference_000();
    assert_eq!(errors(&td), vec![]);
    let warnings: Vec<Issue> = validate(&td)
        .into_iter()
        .filter(|i| !i.is_error())
        .collect();
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        warnings[0].path,
        "containerDefinitions.0.environment.1.name"
    );
    assert_eq!(warnings[0].key, "v.env_looks_secret");
}

#[test]
fn family_and_container_names_use_letters_digits_dash_underscore() {
    let mut td = reference_000();
    td.family = "my app".into();
    assert!(has(&td, "family", "v.name_chars"));
    td.family = String::new();
    assert!(has(&td, "family", "v.required"));
    td.family = "a".repeat(256);
    assert!(has(&td, "family", "v.name_chars"));
    td.family = "a".repeat(255);
    td.container_definitions[1].name = "nginx.proxy".into();
    assert!(has(&td, "containerDefinitions.1.name", "v.name_chars"));
}

#[test]
fn container_names_are_unique() {
    let mut td = reference_000();
    td.container_definitions[1].name = "rails".into();
    assert!(has(&td, "containerDefinitions.0.name", "v.name_duplicate"));
    assert!(has(&td, "containerDefinitions.1.name", "v.name_duplicate"));
}

#[test]
fn fargate_needs_a_valid_cpu_memory_pair() {
    let mut td = reference_000();
    td.memory = Some("4096".into());
    assert!(has(&td, "memory", "v.fargate_pair"));
    td.cpu = Some("300".into());
    assert!(has(&td, "cpu", "v.fargate_cpu"));
    td.cpu = None;
    assert!(has(&td, "cpu", "v.fargate_needs_size"));
    td.cpu = Some("1 vCPU".into());
    td.memory = Some("2 GB".into());
    assert_eq!(errors(&td), vec![]);
}

#[test]
fn fargate_needs_awsvpc() {
    let mut td = reference_000();
    td.network_mode = Some("bridge".into());
    assert!(has(&td, "networkMode", "v.fargate_awsvpc"));
    td.requires_compatibilities = vec!["EC2".into()];
    assert!(!has(&td, "networkMode", "v.fargate_awsvpc"));
}

#[test]
fn host_port_is_empty_or_the_container_port_under_awsvpc() {
    let mut td = reference_000();
    td.container_definitions[0].port_mappings[0].host_port = Some(8080);
    assert!(has(
        &td,
        "containerDefinitions.0.portMappings.0.hostPort",
        "v.awsvpc_host_port"
    ));
    td.container_definitions[0].port_mappings[0].host_port = None;
    assert_eq!(errors(&td), vec![]);
}

#[test]
fn ports_are_1_to_65535() {
    let mut td = reference_000();
    td.container_definitions[0].port_mappings = vec![
        PortMapping {
            container_port: Some(0),
            ..Default::default()
        },
        PortMapping {
            container_port: Some(65536),
            ..Default::default()
        },
        PortMapping {
            container_port: None,
            ..Default::default()
        },
        PortMapping {
            container_port: Some(65535),
            protocol: Some("sctp".into()),
            ..Default::default()
        },
    ];
    assert!(has(
        &td,
        "containerDefinitions.0.portMappings.0.containerPort",
        "v.range"
    ));
    assert!(has(
        &td,
        "containerDefinitions.0.portMappings.1.containerPort",
        "v.range"
    ));
    assert!(has(
        &td,
        "containerDefinitions.0.portMappings.2.containerPort",
        "v.required"
    ));
    assert!(!has(
        &td,
        "containerDefinitions.0.portMappings.3.containerPort",
        "v.range"
    ));
    assert!(has(
        &td,
        "containerDefinitions.0.portMappings.3.protocol",
        "v.one_of"
    ));
}

#[test]
fn app_protocol_needs_a_port_name() {
    let mut td = reference_000();
    td.container_definitions[0].port_mappings[0].app_protocol = Some("http".into());
    assert!(has(
        &td,
        "containerDefinitions.0.portMappings.0.name",
        "v.app_protocol_needs_name"
    ));
    td.container_definitions[0].port_mappings[0].name = Some("web".into());
    assert_eq!(errors(&td), vec![]);
}

#[test]
fn at_least_one_essential_and_at_most_ten_containers() {
    let mut td = reference_000();
    for c in &mut td.container_definitions {
        c.essential = Some(false);
    }
    assert!(has(&td, "containerDefinitions", "v.no_essential"));
    td.container_definitions.clear();
    assert!(has(&td, "containerDefinitions", "v.no_containers"));
    let mut td = reference_000();
    let template = td.container_definitions[0].clone();
    td.container_definitions = (0..11)
        .map(|i| ContainerDefinition {
            name: format!("c{i}"),
            ..template.clone()
        })
        .collect();
    assert!(has(&td, "containerDefinitions", "v.too_many"));
}

use crate::model::container::ContainerDefinition;

#[test]
fn container_memory_fits_the_task_and_soft_is_at_most_hard() {
    let mut td = reference_000();
    td.container_definitions[0].memory = Some(1024);
    assert!(has(
        &td,
        "containerDefinitions.0.memory",
        "v.container_memory_fits"
    ));
    td.container_definitions[0].memory = Some(256);
    td.container_definitions[0].memory_reservation = Some(300);
    assert!(has(
        &td,
        "containerDefinitions.0.memoryReservation",
        "v.soft_over_hard"
    ));
    td.container_definitions[0].memory_reservation = Some(200);
    td.container_definitions[1].memory = Some(400);
    // Container 1 counts its hard limit: the message says limits, not reserve.
    assert!(has(&td, "containerDefinitions", "v.memory_sum_hard"));
    td.container_definitions[1].memory_reservation = Some(400);
    assert!(has(&td, "containerDefinitions", "v.memory_sum"));
    td.container_definitions[1].memory_reservation = None;
    td.container_definitions[1].memory = Some(300);
    assert_eq!(errors(&td), vec![]);
}

#[test]
fn health_check_ranges() {
    let mut td = reference_000();
    td.container_definitions[0].health_check = Some(HealthCheck {
        command: vec!["CMD-SHELL".into(), "true".into()],
        interval: Some(4),
        timeout: Some(61),
        retries: Some(0),
        start_period: Some(301),
    });
    for field in ["interval", "timeout", "retries", "startPeriod"] {
        assert!(
            has(
                &td,
                &format!("containerDefinitions.0.healthCheck.{field}"),
                "v.range"
            ),
            "{field}"
        );
    }
    td.container_definitions[0].health_check = Some(HealthCheck {
        command: vec!["CMD".into(), "true".into()],
        interval: Some(300),
        timeout: Some(2),
        retries: Some(10),
        start_period: Some(0),
    });
    assert_eq!(errors(&td), vec![]);
}

#[test]
fn health_check_command_starts_with_cmd_or_cmd_shell() {
    let mut td = reference_000();
    td.container_definitions[0].health_check = Some(HealthCheck {
        command: vec!["curl localhost".into()],
        ..Default::default()
    });
    assert!(has(
        &td,
        "containerDefinitions.0.healthCheck.command",
        "v.health_command"
    ));
}

#[test]
fn depends_on_an_existing_other_container() {
    let mut td = reference_000();
    td.container_definitions[1].depends_on[0].container_name = "railz".into();
    assert!(has(
        &td,
        "containerDefinitions.1.dependsOn.0.containerName",
        "v.unknown_container"
    ));
    td.container_definitions[1].depends_on[0].container_name = "nginx".into();
    assert!(has(
        &td,
        "containerDefinitions.1.dependsOn.0.containerName",
        "v.unknown_container"
    ));
}

#[test]
fn depends_on_without_cycles() {
    let mut td = reference_000();
    td.container_definitions[0].depends_on = vec![ContainerDependency {
        container_name: "nginx".into(),
        condition: "START".into(),
    }];
    assert!(has(
        &td,
        "containerDefinitions.0.dependsOn",
        "v.depends_cycle"
    ));
}

#[test]
fn healthy_needs_a_health_check_on_the_container_depended_on() {
    let mut td = reference_000();
    td.container_definitions[0].health_check = None;
    assert!(has(
        &td,
        "containerDefinitions.1.dependsOn.0.condition",
        "v.healthy_needs_check"
    ));
}

#[test]
fn complete_and_success_not_on_an_essential_container() {
    let mut td = reference_000();
    td.container_definitions[1].depends_on[0].condition = "COMPLETE".into();
    assert!(has(
        &td,
        "containerDefinitions.1.dependsOn.0.condition",
        "v.complete_on_essential"
    ));
    td.container_definitions[1].depends_on[0].condition = "SUCCESS".into();
    assert!(has(
        &td,
        "containerDefinitions.1.dependsOn.0.condition",
        "v.complete_on_essential"
    ));
    td.container_definitions[0].essential = Some(false);
    assert_eq!(errors(&td), vec![]);
    td.container_definitions[1].depends_on[0].condition = "READY".into();
    assert!(has(
        &td,
        "containerDefinitions.1.dependsOn.0.condition",
        "v.one_of"
    ));
}

#[test]
fn awslogs_needs_group_region_and_on_fargate_a_stream_prefix() {
    let mut td = reference_000();
    let options = &mut td.container_definitions[0]
        .log_configuration
        .as_mut()
        .unwrap()
        .options;
    options.remove("awslogs-group");
    options.remove("awslogs-region");
    options.insert("awslogs-stream-prefix".into(), " ".into());
    for key in ["awslogs-group", "awslogs-region", "awslogs-stream-prefix"] {
        assert!(
            has(
                &td,
                &format!("containerDefinitions.0.logConfiguration.{key}"),
                "v.required"
            ),
            "{key}"
        );
    }
    td.requires_compatibilities = vec!["EC2".into()];
    td.network_mode = Some("bridge".into());
    td.container_definitions
        .iter_mut()
        .for_each(|c| c.port_mappings.clear());
    assert!(!has(
        &td,
        "containerDefinitions.0.logConfiguration.awslogs-stream-prefix",
        "v.required"
    ));
}

#[test]
fn volumes_from_and_mount_points_name_what_exists() {
    let mut td = reference_000();
    td.container_definitions[1].volumes_from = vec![VolumeFrom {
        source_container: Some("postgres".into()),
        read_only: None,
    }];
    td.container_definitions[1].mount_points = vec![MountPoint {
        source_volume: Some("assets".into()),
        container_path: Some("relative".into()),
        read_only: None,
    }];
    assert!(has(
        &td,
        "containerDefinitions.1.volumesFrom.0.sourceContainer",
        "v.unknown_container"
    ));
    assert!(has(
        &td,
        "containerDefinitions.1.mountPoints.0.sourceVolume",
        "v.unknown_volume"
    ));
    assert!(has(
        &td,
        "containerDefinitions.1.mountPoints.0.containerPath",
        "v.absolute_path"
    ));
    td.volumes.push(Volume {
        name: Some("assets".into()),
        ..Default::default()
    });
    td.container_definitions[1].volumes_from[0].source_container = Some("rails".into());
    td.container_definitions[1].mount_points[0].container_path = Some("/assets".into());
    assert_eq!(errors(&td), vec![]);
}

#[test]
fn secret_looking_environment_names_warn() {
    for name in [
        "RAILS_MASTER_KEY",
        "AWS_SECRET",
        "DB_PASSWORD",
        "PASSWORD_FILE",
        "GITHUB_TOKEN",
        "api_key",
    ] {
        assert!(looks_secret(name), "{name}");
    }
    for name in ["RAILS_LOG_TO_STDOUT", "KEYBOARD", "PORT"] {
        assert!(!looks_secret(name), "{name}");
    }
    let mut td = reference_000();
    td.container_definitions[0].environment.push(KeyValuePair {
        name: None,
        value: Some("x".into()),
    });
    assert!(has(
        &td,
        "containerDefinitions.0.environment.2.name",
        "v.required"
    ));
}

#[test]
fn secrets_come_from_secrets_manager_or_ssm() {
    let mut td = reference_000();
    td.container_definitions[0].secrets = vec![
        crate::model::container::Secret {
            name: "A".into(),
            value_from: "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db".into(),
        },
        crate::model::container::Secret {
            name: "B".into(),
            value_from: "/app/db-password".into(),
        },
        crate::model::container::Secret {
            name: "C".into(),
            value_from: "arn:aws:s3:::bucket/key".into(),
        },
        crate::model::container::Secret {
            name: String::new(),
            value_from: "has space".into(),
        },
    ];
    let found = errors(&td);
    assert!(
        !found
            .iter()
            .any(|(p, _)| p.contains("secrets.0") || p.contains("secrets.1")),
        "{found:?}"
    );
    assert!(has(
        &td,
        "containerDefinitions.0.secrets.2.valueFrom",
        "v.secret_source"
    ));
    assert!(has(
        &td,
        "containerDefinitions.0.secrets.3.name",
        "v.required"
    ));
    assert!(has(
        &td,
        "containerDefinitions.0.secrets.3.valueFrom",
        "v.secret_source"
    ));
}

#[test]
fn ephemeral_storage_is_21_to_200_gib() {
    let mut td = reference_000();
    td.ephemeral_storage = Some(EphemeralStorage { size_in_gib: 20 });
    assert!(has(&td, "ephemeralStorage", "v.range"));
    td.ephemeral_storage = Some(EphemeralStorage { size_in_gib: 201 });
    assert!(has(&td, "ephemeralStorage", "v.range"));
    td.ephemeral_storage = Some(EphemeralStorage { size_in_gib: 200 });
    assert_eq!(errors(&td), vec![]);
}

#[test]
fn roles_are_iam_role_arns() {
    assert!(is_role_arn(
        "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
    ));
    assert!(is_role_arn("arn:aws-cn:iam::123456789012:role/path/name"));
    assert!(!is_role_arn("ecsTaskExecutionRole"));
    assert!(!is_role_arn("arn:aws:iam::1234:role/x"));
    assert!(!is_role_arn("arn:aws:iam::123456789012:user/x"));
    let mut td = reference_000();
    td.task_role_arn = Some("ecsTaskRole".into());
    assert!(has(&td, "taskRoleArn", "v.role_arn"));
}

#[test]
fn tags_and_volumes_need_names() {
    let mut td = reference_000();
    td.tags.push(crate::model::task_definition::Tag {
        key: " ".into(),
        value: "v".into(),
    });
    td.volumes.push(Volume::default());
    assert!(has(&td, "tags.0.key", "v.required"));
    assert!(has(&td, "volumes.0.name", "v.required"));
}

#[test]
fn fargate_logs_secrets_and_ecr_images_need_an_execution_role() {
    let mut td = reference_000();
    td.execution_role_arn = None;
    assert!(has(&td, "executionRoleArn", "v.execution_role_for_logs"));
    let needs = |td: &TaskDefinition| {
        validate(td)
            .into_iter()
            .filter(|i| i.path == "executionRoleArn")
            .map(|i| (i.key, i.args))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        needs(&td),
        [(
            "v.execution_role_for_logs",
            vec![("container", "rails".to_string())]
        )],
        "one message, naming the first container that needs the role"
    );

    for c in &mut td.container_definitions {
        c.log_configuration = None;
    }
    td.container_definitions[0].image =
        "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:v1".into();
    assert!(has(&td, "executionRoleArn", "v.execution_role_for_ecr"));
    for c in &mut td.container_definitions {
        c.image = "public.ecr.aws/nginx/nginx:latest".into();
    }
    assert_eq!(
        errors(&td),
        vec![],
        "a public image and no logs need no role"
    );

    td.container_definitions[1].secrets = vec![Secret {
        name: "RAILS_MASTER_KEY".into(),
        value_from: "arn:aws:ssm:ap-northeast-1:123456789012:parameter/key".into(),
    }];
    assert!(has(&td, "executionRoleArn", "v.execution_role_for_secrets"));
    td.execution_role_arn = Some(String::new());
    assert!(has(&td, "executionRoleArn", "v.execution_role_for_secrets"));
    td.execution_role_arn = Some("arn:aws:iam::123456789012:role/ecsTaskExecutionRole".into());
    assert_eq!(errors(&td), vec![]);
}

#[test]
fn on_ec2_awslogs_and_ecr_images_use_the_instance_role() {
    let mut td = reference_000();
    td.execution_role_arn = None;
    td.requires_compatibilities = vec!["EC2".into()];
    td.container_definitions[0].image =
        "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:v1".into();
    assert!(
        !errors(&td)
            .iter()
            .any(|(path, _)| path == "executionRoleArn"),
        "{:?}",
        errors(&td)
    );
}
