//! The sign-in page, signing in with a local account, and signing out
//! (signing in with the identity provider is in `oidc_signin`). Five
//! failed sign-ins for one name in fifteen minutes close it for the rest of
//! them (each attempt counts before its password is checked); a wrong name
//! and a wrong password get the same answer, in the same time. Passwords
//! are checked a few at a time: when every checking thread is busy, the
//! attempt is answered "try again" at once, counting nothing.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::error::AppResult;
use super::page::Page;
use super::security::access::{SESSION_COOKIE, id_hash, new_session_id};
use super::security::cookie_in;
use super::security::redirect::local_path;
use super::state::AppState;
use crate::accounts;

/// Failed sign-ins for one name within `WINDOW_SECS` before it is closed.
pub const MAX_FAILURES: u32 = 5;
pub const WINDOW_SECS: i64 = 15 * 60;

#[derive(serde::Deserialize, Default)]
pub struct SignInQuery {
    #[serde(default)]
    back: String,
}

#[derive(serde::Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    back: String,
}

pub struct SignInView {
    pub page: Page,
    pub name: String,
    pub back: String,
    /// Empty, or why the last try failed (translated).
    pub problem: String,
    /// Which ways to sign in this instance offers.
    pub local_accounts: bool,
    pub oidc: bool,
    /// `/signin/oidc?back=…`.
    pub oidc_url: String,
}

impl SignInView {
    pub fn new(state: &AppState, page: Page, name: String, back: String, problem: String) -> Self {
        let query = serde_urlencoded::to_string([("back", back.as_str())]).unwrap_or_default();
        SignInView {
            page,
            name,
            oidc_url: format!("/signin/oidc?{query}"),
            back,
            problem,
            local_accounts: state.local_accounts,
            oidc: state.oidc.is_some(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "signin.html")]
pub struct SignInPage {
    pub v: SignInView,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<SignInQuery>,
) -> Response {
    let back = local_path(&query.back).to_string();
    let view = SignInView::new(&state, page, String::new(), back, String::new());
    SignInPage { v: view }.into_response()
}

pub async fn sign_in(
    State(state): State<AppState>,
    parts: Parts,
    page: Page,
    Form(form): Form<SignInForm>,
) -> AppResult<Response> {
    let back = local_path(&form.back).to_string();
    let tr = page.tr;
    let again = |page: Page, key: &str, status: StatusCode| {
        let problem = tr.t(key).to_string();
        let view = SignInView::new(&state, page, form.name.clone(), back.clone(), problem);
        (status, SignInPage { v: view }).into_response()
    };
    if !state.local_accounts {
        return Ok(again(page, "ui.sign_in_wrong", StatusCode::UNAUTHORIZED));
    }
    if !accounts::is_user_name(&form.name) {
        return Ok(again(page, "ui.sign_in_wrong", StatusCode::UNAUTHORIZED));
    }
    // A thread to check the password on first: an attempt turned away
    // counts nothing.
    let Ok(reserved) = state.passwords.reserve() else {
        let mut busy = again(page, "ui.sign_in_busy", StatusCode::TOO_MANY_REQUESTS);
        busy.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        return Ok(busy);
    };
    // Counted before it is checked: of any number of attempts at once, at
    // most MAX_FAILURES reach the password check.
    if !state
        .store
        .count_attempt(&form.name, WINDOW_SECS, MAX_FAILURES)
        .await?
    {
        return Ok(again(
            page,
            "ui.sign_in_closed",
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let user = state.store.user(&form.name).await?;
    let phc = user.as_ref().map(|u| u.password_hash.as_str());
    let matches = reserved.matches(&form.password, phc).await;
    let Some(user) = user.filter(|_| matches) else {
        return Ok(again(page, "ui.sign_in_wrong", StatusCode::UNAUTHORIZED));
    };
    state.store.clear_failures(&user.name).await?;
    let Some(id) = new_session_id() else {
        return Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };
    state.store.start_session(&id_hash(&id), &user.name).await?;
    Ok(signed_in(&state, &parts, &id, &back))
}

/// The answer that hands the browser its new session and sends it on.
pub fn signed_in(state: &AppState, parts: &Parts, id: &str, back: &str) -> Response {
    let secure = state.cookie_secure(parts);
    let cookie = format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax{secure}");
    ([(header::SET_COOKIE, cookie)], Redirect::to(back)).into_response()
}

/// Ends the session on the server, not only in this browser.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    if let Some(id) = cookie_in(&headers, SESSION_COOKIE) {
        state.store.end_session(&id_hash(&id)).await?;
    }
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/signin")).into_response())
}
