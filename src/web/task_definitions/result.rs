//! Step 5, "Result": the registered revision as AWS returned it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use crate::store::Store;
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;
use crate::web::service_drafts::{self, ServiceDraftLine};

pub struct ResultView {
    pub page: Page,
    pub arn: String,
    pub family_revision: String,
    pub definition: String,
    pub draft_url: String,
    /// `taskDefinition=web%3A7`: the service wizard, with this revision chosen.
    pub service_query: String,
    /// Open service drafts this revision can be chosen in.
    pub service_drafts: Vec<ServiceDraftLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "td_result/page.html")]
pub struct ResultPage {
    pub v: ResultView,
}

pub async fn show(
    State(store): State<Store>,
    page: Page,
    Path(id): Path<i64>,
) -> AppResult<ResultPage> {
    let registration = store.registration(id).await?.ok_or(AppError::NotFound)?;
    let definition = registration
        .response
        .get("taskDefinition")
        .unwrap_or(&registration.response);
    let family_revision = format!("{}:{}", registration.family, registration.revision);
    let service_drafts = service_drafts::offered(&store, page.tr, &family_revision).await?;
    Ok(ResultPage {
        v: ResultView {
            service_drafts,
            page,
            arn: registration.arn.clone(),
            service_query: serde_urlencoded::to_string([("taskDefinition", &family_revision)])
                .unwrap_or_default(),
            family_revision,
            definition: serde_json::to_string_pretty(definition).unwrap_or_default(),
            draft_url: format!(
                "/task-definitions/drafts/{}/configure",
                registration.draft_id
            ),
        },
    })
}
