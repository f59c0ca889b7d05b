//! Step 2, "Containers": one to ten, each with image, ports, resources,
//! environment, secrets, command, logging, health check and start order.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};

use super::account::{self, Suggestion};
use super::step::{Shape, WizardStep};
use super::{Step, StepLink, decode, step_links};
use crate::model::advanced;
use crate::model::container::ContainerDefinition;
use crate::model::defaults::new_container;
use crate::model::task_definition::TaskDefinition;
use crate::model::validate::{Issue, MAX_CONTAINERS, validate_containers};
use crate::store::Draft;
use crate::web::form::Choice;
use crate::web::form::{FormData, join_list};
use crate::web::listing::ReadNote;
use crate::web::messages::Messages;
use crate::web::page::Page;
use crate::web::state::AppState;

const PROTOCOLS: [(&str, &str); 2] = [("tcp", "TCP"), ("udp", "UDP")];
const APP_PROTOCOLS: [(&str, &str); 4] = [
    ("", "—"),
    ("http", "HTTP"),
    ("http2", "HTTP2"),
    ("grpc", "gRPC"),
];
const CONDITIONS: [(&str, &str); 4] = [
    ("START", "Start"),
    ("COMPLETE", "Complete"),
    ("SUCCESS", "Success"),
    ("HEALTHY", "Healthy"),
];

pub struct ContainersView {
    pub page: Page,
    pub steps: Vec<StepLink>,
    /// The account's images and log groups, offered in the pickers.
    pub images: Vec<Suggestion>,
    /// (name, URI) of the account's repositories, each with a Copy button.
    pub repository_uris: Vec<(String, String)>,
    pub log_groups: Vec<Suggestion>,
    /// When the pickers' roles, images and log groups were read.
    pub note: ReadNote,
    pub action_url: String,
    pub containers: Vec<ContainerView>,
    pub can_add: bool,
    pub errors: Messages,
}

pub struct ContainerView {
    pub number: usize,
    /// Field names start with this: `containerDefinitions.0.`
    pub p: String,
    /// The add/remove buttons' actions.
    pub add_port: String,
    pub add_env: String,
    pub add_secret: String,
    pub add_dependency: String,
    pub remove: String,
    pub name: String,
    pub image: String,
    pub essential: bool,
    pub ports: Vec<PortRow>,
    pub cpu: String,
    pub memory: String,
    pub memory_reservation: String,
    pub environment: Vec<PairRow>,
    pub secrets: Vec<PairRow>,
    pub entry_point: String,
    pub command: String,
    pub working_directory: String,
    pub log_collection: bool,
    pub log_group: String,
    pub log_region: String,
    pub log_stream_prefix: String,
    pub log_create_group: bool,
    pub health_command: String,
    pub health_interval: String,
    pub health_timeout: String,
    pub health_start_period: String,
    pub health_retries: String,
    pub depends_on: Vec<DependencyRow>,
    pub advanced: String,
}

pub struct PortRow {
    pub p: String,
    pub remove: String,
    pub container_port: String,
    pub host_port: String,
    pub protocols: Vec<Choice>,
    pub name: String,
    pub app_protocols: Vec<Choice>,
}

pub struct PairRow {
    pub p: String,
    pub remove: String,
    pub first: String,
    pub second: String,
}

pub struct DependencyRow {
    pub p: String,
    pub remove: String,
    pub containers: Vec<Choice>,
    pub conditions: Vec<Choice>,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_containers/page.html")]
pub struct ContainersPage {
    pub v: ContainersView,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_containers/partial.html")]
pub struct ContainersPartial {
    pub v: ContainersView,
}

pub struct Containers;

impl WizardStep for Containers {
    const STEP: Step = Step::Containers;

    fn decode(td: &mut TaskDefinition, form: &mut FormData, state: &AppState) -> Vec<Issue> {
        decode::containers(td, form, state.connection.region().unwrap_or_default())
    }

    fn check(td: &TaskDefinition) -> Vec<Issue> {
        validate_containers(td)
            .into_iter()
            .filter(|i| Step::owning(&i.path) == Step::Containers)
            .collect()
    }

    /// Such as a secret in a plain environment variable.
    fn advice(td: &TaskDefinition) -> Vec<Issue> {
        validate_containers(td)
            .into_iter()
            .filter(|i| !i.is_error())
            .collect()
    }

    /// A first visit shows one container to fill in.
    fn prepare(td: &mut TaskDefinition, state: &AppState, _query: &HashMap<String, String>) {
        if td.container_definitions.is_empty() {
            let region = state.connection.region().unwrap_or_default();
            td.container_definitions
                .push(new_container(&td.family, region));
        }
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
        let td = &draft.task_definition;
        // A fragment (a row added or removed) keeps the page's pickers and
        // warnings; only a whole page reads the account.
        let read = match shape {
            Shape::Page => account::facts(&state.connection, td).await,
            Shape::Fragment => None,
        };
        let note = read
            .as_ref()
            .map(|read| ReadNote::said_as(page.tr, read, "ui.suggestions_read"))
            .unwrap_or_default();
        let facts = read.as_ref().map(|read| read.value.as_ref());
        let mut issues = issues.to_vec();
        issues.extend(account::warnings(td, facts));
        let images = account::image_suggestions(facts, page.tr.t("ui.not_pushed"));
        let log_groups = account::log_group_suggestions(facts);
        // Text that did not parse is shown again as typed.
        let advanced_texts: Vec<(usize, String)> = posted
            .map(|form| {
                (0..td.container_definitions.len())
                    .filter_map(|i| {
                        Some((
                            i,
                            form.raw(&format!("containerDefinitions.{i}.advanced"))?
                                .to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut v = view(page, id, draft.version, td, &issues, &advanced_texts);
        v.images = images;
        v.repository_uris = facts
            .iter()
            .flat_map(|f| &f.repositories)
            .map(|r| (r.name.clone(), r.uri.clone()))
            .collect();
        v.log_groups = log_groups;
        v.note = note;
        match shape {
            Shape::Page => ContainersPage { v }.into_response(),
            Shape::Fragment => ContainersPartial { v }.into_response(),
        }
    }
}

fn view(
    page: Page,
    id: &str,
    version: i64,
    td: &TaskDefinition,
    issues: &[Issue],
    advanced_texts: &[(usize, String)],
) -> ContainersView {
    let names: Vec<&str> = td
        .container_definitions
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    ContainersView {
        images: Vec::new(),
        repository_uris: Vec::new(),
        log_groups: Vec::new(),
        note: ReadNote::default(),
        steps: step_links(page.tr, id, Step::Containers),
        action_url: Step::Containers.form_url(id, version),
        containers: td
            .container_definitions
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let advanced_text = advanced_texts
                    .iter()
                    .find(|(j, _)| *j == i)
                    .map(|(_, t)| t.clone());
                let awsvpc = td.network_mode.as_deref() == Some("awsvpc");
                container_view(i, c, &names, advanced_text, awsvpc)
            })
            .collect(),
        can_add: td.container_definitions.len() < MAX_CONTAINERS,
        errors: Messages::new(page.tr, issues),
        page,
    }
}

fn number(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn container_view(
    i: usize,
    c: &ContainerDefinition,
    names: &[&str],
    advanced_text: Option<String>,
    awsvpc: bool,
) -> ContainerView {
    let p = format!("containerDefinitions.{i}.");
    let row = |list: &str, j: usize| (format!("{p}{list}.{j}."), format!("remove:{p}{list}.{j}"));
    let awslogs = c.awslogs();
    let option = |key: &str| {
        awslogs
            .and_then(|l| l.options.get(key))
            .cloned()
            .unwrap_or_default()
    };
    let health = c.health_check.as_ref();
    let others: Vec<(&str, &str)> = names
        .iter()
        .filter(|n| **n != c.name)
        .map(|n| (*n, *n))
        .collect();
    ContainerView {
        number: i + 1,
        add_port: format!("add:{p}portMappings"),
        add_env: format!("add:{p}environment"),
        add_secret: format!("add:{p}secrets"),
        add_dependency: format!("add:{p}dependsOn"),
        remove: format!("remove:containerDefinitions.{i}"),
        name: c.name.clone(),
        image: c.image.clone(),
        essential: c.is_essential(),
        ports: c
            .port_mappings
            .iter()
            .enumerate()
            .map(|(j, m)| {
                let (p, remove) = row("portMappings", j);
                PortRow {
                    p,
                    remove,
                    container_port: number(m.container_port),
                    // Under awsvpc the host port is the container port: the
                    // field stays empty, as its help says (the request has it).
                    host_port: if awsvpc && m.host_port == m.container_port {
                        String::new()
                    } else {
                        number(m.host_port)
                    },
                    protocols: Choice::list(&PROTOCOLS, m.protocol.as_deref().unwrap_or("tcp")),
                    name: m.name.clone().unwrap_or_default(),
                    app_protocols: Choice::list(
                        &APP_PROTOCOLS,
                        m.app_protocol.as_deref().unwrap_or_default(),
                    ),
                }
            })
            .collect(),
        cpu: number(c.cpu),
        memory: number(c.memory),
        memory_reservation: number(c.memory_reservation),
        environment: c
            .environment
            .iter()
            .enumerate()
            .map(|(j, e)| {
                let (p, remove) = row("environment", j);
                PairRow {
                    p,
                    remove,
                    first: e.name.clone().unwrap_or_default(),
                    second: e.value.clone().unwrap_or_default(),
                }
            })
            .collect(),
        secrets: c
            .secrets
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let (p, remove) = row("secrets", j);
                PairRow {
                    p,
                    remove,
                    first: s.name.clone(),
                    second: s.value_from.clone(),
                }
            })
            .collect(),
        entry_point: join_list(&c.entry_point),
        command: join_list(&c.command),
        working_directory: c.working_directory.clone().unwrap_or_default(),
        log_collection: awslogs.is_some(),
        log_group: option("awslogs-group"),
        log_region: option("awslogs-region"),
        log_stream_prefix: option("awslogs-stream-prefix"),
        log_create_group: option("awslogs-create-group") == "true",
        health_command: health.map(|h| join_list(&h.command)).unwrap_or_default(),
        health_interval: number(health.and_then(|h| h.interval)),
        health_timeout: number(health.and_then(|h| h.timeout)),
        health_start_period: number(health.and_then(|h| h.start_period)),
        health_retries: number(health.and_then(|h| h.retries)),
        depends_on: c
            .depends_on
            .iter()
            .enumerate()
            .map(|(j, d)| {
                let (p, remove) = row("dependsOn", j);
                let mut containers = Choice::list(&others, &d.container_name);
                if !d.container_name.is_empty() && !containers.iter().any(|c| c.selected) {
                    let name = d.container_name.clone();
                    containers.insert(
                        0,
                        Choice {
                            value: name.clone(),
                            label: name,
                            selected: true,
                        },
                    );
                }
                DependencyRow {
                    p,
                    remove,
                    containers,
                    conditions: Choice::list(&CONDITIONS, &d.condition),
                }
            })
            .collect(),
        advanced: advanced_text.unwrap_or_else(|| advanced::container_text(c)),
        p,
    }
}
