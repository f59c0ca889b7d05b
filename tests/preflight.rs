//! Issue 22, item 2, over real HTTP against moto: a task that would stop
//! at start (its log group missing, awslogs-create-group on, and an
//! execution role with only AmazonECSTaskExecutionRolePolicy) is named on
//! the service review with both fixes, and the permission fix, made from
//! the link, clears it.

use crate::common;

use common::services::*;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const EXECUTION: &str = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

async fn task_definition_logging_to_a_missing_group(w: &World) {
    use aws_sdk_ecs::types::{
        Compatibility, ContainerDefinition, LogConfiguration, LogDriver, NetworkMode, PortMapping,
    };
    let iam = aws_sdk_iam::Client::new(&w.config);
    let role = iam
        .create_role()
        .role_name("ecsTaskExecutionRole")
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .expect("role");
    iam.attach_role_policy()
        .role_name("ecsTaskExecutionRole")
        .policy_arn(EXECUTION)
        .send()
        .await
        .expect("attach");
    let arn = role.role().map(|r| r.arn().to_string()).expect("arn");
    let log = LogConfiguration::builder()
        .log_driver(LogDriver::Awslogs)
        .options("awslogs-group", "/ecs/logs-task")
        .options("awslogs-region", "ap-northeast-1")
        .options("awslogs-stream-prefix", "ecs")
        .options("awslogs-create-group", "true")
        .build()
        .expect("log configuration");
    aws_sdk_ecs::Client::new(&w.config)
        .register_task_definition()
        .family("logs-task")
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .execution_role_arn(arn)
        .container_definitions(
            ContainerDefinition::builder()
                .name("web")
                .image("nginx:latest")
                .port_mappings(PortMapping::builder().container_port(80).build())
                .log_configuration(log)
                .build(),
        )
        .send()
        .await
        .expect("RegisterTaskDefinition");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_group_the_role_cannot_create_is_named_and_fixed_from_the_review() {
    let w = world().await;
    task_definition_logging_to_a_missing_group(&w).await;
    let mut fields = reference_002_fields();
    fields.push(("container", "web:80"));
    let review = fill_in(
        &w,
        &format!("cluster={CLUSTER}&taskDefinition=logs-task:1"),
        &fields,
    )
    .await;
    let errors = review.select("#preflight .msg.error");
    let named = errors
        .iter()
        .find(|e| e.contains("/ecs/logs-task does not exist"))
        .unwrap_or_else(|| panic!("the log group is named: {errors:?}"));
    assert!(named.contains("logs:CreateLogGroup"), "{named}");
    assert!(named.contains("ResourceInitializationError"), "{named}");
    assert!(!review.select("#create-blocked").is_empty(), "Create waits");
    let fixes = review.attrs("#preflight .fixes a", "href");
    assert_eq!(fixes.len(), 2, "{fixes:?}");
    assert_eq!(fixes[0], "/log-groups/new?name=%2Fecs%2Flogs-task");

    // The permission, from the link: the role page has the statement
    // filled in as a new inline policy; its calls are shown, then sent.
    let role_page = w.client.get(&fixes[1]).await;
    assert_eq!(role_page.status, 200, "{}", role_page.text);
    let name = role_page.attr(
        "#change-policies fieldset.sub:last-of-type input[type=text]",
        "value",
    );
    assert_eq!(name.as_deref(), Some("allow-logs-CreateLogGroup"));
    assert_eq!(
        role_page.select("#fix-filled").len(),
        1,
        "it says it filled it in"
    );
    assert_eq!(
        role_page.select("#change-policies fieldset.sub:last-of-type legend"),
        ["A new inline policy (optional)"],
        "a new policy, not one the role has"
    );
    let mut posted = role_page.form_fields("#change-policies form");
    posted.retain(|(n, _)| n != "csrf_token");
    let posted: Vec<(&str, &str)> = posted
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let confirmation = w
        .client
        .post("/roles/ecsTaskExecutionRole/policies", &posted)
        .await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.text);
    assert_eq!(
        confirmation.select("#change-calls tbody td > code"),
        ["iam:PutRolePolicy"]
    );
    let mut confirm = confirmation.form_fields("form[action='/changes']");
    confirm.retain(|(n, _)| n != "csrf_token");
    let confirm: Vec<(&str, &str)> = confirm
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let started = w.client.post("/changes", &confirm).await;
    assert_eq!(started.status, 303, "{}", started.text);
    for _ in 0..100 {
        let run = w.client.get(&started.location).await;
        if run.attr("#change-run", "hx-get").is_none() {
            assert_eq!(
                run.select("#change-run > p.msg.ok").len(),
                1,
                "{}",
                run.text
            );
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let create = review
        .attr("form.create", "action")
        .expect("the Create form");
    let again = w.client.get(&create.replace("/create", "/review")).await;
    let errors = again.select("#preflight .msg.error");
    assert!(
        !errors.iter().any(|e| e.contains("/ecs/logs-task")),
        "the fix cleared it: {errors:?}"
    );
}
