//! Signing in with the identity provider. `/signin/oidc` keeps the state,
//! nonce and PKCE verifier (tied to this browser by a cookie) and sends the
//! browser to the provider; `/signin/oidc/callback` takes them back once,
//! has the code traded and the ID token verified, gives the role the flags
//! name for its claims, and starts a session.
//!
//! Both are GETs: a cross-site form POST that redirects to the provider
//! would be stopped by this app's `form-action 'self'`.

use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::error::AppResult;
use super::page::Page;
use super::security::access::{id_hash, new_session_id};
use super::security::cookie_in;
use super::security::redirect::local_path;
use super::signin::{SignInPage, SignInView, signed_in};
use super::state::AppState;
use crate::oidc::Pending;
use crate::store::OidcLogin;
use crate::store::oidc_logins::LOGIN_SECS;

/// Ties a sign-in under way to the browser that began it.
const LOGIN_COOKIE: &str = "ecsw_oidc";

#[derive(Deserialize, Default)]
pub struct BeginQuery {
    #[serde(default)]
    back: String,
}

pub async fn begin(
    State(state): State<AppState>,
    parts: Parts,
    page: Page,
    Query(query): Query<BeginQuery>,
) -> AppResult<Response> {
    let Some(oidc) = state.oidc.clone() else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let (url, pending) = match oidc.begin().await {
        Ok(begun) => begun,
        Err(error) => {
            tracing::warn!(%error, "sign-in with the identity provider could not begin");
            return Ok(problem(
                &state,
                page,
                "ui.oidc_unreachable",
                StatusCode::BAD_GATEWAY,
            ));
        }
    };
    let Some(browser) = new_session_id() else {
        return Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };
    let login = OidcLogin {
        browser_hash: id_hash(&browser),
        nonce: pending.nonce,
        pkce_verifier: pending.pkce_verifier,
        back: local_path(&query.back).to_string(),
    };
    state
        .store
        .keep_oidc_login(&id_hash(&pending.state), login)
        .await?;
    let secure = state.cookie_secure(&parts);
    // Lax: the provider's redirect back is a top-level GET, which carries it.
    let cookie = format!(
        "{LOGIN_COOKIE}={browser}; Path=/signin/oidc; HttpOnly; SameSite=Lax; Max-Age={LOGIN_SECS}{secure}"
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&url)).into_response())
}

#[derive(Deserialize, Default)]
pub struct CallbackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: String,
}

pub async fn callback(
    State(state): State<AppState>,
    parts: Parts,
    page: Page,
    Query(query): Query<CallbackQuery>,
) -> AppResult<Response> {
    let Some(oidc) = state.oidc.clone() else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    if !query.error.is_empty() {
        return Ok(problem(
            &state,
            page,
            "ui.oidc_denied",
            StatusCode::FORBIDDEN,
        ));
    }
    // The state must be one this app made, not used before, not too old,
    // and begun in this browser.
    let login = match state.store.take_oidc_login(&id_hash(&query.state)).await? {
        Some(login)
            if cookie_in(&parts.headers, LOGIN_COOKIE)
                .is_some_and(|browser| id_hash(&browser) == login.browser_hash) =>
        {
            login
        }
        _ => {
            return Ok(problem(
                &state,
                page,
                "ui.oidc_expired",
                StatusCode::BAD_REQUEST,
            ));
        }
    };
    let pending = Pending {
        state: query.state.clone(),
        nonce: login.nonce,
        pkce_verifier: login.pkce_verifier,
    };
    let claims = match oidc.finish(&query.code, &pending).await {
        Ok(claims) => claims,
        Err(error) => {
            tracing::warn!(%error, "a sign-in with the identity provider was refused");
            return Ok(problem(
                &state,
                page,
                "ui.oidc_refused",
                StatusCode::FORBIDDEN,
            ));
        }
    };
    let Some(role) = state.oidc_roles.role_of(&claims) else {
        tracing::info!(user = %claims.display_name(), "signed in at the provider, but no rule gives a role");
        return Ok(problem(
            &state,
            page,
            "ui.oidc_no_role",
            StatusCode::FORBIDDEN,
        ));
    };
    let Some(id) = new_session_id() else {
        return Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };
    state
        .store
        .start_provider_session(&id_hash(&id), &claims.display_name(), role)
        .await?;
    let mut response = signed_in(&state, &parts, &id, &login.back);
    let gone = format!("{LOGIN_COOKIE}=; Path=/signin/oidc; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(value) = header::HeaderValue::from_str(&gone) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// The sign-in page again, saying what went wrong.
fn problem(state: &AppState, page: Page, key: &str, status: StatusCode) -> Response {
    let problem = page.tr.t(key).to_string();
    let view = SignInView::new(state, page, String::new(), "/".into(), problem);
    (status, SignInPage { v: view }).into_response()
}
