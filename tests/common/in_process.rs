//! The router from `app_with`, driven without a socket (as wastebin's test
//! helpers do): fast, and exact about status codes and headers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, header};
use ecs_wizard::accounts::PasswordChecks;
use ecs_wizard::aws::{Aws, Connection, Identity, PreviewReason};
use ecs_wizard::deploy::runner::Retry;
use ecs_wizard::model::access::Role;
use ecs_wizard::model::access::RoleRules;
use ecs_wizard::oidc::{Oidc, OidcSettings};
use ecs_wizard::store::Store;
use ecs_wizard::web::security::CsrfKey;
use ecs_wizard::web::security::access::{id_hash, new_session_id};
use ecs_wizard::web::state::AppState;
use scraper::Html;
use tower::ServiceExt;

pub const HOST: &str = "127.0.0.1:8080";
pub const ORIGIN: &str = "http://127.0.0.1:8080";

pub struct InProcess {
    pub router: Router,
    pub store: Store,
    /// The browser cookie and the token the app minted for it.
    pub cookie: String,
    pub csrf: String,
}

pub struct Answer {
    pub status: u16,
    pub location: String,
    pub content_type: String,
    pub cache_control: String,
    pub body: String,
}

impl Answer {
    /// The answer as the HTTP tests' pages read it (labels, messages, forms).
    pub fn page(&self) -> super::Page {
        super::Page {
            status: self.status,
            location: self.location.clone(),
            html: self.html(),
            text: self.body.clone(),
        }
    }

    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    pub fn select(&self, css: &str) -> Vec<String> {
        self.page().select(css)
    }

    /// The attribute `name` of the first element that matches `css`.
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.page().attr(css, name)
    }
}

/// A preview-mode app (no AWS) over an in-memory store, and a browser that
/// has loaded the home page once.
pub async fn preview_app() -> InProcess {
    preview_app_with(Store::open_in_memory().expect("store")).await
}

/// The same over a store the test prepared.
pub async fn preview_app_with(store: Store) -> InProcess {
    app_over(store, preview_connection()).await
}

/// No credentials: every page works and nothing is sent.
pub fn preview_connection() -> Connection {
    Connection::PreviewOnly {
        region: Some(super::REGION.into()),
        reason: PreviewReason::NoCredentials("tests".into()),
    }
}

/// An app connected through `connection` (an SDK over a replayed or
/// routed HTTP client), over an in-memory store.
pub async fn connected_app(connection: Connection) -> InProcess {
    app_over(Store::open_in_memory().expect("store"), connection).await
}

async fn app_over(store: Store, connection: Connection) -> InProcess {
    app_from(state(store, connection)).await
}

/// The app's state with every setting at its default, for [`Settings`] to
/// change before [`app_from`].
pub fn state(store: Store, connection: Connection) -> AppState {
    let addr: SocketAddr = HOST.parse().expect("addr");
    AppState::new(store, connection, CsrfKey::random().expect("key"), addr)
}

/// An app as a test needs it, built like the binary's flags build it:
/// `settings(store, connection).local_accounts().aws_timeout(…).app()`.
pub struct Settings(AppState);

pub fn settings(store: Store, connection: Connection) -> Settings {
    Settings(state(store, connection))
}

/// The binary's default for `--read-cache-seconds`.
pub const READ_CACHE: Duration = Duration::from_secs(60);

/// SDK clients pointed at `endpoint` (moto, or a proxy in front of it),
/// keeping account reads for `read_cache` (zero: read every time).
pub fn connected(endpoint: &str, read_cache: Duration) -> Connection {
    Connection::Connected {
        aws: Aws::with_cache(&super::sdk_config(endpoint), read_cache),
        identity: Identity {
            account: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:user/test".into(),
        },
    }
}

impl Settings {
    /// `--local-accounts`.
    pub fn local_accounts(mut self) -> Self {
        self.0.local_accounts = true;
        self
    }

    /// `--oidc-issuer` and the role rules; the provider is asked nothing
    /// until someone signs in with it.
    pub fn oidc(mut self, issuer: &str, rules: RoleRules) -> Self {
        let oidc = Oidc::new(OidcSettings {
            issuer: issuer.into(),
            client_id: "ecs-wizard-tests".into(),
            client_secret: "client-secret-for-tests".into(),
            redirect_url: format!("{ORIGIN}/signin/oidc/callback"),
            groups_claim: "groups".into(),
        })
        .expect("usable OIDC settings");
        self.0.oidc = Some(Arc::new(oidc));
        self.0.oidc_roles = Arc::new(rules);
        self
    }

    /// `--retry-pause-ms`: how plan steps answered "try again" are retried.
    pub fn retry(mut self, retry: Retry) -> Self {
        self.0.plan_retry = retry;
        self
    }

    /// `--aws-timeout`.
    pub fn aws_timeout(mut self, timeout: Duration) -> Self {
        self.0.aws_timeout = timeout;
        self
    }

    /// How many passwords are checked at once (one per core by default).
    pub fn password_checks(mut self, threads: usize) -> Self {
        self.0.passwords = Arc::new(PasswordChecks::new(threads));
        self
    }

    pub fn state(self) -> AppState {
        self.0
    }

    pub async fn app(self) -> InProcess {
        app_from(self.0).await
    }
}

/// The router over `state`, and a browser that has loaded its first page
/// (the sign-in page when people sign in).
pub async fn app_from(state: AppState) -> InProcess {
    let first = if state.signs_in() { "/signin" } else { "/" };
    let mut app = InProcess {
        store: state.store.clone(),
        router: ecs_wizard::web::router(state),
        cookie: String::new(),
        csrf: String::new(),
    };
    app.refresh_token(first).await;
    app
}

/// A local account `name` with `role`, made straight in the store (no
/// password to hash: signing in is tested elsewhere).
pub async fn add_user(store: &Store, name: &str, role: Role) {
    assert!(
        store
            .add_user(name, role, "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA")
            .await
            .expect("add a user")
    );
}

impl InProcess {
    /// Takes the CSRF token from the form on `path`.
    pub async fn refresh_token(&mut self, path: &str) {
        let page = self.send(self.get_request(path)).await;
        self.csrf = page
            .attr("input[name=csrf_token]", "value")
            .unwrap_or_else(|| panic!("a CSRF token on {path}: {}", page.status));
    }

    /// This browser, signed in as `name` (a session made in the store),
    /// with the token of its new session.
    pub async fn signed_in_as(&mut self, name: &str) {
        let id = new_session_id().expect("a session id");
        self.store
            .start_session(&id_hash(&id), name)
            .await
            .expect("a session");
        self.forget_cookie("ecsw_session");
        self.cookie = format!("{}; ecsw_session={id}", self.cookie)
            .trim_start_matches("; ")
            .to_string();
        self.refresh_token("/").await;
    }

    /// This browser without its session: signed out.
    pub async fn signed_out(&mut self) {
        self.forget_cookie("ecsw_session");
        self.refresh_token("/signin").await;
    }

    fn forget_cookie(&mut self, name: &str) {
        self.cookie = self
            .cookie
            .split("; ")
            .filter(|c| !c.is_empty() && !c.starts_with(&format!("{name}=")))
            .collect::<Vec<_>>()
            .join("; ");
    }
}

impl InProcess {
    pub fn get_request(&self, path: &str) -> Request<Body> {
        self.request("GET", path)
            .body(Body::empty())
            .expect("request")
    }

    /// A request as this app's own page would send it (cookie, Host, Origin).
    pub fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, HOST)
            .header(header::ORIGIN, ORIGIN)
            .header("sec-fetch-site", "same-origin");
        if self.cookie.is_empty() {
            builder
        } else {
            builder.header(header::COOKIE, &self.cookie)
        }
    }

    /// A form POST from this app's page, the token added first.
    pub fn form_request(&self, path: &str, fields: &[(&str, &str)]) -> Request<Body> {
        let mut all = vec![("csrf_token", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(&all).expect("form")))
            .expect("request")
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let request = self.get_request(path);
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let request = self.form_request(path, fields);
        self.send(request).await
    }

    pub async fn send(&mut self, request: Request<Body>) -> Answer {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        self.remember_cookies(&response);
        answer(response).await
    }

    fn remember_cookies(&mut self, response: &Response<Body>) {
        for value in response.headers().get_all(header::SET_COOKIE) {
            let pair = value
                .to_str()
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or_default()
                .to_string();
            let name = pair.split('=').next().unwrap_or_default().to_string();
            let mut kept: Vec<String> = self
                .cookie
                .split("; ")
                .filter(|c| !c.is_empty() && !c.starts_with(&format!("{name}=")))
                .map(str::to_string)
                .collect();
            kept.push(pair);
            self.cookie = kept.join("; ");
        }
    }
}

pub async fn answer(response: Response<Body>) -> Answer {
    let status = response.status().as_u16();
    let text = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let location = text(header::LOCATION);
    let content_type = text(header::CONTENT_TYPE);
    let cache_control = text(header::CACHE_CONTROL);
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .expect("body");
    Answer {
        status,
        location,
        content_type,
        cache_control,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}
