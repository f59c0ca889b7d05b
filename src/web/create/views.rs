//! The pages every one-page wizard shares: review, already exists, result.

use askama::Template;
use askama_web::WebTemplate;
use serde_json::Value;

use super::{CreateWizard, FormWizard};
use crate::model::api_call::cli_script;
use crate::model::draft_changes::calls_document;
use crate::store::ResourceDraft;
use crate::web::flagged::{self, FlaggedLine};
use crate::web::messages::translate;
use crate::web::page::Page;
use crate::web::reviewed::ChangedSince;

pub struct CallView {
    /// `iam:CreateRole`
    pub title: String,
    /// What it does, in words.
    pub what: String,
    /// An element id for the copy button.
    pub id: String,
    pub json: String,
}

pub struct DocumentView {
    pub title: &'static str,
    pub id: String,
    pub json: String,
}

pub struct Line {
    pub text: String,
    pub class: &'static str,
}

pub struct ReviewView {
    pub page: Page,
    pub title: &'static str,
    pub name: String,
    pub edit_url: String,
    pub create_url: String,
    pub issues: Vec<Line>,
    pub documents: Vec<DocumentView>,
    pub calls: Vec<CallView>,
    pub cli: String,
    pub terraform: String,
    pub flagged: Vec<FlaggedLine>,
    /// Empty when Create can be pressed; otherwise why not.
    pub blocked: String,
    /// Set once created: the result page.
    pub result_url: String,
    /// The draft's version this review shows: its Create sends that one.
    pub version: i64,
    /// Set when Create was pressed on an older review: what changed since.
    pub changed: Option<ChangedSince>,
}

#[derive(Template, WebTemplate)]
#[template(path = "create/review.html")]
pub struct ReviewPage {
    pub v: ReviewView,
}

pub fn review<W: CreateWizard>(
    page: Page,
    draft_url: &str,
    draft: &ResourceDraft<W>,
) -> ReviewView {
    let body = &draft.body;
    let tr = page.tr;
    let issues: Vec<Line> = body
        .validate()
        .iter()
        .map(|issue| Line {
            text: translate(tr, issue),
            class: if issue.is_error() { "error" } else { "warning" },
        })
        .collect();
    let blocked = page.create_blocked(issues.iter().any(|i| i.class == "error"));
    let calls = body.api_calls();
    let region = Some(page.region.as_str()).filter(|r| !r.is_empty());
    ReviewView {
        title: body.title(),
        name: body.name().to_string(),
        edit_url: draft_url.to_string(),
        create_url: format!("{draft_url}/create"),
        issues,
        documents: body
            .documents()
            .into_iter()
            .enumerate()
            .map(|(i, (title, json))| DocumentView {
                title,
                id: format!("document-{i}"),
                json,
            })
            .collect(),
        cli: cli_script(&calls, region),
        calls: calls
            .iter()
            .enumerate()
            .map(|(i, call)| CallView {
                title: call.title(),
                what: tr.operation(call.operation),
                id: format!("request-{i}"),
                json: call.json(),
            })
            .collect(),
        terraform: body.terraform(),
        flagged: flagged::lines(tr, &body.flagged(), draft_url),
        blocked,
        result_url: if draft.created.is_some() {
            format!("{draft_url}/result")
        } else {
            String::new()
        },
        version: draft.version,
        changed: None,
        page,
    }
}

/// A one-page wizard's requests as a document: what a review showed.
pub fn sent_document<W: FormWizard>(body: &W) -> Value {
    calls_document(&body.api_calls())
}

pub struct ExistsView {
    pub page: Page,
    pub name: String,
    pub message: String,
    pub resource_url: String,
    pub edit_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "create/exists.html")]
pub struct ExistsPage {
    pub v: ExistsView,
}

pub fn exists<W: CreateWizard>(page: Page, body: &W, draft_url: &str) -> ExistsView {
    ExistsView {
        message: page
            .tr
            .fmt("ui.already_exists", &[("name", body.name().to_string())]),
        page,
        name: body.name().to_string(),
        resource_url: body.resource_url(),
        edit_url: draft_url.to_string(),
    }
}

pub struct ResultView {
    pub page: Page,
    pub name: String,
    pub arn: String,
    pub response: String,
    pub resource_url: String,
    /// "Next: Create cluster" and where.
    pub next_label: String,
    pub next_url: String,
    pub done: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "create/result.html")]
pub struct ResultPage {
    pub v: ResultView,
}

/// `next`: what the result offers next, said, and where.
pub fn result<W: CreateWizard>(
    page: Page,
    body: &W,
    created: &Value,
    (next_label, next_url): (String, String),
) -> ResultView {
    ResultView {
        page,
        name: body.name().to_string(),
        arn: created["arn"].as_str().unwrap_or_default().to_string(),
        response: serde_json::to_string_pretty(&readable_times(&created["response"]))
            .unwrap_or_default(),
        resource_url: body.resource_url(),
        next_label,
        next_url,
        done: body.done_lines(),
    }
}

/// AWS's answer with its timestamps (`createdAt: 1795426714.488`) as dates
/// a person reads; everything else as AWS wrote it.
fn readable_times(answer: &Value) -> Value {
    let mut shown = answer.clone();
    let mut stack = vec![&mut shown];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    let timestamp = key.ends_with("At") || key.ends_with("Date");
                    match item.as_f64() {
                        Some(seconds) if timestamp && seconds > 1e9 => {
                            *item = Value::String(crate::model::revision::readable_time(seconds));
                        }
                        _ => stack.push(item),
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
    shown
}
