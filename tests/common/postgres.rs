//! A real PostgreSQL server for the tests: Debian's `postgresql` package,
//! run as its own user (`postgres` when the tests run as root) in a
//! temporary folder, on a free loopback port, with TLS (a certificate made
//! here) and password authentication. One server per test binary, a fresh
//! database per test. The server stops when the test binary ends: it is
//! started under a shell that waits for the tests' end of a pipe to close.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ecs_wizard::store::{DatabaseSettings, Store};

/// The superuser's password (the server listens on loopback only).
pub const SUPERUSER_PASSWORD: &str = "test-superuser-password";

pub struct Postgres {
    pub port: u16,
    /// Holds the CA certificate and the password file the app is given.
    pub dir: PathBuf,
    _keeper: std::process::Child,
}

impl Postgres {
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    pub fn password_file(&self) -> PathBuf {
        self.dir.join("password")
    }

    /// A URL for `user` to database `database`, TLS required.
    pub fn url(&self, user: &str, database: &str) -> String {
        format!(
            "postgres://{user}@127.0.0.1:{}/{database}?sslmode=require",
            self.port
        )
    }

    /// Runs SQL as the superuser with psql; its output.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        self.psql_as("postgres", SUPERUSER_PASSWORD, database, sql)
            .unwrap_or_else(|why| panic!("psql {sql}: {why}"))
    }

    /// Runs SQL as `user` with psql: its output, or what psql said when
    /// the server refused it.
    pub fn psql_as(
        &self,
        user: &str,
        password: &str,
        database: &str,
        sql: &str,
    ) -> Result<String, String> {
        let output = self
            .psql_command(user, password, database, sql)
            .output()
            .expect("run psql");
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    /// Starts SQL as the superuser with psql and does not wait for it (to
    /// hold a lock while the test goes on).
    pub fn psql_in_background(&self, database: &str, sql: &str) -> std::process::Child {
        self.psql_command("postgres", SUPERUSER_PASSWORD, database, sql)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start psql")
    }

    fn psql_command(&self, user: &str, password: &str, database: &str, sql: &str) -> Command {
        let mut command = Command::new(tool("psql"));
        command
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", user])
            .args(["-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql])
            .env("PGPASSWORD", password);
        command
    }

    /// A new, empty database; its name.
    pub fn fresh_database(&self) -> String {
        let name = format!("t_{}", ecs_wizard::store::new_id());
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        name
    }

    /// Flags that point the app at `database` as the superuser.
    pub fn app_flags(&self, database: &str) -> Vec<String> {
        vec![
            "--database-url".into(),
            self.url("postgres", database),
            "--database-password-file".into(),
            self.password_file().display().to_string(),
            "--database-ca-file".into(),
            self.ca_file().display().to_string(),
        ]
    }

    pub fn settings(&self, database: &str) -> DatabaseSettings {
        DatabaseSettings {
            url: self.url("postgres", database),
            password: Some(SUPERUSER_PASSWORD.into()),
            ca_file: Some(self.ca_file()),
            max_connections: 8,
            lease: Duration::from_secs(30),
            query_timeout: ecs_wizard::store::QUERY_TIMEOUT,
            iam: None,
        }
    }

    /// A store on a new database of this server.
    pub async fn store(&self) -> Store {
        Store::open_postgres(&self.settings(&self.fresh_database()))
            .await
            .expect("open the PostgreSQL store")
    }
}

/// The server shared by this test binary, started on first use.
pub fn postgres() -> &'static Postgres {
    static SERVER: OnceLock<Postgres> = OnceLock::new();
    SERVER.get_or_init(start)
}

/// A PostgreSQL program, from the newest version Debian installed.
fn tool(name: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    versions.sort_by_key(|path| {
        path.file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    let found = versions
        .iter()
        .rev()
        .map(|version| version.join("bin").join(name))
        .find(|path| path.exists());
    found.unwrap_or_else(|| {
        panic!(
            "PostgreSQL's {name} was not found under /usr/lib/postgresql/*/bin. Install it with: \
             sudo apt-get install postgresql (the README's test command, .ci/test, does this)."
        )
    })
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Uid:"))
                .map(|ids| ids.split_whitespace().next() == Some("0"))
        })
        .unwrap_or(false)
}

/// util-linux's runuser, which lives in sbin (often not on a user's PATH).
fn runuser() -> PathBuf {
    ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .unwrap_or_else(|| {
            panic!(
                "the tests run as root, and PostgreSQL must not: runuser (util-linux) was not \
                 found to start it as the postgres user. Install it with: apt-get install util-linux"
            )
        })
}

/// `program` run as the server's own user: PostgreSQL refuses root.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new(runuser());
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn start() -> Postgres {
    let dir = std::env::temp_dir().join(format!("ecs-wizard-pg-{}", ecs_wizard::store::new_id()));
    std::fs::create_dir_all(&dir).expect("postgres folder");
    let data = dir.join("data");
    std::fs::write(dir.join("password"), SUPERUSER_PASSWORD).expect("password file");
    let (ca, cert, key) = certificates();
    std::fs::write(dir.join("ca.pem"), ca).expect("ca");
    std::fs::write(dir.join("server.crt"), cert).expect("cert");
    std::fs::write(dir.join("server.key"), key).expect("key");
    if is_root() {
        let chown = Command::new("/bin/chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .expect("chown");
        assert!(chown.success(), "chown the PostgreSQL folder to postgres");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The key must be its owner's only; the folder reachable by the server.
        std::fs::set_permissions(
            dir.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .expect("key mode");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("dir mode");
    }
    let initdb = as_server_user(&tool("initdb"))
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "--auth-local=trust",
        ])
        .args(["--auth-host=scram-sha-256", "--pwfile"])
        .arg(dir.join("password"))
        .stdout(Stdio::null())
        .output()
        .expect("run initdb");
    assert!(
        initdb.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&initdb.stderr)
    );
    let port = super::free_port();
    // The shell stops the server once the tests' end of its stdin closes
    // (the test binary ended, however it ended), then removes its folder.
    let server = format!(
        "{postgres} -D {data} -p {port} -k {dir} -c listen_addresses=127.0.0.1 \
         -c ssl=on -c ssl_cert_file={dir}/server.crt -c ssl_key_file={dir}/server.key \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
         >{dir}/server.log 2>&1 & pid=$!; cat >/dev/null; kill -QUIT $pid; wait $pid; rm -rf {dir}",
        postgres = tool("postgres").display(),
        data = data.display(),
        dir = dir.display(),
    );
    let mut shell = if is_root() {
        let mut command = Command::new(runuser());
        command.args(["-u", "postgres", "--", "sh", "-c", &server]);
        command
    } else {
        let mut command = Command::new("sh");
        command.args(["-c", &server]);
        command
    };
    let mut keeper = shell
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start postgres");
    // Kept open for as long as the test binary runs.
    let stdin = keeper.stdin.take().expect("stdin");
    std::mem::forget(stdin);
    let started = Instant::now();
    loop {
        let ready = Command::new(tool("pg_isready"))
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"])
            .stdout(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ready {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            panic!("PostgreSQL did not start on port {port} within 60 s:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Postgres {
        port,
        dir,
        _keeper: keeper,
    }
}

/// A CA, and a server certificate for 127.0.0.1 and localhost signed by it.
fn certificates() -> (String, String, String) {
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "ecs-wizard test CA");
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let key = rcgen::KeyPair::generate().expect("server key");
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("params");
    let cert = params.signed_by(&key, &ca, &ca_key).expect("server cert");
    (ca.pem(), cert.pem(), key.serialize_pem())
}
