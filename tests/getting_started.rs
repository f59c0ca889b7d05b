//! The role, cluster, repository and log group wizards over real HTTP against
//! moto, and the getting-started checklist: what the forms send is what the
//! emulator holds, and what is refused before sending never reaches it.

use crate::common;

use common::{
    Client, Page, Running, ecr_client, ecs_client, iam_client, logs_client, push_image, start,
};
use serde_json::Value;

const ACCOUNT: &str = "123456789012";

/// Posts a wizard's form, checks the review, presses Create; returns the review and result.
async fn create_through_forms(
    client: &Client,
    kind: &str,
    fields: &[(&str, &str)],
) -> (Page, Page) {
    let mut form = fields.to_vec();
    form.push(("action", "next"));
    let posted = client.post(&format!("/{kind}/new"), &form).await;
    assert_eq!(posted.status, 303, "{}", posted.text);
    let review_url = posted.location.clone();
    assert!(review_url.starts_with(&format!("/{kind}/drafts/")) && review_url.ends_with("/review"));
    let review = client.get(&review_url).await;
    assert_eq!(review.status, 200);
    let create_url = review_url.replace("/review", "/create");
    let created = client.create(&create_url).await;
    assert_eq!(created.status, 303, "{}", created.text);
    let result = client.get(&created.location).await;
    assert_eq!(result.status, 200, "{}", result.text);
    (review, result)
}

fn requests(review: &Page) -> Vec<Value> {
    review
        .select("pre.request")
        .iter()
        .map(|json| serde_json::from_str(json).expect("each request is JSON"))
        .collect()
}

async fn checklist_states(client: &Client) -> Vec<String> {
    let home = client.get("/").await;
    let selector = scraper::Selector::parse("#checklist > li").expect("selector");
    home.html
        .select(&selector)
        .map(|li| {
            li.value()
                .attr("data-state")
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

fn policy_document(encoded: &str) -> Value {
    let decoded: String = url_decode(encoded);
    serde_json::from_str(&decoded).expect("policy JSON")
}

fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn reference_000_role_is_created_with_its_trust_policy_and_both_policies() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    let (review, result) = create_through_forms(
        &client,
        "roles",
        &[
            ("kind", "execution"),
            ("roleName", "ecsTaskExecutionRole"),
            ("description", "Allows ECS tasks to call AWS services"),
            ("policy.AmazonECSTaskExecutionRolePolicy", "on"),
            ("policy.CloudWatchAgentServerPolicy", "on"),
        ],
    )
    .await;
    let sent = requests(&review);
    assert_eq!(sent.len(), 3, "CreateRole and two AttachRolePolicy");
    assert_eq!(sent[0]["RoleName"], "ecsTaskExecutionRole");
    assert_eq!(
        review.select("h3 code"),
        [
            "iam:CreateRole",
            "iam:AttachRolePolicy",
            "iam:AttachRolePolicy"
        ]
    );
    assert!(review.select("#aws-cli")[0].contains("aws iam create-role --cli-input-json '"));
    assert!(
        review.select("#terraform")[0]
            .contains("resource \"aws_iam_role\" \"ecsTaskExecutionRole\"")
    );
    assert_eq!(
        result.select("#created-arn"),
        [format!("arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole")]
    );
    // The result lists each policy attached, and names what comes next.
    let done = result.select("#done-lines li");
    assert_eq!(done.len(), 2, "{done:?}");
    assert!(done[0].ends_with("service-role/AmazonECSTaskExecutionRolePolicy"));
    assert_eq!(result.select("#next-step"), ["Next: Create cluster"]);
    // What comes next is read from the account: with a cluster there, the
    // same result leads on to the repository (issue 22, item 11).
    ecs_client(&moto.url)
        .create_cluster()
        .cluster_name("made-elsewhere")
        .send()
        .await
        .expect("cluster");
    let create = review
        .attr("form.create", "action")
        .expect("the Create form");
    let again = client.get(&create.replace("/create", "/result")).await;
    assert_eq!(again.select("#next-step"), ["Next: Create repository"]);

    let iam = iam_client(&moto.url);
    let role = iam
        .get_role()
        .role_name("ecsTaskExecutionRole")
        .send()
        .await
        .unwrap();
    let role = role.role().unwrap();
    let trust = policy_document(role.assume_role_policy_document().unwrap());
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "ecs-tasks.amazonaws.com"
    );
    assert_eq!(trust["Statement"][0]["Action"], "sts:AssumeRole");
    assert_eq!(
        role.description(),
        Some("Allows ECS tasks to call AWS services")
    );
    let attached = iam
        .list_attached_role_policies()
        .role_name("ecsTaskExecutionRole")
        .send()
        .await
        .unwrap();
    let mut names: Vec<&str> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "AmazonECSTaskExecutionRolePolicy",
            "CloudWatchAgentServerPolicy"
        ]
    );

    // The role's page reads it back and finds nothing missing.
    let page = client.get("/roles/ecsTaskExecutionRole").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.select("#execution-ok").len(), 1, "{}", page.text);
    assert!(page.select("#trust-policy")[0].contains("ecs-tasks.amazonaws.com"));
}

#[tokio::test]
async fn reference_004_role_gets_the_extra_statement_as_an_inline_policy() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    let (review, _) = create_through_forms(
        &client,
        "roles",
        &[
            ("kind", "execution"),
            ("roleName", "ecs-task-execution"),
            ("policy.AmazonECSTaskExecutionRolePolicy", "on"),
            ("readParameters", "on"),
        ],
    )
    .await;
    assert!(
        review.select("h2").iter().any(|h| h == "Inline policy"),
        "the inline policy can be read before creating"
    );
    let policy = iam_client(&moto.url)
        .get_role_policy()
        .role_name("ecs-task-execution")
        .policy_name("ecs-task-execution-extra-permissions")
        .send()
        .await
        .expect("the inline policy");
    let document = policy_document(policy.policy_document());
    assert_eq!(
        document["Statement"][0]["Action"],
        serde_json::json!(["ssm:GetParameters", "kms:Decrypt"])
    );
    assert_eq!(document["Statement"][0]["Resource"], "*");
}

#[tokio::test]
async fn named_secrets_become_arns_of_this_account() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    create_through_forms(
        &client,
        "roles",
        &[
            ("kind", "execution"),
            ("roleName", "web-execution"),
            ("policy.AmazonECSTaskExecutionRolePolicy", "on"),
            ("readSecrets", "on"),
            ("secretArns", "prod/db"),
            ("createLogGroups", "on"),
        ],
    )
    .await;
    let policy = iam_client(&moto.url)
        .get_role_policy()
        .role_name("web-execution")
        .policy_name("web-execution-extra-permissions")
        .send()
        .await
        .unwrap();
    let document = policy_document(policy.policy_document());
    assert_eq!(
        document["Statement"][0]["Resource"],
        serde_json::json!([format!(
            "arn:aws:secretsmanager:ap-northeast-1:{ACCOUNT}:secret:prod/db-??????"
        )])
    );
    assert_eq!(
        document["Statement"][1]["Action"],
        serde_json::json!(["logs:CreateLogGroup"])
    );
}

#[tokio::test]
async fn cluster_repository_and_log_group_are_created_as_reviewed() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;

    let (review, _) = create_through_forms(
        &client,
        "clusters",
        &[
            ("clusterName", "ecs-handson-cluster"),
            ("containerInsights", "on"),
            ("tags.0.key", "Name"),
            ("tags.0.value", "ecs-handson"),
        ],
    )
    .await;
    assert_eq!(
        requests(&review)[0]["capacityProviders"],
        serde_json::json!(["FARGATE", "FARGATE_SPOT"])
    );
    let clusters = ecs_client(&moto.url)
        .describe_clusters()
        .clusters("ecs-handson-cluster")
        .include(aws_sdk_ecs::types::ClusterField::Settings)
        .include(aws_sdk_ecs::types::ClusterField::Tags)
        .send()
        .await
        .unwrap();
    let cluster = &clusters.clusters()[0];
    assert_eq!(cluster.status(), Some("ACTIVE"));
    assert_eq!(cluster.settings()[0].value(), Some("enabled"));
    assert_eq!(cluster.tags()[0].value(), Some("ecs-handson"));
    let listed = client.get("/clusters").await;
    assert!(
        listed
            .select("#clusters td")
            .contains(&"ecs-handson-cluster".to_string())
    );

    let (_, created) = create_through_forms(
        &client,
        "repositories",
        &[
            ("repositoryName", "rails-app"),
            ("scanOnPush", "on"),
            ("encryption", "AES256"),
        ],
    )
    .await;
    // AWS's answer to each call shows its createdAt as a date, not seconds
    // since 1970.
    let answer: serde_json::Value =
        serde_json::from_str(&created.select("#aws-answer")[0]).expect("JSON");
    let created_at = answer[0]["CreateRepository"]["repository"]["createdAt"]
        .as_str()
        .expect("a date");
    assert!(
        created_at.ends_with(" UTC") && created_at.starts_with("20"),
        "{created_at}"
    );
    let repositories = ecr_client(&moto.url)
        .describe_repositories()
        .repository_names("rails-app")
        .send()
        .await
        .unwrap();
    let repository = &repositories.repositories()[0];
    let uri = repository.repository_uri().unwrap().to_string();
    assert_eq!(
        repository
            .image_scanning_configuration()
            .map(|c| c.scan_on_push()),
        Some(true)
    );
    let push = client
        .get("/repositories/push-commands?name=rails-app")
        .await;
    assert_eq!(push.status, 200);
    assert_eq!(push.select("#repository-uri"), std::slice::from_ref(&uri));
    assert_eq!(
        push.select("#push-login"),
        [format!(
            "aws ecr get-login-password --region ap-northeast-1 | docker login --username AWS --password-stdin {}",
            uri.split('/').next().unwrap()
        )]
    );
    assert_eq!(
        push.select("#push-push"),
        [format!("docker push {uri}:latest")]
    );
    assert_eq!(
        push.select("#push-build-amd64"),
        ["docker build --platform linux/amd64 -t rails-app ."]
    );
    push_image(&moto.url, "rails-app", "latest").await;
    let listed = client.get("/repositories").await;
    assert_eq!(listed.select(".repository code.uri"), [uri]);
    assert_eq!(listed.select(".images td:first-child"), ["latest"]);

    create_through_forms(
        &client,
        "log-groups",
        &[("logGroupName", "/ecs/example"), ("retentionInDays", "180")],
    )
    .await;
    let groups = logs_client(&moto.url)
        .describe_log_groups()
        .log_group_name_prefix("/ecs/example")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.log_groups()[0].retention_in_days(), Some(180));
}

#[tokio::test]
async fn the_checklist_marks_each_step_done_as_it_is_created() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    assert_eq!(
        checklist_states(&client).await,
        ["todo", "todo", "todo", "todo", "todo"]
    );

    create_through_forms(
        &client,
        "roles",
        &[
            ("kind", "execution"),
            ("roleName", "ecsTaskExecutionRole"),
            ("policy.AmazonECSTaskExecutionRolePolicy", "on"),
        ],
    )
    .await;
    assert_eq!(
        checklist_states(&client).await,
        ["done", "todo", "todo", "todo", "todo"]
    );

    create_through_forms(
        &client,
        "clusters",
        &[("clusterName", "ecs-handson-cluster")],
    )
    .await;
    assert_eq!(
        checklist_states(&client).await,
        ["done", "done", "todo", "todo", "todo"]
    );

    create_through_forms(&client, "repositories", &[("repositoryName", "rails-app")]).await;
    assert_eq!(
        checklist_states(&client).await,
        ["done", "done", "started", "todo", "todo"],
        "a repository without an image is not done"
    );
    let home = client.get("/").await;
    assert_eq!(
        home.attr("#checklist > li[data-state=started] a", "href")
            .as_deref(),
        Some("/repositories/push-commands?name=rails-app")
    );
    push_image(&moto.url, "rails-app", "latest").await;
    assert_eq!(
        checklist_states(&client).await,
        ["done", "done", "done", "todo", "todo"]
    );

    let ecs = ecs_client(&moto.url);
    let container = aws_sdk_ecs::types::ContainerDefinition::builder()
        .name("app")
        .image("nginx")
        .memory(512)
        .build();
    ecs.register_task_definition()
        .family("ecs-handson-task")
        .container_definitions(container)
        .send()
        .await
        .unwrap();
    assert_eq!(
        checklist_states(&client).await,
        ["done", "done", "done", "done", "todo"]
    );
    ecs.create_service()
        .cluster("ecs-handson-cluster")
        .service_name("web")
        .task_definition("ecs-handson-task")
        .desired_count(1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        checklist_states(&client).await,
        ["done", "done", "done", "done", "done"]
    );
}

#[tokio::test]
async fn an_existing_resource_is_a_link_to_it_not_a_failure() {
    let Running {
        moto: _moto,
        app: _app,
        client,
    } = start().await;
    for (kind, fields, link) in [
        (
            "roles",
            vec![("kind", "task"), ("roleName", "web-task")],
            "/roles/web-task",
        ),
        ("clusters", vec![("clusterName", "dup")], "/clusters"),
        (
            "repositories",
            vec![("repositoryName", "dup")],
            "/repositories/push-commands?name=dup",
        ),
        (
            "log-groups",
            vec![("logGroupName", "/ecs/dup")],
            "/log-groups",
        ),
    ] {
        create_through_forms(&client, kind, &fields).await;
        let mut form = fields.clone();
        form.push(("action", "next"));
        let review = client.post(&format!("/{kind}/new"), &form).await;
        let again = client
            .press(&review.location.replace("/review", "/create"))
            .await;
        assert_eq!(again.status, 200, "{kind}: {}", again.text);
        assert_eq!(again.select("#already-exists").len(), 1, "{kind}");
        assert_eq!(
            again.attr("a.button.primary", "href").as_deref(),
            Some(link),
            "{kind} links to the existing resource"
        );
    }
}

#[tokio::test]
async fn pressing_create_twice_creates_once() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    let posted = client
        .post(
            "/clusters/new",
            &[("clusterName", "once"), ("action", "next")],
        )
        .await;
    let create_url = posted.location.replace("/review", "/create");
    let first = client.create(&create_url).await;
    let second = client.create(&create_url).await;
    assert_eq!((first.status, second.status), (303, 303));
    assert_eq!(first.location, second.location, "both show the one result");
    let listed = ecs_client(&moto.url).list_clusters().send().await.unwrap();
    assert_eq!(listed.cluster_arns().len(), 1);
}

#[tokio::test]
async fn names_aws_would_refuse_never_reach_it() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    for (kind, fields, field_id) in [
        (
            "roles",
            vec![("kind", "execution"), ("roleName", "ecs task role")],
            "roleName",
        ),
        (
            "roles",
            vec![
                ("kind", "execution"),
                ("roleName", "ok"),
                ("description", "任意でOK"),
            ],
            "description",
        ),
        (
            "clusters",
            vec![("clusterName", "ecs handson")],
            "clusterName",
        ),
        (
            "repositories",
            vec![("repositoryName", "Rails-App")],
            "repositoryName",
        ),
        (
            "repositories",
            vec![("repositoryName", "rails--app")],
            "repositoryName",
        ),
        (
            "log-groups",
            vec![("logGroupName", "/ecs/my app")],
            "logGroupName",
        ),
        (
            "log-groups",
            vec![("logGroupName", "/ecs/x"), ("retentionInDays", "100")],
            "retentionInDays",
        ),
    ] {
        let mut form = fields.clone();
        form.push(("action", "next"));
        let page = client.post(&format!("/{kind}/new"), &form).await;
        assert_eq!(page.status, 422, "{kind} {fields:?}");
        assert!(
            !page.messages_for(field_id).is_empty(),
            "{kind}: a message beside {field_id}"
        );
        // A review URL exists for the saved draft, but Create is refused.
        let action = page
            .attr("main form[method=post]", "action")
            .expect("form action");
        let draft = action.split('?').next().unwrap_or_default();
        let create = client.post(&format!("{draft}/create"), &[]).await;
        assert_eq!(create.status, 422, "{kind}: Create refuses what has errors");
    }
    assert!(
        iam_client(&moto.url)
            .list_roles()
            .send()
            .await
            .unwrap()
            .roles()
            .is_empty()
    );
    assert!(
        ecs_client(&moto.url)
            .list_clusters()
            .send()
            .await
            .unwrap()
            .cluster_arns()
            .is_empty()
    );
    assert!(
        ecr_client(&moto.url)
            .describe_repositories()
            .send()
            .await
            .unwrap()
            .repositories()
            .is_empty()
    );
    assert!(
        logs_client(&moto.url)
            .describe_log_groups()
            .send()
            .await
            .unwrap()
            .log_groups()
            .is_empty()
    );
}

#[tokio::test]
async fn a_role_that_cannot_be_an_execution_role_says_why_and_is_fixed() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    let iam = iam_client(&moto.url);
    let ec2_trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    iam.create_role()
        .role_name("legacy")
        .assume_role_policy_document(ec2_trust)
        .send()
        .await
        .unwrap();
    let page = client.get("/roles/legacy").await;
    assert_eq!(page.status, 200);
    let gaps = page.select(".gaps li");
    assert_eq!(gaps.len(), 3, "{gaps:?}");
    assert!(gaps[0].contains("ecs-tasks.amazonaws.com"));
    assert!(gaps[1].contains("ecr:BatchGetImage"));
    assert!(gaps[2].contains("logs:PutLogEvents"));

    let fixed = client.post("/roles/legacy/trust-ecs-tasks", &[]).await;
    assert_eq!(
        (fixed.status, fixed.location.as_str()),
        (303, "/roles/legacy?done=trusted&value=legacy")
    );
    assert_eq!(
        client.get(&fixed.location).await.select("#done-notice"),
        ["✔ ECS tasks may now assume role legacy."]
    );
    let attached = client
        .post("/roles/legacy/attach-execution-policy", &[])
        .await;
    assert_eq!(attached.status, 303);
    let page = client.get("/roles/legacy").await;
    assert_eq!(page.select("#execution-ok").len(), 1, "{}", page.text);

    let role = iam.get_role().role_name("legacy").send().await.unwrap();
    let trust = policy_document(role.role().unwrap().assume_role_policy_document().unwrap());
    let services: Vec<&Value> = trust["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["Principal"]["Service"])
        .collect();
    assert_eq!(
        services,
        ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"],
        "EC2 keeps its trust"
    );
    assert_eq!(client.get("/roles/nobody").await.status, 404);
}

#[tokio::test]
async fn the_task_definition_wizard_offers_the_account_and_warns_before_create() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    create_through_forms(
        &client,
        "roles",
        &[
            ("kind", "execution"),
            ("roleName", "ecsTaskExecutionRole"),
            ("policy.AmazonECSTaskExecutionRolePolicy", "on"),
        ],
    )
    .await;
    iam_client(&moto.url)
        .create_role()
        .role_name("for-ec2")
        .assume_role_policy_document(r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap();
    create_through_forms(&client, "repositories", &[("repositoryName", "rails-app")]).await;
    create_through_forms(&client, "log-groups", &[("logGroupName", "/ecs/existing")]).await;

    let created = client.post("/task-definitions/drafts", &[]).await;
    let draft = created.location.trim_end_matches("/configure").to_string();
    let configure = client.get(&created.location).await;
    // Exactly one role ECS tasks can assume: it is preselected.
    assert_eq!(
        configure.attr("#executionRoleArn", "value").as_deref(),
        Some(format!("arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole").as_str())
    );
    let offered = configure.select("#roles option");
    assert_eq!(
        offered,
        ["ecsTaskExecutionRole"],
        "only roles ECS tasks can assume"
    );

    let step1 = client
        .post(
            &format!("{draft}/configure"),
            &[
                ("family", "web"),
                ("launchType", "FARGATE"),
                ("platform", "LINUX/X86_64"),
                ("networkMode", "awsvpc"),
                ("cpu", "256"),
                ("memory", "512"),
                ("executionRoleArn", "ecsTaskExecutionRole"),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(step1.status, 303, "{}", step1.text);
    let uri = format!("{ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/rails-app");
    let containers = client.get(&format!("{draft}/containers")).await;
    assert_eq!(
        containers.attr("#images option", "value"),
        Some(format!("{uri}:latest")),
        "the repository is offered even before a push"
    );
    assert_eq!(containers.select("#log-groups option"), ["/ecs/existing"]);
    // Each repository's URI, with a Copy button beside it.
    assert_eq!(
        containers.select("#repository-uris code"),
        std::slice::from_ref(&uri)
    );
    assert_eq!(
        containers
            .attr("#repository-uris button", "data-copy")
            .as_deref(),
        Some("repo-uri-1")
    );

    let step2 = client
        .post(
            &format!("{draft}/containers"),
            &[
                ("containerDefinitions.0.name", "app"),
                ("containerDefinitions.0.image", &format!("{uri}:latest")),
                ("containerDefinitions.0.essential", "on"),
                ("containerDefinitions.0.logCollection", "on"),
                (
                    "containerDefinitions.0.logConfiguration.awslogs-group",
                    "/ecs/missing",
                ),
                (
                    "containerDefinitions.0.logConfiguration.awslogs-region",
                    "ap-northeast-1",
                ),
                (
                    "containerDefinitions.0.logConfiguration.awslogs-stream-prefix",
                    "ecs",
                ),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(step2.status, 303, "warnings do not block: {}", step2.text);
    let review = client.get(&format!("{draft}/review")).await;
    let warnings = review.select(".issues li.warning");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("No image latest has been pushed to rails-app")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("/ecs/missing does not exist")),
        "{warnings:?}"
    );
    assert!(
        review.attr("form.create button", "disabled").is_none(),
        "warnings never block Create"
    );

    push_image(&moto.url, "rails-app", "latest").await;
    let review = client.get(&format!("{draft}/review")).await;
    let warnings = review.select(".issues li.warning");
    assert!(
        !warnings.iter().any(|w| w.contains("has been pushed")),
        "once pushed, no warning: {warnings:?}"
    );
}

#[tokio::test]
async fn tags_are_added_and_removed_in_the_form() {
    let Running {
        moto: _moto,
        app: _app,
        client,
    } = start().await;
    let added = client
        .post(
            "/log-groups/new",
            &[("logGroupName", "/ecs/web"), ("action", "add:tags")],
        )
        .await;
    assert_eq!(added.status, 303);
    let form = client.get(&added.location).await;
    assert_eq!(form.select("label[for='tags.0.key']"), ["Key"]);
    assert_eq!(
        form.attr("#logGroupName", "value").as_deref(),
        Some("/ecs/web"),
        "typing is kept"
    );
    let removed = client
        .post(
            &added.location,
            &[
                ("logGroupName", "/ecs/web"),
                ("tags.0.key", "a"),
                ("action", "remove:tags.0"),
            ],
        )
        .await;
    let form = client.get(&removed.location).await;
    assert!(form.select("label[for='tags.0.key']").is_empty());
}

#[tokio::test]
async fn every_new_form_labels_its_controls_and_speaks_japanese() {
    let Running {
        moto: _moto,
        app: _app,
        client,
    } = start().await;
    for path in [
        "/roles/new?kind=execution",
        "/roles/new?kind=task",
        "/clusters/new",
        "/repositories/new",
        "/log-groups/new",
    ] {
        let page = client.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        let controls =
            scraper::Selector::parse("main input:not([type=hidden]), main select, main textarea")
                .unwrap();
        for control in page.html.select(&controls) {
            let id = control
                .value()
                .id()
                .unwrap_or_else(|| panic!("{path}: a control without id"));
            let label = scraper::Selector::parse(&format!("label[for='{id}']")).unwrap();
            assert!(
                page.html.select(&label).next().is_some(),
                "{path}: no label for {id}"
            );
        }
    }
    let ja = client
        .http()
        .get(format!("{}/roles/new?kind=execution", client.base))
        .header("accept-language", "ja")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ja.contains("タスク実行ロールを作成") && ja.contains("信頼されたエンティティタイプ"));
    for path in ["/roles", "/clusters", "/repositories", "/log-groups", "/"] {
        assert_eq!(client.get(path).await.status, 200, "{path}");
    }
}

#[tokio::test]
async fn a_refusal_part_way_leaves_no_half_created_role() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    let posted = client
        .post(
            "/roles/new",
            &[
                ("kind", "execution"),
                ("roleName", "half"),
                ("policy.AmazonECSTaskExecutionRolePolicy", "on"),
                (
                    "otherPolicyArns",
                    "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere",
                ),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.text);
    let refused = client
        .press(&posted.location.replace("/review", "/create"))
        .await;
    assert_eq!(refused.status, 200, "{}", refused.text);
    assert_eq!(refused.select("h1"), ["AWS refused the request"]);
    assert_eq!(refused.select("#aws-error-code"), ["NoSuchEntity"]);
    let undone = refused.select("#undo li");
    assert_eq!(
        undone,
        [
            "iam:DetachRolePolicy RoleName=half PolicyArn=arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy (AttachRolePolicy)",
            "iam:DeleteRole RoleName=half (CreateRole)",
        ]
    );
    let roles = iam_client(&moto.url).list_roles().send().await.unwrap();
    assert!(roles.roles().is_empty(), "nothing is left behind");
}
