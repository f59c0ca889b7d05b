use std::sync::Arc;

use axum::extract::FromRef;

use super::security::CsrfKey;
use crate::aws::Connection;
use crate::config::PublicOrigin;
use crate::deploy::runner::Retry;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub connection: Arc<Connection>,
    /// Host header values this server answers to.
    pub allowed_hosts: Arc<Vec<String>>,
    /// Mints and checks the CSRF tokens of this server's forms.
    pub csrf_key: Arc<CsrfKey>,
    /// How plan steps that AWS answered with "try again" are retried.
    pub plan_retry: Retry,
    /// People sign in (--local-accounts); otherwise everyone may do everything.
    pub signs_in: bool,
    /// The address people open (--public-url), besides loopback.
    pub public: Option<Arc<PublicOrigin>>,
}

impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Self {
        state.store.clone()
    }
}

impl FromRef<AppState> for Arc<Connection> {
    fn from_ref(state: &AppState) -> Self {
        state.connection.clone()
    }
}
