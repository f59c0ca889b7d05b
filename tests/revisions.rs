//! Issue 10 over HTTP against moto: revisions registered outside the app
//! in the history; reference 000 compared with a copy whose image changed,
//! with a variable added and a port removed (exactly those three changes);
//! a service rolled back to an older revision; deregister and delete; the
//! identical-revision notice; and a family's page describing only what it
//! shows, once.

use crate::common;

use common::services::*;
use serde_json::{Value, json};

const FAMILY: &str = "zenn-clone-task-definition-backend";

async fn register(w: &World, definition: &Value) -> Value {
    common::register_raw(&w._moto.url, definition).await
}

fn reference_000() -> Value {
    serde_json::from_str(&common::fixture("reference_000.json")).expect("fixture")
}

/// Reference 000 with its image changed, a variable added and a port removed.
fn changed_copy() -> Value {
    let mut copy = reference_000();
    let rails = &mut copy["containerDefinitions"][0];
    rails["image"] = json!("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/zenn-clone-rails:v2");
    rails["environment"]
        .as_array_mut()
        .expect("environment")
        .push(json!({"name": "RAILS_ENV", "value": "production"}));
    rails["portMappings"] = json!([]);
    copy
}

/// The revision's status in moto, or `gone` once it cannot be described.
async fn status_in_moto(w: &World, reference: &str) -> String {
    let ecs = aws_sdk_ecs::Client::new(&w.config);
    let Ok(described) = ecs
        .describe_task_definition()
        .task_definition(reference)
        .send()
        .await
    else {
        return "gone".to_string();
    };
    described
        .task_definition()
        .and_then(|t| t.status())
        .map(|s| s.as_str().to_string())
        .unwrap_or_default()
}

// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_compares_rolls_back_deregisters_and_deletes() {
    let w = world().await;
    register(&w, &reference_000()).await;
    register(&w, &changed_copy()).await;

    // The menu's Task definitions: every family, counted.
    let families = w.client.get("/task-definitions").await;
    assert_eq!(families.status, 200, "{}", families.text);
    let row = families
        .select("#families tbody tr")
        .into_iter()
        .find(|r| r.contains(FAMILY))
        .expect("the family registered outside the app");
    assert!(row.contains(&format!("{FAMILY}:2")), "{row}");
    let filtered = w.client.get("/task-definitions?q=zenn").await;
    assert_eq!(filtered.select("#families tbody tr").len(), 1);

    // The family's revisions, newest first, each with its images.
    let family = w.client.get(&format!("/task-definitions/{FAMILY}")).await;
    assert_eq!(family.status, 200, "{}", family.text);
    let revisions: Vec<String> = family
        .select("#revisions tbody tr td:first-child a code")
        .into_iter()
        .collect();
    assert_eq!(revisions, ["2", "1"]);
    assert!(family.text.contains("zenn-clone-rails:v2"));

    // Compare: exactly the three changes, in the rails container.
    let compare = w
        .client
        .get(&format!("/task-definitions/{FAMILY}/compare?a=1&b=2"))
        .await;
    assert_eq!(compare.status, 200, "{}", compare.text);
    let groups = compare.select(".diff-group h2");
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert!(groups[0].contains("rails"));
    let mut changes = compare.select("table.diff tbody tr td:first-child");
    changes.sort();
    assert_eq!(
        changes,
        [
            "environment › RAILS_ENV added",
            "image changed",
            "portMappings › 3000/tcp removed",
        ]
    );
    // The default compares the newest with the one before it.
    let default = w
        .client
        .get(&format!("/task-definitions/{FAMILY}/compare"))
        .await;
    assert_eq!(default.select("table.diff tbody tr").len(), 3);

    // A revision's page: the summary masks what looks secret.
    let page = w.client.get(&format!("/task-definitions/{FAMILY}/1")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("RAILS_MASTER_KEY"));
    assert!(
        !page
            .select("#container-rails dd")
            .iter()
            .any(|d| d.contains("0123456789abcdef"))
    );
    assert!(page.select("#revision-terraform").len() == 1);

    // Roll a service back to revision 1 through the service page's action.
    let ecs = aws_sdk_ecs::Client::new(&w.config);
    ecs.create_service()
        .cluster(CLUSTER)
        .service_name("backend")
        .task_definition(format!("{FAMILY}:2"))
        .desired_count(1)
        .send()
        .await
        .expect("a service on revision 2");
    // Revision 2's page names the service that runs it, and offers no
    // update to where it already is.
    let revision_2 = w.client.get(&format!("/task-definitions/{FAMILY}/2")).await;
    assert!(revision_2.select("#running-in")[0].contains("backend"));
    assert!(
        revision_2
            .attr("a[href*='/services/backend/update']", "href")
            .is_none()
    );
    let revision_1 = w.client.get(&format!("/task-definitions/{FAMILY}/1")).await;
    let update = revision_1
        .attr("a[href*='/services/backend/update']", "href")
        .expect("Update backend to this revision");
    let confirm = w.client.get(&update).await;
    assert_eq!(confirm.status, 200, "{}", confirm.text);
    let sent = w
        .client
        .post(
            &format!("/clusters/{CLUSTER}/services/backend/update"),
            &[("action", "revision"), ("value", &format!("{FAMILY}:1"))],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    let service = ecs
        .describe_services()
        .cluster(CLUSTER)
        .services("backend")
        .send()
        .await
        .expect("service");
    assert!(
        service.services()[0]
            .task_definition()
            .is_some_and(|t| t.ends_with(&format!("{FAMILY}:1")))
    );

    // Deregister revision 2 (no service runs it now), then delete it.
    let confirm = w
        .client
        .get(&format!("/task-definitions/{FAMILY}/2/deregister"))
        .await;
    assert_eq!(confirm.status, 200, "{}", confirm.text);
    assert!(confirm.select("#in-use").is_empty());
    let done = w
        .client
        .post(&format!("/task-definitions/{FAMILY}/2/deregister"), &[])
        .await;
    assert_eq!(done.status, 303, "{}", done.text);
    assert_eq!(status_in_moto(&w, &format!("{FAMILY}:2")).await, "INACTIVE");
    let inactive = w
        .client
        .get(&format!("/task-definitions/{FAMILY}?status=INACTIVE"))
        .await;
    assert_eq!(inactive.select("#revisions tbody tr").len(), 1);
    // Revision 1 is in use: deregistering it warns first.
    let warned = w
        .client
        .get(&format!("/task-definitions/{FAMILY}/1/deregister"))
        .await;
    assert!(warned.select("#in-use")[0].contains("backend"));
    let deleted = w
        .client
        .post(&format!("/task-definitions/{FAMILY}/2/delete"), &[])
        .await;
    assert_eq!(deleted.status, 303, "{}", deleted.text);
    let after = status_in_moto(&w, &format!("{FAMILY}:2")).await;
    assert!(
        after == "gone" || after == "DELETE_IN_PROGRESS",
        "deleted: {after}"
    );
    // Deleting an ACTIVE revision is refused before AWS sees it.
    let before = w.proxy.count("DeleteTaskDefinitions");
    let refused = w
        .client
        .post(&format!("/task-definitions/{FAMILY}/1/delete"), &[])
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(w.proxy.count("DeleteTaskDefinitions"), before);
}

// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identical_definition_is_noticed_and_registers_nothing() {
    let w = world().await;
    register(&w, &reference_000()).await;
    let imported = w
        .client
        .post(
            "/task-definitions/import",
            &[("json", &common::fixture("reference_000.json"))],
        )
        .await;
    assert_eq!(imported.status, 303, "{}", imported.text);
    let id = imported
        .location
        .split('/')
        .nth(3)
        .expect("the draft's id")
        .to_string();
    let review = w
        .client
        .get(&format!("/task-definitions/drafts/{id}/review"))
        .await;
    assert_eq!(review.status, 200, "{}", review.text);
    let notice = review.select("#identical-revision");
    assert_eq!(notice.len(), 1, "{}", review.text);
    assert!(notice[0].contains(&format!("{FAMILY}:1")));
    let use_it = review
        .attr("#identical-revision a", "href")
        .expect("Use the revision");
    assert_eq!(use_it, format!("/task-definitions/{FAMILY}/1"));
    let existing = w.client.get(&use_it).await;
    assert_eq!(existing.status, 200);
    assert_eq!(w.proxy.count("RegisterTaskDefinition"), 0);

    // One change, and the notice is gone.
    let mut changed = reference_000();
    changed["memory"] = json!("1024");
    let imported = w
        .client
        .post(
            "/task-definitions/import",
            &[("json", &changed.to_string())],
        )
        .await;
    let id = imported.location.split('/').nth(3).expect("id").to_string();
    let review = w
        .client
        .get(&format!("/task-definitions/drafts/{id}/review"))
        .await;
    assert!(review.select("#identical-revision").is_empty());
}

// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_family_page_describes_only_what_it_shows_and_only_once() {
    let w = world().await;
    let mut definition = reference_000();
    for n in 0..30 {
        definition["containerDefinitions"][0]["image"] = json!(format!("rails:{n}"));
        register(&w, &definition).await;
    }
    let described = || w.proxy.count("DescribeTaskDefinition");
    let before = described();
    let first = w.client.get(&format!("/task-definitions/{FAMILY}")).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.select("#revisions tbody tr").len(), 20);
    assert_eq!(described() - before, 20, "the twenty shown, no more");
    let again = w.client.get(&format!("/task-definitions/{FAMILY}")).await;
    assert_eq!(again.select("#revisions tbody tr").len(), 20);
    assert_eq!(described() - before, 20, "kept: none described again");
    let next = first.attr("a[href*='next=']", "href").expect("a next page");
    let second = w.client.get(&next).await;
    let numbers = second.select("#revisions tbody tr td:first-child a code");
    assert_eq!(numbers.len(), 10);
    assert_eq!(numbers[0], "10");
    assert_eq!(numbers[9], "1");
}
