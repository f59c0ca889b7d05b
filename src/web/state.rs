use std::sync::Arc;

use axum::extract::FromRef;

use crate::aws::Connection;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub connection: Arc<Connection>,
    /// Host header values this server answers to.
    pub allowed_hosts: Arc<Vec<String>>,
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
