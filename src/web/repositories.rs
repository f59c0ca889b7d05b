//! ECR repositories: the "Create repository" wizard, the repositories page
//! with each one's images, and "View push commands".

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use super::create::{self, CreateWizard, FormCommon, FormWizard};
use super::error::{AppError, AppResult};
use super::form::Choice;
use super::form::{Context, FormData, decode_tags};
use super::listing::{Listing, PageQuery, listing};
use super::page::Page;
use super::route::{Routes, get, viewer};
use super::state::AppState;
use crate::aws::{Aws, Connection, CreateError, Created, Undo};
use crate::deploy::RunJournal;
use crate::deploy::resource_run;
use crate::deploy::runner::Retry;
use crate::model::account::RepositorySummary;
use crate::model::api_call::ACCOUNT_PLACEHOLDER;
use crate::model::repository::{
    Encryption, PushCommands, Repository, check_repository_name, is_image_tag, push_commands,
};
use crate::model::resource::Resource;
use crate::model::scanner::{self, Flagged};

pub fn routes() -> Routes {
    Routes::new()
        .route("/repositories", get(viewer(list)))
        .route("/repositories/push-commands", get(viewer(push)))
        .merge(create::routes::<Repository>())
}

#[derive(Template, WebTemplate)]
#[template(path = "repositories/form.html")]
pub struct RepositoryForm {
    pub v: FormCommon,
    pub repository_name: String,
    pub registry: String,
    pub immutable_tags: bool,
    pub scan_on_push: bool,
    pub encryptions: Vec<Choice>,
    pub kms_key: String,
}

impl FormWizard for Repository {
    const KIND: &'static str = "repositories";

    fn start(_context: &Context, query: &HashMap<String, String>) -> Self {
        Repository {
            repository_name: query.get("name").cloned().unwrap_or_default(),
            // Costs nothing (basic scanning) and names known CVEs in each
            // pushed image: on unless unticked.
            scan_on_push: true,
            ..Repository::default()
        }
    }

    fn decode(form: &mut FormData, _context: &Context) -> Self {
        Repository {
            repository_name: form.text("repositoryName"),
            immutable_tags: form.checked("immutableTags"),
            scan_on_push: form.checked("scanOnPush"),
            encryption: match form.text("encryption").as_str() {
                "KMS" => Encryption::Kms,
                _ => Encryption::Aes256,
            },
            kms_key: form.text("kmsKey"),
            tags: decode_tags(form),
        }
    }

    fn title(&self) -> &'static str {
        "ui.create_repository"
    }

    /// The form offers nothing read from the account.
    type Facts = ();

    async fn read_facts(&self, _connection: &Connection) {}

    fn render_form(&self, v: FormCommon, _facts: ()) -> Response {
        let current = match self.encryption {
            Encryption::Aes256 => "AES256",
            Encryption::Kms => "KMS",
        };
        RepositoryForm {
            registry: registry(&v.page),
            repository_name: self.repository_name.clone(),
            immutable_tags: self.immutable_tags,
            scan_on_push: self.scan_on_push,
            encryptions: Choice::list(&[("AES256", "AES-256"), ("KMS", "AWS KMS")], current),
            kms_key: self.kms_key.clone(),
            v,
        }
        .into_response()
    }
}

impl CreateWizard for Repository {
    fn flagged(&self) -> Vec<Flagged> {
        scanner::repository(self)
    }

    fn resource_url(&self) -> String {
        push_url(&self.repository_name)
    }

    fn next_step(&self) -> Option<(&'static str, String)> {
        Some(("ui.next_push_image", push_url(&self.repository_name)))
    }

    async fn create(&self, aws: &Aws, log: &RunJournal) -> Result<Created, CreateError> {
        resource_run::create(aws, self.api_calls(), log, &Retry::STANDARD).await
    }

    async fn remove(&self, aws: &Aws, log: &RunJournal) -> Vec<Undo> {
        resource_run::remove(aws, self.api_calls(), log, &Retry::STANDARD).await
    }
}

fn push_url(name: &str) -> String {
    let query = serde_urlencoded::to_string([("name", name)]).unwrap_or_default();
    format!("/repositories/push-commands?{query}")
}

/// The account's registry host; a shell variable in preview mode, as reference 002 writes it.
fn registry(page: &Page) -> String {
    let account = if page.account.is_empty() {
        ACCOUNT_PLACEHOLDER
    } else {
        page.account.as_str()
    };
    format!("{account}.dkr.ecr.{}.amazonaws.com", page.region)
}

pub struct RepositoryLine {
    pub name: String,
    pub uri: String,
    pub push_url: String,
    pub images: Vec<ImageLine>,
}

pub struct ImageLine {
    pub tags: String,
    pub digest: String,
    /// `sha256:e3b0c44298fc…`: enough to tell images apart; the whole
    /// digest is its title.
    pub short_digest: String,
    pub pushed_at: String,
    pub size: String,
}

impl From<&RepositorySummary> for RepositoryLine {
    fn from(repository: &RepositorySummary) -> Self {
        Self {
            push_url: push_url(&repository.name),
            images: repository
                .images
                .iter()
                .flatten()
                .cloned()
                .map(|image| ImageLine {
                    tags: image.tags.join(", "),
                    short_digest: match image.digest.get(..19) {
                        Some(start) if image.digest.len() > 19 => format!("{start}…"),
                        _ => image.digest.clone(),
                    },
                    digest: image.digest,
                    pushed_at: image.pushed_at,
                    size: readable_size(image.size_bytes),
                })
                .collect(),
            name: repository.name.clone(),
            uri: repository.uri.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "repositories/list.html")]
pub struct RepositoriesPage {
    pub v: Listing<RepositoryLine>,
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<PageQuery>,
) -> Response {
    let fetched = match state.connection.aws() {
        Some(aws) => Some(aws.repositories_page(query.token()).await),
        None => None,
    };
    RepositoriesPage {
        v: listing(page, "/repositories", &query, fetched, |r| {
            RepositoryLine::from(r)
        }),
    }
    .into_response()
}

#[derive(serde::Deserialize)]
pub struct PushQuery {
    name: String,
    #[serde(default)]
    tag: Option<String>,
}

pub struct PushView {
    pub page: Page,
    pub name: String,
    pub uri: String,
    pub commands: PushCommands,
    /// Set in preview mode: the account is a shell variable to fill in.
    pub placeholder: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "repositories/push.html")]
pub struct PushPage {
    pub v: PushView,
}

/// "View push commands", filled with the repository's real URI.
pub async fn push(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<PushQuery>,
) -> AppResult<Response> {
    let tag = query
        .tag
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "latest".into());
    // These go into commands a beginner pastes into a terminal.
    let mut issues = Vec::new();
    check_repository_name(&mut issues, "name", &query.name);
    if !issues.is_empty() || !is_image_tag(&tag) {
        return Err(AppError::BadRequest);
    }
    let (uri, placeholder) = match state.connection.aws() {
        Some(aws) => match aws.repository_uri(&query.name).await {
            Ok(Some(uri)) => (uri, false),
            Ok(None) => return Err(AppError::NotFound),
            Err(error) => {
                return Ok(super::refusal::refused(
                    page,
                    error,
                    Vec::new(),
                    "/repositories".into(),
                ));
            }
        },
        None => (format!("{}/{}", registry(&page), query.name), true),
    };
    let commands = push_commands(&uri, &page.region, &tag);
    Ok(PushPage {
        v: PushView {
            page,
            name: query.name,
            uri,
            commands,
            placeholder,
        },
    }
    .into_response())
}

/// `512 KB` below a megabyte, `41.3 MB` above: never `0.0 MB`.
fn readable_size(bytes: i64) -> String {
    if bytes < 1_000_000 {
        format!("{} KB", (bytes + 999) / 1000)
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}

#[cfg(test)]
mod size_tests {
    use super::readable_size;

    #[test]
    fn sizes_below_a_megabyte_are_in_kilobytes() {
        assert_eq!(readable_size(523_000), "523 KB");
        assert_eq!(readable_size(1), "1 KB");
        assert_eq!(readable_size(41_300_000), "41.3 MB");
    }
}
