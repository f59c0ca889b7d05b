//! Drafts, registered revisions, the journal of runs, accounts and
//! sessions, shared secrets and the audit log: in SQLite, one file under the
//! data folder (the default, for one instance), or in PostgreSQL (teams:
//! several instances share it). Every query runs on tokio's blocking pool,
//! so a slow query (or a large draft's JSON) never holds up an async worker
//! and the pages that do not need the store.

mod accounts;
pub mod audit;
mod changes;
pub(crate) mod db;
mod drafts;
mod emulator_reset;
mod failed_imports;
pub mod leases;
mod migrations;
pub mod oidc_logins;
mod postgres;
mod registrations;
mod revision_cache;
pub mod runs;
mod settings;
pub mod transfer;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

pub use accounts::{ProviderSession, SessionUser, User, UserSummary};
use db::Db;
pub use drafts::ResourceDraft;
pub use drafts::new_id;
pub use drafts::{Draft, DraftSummary};
pub use emulator_reset::Forgotten;
pub use oidc_logins::OidcLogin;
pub use postgres::{DatabaseSettings, QUERY_TIMEOUT, TokenSource, redacted};
pub use registrations::Registration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("database: no connection from the pool: {0}")]
    Pool(String),
    #[error("database: column {column} held {found}")]
    Type { column: usize, found: String },
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the database is at schema version {found}, made by a newer ecs-wizard (this one knows {known}): start that version"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("the database lock was poisoned by a panic")]
    Poisoned,
    #[error("a store task did not finish: {0}")]
    Task(String),
    /// The draft was saved by another tab since this form was opened.
    #[error("the draft changed since this form was opened")]
    Conflict,
    #[error("the database already holds {0}: a store is copied only into an empty one")]
    NotEmpty(String),
    /// Another instance holds this run now: this one must send nothing more.
    #[error("another instance took this run over")]
    LeaseLost,
}

/// Where the store keeps its rows.
#[derive(Clone)]
enum Backend {
    /// Queries are small and local, so one connection behind a mutex is enough.
    Sqlite(Arc<Mutex<Connection>>),
    Postgres(Arc<postgres::Postgres>),
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite(_) => "Sqlite",
            Backend::Postgres(_) => "Postgres",
        })
    }
}

impl Backend {
    /// Runs `work` with a connection, on the calling (blocking) thread.
    fn blocking<T>(
        &self,
        work: impl FnOnce(&mut Db) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self {
            Backend::Sqlite(connection) => {
                let guard = lock(connection)?;
                work(&mut Db::Sqlite(&guard))
            }
            Backend::Postgres(postgres) => postgres.blocking(work),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    /// To the thread that writes the audit log's calls.
    audit: std::sync::mpsc::Sender<audit::Write>,
    /// This process, as the holder of the runs it leases.
    instance: Arc<str>,
    /// How long a run's lease lasts unless renewed.
    lease: Duration,
}

impl Store {
    /// SQLite in `data_dir`, or the PostgreSQL database `database` names.
    pub async fn connect(
        data_dir: &Path,
        database: Option<&DatabaseSettings>,
    ) -> Result<Self, StoreError> {
        match database {
            None => Self::open(data_dir),
            Some(settings) => Self::open_postgres(settings).await,
        }
    }

    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let data_dir_error = |source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        };
        private_dir(data_dir).map_err(data_dir_error)?;
        let path = data_dir.join(DATABASE_FILE);
        // Created private before SQLite opens it; its -wal and -shm files
        // take the same permissions from it.
        private_file(&path, false).map_err(data_dir_error)?;
        Self::from_connection(Connection::open(path)?)
    }

    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(mut connection: Connection) -> Result<Self, StoreError> {
        connection.pragma_update(None, "journal_mode", "WAL")?;
        migrations::run_sqlite(&mut connection)?;
        // One process holds this file: no run of an earlier one is under way.
        runs::mark_interrupted(&mut Db::Sqlite(&connection))?;
        Ok(Self::with_backend(Backend::Sqlite(Arc::new(Mutex::new(
            connection,
        )))))
    }

    /// PostgreSQL, shared by every instance that names it: migrated (under
    /// a lock, so instances starting at once migrate once) and checked.
    pub async fn open_postgres(settings: &DatabaseSettings) -> Result<Self, StoreError> {
        let postgres = Arc::new(postgres::Postgres::connect(settings).await?);
        let migrating = postgres.clone();
        tokio::task::spawn_blocking(move || migrating.blocking(migrations::run_postgres))
            .await
            .map_err(|error| StoreError::Task(error.to_string()))??;
        let mut store = Self::with_backend(Backend::Postgres(postgres));
        store.lease = settings.lease;
        Ok(store)
    }

    fn with_backend(backend: Backend) -> Self {
        Self {
            audit: audit::start_writer(backend.clone()),
            backend,
            instance: new_id().into(),
            lease: leases::DEFAULT_LEASE,
        }
    }

    /// True when other instances may share this store (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// Runs `work` with a connection on the blocking pool.
    async fn with<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Db) -> Result<T, StoreError> + Send + 'static,
    {
        let backend = self.backend.clone();
        tokio::task::spawn_blocking(move || backend.blocking(work))
            .await
            .map_err(|error| StoreError::Task(error.to_string()))?
    }

    /// Holds the connection from another thread, as a slow query would: for
    /// tests that show other pages go on meanwhile.
    #[doc(hidden)]
    pub fn hold_for_tests(&self, duration: std::time::Duration) {
        let backend = self.backend.clone();
        let (locked, wait) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = backend.blocking(|_| {
                let _ = locked.send(());
                std::thread::sleep(duration);
                Ok(())
            });
        });
        let _ = wait.recv();
    }
}

fn lock(connection: &Mutex<Connection>) -> Result<MutexGuard<'_, Connection>, StoreError> {
    connection.lock().map_err(|_| StoreError::Poisoned)
}

const DATABASE_FILE: &str = "ecs-wizard.sqlite3";

/// The data folder holds drafts with environment values and the CSRF key:
/// only its owner may enter it (0700), also when an older version made it 0755.
pub fn private_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(path)
}

/// Opens (creating if needed) a file only its owner can read or write (0600),
/// also when it already existed with wider permissions.
pub fn private_file(path: &Path, truncate: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(truncate);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn the_data_folder_and_database_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        // As an older version left it: readable by everyone.
        std::fs::create_dir(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(data.join(DATABASE_FILE), b"").unwrap();
        std::fs::set_permissions(
            data.join(DATABASE_FILE),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        Store::open(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join(DATABASE_FILE)), 0o600);

        let fresh = dir.path().join("fresh/nested");
        let store = Store::open(&fresh).unwrap();
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(store.create_draft(&Draft::default(), None))
            .unwrap();
        assert_eq!(mode(&fresh), 0o700);
        for file in std::fs::read_dir(&fresh).unwrap() {
            let path = file.unwrap().path();
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
}
