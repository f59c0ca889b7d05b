//! A short-lived cache of account reads (roles, repositories and their
//! images, log groups, clusters, VPC facts) shared by every page and every
//! person using the instance.
//!
//! - A value is kept for `ttl`; views of the same read at the same time wait
//!   for one call (one in-flight read per key).
//! - Any call that changes the account, made through these clients, empties
//!   it (`Invalidate`, an SDK interceptor on every client): after a create,
//!   update or delete the next page reads again.
//! - When AWS throttles a read, the last value read is shown instead, marked
//!   as such, until it is older than `STALE_LIMIT`.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use tokio::sync::OnceCell;

use super::AwsError;
use super::error::is_throttling;

/// Keys kept at most; past this the expired go, then everything (keys
/// carry page tokens and names a visitor chooses).
const MAX_KEYS: usize = 2000;
/// How old a value may be and still stand in for a throttled read.
const STALE_LIMIT: Duration = Duration::from_secs(15 * 60);

type Value = Arc<dyn Any + Send + Sync>;

/// What a page shows: the value, when AWS was asked, and whether AWS
/// refused to answer a newer read (throttling) so this one is older.
#[derive(Debug, Clone)]
pub struct Read<T> {
    pub value: Arc<T>,
    pub read_at: SystemTime,
    pub throttled: bool,
}

/// When a part of a page was read, and whether AWS throttled a newer read.
pub type When = (SystemTime, bool);

impl<T> Read<T> {
    pub fn when(&self) -> When {
        (self.read_at, self.throttled)
    }

    /// A value built from several reads: as old as the oldest, throttled
    /// when any was.
    pub fn joined(value: T, parts: &[When]) -> Self {
        Read {
            value: Arc::new(value),
            read_at: parts
                .iter()
                .map(|(at, _)| *at)
                .min()
                .unwrap_or_else(SystemTime::now),
            throttled: parts.iter().any(|(_, throttled)| *throttled),
        }
    }
}

#[derive(Clone)]
struct Stored {
    value: Value,
    read_at: SystemTime,
    at: Instant,
}

struct Slot {
    answer: OnceCell<Result<Stored, AwsError>>,
    /// The value this slot replaces, for when AWS throttles its read.
    previous: Option<Stored>,
}

impl Slot {
    fn new(previous: Option<Stored>) -> Self {
        Self {
            answer: OnceCell::new(),
            previous,
        }
    }

    /// Still to be read, or read well within `ttl`.
    fn serves(&self, ttl: Duration) -> bool {
        match self.answer.get() {
            None => true,
            Some(Ok(stored)) => stored.at.elapsed() < ttl,
            Some(Err(_)) => false,
        }
    }

    fn last_good(&self) -> Option<Stored> {
        match self.answer.get() {
            Some(Ok(stored)) => Some(stored.clone()),
            _ => self.previous.clone(),
        }
    }
}

#[derive(Default)]
pub struct ReadCache {
    ttl: Duration,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    /// Told after a write empties this cache: other instances sharing the
    /// store empty theirs.
    announce: std::sync::OnceLock<Announce>,
}

/// Tells other instances that the account changed.
pub type Announce = Arc<dyn Fn() + Send + Sync>;

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache").field("ttl", &self.ttl).finish()
    }
}

impl ReadCache {
    pub const DEFAULT_TTL: Duration = Duration::from_secs(60);

    /// A `ttl` of zero reads every time (and still shares reads in flight).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            slots: Mutex::default(),
            announce: std::sync::OnceLock::new(),
        }
    }

    /// `key`'s value, read with `fetch` when it is not kept or too old.
    pub async fn read<T, F, Fut>(&self, key: String, fetch: F) -> Result<Read<T>, AwsError>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AwsError>>,
    {
        self.read_if(key, |_: &T| true, fetch).await
    }

    /// As `read`, but a kept value is used only when `keep` accepts it;
    /// otherwise AWS is asked again. A step not done yet, an image not
    /// pushed yet: what completes them happens outside the app (a docker
    /// push, the AWS console), so "missing" is never answered from the cache.
    pub async fn read_if<T, K, F, Fut>(
        &self,
        key: String,
        keep: K,
        fetch: F,
    ) -> Result<Read<T>, AwsError>
    where
        T: Send + Sync + 'static,
        K: Fn(&T) -> bool,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AwsError>>,
    {
        let accept = |value: &Value| value.downcast_ref::<T>().is_some_and(&keep);
        let slot = self.slot(key, &accept);
        let answer = slot
            .answer
            .get_or_init(|| async {
                fetch().await.map(|value| Stored {
                    value: Arc::new(value) as Value,
                    read_at: SystemTime::now(),
                    at: Instant::now(),
                })
            })
            .await;
        let (stored, throttled) = match answer {
            Ok(stored) => (stored.clone(), false),
            Err(error) => match &slot.previous {
                Some(previous) if is_throttling(error) && previous.at.elapsed() < STALE_LIMIT => {
                    (previous.clone(), true)
                }
                _ => return Err(error.clone()),
            },
        };
        let value = stored.value.downcast::<T>().map_err(|_| AwsError {
            code: "CacheKeyReused".into(),
            message: "two reads share one cache key".into(),
        })?;
        Ok(Read {
            value,
            read_at: stored.read_at,
            throttled,
        })
    }

    /// The slot serving `key` now: the kept one while it serves (a read in
    /// flight, or a value `accept`ed), else a new one that remembers the
    /// last good value.
    fn slot(&self, key: String, accept: &dyn Fn(&Value) -> bool) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = slots.get(&key)
            && slot.serves(self.ttl)
            && slot.answer.get().is_none_or(|answer| match answer {
                Ok(stored) => accept(&stored.value),
                Err(_) => false,
            })
        {
            return slot.clone();
        }
        if slots.len() >= MAX_KEYS {
            let ttl = self.ttl;
            slots.retain(|_, slot| slot.serves(ttl));
            if slots.len() >= MAX_KEYS {
                slots.clear();
            }
        }
        let previous = slots.get(&key).and_then(|s| s.last_good());
        let slot = Arc::new(Slot::new(previous));
        slots.insert(key, slot.clone());
        slot
    }

    /// Whom to tell after each write (once; later calls are ignored).
    pub fn announce_writes(&self, announce: Announce) {
        let _ = self.announce.set(announce);
    }

    /// Forgets everything: the account has changed, or someone asked to read again.
    pub fn clear(&self) {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Empties the cache after every operation that is not a read.
#[derive(Debug, Clone)]
pub struct Invalidate(pub Arc<ReadCache>);

/// Describe*, List*, Get*, BatchGet*, Filter*: what the SDK's operation names for
/// reads start with across the services the app calls.
pub fn is_read(operation: &str) -> bool {
    ["Describe", "List", "Get", "BatchGet", "Filter"]
        .iter()
        .any(|verb| operation.starts_with(verb))
}

impl Intercept for Invalidate {
    fn name(&self) -> &'static str {
        "InvalidateReadCache"
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // A write that failed may still have changed something (a timeout
        // after AWS acted): forget either way.
        let read = config.load::<Metadata>().is_some_and(|m| is_read(m.name()));
        if !read {
            self.0.clear();
            if let Some(announce) = self.0.announce.get() {
                announce();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn error(code: &str) -> AwsError {
        AwsError {
            code: code.into(),
            message: String::new(),
        }
    }

    #[tokio::test]
    async fn a_kept_value_is_served_until_cleared() {
        let cache = ReadCache::new(Duration::from_secs(60));
        let calls = AtomicUsize::new(0);
        let fetch = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, AwsError>(vec![1, 2])
        };
        let first = cache.read("k".into(), fetch).await.unwrap();
        let second = cache.read("k".into(), fetch).await.unwrap();
        assert_eq!(*second.value, vec![1, 2]);
        assert_eq!(first.read_at, second.read_at);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        cache.clear();
        cache.read("k".into(), fetch).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn views_at_the_same_time_share_one_read() {
        let cache = Arc::new(ReadCache::new(Duration::from_secs(60)));
        let calls = Arc::new(AtomicUsize::new(0));
        let views = (0..20).map(|_| {
            let (cache, calls) = (cache.clone(), calls.clone());
            tokio::spawn(async move {
                cache
                    .read("roles".into(), || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok::<_, AwsError>("roles")
                    })
                    .await
                    .map(|r| *r.value)
            })
        });
        for view in futures_util::future::join_all(views).await {
            assert_eq!(view.unwrap().unwrap(), "roles");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_expired_value_is_read_again_and_stands_in_when_throttled() {
        let cache = ReadCache::new(Duration::ZERO);
        let first = cache
            .read("k".into(), || async { Ok::<_, AwsError>(1) })
            .await
            .unwrap();
        assert!(!first.throttled);
        let throttled = cache
            .read("k".into(), || async {
                Err::<i32, _>(error("ThrottlingException"))
            })
            .await
            .unwrap();
        assert_eq!((*throttled.value, throttled.throttled), (1, true));
        assert_eq!(throttled.read_at, first.read_at);
        // Throttled again: the same last good value, not the error.
        let again = cache
            .read("k".into(), || async { Err::<i32, _>(error("Throttling")) })
            .await
            .unwrap();
        assert_eq!(*again.value, 1);
        // Any other refusal is said as it is.
        let denied = cache
            .read("k".into(), || async {
                Err::<i32, _>(error("AccessDenied"))
            })
            .await
            .unwrap_err();
        assert_eq!(denied.code, "AccessDenied");
    }

    #[tokio::test]
    async fn nothing_stands_in_after_the_account_changed() {
        let cache = ReadCache::new(Duration::ZERO);
        cache
            .read("k".into(), || async { Ok::<_, AwsError>(1) })
            .await
            .unwrap();
        cache.clear();
        let after = cache
            .read("k".into(), || async {
                Err::<i32, _>(error("ThrottlingException"))
            })
            .await;
        assert!(after.is_err());
    }

    #[tokio::test]
    async fn a_kept_value_not_accepted_is_read_again() {
        let cache = ReadCache::new(Duration::from_secs(60));
        let has_image = |images: &Vec<&str>| !images.is_empty();
        let empty = cache
            .read_if("images".into(), has_image, || async {
                Ok::<_, AwsError>(vec![])
            })
            .await
            .unwrap();
        assert!(empty.value.is_empty());
        // Pushed outside the app: the empty answer is not served again.
        let pushed = cache
            .read_if("images".into(), has_image, || async {
                Ok::<_, AwsError>(vec!["latest"])
            })
            .await
            .unwrap();
        assert_eq!(*pushed.value, ["latest"]);
        // Once it shows what is looked for, it is kept.
        let kept = cache
            .read_if("images".into(), has_image, || async {
                Err::<Vec<&str>, _>(error("must not be asked"))
            })
            .await
            .unwrap();
        assert_eq!(kept.read_at, pushed.read_at);
    }

    #[tokio::test]
    async fn a_failed_read_is_not_kept() {
        let cache = ReadCache::new(Duration::from_secs(60));
        let failed = cache
            .read("k".into(), || async {
                Err::<i32, _>(error("AccessDenied"))
            })
            .await;
        assert!(failed.is_err());
        let next = cache
            .read("k".into(), || async { Ok::<_, AwsError>(2) })
            .await
            .unwrap();
        assert_eq!(*next.value, 2);
    }

    #[tokio::test]
    async fn keys_are_bounded() {
        let cache = ReadCache::new(Duration::from_secs(60));
        for n in 0..(MAX_KEYS + 10) {
            cache
                .read(format!("page-{n}"), || async { Ok::<_, AwsError>(n) })
                .await
                .unwrap();
        }
        assert!(cache.slots.lock().unwrap().len() <= MAX_KEYS);
    }

    #[test]
    fn reads_are_told_from_writes_by_the_operation_name() {
        for read in [
            "DescribeImages",
            "ListRoles",
            "GetRole",
            "BatchGetImage",
            "FilterLogEvents",
        ] {
            assert!(is_read(read), "{read}");
        }
        for write in [
            "CreateRepository",
            "PutImage",
            "RegisterTaskDefinition",
            "UpdateService",
            "DeleteLogGroup",
            "AttachRolePolicy",
            "TagResource",
            "AuthorizeSecurityGroupIngress",
        ] {
            assert!(!is_read(write), "{write}");
        }
    }
}
