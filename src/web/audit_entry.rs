//! Opens an audit entry around every request to a route declared for a
//! deployer or an admin (`web::route`), before the handler runs, and ends
//! it with the answer. The AWS calls the handler, or a run it
//! starts, sends are written under it by the SDK interceptor.

use std::future::Future;

use axum::extract::Request;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use crate::aws::audit::{AuditScope, within};
use crate::store::audit::NewEntry;
use crate::web::error::AppError;
use crate::web::peer::peer_of;
use crate::web::security::access::Signed;
use crate::web::security::redirect::local_path;
use crate::web::state::AppState;

/// Runs `handler` within a new audit entry: opened before it runs (no
/// record, no change), ended with its answer.
pub async fn recorded<F, Fut>(state: &AppState, request: Request, handler: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let (parts, body) = request.into_parts();
    let user = parts
        .extensions
        .get::<Signed>()
        .and_then(|signed| signed.user.clone());
    let address = state
        .trusted_proxies
        .client(peer_of(&parts), &parts.headers)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let entry = NewEntry {
        user: user.as_ref().map(|u| u.name.clone()).unwrap_or_default(),
        role: user.map_or("", |u| u.role.as_str()).to_string(),
        address,
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        page: referer_path(&parts.headers),
    };
    let id = match state.store.open_audit_entry(entry).await {
        Ok(id) => id,
        Err(error) => return AppError::Store(error).into_response(),
    };
    let scope = AuditScope {
        entry_id: id,
        sink: state.store.audit_sink(),
    };
    let response = within(Some(scope), handler(Request::from_parts(parts, body))).await;
    let link = [header::LOCATION.as_str(), "hx-redirect"]
        .iter()
        .find_map(|name| response.headers().get(*name))
        .and_then(|value| value.to_str().ok())
        .map(local_path)
        .filter(|path| *path != "/")
        .map(str::to_string);
    if let Err(error) = state
        .store
        .end_audit_entry(id, response.status().as_u16(), link)
        .await
    {
        tracing::error!(%error, "an audit entry could not be ended");
    }
    response
}

/// The path of the page the form was on (the Referer is same-origin by
/// the Referrer-Policy this app sets), or "".
fn referer_path(headers: &HeaderMap) -> String {
    headers
        .get(header::REFERER)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<axum::http::Uri>().ok())
        .and_then(|uri| {
            uri.path_and_query()
                .map(|p| local_path(p.as_str()).to_string())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_page_is_the_referers_path_on_this_site() {
        let mut headers = HeaderMap::new();
        assert_eq!(referer_path(&headers), "");
        headers.insert(
            header::REFERER,
            HeaderValue::from_static("http://127.0.0.1:8080/roles/drafts/ab?step=2"),
        );
        assert_eq!(referer_path(&headers), "/roles/drafts/ab?step=2");
        headers.insert(
            header::REFERER,
            HeaderValue::from_static("not a url at all"),
        );
        assert_eq!(referer_path(&headers), "");
    }
}
