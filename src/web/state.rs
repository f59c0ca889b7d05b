use std::sync::Arc;

use axum::extract::FromRef;

use super::security::CsrfKey;
use crate::aws::Connection;
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
