//! Sign-in and roles in front of every handler. With `--local-accounts`,
//! each request's need (`model::access::need`, one table) is checked against
//! the session's user: a page asked for without a session goes to the
//! sign-in page, anything else without one or above the user's role is
//! refused with 403. Without a sign-in method the one person on loopback may
//! do everything.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::cookie_in;
use crate::model::access::{Need, need};
use crate::store::SessionUser;
use crate::web::error::ErrorKey;
use crate::web::state::AppState;

pub const SESSION_COOKIE: &str = "ecsw_session";

/// Who sent the request.
#[derive(Debug, Clone)]
pub struct Signed {
    /// None when nobody signs in (loopback), or before signing in.
    pub user: Option<SessionUser>,
    /// People sign in on this instance.
    pub required: bool,
}

/// What the store keeps of a session id: its SHA-256, never the id.
pub fn id_hash(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(id.as_bytes()))
}

/// A new session id: 32 random bytes.
pub fn new_session_id() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(URL_SAFE_NO_PAD.encode(bytes))
}

/// The session cookie's user, when it names a live session.
pub async fn session_user(state: &AppState, headers: &HeaderMap) -> Option<SessionUser> {
    let id = cookie_in(headers, SESSION_COOKIE).filter(|id| id.len() == 43)?;
    match state
        .store
        .session(
            &id_hash(&id),
            state.sessions.idle_secs,
            state.sessions.absolute_secs,
        )
        .await
    {
        Ok(user) => user,
        Err(error) => {
            tracing::error!(%error, "could not read a session");
            None
        }
    }
}

pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if !state.signs_in() {
        let nobody = Signed {
            user: None,
            required: false,
        };
        request.extensions_mut().insert(nobody);
        return next.run(request).await;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    // A static file is the same for everyone: no session read (and touch) for it.
    let user = if path.starts_with("/static/") {
        None
    } else {
        session_user(&state, request.headers()).await
    };
    match (need(method.as_str(), &path), &user) {
        (Need::Anyone, _) => {}
        (Need::AtLeast(_), None) if method == Method::GET || method == Method::HEAD => {
            let back = request
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string();
            let query = serde_urlencoded::to_string([("back", back)]).unwrap_or_default();
            return Redirect::to(&format!("/signin?{query}")).into_response();
        }
        (Need::AtLeast(_), None) => return refuse("http.sign_in_first"),
        (Need::AtLeast(role), Some(user)) if user.role < role => {
            return refuse("http.role_too_low");
        }
        (Need::AtLeast(_), Some(_)) => {}
    }
    let signed = Signed {
        user,
        required: true,
    };
    request.extensions_mut().insert(signed);
    next.run(request).await
}

fn refuse(key: &'static str) -> Response {
    let mut response = StatusCode::FORBIDDEN.into_response();
    response.extensions_mut().insert(ErrorKey(key));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_keeps_a_hash_of_the_id() {
        let id = new_session_id().unwrap();
        assert_eq!(id.len(), 43);
        assert_ne!(id_hash(&id), id);
        assert_eq!(id_hash(&id), id_hash(&id));
        assert_ne!(new_session_id().unwrap(), id);
    }
}
