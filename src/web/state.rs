use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;

use super::csrf_key::CsrfKey;
use crate::accounts::PasswordChecks;
use crate::aws::{AwsSettings, Connection};
use crate::config::{PublicOrigin, SessionLimits, TrustedProxies};
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
    /// The address people open (--public-url), besides loopback.
    pub public: Option<Arc<PublicOrigin>>,
    /// Proxies whose X-Forwarded-For/-Proto are believed (--trusted-proxy).
    pub trusted_proxies: Arc<TrustedProxies>,
    /// This server speaks TLS itself (--tls-cert).
    pub tls: bool,
    /// People may sign in with a local account (--local-accounts).
    pub local_accounts: bool,
    /// People may sign in with the identity provider (--oidc-issuer).
    pub oidc: Option<Arc<crate::oidc::Oidc>>,
    pub oidc_roles: Arc<crate::model::access::RoleRules>,
    pub sessions: SessionLimits,
    /// Where local accounts' passwords are checked, a few at a time.
    pub passwords: Arc<PasswordChecks>,
    /// The longest one AWS operation may take (--aws-timeout); a page's
    /// reads, however many, are bounded by it too.
    pub aws_timeout: Duration,
}

impl AppState {
    /// An app on `addr` with every setting at its default: loopback only,
    /// nobody signs in, standard retries. Tests change the fields they need
    /// (`local_accounts`, `plan_retry`…) before building the router.
    pub fn new(store: Store, connection: Connection, csrf_key: CsrfKey, addr: SocketAddr) -> Self {
        AppState {
            store,
            connection: Arc::new(connection),
            allowed_hosts: Arc::new(crate::allowed_hosts(addr)),
            csrf_key: Arc::new(csrf_key),
            plan_retry: Retry::STANDARD,
            public: None,
            trusted_proxies: Arc::default(),
            tls: false,
            local_accounts: false,
            oidc: None,
            oidc_roles: Arc::default(),
            sessions: SessionLimits::default(),
            passwords: Arc::new(PasswordChecks::per_core()),
            aws_timeout: AwsSettings::DEFAULT_TIMEOUT,
        }
    }

    /// Whether people sign in; otherwise the one person on loopback may do
    /// everything.
    pub fn signs_in(&self) -> bool {
        self.local_accounts || self.oidc.is_some()
    }

    /// Whether the browser reached this server over https: its own TLS,
    /// or a trusted proxy's X-Forwarded-Proto.
    pub fn https(&self, parts: &axum::http::request::Parts) -> bool {
        let peer = super::peer::peer_of(parts);
        self.trusted_proxies.https(peer, &parts.headers, self.tls)
    }

    /// `Secure` for a cookie set in answer to `parts`, or "".
    pub fn cookie_secure(&self, parts: &axum::http::request::Parts) -> &'static str {
        if self.public.as_ref().is_some_and(|p| p.secure) || self.https(parts) {
            "; Secure"
        } else {
            ""
        }
    }
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
