//! Cross-site request forgery. Two independent checks on every POST:
//!
//! - the request comes from this server's own pages: `Origin` is exactly this
//!   server's origin and `Sec-Fetch-Site`, when the browser sends it, is
//!   `same-origin` or `none`;
//! - the form carries a token only this server can mint: an HMAC of a random
//!   per-browser value (a cookie), and of the session's id once someone has
//!   signed in, under a key kept in the data folder. Signing in or out
//!   changes every token: a form from before is refused as expired.
//!
//! A plain double-submit cookie is not enough on loopback: cookies are shared
//! by every port of a host, so a page served on another port can set both the
//! cookie and the field to a value of its choosing.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::access::SESSION_COOKIE;
use super::cookie_in;
use crate::config::PublicOrigin;
pub use crate::web::csrf_key::CsrfKey;
use crate::web::state::AppState;

pub const BROWSER_COOKIE: &str = "ecsw_browser";
pub const CSRF_FIELD: &str = "csrf_token";
const CSRF_HEADER: &str = "x-csrf-token";
/// The largest form any page posts (an import of a full task definition is far
/// below it); larger bodies are refused before they are read whole.
pub const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The token this browser's forms must carry; put in the request for the views.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// Why a POST was refused; the error page explains each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Origin or Sec-Fetch-Site says another site sent it.
    CrossSite,
    /// No token, or one this server did not mint for this browser.
    BadToken,
}

pub async fn csrf(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let key = &state.csrf_key;
    let cookie = cookie_in(request.headers(), BROWSER_COOKIE).filter(|b| is_browser_id(b));
    let browser = cookie.clone().unwrap_or_else(new_browser_id);
    let session = cookie_in(request.headers(), SESSION_COOKIE).unwrap_or_default();
    let holder = |browser: &str| format!("{browser}\0{session}");
    // A static file is the same for everyone: it mints no browser id.
    let is_static = request.uri().path().starts_with("/static/");
    let (parts, body) = request.into_parts();
    let mut request = if parts.method == Method::GET || parts.method == Method::HEAD {
        Request::from_parts(parts, body)
    } else {
        let https = state.https(&parts);
        if let Some(refusal) = cross_site(&parts.headers, state.public.as_deref(), https) {
            return refuse(refusal);
        }
        let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .or_else(|| form_field(&bytes, CSRF_FIELD));
        let valid = match (&cookie, sent) {
            (Some(browser), Some(sent)) => key.verifies(&holder(browser), &sent),
            _ => false,
        };
        if !valid {
            return refuse(Refusal::BadToken);
        }
        Request::from_parts(parts, Body::from(bytes))
    };
    request
        .extensions_mut()
        .insert(CsrfToken(key.token_for(&holder(&browser))));
    let (parts, body) = request.into_parts();
    let secure = state.cookie_secure(&parts);
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if cookie.is_none() && !is_static {
        let value =
            format!("{BROWSER_COOKIE}={browser}; Path=/; HttpOnly; SameSite=Strict{secure}");
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

fn refuse(refusal: Refusal) -> Response {
    let mut response = StatusCode::FORBIDDEN.into_response();
    response.extensions_mut().insert(refusal);
    response
}

/// The Host header was checked before this runs, so the origin a page of
/// this server has is the public URL's when the Host is its host, else
/// `http://` + that Host.
fn cross_site(headers: &HeaderMap, public: Option<&PublicOrigin>, https: bool) -> Option<Refusal> {
    let text = |name: &str| headers.get(name).and_then(|h| h.to_str().ok());
    let host = text("host").unwrap_or_default();
    let expected = match public {
        Some(public) if public.host.eq_ignore_ascii_case(host) => public.origin.clone(),
        _ if https => format!("https://{host}"),
        _ => format!("http://{host}"),
    };
    let origin_ok =
        !host.is_empty() && text("origin").is_some_and(|o| o.eq_ignore_ascii_case(&expected));
    let fetch_site_ok = text("sec-fetch-site").is_none_or(|s| s == "same-origin" || s == "none");
    (!origin_ok || !fetch_site_ok).then_some(Refusal::CrossSite)
}

/// The first `name` field, read lazily: the rest of the form is not decoded.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body).find_map(|(key, value)| (key == name).then(|| value.into_owned()))
}

fn is_browser_id(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn new_browser_id() -> String {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: an empty id never verifies, so every POST is refused.
        return String::new();
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    axum::http::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn origin_must_be_exactly_this_server() {
        let host = ("host", "127.0.0.1:8080");
        // Served over TLS, the page's origin is https.
        let tls = headers(&[host, ("origin", "https://127.0.0.1:8080")]);
        assert_eq!(cross_site(&tls, None, true), None);
        assert_eq!(cross_site(&tls, None, false), Some(Refusal::CrossSite));
        assert_eq!(
            cross_site(
                &headers(&[host, ("origin", "http://127.0.0.1:8080")]),
                None,
                false
            ),
            None
        );
        assert_eq!(
            cross_site(
                &headers(&[
                    host,
                    ("origin", "http://127.0.0.1:8080"),
                    ("sec-fetch-site", "same-origin")
                ]),
                None,
                false
            ),
            None
        );
        for bad in [
            vec![host],
            vec![host, ("origin", "http://127.0.0.1:5799")],
            vec![host, ("origin", "https://127.0.0.1:8080")],
            vec![host, ("origin", "null")],
            vec![host, ("origin", "http://127.0.0.1:8080.evil")],
            vec![
                host,
                ("origin", "http://127.0.0.1:8080"),
                ("sec-fetch-site", "same-site"),
            ],
            vec![
                host,
                ("origin", "http://127.0.0.1:8080"),
                ("sec-fetch-site", "cross-site"),
            ],
        ] {
            assert_eq!(
                cross_site(&headers(&bad), None, false),
                Some(Refusal::CrossSite),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn behind_a_public_url_its_origin_is_this_server() {
        let public = PublicOrigin::parse("https://ecs.example.internal").unwrap();
        let host = ("host", "ecs.example.internal");
        let from = |origin| cross_site(&headers(&[host, ("origin", origin)]), Some(&public), false);
        assert_eq!(from("https://ecs.example.internal"), None);
        assert_eq!(
            from("http://ecs.example.internal"),
            Some(Refusal::CrossSite)
        );
        assert_eq!(from("https://evil.example"), Some(Refusal::CrossSite));
        // Loopback keeps working beside it.
        let local = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert_eq!(cross_site(&local, Some(&public), false), None);
    }

    #[test]
    fn the_token_field_is_found_in_a_form() {
        assert_eq!(
            form_field(b"a=1&csrf_token=x%2By&b", CSRF_FIELD).as_deref(),
            Some("x+y")
        );
        assert_eq!(form_field(b"a=1", CSRF_FIELD), None);
    }
}
