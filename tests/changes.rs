//! Issue 22, items 4 and 10, over real HTTP against moto: a role's policies
//! changed from its page, and a cluster, a repository, a log group and a
//! role deleted, each confirmed with the calls it sends, run, and said done.

use crate::common;

use std::time::Duration;

use common::{Client, Page};

const EXECUTION: &str = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
const AGENT: &str = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy";
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// The run page once it has stopped polling itself.
async fn settled(client: &Client, url: &str) -> Page {
    for _ in 0..300 {
        let page = client.get(url).await;
        assert_eq!(page.status, 200, "{}", page.text);
        if page.attr("#change-run", "hx-get").is_none() {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the run at {url} did not stop in 30 s");
}

/// What the Confirm form of a confirmation page sends, besides its token.
fn confirm_fields(confirmation: &Page) -> Vec<(String, String)> {
    let mut fields = confirmation.form_fields("form[action='/changes']");
    fields.retain(|(name, _)| name != "csrf_token");
    fields
}

/// Presses Confirm on a confirmation page; the run page once it stopped.
async fn confirm(client: &Client, confirmation: &Page) -> Page {
    let fields = confirm_fields(confirmation);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let started = client.post("/changes", &fields).await;
    assert_eq!(started.status, 303, "{}", started.text);
    assert!(started.location.starts_with("/changes/"));
    // A second press of the same Confirm starts nothing new.
    let again = client.post("/changes", &fields).await;
    assert_eq!(again.location, started.location);
    settled(client, &started.location).await
}

fn said(page: &Page) -> String {
    page.select("#change-run > p.msg strong").join("")
}

async fn execution_role(iam: &aws_sdk_iam::Client, name: &str) {
    iam.create_role()
        .role_name(name)
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .expect("role");
    iam.attach_role_policy()
        .role_name(name)
        .policy_arn(EXECUTION)
        .send()
        .await
        .expect("attach");
}

async fn attached(iam: &aws_sdk_iam::Client, name: &str) -> Vec<String> {
    let listed = iam
        .list_attached_role_policies()
        .role_name(name)
        .send()
        .await
        .expect("attached");
    let mut arns: Vec<String> = listed
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect();
    arns.sort();
    arns
}

#[tokio::test]
async fn a_roles_policies_are_changed_from_its_page_after_the_calls_are_shown() {
    let moto = common::moto();
    let app = common::app(Some(&moto.url));
    let client = Client::new(&app.url).await;
    let iam = common::iam_client(&moto.url);
    execution_role(&iam, "ecsTaskExecutionRole").await;

    let page = client.get("/roles/ecsTaskExecutionRole").await;
    assert_eq!(page.status, 200, "{}", page.text);
    let mut fields = page.form_fields("#change-policies form");
    assert!(
        fields
            .iter()
            .any(|(name, value)| name.starts_with("attached.") && value == EXECUTION),
        "the attached policy is checked: {fields:?}"
    );
    // Reference 000: the CloudWatch agent's policy, by its checkbox label.
    let agent = page
        .attr(
            "#change-policies input[value$='/CloudWatchAgentServerPolicy']",
            "name",
        )
        .expect("CloudWatchAgentServerPolicy offered");
    fields.push((agent, AGENT.to_string()));
    fields.retain(|(name, _)| name != "csrf_token");

    // A bad inline document comes back beside its field; nothing is sent.
    let mut bad = fields.clone();
    bad.retain(|(name, _)| !name.starts_with("inline."));
    bad.push(("inline.0.name".into(), "extra".into()));
    bad.push(("inline.0.document".into(), "{".into()));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = client
        .post("/roles/ecsTaskExecutionRole/policies", &bad)
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let messages = refused.messages_for("inline.0.document");
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].starts_with("This is not JSON"), "{messages:?}");
    assert_eq!(
        refused.attr("#inline\\.0\\.name", "value").as_deref(),
        Some("extra"),
        "what was typed is kept"
    );

    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let confirmation = client
        .post("/roles/ecsTaskExecutionRole/policies", &fields)
        .await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.text);
    assert_eq!(
        confirmation.select("#change-calls tbody td > code"),
        ["iam:AttachRolePolicy"]
    );
    assert!(confirmation.select("#change-calls pre.request")[0].contains(AGENT));
    assert_eq!(
        attached(&iam, "ecsTaskExecutionRole").await,
        [EXECUTION],
        "nothing sent yet"
    );

    let done = confirm(&client, &confirmation).await;
    assert_eq!(
        said(&done),
        "The policies of role ecsTaskExecutionRole were changed."
    );
    let mut want = vec![AGENT.to_string(), EXECUTION.to_string()];
    want.sort();
    assert_eq!(attached(&iam, "ecsTaskExecutionRole").await, want);
    assert_eq!(
        done.attr("#change-run a", "href").as_deref(),
        Some("/roles/ecsTaskExecutionRole")
    );
}

#[tokio::test]
async fn a_role_is_deleted_with_its_policies_and_a_stale_confirmation_sends_nothing() {
    let moto = common::moto();
    let app = common::app(Some(&moto.url));
    let client = Client::new(&app.url).await;
    let iam = common::iam_client(&moto.url);
    execution_role(&iam, "old-role").await;
    iam.put_role_policy()
        .role_name("old-role")
        .policy_name("extra")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"*"}]}"#)
        .send()
        .await
        .expect("inline");

    let roles = client.get("/roles").await;
    let link = roles
        .attr("a[aria-label='Delete role old-role']", "href")
        .expect("a Delete link");
    let confirmation = client.get(&link).await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.text);
    assert_eq!(
        confirmation.select("#change-calls tbody td > code"),
        [
            "iam:DetachRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:DeleteRole"
        ]
    );
    // The role changes after the page was shown: Confirm sends nothing.
    iam.attach_role_policy()
        .role_name("old-role")
        .policy_arn(AGENT)
        .send()
        .await
        .expect("attach");
    let fields = confirm_fields(&confirmation);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let stale = client.post("/changes", &fields).await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    assert!(stale.text.contains("changed since this page was shown"));
    assert_eq!(stale.select("#change-calls tbody td > code").len(), 4);
    assert_eq!(
        attached(&iam, "old-role").await.len(),
        2,
        "nothing was sent"
    );

    let done = confirm(&client, &stale).await;
    assert_eq!(said(&done), "Role old-role was deleted.");
    assert!(iam.get_role().role_name("old-role").send().await.is_err());
    assert_eq!(client.get(&link).await.status, 404);
}

#[tokio::test]
async fn a_cluster_with_a_service_is_refused_and_an_empty_one_is_deleted() {
    let moto = common::moto();
    let app = common::app(Some(&moto.url));
    let client = Client::new(&app.url).await;
    let ecs = common::ecs_client(&moto.url);
    for name in ["busy", "empty"] {
        ecs.create_cluster()
            .cluster_name(name)
            .send()
            .await
            .expect("cluster");
    }
    ecs.register_task_definition()
        .family("web")
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("web")
                .image("nginx")
                .memory(512)
                .build(),
        )
        .send()
        .await
        .expect("task definition");
    ecs.create_service()
        .cluster("busy")
        .service_name("web")
        .task_definition("web")
        .desired_count(0)
        .send()
        .await
        .expect("service");

    let clusters = client.get("/clusters").await;
    let busy = clusters
        .attr("a[aria-label='Delete cluster busy']", "href")
        .expect("a Delete link");
    let refused = client.get(&busy).await;
    assert_eq!(refused.status, 200);
    assert_eq!(
        refused.select("#change-refused"),
        [
            "Cluster busy still has services (1). ECS deletes only a cluster without services: delete them first from the cluster's services page."
        ]
    );
    assert!(
        refused.select("form[action='/changes']").is_empty(),
        "no Confirm"
    );

    let empty = clusters
        .attr("a[aria-label='Delete cluster empty']", "href")
        .expect("a Delete link");
    let confirmation = client.get(&empty).await;
    assert_eq!(
        confirmation.select("#change-calls tbody td > code"),
        ["ecs:DeleteCluster"]
    );
    let done = confirm(&client, &confirmation).await;
    assert_eq!(said(&done), "Cluster empty was deleted.");
    let left = ecs
        .describe_clusters()
        .clusters("empty")
        .send()
        .await
        .expect("describe");
    assert!(left.clusters().iter().all(|c| c.status() != Some("ACTIVE")));
    // Audited like every deletion: who, the route, and the call it sent.
    let audit = client.get("/audit").await;
    assert!(audit.text.contains("DeleteCluster"), "{}", audit.text);
    // Item 12: AWS's exception is said in words, with where to go.
    let gone = client.get("/clusters/never-made/services").await;
    let problem = gone.select("p.msg.error").join(" ");
    assert!(
        problem.starts_with("The cluster this names does not exist"),
        "{problem}"
    );
    assert!(problem.contains("Open Clusters"), "{problem}");
}

#[tokio::test]
async fn a_repository_goes_with_its_images_counted_first_and_a_log_group_goes() {
    let moto = common::moto();
    let app = common::app(Some(&moto.url));
    let client = Client::new(&app.url).await;
    let ecr = common::ecr_client(&moto.url);
    ecr.create_repository()
        .repository_name("shop/web")
        .send()
        .await
        .expect("repository");
    for tag in ["v1", "v2"] {
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{{"digest":"sha256:{tag}"}},"layers":[]}}"#
        );
        ecr.put_image()
            .repository_name("shop/web")
            .image_manifest(manifest)
            .image_tag(tag)
            .send()
            .await
            .expect("image");
    }
    let repositories = client.get("/repositories").await;
    let link = repositories
        .attr("a[aria-label='Delete repository shop/web']", "href")
        .expect("a Delete link");
    let confirmation = client.get(&link).await;
    assert_eq!(
        confirmation.select("#change-lead"),
        [
            "Deletes repository shop/web and the images in it (2), by force. Nobody can pull them afterwards: tasks that use them fail to start."
        ]
    );
    assert!(confirmation.select("#change-calls pre.request")[0].contains("\"force\": true"));
    let done = confirm(&client, &confirmation).await;
    assert_eq!(
        said(&done),
        "Repository shop/web was deleted, with its images."
    );
    assert!(
        ecr.describe_repositories()
            .repository_names("shop/web")
            .send()
            .await
            .is_err()
    );

    let logs = common::logs_client(&moto.url);
    logs.create_log_group()
        .log_group_name("/ecs/web")
        .send()
        .await
        .expect("group");
    let groups = client.get("/log-groups").await;
    let link = groups
        .attr("a[aria-label='Delete log group /ecs/web']", "href")
        .expect("a Delete link");
    let done = confirm(&client, &client.get(&link).await).await;
    assert_eq!(
        said(&done),
        "Log group /ecs/web was deleted, with its logs."
    );
    let left = logs
        .describe_log_groups()
        .log_group_name_prefix("/ecs/web")
        .send()
        .await
        .expect("groups");
    assert!(left.log_groups().is_empty());
    // Nothing there any more: not found, nothing offered.
    assert_eq!(client.get(&link).await.status, 404);
    assert_eq!(
        client
            .get("/changes/new?kind=delete-cluster&name=a/b")
            .await
            .status,
        404
    );
}
