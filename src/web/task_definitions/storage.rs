//! Step 3, "Storage": volumes, which containers mount them where, and which
//! containers take volumes from another (reference 000: nginx from rails).

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};

use super::step::{Shape, WizardStep};
use super::{Step, StepLink, decode, step_links};
use crate::model::task_definition::{TaskDefinition, Volume};
use crate::model::validate::{Issue, validate};
use crate::store::Draft;
use crate::web::form::Choice;
use crate::web::form::FormData;
use crate::web::messages::Messages;
use crate::web::page::Page;
use crate::web::state::AppState;

pub struct StorageView {
    pub page: Page,
    pub steps: Vec<StepLink>,
    pub action_url: String,
    pub volumes: Vec<VolumeRow>,
    pub mounts: Vec<MountRow>,
    pub froms: Vec<FromRow>,
    pub has_containers: bool,
    pub errors: Messages,
}

pub struct VolumeRow {
    pub p: String,
    pub remove: String,
    pub name: String,
    pub config: String,
}

/// A row of the flat list; `model` is its path in the request, where
/// validation files its messages.
pub struct MountRow {
    pub p: String,
    pub model: String,
    pub remove: String,
    pub containers: Vec<Choice>,
    pub volumes: Vec<Choice>,
    pub container_path: String,
    pub read_only: bool,
}

pub struct FromRow {
    pub p: String,
    pub model: String,
    pub remove: String,
    pub containers: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub read_only: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_storage/page.html")]
pub struct StoragePage {
    pub v: StorageView,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_storage/partial.html")]
pub struct StoragePartial {
    pub v: StorageView,
}

pub struct Storage;

impl WizardStep for Storage {
    const STEP: Step = Step::Storage;

    fn decode(td: &mut TaskDefinition, form: &mut FormData, _state: &AppState) -> Vec<Issue> {
        decode::storage(td, form)
    }

    fn check(td: &TaskDefinition) -> Vec<Issue> {
        validate(td)
            .into_iter()
            .filter(|i| Step::owning(&i.path) == Step::Storage)
            .collect()
    }

    async fn render(
        _state: &AppState,
        page: Page,
        id: &str,
        draft: &Draft,
        issues: &[Issue],
        _posted: Option<&FormData>,
        shape: Shape,
    ) -> Response {
        let errors = Messages::new(page.tr, issues);
        let v = view(page, id, draft.version, &draft.task_definition, errors);
        match shape {
            Shape::Page => StoragePage { v }.into_response(),
            Shape::Fragment => StoragePartial { v }.into_response(),
        }
    }
}

fn view(page: Page, id: &str, version: i64, td: &TaskDefinition, errors: Messages) -> StorageView {
    let names: Vec<(&str, &str)> = td
        .container_definitions
        .iter()
        .map(|c| (c.name.as_str(), c.name.as_str()))
        .collect();
    let volume_names: Vec<(&str, &str)> = td
        .volumes
        .iter()
        .filter_map(|v| v.name.as_deref())
        .map(|n| (n, n))
        .collect();
    let mut mounts = Vec::new();
    let mut froms = Vec::new();
    for (i, c) in td.container_definitions.iter().enumerate() {
        for (j, mount) in c.mount_points.iter().enumerate() {
            let k = mounts.len();
            mounts.push(MountRow {
                p: format!("mountPoints.{k}."),
                model: format!("containerDefinitions.{i}.mountPoints.{j}."),
                remove: format!("remove:mountPoints.{k}"),
                containers: Choice::list(&names, &c.name),
                volumes: with_current(Choice::list(
                    &volume_names,
                    mount.source_volume.as_deref().unwrap_or_default(),
                )),
                container_path: mount.container_path.clone().unwrap_or_default(),
                read_only: mount.read_only.unwrap_or(false),
            });
        }
        for (j, from) in c.volumes_from.iter().enumerate() {
            let k = froms.len();
            froms.push(FromRow {
                p: format!("volumesFrom.{k}."),
                model: format!("containerDefinitions.{i}.volumesFrom.{j}."),
                remove: format!("remove:volumesFrom.{k}"),
                containers: Choice::list(&names, &c.name),
                sources: Choice::list(&names, from.source_container.as_deref().unwrap_or_default()),
                read_only: from.read_only.unwrap_or(false),
            });
        }
    }
    StorageView {
        steps: step_links(page.tr, id, Step::Storage),
        action_url: Step::Storage.form_url(id, version),
        volumes: td
            .volumes
            .iter()
            .enumerate()
            .map(|(i, v)| volume_row(i, v))
            .collect(),
        mounts,
        froms,
        has_containers: !td.container_definitions.is_empty(),
        errors,
        page,
    }
}

/// An empty first choice, so a new row does not silently pick a volume.
fn with_current(mut choices: Vec<Choice>) -> Vec<Choice> {
    let none_selected = !choices.iter().any(|c| c.selected);
    choices.insert(
        0,
        Choice {
            value: String::new(),
            label: "—".into(),
            selected: none_selected,
        },
    );
    choices
}

fn volume_row(i: usize, volume: &Volume) -> VolumeRow {
    let mut rest = serde_json::to_value(volume).unwrap_or_default();
    if let Some(map) = rest.as_object_mut() {
        map.remove("name");
    }
    let config = match &rest {
        serde_json::Value::Object(map) if !map.is_empty() => {
            serde_json::to_string_pretty(&rest).unwrap_or_default()
        }
        _ => String::new(),
    };
    VolumeRow {
        p: format!("volumes.{i}."),
        remove: format!("remove:volumes.{i}"),
        name: volume.name.clone().unwrap_or_default(),
        config,
    }
}
