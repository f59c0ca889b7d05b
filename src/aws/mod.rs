//! The only code that talks to AWS. Credentials, region and endpoints come from
//! aws-config's default chain, as the aws CLI reads them; flags override.

mod account_reads;
mod acm;
pub mod audit;
mod autoscaling;
mod change_reads;
mod checklist_reads;
mod cloudwatch;
pub mod create;
mod deployments;
mod ec2;
mod ecr;
mod ecs;
mod elbv2;
pub mod emulator;
mod error;
mod iam;
mod logs;
mod operations;
pub mod paging;
mod raw_body;
mod rds;
mod read_cache;
pub mod revisions;
mod route53;
mod service_detail;
mod service_reads;
mod sts;

use std::sync::Arc;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::ProvideCredentials;

pub use account_reads::ListPage;
pub use change_reads::Count;
pub use cloudwatch::MetricData;
pub use create::{CreateError, Created, Undo};
pub use ecs::{Registered, registered};
pub use error::{AwsError, NO_ANSWER, is_throttling};
pub use rds::rds_auth_token;
pub use read_cache::Read;
pub use sts::Identity;

use read_cache::{Invalidate, ReadCache};

/// Overrides given on the command line; everything else comes from the chain.
#[derive(Debug, Clone)]
pub struct AwsSettings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// The longest one AWS operation may take, retries included; connecting
    /// gets at most 5 seconds of it.
    pub timeout: Duration,
    /// How long account reads are kept for every page (zero: not kept).
    pub read_cache: Duration,
}

impl AwsSettings {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

    fn timeout_config(&self) -> aws_config::timeout::TimeoutConfig {
        aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(self.timeout.min(Duration::from_secs(5)))
            .read_timeout(self.timeout)
            .operation_attempt_timeout(self.timeout)
            .operation_timeout(self.timeout)
            .build()
    }
}

/// The shared clients, built once from one `SdkConfig`, and the cache of
/// account reads they share.
#[derive(Debug, Clone)]
pub struct Aws {
    region: Option<String>,
    /// Sent to an endpoint of its own (an emulator), not AWS's.
    custom_endpoint: bool,
    acm: aws_sdk_acm::Client,
    autoscaling: aws_sdk_applicationautoscaling::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    ec2: aws_sdk_ec2::Client,
    ecr: aws_sdk_ecr::Client,
    ecs: aws_sdk_ecs::Client,
    elbv2: aws_sdk_elasticloadbalancingv2::Client,
    iam: aws_sdk_iam::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    route53: aws_sdk_route53::Client,
    sts: aws_sdk_sts::Client,
    cache: Arc<ReadCache>,
    /// The clients' credentials, for what the app signs itself (RDS tokens).
    credentials: Option<aws_credential_types::provider::SharedCredentialsProvider>,
}

/// A client of one service whose writes empty `invalidate`'s cache and
/// are written to the audit log.
macro_rules! client {
    ($sdk:ident, $config:expr, $invalidate:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($config)
                .interceptor($invalidate.clone())
                .interceptor(audit::RecordCalls)
                .build(),
        )
    };
}

impl Aws {
    /// Clients from a configuration built elsewhere (tests that point the
    /// SDK at the emulator with fixed credentials), keeping reads for the
    /// default time.
    pub fn from_config(config: &aws_config::SdkConfig) -> Self {
        Self::with_cache(config, ReadCache::DEFAULT_TTL)
    }

    /// Clients whose account reads are kept for `ttl` (zero: read every time).
    pub fn with_cache(config: &aws_config::SdkConfig, ttl: Duration) -> Self {
        let cache = Arc::new(ReadCache::new(ttl));
        let invalidate = Invalidate(cache.clone());
        Self {
            region: config.region().map(|r| r.to_string()),
            custom_endpoint: config.endpoint_url().is_some(),
            acm: client!(aws_sdk_acm, config, invalidate),
            autoscaling: client!(aws_sdk_applicationautoscaling, config, invalidate),
            cloudwatch: client!(aws_sdk_cloudwatch, config, invalidate),
            ec2: client!(aws_sdk_ec2, config, invalidate),
            ecr: client!(aws_sdk_ecr, config, invalidate),
            ecs: client!(aws_sdk_ecs, config, invalidate),
            elbv2: client!(aws_sdk_elasticloadbalancingv2, config, invalidate),
            iam: client!(aws_sdk_iam, config, invalidate),
            logs: client!(aws_sdk_cloudwatchlogs, config, invalidate),
            route53: client!(aws_sdk_route53, config, invalidate),
            sts: client!(aws_sdk_sts, config, invalidate),
            cache,
            credentials: config.credentials_provider(),
        }
    }

    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Calls go to an endpoint of its own (an emulator): the addresses it
    /// answers with cannot be reached.
    pub fn custom_endpoint(&self) -> bool {
        self.custom_endpoint
    }

    /// Forgets every kept read: the next page asks AWS again ("Refresh").
    pub fn forget_reads(&self) {
        self.cache.clear();
    }

    /// Calls `announce` after every write these clients send, besides
    /// forgetting this instance's reads: instances sharing a store forget
    /// theirs too.
    pub fn announce_writes(&self, announce: read_cache::Announce) {
        self.cache.announce_writes(announce);
    }
}

/// What the header says about the connection to AWS.
#[derive(Debug, Clone)]
pub enum Connection {
    Connected {
        aws: Aws,
        identity: Identity,
    },
    /// Nothing can be sent; the reason is shown beside every disabled submit.
    PreviewOnly {
        region: Option<String>,
        reason: PreviewReason,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewReason {
    NoCredentials(String),
    NoRegion,
    IdentityFailed(AwsError),
}

impl Connection {
    pub fn region(&self) -> Option<&str> {
        match self {
            Connection::Connected { aws, .. } => aws.region.as_deref(),
            Connection::PreviewOnly { region, .. } => region.as_deref(),
        }
    }

    pub fn aws(&self) -> Option<&Aws> {
        match self {
            Connection::Connected { aws, .. } => Some(aws),
            Connection::PreviewOnly { .. } => None,
        }
    }
}

/// Loads the configuration and asks STS who we are. Never fails: without
/// credentials or a region the app still serves every page in preview mode.
pub async fn connect(settings: &AwsSettings) -> Connection {
    // Without a timeout an endpoint that does not answer holds a page open
    // for as long as it stays silent.
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).timeout_config(settings.timeout_config());
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &settings.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    let config = loader.load().await;
    let region = config.region().map(|r| r.to_string());
    let Some(provider) = config.credentials_provider() else {
        return Connection::PreviewOnly {
            region,
            reason: PreviewReason::NoCredentials("no provider".into()),
        };
    };
    let lookup =
        tokio::time::timeout(Duration::from_secs(10), provider.provide_credentials()).await;
    match lookup {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => {
            let reason = PreviewReason::NoCredentials(error.to_string());
            return Connection::PreviewOnly { region, reason };
        }
        Err(_) => {
            let reason = PreviewReason::NoCredentials("timed out looking for credentials".into());
            return Connection::PreviewOnly { region, reason };
        }
    }
    if region.is_none() {
        return Connection::PreviewOnly {
            region,
            reason: PreviewReason::NoRegion,
        };
    }
    let aws = Aws::with_cache(&config, settings.read_cache);
    match aws.caller_identity().await {
        Ok(identity) => Connection::Connected { aws, identity },
        Err(error) => Connection::PreviewOnly {
            region,
            reason: PreviewReason::IdentityFailed(error),
        },
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use aws_config::SdkConfig;
    use aws_credential_types::Credentials;
    use aws_credential_types::provider::SharedCredentialsProvider;
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_runtime_api::client::http::HttpClient;
    use aws_smithy_types::body::SdkBody;

    use super::*;

    /// Clients whose HTTP is `http_client`: AWS answers simulated at the SDK's
    /// HTTP layer, for what the emulator cannot say (AccessDenied and the like).
    pub fn aws_with(http_client: impl HttpClient + 'static) -> Aws {
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("ap-northeast-1"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKID", "SECRET", None, None, "test",
            )))
            .http_client(http_client)
            .build();
        Aws::from_config(&config)
    }

    /// A query-protocol body as name/value pairs, in the order sent.
    pub fn query_params(body: &[u8]) -> Vec<(String, String)> {
        form_urlencoded::parse(body).into_owned().collect()
    }

    /// IAM's and EC2's answers (query protocol).
    pub const XML: &str = "text/xml";
    /// CloudWatch Logs' and ECS's answers (JSON protocol).
    pub const JSON: &str = "application/x-amz-json-1.1";

    /// AWS answering from a script, for layers above this one that must
    /// not reach the SDK: each answer in turn, and what was sent.
    pub struct Replay(StaticReplayClient);

    impl Replay {
        /// Clients whose calls get `answers` (status, content type, body)
        /// in order.
        pub fn new(answers: &[(u16, &str, &str)]) -> (Aws, Replay) {
            let events = answers
                .iter()
                .map(|(status, content_type, body)| {
                    ReplayEvent::new(
                        http::Request::builder()
                            .uri("https://aws.example/")
                            .body(SdkBody::empty())
                            .expect("request"),
                        http::Response::builder()
                            .status(*status)
                            .header("content-type", *content_type)
                            .body(SdkBody::from(body.to_string()))
                            .expect("response"),
                    )
                })
                .collect();
            let client = StaticReplayClient::new(events);
            (aws_with(client.clone()), Replay(client))
        }

        /// The operations sent, by name, in order.
        pub fn actions(&self) -> Vec<String> {
            self.0
                .actual_requests()
                .map(|r| match r.headers().get("x-amz-target") {
                    Some(target) => target.rsplit('.').next().unwrap_or_default().to_string(),
                    None => query_params(r.body().bytes().unwrap_or_default())
                        .into_iter()
                        .find(|(name, _)| name == "Action")
                        .map(|(_, action)| action)
                        .unwrap_or_default(),
                })
                .collect()
        }
    }
}
