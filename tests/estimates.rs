//! Issue 25 item 2 over real HTTP: the cost estimate on the service
//! review (against moto), on Update desired tasks and Update auto scaling,
//! on the task definition review (in preview), and a region the price
//! table lacks, which gets no guess.

use crate::common;

use common::in_process::connected_app;
use common::services::*;
use common::{Page, fixture};
use ecs_wizard::aws::{Connection, PreviewReason};

/// The dollars of `$12.34`.
fn dollars(text: &str) -> f64 {
    text.trim().trim_start_matches('$').parse().expect(text)
}

/// The lines' monthly figures add up to the total shown (to the cent).
fn adds_up(page: &Page) {
    let months = page.select("#estimate-lines tbody td:nth-child(3)");
    let sum: f64 = months.iter().map(|m| dollars(m)).sum();
    let total = page.select("#estimate-lines tfoot td:nth-child(3)");
    assert!(
        (sum - dollars(&total[0])).abs() < 0.01 * months.len() as f64,
        "{months:?} against {total:?}"
    );
}

/// The estimate says, beside its total, that it is not a bill and what
/// it leaves out.
fn says_what_it_is(page: &Page) {
    let caveat = page.select("#estimate-caveat");
    assert_eq!(caveat.len(), 1, "{}", page.text);
    assert!(
        caveat[0].starts_with("An estimate, not a bill"),
        "{caveat:?}"
    );
    assert!(
        caveat[0].contains("data transfer")
            && caveat[0].contains("beyond one LCU")
            && caveat[0].contains("taxes"),
        "{caveat:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_review_and_its_updates_say_what_they_will_cost() {
    let w = world().await;
    let mut fields = reference_002_fields();
    fields.extend([
        ("autoScaling.enabled", "on"),
        ("autoScaling.minTasks", "2"),
        ("autoScaling.maxTasks", "6"),
    ]);
    let review = fill_in(
        &w,
        &format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1"),
        &fields,
    )
    .await;
    assert_eq!(review.status, 200, "{}", review.text);
    let total = review.select("#estimate-total");
    assert_eq!(total.len(), 1, "{:?}", review.select("#estimate"));
    assert!(
        total[0].starts_with("About $") && total[0].contains("a month"),
        "{total:?}"
    );
    says_what_it_is(&review);
    let lines = review.select("#estimate-lines tbody td:first-child");
    assert!(
        lines[0].starts_with("Fargate, Linux/x86: 2 × (0.25 vCPU, 0.5 GB)"),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"Application Load Balancer".to_string()),
        "{lines:?}"
    );
    assert!(lines.contains(&"Load balancer capacity: one LCU".to_string()));
    assert!(
        lines.contains(
            &"Public IPv4 addresses of the load balancer: one in each of 2 zones".to_string()
        ),
        "{lines:?}"
    );
    // Tokyo's prices: 2 × (0.25 × 0.05056 + 0.5 × 0.00553) an hour.
    let fargate = review.select("#estimate-lines tbody tr:first-child td");
    assert_eq!(fargate[1], "$0.0308");
    assert_eq!(fargate[2], "$22.49");
    adds_up(&review);
    let at_max = review.select(".estimate-also");
    assert_eq!(at_max.len(), 1, "{at_max:?}");
    assert!(at_max[0].starts_with("At auto scaling's maximum (6 tasks): about $"));
    assert!(
        review.select("#estimate details p.help")[0].contains("ap-northeast-1"),
        "the table's region and date"
    );
    // Before preflight, as a beginner reads down the page.
    assert!(review.text.find("id=\"estimate\"") < review.text.find("id=\"preflight\""));

    // Made, its count updated: the new count's cost beside the count now.
    let (_, run) = create(&w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{:?}", states(&run));
    let url = format!("/clusters/{CLUSTER}/services/ecs-fargate-service/update");
    let desired = w.client.get(&format!("{url}?action=desired&value=4")).await;
    assert_eq!(desired.status, 200, "{}", desired.text);
    says_what_it_is(&desired);
    let fargate = desired.select("#estimate-lines tbody tr:first-child td");
    assert!(
        fargate[0].contains("4 × (0.25 vCPU, 0.5 GB)"),
        "{fargate:?}"
    );
    assert_eq!(fargate[2], "$44.98");
    let now = desired.select(".estimate-also");
    assert_eq!(now.len(), 1);
    assert!(now[0].starts_with("Now (2 tasks): about $"), "{now:?}");
    // A running service's load balancer is not priced again.
    assert!(
        !desired
            .select("#estimate-lines tbody td:first-child")
            .contains(&"Application Load Balancer".to_string())
    );
    let scaling = w
        .client
        .get(&format!(
            "{url}?action=scaling&minTasks=1&maxTasks=10&metric=cpu&target=70&scaleOutCooldown=300&scaleInCooldown=300"
        ))
        .await;
    assert_eq!(scaling.status, 200, "{}", scaling.text);
    let also = scaling.select(".estimate-also");
    assert!(
        also[0].starts_with("At auto scaling's maximum (10 tasks)"),
        "{also:?}"
    );
    assert!(also[1].starts_with("Now (2 tasks)"), "{also:?}");
}

/// A task definition draft imported from reference 000, reviewed by an
/// app without credentials in `region`.
async fn td_review(region: &str) -> Page {
    let mut app = connected_app(Connection::PreviewOnly {
        region: Some(region.into()),
        reason: PreviewReason::NoCredentials("tests".into()),
    })
    .await;
    let imported = app
        .post(
            "/task-definitions/import",
            &[("json", &fixture("reference_000.json"))],
        )
        .await;
    assert_eq!(imported.status, 303, "{}", imported.body);
    let draft = imported.location.trim_end_matches("/configure").to_string();
    let review = app.get(&format!("{draft}/review")).await;
    assert_eq!(review.status, 200, "{}", review.body);
    review.page()
}

#[tokio::test]
async fn a_task_definition_is_priced_per_task_and_an_unpriced_region_is_not_guessed() {
    // Without credentials, in Tokyo: the review prices one task.
    let review = td_review("ap-northeast-1").await;
    says_what_it_is(&review);
    assert_eq!(
        review.select("#estimate .help")[0],
        "Per task, while it runs."
    );
    let lines = review.select("#estimate-lines tbody td:first-child");
    assert_eq!(
        lines,
        [
            "Fargate, Linux/x86: 1 × (0.25 vCPU, 0.5 GB)",
            "CloudWatch Logs ingestion: 1 GB a month (1 GB per task assumed)"
        ]
    );
    // 0.25 × 0.05056 + 0.5 × 0.00553 = 0.015405 an hour.
    assert_eq!(
        review.select("#estimate-lines tbody tr:first-child td:nth-child(3)"),
        ["$11.25"]
    );
    adds_up(&review);

    // In Ireland, which the table lacks: said, not guessed.
    let review = td_review("eu-west-1").await;
    assert!(review.select("#estimate-total").is_empty());
    let missing = review.select("#estimate-missing");
    assert_eq!(missing.len(), 1, "{}", review.text);
    assert!(
        missing[0].starts_with("No estimate for eu-west-1")
            && missing[0].contains("us-east-1")
            && missing[0].contains("ap-northeast-1"),
        "{missing:?}"
    );
}
