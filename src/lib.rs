//! ecs-wizard: a web console that walks a person through putting containers
//! on Amazon ECS with Fargate. `main` parses flags and serves; tests build the
//! same app here with [`build_app`].

pub mod accounts;
pub mod aws;
pub mod cli;
pub mod config;
pub mod deploy;
pub mod i18n;
pub mod model;
pub mod oidc;
pub mod serve;
pub mod store;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;

use crate::config::Config;
use crate::config::SessionLimits;
use crate::deploy::runner::Retry;
use crate::store::Store;
use crate::web::security::CsrfKey;
use crate::web::state::AppState;

/// The Host header values a server on `addr` answers to.
pub fn allowed_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        addr.to_string(),
    ];
    if port == 80 {
        hosts.extend(["localhost".into(), "127.0.0.1".into(), "[::1]".into()]);
    }
    hosts
}

/// Opens the store, connects to AWS (or falls back to preview) and builds the app.
pub async fn build_app(config: &Config, addr: SocketAddr) -> anyhow::Result<axum::Router> {
    let connection = aws::connect(&config.aws_settings()).await;
    let store = open_store(config, connection.aws()).await?;
    if let Some(url) = &config.database_url {
        tracing::info!(database = %store::redacted(url), "the store is PostgreSQL, shared by every instance that names it");
    }
    let csrf_key = CsrfKey::of_store(&store, &config.data_dir).await?;
    if let Some(aws) = connection.aws()
        && store.is_shared()
    {
        share_with_other_instances(&store, aws, config.plan_retry());
    }
    match &connection {
        aws::Connection::Connected { identity, .. } => {
            tracing::info!(account = %identity.account, caller = %identity.arn, "connected to AWS");
        }
        aws::Connection::PreviewOnly { reason, .. } => {
            let hint = match reason {
                aws::PreviewReason::NoCredentials(_) => {
                    "no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID (or run aws sso login), then restart"
                }
                aws::PreviewReason::NoRegion => {
                    "no AWS region: start with --region or set AWS_REGION"
                }
                aws::PreviewReason::IdentityFailed(_) => {
                    "AWS did not accept these credentials (see the page's banner)"
                }
            };
            tracing::warn!("preview only, nothing will be sent: {hint}")
        }
    }
    let public = config.public_origin()?;
    let oidc = oidc_of(config, public.as_ref(), addr)?;
    let mut hosts = allowed_hosts(addr);
    hosts.extend(public.as_ref().map(|p| p.host.clone()));
    Ok(web::router(AppState {
        store,
        connection: Arc::new(connection),
        allowed_hosts: Arc::new(hosts),
        csrf_key: Arc::new(csrf_key),
        plan_retry: config.plan_retry(),
        public: public.map(Arc::new),
        trusted_proxies: Arc::new(config.trusted_proxies()?),
        tls: config.tls_files().is_some(),
        local_accounts: config.local_accounts,
        oidc,
        oidc_roles: Arc::new(config.oidc_roles()),
        sessions: SessionLimits {
            idle_secs: config.session_idle_seconds,
            absolute_secs: config.session_max_seconds,
        },
        passwords: Arc::new(accounts::PasswordChecks::per_core()),
        aws_timeout: config.aws_settings().timeout,
    }))
}

/// The store `config` names. With `--database-iam`, each database
/// connection's password is an IAM token signed with `aws`'s credentials.
pub async fn open_store(config: &Config, aws: Option<&aws::Aws>) -> anyhow::Result<Store> {
    let mut database = config.database_settings()?;
    if let Some(settings) = database.as_mut()
        && config.database_iam
    {
        let Some(aws) = aws.cloned() else {
            anyhow::bail!(
                "--database-iam signs the database's passwords with AWS credentials, and there are none: set AWS_PROFILE or AWS_ACCESS_KEY_ID (a task role on ECS) and a region"
            );
        };
        settings.iam = Some(Arc::new(move |host, port, user| {
            let aws = aws.clone();
            Box::pin(async move {
                aws::rds_auth_token(&aws, &host, port, &user)
                    .await
                    .map_err(|e| format!("{}: {}", e.code, e.message))
            })
        }));
    }
    Ok(Store::connect(&config.data_dir, database.as_ref()).await?)
}

/// With a shared store: a change made through any instance empties every
/// instance's cache of account reads, and runs whose instance stopped are
/// carried on here.
fn share_with_other_instances(store: &Store, aws: &aws::Aws, retry: Retry) {
    let announcer = store.clone();
    aws.announce_writes(Arc::new(move || announcer.announce_change()));
    let forget = aws.clone();
    store.on_change_elsewhere(Arc::new(move || forget.forget_reads()));
    deploy::takeover::watch(store.clone(), aws.clone(), retry);
}

/// The identity provider's client, when one is configured. Its redirect
/// URI is on the public URL, or on this server's own address.
fn oidc_of(
    config: &Config,
    public: Option<&config::PublicOrigin>,
    addr: SocketAddr,
) -> anyhow::Result<Option<Arc<oidc::Oidc>>> {
    let (Some(issuer), Some(client_id)) = (&config.oidc_issuer, &config.oidc_client_id) else {
        return Ok(None);
    };
    let origin = match public {
        Some(public) => public.origin.clone(),
        None if config.tls_files().is_some() => format!("https://{addr}"),
        None => format!("http://{addr}"),
    };
    let settings = oidc::OidcSettings {
        issuer: issuer.clone(),
        client_id: client_id.clone(),
        client_secret: config.oidc_client_secret()?,
        redirect_url: format!("{origin}/signin/oidc/callback"),
        groups_claim: config.oidc_groups_claim.clone(),
    };
    Ok(Some(Arc::new(oidc::Oidc::new(settings)?)))
}

/// The app from its parts, for tests that drive the router in-process.
pub fn app_with(
    store: Store,
    connection: aws::Connection,
    csrf_key: CsrfKey,
    addr: SocketAddr,
) -> axum::Router {
    app_with_retry(store, connection, csrf_key, addr, Retry::STANDARD)
}

/// The same, with how plan steps are retried.
pub fn app_with_retry(
    store: Store,
    connection: aws::Connection,
    csrf_key: CsrfKey,
    addr: SocketAddr,
    plan_retry: Retry,
) -> axum::Router {
    let mut state = AppState::new(store, connection, csrf_key, addr);
    state.plan_retry = plan_retry;
    web::router(state)
}
