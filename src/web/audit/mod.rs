//! The audit log: who changed what in AWS through this app, from where, and
//! what AWS answered. The page lists entries newest first, filtered by user,
//! resource and date; the same filters export CSV.

mod export;

use askama::Template;
use askama_web::WebTemplate;

use super::route::{Routes, get, viewer};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::AppError;
use super::form::Choice;
use super::page::Page;
use super::state::AppState;
use crate::model::access::Role;
use crate::model::audit::{day_end, day_start};
use crate::model::operation::Operation;
use crate::model::revision::readable_time;
use crate::store::audit::{AuditCall, AuditEntry, AuditFilter, PAGE};

pub fn routes() -> Routes {
    Routes::new()
        .route("/audit", get(viewer(list)))
        .route("/audit.csv", get(viewer(export::csv)))
}

/// The filters as the form sends them (and the links carry them).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    before: Option<i64>,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        let given = |text: &str| {
            let text = text.trim();
            (!text.is_empty() && text.len() <= 200).then(|| text.to_string())
        };
        AuditFilter {
            user: given(&self.user),
            resource: given(&self.resource),
            from: day_start(&self.from),
            until: day_end(&self.until),
            before: self.before,
        }
    }

    /// The query string of these filters, without the page.
    fn filters(&self) -> String {
        serde_urlencoded::to_string([
            ("user", self.user.as_str()),
            ("resource", self.resource.as_str()),
            ("from", self.from.as_str()),
            ("until", self.until.as_str()),
        ])
        .unwrap_or_default()
    }
}

pub struct EntryRow {
    pub id: i64,
    pub when: String,
    pub who: String,
    pub address: String,
    pub action: String,
    pub page: String,
    pub status: String,
    /// `ok`, `failed` or `open` (not ended: still running, or cut off).
    pub state: &'static str,
    pub link: String,
    pub calls: Vec<CallRow>,
}

pub struct CallRow {
    pub operation: String,
    /// What it did, in words, when it is one of the app's operations.
    pub what: String,
    pub resource: String,
    pub outcome: String,
    pub failed: bool,
    pub request: String,
    pub answer: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/list.html")]
pub struct AuditPage {
    pub v: AuditView,
}

pub struct AuditView {
    pub page: Page,
    pub rows: Vec<EntryRow>,
    pub users: Vec<Choice>,
    pub resource: String,
    pub from: String,
    pub until: String,
    pub filtered: bool,
    pub csv_url: String,
    pub next_url: String,
    pub first_url: String,
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let entries = state.store.audit_entries(query.filter(), PAGE).await?;
    let mut users = vec![Choice {
        value: String::new(),
        label: page.tr.t("ui.audit_everyone").to_string(),
        selected: query.user.is_empty(),
    }];
    users.extend(
        state
            .store
            .audit_users()
            .await?
            .into_iter()
            .map(|name| Choice {
                selected: name == query.user,
                label: if name.is_empty() {
                    page.tr.t("ui.audit_nobody_signed_in").to_string()
                } else {
                    name.clone()
                },
                value: name,
            }),
    );
    let filters = query.filters();
    let next_url = match entries.last() {
        Some(last) if entries.len() == PAGE => format!("/audit?{filters}&before={}", last.id),
        _ => String::new(),
    };
    let rows = entries.iter().map(|e| row(&page, e)).collect();
    let view = AuditView {
        rows,
        users,
        resource: query.resource.clone(),
        from: query.from.clone(),
        until: query.until.clone(),
        filtered: query.filter() != AuditFilter::default(),
        csv_url: format!("/audit.csv?{filters}"),
        first_url: if query.before.is_some() {
            format!("/audit?{filters}")
        } else {
            String::new()
        },
        next_url,
        page,
    };
    Ok(AuditPage { v: view }.into_response())
}

fn row(page: &Page, entry: &AuditEntry) -> EntryRow {
    let tr = &page.tr;
    let (status, state) = match entry.http_status {
        None => (tr.t("ui.audit_open").to_string(), "open"),
        Some(code) if code < 400 => (code.to_string(), "ok"),
        Some(code) => (code.to_string(), "failed"),
    };
    let who = if entry.user.is_empty() {
        tr.t("ui.audit_nobody_signed_in").to_string()
    } else {
        let role = Role::parse(&entry.role).map_or(entry.role.clone(), |r| tr.role(r));
        format!("{} ({role})", entry.user)
    };
    EntryRow {
        id: entry.id,
        when: readable_time(entry.at as f64),
        who,
        address: entry.address.clone(),
        action: format!("{} {}", entry.method, entry.path),
        page: entry.page.clone(),
        status,
        state,
        link: entry.link.clone().unwrap_or_default(),
        calls: entry.calls.iter().map(|c| call_row(page, c)).collect(),
    }
}

fn call_row(page: &Page, call: &AuditCall) -> CallRow {
    let outcome = call
        .outcome
        .clone()
        .unwrap_or_else(|| page.tr.t("ui.audit_no_answer_yet").to_string());
    CallRow {
        operation: format!("{} {}", call.service, call.operation),
        what: Operation::parse(&call.operation)
            .map(|operation| page.tr.operation(operation))
            .unwrap_or_default(),
        resource: call.resource.clone(),
        failed: outcome != "ok",
        outcome,
        request: call.request.clone(),
        answer: match call.answer.as_deref() {
            Some("") => page.tr.t("ui.audit_empty_answer").to_string(),
            other => other.unwrap_or_default().to_string(),
        },
    }
}
