//! Issue 26 over real HTTP against moto: the quick start's one form, its
//! review (what will exist, the estimate, preflight, then the calls
//! folded), and Create making only what the account lacks — the task
//! execution role, the `default` cluster, the log group — with the task
//! definition, the load balancer and the service, in one plan.

use crate::common;

use common::services::*;

async fn quick_start(w: &World, fields: &[(&str, &str)]) -> common::Page {
    let form = w.client.get("/quick-start").await;
    assert_eq!(form.status, 200, "{}", form.text);
    let mut posted: Vec<(&str, &str)> = fields.to_vec();
    posted.push(("action", "next"));
    w.client.post("/quick-start", &posted).await
}

async fn role_policies(w: &World, role: &str) -> Vec<String> {
    let iam = aws_sdk_iam::Client::new(&w.config);
    let attached = iam
        .list_attached_role_policies()
        .role_name(role)
        .send()
        .await
        .expect("policies");
    attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_name().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_becomes_a_service_and_what_exists_is_used_as_it_is() {
    let w = world().await;
    let form = w.client.get("/quick-start").await;
    assert_eq!(
        form.select("label[for=image]"),
        ["Image"],
        "the image is asked for by its label"
    );
    assert_eq!(form.attr("#containerPort", "value").as_deref(), Some("80"));

    // Nothing to go on: said beside the field, nothing saved.
    let refused = quick_start(&w, &[("image", ""), ("containerPort", "80")]).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.messages_for("image"), ["Enter a value."]);

    let answer = quick_start(
        &w,
        &[
            ("image", "nginx:latest"),
            ("containerPort", "80"),
            ("size", "256/512"),
            ("minTasks", "2"),
            ("maxTasks", "6"),
            ("environment", "MODE=prod"),
        ],
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    assert!(answer.location.ends_with("/review"), "{}", answer.location);
    let review = w.client.get(&answer.location).await;
    assert_eq!(review.status, 200, "{}", review.text);

    // What will exist, in words, first; then the estimate, preflight and
    // the calls, folded.
    let summary = review.select("#quick-summary p");
    assert!(
        summary[0].contains("a service nginx in cluster default running 2 copies of nginx:latest"),
        "{summary:?}"
    );
    let order: Vec<usize> = ["quick-summary", "estimate", "preflight", "quick-calls"]
        .iter()
        .map(|id| {
            review
                .text
                .find(&format!("id=\"{id}\""))
                .unwrap_or_else(|| panic!("#{id}"))
        })
        .collect();
    assert!(order.windows(2).all(|p| p[0] < p[1]), "{order:?}");
    assert!(review.select("#estimate-total")[0].starts_with("About $"));
    assert!(
        review.select("#create-blocked").is_empty(),
        "{:?}",
        review.select(".msg.error")
    );
    // The edit link goes back to the quick start, filled in.
    let edit = review
        .attr("a[href^='/quick-start?draft=']", "href")
        .expect("Edit");
    let again = w.client.get(&edit).await;
    assert_eq!(
        again.attr("#image", "value").as_deref(),
        Some("nginx:latest")
    );
    assert_eq!(again.select("#environment"), ["MODE=prod"]);

    // The plan makes the role, cluster, log group and task definition
    // before the service.
    let steps = review.select("#plan tbody tr td:nth-child(3)");
    for id in [
        "ExecutionRole",
        "ExecutionRolePolicy",
        "Cluster",
        "LogGroup",
        "TaskDefinition",
    ] {
        assert!(steps.contains(&id.to_string()), "{id}: {steps:?}");
    }
    let (_, run) = create(&w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{:?}", states(&run));

    let ecs = aws_sdk_ecs::Client::new(&w.config);
    let clusters = ecs
        .describe_clusters()
        .clusters("default")
        .send()
        .await
        .expect("clusters");
    assert_eq!(clusters.clusters()[0].status(), Some("ACTIVE"));
    let service = ecs
        .describe_services()
        .cluster("default")
        .services("nginx")
        .send()
        .await
        .expect("service");
    let service = &service.services()[0];
    assert!(
        service
            .task_definition()
            .is_some_and(|td| td.ends_with(":task-definition/nginx:1")),
        "the service runs the revision the plan registered: {:?}",
        service.task_definition()
    );
    let td = ecs
        .describe_task_definition()
        .task_definition("nginx:1")
        .send()
        .await
        .expect("task definition");
    let td = td.task_definition().expect("registered");
    let container = &td.container_definitions()[0];
    assert_eq!(container.image(), Some("nginx:latest"));
    assert_eq!(container.environment()[0].name(), Some("MODE"));
    assert_eq!(
        role_policies(&w, "ecsTaskExecutionRole").await,
        ["AmazonECSTaskExecutionRolePolicy"]
    );
    let logs = aws_sdk_cloudwatchlogs::Client::new(&w.config);
    let groups = logs
        .describe_log_groups()
        .log_group_name_prefix("/ecs/nginx")
        .send()
        .await
        .expect("log groups");
    assert_eq!(groups.log_groups().len(), 1);

    // The run page ends with the address, and says an emulator's cannot
    // be reached rather than asking it.
    assert!(run.attr("#address-link", "href").is_some(), "{}", run.text);
    let check = run.attr("#address-check", "hx-get").expect("asked once");
    let said = w.client.get(&check).await;
    assert_eq!(
        said.select("#address-check")[0],
        "This address is the emulator's invention and cannot be reached; on AWS the link opens the service."
    );

    // A second quick start of the same repository finds them: the
    // review says what it uses as it is, and the plan does not make them.
    let answer = quick_start(&w, &[("image", "nginx:1.27"), ("containerPort", "80")]).await;
    let review = w.client.get(&answer.location).await;
    assert_eq!(
        review.select("#adopted li"),
        [
            "the task execution role ecsTaskExecutionRole",
            "the cluster default",
            "the infrastructure role ecsInfrastructureRoleForLoadBalancers",
            "the log group /ecs/nginx"
        ]
    );
    let steps = review.select("#plan tbody tr td:nth-child(3)");
    assert!(!steps.contains(&"ExecutionRole".to_string()), "{steps:?}");
    assert!(
        !steps.contains(&"InfrastructureRole".to_string()),
        "{steps:?}"
    );
    assert!(steps.contains(&"TaskDefinition".to_string()));
    // The service's name is taken now: preflight says so.
    assert!(
        review
            .select("#preflight .msg.error")
            .iter()
            .any(|m| m.contains("nginx")),
        "{:?}",
        review.select("#preflight .msg")
    );

    // One button removes what the quick start made, newest first, listed
    // before it is sent: the cluster (nothing else runs in it), the log
    // group and the revision; the role stays, since other families in the
    // account may run with it.
    let url = "/clusters/default/services/nginx/delete";
    let confirm = w.client.get(url).await;
    assert_eq!(confirm.status, 200, "{}", confirm.text);
    for call in [
        "DeleteLogGroup",
        "DeleteCluster",
        "DeregisterTaskDefinition",
    ] {
        assert!(confirm.text.contains(call), "{call} listed");
    }
    assert!(
        confirm
            .select("#kept li, #kept tr")
            .iter()
            .any(|k| k.contains("ecsTaskExecutionRole")),
        "the role is listed as kept: {:?}",
        confirm.select("#kept li, #kept tr")
    );
    let fields = confirm.form_fields("form[method=post]");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(n, _)| n != "csrf_token")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let started = w.client.post(url, &fields).await;
    assert_eq!(started.status, 303, "{}", started.text);
    let mut done = false;
    for _ in 0..300 {
        let page = w.client.get(&started.location).await;
        if page.attr("#change-run", "hx-get").is_none() {
            assert!(
                page.select(".msg.error").is_empty(),
                "{:?}",
                page.select(".msg.error")
            );
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(done, "the tear-down stopped");
    let clusters = ecs
        .describe_clusters()
        .clusters("default")
        .send()
        .await
        .expect("clusters");
    assert_ne!(
        clusters.clusters().first().and_then(|c| c.status()),
        Some("ACTIVE")
    );
    let groups = logs
        .describe_log_groups()
        .log_group_name_prefix("/ecs/nginx")
        .send()
        .await
        .expect("log groups");
    assert!(groups.log_groups().is_empty(), "the log group is gone");
    assert_eq!(
        role_policies(&w, "ecsTaskExecutionRole").await,
        ["AmazonECSTaskExecutionRolePolicy"],
        "the role is kept, with its policy"
    );
}

/// With a domain: HTTPS with a certificate requested for it, port 80
/// redirecting, and the name's records, in the same plan; the address
/// said is the domain's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_makes_it_https_with_its_records() {
    let w = world().await;
    let zone = common::network::hosted_zone(&w.config, "example.com").await;
    let answer = quick_start(
        &w,
        &[
            ("image", "nginx:latest"),
            ("containerPort", "80"),
            ("domain", "shop.example.com"),
            ("hostedZoneId", &zone),
        ],
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    let review = w.client.get(&answer.location).await;
    assert!(
        review.select("#quick-summary p")[0].contains("reachable at https://shop.example.com"),
        "{:?}",
        review.select("#quick-summary p")
    );
    let steps = review.select("#plan tbody tr td:nth-child(3)");
    for id in [
        "RequestCertificate",
        "ValidationCname",
        "CertificateIssued",
        "CreateListener",
        "HttpListener",
        "DomainRecords",
    ] {
        assert!(steps.contains(&id.to_string()), "{id}: {steps:?}");
    }
    let requests = review.select("pre.request");
    assert!(
        requests
            .iter()
            .any(|r| r.contains("\"Protocol\": \"HTTPS\"")
                && r.contains("${RequestCertificate.CertificateArn}")),
        "the forwarding listener is HTTPS on the requested certificate"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.contains("\"Type\": \"redirect\"") && r.contains("\"Port\": \"443\"")),
        "port 80 redirects"
    );
}
