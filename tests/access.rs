//! Issue 20, finding 1: every route the router holds (read from the router's
//! own table, never a copy), asked by nobody, a viewer, a deployer and an
//! admin, its path as declared and with each segment percent-encoded, set
//! in other case, after a doubled slash, and with a trailing slash. The app
//! runs in-process with local accounts against moto behind a proxy that
//! sees every AWS call: whoever is below a route's role gets no answer but
//! a refusal and sends nothing to AWS, and every call that changes
//! something is in the audit log.

use crate::common;

use std::time::Duration;

use common::faults::{FaultProxy, fault_proxy};
use common::in_process::{InProcess, READ_CACHE, add_user, connected, settings};
use ecs_wizard::aws::Connection;
use ecs_wizard::model::access::{Need, Role};
use ecs_wizard::store::Store;
use ecs_wizard::store::audit::AuditFilter;
use ecs_wizard::web::route::RouteNeed;

/// Operations whose names say they only read.
fn is_write(action: &str) -> bool {
    !["Describe", "List", "Get", "BatchGet", "Filter"]
        .iter()
        .any(|verb| action.starts_with(verb))
}

fn writes(proxy: &FaultProxy) -> Vec<String> {
    proxy.calls().into_iter().filter(|a| is_write(a)).collect()
}

/// `%xx` for every byte of `text`.
fn encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The path as declared and its look-alikes: for each segment, its first
/// byte or all of it percent-encoded, its case changed, a doubled slash
/// before it; and a trailing slash.
fn variants(path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let join = |at: usize, with: &str, doubled: bool| {
        let mut out = String::new();
        for (n, segment) in segments.iter().enumerate() {
            out.push('/');
            if n == at && doubled {
                out.push('/');
            }
            out.push_str(if n == at { with } else { segment });
        }
        out
    };
    let mut all = vec![path.to_string(), format!("{path}/")];
    for (n, segment) in segments.iter().enumerate() {
        let Some(first) = segment.chars().next() else {
            continue;
        };
        let rest = &segment[first.len_utf8()..];
        all.push(join(
            n,
            &format!("{}{rest}", encoded(&first.to_string())),
            false,
        ));
        all.push(join(n, &encoded(segment), false));
        all.push(join(n, &segment.to_uppercase(), false));
        all.push(join(n, &format!("{}{rest}", first.to_uppercase()), false));
        all.push(join(n, segment, true));
    }
    all.sort();
    all.dedup();
    all
}

/// A concrete path for a declared one: each `{parameter}` given a value that
/// names something the test made.
fn concrete(route: &RouteNeed, drafts: &[(&str, String)]) -> String {
    let kind = route.path.split('/').nth(1).unwrap_or_default();
    let draft = drafts
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("0".repeat(32), |(_, id)| id.clone());
    let name = if kind == "users" {
        "nobody"
    } else {
        "ecsTaskExecutionRole"
    };
    let value = |parameter: &str| match parameter {
        "id" if kind == "teardowns" => "0".repeat(32),
        "id" if route.path.starts_with("/task-definitions/revisions") => "1".into(),
        "id" => draft.clone(),
        "family" => "web".into(),
        "revision" => "1".into(),
        "cluster" => "c".into(),
        "service" => "s".into(),
        "task" => "t".into(),
        "container" => "app".into(),
        "file" => "app.css".into(),
        "name" => name.into(),
        other => panic!("a route parameter this test does not know: {other}"),
    };
    route
        .path
        .split('/')
        .map(|segment| match segment.strip_prefix('{') {
            Some(parameter) => value(parameter.trim_end_matches('}')),
            None => segment.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn audit_calls(store: &Store) -> usize {
    let mut calls = 0;
    let mut filter = AuditFilter::default();
    loop {
        let entries = store
            .audit_entries(filter.clone(), 200)
            .await
            .expect("audit entries");
        calls += entries.iter().map(|e| e.calls.len()).sum::<usize>();
        match entries.last() {
            Some(last) if entries.len() == 200 => filter.before = Some(last.id),
            _ => return calls,
        }
    }
}

async fn audit_entries(store: &Store) -> usize {
    store
        .audit_entries(AuditFilter::default(), 10_000)
        .await
        .expect("audit entries")
        .len()
}

/// What moto holds for the routes to act on: revision web:1, cluster `c`
/// with service `s`.
async fn account(moto: &str) {
    common::register_raw(
        moto,
        &serde_json::json!({"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx", "memory": 512}]}),
    )
    .await;
    let ecs = common::ecs_client(moto);
    ecs.create_cluster()
        .cluster_name("c")
        .send()
        .await
        .expect("cluster");
    ecs.create_service()
        .cluster("c")
        .service_name("s")
        .task_definition("web:1")
        .desired_count(0)
        .send()
        .await
        .expect("service");
}

struct Walk {
    app: InProcess,
    proxy: FaultProxy,
    table: Vec<RouteNeed>,
    drafts: Vec<(&'static str, String)>,
}

impl Walk {
    /// Sends every variant of every route of `method` as the signed-in
    /// role (None: nobody), the routes above that role first; checks each
    /// refusal sent nothing.
    async fn walk(&mut self, method: &str, who: Option<(&str, Role)>) {
        let role = who.map(|(_, role)| role);
        let mut routes: Vec<RouteNeed> = self
            .table
            .iter()
            .filter(|r| r.method.as_str() == method)
            .cloned()
            .collect();
        let refused = |need: Need| match (need, role) {
            (Need::Anyone, _) => false,
            (Need::AtLeast(_), None) => true,
            (Need::AtLeast(wanted), Some(mine)) => mine < wanted,
        };
        routes.sort_by_key(|r| !refused(r.need));
        for route in routes {
            let path = concrete(&route, &self.drafts);
            for variant in variants(&path) {
                let writes_before = writes(&self.proxy).len();
                let entries_before = audit_entries(&self.app.store).await;
                let answer = if method == "GET" {
                    self.app.get(&variant).await
                } else {
                    self.app.post(&variant, &[]).await
                };
                let label = role.map_or("nobody", Role::as_str);
                let asked = format!("{method} {variant} ({} as {label})", route.path);
                assert!(answer.status < 500, "{asked}: {}", answer.status);
                // Signing in or out changes the session: sign in again.
                if let (Some((name, _)), true) = (who, route.path.starts_with("/sign")) {
                    self.app.signed_in_as(name).await;
                }
                if std::env::var("ACCESS_DEBUG").is_ok() {
                    eprintln!("{asked} -> {} {}", answer.status, answer.location);
                }
                if !refused(route.need) {
                    continue;
                }
                let to_sign_in = answer.status == 303 && answer.location.starts_with("/signin");
                assert!(
                    (403..=405).contains(&answer.status) || to_sign_in,
                    "{asked}: answered {} {}",
                    answer.status,
                    answer.location
                );
                if answer.status == 403 {
                    // The page says why, in words.
                    let why = if role.is_some() {
                        "Your role may not do this"
                    } else {
                        "Sign in first"
                    };
                    assert!(answer.body.contains(why), "{asked}: {}", answer.body);
                }
                assert_eq!(
                    writes(&self.proxy).len(),
                    writes_before,
                    "{asked}: reached AWS"
                );
                assert_eq!(
                    audit_entries(&self.app.store).await,
                    entries_before,
                    "{asked}: a refused request opened an audit entry"
                );
            }
        }
    }
}

/// The app's AWS connection, through `proxy`.
fn through(proxy: &FaultProxy) -> Connection {
    connected(&proxy.url, READ_CACHE)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_and_its_look_alikes_answer_each_role_as_declared() {
    let moto = common::moto();
    account(&moto.url).await;
    let proxy = fault_proxy(&moto.url).await;
    let connection = through(&proxy);
    let store = Store::open_in_memory().expect("store");
    for (name, role) in [
        ("vera", Role::Viewer),
        ("dan", Role::Deployer),
        ("ada", Role::Admin),
    ] {
        add_user(&store, name, role).await;
    }
    let mut app = settings(store, connection).local_accounts().app().await;

    // A draft of every kind, for the routes under `/KIND/drafts/{id}`.
    app.signed_in_as("ada").await;
    let mut drafts = Vec::new();
    for kind in [
        "roles",
        "clusters",
        "repositories",
        "log-groups",
        "services",
    ] {
        let made = app
            .post(&format!("/{kind}/new"), &[("action", "save")])
            .await;
        let id = made
            .location
            .split('/')
            .nth(3)
            .unwrap_or_else(|| panic!("a {kind} draft: {} {}", made.status, made.location))
            .to_string();
        drafts.push((kind, id));
    }
    let made = app.post("/task-definitions/drafts", &[]).await;
    let id = made
        .location
        .split('/')
        .nth(3)
        .expect("a draft")
        .to_string();
    drafts.push(("task-definitions", id));

    let table = ecs_wizard::web::route_table();
    assert!(table.len() > 60, "the router's own table: {}", table.len());
    // A POST that acts in AWS is never a viewer's (a viewer's POST only
    // keeps a draft, a preference or a kept read here).
    let acts = [
        "create",
        "finish",
        "undo",
        "resume",
        "cleanup",
        "update",
        "deregister",
    ];
    for route in table.iter().filter(|r| r.method == "POST") {
        let last = route.path.rsplit('/').next().unwrap_or_default();
        let deletes_in_aws = last == "delete" && !route.path.contains("/drafts/");
        if acts.contains(&last) || deletes_in_aws {
            assert!(
                matches!(route.need, Need::AtLeast(Role::Deployer | Role::Admin)),
                "POST {} is open to {:?}",
                route.path,
                route.need
            );
        }
    }
    // The attack as it was found: a viewer's percent-encoded deregister
    // and delete reached AWS, and nothing was audited.
    app.signed_in_as("vera").await;
    for path in [
        "/task-definitions/web/1/%64eregister",
        "/task-definitions/web/1/%64elete",
    ] {
        let answer = app.post(path, &[]).await;
        assert!(
            matches!(answer.status, 403 | 404),
            "{path}: {}",
            answer.status
        );
    }
    let revision = common::ecs_client(&moto.url)
        .describe_task_definition()
        .task_definition("web:1")
        .send()
        .await
        .expect("web:1");
    assert_eq!(
        revision
            .task_definition()
            .and_then(|t| t.status())
            .map(|s| s.as_str()),
        Some("ACTIVE")
    );
    let mut walk = Walk {
        app,
        proxy,
        table,
        drafts,
    };
    let started = writes(&walk.proxy).len();

    walk.app.signed_out().await;
    walk.walk("GET", None).await;
    walk.walk("POST", None).await;
    for (name, role) in [
        ("vera", Role::Viewer),
        ("dan", Role::Deployer),
        ("ada", Role::Admin),
    ] {
        walk.app.signed_in_as(name).await;
        walk.walk("POST", Some((name, role))).await;
        if role == Role::Deployer {
            assert_eq!(
                writes(&walk.proxy).len(),
                started,
                "a viewer or nobody reached AWS"
            );
        }
    }

    // Runs started by the deployer's and admin's requests finish on their
    // own: wait until the calls stop, then every change is in the log.
    let mut seen = usize::MAX;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = walk.proxy.calls().len();
        if now == seen {
            break;
        }
        seen = now;
    }
    let changes = writes(&walk.proxy).len() - started;
    assert!(changes > 0, "the deployer and the admin changed something");
    assert_eq!(
        audit_calls(&walk.app.store).await,
        changes,
        "every call that changed something is in the audit log: {:?}",
        writes(&walk.proxy)
    );
}

/// Issue 20, finding 9: a role name with a NUL went to IAM, and its
/// refusal was a 502 (all 36 of the fuzz's 5xx). A name IAM could not hold
/// is not looked up: the page is not found, and nothing is sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_role_name_iam_could_not_hold_is_not_looked_up() {
    let moto = common::moto();
    let proxy = fault_proxy(&moto.url).await;
    let mut app = settings(Store::open_in_memory().expect("store"), through(&proxy))
        .app()
        .await;
    let before = proxy.calls().len();
    for name in [
        "a%00b",
        "%00",
        &"r".repeat(65),
        "a%2Fb",
        "%E3%83%AD%E3%83%BC%E3%83%AB",
    ] {
        assert_eq!(
            app.get(&format!("/roles/{name}")).await.status,
            404,
            "{name}"
        );
        for fix in ["trust-ecs-tasks", "attach-execution-policy"] {
            let answer = app.post(&format!("/roles/{name}/{fix}"), &[]).await;
            assert_eq!(answer.status, 404, "{name} {fix}");
        }
    }
    assert_eq!(proxy.calls().len(), before, "{:?}", proxy.calls());
}

#[test]
fn look_alikes_cover_every_segment() {
    let all = variants("/task-definitions/web/1/deregister");
    for wanted in [
        "/task-definitions/web/1/%64eregister",
        "/task-definitions/web/1/DEREGISTER",
        "/task-definitions/web/1//deregister",
        "/task-definitions/web/1/deregister/",
        "/%74ask-definitions/web/1/deregister",
        "/task-definitions/%77%65%62/1/deregister",
    ] {
        assert!(all.contains(&wanted.to_string()), "{wanted} in {all:?}");
    }
}
