//! Settings from flags and environment variables (each flag has one).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::Parser;

use crate::aws::AwsSettings;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "ecs-wizard",
    version,
    about = "A web console for putting containers on Amazon ECS with Fargate"
)]
pub struct Config {
    /// Address to listen on. Only loopback addresses are allowed until an authentication mode exists.
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
    /// Folder for the SQLite file that keeps drafts and history.
    #[arg(long, env = "ECS_WIZARD_DATA_DIR", default_value_os_t = default_data_dir())]
    pub data_dir: PathBuf,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "--bind {0} (ECS_WIZARD_BIND) would serve other machines, and ecs-wizard has no sign-in yet; bind a loopback address such as 127.0.0.1"
    )]
    NotLoopback(IpAddr),
}

impl Config {
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.bind.is_loopback() {
            Ok(())
        } else {
            Err(ConfigError::NotLoopback(self.bind))
        }
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
        assert!(
            Config::parse_from(["ecs-wizard", "--bind", "::1"])
                .check()
                .is_ok()
        );
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
