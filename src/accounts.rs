//! Local accounts' passwords: argon2id hashes (the `argon2` crate's
//! defaults), new passwords drawn from the OS's randomness, and the rule a
//! chosen password must meet. Checking one takes tens of milliseconds of CPU
//! and about 19 MiB on purpose, so the server checks them on a few threads
//! of their own ([`PasswordChecks`]), never more at once.

use std::cell::RefCell;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Shorter passwords are refused when a person chooses one.
pub const MIN_PASSWORD: usize = 12;
/// Longer ones are refused before hashing (argon2 reads it all).
pub const MAX_PASSWORD: usize = 256;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("the password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long")]
    Length,
    #[error("no randomness from the operating system")]
    NoRandomness,
    #[error("the password could not be hashed")]
    Hashing,
}

/// The PHC string of `password` under a fresh salt.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&password.chars().count()) {
        return Err(PasswordError::Length);
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| PasswordError::NoRandomness)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| PasswordError::Hashing)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| PasswordError::Hashing)
}

/// Whether `password` is the one `phc` was made from; a damaged hash never
/// matches. Each thread checks in memory of its own that it keeps: argon2
/// fills 19 MiB a check, and the allocator handed a fresh 19 MiB on every
/// check back to the system only after about ten of them (200 MiB a thread).
pub fn verify(password: &str, phc: &str) -> bool {
    thread_local! {
        static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
    }
    if password.len() > MAX_PASSWORD * 4 {
        return false;
    }
    BLOCKS.with_borrow_mut(|blocks| verify_in(password, phc, blocks).unwrap_or(false))
}

/// Password hashes this app made use about 19 MiB; one asking for more than
/// this (a damaged or foreign hash) is not checked.
const MAX_BLOCKS: usize = 64 * 1024;

fn verify_in(password: &str, phc: &str, blocks: &mut Vec<Block>) -> Option<bool> {
    let parsed = PasswordHash::new(phc).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from);
    let params = Params::try_from(&parsed).ok()?;
    let expected = parsed.hash?;
    let mut salt = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt).ok()?;
    let needed = params.block_count();
    if needed > MAX_BLOCKS {
        return None;
    }
    if blocks.len() < needed {
        blocks.resize(needed, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version.ok()?, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut blocks[..needed])
        .ok()?;
    // `Output`'s comparison takes the same time wherever they differ.
    Some(Output::new(&out).ok()? == expected)
}

/// A new password to hand out once: 24 characters from 18 random bytes.
pub fn generate() -> Result<String, PasswordError> {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(|_| PasswordError::NoRandomness)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Checks passwords on `threads` threads of their own, at most that many at
/// once: anyone may ask (the sign-in form needs no account), so without a
/// bound 200 sign-ins at once held 200 × 19 MiB. Each thread reuses its own
/// memory from one check to the next; an attempt that finds every thread
/// busy is answered at once ([`Busy`]) instead of queued.
pub struct PasswordChecks {
    threads: usize,
    permits: Arc<tokio::sync::Semaphore>,
    jobs: OnceLock<Mutex<Sender<Check>>>,
}

/// Every password-checking thread is busy: try again in a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

struct Check {
    password: String,
    /// None for a name with no account: checked against a decoy, so that
    /// it takes as long as a wrong password.
    phc: Option<String>,
    answer: tokio::sync::oneshot::Sender<bool>,
}

impl PasswordChecks {
    /// As many threads as the machine has cores.
    pub fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self::new(cores)
    }

    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        Self {
            threads,
            permits: Arc::new(tokio::sync::Semaphore::new(threads)),
            jobs: OnceLock::new(),
        }
    }

    /// A checking thread for one check, or [`Busy`] when all are taken.
    pub fn reserve(&self) -> Result<Reserved<'_>, Busy> {
        let permit = self.permits.clone().try_acquire_owned().map_err(|_| Busy)?;
        Ok(Reserved {
            checks: self,
            _permit: permit,
        })
    }
}

/// A checking thread held for one check.
pub struct Reserved<'a> {
    checks: &'a PasswordChecks,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Reserved<'_> {
    /// Whether `password` matches `phc` (None: no such account, never).
    pub async fn matches(self, password: &str, phc: Option<&str>) -> bool {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let check = Check {
            password: password.to_string(),
            phc: phc.map(str::to_string),
            answer,
        };
        let threads = self.checks.threads;
        let sent = match self
            .checks
            .jobs
            .get_or_init(|| Mutex::new(start_threads(threads)))
            .lock()
        {
            Ok(jobs) => jobs.send(check).is_ok(),
            Err(_) => false,
        };
        // No thread to check it: it does not match.
        sent && answered.await.unwrap_or(false)
    }
}

/// The checking threads, taking checks from one queue (it never holds more
/// than there are threads: each check holds a permit).
fn start_threads(threads: usize) -> Sender<Check> {
    let (jobs, queue) = channel::<Check>();
    let queue = Arc::new(Mutex::new(queue));
    for n in 0..threads {
        let queue = queue.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("password-check-{n}"))
            .spawn(move || check_until_closed(&queue));
        if let Err(error) = spawned {
            tracing::error!(%error, "could not start a password-checking thread");
        }
    }
    jobs
}

fn check_until_closed(queue: &Mutex<Receiver<Check>>) {
    loop {
        let next = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(check) = next else {
            return;
        };
        let matches = match &check.phc {
            Some(phc) => verify(&check.password, phc),
            None => {
                verify(&check.password, decoy());
                false
            }
        };
        let _ = check.answer.send(matches);
    }
}

/// A hash no password matches, checked for unknown names so that they take
/// as long as wrong passwords. Made on a checking thread, once.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| generate().and_then(|p| hash(&p)).unwrap_or_default())
}

/// A valid account name: what a person types to sign in.
pub fn is_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterY", &phc));
        assert!(!verify("correct horse battery", "not a hash"));
        // The same memory serves the next check, whatever its answer.
        assert!(verify("correct horse battery", &phc));
        let other = hash("another long password").unwrap();
        assert!(verify("another long password", &other));
        assert!(!verify("correct horse battery", &other));
        // A hash asking for more memory than the app's own is not checked.
        let greedy = "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA";
        assert!(!verify("anything", greedy));
        // The same password hashes differently each time (a fresh salt).
        assert_ne!(hash("correct horse battery").unwrap(), phc);
    }

    #[test]
    fn passwords_are_long_enough_and_generated_ones_are() {
        assert_eq!(hash("short"), Err(PasswordError::Length));
        assert_eq!(
            hash(&"x".repeat(MAX_PASSWORD + 1)),
            Err(PasswordError::Length)
        );
        let made = generate().unwrap();
        assert_eq!(made.len(), 24);
        assert!(hash(&made).is_ok());
        assert_ne!(generate().unwrap(), made);
    }

    #[tokio::test]
    async fn checks_beyond_the_threads_are_turned_away_at_once() {
        let checks = PasswordChecks::new(1);
        let phc = hash("correct horse battery").unwrap();
        let check = |password: &'static str, phc: Option<String>| {
            let checks = &checks;
            async move {
                let reserved = checks.reserve()?;
                Ok::<bool, Busy>(reserved.matches(password, phc.as_deref()).await)
            }
        };
        assert_eq!(
            check("correct horse battery", Some(phc.clone())).await,
            Ok(true)
        );
        assert_eq!(check("wrong", Some(phc.clone())).await, Ok(false));
        assert_eq!(check("anything", None).await, Ok(false));
        // One thread: while it checks, a second attempt is turned away.
        let first = checks.reserve().unwrap();
        assert!(checks.reserve().is_err());
        assert!(first.matches("correct horse battery", Some(&phc)).await);
        assert!(checks.reserve().is_ok(), "the thread is free again");
    }

    #[test]
    fn user_names_are_plain() {
        assert!(is_user_name("ana.silva@example.com"));
        assert!(!is_user_name(""));
        assert!(!is_user_name("ana silva"));
        assert!(!is_user_name(&"a".repeat(65)));
    }
}
