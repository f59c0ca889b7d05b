//! Signing in with a real local OpenID Connect provider, over HTTP as a
//! browser does (the browser test does it by clicking): the role comes from
//! a group or the email's domain; a tampered state or nonce, a stranger, and
//! an expired session are refused.

use crate::common;

use std::time::Duration;

use common::oidc::{Provider, app_with_provider, provider};
use reqwest::redirect::Policy;
use serde_json::json;

/// A browser with its cookies, following no redirect by itself.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("client")
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"]
        .to_str()
        .expect("text")
        .to_string()
}

/// Begins at the app, signs in as `sub` at the provider, and gives the
/// callback URL the provider sends the browser to. `tamper` may change the
/// authorization URL on its way to the provider.
async fn to_callback(
    http: &reqwest::Client,
    app: &str,
    sub: &str,
    tamper: impl Fn(String) -> String,
) -> String {
    let begun = http
        .get(format!("{app}/signin/oidc?back=/roles"))
        .send()
        .await
        .expect("begin");
    assert_eq!(begun.status(), 303, "{:?}", begun.text().await);
    let authorize = tamper(location(&begun));
    for part in [
        "code_challenge=",
        "code_challenge_method=S256",
        "nonce=",
        "state=",
    ] {
        assert!(authorize.contains(part), "{authorize} lacks {part}");
    }
    let form = http
        .get(&authorize)
        .send()
        .await
        .expect("the provider's form");
    assert_eq!(form.status(), 200);
    let authorized = http
        .post(&authorize)
        .form(&[("sub", sub)])
        .send()
        .await
        .expect("authorize");
    assert_eq!(authorized.status(), 302, "{:?}", authorized.text().await);
    let callback = location(&authorized);
    assert!(
        callback.starts_with(&format!("{app}/signin/oidc/callback?")),
        "{callback}"
    );
    callback
}

/// Follows `url` in `http` and checks the app refuses it with `status`,
/// saying `words`.
async fn refused(http: &reqwest::Client, url: &str, status: u16, words: &str) {
    let answer = http.get(url).send().await.expect("GET");
    assert_eq!(answer.status(), status, "{url}");
    let text = answer.text().await.expect("text");
    assert!(text.contains(words), "{words:?} not in {text}");
}

async fn people(provider: &Provider) {
    provider
        .person(
            "ann",
            json!({"email": "ann@example.com", "groups": ["platform-admins"]}),
        )
        .await;
    provider
        .person(
            "bob",
            json!({"email": "bob@example.com", "email_verified": true}),
        )
        .await;
    provider
        .person(
            "eve",
            json!({"email": "eve@elsewhere.test", "groups": ["visitors"]}),
        )
        .await;
    // Issue 20, finding 7: an unverified email that is a local account's
    // name, and an address whose end looks like the team's domain.
    provider
        .person(
            "mal",
            json!({"email": "localadmin", "email_verified": false, "groups": ["platform-admins"]}),
        )
        .await;
    provider
        .person(
            "trudy",
            json!({"email": "eve@evil.test@example.com", "email_verified": true}),
        )
        .await;
}

fn param<'a>(url: &'a str, name: &str) -> &'a str {
    url.split(['?', '&'])
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .expect("the parameter")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_come_from_claims_and_tampering_is_refused() {
    let provider = provider();
    people(&provider).await;
    let app = app_with_provider(&provider, &[]);

    // Nobody signed in: pages go to sign-in, which offers the provider.
    let http = browser();
    let home = http.get(format!("{}/", app.url)).send().await.unwrap();
    assert_eq!(location(&home), "/signin?back=%2F");
    let signin = http
        .get(format!("{}/signin", app.url))
        .send()
        .await
        .unwrap();
    let signin = signin.text().await.unwrap();
    assert!(
        signin.contains("Sign in with your company account"),
        "{signin}"
    );
    assert!(
        !signin.contains("type=\"password\""),
        "no local accounts here"
    );

    // Ann is in platform-admins: admin, and sent back where she was going.
    let callback = to_callback(&http, &app.url, "ann", |u| u).await;
    let done = http.get(&callback).send().await.unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(location(&done), "/roles");
    let cookie = done.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let header = http.get(format!("{}/roles", app.url)).send().await.unwrap();
    let header = header.text().await.unwrap();
    assert!(
        header.contains("<strong>oidc:ann@example.com</strong> (admin)"),
        "{header}"
    );
    // The callback cannot be replayed: its state was taken.
    let replayed = browser().get(&callback).send().await.unwrap();
    assert_eq!(replayed.status(), 400);

    // Bob's verified email is @example.com: deployer.
    let http = browser();
    let callback = to_callback(&http, &app.url, "bob", |u| u).await;
    assert_eq!(http.get(&callback).send().await.unwrap().status(), 303);
    let page = http.get(format!("{}/", app.url)).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("(deployer)"));

    // Mal's unverified email is not his name here: the provider's subject
    // is, marked as the provider's.
    let http = browser();
    let callback = to_callback(&http, &app.url, "mal", |u| u).await;
    assert_eq!(http.get(&callback).send().await.unwrap().status(), 303);
    let page = http.get(format!("{}/", app.url)).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("<strong>oidc:mal</strong> (admin)"), "{page}");
    assert!(!page.contains("localadmin"), "{page}");

    // Trudy's address ends in @example.com but is not one address there.
    let http = browser();
    let callback = to_callback(&http, &app.url, "trudy", |u| u).await;
    refused(&http, &callback, 403, "no role here").await;

    // Eve matches no rule: signed in at the provider, refused here.
    let http = browser();
    let callback = to_callback(&http, &app.url, "eve", |u| u).await;
    refused(&http, &callback, 403, "no role here").await;
    let still_out = http.get(format!("{}/", app.url)).send().await.unwrap();
    assert_eq!(still_out.status(), 303, "no session for eve");

    // A tampered state: no sign-in of ours.
    let http = browser();
    let callback = to_callback(&http, &app.url, "ann", |u| u).await;
    let state = param(&callback, "state");
    let forged = callback.replace(state, "forged-state");
    refused(
        &http,
        &forged,
        400,
        "expired or was begun in another browser",
    )
    .await;

    // A tampered nonce: the provider signs it into the ID token, which the
    // app then refuses.
    let http = browser();
    let callback = to_callback(&http, &app.url, "ann", |u| {
        let nonce = param(&u, "nonce").to_string();
        u.replace(&format!("nonce={nonce}"), "nonce=not-the-apps-nonce")
    })
    .await;
    refused(&http, &callback, 403, "token did not check out").await;
    assert_eq!(
        http.get(format!("{}/", app.url))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );

    // The right state from another browser (no login cookie): refused.
    let starter = browser();
    let callback = to_callback(&starter, &app.url, "ann", |u| u).await;
    let other = browser().get(&callback).send().await.unwrap();
    assert_eq!(other.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_ends() {
    let provider = provider();
    people(&provider).await;
    let app = app_with_provider(&provider, &["--session-idle-seconds", "2"]);
    let http = browser();
    let callback = to_callback(&http, &app.url, "bob", |u| u).await;
    assert_eq!(http.get(&callback).send().await.unwrap().status(), 303);
    assert_eq!(
        http.get(format!("{}/", app.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    tokio::time::sleep(Duration::from_secs(4)).await;
    let expired = http.get(format!("{}/roles", app.url)).send().await.unwrap();
    assert_eq!(expired.status(), 303);
    assert_eq!(location(&expired), "/signin?back=%2Froles");
}

/// In-process, with no provider at all (its address answers nothing): the
/// sign-in page still offers it, beginning says in the person's words that
/// it could not be reached, and a callback nobody began is refused without
/// asking it anything.
#[tokio::test]
async fn a_provider_that_cannot_be_reached_is_said_so() {
    use common::in_process::{preview_connection, settings};
    use ecs_wizard::model::access::RoleRules;
    use ecs_wizard::store::Store;

    // A port just closed: connecting is refused at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let issuer = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let rules = RoleRules {
        deployers: vec!["@example.com".into()],
        ..RoleRules::default()
    };
    let mut app = settings(
        Store::open_in_memory().expect("store"),
        preview_connection(),
    )
    .oidc(&issuer, rules)
    .app()
    .await;
    let home = app.get("/").await;
    assert_eq!(
        (home.status, home.location.as_str()),
        (303, "/signin?back=%2F")
    );
    let signin = app.get("/signin").await;
    assert_eq!(signin.select("#sign-in-oidc").len(), 1, "{}", signin.body);
    let begun = app.get("/signin/oidc?back=/roles").await;
    assert_eq!(begun.status, 502);
    assert!(begun.body.contains("sign-in service could not be reached"));
    let stray = app.get("/signin/oidc/callback?code=c&state=s").await;
    assert!(
        (400..500).contains(&stray.status),
        "{}: {}",
        stray.status,
        stray.body
    );
}
