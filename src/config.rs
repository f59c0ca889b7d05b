//! Settings from flags and environment variables (each flag has one).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use axum::http::HeaderMap;
use clap::Parser;
use ipnet::IpNet;

use crate::aws::AwsSettings;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "ecs-wizard",
    version,
    about = "A web console for putting containers on Amazon ECS with Fargate"
)]
pub struct Config {
    /// Address to listen on. Addresses other machines can reach need a
    /// sign-in method (--local-accounts or --oidc-issuer).
    #[arg(long, env = "ECS_WIZARD_BIND", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "ECS_WIZARD_PORT", default_value_t = 8080)]
    pub port: u16,
    /// AWS region; otherwise AWS_REGION or the profile's region, as the aws CLI reads them.
    #[arg(long, env = "ECS_WIZARD_REGION")]
    pub region: Option<String>,
    /// Named profile from ~/.aws/config (SSO profiles included).
    #[arg(long, env = "ECS_WIZARD_PROFILE")]
    pub profile: Option<String>,
    /// Send every AWS request here, e.g. a local emulator (http://127.0.0.1:5000).
    #[arg(long, env = "ECS_WIZARD_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Seconds one AWS operation may take (retries included) before the page
    /// says AWS did not answer.
    #[arg(long, env = "ECS_WIZARD_AWS_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub aws_timeout: u64,
    /// Milliseconds to wait before a plan step AWS answered with "try again"
    /// (throttling, a 5xx, a role not yet usable) is sent again; the pause
    /// doubles at each try, up to 16 times this.
    #[arg(long, env = "ECS_WIZARD_RETRY_PAUSE_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub retry_pause_ms: u64,
    /// Seconds every page may reuse what was read from the account (roles,
    /// repositories, clusters, log groups, VPCs) before asking AWS again;
    /// whatever the app changes is read again at once. 0 reads every time.
    #[arg(long, env = "ECS_WIZARD_READ_CACHE_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub read_cache_seconds: u64,
    /// Everyone signs in with an account made by `ecs-wizard user add`; each
    /// account's role (viewer, deployer, admin) says what it may do.
    #[arg(long, env = "ECS_WIZARD_LOCAL_ACCOUNTS")]
    pub local_accounts: bool,
    /// The address people open, e.g. https://ecs.example.internal (a
    /// reverse proxy or a load balancer in front): its Host and Origin are
    /// accepted besides loopback's, and cookies are Secure when it is https.
    #[arg(long, env = "ECS_WIZARD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// A reverse proxy or load balancer in front (an address or a network,
    /// e.g. 10.0.0.0/16; repeat or separate with commas): only from these
    /// are X-Forwarded-For and X-Forwarded-Proto believed.
    #[arg(
        long = "trusted-proxy",
        env = "ECS_WIZARD_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    pub trusted_proxy: Vec<String>,
    /// Serve https with this certificate chain (PEM); needs --tls-key.
    #[arg(long, env = "ECS_WIZARD_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM); needs --tls-cert.
    #[arg(long, env = "ECS_WIZARD_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Sign in with your company's identity provider (OpenID Connect), e.g.
    /// https://accounts.google.com or https://login.example.com/realms/team.
    #[arg(long, env = "ECS_WIZARD_OIDC_ISSUER", requires = "oidc_client_id")]
    pub oidc_issuer: Option<String>,
    /// This app's client id at the identity provider.
    #[arg(long, env = "ECS_WIZARD_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// The client secret. Prefer the environment variable or
    /// --oidc-client-secret-file: a flag shows in the process list.
    #[arg(long, env = "ECS_WIZARD_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// A file holding the client secret (its first line).
    #[arg(long, env = "ECS_WIZARD_OIDC_CLIENT_SECRET_FILE")]
    pub oidc_client_secret_file: Option<PathBuf>,
    /// Who signs in as admin: group names (from --oidc-groups-claim) or
    /// email domains written @example.com; repeat or separate with commas.
    #[arg(long, env = "ECS_WIZARD_OIDC_ADMINS", value_delimiter = ',')]
    pub oidc_admins: Vec<String>,
    /// Who signs in as deployer (groups or @domains).
    #[arg(long, env = "ECS_WIZARD_OIDC_DEPLOYERS", value_delimiter = ',')]
    pub oidc_deployers: Vec<String>,
    /// Who signs in as viewer (groups or @domains). Anyone matching no list
    /// is refused.
    #[arg(long, env = "ECS_WIZARD_OIDC_VIEWERS", value_delimiter = ',')]
    pub oidc_viewers: Vec<String>,
    /// The ID token claim that lists a person's groups.
    #[arg(long, env = "ECS_WIZARD_OIDC_GROUPS_CLAIM", default_value = "groups")]
    pub oidc_groups_claim: String,
    /// Seconds a session may go unused before it ends.
    #[arg(long, env = "ECS_WIZARD_SESSION_IDLE_SECONDS", default_value_t = SessionLimits::DEFAULT.idle_secs, value_parser = clap::value_parser!(i64).range(1..=30 * 24 * 3600))]
    pub session_idle_seconds: i64,
    /// Seconds after sign-in a session ends, used or not.
    #[arg(long, env = "ECS_WIZARD_SESSION_MAX_SECONDS", default_value_t = SessionLimits::DEFAULT.absolute_secs, value_parser = clap::value_parser!(i64).range(1..=90 * 24 * 3600))]
    pub session_max_seconds: i64,
    /// Keep everything in this PostgreSQL database instead of the SQLite
    /// file, so several instances can share it, e.g.
    /// postgres://ecs_wizard@db.example:5432/ecs_wizard. Give the password
    /// with --database-password-file or ECS_WIZARD_DATABASE_PASSWORD.
    #[arg(long, env = "ECS_WIZARD_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// A file holding the database's password (its first line).
    #[arg(
        long,
        env = "ECS_WIZARD_DATABASE_PASSWORD_FILE",
        requires = "database_url"
    )]
    pub database_password_file: Option<PathBuf>,
    /// Sign in to the database with IAM (RDS IAM database authentication):
    /// each connection's password is a 15-minute token made from the app's
    /// AWS credentials, which need rds-db:connect on the database user.
    #[arg(
        long,
        env = "ECS_WIZARD_DATABASE_IAM",
        requires = "database_url",
        conflicts_with = "database_password_file"
    )]
    pub database_iam: bool,
    /// Certificate authorities (PEM) the database's certificate is checked
    /// against besides the system's, e.g. RDS's global-bundle.pem.
    #[arg(long, env = "ECS_WIZARD_DATABASE_CA_FILE", requires = "database_url")]
    pub database_ca_file: Option<PathBuf>,
    /// Connections to the database each instance holds at most.
    #[arg(long, env = "ECS_WIZARD_DATABASE_MAX_CONNECTIONS", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub database_max_connections: u64,
    /// Seconds a run's lease lasts: another instance sharing the database
    /// carries a run on when its instance has not renewed it for this long.
    #[arg(long, env = "ECS_WIZARD_RUN_LEASE_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(3..=600))]
    pub run_lease_seconds: u64,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Folder for the SQLite file that keeps drafts and history.
    #[arg(long, env = "ECS_WIZARD_DATA_DIR", default_value_os_t = default_data_dir())]
    pub data_dir: PathBuf,
}

/// What `ecs-wizard` does instead of serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Local accounts (used with --local-accounts).
    #[command(subcommand)]
    User(UserCommand),
    /// A local AWS emulator for a workshop (needs --endpoint-url before it).
    #[command(subcommand)]
    Emulator(EmulatorCommand),
    /// The PostgreSQL store (needs --database-url before it).
    #[command(subcommand)]
    Store(StoreCommand),
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum StoreCommand {
    /// Copies the SQLite file in --data-dir into the (empty) database, once.
    Copy,
    /// Brings the database's tables up to this version, as their owner.
    Migrate,
    /// Lets ROLE (the role the app connects as) read and write everything
    /// but delete from or rewrite the audit log.
    Grant { role: String },
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum EmulatorCommand {
    /// Makes the emulator look like a fresh AWS account: an internet
    /// gateway and a route to it in the default VPC (and a sample image).
    Ready {
        /// Also put an image `sample-app:latest` in ECR, for participants
        /// without Docker.
        #[arg(long)]
        sample_image: bool,
    },
    /// Empties the emulator and forgets what this app recorded about it
    /// (revisions registered, runs, created results; drafts stay), then
    /// readies it again.
    Reset {
        #[arg(long)]
        sample_image: bool,
    },
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum UserCommand {
    /// Adds an account and prints a new password for it, once (or reads
    /// the password from standard input with --password-stdin).
    Add {
        name: String,
        /// viewer: every page and review, nothing sent to AWS; deployer:
        /// creates and updates; admin: also deletes and tear-downs.
        #[arg(long, value_parser = ["viewer", "deployer", "admin"])]
        role: String,
        /// Read the password from standard input (one line) instead of making one.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Where people reach this server from, read from --public-url.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin {
    /// `https://ecs.example.internal`: what a browser sends as Origin.
    pub origin: String,
    /// `ecs.example.internal`: what it sends as Host.
    pub host: String,
    pub secure: bool,
}

impl PublicOrigin {
    /// `http(s)://host[:port]`, with nothing after but an optional `/`.
    pub fn parse(url: &str) -> Option<PublicOrigin> {
        let uri: axum::http::Uri = url.parse().ok()?;
        let secure = match uri.scheme_str()? {
            "https" => true,
            "http" => false,
            _ => return None,
        };
        let authority = uri.authority()?;
        let bare = authority.as_str()
            == format!(
                "{}{}",
                authority.host(),
                authority
                    .port()
                    .map(|p| format!(":{p}"))
                    .unwrap_or_default()
            );
        if !bare || !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return None;
        }
        let host = authority.as_str().to_ascii_lowercase();
        let scheme = if secure { "https" } else { "http" };
        Some(PublicOrigin {
            origin: format!("{scheme}://{host}"),
            host,
            secure,
        })
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "--public-url {0} (ECS_WIZARD_PUBLIC_URL) is not an address like https://ecs.example.internal (http or https, a host, an optional port, no path)"
    )]
    PublicUrl(String),
    #[error(
        "--bind {0} (ECS_WIZARD_BIND) would serve other machines, and nobody signs in: add --local-accounts (ECS_WIZARD_LOCAL_ACCOUNTS=true) and make accounts with `ecs-wizard user add NAME --role deployer`, or sign in with your identity provider (--oidc-issuer, --oidc-client-id, ECS_WIZARD_OIDC_CLIENT_SECRET and --oidc-admins/--oidc-deployers/--oidc-viewers), or bind a loopback address such as 127.0.0.1"
    )]
    NoSignIn(IpAddr),
    #[error(
        "--trusted-proxy {0} (ECS_WIZARD_TRUSTED_PROXY) is not an address or a network such as 10.0.0.0/16"
    )]
    TrustedProxy(String),
    #[error(
        "--oidc-issuer needs a client secret: set ECS_WIZARD_OIDC_CLIENT_SECRET or --oidc-client-secret-file"
    )]
    NoClientSecret,
    #[error("--oidc-client-secret-file {0}: {1}")]
    ClientSecretFile(String, String),
    #[error(
        "--oidc-issuer with --bind {0}: set --public-url to the address people open (the identity provider sends them back to it)"
    )]
    OidcNeedsPublicUrl(IpAddr),
    #[error(
        "--oidc-issuer lets nobody in: name groups or @domains with --oidc-admins, --oidc-deployers or --oidc-viewers"
    )]
    NoOidcRoles,
    #[error("--database-password-file {0}: {1}")]
    DatabasePasswordFile(String, String),
}

/// The first line of a file holding a secret.
fn first_line(path: &std::path::Path) -> Result<String, ConfigError> {
    let unreadable =
        |why: String| ConfigError::DatabasePasswordFile(path.display().to_string(), why);
    let text = std::fs::read_to_string(path).map_err(|error| unreadable(error.to_string()))?;
    text.lines()
        .next()
        .map(|line| line.trim_end_matches('\r').to_string())
        .filter(|line| !line.is_empty())
        .ok_or_else(|| unreadable("it is empty".into()))
}

impl Config {
    pub fn check(&self) -> Result<(), ConfigError> {
        self.public_origin()?;
        self.database_settings()?;
        self.trusted_proxies()?;
        if self.oidc_issuer.is_some() {
            self.oidc_client_secret()?;
            if self.oidc_admins.is_empty()
                && self.oidc_deployers.is_empty()
                && self.oidc_viewers.is_empty()
            {
                return Err(ConfigError::NoOidcRoles);
            }
            if !self.bind.is_loopback() && self.public_url.is_none() {
                return Err(ConfigError::OidcNeedsPublicUrl(self.bind));
            }
        }
        if self.bind.is_loopback() || self.signs_in() {
            Ok(())
        } else {
            Err(ConfigError::NoSignIn(self.bind))
        }
    }

    pub fn public_origin(&self) -> Result<Option<PublicOrigin>, ConfigError> {
        match &self.public_url {
            None => Ok(None),
            Some(url) => PublicOrigin::parse(url)
                .map(Some)
                .ok_or_else(|| ConfigError::PublicUrl(url.clone())),
        }
    }

    /// Whether people sign in (otherwise the one person on loopback may do everything).
    pub fn signs_in(&self) -> bool {
        self.local_accounts || self.oidc_issuer.is_some()
    }

    pub fn trusted_proxies(&self) -> Result<TrustedProxies, ConfigError> {
        self.trusted_proxy
            .iter()
            .filter(|entry| !entry.trim().is_empty())
            .map(|entry| {
                TrustedProxies::parse(entry).ok_or_else(|| ConfigError::TrustedProxy(entry.clone()))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    /// Who gets which role when signing in with the identity provider.
    pub fn oidc_roles(&self) -> crate::model::access::RoleRules {
        let list = |entries: &[String]| {
            entries
                .iter()
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty())
                .collect()
        };
        crate::model::access::RoleRules {
            admins: list(&self.oidc_admins),
            deployers: list(&self.oidc_deployers),
            viewers: list(&self.oidc_viewers),
        }
    }

    /// The certificate and key files, when this server speaks TLS itself.
    pub fn tls_files(&self) -> Option<(PathBuf, PathBuf)> {
        self.tls_cert.clone().zip(self.tls_key.clone())
    }

    /// The OIDC client secret, from the environment, the flag or its file.
    pub fn oidc_client_secret(&self) -> Result<String, ConfigError> {
        if let Some(secret) = self.oidc_client_secret.as_ref().filter(|s| !s.is_empty()) {
            return Ok(secret.clone());
        }
        let path = self
            .oidc_client_secret_file
            .as_ref()
            .ok_or(ConfigError::NoClientSecret)?;
        let text = std::fs::read_to_string(path).map_err(|error| {
            ConfigError::ClientSecretFile(path.display().to_string(), error.to_string())
        })?;
        text.lines()
            .next()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_string)
            .ok_or_else(|| {
                ConfigError::ClientSecretFile(path.display().to_string(), "it is empty".into())
            })
    }

    /// The PostgreSQL store, when one is named; its password from the file,
    /// else from ECS_WIZARD_DATABASE_PASSWORD (never from a flag).
    pub fn database_settings(&self) -> Result<Option<crate::store::DatabaseSettings>, ConfigError> {
        let Some(url) = &self.database_url else {
            return Ok(None);
        };
        let password = match &self.database_password_file {
            Some(path) => Some(first_line(path)?),
            None => std::env::var("ECS_WIZARD_DATABASE_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty()),
        };
        Ok(Some(crate::store::DatabaseSettings {
            url: url.clone(),
            password,
            ca_file: self.database_ca_file.clone(),
            max_connections: usize::try_from(self.database_max_connections).unwrap_or(8),
            lease: std::time::Duration::from_secs(self.run_lease_seconds),
            query_timeout: crate::store::QUERY_TIMEOUT,
            iam: None,
        }))
    }

    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.port)
    }

    pub fn aws_settings(&self) -> AwsSettings {
        AwsSettings {
            region: self.region.clone(),
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            timeout: std::time::Duration::from_secs(self.aws_timeout),
            read_cache: std::time::Duration::from_secs(self.read_cache_seconds),
        }
    }

    pub fn plan_retry(&self) -> crate::deploy::runner::Retry {
        let first = std::time::Duration::from_millis(self.retry_pause_ms);
        crate::deploy::runner::Retry {
            first_delay: first,
            max_delay: first * 16,
            ..crate::deploy::runner::Retry::STANDARD
        }
    }

    /// For tests: a free port on loopback, the given data folder and emulator.
    pub fn for_tests(data_dir: PathBuf, endpoint_url: Option<String>) -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            region: Some("ap-northeast-1".into()),
            profile: None,
            endpoint_url,
            aws_timeout: 30,
            retry_pause_ms: 1000,
            read_cache_seconds: 60,
            local_accounts: false,
            public_url: None,
            trusted_proxy: Vec::new(),
            tls_cert: None,
            tls_key: None,
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_client_secret_file: None,
            oidc_admins: Vec::new(),
            oidc_deployers: Vec::new(),
            oidc_viewers: Vec::new(),
            oidc_groups_claim: "groups".into(),
            session_idle_seconds: SessionLimits::DEFAULT.idle_secs,
            session_max_seconds: SessionLimits::DEFAULT.absolute_secs,
            database_url: None,
            database_password_file: None,
            database_iam: false,
            database_ca_file: None,
            database_max_connections: 8,
            run_lease_seconds: 30,
            command: None,
            data_dir,
        }
    }
}

fn default_data_dir() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")));
    base.map_or_else(
        || PathBuf::from("ecs-wizard-data"),
        |b| b.join("ecs-wizard"),
    )
}

/// When a session ends: unused this long, or this long after sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle_secs: i64,
    pub absolute_secs: i64,
}

impl SessionLimits {
    /// 12 hours unused, 7 days in all: the flags' defaults.
    pub const DEFAULT: SessionLimits = SessionLimits {
        idle_secs: 12 * 3600,
        absolute_secs: 7 * 24 * 3600,
    };
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The addresses and networks whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    /// `10.0.0.5`, `10.0.0.0/16`, `fd00::/8`: an address or a network.
    pub fn parse(entry: &str) -> Option<IpNet> {
        let entry = entry.trim();
        entry
            .parse::<IpNet>()
            .ok()
            .or_else(|| entry.parse::<IpAddr>().ok().map(IpNet::from))
    }

    fn trusts(&self, peer: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&peer))
    }

    /// The client's address. Behind trusted proxies, `X-Forwarded-For` is
    /// read from the right, past every trusted hop: the first address a
    /// trusted proxy did not add itself is the client (what a client puts
    /// at the left can be anything).
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let hops: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(','))
            .map_while(|hop| hop.trim().parse::<IpAddr>().ok())
            .collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            client = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        Some(client)
    }

    /// Whether the browser reached us over https: the peer's own TLS, or a
    /// trusted proxy's `X-Forwarded-Proto: https`.
    pub fn https(&self, peer: Option<IpAddr>, headers: &HeaderMap, tls: bool) -> bool {
        tls || peer.is_some_and(|p| self.trusts(p))
            && headers
                .get("x-forwarded-proto")
                .and_then(|h| h.to_str().ok())
                .and_then(|h| h.split(',').next())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_loopback_on_8080() {
        let config = Config::parse_from(["ecs-wizard"]);
        assert_eq!(config.socket_addr().to_string(), "127.0.0.1:8080");
        assert_eq!(config.check(), Ok(()));
    }

    #[test]
    fn other_addresses_are_refused_with_the_flag_named() {
        let config = Config::parse_from(["ecs-wizard", "--bind", "0.0.0.0"]);
        let error = config.check().unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("--bind 0.0.0.0 (ECS_WIZARD_BIND)")
        );
        assert!(error.to_string().contains("add --local-accounts"));
        assert!(
            Config::parse_from(["ecs-wizard", "--bind", "::1"])
                .check()
                .is_ok()
        );
    }

    #[test]
    fn other_addresses_are_served_when_people_sign_in() {
        let config = Config::parse_from(["ecs-wizard", "--bind", "0.0.0.0", "--local-accounts"]);
        assert_eq!(config.check(), Ok(()));
    }

    #[test]
    fn an_identity_provider_needs_a_secret_rules_and_a_public_url_off_loopback() {
        let oidc = |extra: &[&str]| {
            let mut args = vec![
                "ecs-wizard",
                "--oidc-issuer",
                "https://login.example.com",
                "--oidc-client-id",
                "ecsw",
            ];
            args.extend_from_slice(extra);
            Config::parse_from(args)
        };
        assert_eq!(oidc(&[]).check(), Err(ConfigError::NoClientSecret));
        let with_secret = ["--oidc-client-secret", "s"];
        assert_eq!(oidc(&with_secret).check(), Err(ConfigError::NoOidcRoles));
        let ruled = [
            "--oidc-client-secret",
            "s",
            "--oidc-deployers",
            "@example.com,ops",
        ];
        assert_eq!(oidc(&ruled).check(), Ok(()));
        assert!(oidc(&ruled).signs_in());
        assert_eq!(oidc(&ruled).oidc_roles().deployers, ["@example.com", "ops"]);
        let mut wide = ruled.to_vec();
        wide.extend(["--bind", "0.0.0.0"]);
        assert!(matches!(
            oidc(&wide).check(),
            Err(ConfigError::OidcNeedsPublicUrl(_))
        ));
        wide.extend(["--public-url", "https://ecs.example.internal"]);
        assert_eq!(oidc(&wide).check(), Ok(()));
    }

    #[test]
    fn the_client_secret_file_gives_its_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secret");
        std::fs::write(&file, "  from-a-file \nrest\n").unwrap();
        let path = file.display().to_string();
        let config = Config::parse_from(["ecs-wizard", "--oidc-client-secret-file", &path]);
        assert_eq!(config.oidc_client_secret().unwrap(), "from-a-file");
        std::fs::write(&file, "\n").unwrap();
        assert!(matches!(
            config.oidc_client_secret(),
            Err(ConfigError::ClientSecretFile(_, _))
        ));
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let config = Config::parse_from(["ecs-wizard", "--trusted-proxy", "10.0.0.0/16,127.0.0.1"]);
        assert_eq!(config.trusted_proxies().unwrap().0.len(), 2);
        let bad = Config::parse_from(["ecs-wizard", "--trusted-proxy", "alb.internal"]);
        assert_eq!(
            bad.check(),
            Err(ConfigError::TrustedProxy("alb.internal".into()))
        );
    }

    #[test]
    fn tls_needs_both_files() {
        assert!(Config::try_parse_from(["ecs-wizard", "--tls-cert", "c.pem"]).is_err());
        let both = Config::parse_from(["ecs-wizard", "--tls-cert", "c.pem", "--tls-key", "k.pem"]);
        assert!(both.tls_files().is_some());
    }

    #[test]
    fn a_public_url_is_an_origin_only() {
        let parsed = PublicOrigin::parse("https://ECS.example.internal/").unwrap();
        assert_eq!(parsed.origin, "https://ecs.example.internal");
        assert_eq!(
            (parsed.host.as_str(), parsed.secure),
            ("ecs.example.internal", true)
        );
        let with_port = PublicOrigin::parse("http://10.0.0.5:8080").unwrap();
        assert_eq!(
            (with_port.host.as_str(), with_port.secure),
            ("10.0.0.5:8080", false)
        );
        for bad in [
            "ecs.example.internal",
            "ftp://x",
            "https://x/app",
            "https://u@x",
            "https://x?a=1",
        ] {
            assert_eq!(PublicOrigin::parse(bad), None, "{bad}");
        }
        let config = Config::parse_from(["ecs-wizard", "--public-url", "https://x/app"]);
        assert!(
            config
                .check()
                .unwrap_err()
                .to_string()
                .starts_with("--public-url https://x/app")
        );
    }

    #[test]
    fn user_add_is_a_command_with_a_role() {
        let config = Config::parse_from(["ecs-wizard", "user", "add", "ana", "--role", "deployer"]);
        match config.command {
            Some(Command::User(UserCommand::Add {
                name,
                role,
                password_stdin,
            })) => {
                assert_eq!(
                    (name.as_str(), role.as_str(), password_stdin),
                    ("ana", "deployer", false)
                );
            }
            other => panic!("{other:?}"),
        }
        let wrong = Config::try_parse_from(["ecs-wizard", "user", "add", "ana", "--role", "root"]);
        assert!(wrong.is_err());
    }

    #[test]
    fn aws_flags_become_overrides() {
        let config = Config::parse_from([
            "ecs-wizard",
            "--region",
            "ap-northeast-1",
            "--endpoint-url",
            "http://127.0.0.1:5000",
        ]);
        let aws = config.aws_settings();
        assert_eq!(aws.region.as_deref(), Some("ap-northeast-1"));
        assert_eq!(aws.endpoint_url.as_deref(), Some("http://127.0.0.1:5000"));
    }
}

#[cfg(test)]
mod trusted_proxy_tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        headers
    }

    fn trusted() -> TrustedProxies {
        TrustedProxies(
            ["10.0.0.0/16", "127.0.0.1"]
                .iter()
                .map(|e| TrustedProxies::parse(e).unwrap())
                .collect(),
        )
    }

    #[test]
    fn entries_are_addresses_or_networks() {
        assert!(TrustedProxies::parse("10.0.0.5").is_some());
        assert!(TrustedProxies::parse(" fd00::/8 ").is_some());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_none());
        assert!(TrustedProxies::parse("alb.internal").is_none());
    }

    #[test]
    fn forwarding_headers_from_anyone_else_are_ignored() {
        let proxies = trusted();
        let headers = forwarded("203.0.113.9");
        assert_eq!(
            proxies.client(Some(ip("192.0.2.1")), &headers),
            Some(ip("192.0.2.1"))
        );
        assert!(!proxies.https(Some(ip("192.0.2.1")), &headers, false));
        assert_eq!(TrustedProxies::default().client(None, &headers), None);
    }

    #[test]
    fn behind_trusted_proxies_the_client_is_the_first_untrusted_hop_from_the_right() {
        let proxies = trusted();
        let peer = Some(ip("10.0.3.4"));
        assert_eq!(
            proxies.client(peer, &forwarded("203.0.113.9")),
            Some(ip("203.0.113.9"))
        );
        // A client that sends its own X-Forwarded-For cannot choose its address.
        assert_eq!(
            proxies.client(peer, &forwarded("1.2.3.4, 203.0.113.9, 10.0.9.9")),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(proxies.client(peer, &HeaderMap::new()), peer);
        assert!(proxies.https(peer, &forwarded("x"), false));
        assert!(!proxies.https(peer, &HeaderMap::new(), false));
        assert!(TrustedProxies::default().https(None, &HeaderMap::new(), true));
    }
}
