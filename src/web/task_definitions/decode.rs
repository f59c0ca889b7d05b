//! Each step's posted form → the draft's task definition. Rows are laid over
//! the item already at that index, so fields without a control survive.

use crate::model::advanced;
use crate::model::container::{
    AWSLOGS, ContainerDefinition, ContainerDependency, HealthCheck, MountPoint, PortMapping,
    Secret, VolumeFrom,
};
use crate::model::defaults::{awslogs, new_container, rename_family};
use crate::model::import::from_value_at;
use crate::model::task_definition::{
    AWSVPC, EphemeralStorage, KeyValuePair, RuntimePlatform, Tag, TaskDefinition, Volume,
};
use crate::model::validate::Issue;
use crate::web::form::{Context, FormData, split_list};

/// Where role names typed without an ARN are completed from.
pub struct AccountHint<'a> {
    pub partition: &'a str,
    pub account: &'a str,
}

impl<'a> AccountHint<'a> {
    /// The connected account, when it is known.
    pub fn of(context: &'a Context) -> Option<Self> {
        context.account.as_deref().map(|account| AccountHint {
            partition: &context.partition,
            account,
        })
    }
}

pub fn configure(
    td: &mut TaskDefinition,
    form: &mut FormData,
    account: Option<AccountHint>,
) -> Vec<Issue> {
    rename_family(td, form.text("family"));
    td.requires_compatibilities = form.opt("launchType").into_iter().collect();
    td.runtime_platform = form.opt("platform").map(|p| {
        let (os, arch) = p.split_once('/').unwrap_or((&p, ""));
        RuntimePlatform {
            operating_system_family: Some(os.to_string()),
            cpu_architecture: Some(arch.to_string()).filter(|a| !a.is_empty()),
        }
    });
    td.network_mode = form.opt("networkMode");
    td.cpu = form.opt("cpu");
    td.memory = form.opt("memory");
    td.task_role_arn = form
        .opt("taskRoleArn")
        .map(|r| role_arn(r, account.as_ref()));
    td.execution_role_arn = form
        .opt("executionRoleArn")
        .map(|r| role_arn(r, account.as_ref()));
    td.ephemeral_storage = form
        .int("ephemeralStorage")
        .map(|size_in_gib| EphemeralStorage { size_in_gib });
    td.tags = form
        .rows("tags.")
        .into_iter()
        .map(|i| Tag {
            key: form.text(&format!("tags.{i}.key")),
            value: form.text(&format!("tags.{i}.value")),
        })
        .collect();
    let mut issues = std::mem::take(&mut form.issues);
    if let Err(issue) = advanced::apply_to_task(td, form.raw("advanced").unwrap_or_default()) {
        issues.push(issue);
    }
    issues
}

/// A bare role name becomes its ARN in this account, as the form and an
/// import both take it.
pub(super) fn role_arn(text: String, account: Option<&AccountHint>) -> String {
    match account {
        Some(hint) if !text.starts_with("arn:") && !text.contains(':') => {
            format!(
                "arn:{}:iam::{}:role/{}",
                hint.partition,
                hint.account,
                text.trim_start_matches("role/")
            )
        }
        _ => text,
    }
}

pub fn containers(td: &mut TaskDefinition, form: &mut FormData, region: &str) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut decoded = Vec::new();
    for i in form.rows("containerDefinitions.") {
        let existing = td
            .container_definitions
            .get(i)
            .cloned()
            .unwrap_or_else(|| new_container(&td.family, region));
        let awsvpc = td.network_mode.as_deref() == Some(AWSVPC);
        let (container, issue) = container(existing, form, i, &td.family, region, awsvpc);
        issues.extend(issue);
        decoded.push(container);
    }
    td.container_definitions = decoded;
    issues.append(&mut form.issues);
    issues
}

fn container(
    mut c: ContainerDefinition,
    form: &mut FormData,
    i: usize,
    family: &str,
    region: &str,
    awsvpc: bool,
) -> (ContainerDefinition, Option<Issue>) {
    let p = format!("containerDefinitions.{i}.");
    let f = |field: &str| format!("{p}{field}");
    c.name = form.text(&f("name"));
    c.image = form.text(&f("image"));
    c.essential = Some(form.checked(&f("essential")));
    let old_ports = std::mem::take(&mut c.port_mappings);
    c.port_mappings = form
        .rows(&f("portMappings."))
        .into_iter()
        .map(|j| {
            let g = |field: &str| format!("{p}portMappings.{j}.{field}");
            let container_port = form.int(&g("containerPort"));
            // As the console does: under awsvpc the host port is the container port.
            let host_port = form
                .int(&g("hostPort"))
                .or(container_port.filter(|_| awsvpc));
            PortMapping {
                container_port,
                host_port,
                protocol: form.opt(&g("protocol")),
                name: form.opt(&g("name")),
                app_protocol: form.opt(&g("appProtocol")),
                ..old_ports.get(j).cloned().unwrap_or_default()
            }
        })
        .collect();
    c.cpu = form.int(&f("cpu"));
    c.memory = form.int(&f("memory"));
    c.memory_reservation = form.int(&f("memoryReservation"));
    c.environment = pairs(form, &f("environment."), "name", "value")
        .into_iter()
        .map(|(name, value)| KeyValuePair {
            name: Some(name).filter(|n| !n.is_empty()),
            value: Some(value),
        })
        .collect();
    c.secrets = pairs(form, &f("secrets."), "name", "valueFrom")
        .into_iter()
        .map(|(name, value_from)| Secret { name, value_from })
        .collect();
    c.entry_point = split_list(&form.text(&f("entryPoint")));
    c.command = split_list(&form.text(&f("command")));
    c.working_directory = form.opt(&f("workingDirectory"));
    let log_collection = form.checked(&f("logCollection"));
    if log_collection {
        let mut config = c
            .awslogs()
            .cloned()
            .unwrap_or_else(|| awslogs(family, region));
        for key in ["awslogs-group", "awslogs-region", "awslogs-stream-prefix"] {
            match form.opt(&f(&format!("logConfiguration.{key}"))) {
                Some(value) => config.options.insert(key.to_string(), value),
                None => config.options.remove(key),
            };
        }
        // A checkbox: AWS wants the string "true", and no key at all for false.
        match form.checked(&f("logConfiguration.awslogs-create-group")) {
            true => config
                .options
                .insert("awslogs-create-group".into(), "true".into()),
            false => config.options.remove("awslogs-create-group"),
        };
        c.log_configuration = Some(config);
    } else if c
        .log_configuration
        .as_ref()
        .is_some_and(|l| l.log_driver == AWSLOGS)
    {
        c.log_configuration = None;
    }
    let command = split_list(&form.text(&f("healthCheck.command")));
    let numbers = ["interval", "timeout", "startPeriod", "retries"]
        .map(|n| form.int(&f(&format!("healthCheck.{n}"))));
    c.health_check =
        (!command.is_empty() || numbers.iter().any(Option::is_some)).then(|| HealthCheck {
            command,
            interval: numbers[0],
            timeout: numbers[1],
            start_period: numbers[2],
            retries: numbers[3],
        });
    c.depends_on = pairs(form, &f("dependsOn."), "containerName", "condition")
        .into_iter()
        .map(|(container_name, condition)| ContainerDependency {
            container_name,
            condition,
        })
        .collect();
    let issue = advanced::apply_to_container(
        &mut c,
        form.raw(&f("advanced")).unwrap_or_default(),
        i,
        log_collection,
    )
    .err();
    (c, issue)
}

/// Key/value rows, empty ones included: a row just added is still being filled.
fn pairs(form: &FormData, prefix: &str, first: &str, second: &str) -> Vec<(String, String)> {
    form.rows(prefix)
        .into_iter()
        .map(|j| {
            (
                form.text(&format!("{prefix}{j}.{first}")),
                form.text(&format!("{prefix}{j}.{second}")),
            )
        })
        .collect()
}

/// Volumes, then the flat lists of mount points and volumes-from, each row
/// naming its container, handed back to the containers they belong to.
pub fn storage(td: &mut TaskDefinition, form: &mut FormData) -> Vec<Issue> {
    let mut issues = Vec::new();
    let old_volumes = std::mem::take(&mut td.volumes);
    for i in form.rows("volumes.") {
        let name = form.text(&format!("volumes.{i}.name"));
        let config = form.text(&format!("volumes.{i}.config"));
        match volume(&name, &config, i) {
            Ok(volume) => td.volumes.push(volume),
            Err(issue) => {
                issues.push(issue);
                td.volumes.push(Volume {
                    name: Some(name),
                    ..old_volumes.get(i).cloned().unwrap_or_default()
                });
            }
        }
    }
    for c in &mut td.container_definitions {
        c.mount_points.clear();
        c.volumes_from.clear();
    }
    for k in form.rows("mountPoints.") {
        let f = |field: &str| format!("mountPoints.{k}.{field}");
        let mount = MountPoint {
            source_volume: form.opt(&f("sourceVolume")),
            container_path: form.opt(&f("containerPath")),
            read_only: form.checked(&f("readOnly")).then_some(true),
        };
        match td
            .container_definitions
            .iter_mut()
            .find(|c| c.name == form.text(&f("container")))
        {
            Some(c) => c.mount_points.push(mount),
            None => issues.push(Issue::error(f("container"), "v.choose_container")),
        }
    }
    for k in form.rows("volumesFrom.") {
        let f = |field: &str| format!("volumesFrom.{k}.{field}");
        let from = VolumeFrom {
            source_container: form.opt(&f("sourceContainer")),
            read_only: form.checked(&f("readOnly")).then_some(true),
        };
        match td
            .container_definitions
            .iter_mut()
            .find(|c| c.name == form.text(&f("container")))
        {
            Some(c) => c.volumes_from.push(from),
            None => issues.push(Issue::error(f("container"), "v.choose_container")),
        }
    }
    issues.append(&mut form.issues);
    issues
}

/// A bind mount is just a name; other kinds (EFS, Docker) come as JSON.
fn volume(name: &str, config: &str, i: usize) -> Result<Volume, Issue> {
    let path = format!("volumes.{i}.config");
    let mut map = if config.trim().is_empty() {
        serde_json::Map::new()
    } else {
        match serde_json::from_str(config) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => return Err(Issue::error(path, "v.advanced_object")),
        }
    };
    map.insert("name".into(), name.into());
    from_value_at(serde_json::Value::Object(map), &format!("volumes[{i}]"))
        .map_err(|error| error.into_issue(&path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::defaults::new_task_definition;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn role_names_become_arns_when_the_account_is_known() {
        let hint = AccountHint {
            partition: "aws",
            account: "123456789012",
        };
        assert_eq!(
            role_arn("ecsTaskExecutionRole".into(), Some(&hint)),
            "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
        );
        assert_eq!(
            role_arn("arn:aws:iam::1:role/x".into(), Some(&hint)),
            "arn:aws:iam::1:role/x"
        );
        assert_eq!(
            role_arn("ecsTaskExecutionRole".into(), None),
            "ecsTaskExecutionRole"
        );
    }

    #[test]
    fn the_containers_form_keeps_fields_it_has_no_control_for() {
        let mut td = new_task_definition();
        td.family = "web".into();
        td.container_definitions = vec![ContainerDefinition {
            name: "app".into(),
            ulimits: vec![crate::model::container::Ulimit {
                name: "nofile".into(),
                soft_limit: 1,
                hard_limit: 2,
            }],
            port_mappings: vec![PortMapping {
                container_port: Some(80),
                container_port_range: None,
                host_port_range: Some("1-2".into()),
                ..Default::default()
            }],
            ..Default::default()
        }];
        let mut posted = form(&[
            ("containerDefinitions.0.name", "app"),
            ("containerDefinitions.0.image", "nginx"),
            ("containerDefinitions.0.essential", "on"),
            (
                "containerDefinitions.0.portMappings.0.containerPort",
                "8080",
            ),
            (
                "containerDefinitions.0.advanced",
                r#"{"ulimits":[{"name":"nofile","softLimit":1,"hardLimit":2}]}"#,
            ),
            ("containerDefinitions.0.logCollection", "on"),
            (
                "containerDefinitions.0.logConfiguration.awslogs-group",
                "/ecs/web",
            ),
            (
                "containerDefinitions.0.logConfiguration.awslogs-create-group",
                "on",
            ),
            (
                "containerDefinitions.0.healthCheck.command",
                "CMD-SHELL, curl -f http://localhost/ || exit 1",
            ),
            ("containerDefinitions.0.healthCheck.retries", "3"),
            ("containerDefinitions.0.environment.0.name", "A"),
            ("containerDefinitions.0.environment.0.value", "1"),
            ("containerDefinitions.0.environment.1.name", ""),
            ("containerDefinitions.0.environment.1.value", ""),
        ]);
        let issues = containers(&mut td, &mut posted, "ap-northeast-1");
        assert_eq!(issues, vec![]);
        let c = &td.container_definitions[0];
        assert_eq!(c.port_mappings[0].container_port, Some(8080));
        assert_eq!(
            c.port_mappings[0].host_port,
            Some(8080),
            "awsvpc: host port follows the container port"
        );
        assert_eq!(c.port_mappings[0].host_port_range.as_deref(), Some("1-2"));
        assert_eq!(c.ulimits.len(), 1);
        assert_eq!(
            c.environment.len(),
            2,
            "an empty row stays until the step is left"
        );
        assert_eq!(
            c.health_check.as_ref().unwrap().command,
            ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]
        );
        let options = &c.log_configuration.as_ref().unwrap().options;
        assert_eq!(
            options.get("awslogs-group").map(String::as_str),
            Some("/ecs/web")
        );
        assert_eq!(
            options.get("awslogs-region"),
            None,
            "an emptied field is removed, then validation asks for it"
        );
        assert_eq!(
            options.get("awslogs-create-group").map(String::as_str),
            Some("true")
        );
    }

    #[test]
    fn storage_rows_go_back_to_their_containers() {
        let mut td = new_task_definition();
        td.container_definitions = vec![
            ContainerDefinition {
                name: "rails".into(),
                ..Default::default()
            },
            ContainerDefinition {
                name: "nginx".into(),
                ..Default::default()
            },
        ];
        let mut posted = form(&[
            ("volumes.0.name", "assets"),
            ("volumes.1.name", "efs"),
            (
                "volumes.1.config",
                r#"{"efsVolumeConfiguration":{"fileSystemId":"fs-1"}}"#,
            ),
            ("mountPoints.0.container", "nginx"),
            ("mountPoints.0.sourceVolume", "assets"),
            ("mountPoints.0.containerPath", "/assets"),
            ("volumesFrom.0.container", "nginx"),
            ("volumesFrom.0.sourceContainer", "rails"),
            ("volumesFrom.1.container", "ghost"),
        ]);
        let issues = storage(&mut td, &mut posted);
        assert_eq!(
            issues.iter().map(|i| i.path.as_str()).collect::<Vec<_>>(),
            ["volumesFrom.1.container"]
        );
        assert_eq!(
            td.volumes[1]
                .efs_volume_configuration
                .as_ref()
                .unwrap()
                .file_system_id,
            "fs-1"
        );
        assert_eq!(
            td.container_definitions[1].volumes_from[0]
                .source_container
                .as_deref(),
            Some("rails")
        );
        assert_eq!(
            td.container_definitions[1].mount_points[0]
                .container_path
                .as_deref(),
            Some("/assets")
        );
        assert!(td.container_definitions[0].volumes_from.is_empty());
    }
}
