//! Clusters: the "Create cluster" wizard (AWS Fargate) and the clusters page
//! with each cluster's services and tasks.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use super::create::{self, CreateWizard, FormCommon, FormWizard};
use super::form::{Context, FormData, decode_tags};
use super::listing::{Listing, PageQuery, listing};
use super::page::Page;
use super::route::{Routes, get, viewer};
use super::state::AppState;
use crate::aws::{Aws, Connection, CreateError, Created, Undo};
use crate::deploy::RunJournal;
use crate::deploy::resource_run;
use crate::deploy::runner::Retry;
use crate::model::account::ClusterSummary;
use crate::model::cluster::Cluster;
use crate::model::resource::Resource;
use crate::model::scanner::{self, Flagged};

pub fn routes() -> Routes {
    Routes::new()
        .route("/clusters", get(viewer(list)))
        .merge(create::routes::<Cluster>())
}

#[derive(Template, WebTemplate)]
#[template(path = "clusters/form.html")]
pub struct ClusterForm {
    pub v: FormCommon,
    pub cluster_name: String,
    pub container_insights: bool,
}

impl FormWizard for Cluster {
    const KIND: &'static str = "clusters";

    fn start(_context: &Context, query: &HashMap<String, String>) -> Self {
        Cluster {
            cluster_name: query.get("name").cloned().unwrap_or_default(),
            ..Cluster::default()
        }
    }

    fn decode(form: &mut FormData, _context: &Context) -> Self {
        Cluster {
            cluster_name: form.text("clusterName"),
            container_insights: form.checked("containerInsights"),
            tags: decode_tags(form),
        }
    }

    fn title(&self) -> &'static str {
        "ui.create_cluster"
    }

    /// The form offers nothing read from the account.
    type Facts = ();

    async fn read_facts(&self, _connection: &Connection) {}

    fn render_form(&self, v: FormCommon, _facts: ()) -> Response {
        ClusterForm {
            v,
            cluster_name: self.cluster_name.clone(),
            container_insights: self.container_insights,
        }
        .into_response()
    }
}

impl CreateWizard for Cluster {
    fn flagged(&self) -> Vec<Flagged> {
        scanner::cluster(self)
    }

    fn resource_url(&self) -> String {
        "/clusters".to_string()
    }

    async fn create(&self, aws: &Aws, log: &RunJournal) -> Result<Created, CreateError> {
        // AWS answers CreateCluster on an existing name with that cluster:
        // an active one is said to exist (finishing a cut-off run adopts it).
        if !log.resuming() && aws.find_cluster(&self.cluster_name).await?.is_some() {
            return Err(CreateError::AlreadyExists);
        }
        resource_run::create(aws, self.api_calls(), log, &Retry::STANDARD).await
    }

    async fn remove(&self, aws: &Aws, log: &RunJournal) -> Vec<Undo> {
        resource_run::remove(aws, self.api_calls(), log, &Retry::STANDARD).await
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "clusters/list.html")]
pub struct ClustersPage {
    pub v: Listing<ClusterSummary>,
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<PageQuery>,
) -> Response {
    let fetched = match state.connection.aws() {
        Some(aws) => Some(aws.clusters_page(query.token()).await),
        None => None,
    };
    ClustersPage {
        v: listing(page, "/clusters", &query, fetched, ClusterSummary::clone),
    }
    .into_response()
}
