//! Step 1, "Task definition configuration": family, launch type, platform,
//! network mode, task size, roles, ephemeral storage, tags, advanced JSON.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};

use super::decode::{self, AccountHint};
use super::step::{Shape, WizardStep};
use super::{Step, StepLink, step_links};
use crate::model::account::RoleSummary;
use crate::model::fargate;
use crate::model::role::is_role_name;
use crate::model::validate::{Issue, validate_task};
use crate::model::{advanced, task_definition::TaskDefinition};
use crate::store::Draft;
use crate::web::form::Choice;
use crate::web::form::FormData;
use crate::web::form::{Context, TagRow, tag_rows};
use crate::web::messages::Messages;
use crate::web::page::Page;
use crate::web::state::AppState;

/// Launch types and the catalog keys of their names.
const LAUNCH_TYPES: [(&str, &str); 2] = [("FARGATE", "ui.fargate"), ("EC2", "ui.ec2_instances")];
const PLATFORMS: [(&str, &str); 6] = [
    ("LINUX/X86_64", "Linux/X86_64"),
    ("LINUX/ARM64", "Linux/ARM64"),
    (
        "WINDOWS_SERVER_2022_CORE/X86_64",
        "Windows Server 2022 Core/X86_64",
    ),
    (
        "WINDOWS_SERVER_2022_FULL/X86_64",
        "Windows Server 2022 Full/X86_64",
    ),
    (
        "WINDOWS_SERVER_2019_CORE/X86_64",
        "Windows Server 2019 Core/X86_64",
    ),
    (
        "WINDOWS_SERVER_2019_FULL/X86_64",
        "Windows Server 2019 Full/X86_64",
    ),
];
const NETWORK_MODES: [(&str, &str); 4] = [
    ("awsvpc", "awsvpc"),
    ("bridge", "bridge"),
    ("host", "host"),
    ("none", "none"),
];

pub struct ConfigureView {
    pub page: Page,
    pub steps: Vec<StepLink>,
    pub action_url: String,
    pub family: String,
    pub launch_types: Vec<Choice>,
    pub platforms: Vec<Choice>,
    pub network_modes: Vec<Choice>,
    pub cpus: Vec<Choice>,
    pub memories: Vec<Choice>,
    pub task_role_arn: String,
    pub execution_role_arn: String,
    pub roles: Vec<RoleSummary>,
    pub ephemeral_storage: String,
    pub tags: Vec<TagRow>,
    pub advanced: String,
    pub dropped: String,
    pub errors: Messages,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_configure/page.html")]
pub struct ConfigurePage {
    pub v: ConfigureView,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_configure/partial.html")]
pub struct ConfigurePartial {
    pub v: ConfigureView,
}

pub struct Configure;

impl WizardStep for Configure {
    const STEP: Step = Step::Configure;

    fn decode(td: &mut TaskDefinition, form: &mut FormData, state: &AppState) -> Vec<Issue> {
        let context = Context::of(&state.connection);
        decode::configure(td, form, AccountHint::of(&context))
    }

    /// The role wizard, for a role this draft lacks; its result comes back.
    fn go_url(id: &str, place: &str) -> Option<String> {
        let kind = match place {
            "new-execution-role" => "execution",
            "new-task-role" => "task",
            _ => return None,
        };
        Some(format!("/roles/new?kind={kind}&for={id}"))
    }

    /// A role just made for this draft (`?executionRole=NAME`, the role
    /// wizard's way back) fills its empty field.
    fn prepare(td: &mut TaskDefinition, state: &AppState, query: &HashMap<String, String>) {
        let context = Context::of(&state.connection);
        let account = AccountHint::of(&context);
        for (key, field) in [
            ("executionRole", &mut td.execution_role_arn),
            ("taskRole", &mut td.task_role_arn),
        ] {
            if let Some(name) = query.get(key).filter(|n| is_role_name(n))
                && field.as_deref().is_none_or(str::is_empty)
            {
                *field = Some(decode::role_arn(name.clone(), account.as_ref()));
            }
        }
    }

    fn check(td: &TaskDefinition) -> Vec<Issue> {
        validate_task(td)
    }

    async fn render(
        state: &AppState,
        page: Page,
        id: &str,
        draft: &Draft,
        issues: &[Issue],
        posted: Option<&FormData>,
        shape: Shape,
    ) -> Response {
        let errors = Messages::new(page.tr, issues);
        let advanced = posted.and_then(|f| f.raw("advanced")).map(str::to_string);
        let v = view(state, page, id, draft, errors, advanced).await;
        match shape {
            Shape::Page => ConfigurePage { v }.into_response(),
            Shape::Fragment => ConfigurePartial { v }.into_response(),
        }
    }
}

#[derive(serde::Deserialize)]
pub struct MemoryQuery {
    cpu: String,
    #[serde(default)]
    memory: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_configure/memory_options.html")]
pub struct MemoryOptions {
    pub memories: Vec<Choice>,
}

/// The memory `<option>`s valid for the CPU just chosen (htmx swaps them in).
/// The memory list after the CPU changed: only the sizes it allows, the
/// nearest to the one chosen before selected.
pub async fn memory_options(Query(query): Query<MemoryQuery>) -> MemoryOptions {
    let options = fargate::parse_cpu(&query.cpu)
        .map(fargate::memory_options)
        .unwrap_or_default();
    let nearest = fargate::closest(&options, fargate::parse_memory(&query.memory))
        .map(|size| size.to_string())
        .unwrap_or_default();
    MemoryOptions {
        memories: memory_choices(&query.cpu, &nearest),
    }
}

async fn view(
    state: &AppState,
    page: Page,
    id: &str,
    draft: &Draft,
    errors: Messages,
    advanced_text: Option<String>,
) -> ConfigureView {
    let td: &TaskDefinition = &draft.task_definition;
    // The pickers are a convenience; a failure to list leaves a plain text
    // field. Only roles ECS tasks can assume would work, so only they are offered.
    let roles = match state.connection.aws() {
        Some(aws) => aws.picker_roles().await.map_or_else(
            |_| Vec::new(),
            |read| {
                let roles = read.value.items.iter();
                roles.filter(|r| r.trusts_ecs_tasks()).cloned().collect()
            },
        ),
        None => Vec::new(),
    };
    let platform = td
        .runtime_platform
        .as_ref()
        .map(|p| {
            format!(
                "{}/{}",
                p.operating_system_family.as_deref().unwrap_or_default(),
                p.cpu_architecture.as_deref().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let cpu = td.cpu.clone().unwrap_or_default();
    let dropped = if draft.import_dropped.is_empty() {
        String::new()
    } else {
        page.tr.fmt(
            "imp.dropped",
            &[("fields", draft.import_dropped.join(", "))],
        )
    };
    ConfigureView {
        steps: step_links(page.tr, id, Step::Configure),
        action_url: Step::Configure.form_url(id, draft.version),
        family: td.family.clone(),
        launch_types: Choice::list(
            &LAUNCH_TYPES.map(|(value, key)| (value, page.tr.t(key))),
            td.requires_compatibilities
                .first()
                .map_or("", String::as_str),
        ),
        platforms: Choice::list(&PLATFORMS, &platform),
        network_modes: Choice::list(
            &NETWORK_MODES,
            td.network_mode.as_deref().unwrap_or_default(),
        ),
        cpus: cpu_choices(&cpu),
        memories: memory_choices(&cpu, td.memory.as_deref().unwrap_or_default()),
        task_role_arn: td.task_role_arn.clone().unwrap_or_default(),
        // With exactly one role ECS tasks can assume, it is the one to use.
        execution_role_arn: td.execution_role_arn.clone().unwrap_or_else(|| {
            match roles.as_slice() {
                [only] => only.arn.clone(),
                _ => String::new(),
            }
        }),
        roles,
        ephemeral_storage: td
            .ephemeral_storage
            .as_ref()
            .map(|e| e.size_in_gib.to_string())
            .unwrap_or_default(),
        tags: tag_rows(&td.tags),
        advanced: advanced_text.unwrap_or_else(|| advanced::task_text(td)),
        dropped,
        errors,
        page,
    }
}

/// Fargate's CPU values.
fn cpu_choices(current: &str) -> Vec<Choice> {
    size_choices(
        &fargate::CPU_OPTIONS,
        current,
        fargate::parse_cpu,
        fargate::cpu_label,
    )
}

/// The memory sizes Fargate allows for `cpu`.
fn memory_choices(cpu: &str, current: &str) -> Vec<Choice> {
    let options = fargate::parse_cpu(cpu)
        .map(fargate::memory_options)
        .unwrap_or_default();
    size_choices(
        &options,
        current,
        fargate::parse_memory,
        fargate::memory_label,
    )
}

/// Options in the console's units; a current value that is not one of them (an
/// import, an EC2 size) stays offered and selected, so nothing changes silently.
fn size_choices(
    options: &[u32],
    current: &str,
    parse: fn(&str) -> Option<u32>,
    label: fn(u32) -> String,
) -> Vec<Choice> {
    let selected = parse(current);
    let mut choices: Vec<Choice> = options
        .iter()
        .map(|size| Choice {
            value: size.to_string(),
            label: label(*size),
            selected: selected == Some(*size),
        })
        .collect();
    if !current.is_empty() && !choices.iter().any(|c| c.selected) {
        choices.insert(
            0,
            Choice {
                value: current.to_string(),
                label: current.to_string(),
                selected: true,
            },
        );
    }
    choices
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_valid_fargate_memory_is_offered_for_the_cpu() {
        let labels: Vec<String> = memory_choices("256", "")
            .into_iter()
            .map(|c| c.label)
            .collect();
        assert_eq!(labels, [".5 GB", "1 GB", "2 GB"]);
        let choices = memory_choices("256", "4096");
        assert!(
            choices[0].selected && choices[0].value == "4096",
            "an invalid imported value stays visible"
        );
        assert_eq!(cpu_choices("256").iter().filter(|c| c.selected).count(), 1);
    }
}
