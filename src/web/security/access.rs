//! Who sent a request: the session behind its cookie. Each route checks
//! the user against the role it declares (`web::route`): a page asked for
//! without a session goes to the sign-in page, anything else without one or
//! above the user's role is refused with 403. Without a sign-in method the
//! one person on loopback may do everything.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::cookie_in;
use crate::model::access::Role;
use crate::store::SessionUser;
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

impl Signed {
    /// Whose a draft made now is: the signed-in user, or nobody's where
    /// nobody signs in.
    pub fn owner(&self) -> Option<&str> {
        self.user.as_ref().map(|u| u.name.as_str())
    }

    /// Whether this person may change a draft `owner` made. Where nobody
    /// signs in, everyone may; where people do, its owner and admins may (a
    /// draft made before people signed in is an admin's), and anyone else
    /// may copy it. A deployer pressing Create on someone's draft sends the
    /// version they reviewed, never one changed after.
    pub fn may_edit(&self, owner: Option<&str>) -> bool {
        if !self.required {
            return true;
        }
        match &self.user {
            None => false,
            Some(user) => user.role == Role::Admin || owner == Some(user.name.as_str()),
        }
    }
}

/// The layer in front of every handler sets it; without it, nobody.
impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Signed>().cloned().unwrap_or(Signed {
            user: None,
            required: true,
        }))
    }
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

/// Reads who sent the request (the session cookie's user) for the route
/// to decide with; it decides nothing itself (see `web::route`).
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let signed = if state.signs_in() {
        // A static file is the same for everyone: no session read (and touch)
        // for it. Only a path the static route can match skips it.
        let user = if request.uri().path().starts_with("/static/") {
            None
        } else {
            session_user(&state, request.headers()).await
        };
        Signed {
            user,
            required: true,
        }
    } else {
        Signed {
            user: None,
            required: false,
        }
    };
    request.extensions_mut().insert(signed);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_changed_by_its_owner_and_admins_where_people_sign_in() {
        let as_ = |name: &str, role: Role| Signed {
            user: Some(SessionUser {
                name: name.into(),
                role,
            }),
            required: true,
        };
        let alone = Signed {
            user: None,
            required: false,
        };
        assert!(alone.may_edit(None) && alone.may_edit(Some("ana")));
        assert!(as_("ana", Role::Viewer).may_edit(Some("ana")));
        assert!(!as_("bo", Role::Deployer).may_edit(Some("ana")));
        assert!(!as_("bo", Role::Deployer).may_edit(None));
        assert!(as_("ada", Role::Admin).may_edit(Some("ana")));
        assert!(as_("ada", Role::Admin).may_edit(None));
        let nobody = Signed {
            user: None,
            required: true,
        };
        assert!(!nobody.may_edit(None));
        assert_eq!(as_("ana", Role::Viewer).owner(), Some("ana"));
    }

    #[test]
    fn the_store_keeps_a_hash_of_the_id() {
        let id = new_session_id().unwrap();
        assert_eq!(id.len(), 43);
        assert_ne!(id_hash(&id), id);
        assert_eq!(id_hash(&id), id_hash(&id));
        assert_ne!(new_session_id().unwrap(), id);
    }
}
