//! Failures of our own (not AWS's refusals) and every error status, whoever
//! answered it (a handler, an extractor's rejection, the Host or CSRF check):
//! the app's page in the user's language, saying what happened and how to
//! go on, never bare text.

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::assets::{ASSETS, Assets};
use super::lang::lang_of_headers;
use super::security::Refusal;
use crate::i18n::Tr;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The request names something that cannot exist (a malformed name).
    #[error("bad request")]
    BadRequest,
    /// A draft saved before the lists had limits holds more than AWS allows.
    #[error("draft over AWS's limits")]
    DraftTooLarge,
    /// Someone else's draft: its owner and admins may change it, others
    /// may copy it.
    #[error("someone else's draft")]
    NotYourDraft,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Names the message of an error answer when its status alone does not.
#[derive(Debug, Clone, Copy)]
pub struct ErrorKey(pub &'static str);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::NotFound => StatusCode::NOT_FOUND.into_response(),
            AppError::BadRequest => StatusCode::BAD_REQUEST.into_response(),
            AppError::DraftTooLarge => {
                let mut response = StatusCode::UNPROCESSABLE_ENTITY.into_response();
                response
                    .extensions_mut()
                    .insert(ErrorKey("http.draft_too_large"));
                response
            }
            AppError::NotYourDraft => {
                let mut response = StatusCode::FORBIDDEN.into_response();
                response
                    .extensions_mut()
                    .insert(ErrorKey("http.not_your_draft"));
                response
            }
            AppError::Store(error) => {
                tracing::error!(%error, "store failure");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    tr: Tr,
    assets: &'static Assets,
    status: u16,
    title: String,
    text: String,
}

/// Replaces the body of every 4xx/5xx answer that is not already one of our
/// pages. Runs outside the Host and CSRF checks so their refusals get it too.
pub async fn error_pages(request: Request, next: Next) -> Response {
    let tr = Tr::new(lang_of_headers(request.headers()));
    let response = next.run(request).await;
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .is_some_and(|c| c.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_html {
        return response;
    }
    let key = match response.extensions().get::<ErrorKey>() {
        Some(ErrorKey(key)) => key,
        None => message_key(status, response.extensions().get::<Refusal>()),
    };
    let page = ErrorPage {
        tr,
        assets: &ASSETS,
        status: status.as_u16(),
        title: tr.t(&format!("{key}.title")).to_string(),
        text: tr.t(&format!("{key}.text")).to_string(),
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    let body = page.render().unwrap_or_default();
    (parts, Html(body)).into_response()
}

fn message_key(status: StatusCode, refusal: Option<&Refusal>) -> &'static str {
    match (status.as_u16(), refusal) {
        (403, Some(Refusal::CrossSite)) => "http.cross_site",
        (400, _) => "http.400",
        (403, _) => "http.403",
        (404, _) => "http.404",
        (405, _) => "http.405",
        (413, _) => "http.413",
        (415, _) => "http.415",
        (421, _) => "http.421",
        (500..=599, _) => "http.500",
        _ => "http.other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, catalog};

    #[test]
    fn every_status_has_words_in_both_languages() {
        let statuses = [400, 403, 404, 405, 413, 415, 421, 422, 500, 502, 503];
        for lang in Lang::ALL {
            for status in statuses {
                let key = message_key(StatusCode::from_u16(status).unwrap(), None);
                for part in ["title", "text"] {
                    assert!(
                        catalog(lang).get(&format!("{key}.{part}")).is_some(),
                        "{key}.{part} in {lang:?}"
                    );
                }
            }
            assert!(catalog(lang).get("http.cross_site.title").is_some());
        }
    }
}
