//! CloudWatch log groups: the "Create log group" wizard (name and retention)
//! and the log groups page.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use super::create::{self, CreateWizard, FormCommon, FormWizard};
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
use crate::model::account::LogGroupSummary;
use crate::model::log_group::{LogGroup, RETENTION_DAYS};
use crate::model::resource::Resource;
use crate::model::scanner::{self, Flagged};

/// Reference 004 keeps logs 180 days; forever is a choice, not a default.
const DEFAULT_RETENTION: u32 = 180;

pub fn routes() -> Routes {
    Routes::new()
        .route("/log-groups", get(viewer(list)))
        .merge(create::routes::<LogGroup>())
}

#[derive(Template, WebTemplate)]
#[template(path = "log_groups/form.html")]
pub struct LogGroupForm {
    pub v: FormCommon,
    pub log_group_name: String,
    pub retentions: Vec<Choice>,
}

impl FormWizard for LogGroup {
    const KIND: &'static str = "log-groups";

    fn start(_context: &Context, query: &HashMap<String, String>) -> Self {
        LogGroup {
            log_group_name: query.get("name").cloned().unwrap_or_default(),
            retention_in_days: Some(DEFAULT_RETENTION),
            tags: Vec::new(),
        }
    }

    fn decode(form: &mut FormData, _context: &Context) -> Self {
        let retention = form.int("retentionInDays");
        LogGroup {
            log_group_name: form.text("logGroupName"),
            retention_in_days: retention.and_then(|d| u32::try_from(d).ok()),
            tags: decode_tags(form),
        }
    }

    fn title(&self) -> &'static str {
        "ui.create_log_group"
    }

    /// The form offers nothing read from the account.
    type Facts = ();

    async fn read_facts(&self, _connection: &Connection) {}

    fn render_form(&self, v: FormCommon, _facts: ()) -> Response {
        let current = self
            .retention_in_days
            .map(|d| d.to_string())
            .unwrap_or_default();
        let never = v.page.tr.t("ui.never_expire").to_string();
        let mut retentions = vec![Choice {
            value: String::new(),
            label: never,
            selected: current.is_empty(),
        }];
        retentions.extend(RETENTION_DAYS.iter().map(|days| {
            Choice {
                value: days.to_string(),
                label: v
                    .page
                    .tr
                    .fmt(days_key(i64::from(*days)), &[("days", days.to_string())]),
                selected: days.to_string() == current,
            }
        }));
        LogGroupForm {
            v,
            log_group_name: self.log_group_name.clone(),
            retentions,
        }
        .into_response()
    }
}

impl CreateWizard for LogGroup {
    fn flagged(&self) -> Vec<Flagged> {
        scanner::log_group(self)
    }

    fn resource_url(&self) -> String {
        "/log-groups".to_string()
    }

    async fn create(&self, aws: &Aws, log: &RunJournal) -> Result<Created, CreateError> {
        resource_run::create(aws, self.api_calls(), log, &Retry::STANDARD).await
    }

    async fn remove(&self, aws: &Aws, log: &RunJournal) -> Vec<Undo> {
        resource_run::remove(aws, self.api_calls(), log, &Retry::STANDARD).await
    }
}

pub struct LogGroupLine {
    pub name: String,
    /// "180 days" or "Never expire", in the page's language.
    pub retention: String,
    pub stored_bytes: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "log_groups/list.html")]
pub struct LogGroupsPage {
    pub v: Listing<LogGroupLine>,
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<PageQuery>,
) -> Response {
    let tr = page.tr;
    let line = |group: &LogGroupSummary| LogGroupLine {
        retention: match group.retention_in_days {
            Some(days) => tr.fmt(days_key(i64::from(days)), &[("days", days.to_string())]),
            None => tr.t("ui.never_expire").to_string(),
        },
        name: group.name.clone(),
        stored_bytes: group.stored_bytes,
    };
    let fetched = match state.connection.aws() {
        Some(aws) => Some(aws.log_groups_page(query.token()).await),
        None => None,
    };
    LogGroupsPage {
        v: listing(page, "/log-groups", &query, fetched, line),
    }
    .into_response()
}

/// "1 day", "7 days": the catalog key for a number of days.
fn days_key(days: i64) -> &'static str {
    if days == 1 { "ui.one_day" } else { "ui.days" }
}
