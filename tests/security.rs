//! The security baseline, checked over HTTP against the binary; AWS (moto)
//! only where a check needs its answers or its silence.

use crate::common;

use common::{Client, app, moto};

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let app = app(None);
    let client = Client::new(&app.url).await;
    let response = client
        .http()
        .post(format!("{}/task-definitions/drafts", app.url))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let wrong = client
        .http()
        .post(format!("{}/task-definitions/drafts", app.url))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    assert_eq!(
        client.post("/task-definitions/drafts", &[]).await.status,
        303
    );
}

#[tokio::test]
async fn another_host_name_is_refused() {
    let app = app(None);
    let response = reqwest::Client::new()
        .get(format!("{}/", app.url))
        .header("Host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 421);
    let port = app.url.rsplit(':').next().unwrap();
    let localhost = reqwest::Client::new()
        .get(format!("{}/", app.url))
        .header("Host", format!("localhost:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(localhost.status(), 200);
}

#[tokio::test]
async fn pages_forbid_inline_script_and_framing() {
    let app = app(None);
    let response = reqwest::get(format!("{}/task-definitions/new", app.url))
        .await
        .unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    for script in html.select(&scraper::Selector::parse("script").unwrap()) {
        assert!(
            script.value().attr("src").is_some() && script.text().next().is_none(),
            "no inline script"
        );
    }
}

#[tokio::test]
async fn gets_change_nothing_and_unknown_drafts_are_not_found() {
    let app = app(None);
    let client = Client::new(&app.url).await;
    assert_eq!(
        client
            .get("/task-definitions/drafts/00000000000000000000000000000000/configure")
            .await
            .status,
        404
    );
    assert_eq!(
        client
            .get("/task-definitions/drafts/../../etc/passwd/configure")
            .await
            .status,
        404
    );
    assert_eq!(
        client.get("/task-definitions/revisions/999").await.status,
        404
    );
    assert!(
        client
            .get("/")
            .await
            .select("h2 + p")
            .iter()
            .any(|p| p.contains("No drafts yet"))
    );
    client.get("/task-definitions/new").await;
    assert!(
        client
            .get("/")
            .await
            .select("h2 + p")
            .iter()
            .any(|p| p.contains("No drafts yet")),
        "GET created no draft"
    );
}

/// Item 10 of issue 7: at the chattiest log level, neither a draft's values
/// nor the credentials reach the log.
#[tokio::test]
async fn trace_logs_hold_no_draft_value_and_no_credential() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let app = common::app_logging(&moto.url, "trace", &log);
    let client = common::Client::new(&app.url).await;
    let secret = "SuperSecretValue-8c1f2e";
    let json = serde_json::json!({
        "family": "logtest",
        "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
        "cpu": "256", "memory": "512",
        "containerDefinitions": [{"name": "app", "image": "nginx", "essential": true,
            "environment": [{"name": "RAILS_MASTER_KEY", "value": secret}]}]
    })
    .to_string();
    let imported = client
        .post("/task-definitions/import", &[("json", &json)])
        .await;
    assert_eq!(imported.status, 303);
    let draft = imported.location.trim_end_matches("/configure").to_string();
    let created = client.create(&format!("{draft}/create")).await;
    assert_eq!(created.status, 303, "registered: {}", created.text);
    let registered = common::registered_families(&common::ecs_client(&moto.url)).await;
    assert_eq!(registered.len(), 1);
    drop(app);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.len() > 1000, "trace logging was on: {text}");
    for leak in [
        secret,
        "AWS4-HMAC-SHA256",
        "Credential=testing",
        "x-amz-security-token",
    ] {
        assert!(!text.contains(leak), "{leak} is in the log");
    }
}

/// Issue 7, item 4: an endpoint that stops answering makes pages say so
/// within the timeout, instead of holding them open.
// Multi-threaded: the proxy must relay while the test waits for the app to start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_aws_stops_answering_pages_say_so_within_the_timeout() {
    let moto = moto();
    let proxy = common::proxy::proxy(&moto.url).await;
    let app = common::app_with_flags(&proxy.url, &["--aws-timeout", "2"]);
    let client = common::Client::new(&app.url).await;
    assert!(
        client.get("/").await.select("#identity")[0].contains("Account"),
        "connected through the proxy"
    );
    proxy.stall();
    let started = std::time::Instant::now();
    let roles = tokio::time::timeout(std::time::Duration::from_secs(20), client.get("/roles"))
        .await
        .expect("the roles page answered within 20 s");
    let took = started.elapsed();
    assert_eq!(roles.status, 200);
    assert!(roles.text.contains("NoAnswer"), "{}", roles.text);
    assert!(!roles.text.contains("DispatchFailure") && !roles.text.contains("ConnectError"));
    assert!(took < std::time::Duration::from_secs(15), "took {took:?}");

    let created = client
        .post(
            "/clusters/new",
            &[
                ("clusterName", "web"),
                ("fargate", "on"),
                ("action", "next"),
            ],
        )
        .await;
    let review = created.location;
    let create = review.replace("/review", "/create");
    let refused = tokio::time::timeout(std::time::Duration::from_secs(20), client.create(&create))
        .await
        .expect("Create answered within 20 s");
    let page = if refused.status == 303 {
        client.get(&refused.location).await
    } else {
        refused
    };
    assert_eq!(page.select("h1"), ["AWS did not answer"], "{}", page.text);
    assert_eq!(page.select("#aws-error-code"), ["NoAnswer"]);
    eprintln!("a stalled endpoint answered /roles in {took:?} with --aws-timeout 2");
}

// Found by the fuzz test over HTTP: a body over the limit was answered while
// it was still being sent and the connection closed, so the client saw a
// broken pipe (a browser: "connection reset"), not the app's page.
#[tokio::test]
async fn a_body_over_the_limit_gets_the_apps_page_not_a_reset_connection() {
    let app = app(None);
    let client = common::Client::new(&app.url).await;
    let pasted = "x".repeat(3 * 1024 * 1024);
    for _ in 0..3 {
        let response = client
            .http()
            .post(format!("{}/task-definitions/import", app.url))
            .form(&[("csrf_token", client.csrf.as_str()), ("json", &pasted)])
            .send()
            .await
            .expect("an answer, not a reset connection");
        assert_eq!(response.status(), 413);
        let page = response.text().await.unwrap();
        assert!(page.contains("<link rel=\"stylesheet\""), "{page}");
    }
    assert_eq!(client.get("/").await.status, 200);
}

/// Issue 20, finding 9: the home page chained reads and waited for two or
/// three timeouts when AWS went silent. Every page of the router (from its
/// own table) answers by --aws-timeout, with a margin for its own work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_answers_by_the_timeout_when_aws_is_silent() {
    use std::time::{Duration, Instant};

    use aws_config::timeout::TimeoutConfig;
    use common::in_process::settings;
    use ecs_wizard::aws::{Aws, Connection, Identity};
    use ecs_wizard::store::Store;
    use tower::ServiceExt;

    let timeout = Duration::from_secs(2);
    let moto = moto();
    let proxy = common::proxy::proxy(&moto.url).await;
    let config = common::sdk_config(&proxy.url)
        .into_builder()
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeout)
                .operation_attempt_timeout(timeout)
                .operation_timeout(timeout)
                .build(),
        )
        .build();
    let connection = Connection::Connected {
        aws: Aws::from_config(&config),
        identity: Identity {
            account: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:user/test".into(),
        },
    };
    let app = settings(Store::open_in_memory().expect("store"), connection)
        .aws_timeout(timeout)
        .app()
        .await;
    proxy.stall();
    let pages: Vec<String> = ecs_wizard::web::route_table()
        .into_iter()
        .filter(|route| route.method == "GET")
        .map(|route| {
            route
                .path
                .split('/')
                .map(|part| if part.starts_with('{') { "x1" } else { part })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    let views = pages.iter().map(|path| {
        let request = app.get_request(path);
        let router = app.router.clone();
        async move {
            let started = Instant::now();
            let answer = router.oneshot(request).await.expect("an answer");
            (path.clone(), answer.status().as_u16(), started.elapsed())
        }
    });
    for (path, status, took) in futures_util::future::join_all(views).await {
        assert!(
            took < timeout + Duration::from_secs(3),
            "{path} answered {status} after {took:?}"
        );
    }
    let home = common::in_process::answer(
        app.router
            .clone()
            .oneshot(app.get_request("/"))
            .await
            .expect("home"),
    )
    .await;
    assert_eq!(
        home.status, 200,
        "the home page says what it could not read"
    );
}
