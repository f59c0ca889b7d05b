//! Serving beyond loopback: TLS in the binary (rustls), and the client's
//! address and scheme from X-Forwarded-* only when the peer is a
//! `--trusted-proxy`, as the audit log and the cookies show.

use crate::common;

use common::{Client, app_with_users_on};
use reqwest::header::{HeaderValue, ORIGIN};

const DEE: (&str, &str, &str) = ("dee", "deployer", "dee-password-1234");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_in_the_binary_serves_https_with_secure_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("a self-signed certificate");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.key_pair.serialize_pem()).unwrap();
    let (cert_arg, key_arg) = (cert.display().to_string(), key.display().to_string());
    let app = app_with_users_on(
        None,
        &[DEE],
        &[
            "--local-accounts",
            "--tls-cert",
            &cert_arg,
            "--tls-key",
            &key_arg,
        ],
    );
    assert!(app.url.starts_with("https://127.0.0.1:"), "{}", app.url);

    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(made.cert.pem().as_bytes()).unwrap())
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signin = http
        .get(format!("{}/signin", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(signin.status(), 200);
    let browser_cookie = signin.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(browser_cookie.contains("; Secure"), "{browser_cookie}");
    let page = scraper::Html::parse_document(&signin.text().await.unwrap());
    let token = page
        .select(&scraper::Selector::parse("input[name=csrf_token]").unwrap())
        .next()
        .and_then(|input| input.value().attr("value"))
        .expect("a CSRF token")
        .to_string();
    // The page's origin is https: the CSRF check expects it.
    let signed = http
        .post(format!("{}/signin", app.url))
        .header(ORIGIN, app.url.as_str())
        .form(&[
            ("csrf_token", token.as_str()),
            ("name", DEE.0),
            ("password", DEE.2),
            ("back", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    let session = signed.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        session.starts_with("ecsw_session=") && session.contains("; Secure"),
        "{session}"
    );

    // Plain http on the same port gets no page.
    let plain = app.url.replace("https://", "http://");
    let answer = reqwest::Client::new().get(&plain).send().await;
    assert!(answer.map(|r| !r.status().is_success()).unwrap_or(true));
}

/// Creates a cluster draft and presses Create (preview mode: nothing can be
/// sent, but the request is audited) with these forwarding headers and Origin.
async fn press_create(client: &Client, forwarded: &[(&str, &str)], origin: &str) -> u16 {
    let saved = client
        .post(
            "/clusters/new",
            &[("clusterName", "web"), ("action", "next")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let create = saved.location.replace("/review", "/create");
    let mut form = client.reviewed(&create).await;
    form.push(("csrf_token".into(), client.csrf.clone()));
    let mut request = client
        .http()
        .post(format!("{}{create}", client.base))
        .header(ORIGIN, HeaderValue::from_str(origin).expect("an origin"))
        .form(&form);
    for (name, value) in forwarded {
        request = request.header(*name, *value);
    }
    request.send().await.expect("POST").status().as_u16()
}

async fn logged_addresses(client: &Client) -> Vec<String> {
    client
        .get("/audit")
        .await
        .select("#audit td:nth-child(2) small")
}

#[tokio::test]
async fn forwarded_headers_are_believed_only_from_trusted_proxies() {
    let forwarded = [
        ("x-forwarded-for", "198.51.100.1, 203.0.113.7"),
        ("x-forwarded-proto", "https"),
    ];

    // Not trusted: the peer's own address, and the page's http origin.
    let app = app_with_users_on(None, &[DEE], &["--local-accounts"]);
    let client = Client::signed_in(&app.url, DEE.0, DEE.2).await;
    let status = press_create(&client, &forwarded, &app.url).await;
    assert_ne!(status, 403, "the CSRF check took the header's word");
    assert_eq!(logged_addresses(&client).await, ["127.0.0.1"]);

    // Behind a trusted proxy on loopback: the client is the last hop the
    // proxy added, and the browser's origin is https.
    let app = app_with_users_on(
        None,
        &[DEE],
        &["--local-accounts", "--trusted-proxy", "127.0.0.1"],
    );
    let client = Client::signed_in(&app.url, DEE.0, DEE.2).await;
    let https_origin = app.url.replace("http://", "https://");
    let status = press_create(&client, &forwarded, &https_origin).await;
    assert_ne!(status, 403);
    assert_eq!(logged_addresses(&client).await, ["203.0.113.7"]);
    // A page asked through the proxy over https sets Secure cookies.
    let fresh = reqwest::Client::new()
        .get(format!("{}/signin", app.url))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let cookie = fresh.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}
