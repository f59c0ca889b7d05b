//! A task's container log, as `aws logs tail` shows it in reference 001:
//! the newest lines of its awslogs stream, newer ones loaded on request or
//! followed while the page is open (each a fragment of one GetLogEvents
//! call), filtered by text.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::show::{check_names, service_url};
use crate::model::service::logs::{LogLine, LogStream, TAIL_LINES, filtered};
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;
use crate::web::refusal::said;
use crate::web::state::AppState;

#[derive(Deserialize, Default)]
pub struct LogQuery {
    #[serde(default)]
    filter: String,
    #[serde(default)]
    follow: Option<String>,
    #[serde(default)]
    group: String,
    #[serde(default)]
    stream: String,
    #[serde(default)]
    after: String,
}

/// The control that asks for the lines after the last ones shown; while
/// following, it asks on its own every two seconds.
pub struct Loader {
    /// Empty when there is no token to go on from (no stream yet).
    pub url: String,
    pub follow: bool,
    /// Sent with a fragment: it replaces the loader already on the page.
    pub out_of_band: bool,
}

pub struct LogView {
    pub page: Page,
    pub cluster: String,
    pub service: String,
    pub service_url: String,
    pub task: String,
    pub container: String,
    pub stream: Option<LogStream>,
    pub lines: Vec<LogLine>,
    pub filter: String,
    pub follow: bool,
    pub loader: Loader,
    pub problem: String,
    pub tail_help: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/logs.html")]
pub struct LogPage {
    pub v: LogView,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/log_lines.html")]
pub struct LogLines {
    pub tr: crate::i18n::Tr,
    pub lines: Vec<LogLine>,
    pub loader: Loader,
    /// AWS's refusal, shown as a line; the loader stays to try again.
    pub problem: String,
}

/// A task id is ECS's hex; a container name is a task definition's.
fn check_ids(task: &str, container: &str) -> AppResult<()> {
    let fine = |s: &str, max: usize| {
        (1..=max).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if fine(task, 64) && fine(container, 255) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

fn loader(base: &str, stream: &LogStream, token: Option<String>, query: &LogQuery) -> Loader {
    let follow = query.follow.is_some();
    let url = token
        .map(|after| {
            let mut params = vec![
                ("group", stream.group.clone()),
                ("stream", stream.stream.clone()),
                ("after", after),
                ("filter", query.filter.clone()),
            ];
            if follow {
                params.push(("follow", "1".into()));
            }
            format!(
                "{base}/newer?{}",
                serde_urlencoded::to_string(params).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    Loader {
        url,
        follow,
        out_of_band: false,
    }
}

type LogPath = Path<(String, String, String, String)>;

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path((cluster, service, task, container)): LogPath,
    Query(query): Query<LogQuery>,
) -> AppResult<Response> {
    check_names(&[&cluster, &service])?;
    check_ids(&task, &container)?;
    let base = format!(
        "{}/tasks/{task}/logs/{container}",
        service_url(&cluster, &service)
    );
    let tail_help = page
        .tr
        .fmt("h.log_tail", &[("lines", TAIL_LINES.to_string())]);
    let mut v = LogView {
        tail_help,
        page,
        service_url: service_url(&cluster, &service),
        cluster,
        service,
        task,
        container,
        stream: None,
        lines: Vec::new(),
        filter: query.filter.chars().take(200).collect(),
        follow: query.follow.is_some(),
        loader: Loader {
            url: String::new(),
            follow: false,
            out_of_band: false,
        },
        problem: String::new(),
    };
    let Some(aws) = state.connection.aws() else {
        return Ok(LogPage { v }.into_response());
    };
    // The task names its revision; the revision names the stream.
    let found = match aws.task(&v.cluster, &v.task).await {
        Ok(Some(task)) => aws.task_definition(&task.revision).await,
        Ok(None) => return Err(AppError::NotFound),
        Err(error) => Err(error),
    };
    let stream = match found {
        Ok(definition) => definition.and_then(|d| LogStream::of(&d, &v.container, &v.task)),
        Err(error) => {
            v.problem = said(v.page.tr, &error);
            return Ok(LogPage { v }.into_response());
        }
    };
    if let Some(stream) = stream {
        match aws.log_tail(&stream, None).await {
            Ok((lines, token)) => {
                v.lines = filtered(lines, &v.filter);
                v.loader = loader(&base, &stream, token, &query);
            }
            Err(error) => v.problem = said(v.page.tr, &error),
        }
        v.stream = Some(stream);
    }
    Ok(LogPage { v }.into_response())
}

/// The lines after the ones shown: one GetLogEvents, nothing else.
pub async fn newer(
    State(state): State<AppState>,
    page: Page,
    Path((cluster, service, task, container)): LogPath,
    Query(query): Query<LogQuery>,
) -> AppResult<Response> {
    check_names(&[&cluster, &service])?;
    check_ids(&task, &container)?;
    let stream = LogStream::checked(&query.group, &query.stream, &container, &task)
        .ok_or(AppError::NotFound)?;
    if query.after.is_empty() || query.after.len() > 1024 {
        return Err(AppError::NotFound);
    }
    let base = format!(
        "{}/tasks/{task}/logs/{container}",
        service_url(&cluster, &service)
    );
    let Some(aws) = state.connection.aws() else {
        return Err(AppError::NotFound);
    };
    let (lines, token, problem) = match aws.log_tail(&stream, Some(query.after.clone())).await {
        Ok((lines, token)) => (lines, token, String::new()),
        Err(error) => (Vec::new(), Some(query.after.clone()), said(page.tr, &error)),
    };
    let mut loader = loader(&base, &stream, token, &query);
    loader.out_of_band = true;
    Ok(LogLines {
        tr: page.tr,
        lines: filtered(lines, &query.filter),
        loader,
        problem,
    }
    .into_response())
}
