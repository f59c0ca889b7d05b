//! Issue 20, finding 3: Create sent the draft as it was when pressed, not
//! the version reviewed, and anyone could edit anyone's draft. A deployer
//! reviewed a role with AmazonECSTaskExecutionRolePolicy, a viewer then
//! added AdministratorAccess to the same draft, and the deployer's Create
//! attached it. Now a draft is changed only by its owner and admins (others
//! copy it), and a Create pressed on an older review shows what changed and
//! sends nothing. In-process, with local accounts, against moto behind a
//! proxy that sees every call.

use crate::common;

use common::faults::{FaultProxy, fault_proxy};
use common::in_process::{Answer, InProcess, READ_CACHE, add_user, connected, settings};
use ecs_wizard::model::access::Role;
use ecs_wizard::store::Store;

const EXECUTION: &str = "policy.AmazonECSTaskExecutionRolePolicy";
const ADMINISTRATOR: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

struct Team {
    app: InProcess,
    proxy: FaultProxy,
    _moto: common::Moto,
}

async fn team() -> Team {
    let moto = common::moto();
    let proxy = fault_proxy(&moto.url).await;
    let connection = connected(&proxy.url, READ_CACHE);
    let store = Store::open_in_memory().expect("store");
    for (name, role) in [
        ("vera", Role::Viewer),
        ("dan", Role::Deployer),
        ("dee", Role::Deployer),
        ("ada", Role::Admin),
    ] {
        add_user(&store, name, role).await;
    }
    Team {
        app: settings(store, connection).local_accounts().app().await,
        proxy,
        _moto: moto,
    }
}

/// The form on the page at `path` whose action starts with `action`, as a
/// browser would send it, with `changed` fields set.
async fn submit(app: &mut InProcess, path: &str, changed: &[(&str, &str)]) -> Answer {
    let page = app.get(path).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    let action = page
        .attr("main form[method=post]:not(#draft-owner)", "action")
        .expect("a form");
    let html = page.html();
    let selector = scraper::Selector::parse("main form[method=post]:not(#draft-owner) input, main form[method=post]:not(#draft-owner) textarea, main form[method=post]:not(#draft-owner) select")
        .expect("selector");
    let mut fields: Vec<(String, String)> = Vec::new();
    for control in html.select(&selector) {
        let element = control.value();
        let Some(name) = element.attr("name") else {
            continue;
        };
        let kind = element.attr("type").unwrap_or_default();
        if (kind == "checkbox" || kind == "radio") && element.attr("checked").is_none() {
            continue;
        }
        if name == "csrf_token" || name == "action" {
            continue;
        }
        let value = match element.name() {
            "textarea" => control.text().collect(),
            _ => element.attr("value").unwrap_or("on").to_string(),
        };
        fields.push((name.to_string(), value));
    }
    for (name, value) in changed {
        fields.retain(|(n, _)| n != name);
        fields.push((name.to_string(), value.to_string()));
    }
    fields.push(("action".into(), "next".into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post(&action, &fields).await
}

/// The Create form's own fields on a review (its version).
fn create_fields(review: &Answer) -> Vec<(String, String)> {
    let html = review.html();
    let selector = scraper::Selector::parse("form.create input[type=hidden]").expect("selector");
    html.select(&selector)
        .filter_map(|input| {
            let name = input.value().attr("name")?;
            (name != "csrf_token").then(|| {
                (
                    name.to_string(),
                    input.value().attr("value").unwrap_or_default().to_string(),
                )
            })
        })
        .collect()
}

async fn press_create(
    app: &mut InProcess,
    review_url: &str,
    fields: &[(String, String)],
) -> Answer {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post(&review_url.replace("/review", "/create"), &fields)
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn create_sends_the_reviewed_version_and_only_owners_change_drafts() {
    let Team {
        mut app,
        proxy,
        _moto,
    } = team().await;

    // Dan, a deployer, makes a role draft and opens its review.
    app.signed_in_as("dan").await;
    let saved = app
        .post(
            "/roles/new",
            &[
                ("kind", "execution"),
                ("roleName", "reviewed-role"),
                (EXECUTION, "on"),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let review_url = saved.location.clone();
    let draft_url = review_url.trim_end_matches("/review").to_string();
    let review = app.get(&review_url).await;
    let reviewed = create_fields(&review);
    assert!(
        reviewed.iter().any(|(name, _)| name == "version"),
        "{reviewed:?}"
    );

    // Vera, a viewer, tries to add AdministratorAccess to Dan's draft.
    app.signed_in_as("vera").await;
    let page = app.get(&draft_url).await;
    assert_eq!(
        page.select("#draft-owner p"),
        [
            "This draft is dan's: only they and admins may change it. Make your own copy to change it."
        ]
    );
    let refused = submit(&mut app, &draft_url, &[("otherPolicyArns", ADMINISTRATOR)]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("This draft is someone else"));
    // She may make her own copy, and change that.
    let copy = app.post(&format!("{draft_url}/copy"), &[]).await;
    assert_eq!(copy.status, 303);
    assert_ne!(copy.location, draft_url);
    let changed = submit(&mut app, &copy.location, &[("roleName", "veras-copy")]).await;
    assert_eq!(changed.status, 303, "{}", changed.body);

    // Dan's other tab adds AdministratorAccess after the review was opened.
    app.signed_in_as("dan").await;
    let changed = submit(&mut app, &draft_url, &[("otherPolicyArns", ADMINISTRATOR)]).await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    // Create pressed on the first review: refused, with what changed.
    let before = proxy.calls().len();
    let stale = press_create(&mut app, &review_url, &reviewed).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    let lines = stale.select("#changed-since tbody tr td:first-child code");
    assert_eq!(
        lines,
        [
            "iam:AttachRolePolicy RoleName=reviewed-role PolicyArn=arn:aws:iam::aws:policy/AdministratorAccess"
        ],
        "{}",
        stale.body
    );
    assert_eq!(
        stale.select("#changed-since tbody tr td:nth-child(2)"),
        ["added"]
    );
    // A Create that names no version is refused the same way.
    let unknown = press_create(&mut app, &review_url, &[]).await;
    assert_eq!(unknown.status, 409);
    assert!(unknown.body.contains("what was reviewed is not known"));
    assert_eq!(
        proxy.calls().len(),
        before,
        "nothing was sent: {:?}",
        proxy.calls()
    );

    // The review shown with the refusal is of the draft now: its Create
    // sends that version, reviewed.
    let fresh = create_fields(&stale);
    let created = press_create(&mut app, &review_url, &fresh).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let attached = proxy.bodies("AttachRolePolicy");
    assert!(
        attached.iter().any(|b| b.contains("AdministratorAccess")),
        "what was reviewed the second time: {attached:?}"
    );

    // An admin may change anyone's draft.
    app.signed_in_as("ada").await;
    let page = app.get(&copy.location).await;
    assert!(
        page.select("#draft-owner").is_empty(),
        "an admin may change it"
    );
    let by_admin = submit(&mut app, &copy.location, &[("roleName", "admins-fix")]).await;
    assert_eq!(by_admin.status, 303, "{}", by_admin.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_image_after_review_is_named_and_nothing_is_registered() {
    let Team {
        mut app,
        proxy,
        _moto,
    } = team().await;
    app.signed_in_as("dan").await;
    let imported = app
        .post(
            "/task-definitions/import",
            &[(
                "json",
                r#"{"family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
                    "cpu": "256", "memory": "512",
                    "containerDefinitions": [{"name": "app", "image": "nginx:1.27", "essential": true}]}"#,
            )],
        )
        .await;
    assert_eq!(imported.status, 303, "{}", imported.body);
    let draft = imported.location.trim_end_matches("/configure").to_string();
    let review_url = format!("{draft}/review");
    let review = app.get(&review_url).await;
    let reviewed = create_fields(&review);

    // Another deployer may not change it.
    app.signed_in_as("dee").await;
    let refused = submit(&mut app, &format!("{draft}/containers"), &[]).await;
    assert_eq!(refused.status, 403);
    let deleted = app.post(&format!("{draft}/delete"), &[]).await;
    assert_eq!(deleted.status, 403, "only its owner or an admin deletes it");

    // Its owner's other tab changes the image.
    app.signed_in_as("dan").await;
    let containers = app.get(&format!("{draft}/containers")).await;
    let image_field = containers
        .attr("input[value='nginx:1.27']", "name")
        .expect("the image field");
    let changed = submit(
        &mut app,
        &format!("{draft}/containers"),
        &[(&image_field, "evil/miner:latest")],
    )
    .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    let stale = press_create(&mut app, &review_url, &reviewed).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    let fields = stale.select("#changed-since tbody tr td:first-child code");
    assert_eq!(fields, ["containerDefinitions › app › image"]);
    assert_eq!(
        stale.select("#changed-since tbody tr td:nth-child(3) code"),
        ["nginx:1.27"]
    );
    assert_eq!(proxy.count("RegisterTaskDefinition"), 0);
}
