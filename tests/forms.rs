//! The task definition wizard's forms where AWS has no part: in-process over
//! a preview app (no emulator, no server process), so each runs in
//! milliseconds. What AWS must hold afterwards is `tests/wizard.rs`, against
//! moto.

use crate::common;

use common::fixture;
use common::in_process::{InProcess, preview_app};

/// A new draft's path, without its step.
async fn new_draft(app: &mut InProcess) -> String {
    let made = app.post("/task-definitions/drafts", &[]).await;
    assert_eq!(made.status, 303, "{}", made.body);
    made.location.trim_end_matches("/configure").to_string()
}

#[tokio::test]
async fn a_typo_in_pasted_json_is_refused_by_name_and_place() {
    let mut app = preview_app().await;
    let text = fixture("reference_003_input.json").replace("\"essential\"", "\"esential\"");
    let page = app
        .post("/task-definitions/import", &[("json", &text)])
        .await
        .page();
    assert_eq!(page.status, 422);
    assert_eq!(
        page.messages_for("json"),
        [
            "esential is not a field of the ECS API (at containerDefinitions[0]). Check the spelling."
        ]
    );
}

#[tokio::test]
async fn a_step_with_errors_comes_back_with_the_message_beside_the_field() {
    let mut app = preview_app().await;
    let draft = new_draft(&mut app).await;
    let fields = [
        ("family", "bad name!"),
        ("launchType", "FARGATE"),
        ("platform", "LINUX/X86_64"),
        ("networkMode", "awsvpc"),
        ("cpu", "256"),
        ("memory", "4096"),
        ("action", "next"),
    ];
    let page = app
        .post(&format!("{draft}/configure"), &fields)
        .await
        .page();
    assert_eq!(page.status, 422);
    assert_eq!(
        page.messages_for("memory"),
        ["With .25 vCPU, Fargate allows .5 GB to 2 GB of memory; choose one of the offered sizes."]
    );
    assert_eq!(
        page.messages_for("family"),
        ["Use 1 to 255 letters, digits, hyphens (-) and underscores (_)."]
    );
    assert_eq!(
        page.attr("#family", "value").as_deref(),
        Some("bad name!"),
        "what was typed is kept"
    );
    // The draft kept it too: a refresh shows the same.
    let again = app.get(&format!("{draft}/configure")).await;
    assert_eq!(again.attr("#family", "value").as_deref(), Some("bad name!"));
}

#[tokio::test]
async fn memory_options_follow_the_cpu() {
    let mut app = preview_app().await;
    let page = app.get("/fargate/memory-options?cpu=512&memory=2048").await;
    assert_eq!(page.select("option"), ["1 GB", "2 GB", "3 GB", "4 GB"]);
    assert_eq!(
        page.attr("option[selected]", "value").as_deref(),
        Some("2048")
    );
    // 3 GB is not allowed under .25 vCPU: only what is, the nearest chosen.
    let page = app.get("/fargate/memory-options?cpu=256&memory=3072").await;
    assert_eq!(page.select("option"), [".5 GB", "1 GB", "2 GB"]);
    assert_eq!(
        page.attr("option[selected]", "value").as_deref(),
        Some("2048")
    );
}

#[tokio::test]
async fn japanese_is_chosen_from_accept_language_and_switchable() {
    let mut app = preview_app().await;
    let draft = new_draft(&mut app).await;
    let asked = app
        .request("GET", &format!("{draft}/configure"))
        .header("accept-language", "ja,en;q=0.8")
        .body(axum::body::Body::empty())
        .expect("request");
    let body = app.send(asked).await.body;
    assert!(body.contains("タスク定義ファミリー") && body.contains("タスク実行ロール"));
    let switched = app
        .post(
            "/lang",
            &[("lang", "ja"), ("back", &format!("{draft}/configure"))],
        )
        .await;
    assert_eq!(switched.location, format!("{draft}/configure"));
    let page = app.get(&format!("{draft}/configure")).await;
    assert_eq!(page.attr("html", "lang").as_deref(), Some("ja"));
    assert!(page.select("label[for=family]")[0].contains("タスク定義ファミリー"));
}

#[tokio::test]
async fn adding_and_removing_rows_with_htmx_returns_only_the_form() {
    let mut app = preview_app().await;
    let draft = new_draft(&mut app).await;
    let mut request = app.form_request(
        &format!("{draft}/containers"),
        &[
            ("containerDefinitions.0.name", "web"),
            ("containerDefinitions.0.image", "nginx"),
            ("action", "add:containerDefinitions"),
        ],
    );
    request
        .headers_mut()
        .insert("hx-request", "true".parse().expect("header"));
    let fragment = app.send(request).await;
    assert_eq!(fragment.status, 200);
    assert!(
        fragment
            .body
            .trim_start()
            .starts_with("<form id=\"step-form\""),
        "{}",
        fragment.body
    );
    assert!(!fragment.body.contains("<html"));
    let html = scraper::Html::parse_fragment(&fragment.body);
    let legends: Vec<String> = html
        .select(&scraper::Selector::parse("fieldset.container > legend").expect("selector"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(legends, ["Container 1 — web", "Container 2"]);
    // Without htmx the same button posts and comes back to the page.
    let removed = app
        .post(
            &format!("{draft}/containers"),
            &[
                ("containerDefinitions.0.name", "web"),
                ("containerDefinitions.1.name", ""),
                ("action", "remove:containerDefinitions.1"),
            ],
        )
        .await;
    assert_eq!(removed.location, format!("{draft}/containers"));
    let page = app.get(&format!("{draft}/containers")).await;
    assert_eq!(
        page.select("fieldset.container > legend"),
        ["Container 1 — web"]
    );
}

/// AWS refuses a Fargate definition whose containers log with awslogs and
/// no task execution role: the wizard says so beside the field, leads to
/// the role wizard keeping what was typed, and the role's result leads back
/// with the field filled.
#[tokio::test]
async fn logs_without_an_execution_role_are_refused_and_the_way_back_is_kept() {
    let mut app = preview_app().await;
    let text = fixture("reference_003_input.json").replace(
        "\"executionRoleArn\": \"arn:aws:iam::123456789012:role/ecsTaskExecutionRole\", ",
        "",
    );
    let imported = app
        .post("/task-definitions/import", &[("json", &text)])
        .await;
    assert_eq!(imported.status, 303, "{}", imported.body);
    let draft = imported.location.trim_end_matches("/configure").to_string();
    let id = draft.rsplit('/').next().expect("an id").to_string();

    let review = app.get(&format!("{draft}/review")).await.page();
    let refused = [
        "Choose a task execution role: on Fargate, container ContainerHandsOn can send its logs to CloudWatch (awslogs) only through one, and AWS refuses the definition without it.",
    ];
    let listed = review.select(".issues li");
    assert!(
        listed.iter().any(|i| i.starts_with(refused[0])),
        "{listed:?}"
    );
    assert!(
        review
            .attrs(".issues li a", "href")
            .contains(&format!("{draft}/configure")),
        "the review leads to the step"
    );
    let step = app.get(&format!("{draft}/configure?check=1")).await.page();
    assert_eq!(
        step.messages_for("executionRoleArn"),
        refused,
        "beside the field"
    );

    // "Create task execution role" saves what was typed, then leaves.
    let fields = [
        ("family", "typed-before-leaving"),
        ("launchType", "FARGATE"),
        ("platform", "LINUX/X86_64"),
        ("networkMode", "awsvpc"),
        ("cpu", "256"),
        ("memory", "512"),
        ("executionRoleArn", ""),
        ("action", "go:new-execution-role"),
    ];
    let left = app.post(&format!("{draft}/configure"), &fields).await;
    assert_eq!(left.status, 303, "{}", left.body);
    assert_eq!(left.location, format!("/roles/new?kind=execution&for={id}"));
    let kept = app.get(&format!("{draft}/configure")).await.page();
    assert_eq!(
        kept.attr("#family", "value").as_deref(),
        Some("typed-before-leaving")
    );
    let role_form = app.get(&left.location).await.page();
    assert_eq!(
        role_form.attr("input[name=for]", "value").as_deref(),
        Some(id.as_str()),
        "the role's draft remembers where it came from"
    );
    assert_eq!(
        role_form.select("#made-for-draft"),
        [
            "Your task definition is saved. Once the role is created, its page leads back there with the role chosen."
        ]
    );
    let not_an_id = app
        .get("/roles/new?kind=execution&for=%22%3E%3Cscript%3E")
        .await;
    assert!(not_an_id.page().attr("input[name=for]", "value").is_none());

    // The role's result leads back; the link fills the empty field, unsaved.
    let back = app
        .get(&format!(
            "{draft}/configure?executionRole=ecsTaskExecutionRole"
        ))
        .await
        .page();
    let filled = back.attr("#executionRoleArn", "value").unwrap_or_default();
    assert!(filled.ends_with("ecsTaskExecutionRole"), "{filled}");
    let odd = app
        .get(&format!("{draft}/configure?executionRole=no%20such%20name"))
        .await
        .page();
    assert_eq!(odd.attr("#executionRoleArn", "value").as_deref(), Some(""));
}

/// Browser Back must ask the app again, not show a step as it was before
/// the last save (whose Next would then be refused as changed elsewhere).
#[tokio::test]
async fn pages_are_never_served_from_the_browsers_history() {
    let mut app = preview_app().await;
    let draft = new_draft(&mut app).await;
    for path in [
        format!("{draft}/configure"),
        format!("{draft}/containers"),
        format!("{draft}/review"),
        "/roles/new".to_string(),
        "/".to_string(),
    ] {
        let answer = app.get(&path).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.cache_control, "no-store", "{path}");
    }
    let page = app.get("/").await;
    let style = page
        .attr("link[rel=stylesheet]", "href")
        .expect("a stylesheet");
    let asset = app.get(&style).await;
    assert_eq!(asset.status, 200);
    assert!(
        asset.cache_control.contains("immutable"),
        "{}",
        asset.cache_control
    );
}

/// The browser's Back led to a containers step from before a container was
/// added; Next there must not drop it silently. The refusal names it.
#[tokio::test]
async fn an_older_step_sent_again_names_what_it_would_remove() {
    let mut app = preview_app().await;
    let draft = new_draft(&mut app).await;
    let containers = format!("{draft}/containers");
    let before = app.get(&containers).await.page();
    let old_action = before.attr("#step-form", "action").expect("action");
    let old_fields: Vec<(String, String)> = before
        .form_fields("#step-form")
        .into_iter()
        .filter(|(name, _)| name != "action")
        .chain([("action".to_string(), "next".to_string())])
        .collect();
    let added = app
        .post(
            &old_action,
            &[
                ("containerDefinitions.0.name", "web"),
                ("containerDefinitions.0.image", "nginx"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let fields: Vec<(&str, &str)> = old_fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let refused = app.post(&old_action, &fields).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    let summary = refused.select("#error-summary li");
    assert!(
        summary.contains(
            &"containerDefinitions › web: saved, and not in yours (sending again removes it)."
                .to_string()
        ),
        "{summary:?}"
    );
    let page = app.get(&containers).await;
    assert_eq!(
        page.select("fieldset.container > legend"),
        ["Container 1 — web"],
        "nothing was overwritten"
    );
}

/// Issue 22, item 7: the service form shows only the chosen load-balancing
/// option's fields. CSS does the hiding (no script), so each field must sit
/// in a part marked with the options it belongs to; the fields stay in the
/// form, so what was typed is sent whichever option is chosen.
#[tokio::test]
async fn each_load_balancing_field_belongs_to_the_options_that_use_it() {
    let mut app = preview_app().await;
    let form = app.get("/services/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let html = form.html();
    let part_of = |id: &str| -> Vec<String> {
        let selector = scraper::Selector::parse(&format!("[id='{id}']")).expect("selector");
        let field = html
            .select(&selector)
            .next()
            .unwrap_or_else(|| panic!("no #{id}"));
        field
            .ancestors()
            .filter_map(scraper::ElementRef::wrap)
            .find(|e| e.value().classes().any(|c| c == "lb-part"))
            .map(|part| {
                let mut classes: Vec<String> = part
                    .value()
                    .classes()
                    .filter_map(|c| c.strip_prefix("for-").map(str::to_string))
                    .collect();
                classes.sort();
                classes
            })
            .unwrap_or_default()
    };
    assert_eq!(part_of("loadBalancer.loadBalancerName"), ["new"]);
    assert_eq!(
        part_of("loadBalancerArn"),
        ["existing_listener", "existing_load_balancer"]
    );
    assert_eq!(part_of("rulePriority"), ["existing_listener"]);
    assert_eq!(
        part_of("loadBalancer.listenerPort"),
        ["existing_load_balancer", "new"]
    );
    assert_eq!(
        part_of("loadBalancer.targetGroup.intervalSeconds"),
        ["existing_listener", "existing_load_balancer", "new"]
    );
    assert_eq!(part_of("targetGroupArn"), ["existing"]);
    // Every option the radio offers has a rule that shows its parts.
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/static/app.css"))
        .expect("css");
    for option in [
        "new",
        "existing_load_balancer",
        "existing_listener",
        "existing",
    ] {
        assert!(css.contains(&format!(".lb-part.for-{option}")), "{option}");
    }
}
