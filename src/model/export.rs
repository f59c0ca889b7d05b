//! The three ways the review page shows a definition: the request body, the aws
//! CLI command that sends it, and a Terraform resource that declares it.

use serde_json::Value;

use super::api_call::shell_word;
use super::hcl::{block, hcl_value, list, quote, resource_label, to_value};
use super::task_definition::TaskDefinition;

/// Exactly the body register-task-definition receives.
pub fn request_json(td: &TaskDefinition) -> String {
    serde_json::to_string_pretty(td).unwrap_or_default()
}

/// A shell snippet that writes the request to a file and registers it, as
/// reference 003 does. The quoted heredoc keeps `$` and quotes as they are,
/// and cannot end early: every line of pretty-printed JSON but the braces
/// around it is indented, so none can be a bare `EOF`.
pub fn aws_cli(td: &TaskDefinition, region: Option<&str>) -> String {
    let region = region
        .map(|r| format!(" \\\n  --region {}", shell_word(r)))
        .unwrap_or_default();
    format!(
        "cat > task-definition.json <<'EOF'\n{}\nEOF\naws ecs register-task-definition{region} \\\n  --cli-input-json file://task-definition.json\n",
        request_json(td)
    )
}

/// An `aws_ecs_task_definition` resource. Containers go through `jsonencode`, as
/// the provider expects; nested settings become the provider's blocks.
pub fn terraform(td: &TaskDefinition) -> String {
    let mut out = format!(
        "resource \"aws_ecs_task_definition\" \"{}\" {{\n",
        resource_label(&td.family, "td")
    );
    let mut attribute =
        |name: &str, value: String| out.push_str(&format!("  {name:<24} = {value}\n"));
    attribute("family", quote(&td.family));
    if !td.requires_compatibilities.is_empty() {
        attribute(
            "requires_compatibilities",
            list(&td.requires_compatibilities),
        );
    }
    let optional = [
        ("network_mode", &td.network_mode),
        ("cpu", &td.cpu),
        ("memory", &td.memory),
        ("execution_role_arn", &td.execution_role_arn),
        ("task_role_arn", &td.task_role_arn),
        ("pid_mode", &td.pid_mode),
        ("ipc_mode", &td.ipc_mode),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            attribute(name, quote(value));
        }
    }
    if let Some(enabled) = td.enable_fault_injection {
        attribute("enable_fault_injection", enabled.to_string());
    }
    let containers = serde_json::to_value(&td.container_definitions).unwrap_or(Value::Null);
    attribute(
        "container_definitions",
        format!("jsonencode({})", hcl_value(&containers, 1)),
    );
    if let Some(platform) = &td.runtime_platform {
        out.push_str(&block("runtime_platform", &to_value(platform), 1));
    }
    if let Some(storage) = &td.ephemeral_storage {
        out.push_str(&format!(
            "\n  ephemeral_storage {{\n    size_in_gib = {}\n  }}\n",
            storage.size_in_gib
        ));
    }
    for volume in &td.volumes {
        let mut value = to_value(volume);
        // The provider spells the bind mount's source path as a flat attribute.
        if let Some(path) = value.get("host").and_then(|h| h.get("sourcePath")).cloned()
            && let Some(object) = value.as_object_mut()
        {
            object.remove("host");
            object.insert("hostPath".into(), path);
        }
        out.push_str(&block("volume", &value, 1));
    }
    for constraint in &td.placement_constraints {
        out.push_str(&block("placement_constraints", &to_value(constraint), 1));
    }
    for accelerator in &td.inference_accelerators {
        out.push_str(&block("inference_accelerator", &to_value(accelerator), 1));
    }
    if let Some(proxy) = &td.proxy_configuration {
        let mut value = to_value(proxy);
        if let Some(object) = value.as_object_mut()
            && let Some(Value::Array(pairs)) = object.remove("properties")
        {
            let map = pairs
                .iter()
                .filter_map(|p| {
                    Some((
                        p.get("name")?.as_str()?.to_string(),
                        p.get("value").cloned().unwrap_or(Value::Null),
                    ))
                })
                .collect();
            object.insert("properties".into(), Value::Object(map));
        }
        out.push_str(&block("proxy_configuration", &value, 1));
    }
    if !td.tags.is_empty() {
        out.push_str("\n  tags = {\n");
        for tag in &td.tags {
            out.push_str(&format!(
                "    {} = {}\n",
                quote(&tag.key),
                quote(&tag.value)
            ));
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::import::import;

    fn reference_000() -> TaskDefinition {
        import(include_str!("../../tests/fixtures/reference_000.json"))
            .unwrap()
            .task_definition
    }

    #[test]
    fn request_json_round_trips_reference_003() {
        let text = include_str!("../../tests/fixtures/reference_003_input.json");
        let td = import(text).unwrap().task_definition;
        let pasted: Value = serde_json::from_str(text).unwrap();
        let exported: Value = serde_json::from_str(&request_json(&td)).unwrap();
        assert_eq!(exported, pasted);
    }

    #[test]
    fn cli_writes_the_request_and_registers_it() {
        let td = reference_000();
        let cli = aws_cli(&td, Some("ap-northeast-1"));
        assert!(cli.starts_with("cat > task-definition.json <<'EOF'\n{\n"));
        assert!(cli.contains(&request_json(&td)));
        assert!(cli.contains("aws ecs register-task-definition \\\n  --region ap-northeast-1 \\\n  --cli-input-json file://task-definition.json"));
        assert!(!aws_cli(&td, None).contains("--region"));
        assert!(aws_cli(&td, Some("x; rm -rf ~")).contains("--region 'x; rm -rf ~'"));
    }

    #[test]
    fn no_value_can_end_the_heredoc() {
        let mut td = reference_000();
        td.family = "EOF".into();
        td.container_definitions[0].command = vec!["\nEOF\n".into(), "EOF".into()];
        let cli = aws_cli(&td, None);
        assert_eq!(cli.lines().filter(|line| *line == "EOF").count(), 1);
    }

    #[test]
    fn terraform_declares_the_same_definition() {
        let mut td = reference_000();
        td.tags.push(crate::model::task_definition::Tag {
            key: "Name".into(),
            value: "${x}".into(),
        });
        td.volumes.push(crate::model::task_definition::Volume {
            name: Some("data".into()),
            efs_volume_configuration: Some(crate::model::task_definition::EfsVolumeConfiguration {
                file_system_id: "fs-1".into(),
                ..Default::default()
            }),
            ..Default::default()
        });
        let hcl = terraform(&td);
        assert!(hcl.starts_with(
            "resource \"aws_ecs_task_definition\" \"zenn_clone_task_definition_backend\" {\n"
        ));
        assert!(
            hcl.contains("  family                   = \"zenn-clone-task-definition-backend\"\n")
        );
        assert!(hcl.contains("  requires_compatibilities = [\"FARGATE\"]\n"));
        assert!(hcl.contains("  cpu                      = \"256\"\n"));
        assert!(hcl.contains("  container_definitions    = jsonencode([\n"));
        assert!(hcl.contains("\"awslogs-group\" = \"/ecs/zenn-clone-task-definition-backend\""));
        assert!(hcl.contains("containerName = \"rails\""));
        assert!(hcl.contains("  runtime_platform {\n    cpu_architecture = \"X86_64\"\n    operating_system_family = \"LINUX\"\n  }\n"));
        assert!(hcl.contains("  volume {\n    name = \"data\"\n\n    efs_volume_configuration {\n      file_system_id = \"fs-1\"\n    }\n  }\n"));
        assert!(hcl.contains("    \"Name\" = \"$${x}\"\n"), "{hcl}");
        assert_eq!(hcl.matches('{').count(), hcl.matches('}').count());
    }
}
