//! PostgreSQL as the store several instances share: a pool of connections
//! over TLS (rustls, the one TLS stack of the app), the password from a file
//! or the environment, and a listening connection that hears when another
//! instance changed the AWS account.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Hook, HookError, Manager, ManagerConfig, Pool, RecyclingMethod};
use futures_util::future::BoxFuture;
use tokio::runtime::Handle;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::StoreError;
use super::db::Db;

/// How the app reaches its PostgreSQL database.
#[derive(Clone)]
pub struct DatabaseSettings {
    /// `postgres://user@host:5432/db?sslmode=require`
    pub url: String,
    /// Read from a file or the environment, never only from the command line.
    pub password: Option<String>,
    /// PEM certificates the server's is checked against, besides the
    /// system's (RDS's bundle).
    pub ca_file: Option<PathBuf>,
    /// Connections held at most.
    pub max_connections: usize,
    /// How long a run's lease lasts unless renewed.
    pub lease: Duration,
    /// The longest one statement may take, and a connection may stay
    /// silent mid-request, before the store gives up on it.
    pub query_timeout: Duration,
    /// IAM database authentication: each new connection's password, made
    /// for (host, port, user) when it is opened.
    pub iam: Option<TokenSource>,
}

/// Makes an IAM authentication token for (host, port, user).
pub type TokenSource =
    Arc<dyn Fn(String, u16, String) -> BoxFuture<'static, Result<String, String>> + Send + Sync>;

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redacted(&self.url))
            .field("password", &self.password.as_ref().map(|_| ".."))
            .field("ca_file", &self.ca_file)
            .field("iam", &self.iam.is_some())
            .finish()
    }
}

/// The URL without its password, for logs and messages.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:…{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// [`DatabaseSettings::query_timeout`] unless a test needs a shorter one.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(30);

/// The channel instances announce AWS changes on.
pub(super) const CHANGES: &str = "ecs_wizard_changes";

pub(super) struct Postgres {
    pool: Pool,
    /// The runtime the pool's connections live on: store work on blocking
    /// threads waits for them through it.
    handle: Handle,
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    iam: Option<Tokens>,
}

/// Where IAM tokens come from, and for whom.
#[derive(Clone)]
struct Tokens {
    source: TokenSource,
    host: String,
    port: u16,
    user: String,
}

impl Tokens {
    fn of(settings: &DatabaseSettings, config: &tokio_postgres::Config) -> Option<Self> {
        let source = settings.iam.clone()?;
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            _ => String::new(),
        };
        Some(Self {
            source,
            host,
            port: config.get_ports().first().copied().unwrap_or(5432),
            user: config.get_user().unwrap_or_default().to_string(),
        })
    }

    /// `config` with a token made now as its password. A token that cannot
    /// be made is logged; the server then refuses the connection.
    async fn apply(&self, config: &tokio_postgres::Config) -> tokio_postgres::Config {
        let mut config = config.clone();
        match (self.source)(self.host.clone(), self.port, self.user.clone()).await {
            Ok(token) => {
                config.password(token.as_bytes());
            }
            Err(error) => tracing::error!(%error, "no IAM token for the database"),
        }
        config
    }
}

/// Opens each pooled connection with a fresh IAM token (they last 15 minutes).
struct IamConnect {
    tls: MakeRustlsConnect,
    tokens: Tokens,
}

impl deadpool_postgres::Connect for IamConnect {
    fn connect(
        &self,
        config: &tokio_postgres::Config,
    ) -> BoxFuture<
        '_,
        Result<(tokio_postgres::Client, tokio::task::JoinHandle<()>), tokio_postgres::Error>,
    > {
        let config = config.clone();
        Box::pin(async move {
            let config = self.tokens.apply(&config).await;
            let (client, connection) = config.connect(self.tls.clone()).await?;
            let task = tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::warn!(%error, "a database connection ended");
                }
            });
            Ok((client, task))
        })
    }
}

impl Postgres {
    pub(super) async fn connect(settings: &DatabaseSettings) -> Result<Self, StoreError> {
        let config = client_config(settings)?;
        let tls = MakeRustlsConnect::new(tls_config(settings.ca_file.as_deref())?);
        // No reset between loans (a round trip each): a connection a piece
        // of work left inside a transaction is never given back (`blocking`).
        let recycling = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let iam = Tokens::of(settings, &config);
        let manager = match &iam {
            Some(tokens) => Manager::from_connect(
                config.clone(),
                IamConnect {
                    tls: tls.clone(),
                    tokens: tokens.clone(),
                },
                recycling,
            ),
            None => Manager::from_config(config.clone(), tls.clone(), recycling),
        };
        let limits = session_limits(settings.query_timeout);
        let pool = Pool::builder(manager)
            .post_create(Hook::async_fn(move |client, _| {
                let limits = limits.clone();
                Box::pin(async move {
                    client
                        .batch_execute(&limits)
                        .await
                        .map_err(HookError::Backend)
                })
            }))
            .max_size(settings.max_connections)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(10)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|error| StoreError::Pool(error.to_string()))?;
        // Fails at start, not at the first page, when the database is not there.
        drop(pool.get().await.map_err(pool_error)?);
        Ok(Self {
            pool,
            handle: Handle::current(),
            config,
            tls,
            iam,
        })
    }

    pub(super) fn blocking<T>(
        &self,
        work: impl FnOnce(&mut Db) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let client = self.handle.block_on(self.pool.get()).map_err(pool_error)?;
        let open = std::cell::Cell::new(false);
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            work(&mut Db::Postgres {
                client: &client,
                handle: &self.handle,
                in_transaction: &open,
            })
        }));
        if open.get() || done.is_err() {
            // Closed rather than lent again inside a transaction.
            drop(deadpool_postgres::Object::take(client));
        }
        done.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    /// Calls `heard` with each payload sent on [`CHANGES`], and once more
    /// after the listening connection was lost and made again (what was
    /// said meanwhile is unknown). Runs until the runtime ends.
    pub(super) fn listen(self: &Arc<Self>, heard: Arc<dyn Fn(Option<String>) + Send + Sync>) {
        let postgres = self.clone();
        self.handle.spawn(async move {
            let mut first = true;
            loop {
                match postgres.listen_once(&heard, first).await {
                    Ok(()) => {}
                    Err(error) => {
                        tracing::warn!(%error, "listening for other instances' changes failed; trying again")
                    }
                }
                first = false;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn listen_once(
        &self,
        heard: &Arc<dyn Fn(Option<String>) + Send + Sync>,
        first: bool,
    ) -> Result<(), tokio_postgres::Error> {
        let config = match &self.iam {
            Some(tokens) => tokens.apply(&self.config).await,
            None => self.config.clone(),
        };
        let (client, mut connection) = config.connect(self.tls.clone()).await?;
        let (sender, mut received) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                    Some(Ok(tokio_postgres::AsyncMessage::Notification(note))) => {
                        let _ = sender.send(note.payload().to_string());
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return,
                }
            }
        });
        client.batch_execute(&format!("LISTEN {CHANGES}")).await?;
        if !first {
            heard(None);
        }
        // Until the connection ends (its driver drops the sender).
        while let Some(payload) = received.recv().await {
            heard(Some(payload));
        }
        Ok(())
    }
}

/// How every connection reaches the server: TLS unless it is on this
/// machine, and bounded waits at each stage.
fn client_config(settings: &DatabaseSettings) -> Result<tokio_postgres::Config, StoreError> {
    let mut config = tokio_postgres::Config::from_str(&settings.url)?;
    if let Some(password) = &settings.password {
        config.password(password.as_bytes());
    }
    if !settings.url.contains("sslmode=") {
        let local = config.get_hosts().iter().all(|host| match host {
            Host::Tcp(name) => is_loopback(name),
            #[cfg(unix)]
            Host::Unix(_) => true,
        });
        config.ssl_mode(if local {
            SslMode::Prefer
        } else {
            SslMode::Require
        });
    }
    config.application_name("ecs-wizard");
    config.connect_timeout(Duration::from_secs(10));
    // A server that stops answering (a failover, a lost route) is given up
    // within about a minute, not the hours TCP would wait: idle connections
    // (the listening one, pooled ones) by keepalives, a request in flight by
    // the user timeout.
    config.keepalives_idle(Duration::from_secs(30));
    config.keepalives_interval(Duration::from_secs(10));
    config.keepalives_retries(3);
    config.tcp_user_timeout(settings.query_timeout);
    Ok(config)
}

/// Set on each pooled connection when it is made: the server ends a
/// statement that runs longer than `timeout` (one waiting on a lock too),
/// and a session left idle inside a transaction. A SET rather than the
/// startup packet's `options`, which poolers such as PgBouncer refuse.
fn session_limits(timeout: Duration) -> String {
    let ms = timeout.as_millis();
    format!(
        "SET statement_timeout = {ms}; SET idle_in_transaction_session_timeout = {}",
        ms * 2
    )
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn pool_error(error: deadpool_postgres::PoolError) -> StoreError {
    match error {
        deadpool_postgres::PoolError::Backend(error) => StoreError::Postgres(error),
        error => StoreError::Pool(error.to_string()),
    }
}

/// The system's certificate authorities, and those in `ca_file`.
fn tls_config(ca_file: Option<&std::path::Path>) -> Result<rustls::ClientConfig, StoreError> {
    let tls_error = |message: String| StoreError::Pool(format!("TLS to the database: {message}"));
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| tls_error(format!("cannot read {}: {e}", path.display())))?;
        let mut added = 0;
        for certificate in pem_certificates(&pem) {
            roots
                .add(certificate)
                .map_err(|e| tls_error(format!("{}: {e}", path.display())))?;
            added += 1;
        }
        if added == 0 {
            return Err(tls_error(format!("no certificate in {}", path.display())));
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

fn pem_certificates(pem: &[u8]) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem)
        .filter_map(Result::ok)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_shown_without_its_password() {
        assert_eq!(
            redacted("postgres://app:s3cret@db.example:5432/wizard"),
            "postgres://app:…@db.example:5432/wizard"
        );
        assert_eq!(
            redacted("postgres://app@db.example/wizard"),
            "postgres://app@db.example/wizard"
        );
        assert_eq!(redacted("host=db user=app"), "host=db user=app");
    }

    fn settings(url: &str) -> DatabaseSettings {
        DatabaseSettings {
            url: url.into(),
            password: Some("from-the-file".into()),
            ca_file: None,
            max_connections: 2,
            lease: Duration::from_secs(30),
            query_timeout: Duration::from_secs(7),
            iam: None,
        }
    }

    #[test]
    fn a_remote_database_is_reached_over_tls_with_every_wait_bounded() {
        let config = client_config(&settings("postgres://app@db.example:5432/wizard")).unwrap();
        assert_eq!(config.get_ssl_mode(), SslMode::Require);
        assert_eq!(config.get_password(), Some(&b"from-the-file"[..]));
        assert_eq!(config.get_connect_timeout(), Some(&Duration::from_secs(10)));
        assert!(config.get_keepalives());
        assert_eq!(config.get_keepalives_idle(), Duration::from_secs(30));
        assert_eq!(
            config.get_keepalives_interval(),
            Some(Duration::from_secs(10))
        );
        assert_eq!(config.get_keepalives_retries(), Some(3));
        assert_eq!(config.get_tcp_user_timeout(), Some(&Duration::from_secs(7)));

        let local = client_config(&settings("postgres://app@127.0.0.1/wizard")).unwrap();
        assert_eq!(local.get_ssl_mode(), SslMode::Prefer);
        let chosen = client_config(&settings(
            "postgres://app@db.example/wizard?sslmode=disable",
        ))
        .unwrap();
        assert_eq!(chosen.get_ssl_mode(), SslMode::Disable);
    }

    #[test]
    fn a_statement_and_an_open_transaction_are_bounded_by_the_server() {
        assert_eq!(
            session_limits(Duration::from_secs(30)),
            "SET statement_timeout = 30000; SET idle_in_transaction_session_timeout = 60000"
        );
    }

    #[test]
    fn only_loopback_hosts_are_local() {
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("localhost"));
        assert!(is_loopback("[::1]"));
        assert!(!is_loopback(
            "db.cluster-x.ap-northeast-1.rds.amazonaws.com"
        ));
        assert!(!is_loopback("10.0.0.5"));
    }
}
