//! Step 3, "Storage": volumes, which containers mount them where, and which
//! containers take volumes from another (reference 000: nginx from rails).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::{
    Choice, Go, Step, StepLink, after_save, decode, load, rows, step_links, unprocessable,
};
use crate::spec::task_definition::{TaskDefinition, Volume};
use crate::spec::validate::validate;
use crate::web::error::AppResult;
use crate::web::form::{Action, FormData};
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

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load(&state.store, &id)?;
    Ok(StoragePage {
        v: view(page, &id, &draft.task_definition, Messages::default()),
    }
    .into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut draft = load(&state.store, &id)?;
    let mut form = FormData::new(pairs);
    let action = form.action();
    let region = state.connection.region().unwrap_or_default().to_string();
    let mut issues = decode::storage(&mut draft.task_definition, &mut form);
    rows::apply(&mut draft.task_definition, &action, &region);
    if matches!(action, Action::Next | Action::Back) {
        rows::prune_empty(&mut draft.task_definition);
    }
    if action == Action::Next {
        issues.extend(
            validate(&draft.task_definition)
                .into_iter()
                .filter(|i| Step::owning(&i.path) == Step::Storage),
        );
    }
    state.store.save_draft(&id, &draft)?;
    let td = &draft.task_definition;
    if issues.iter().any(|i| i.is_error()) {
        let errors = Messages::new(page.tr, &issues);
        return Ok(unprocessable(
            StoragePage {
                v: view(page, &id, td, errors),
            }
            .into_response(),
        ));
    }
    let go = match action {
        Action::Next => Go::Next,
        Action::Back => Go::Back,
        _ => Go::Stay,
    };
    Ok(after_save(&headers, &id, Step::Storage, go, || {
        StoragePartial {
            v: view(page, &id, td, Messages::default()),
        }
        .into_response()
    }))
}

fn view(page: Page, id: &str, td: &TaskDefinition, errors: Messages) -> StorageView {
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
        action_url: Step::Storage.url(id),
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
