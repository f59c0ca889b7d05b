//! The audit log against moto: a deployer creates a role, a log group and
//! a service (a secret-looking tag on the role and the service), and the Audit page, its filters and
//! its CSV show who did it, each call, and no secret; a viewer's POST is
//! refused and leaves nothing.

use crate::common;

use common::services::{CLUSTER, create, fill_in, reference_002_fields, world_signed_in};
use common::{Client, Page};

const SECRET: &str = "s3cr3t-tag-value";
const USERS: [(&str, &str, &str); 2] = [
    ("dee", "deployer", "dee-password-1234"),
    ("vic", "viewer", "vic-password-1234"),
];

fn entry_ids(page: &Page) -> Vec<String> {
    page.attrs("#audit tr.entry", "id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_are_logged_with_who_each_call_and_no_secret() {
    let w = world_signed_in(&USERS).await;
    let client = &w.client;

    // A repository, tagged API_TOKEN=<secret>: ECR's tags are
    // `{"Key": …, "Value": …}` (issue 20, finding 7).
    let review = client
        .post(
            "/repositories/new",
            &[
                ("repositoryName", "audited-repository"),
                ("tags.0.key", "API_TOKEN"),
                ("tags.0.value", SECRET),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(review.status, 303, "{}", review.text);
    let created = client
        .press(&review.location.replace("/review", "/create"))
        .await;
    assert_eq!(created.status, 200, "{}", created.text);

    // A role, tagged API_TOKEN=<secret>, through its wizard.
    let review = client
        .post(
            "/roles/new",
            &[
                ("kind", "execution"),
                ("roleName", "audited-execution-role"),
                ("policy.AmazonECSTaskExecutionRolePolicy", "on"),
                ("tags.0.key", "API_TOKEN"),
                ("tags.0.value", SECRET),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(review.status, 303, "{}", review.text);
    let created = client
        .press(&review.location.replace("/review", "/create"))
        .await;
    assert_eq!(created.status, 200, "{}", created.text);

    // A log group: its body is the review's, swapped in before signing.
    let review = client
        .post(
            "/log-groups/new",
            &[
                ("logGroupName", "/ecs/audited"),
                ("retentionInDays", "180"),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(review.status, 303, "{}", review.text);
    let created = client
        .press(&review.location.replace("/review", "/create"))
        .await;
    assert_eq!(created.status, 200, "{}", created.text);

    // A service with a new ALB (reference 002), tagged the same way.
    let mut fields = reference_002_fields();
    fields.extend([("tags.0.key", "API_TOKEN"), ("tags.0.value", SECRET)]);
    let review = fill_in(
        &w,
        &format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1"),
        &fields,
    )
    .await;
    let (run_url, run) = create(&w, &review).await;
    assert!(run.select(".msg.error").is_empty(), "{}", run.text);

    // A viewer sees the log, newest first: the service, then the role.
    let viewer = Client::signed_in(&w.app.url, "vic", "vic-password-1234").await;
    let log = viewer.get("/audit").await;
    assert_eq!(log.status, 200, "{}", log.text);
    assert!(!log.text.contains(SECRET), "a secret reached the page");
    let entries = entry_ids(&log);
    assert_eq!(
        entries.len(),
        4,
        "{:?}",
        log.select("#audit tr.entry td code")
    );
    let service_row = format!("#{} ", entries[0]);
    let log_group_row = format!("#{} ", entries[1]);
    let role_row = format!("#{} ", entries[2]);
    let repository_row = format!("#{} ", entries[3]);
    let text = |row: &str, css: &str| log.select(&format!("{row}{css}"));

    let who = text(&role_row, "td:nth-child(2)");
    assert!(who[0].starts_with("dee (deployer)"), "{who:?}");
    let role_calls = text(&role_row, "details summary code");
    assert_eq!(role_calls[..2], ["IAM CreateRole", "IAM AttachRolePolicy"]);
    assert_eq!(
        text(&log_group_row, "details summary code"),
        [
            "CloudWatch Logs CreateLogGroup",
            "CloudWatch Logs PutRetentionPolicy"
        ]
    );
    let log_group_requests = text(&log_group_row, "details pre:nth-of-type(1)");
    assert_eq!(log_group_requests[0], r#"{"logGroupName":"/ecs/audited"}"#);
    let role_requests = text(&role_row, "details pre");
    assert!(
        role_requests[0].contains("RoleName=audited-execution-role")
            && role_requests[0].contains("Tags.member.1.Key=API_TOKEN")
            && role_requests[0].contains("Tags.member.1.Value=****"),
        "{}",
        role_requests[0]
    );
    assert!(
        text(&role_row, "details summary")[0].ends_with("· ok"),
        "{:?}",
        text(&role_row, "details summary")
    );

    let repository_request = &text(&repository_row, "details pre:nth-of-type(1)")[0];
    assert!(
        repository_request.contains(r#""Key":"API_TOKEN","Value":"****""#),
        "{repository_request}"
    );
    // Nothing in the audit tables holds it either.
    let database = rusqlite::Connection::open(w.app.database()).unwrap();
    let kept: i64 = database
        .query_row(
            "SELECT count(*) FROM audit_calls WHERE instr(request, ?1) > 0 OR instr(coalesce(answer, ''), ?1) > 0",
            [SECRET],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(kept, 0, "the secret tag is in the audit tables");

    let service_calls = text(&service_row, "details summary code");
    for operation in [
        "EC2 CreateSecurityGroup",
        "Elastic Load Balancing v2 CreateLoadBalancer",
        "Elastic Load Balancing v2 CreateTargetGroup",
        "Elastic Load Balancing v2 CreateListener",
        "ECS CreateService",
    ] {
        assert!(
            service_calls.iter().any(|c| c == operation),
            "{operation} missing from {service_calls:?}"
        );
    }
    // The request as sent (the review's body, not the SDK's placeholder).
    let at = service_calls
        .iter()
        .position(|c| c == "ECS CreateService")
        .expect("the CreateService call");
    let requests = log.select(&format!("{service_row}details pre:nth-of-type(1)"));
    let create_service = &requests[at];
    assert!(
        create_service.contains(r#""key":"API_TOKEN","value":"****""#)
            && create_service.contains(r#""serviceName":"ecs-fargate-service""#)
            && create_service.contains(r#""cluster":"ecs-fargate-cluster""#),
        "{create_service}"
    );
    // Each entry links to what it changed: the service's run.
    let links = log.attrs(&format!("{service_row}td a"), "href");
    assert!(links.contains(&run_url), "{links:?} lacks {run_url}");

    // Filters: by user, by resource, by date.
    let mine = viewer.get("/audit?user=dee").await;
    assert_eq!(entry_ids(&mine), entries);
    let nobody = viewer.get("/audit?user=vic").await;
    assert!(entry_ids(&nobody).is_empty());
    let role_only = viewer.get("/audit?resource=audited-execution").await;
    assert_eq!(entry_ids(&role_only), [entries[2].clone()]);
    let alb = viewer.get("/audit?resource=ecs-fargate-alb").await;
    assert_eq!(entry_ids(&alb), [entries[0].clone()]);
    let long_ago = viewer.get("/audit?until=2001-01-01").await;
    assert!(entry_ids(&long_ago).is_empty());

    // CSV: one row per call, the same masking.
    let csv = viewer
        .http()
        .get(format!("{}/audit.csv?user=dee", w.app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    assert!(!csv.contains(SECRET));
    assert!(csv.starts_with("entry,at,user,role,address,"));
    let rows = csv.lines().filter(|l| l.contains(",dee,deployer,")).count();
    assert!(rows >= service_calls.len() + role_calls.len(), "{csv}");
    assert!(csv.contains("127.0.0.1"), "the address is kept");

    // A viewer's POST is refused, and nothing is added to the log.
    let refused = viewer
        .post(
            "/roles/new",
            &[("kind", "task"), ("roleName", "nope"), ("action", "next")],
        )
        .await;
    assert_eq!(refused.status, 303, "saving a draft is a viewer's");
    let sent = viewer
        .post(&refused.location.replace("/review", "/create"), &[])
        .await;
    assert_eq!(sent.status, 403);
    assert_eq!(entry_ids(&viewer.get("/audit").await), entries);
}
