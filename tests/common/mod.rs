//! Test harness: a moto server and an ecs-wizard process per test, on free
//! loopback ports, and an HTTP client that keeps cookies and the CSRF token.
#![allow(dead_code)]

pub mod api_model;
pub mod faults;
pub mod figures;
pub mod fuzz;
pub mod in_process;
pub mod network;
pub mod oidc;
pub mod plans;
pub mod postgres;
pub mod proxy;
pub mod services;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use scraper::{Html, Selector};

pub const REGION: &str = "ap-northeast-1";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(repo().join("tests/fixtures").join(name)).expect("fixture")
}

/// A child process killed when the test ends, pass or fail.
pub struct Process(Child);

impl From<Child> for Process {
    fn from(child: Child) -> Self {
        Self(child)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub struct Moto {
    /// The emulator's address as the tests use it: through a proxy that
    /// holds every request against AWS's API models (`api_model.rs`).
    pub url: String,
    /// Dropped first: its check runs while moto still stands.
    _model_check: api_model::ModelProxy,
    _process: Process,
}

impl Moto {
    /// The requests AWS's models refuse, taken (a test that sends one on purpose).
    pub fn take_refused(&self) -> Vec<String> {
        self._model_check.take_found()
    }
}

/// Starts moto_server from the repo's venv (or $MOTO_SERVER). Fails loudly when it is missing.
pub fn moto() -> Moto {
    let (url, process) = venv_server(
        "moto_server",
        "MOTO_SERVER",
        "python3 -m venv .venv && .venv/bin/pip install 'moto[server]'",
        &[
            ("MOTO_IAM_LOAD_MANAGED_POLICIES", "true"),
            // Services report running tasks, as the service pages count them.
            ("MOTO_ECS_SERVICE_RUNNING", "2"),
            // A requested certificate is issued when next read (AWS waits
            // for its DNS record; tests of that wait answer at the SDK's
            // HTTP layer).
            ("MOTO_ACM_VALIDATION_WAIT", "0"),
        ],
        &[],
        "/moto-api/",
    );
    let check = api_model::ModelProxy::start(&url);
    Moto {
        url: check.url.clone(),
        _model_check: check,
        _process: process,
    }
}

/// Starts `name` from the repo's venv (or the path in `$override_var`) on a
/// free loopback port with `-H 127.0.0.1 -p PORT` and `args`, and waits
/// until `ready_path` answers. Fails loudly, saying how to install it.
pub fn venv_server(
    name: &str,
    override_var: &str,
    install: &str,
    env: &[(&str, &str)],
    args: &[&str],
    ready_path: &str,
) -> (String, Process) {
    let binary = std::env::var_os(override_var)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/bin").join(name));
    assert!(
        binary.exists(),
        "{name} not found at {}. Install it with: {install} (the README's test command, .ci/test, does this).",
        binary.display()
    );
    let port = free_port();
    let child = Command::new(&binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {}: {e}", binary.display()));
    let process = Process(child);
    let url = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{url}{ready_path}"), name);
    (url, process)
}

fn wait_for(url: &str, what: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if std::net::TcpStream::connect(
            url.trim_start_matches("http://")
                .split('/')
                .next()
                .unwrap_or_default(),
        )
        .is_ok()
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not start listening on {url} within 60 s");
}

pub struct App {
    pub url: String,
    pub data_dir: tempfile::TempDir,
    _process: Process,
}

/// Starts the real binary against `endpoint` with fake credentials, or with
/// no credentials at all when `endpoint` is None.
pub fn app(endpoint: Option<&str>) -> App {
    spawn_app(endpoint, "warn", Stdio::inherit(), &[])
}

/// The app with more flags (e.g. `--aws-timeout 2`).
pub fn app_with_flags(endpoint: &str, flags: &[&str]) -> App {
    spawn_app(Some(endpoint), "warn", Stdio::inherit(), flags)
}

/// The app logging at `rust_log` into the file `log`.
pub fn app_logging(endpoint: &str, rust_log: &str, log: &std::path::Path) -> App {
    let file = std::fs::File::create(log).expect("log file");
    spawn_app(Some(endpoint), rust_log, Stdio::from(file), &[])
}

fn spawn_app(endpoint: Option<&str>, rust_log: &str, stderr: Stdio, flags: &[&str]) -> App {
    let data_dir = tempfile::tempdir().expect("tempdir");
    spawn_in(data_dir, endpoint, rust_log, stderr, flags)
}

impl App {
    /// `kill -9`, then a new process on the same data folder.
    pub fn crash_and_restart(self, endpoint: &str, flags: &[&str]) -> App {
        let App {
            data_dir, _process, ..
        } = self;
        drop(_process);
        spawn_in(data_dir, Some(endpoint), "warn", Stdio::inherit(), flags)
    }

    /// `kill -9`, the process gone for good.
    pub fn kill(&mut self) {
        let _ = self._process.0.kill();
        let _ = self._process.0.wait();
    }

    /// The app's SQLite file, for tests that watch the journal from outside.
    pub fn database(&self) -> PathBuf {
        self.data_dir.path().join("data/ecs-wizard.sqlite3")
    }

    /// The most resident memory the server has held so far (`VmHWM`), in KiB.
    pub fn peak_memory_kib(&self) -> u64 {
        peak_memory_kib(&format!("/proc/{}/status", self._process.0.id()))
    }

    /// The server's resident memory now (`VmRSS`), in KiB.
    pub fn memory_kib(&self) -> u64 {
        status_kib(&format!("/proc/{}/status", self._process.0.id()), "VmRSS")
    }
}

/// `VmHWM` from a `/proc/…/status` file, in KiB.
pub fn peak_memory_kib(status_file: &str) -> u64 {
    status_kib(status_file, "VmHWM")
}

/// A `… kB` line of a `/proc/…/status` file.
fn status_kib(status_file: &str, field: &str) -> u64 {
    std::fs::read_to_string(status_file)
        .expect("a /proc status file")
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in {status_file}"))
}

fn spawn_in(
    data_dir: tempfile::TempDir,
    endpoint: Option<&str>,
    rust_log: &str,
    stderr: Stdio,
    flags: &[&str],
) -> App {
    let home = data_dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecs-wizard"));
    // From an unrelated folder: templates, assets and migrations are in the binary.
    command
        .current_dir(data_dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("RUST_LOG", rust_log)
        .args(["--port", "0", "--region", REGION, "--data-dir"])
        .arg(data_dir.path().join("data"))
        .args(flags)
        .stdout(Stdio::piped())
        .stderr(stderr);
    if let Some(endpoint) = endpoint {
        command
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .args(["--endpoint-url", endpoint]);
    }
    let mut child = command.spawn().expect("start ecs-wizard");
    let stdout = child.stdout.take().expect("stdout");
    let process = Process(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the serving line");
    // `ecs-wizard is serving on http://127.0.0.1:PORT/` (https with TLS).
    let url = line
        .split_once("serving on ")
        .map(|(_, rest)| rest.trim().trim_end_matches('/').to_string())
        .unwrap_or_else(|| panic!("ecs-wizard did not print its URL: {line:?}"));
    App {
        url,
        data_dir,
        _process: process,
    }
}

/// A browser without JavaScript: cookies kept, redirects not followed.
pub struct Client {
    pub base: String,
    http: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub csrf: String,
}

pub struct Page {
    pub status: u16,
    pub location: String,
    pub html: Html,
    pub text: String,
}

impl Page {
    pub fn select(&self, css: &str) -> Vec<String> {
        let selector = Selector::parse(css).expect("selector");
        self.html
            .select(&selector)
            .map(|e| e.text().collect::<String>())
            .collect()
    }

    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        let selector = Selector::parse(css).expect("selector");
        self.html
            .select(&selector)
            .next()
            .and_then(|e| e.value().attr(name).map(str::to_string))
    }

    /// `name` of every element matching `css` that has it.
    pub fn attrs(&self, css: &str, name: &str) -> Vec<String> {
        let selector = Selector::parse(css).expect("selector");
        self.html
            .select(&selector)
            .filter_map(|e| e.value().attr(name).map(str::to_string))
            .collect()
    }

    /// The fields of the form matching `css`, as a browser would submit them.
    pub fn form_fields(&self, css: &str) -> Vec<(String, String)> {
        let form = Selector::parse(css).expect("selector");
        let controls = Selector::parse("input, select, textarea").expect("selector");
        let option = Selector::parse("option").expect("selector");
        let Some(form) = self.html.select(&form).next() else {
            panic!("no form {css}");
        };
        let mut fields = Vec::new();
        for control in form.select(&controls) {
            let element = control.value();
            let Some(name) = element.attr("name") else {
                continue;
            };
            let value = match element.name() {
                "textarea" => control.text().collect(),
                "select" => {
                    let options: Vec<_> = control.select(&option).collect();
                    let chosen = options
                        .iter()
                        .find(|o| o.value().attr("selected").is_some())
                        .or(options.first());
                    chosen
                        .and_then(|o| o.value().attr("value"))
                        .unwrap_or_default()
                        .to_string()
                }
                // Of a radio group, only the checked one is sent.
                _ if element.attr("type") == Some("radio") => {
                    if element.attr("checked").is_none() {
                        continue;
                    }
                    element.attr("value").unwrap_or("on").to_string()
                }
                _ if element.attr("type") == Some("checkbox") => {
                    if element.attr("checked").is_none() {
                        continue;
                    }
                    element.attr("value").unwrap_or("on").to_string()
                }
                _ => element.attr("value").unwrap_or_default().to_string(),
            };
            fields.push((name.to_string(), value));
        }
        fields
    }

    /// The messages shown beside the field with this id.
    pub fn messages_for(&self, id: &str) -> Vec<String> {
        let selector = Selector::parse(".field").expect("selector");
        let input = Selector::parse("input, select, textarea").expect("selector");
        let message = Selector::parse(".msg").expect("selector");
        self.html
            .select(&selector)
            .filter(|field| field.select(&input).any(|i| i.value().id() == Some(id)))
            .flat_map(|field| {
                field
                    .select(&message)
                    .map(|m| m.text().collect::<String>())
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// `ecs-wizard ARGS` run to its end, `stdin` (a line) as its input.
pub fn cli(args: &[String], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecs-wizard"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ecs-wizard");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        writeln!(input, "{text}").expect("stdin");
    }
    drop(input);
    child.wait_with_output().expect("ecs-wizard")
}

/// What a command printed, out and err.
pub fn printed(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The app with `--local-accounts` and these (name, role, password)
/// accounts, made with `ecs-wizard user add` before it starts; in preview
/// mode (no AWS), so nothing a role lets through reaches AWS.
pub fn app_with_users(users: &[(&str, &str, &str)]) -> App {
    app_with_users_on(None, users, &["--local-accounts"])
}

/// The same accounts, the app sending to `endpoint` (None: preview mode)
/// with `flags`.
pub fn app_with_users_on(
    endpoint: Option<&str>,
    users: &[(&str, &str, &str)],
    flags: &[&str],
) -> App {
    use std::io::Write;
    let data_dir = tempfile::tempdir().expect("tempdir");
    for (name, role, password) in users {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ecs-wizard"))
            .arg("--data-dir")
            .arg(data_dir.path().join("data"))
            .args(["user", "add", name, "--role", role, "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("ecs-wizard user add");
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{password}").expect("the password");
        drop(stdin);
        let output = child.wait_with_output().expect("user add");
        assert!(output.status.success(), "user add {name}");
    }
    spawn_in(data_dir, endpoint, "warn", Stdio::inherit(), flags)
}

impl Client {
    /// A browser that has not signed in: its CSRF token comes from the sign-in page.
    pub async fn anonymous(base: &str) -> Self {
        let mut client = Self::without_token(base);
        let page = client.get("/signin").await;
        client.csrf = page
            .attr("input[name=csrf_token]", "value")
            .expect("a CSRF token on the sign-in page");
        client
    }

    /// A browser signed in as `name`.
    pub async fn signed_in(base: &str, name: &str, password: &str) -> Self {
        let mut client = Self::anonymous(base).await;
        let answer = client
            .post(
                "/signin",
                &[("name", name), ("password", password), ("back", "/")],
            )
            .await;
        assert_eq!(answer.status, 303, "sign in as {name}: {}", answer.text);
        // A token is bound to the session: the forms' new one.
        let home = client.get("/").await;
        client.csrf = home
            .attr("input[name=csrf_token]", "value")
            .expect("a CSRF token on the home page");
        client
    }

    /// The same browser (its cookies and form token) opening another
    /// instance at `base`: loopback cookies are not kept apart by port.
    pub fn at(&self, base: &str) -> Self {
        let mut other = Self::with_jar(base, self.jar.clone());
        other.csrf = self.csrf.clone();
        other
    }

    fn without_token(base: &str) -> Self {
        Self::with_jar(base, std::sync::Arc::new(reqwest::cookie::Jar::default()))
    }

    fn with_jar(base: &str, jar: std::sync::Arc<reqwest::cookie::Jar>) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ORIGIN,
            reqwest::header::HeaderValue::from_str(base).expect("origin"),
        );
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            base: base.to_string(),
            http,
            jar,
            csrf: String::new(),
        }
    }

    /// The session cookie's value, as the browser holds it.
    pub fn session_cookie(&self) -> String {
        use reqwest::cookie::CookieStore;
        let url = self.base.parse().expect("url");
        let cookies = self.jar.cookies(&url).expect("cookies");
        let cookies = cookies.to_str().expect("text").to_string();
        cookies
            .split("; ")
            .find_map(|c| c.strip_prefix("ecsw_session="))
            .expect("a session cookie")
            .to_string()
    }

    /// This browser, holding `session` as its session cookie.
    pub fn with_cookie(self, session: &str) -> Self {
        let url = self.base.parse().expect("url");
        self.jar
            .add_cookie_str(&format!("ecsw_session={session}; Path=/"), &url);
        self
    }

    pub async fn new(base: &str) -> Self {
        // A browser sends its page's origin with every POST; the app refuses one without it.
        let mut client = Self::without_token(base);
        let home = client.get("/").await;
        client.csrf = home
            .attr("input[name=csrf_token]", "value")
            .expect("a CSRF token on the home page");
        client
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        to_page(response).await
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .form(&form)
            .send()
            .await
            .expect("POST");
        to_page(response).await
    }

    /// Presses a Create button: a POST that answers with a redirect to the
    /// outcome's own page, which is then followed, as a browser does. A
    /// Create is pressed on its review, so it sends the version reviewed.
    pub async fn press(&self, path: &str) -> Page {
        let mut page = self.create(path).await;
        for _ in 0..3 {
            if page.status != 303 {
                break;
            }
            page = self.get(&page.location).await;
        }
        page
    }

    /// Presses Create on the review of `create_url`: the POST as the
    /// review's form sends it (its version), the answer not followed.
    pub async fn create(&self, create_url: &str) -> Page {
        let fields = self.reviewed(create_url).await;
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post(create_url, &fields).await
    }

    /// What the Create form on the review of `create_url` sends besides
    /// its token (the draft's version it shows); nothing for other buttons.
    pub async fn reviewed(&self, create_url: &str) -> Vec<(String, String)> {
        let Some(draft) = create_url.strip_suffix("/create") else {
            return Vec::new();
        };
        let review = self.get(&format!("{draft}/review")).await;
        let css = format!("form.create[action='{create_url}']");
        if review.status != 200 || review.select(&css).is_empty() {
            return Vec::new();
        }
        review
            .form_fields(&css)
            .into_iter()
            .filter(|(name, _)| name != "csrf_token")
            .collect()
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

async fn to_page(response: reqwest::Response) -> Page {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let text = response.text().await.expect("body");
    Page {
        status,
        location,
        html: Html::parse_document(&text),
        text,
    }
}

/// moto, the app against it, and a client that has loaded the home page.
pub struct Running {
    pub moto: Moto,
    pub app: App,
    pub client: Client,
}

pub async fn start() -> Running {
    let moto = moto();
    let app = app(Some(&moto.url));
    let client = Client::new(&app.url).await;
    Running { moto, app, client }
}

/// One SDK configuration for every service, pointed at the emulator.
pub fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "tests",
        )))
        .endpoint_url(endpoint)
        .build()
}

pub fn ecs_client(endpoint: &str) -> aws_sdk_ecs::Client {
    aws_sdk_ecs::Client::new(&sdk_config(endpoint))
}

pub fn iam_client(endpoint: &str) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&sdk_config(endpoint))
}

pub fn ecr_client(endpoint: &str) -> aws_sdk_ecr::Client {
    aws_sdk_ecr::Client::new(&sdk_config(endpoint))
}

pub fn logs_client(endpoint: &str) -> aws_sdk_cloudwatchlogs::Client {
    aws_sdk_cloudwatchlogs::Client::new(&sdk_config(endpoint))
}

/// What `docker push` leaves in ECR: an image with `tag`.
pub async fn push_image(endpoint: &str, repository: &str, tag: &str) {
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                   "digest": "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654,
                    "digest": "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"}]
    });
    ecr_client(endpoint)
        .put_image()
        .repository_name(repository)
        .image_tag(tag)
        .image_manifest(manifest.to_string())
        .send()
        .await
        .expect("push an image");
}

pub async fn registered_families(ecs: &aws_sdk_ecs::Client) -> Vec<String> {
    ecs.list_task_definitions()
        .send()
        .await
        .expect("list")
        .task_definition_arns()
        .to_vec()
}

/// RegisterTaskDefinition sent straight to moto, as any other client
/// (console, CLI, Terraform) would: not through the app.
pub async fn register_raw(moto_url: &str, definition: &serde_json::Value) -> serde_json::Value {
    let answer = reqwest::Client::new()
        .post(moto_url)
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition",
        )
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20261129/ap-northeast-1/ecs/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(definition.to_string())
        .send()
        .await
        .expect("RegisterTaskDefinition");
    assert!(answer.status().is_success(), "{:?}", answer.text().await);
    serde_json::from_str(&answer.text().await.expect("body")).expect("JSON")
}
