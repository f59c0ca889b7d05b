//! A person in headless Chromium builds reference 000's task definition by
//! reading the labels and pressing the buttons, then presses Create.

use crate::common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::oidc::{app_with_provider, provider};
use common::{Process, app, ecs_client, free_port, moto, push_image};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WAIT: Duration = Duration::from_secs(15);

struct Browser {
    client: Client,
    _driver: Process,
    _profile: tempfile::TempDir,
}

async fn browser() -> Browser {
    browser_with(serde_json::json!({})).await
}

/// A browser whose profile has these preferences (a download folder…).
async fn browser_with(prefs: serde_json::Value) -> Browser {
    for path in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            std::path::Path::new(path).exists(),
            "{path} is missing. Install it with: apt-get install -y chromium chromium-driver (the README's test command, .ci/test, does this)."
        );
    }
    // ring and aws-lc are both linked (reqwest, the AWS SDK); rustls needs to be told.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let port = free_port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Process::from(driver);
    let profile = tempfile::tempdir().expect("profile dir");
    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--window-size=1280,2000", format!("--user-data-dir={}", profile.path().display()),
            ],
            "prefs": prefs,
        }
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = None;
    for _ in 0..100 {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Browser {
                    client,
                    _driver: driver,
                    _profile: profile,
                };
            }
            Err(error) => last_error = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not start a Chromium session through chromedriver: {last_error:?}");
}

/// The control a label names, inside `scope` (an XPath, or "" for the page).
async fn control(c: &Client, scope: &str, label: &str) -> Element {
    let xpath = format!("{scope}//label[normalize-space()='{label}']");
    let label_element = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no label {label:?} in {scope:?}: {e}"));
    let id = label_element
        .attr("for")
        .await
        .expect("for")
        .expect("label has for");
    c.find(Locator::XPath(&format!("//*[@id='{id}']")))
        .await
        .expect("labelled control")
}

async fn type_into(c: &Client, scope: &str, label: &str, text: &str) {
    let input = control(c, scope, label).await;
    input.clear().await.expect("clear");
    input.send_keys(text).await.expect("type");
}

async fn choose(c: &Client, scope: &str, label: &str, option: &str) {
    control(c, scope, label)
        .await
        .select_by_label(option)
        .await
        .unwrap_or_else(|e| panic!("{label}: {option}: {e}"));
}

async fn press(c: &Client, scope: &str, text: &str) {
    let xpath = format!("{scope}//button[normalize-space()='{text}']");
    let button = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&xpath))
        .await
        .expect(text);
    // To the middle of the window, as a person scrolls to what they read:
    // at the bottom edge the review's sticky Create bar would cover it.
    let at = serde_json::to_value(&button).expect("element");
    c.execute("arguments[0].scrollIntoView({block: 'center'});", vec![at])
        .await
        .expect("scroll");
    button.click().await.expect("click");
}

/// Presses an htmx button and waits until the swapped form has `count` of `xpath`.
async fn press_and_wait(c: &Client, scope: &str, text: &str, xpath: &str, count: usize) {
    press(c, scope, text).await;
    for _ in 0..150 {
        if c.find_all(Locator::XPath(xpath))
            .await
            .map(|found| found.len())
            .unwrap_or(0)
            == count
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("after {text:?}, expected {count} of {xpath}");
}

/// Follows the first link whose text is `text`.
async fn follow(c: &Client, text: &str) {
    let xpath = format!("//a[normalize-space()='{text}']");
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no link {text:?}: {e}"))
        .click()
        .await
        .expect("click");
}

/// Waits for the page's `<h1>` to start with `heading`.
async fn wait_heading(c: &Client, heading: &str) {
    for _ in 0..150 {
        if let Ok(h1) = c.find(Locator::Css("h1")).await
            && h1.text().await.is_ok_and(|t| t.starts_with(heading))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no page headed {heading:?}");
}

/// The checklist's states, in order.
async fn checklist(c: &Client) -> Vec<String> {
    let mut states = Vec::new();
    for item in c
        .find_all(Locator::Css("#checklist > li"))
        .await
        .expect("checklist")
    {
        states.push(
            item.attr("data-state")
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
        );
    }
    states
}

/// Review → Create → result (which names what comes next) → back to the
/// checklist.
async fn create_and_go_on(c: &Client, created: &str, next: &str) {
    press(c, "", "Next").await;
    wait_heading(c, "Review").await;
    press(c, "", "Create").await;
    wait_heading(c, &format!("Created: {created}")).await;
    let said = c
        .find(Locator::Id("next-step"))
        .await
        .expect("what comes next")
        .text()
        .await
        .expect("text");
    assert_eq!(said, next);
    follow(c, "Getting started").await;
    wait_heading(c, "Getting started").await;
}

fn container(n: usize) -> String {
    format!("(//fieldset[contains(@class,'container')])[{n}]")
}

fn section(n: usize, legend: &str) -> String {
    format!(
        "{}//fieldset[legend[normalize-space()='{legend}']]",
        container(n)
    )
}

async fn fill_container(c: &Client, n: usize, name: &str, image: &str, port: &str, health: &str) {
    type_into(c, &container(n), "Name", name).await;
    type_into(c, &container(n), "Image URI", image).await;
    let ports = format!(
        "{}//label[normalize-space()='Container port']",
        section(n, "Port mappings")
    );
    press_and_wait(
        c,
        &section(n, "Port mappings"),
        "Add port mapping",
        &ports,
        1,
    )
    .await;
    type_into(c, &section(n, "Port mappings"), "Container port", port).await;
    type_into(c, &section(n, "Resource allocation limits"), "CPU", "0").await;
    type_into(c, &section(n, "HealthCheck"), "Command", health).await;
    type_into(c, &section(n, "HealthCheck"), "Interval", "30").await;
    type_into(c, &section(n, "HealthCheck"), "Timeout", "5").await;
    type_into(c, &section(n, "HealthCheck"), "Retries", "3").await;
}

#[tokio::test]
async fn a_person_builds_reference_000_by_label_and_creates_it() {
    let moto = moto();
    let app = app(Some(&moto.url));
    let browser = browser().await;
    let c = &browser.client;

    c.goto(&format!("{}/task-definitions/new", app.url))
        .await
        .expect("open");
    press(c, "", "Start empty").await;

    type_into(
        c,
        "",
        "Task definition family",
        "zenn-clone-task-definition-backend",
    )
    .await;
    choose(c, "", "Launch type", "AWS Fargate").await;
    choose(c, "", "Operating system/Architecture", "Linux/X86_64").await;
    choose(c, "", "CPU", ".25 vCPU").await;
    // htmx replaces the memory options with the ones valid for .25 vCPU.
    let half_gb = "//select[@id='memory']/option[normalize-space()='.5 GB']";
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(half_gb))
        .await
        .expect("memory options for .25 vCPU");
    choose(c, "", "Memory", ".5 GB").await;
    type_into(c, "", "Task role", "ecsTaskExecutionRole").await;
    type_into(c, "", "Task execution role", "ecsTaskExecutionRole").await;
    press(c, "", "Next").await;

    let rails = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/zenn-clone-rails:latest";
    let nginx = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/zenn-clone-nginx:latest";
    fill_container(c, 1, "rails", rails, "3000", "CMD-SHELL, curl --unix-socket /myapp/tmp/sockets/puma.sock localhost/api/v1/health_check || exit 1").await;
    let env = section(1, "Environment variables");
    let keys = format!("{env}//label[normalize-space()='Key']");
    press_and_wait(c, &env, "Add environment variable", &keys, 1).await;
    press_and_wait(c, &env, "Add environment variable", &keys, 2).await;
    let row = |i: usize| format!("({env}//div[contains(@class,'row')])[{i}]");
    type_into(c, &row(1), "Key", "RAILS_LOG_TO_STDOUT").await;
    type_into(c, &row(1), "Value", "true").await;
    type_into(c, &row(2), "Key", "RAILS_MASTER_KEY").await;
    type_into(c, &row(2), "Value", "0123456789abcdef0123456789abcdef").await;

    let containers = "//fieldset[contains(@class,'container')]";
    press_and_wait(c, "", "Add container", containers, 2).await;
    fill_container(
        c,
        2,
        "nginx",
        nginx,
        "80",
        "CMD-SHELL, curl -f http://localhost/api/v1/health_check || exit 1",
    )
    .await;
    let order = section(2, "Startup dependency ordering");
    let names = format!("{order}//label[normalize-space()='Container name']");
    press_and_wait(c, &order, "Add container dependency", &names, 1).await;
    choose(c, &order, "Container name", "rails").await;
    choose(c, &order, "Condition", "Healthy").await;
    let use_logs = control(c, &container(2), "Use log collection").await;
    assert_eq!(
        use_logs.prop("checked").await.expect("checked").as_deref(),
        Some("true"),
        "log collection is on by default"
    );
    assert_eq!(
        control(c, &container(2), "awslogs-group")
            .await
            .prop("value")
            .await
            .expect("value")
            .as_deref(),
        Some("/ecs/zenn-clone-task-definition-backend")
    );
    press(c, "", "Next").await;

    let sources = "//label[normalize-space()='Source container']";
    press_and_wait(c, "", "Add volume from", sources, 1).await;
    let from = "//fieldset[legend[normalize-space()='Volumes from']]";
    choose(c, from, "Container", "nginx").await;
    choose(c, from, "Source container", "rails").await;
    press(c, "", "Next").await;

    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#request-json"))
        .await
        .expect("review page");
    let review = c
        .find(Locator::Css("#request-json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let shown: serde_json::Value = serde_json::from_str(&review).expect("review JSON");
    let expected: serde_json::Value =
        serde_json::from_str(&common::fixture("reference_000.json")).unwrap();
    assert_eq!(shown, expected, "the browser built exactly reference 000");
    press(c, "", "Create").await;

    let revision = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#family-revision"))
        .await
        .expect("result page");
    assert_eq!(
        revision.text().await.unwrap(),
        "zenn-clone-task-definition-backend:1"
    );
    let described = ecs_client(&moto.url)
        .describe_task_definition()
        .task_definition("zenn-clone-task-definition-backend")
        .send()
        .await
        .expect("registered in the emulator");
    assert_eq!(
        described
            .task_definition()
            .unwrap()
            .container_definitions()
            .len(),
        2
    );
    browser.client.close().await.expect("close");
}

#[tokio::test]
async fn a_beginner_walks_the_getting_started_path_from_an_empty_account() {
    let moto = moto();
    let app = app(Some(&moto.url));
    let browser = browser().await;
    let c = &browser.client;

    c.goto(&app.url).await.expect("open");
    wait_heading(c, "Getting started").await;
    assert_eq!(checklist(c).await, ["todo", "todo", "todo", "todo", "todo"]);

    follow(c, "Create task execution role").await;
    wait_heading(c, "Create task execution role").await;
    let role_name = control(c, "", "Role name").await;
    assert_eq!(
        role_name.prop("value").await.unwrap().as_deref(),
        Some("ecsTaskExecutionRole")
    );
    let execution_policy = control(c, "", "AmazonECSTaskExecutionRolePolicy").await;
    assert_eq!(
        execution_policy.prop("checked").await.unwrap().as_deref(),
        Some("true"),
        "checked as the console checks it"
    );
    control(c, "", "CloudWatchAgentServerPolicy")
        .await
        .click()
        .await
        .expect("check");
    create_and_go_on(c, "ecsTaskExecutionRole", "Next: Create cluster").await;
    assert_eq!(checklist(c).await[0], "done");

    follow(c, "Create cluster").await;
    type_into(c, "", "Cluster name", "ecs-handson-cluster").await;
    create_and_go_on(c, "ecs-handson-cluster", "Next: Create repository").await;

    follow(c, "Create repository").await;
    type_into(c, "", "Repository name", "rails-app").await;
    create_and_go_on(c, "rails-app", "Next: push your image").await;
    assert_eq!(
        checklist(c).await,
        ["done", "done", "started", "todo", "todo"]
    );

    follow(c, "View push commands").await;
    wait_heading(c, "Push commands for").await;
    let uri = c
        .find(Locator::Css("#repository-uri"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        uri,
        "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/rails-app"
    );
    // What the person's `docker push` would do.
    push_image(&moto.url, "rails-app", "latest").await;
    follow(c, "Next step").await;
    wait_heading(c, "Getting started").await;
    assert_eq!(checklist(c).await, ["done", "done", "done", "todo", "todo"]);

    follow(c, "Create a task definition").await;
    press(c, "", "Start empty").await;
    type_into(c, "", "Task definition family", "ecs-handson-task").await;
    choose(c, "", "CPU", ".25 vCPU").await;
    let half_gb = "//select[@id='memory']/option[normalize-space()='.5 GB']";
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(half_gb))
        .await
        .expect("memory options for .25 vCPU");
    choose(c, "", "Memory", ".5 GB").await;
    let offered = c
        .find(Locator::XPath("//datalist[@id='roles']/option"))
        .await
        .expect("the created role is offered")
        .attr("value")
        .await
        .unwrap();
    assert_eq!(
        offered.as_deref(),
        Some("arn:aws:iam::123456789012:role/ecsTaskExecutionRole")
    );
    type_into(c, "", "Task execution role", offered.as_deref().unwrap()).await;
    press(c, "", "Next").await;

    let image = format!("{uri}:latest");
    let suggested = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//datalist[@id='images']/option"))
        .await
        .expect("the pushed image is offered")
        .attr("value")
        .await
        .unwrap();
    assert_eq!(suggested.as_deref(), Some(image.as_str()));
    type_into(c, &container(1), "Name", "rails").await;
    type_into(c, &container(1), "Image URI", &image).await;
    press(c, "", "Next").await;
    wait_heading(c, "Storage").await;
    press(c, "", "Next").await;

    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#request-json"))
        .await
        .expect("review page");
    let warnings = c
        .find_all(Locator::Css(".issues li.warning"))
        .await
        .unwrap_or_default();
    for warning in warnings {
        let text = warning.text().await.unwrap();
        assert!(!text.contains("pushed"), "the image was pushed: {text}");
    }
    press(c, "", "Create").await;
    let revision = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#family-revision"))
        .await
        .expect("result page");
    assert_eq!(revision.text().await.unwrap(), "ecs-handson-task:1");

    let described = ecs_client(&moto.url)
        .describe_task_definition()
        .task_definition("ecs-handson-task")
        .send()
        .await
        .expect("registered in the emulator");
    let definition = described.task_definition().unwrap();
    assert_eq!(
        definition.execution_role_arn(),
        Some("arn:aws:iam::123456789012:role/ecsTaskExecutionRole")
    );
    assert_eq!(
        definition.container_definitions()[0].image(),
        Some(image.as_str())
    );

    c.goto(&app.url).await.expect("home");
    wait_heading(c, "Getting started").await;
    assert_eq!(checklist(c).await, ["done", "done", "done", "done", "todo"]);
    browser.client.close().await.expect("close");
}

/// Issue 8: from the checklist's step 5, reference 002's service behind a
/// new load balancer, followed to the service's page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_creates_reference_002s_service_from_step_5() {
    let moto = moto();
    let config = common::sdk_config(&moto.url);
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let (vpc, subnets) = common::network::default_network(&ec2).await;
    common::network::internet_gateway(&ec2, &vpc).await;
    common::network::cluster_and_task_definition(
        &ecs_client(&moto.url),
        "ecs-fargate-cluster",
        "ecs-fargate-task",
        "web",
    )
    .await;
    let app = app(Some(&moto.url));
    let browser = browser().await;
    let c = &browser.client;

    c.goto(&app.url).await.expect("open");
    wait_heading(c, "Getting started").await;
    assert_eq!(checklist(c).await[4], "todo");
    follow(c, "Create service").await;
    wait_heading(c, "Create service").await;
    type_into(c, "", "Service name", "ecs-fargate-service").await;
    type_into(c, "", "Desired tasks", "2").await;
    type_into(c, "", "Health check grace period (seconds)", "30").await;
    for subnet in &subnets {
        control(c, "//fieldset[@id='networking']", subnet)
            .await
            .click()
            .await
            .expect("check the subnet");
    }
    control(c, "", "A new Application Load Balancer")
        .await
        .click()
        .await
        .expect("new ALB");
    type_into(c, "", "Load balancer name", "ecs-fargate-alb").await;
    type_into(c, "", "Load balancer security group name", "ecs-alb-sg").await;
    type_into(c, "", "Target group name", "ecs-fargate-tg").await;
    press(c, "", "Next").await;
    for _ in 0..50 {
        let errors = c
            .find_all(Locator::Css(".msg.error"))
            .await
            .unwrap_or_default();
        if !errors.is_empty() {
            let mut texts = Vec::new();
            for e in errors {
                texts.push(e.text().await.unwrap_or_default());
            }
            panic!("the form has errors: {texts:?}");
        }
        if let Ok(h1) = c.find(Locator::Css("h1")).await
            && h1.text().await.is_ok_and(|t| t.starts_with("Review"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_heading(c, "Review").await;
    press(c, "", "Create").await;
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::XPath("//a[normalize-space()='Open the service']"))
        .await
        .expect("the run page follows the plan to its end");
    follow(c, "Open the service").await;
    wait_heading(c, "Service: ecs-fargate-service").await;
    let desired = c.find(Locator::Css("#desired")).await.expect("desired");
    assert_eq!(desired.text().await.unwrap(), "2");
    let dns = c.find(Locator::Css("a.dns-name")).await.expect("DNS name");
    assert!(dns.text().await.unwrap().contains("elb"));

    // Day two: three tasks, confirmed first.
    let desired_field = control(c, "//section[@id='actions']", "Desired tasks").await;
    desired_field.clear().await.expect("clear");
    desired_field.send_keys("3").await.expect("type");
    press(c, "//section[@id='actions']", "Update desired tasks").await;
    wait_heading(c, "Confirm: Update desired tasks").await;
    press(c, "", "Update the service").await;
    wait_heading(c, "Service: ecs-fargate-service").await;
    let desired = c.find(Locator::Css("#desired")).await.expect("desired");
    assert_eq!(desired.text().await.unwrap(), "3");

    c.goto(&app.url).await.expect("home");
    wait_heading(c, "Getting started").await;
    assert_eq!(checklist(c).await[4], "done");

    // The end of the workshop: the service and its load balancer go.
    c.goto(&format!(
        "{}/clusters/ecs-fargate-cluster/services/ecs-fargate-service",
        app.url
    ))
    .await
    .expect("service page");
    follow(c, "Delete service").await;
    wait_heading(c, "Delete service: ecs-fargate-service").await;
    press(c, "", "Delete").await;
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::XPath(
            "//strong[normalize-space()='Service ecs-fargate-service was deleted, with what was created for it.']",
        ))
        .await
        .expect("the tear-down follows its calls to the end");
    let deleted = c
        .find_all(Locator::Css("#done li"))
        .await
        .expect("what was deleted");
    assert_eq!(deleted.len(), 6);
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let left = elbv2.describe_load_balancers().send().await.expect("LBs");
    assert!(left.load_balancers().is_empty(), "the ALB is gone");
    // A deleted service (INACTIVE, which moto goes on listing) does not count.
    c.goto(&app.url).await.expect("home");
    wait_heading(c, "Getting started").await;
    assert_eq!(checklist(c).await[4], "todo");
    browser.client.close().await.expect("close");
}

/// Issue 10: from the menu to a family, two revisions compared, and a
/// service rolled back to the older one from its page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_compares_two_revisions_and_rolls_a_service_back() {
    let moto = moto();
    let ecs = ecs_client(&moto.url);
    common::network::cluster_and_task_definition(
        &ecs,
        "ecs-fargate-cluster",
        "ecs-fargate-task",
        "web",
    )
    .await;
    common::register_raw(
        &moto.url,
        &serde_json::json!({"family": "ecs-fargate-task", "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
            "containerDefinitions": [{"name": "web", "image": "nginx:1.28",
                "portMappings": [{"containerPort": 80}]}]}),
    )
    .await;
    ecs.create_service()
        .cluster("ecs-fargate-cluster")
        .service_name("web")
        .task_definition("ecs-fargate-task:2")
        .desired_count(1)
        .send()
        .await
        .expect("a service on revision 2");
    let app = app(Some(&moto.url));
    let browser = browser().await;
    let c = &browser.client;

    c.goto(&app.url).await.expect("open");
    follow(c, "Task definitions").await;
    wait_heading(c, "Task definitions").await;
    follow(c, "ecs-fargate-task").await;
    wait_heading(c, "Family: ecs-fargate-task").await;
    press(c, "//form[@id='compare-form']", "Compare").await;
    wait_heading(c, "Compare:").await;
    let changed = c
        .find(Locator::Css("table.diff tbody tr"))
        .await
        .expect("a change")
        .text()
        .await
        .expect("text");
    assert!(
        changed.contains("image") && changed.contains("nginx:1.28"),
        "{changed}"
    );
    follow(c, "ecs-fargate-task:1").await;
    wait_heading(c, "Revision: ecs-fargate-task:1").await;
    follow(c, "Update to this revision: ecs-fargate-cluster/web").await;
    wait_heading(c, "Confirm: Update to this revision").await;
    press(c, "", "Update the service").await;
    wait_heading(c, "Service: web").await;
    let revision = c
        .find(Locator::Css("#service-revision"))
        .await
        .expect("the service's revision")
        .text()
        .await
        .expect("text");
    assert_eq!(revision, "ecs-fargate-task:1");
    browser.client.close().await.expect("close");
}

/// The top of an element, as the page lays it out.
async fn top(c: &Client, id: &str) -> f64 {
    c.execute(
        "return document.getElementById(arguments[0]).getBoundingClientRect().top",
        vec![serde_json::json!(id)],
    )
    .await
    .expect("layout")
    .as_f64()
    .expect("a number")
}

async fn focused(c: &Client) -> String {
    c.execute("return document.activeElement.id", vec![])
        .await
        .expect("focus")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Issue 11: an error after Next is summarised at the top and focused; a
/// row's inputs line up; the review's formats are tabs, one shown at a time.
#[tokio::test]
async fn errors_are_in_sight_rows_line_up_and_the_review_has_tabs() {
    let moto = moto();
    let app = app(Some(&moto.url));
    let browser = browser().await;
    let c = &browser.client;

    c.goto(&format!("{}/clusters/new", app.url))
        .await
        .expect("open");
    type_into(c, "", "Cluster name", "not a name!").await;
    press(c, "", "Next").await;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#error-summary"))
        .await
        .expect("an error summary");
    assert_eq!(
        focused(c).await,
        "error-summary",
        "the summary has the focus"
    );
    c.find(Locator::Css("#error-summary a"))
        .await
        .expect("a link per error")
        .click()
        .await
        .expect("click");
    assert_eq!(
        focused(c).await,
        "clusterName",
        "the link leads to its field"
    );

    // Reference 000 imported: its containers step and review.
    c.goto(&format!("{}/task-definitions/new", app.url))
        .await
        .expect("open");
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Id("json"))
        .await
        .expect("the import box");
    c.execute(
        "document.getElementById('json').value = arguments[0]",
        vec![serde_json::json!(common::fixture("reference_000.json"))],
    )
    .await
    .expect("paste");
    press(c, "", "Import").await;
    wait_heading(c, "Task definition configuration").await;
    let url = c.current_url().await.expect("url");
    let base = url.as_str().trim_end_matches("/configure").to_string();
    c.goto(&format!("{base}/containers"))
        .await
        .expect("containers");
    wait_heading(c, "Containers").await;
    let p = "containerDefinitions.0.";
    let name = top(c, &format!("{p}name")).await;
    let image = top(c, &format!("{p}image")).await;
    assert!(
        (name - image).abs() < 1.0,
        "Name at {name}, Image URI at {image}"
    );
    let cpu = top(c, &format!("{p}cpu")).await;
    let hard = top(c, &format!("{p}memory")).await;
    let soft = top(c, &format!("{p}memoryReservation")).await;
    assert!(
        (cpu - hard).abs() < 1.0 && (hard - soft).abs() < 1.0,
        "CPU {cpu}, hard {hard}, soft {soft}"
    );

    c.goto(&format!("{base}/review")).await.expect("review");
    wait_heading(c, "Review and create").await;
    let visible = |id: &'static str| async move {
        c.find(Locator::Id(id))
            .await
            .expect(id)
            .is_displayed()
            .await
            .expect("displayed")
    };
    assert!(visible("request-json").await);
    assert!(!visible("aws-cli").await && !visible("terraform").await);
    press(c, "", "Terraform").await;
    assert!(visible("terraform").await && !visible("request-json").await);
    let summary = c
        .find(Locator::Css("#summary"))
        .await
        .expect("a summary")
        .text()
        .await
        .expect("text");
    assert!(summary.contains("zenn-clone-rails:latest") && summary.contains("3000/tcp"));
    // Create is in view without scrolling to the bottom.
    let create_top = c
        .execute(
            "return document.querySelector('form.create button').getBoundingClientRect().bottom <= window.innerHeight",
            vec![],
        )
        .await
        .expect("layout");
    assert_eq!(create_top, serde_json::json!(true));
    browser.client.close().await.expect("close");
}

/// Issue 13: a person signs in through the company's identity provider (a
/// real local one) by clicking, lands where they were going, with the role
/// their group gives, and signs out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_with_the_identity_provider() {
    let provider = provider();
    provider
        .person(
            "ann",
            serde_json::json!({"email": "ann@example.com", "groups": ["platform-admins"]}),
        )
        .await;
    let app = app_with_provider(&provider, &[]);
    let browser = browser().await;
    let c = &browser.client;

    c.goto(&format!("{}/clusters", app.url))
        .await
        .expect("open");
    wait_heading(c, "Sign in").await;
    follow(c, "Sign in with your company account").await;
    // The provider's own page: who to sign in as.
    let sub = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("input[name=sub]"))
        .await
        .expect("the provider's form");
    sub.send_keys("ann").await.expect("type");
    press(c, "", "Authorize").await;

    wait_heading(c, "Clusters").await;
    let header = c
        .find(Locator::Id("signed-in"))
        .await
        .expect("who is signed in")
        .text()
        .await
        .expect("text");
    assert!(header.contains("oidc:ann@example.com (admin)"), "{header}");
    press(c, "", "Sign out").await;
    wait_heading(c, "Sign in").await;
    c.goto(&format!("{}/clusters", app.url))
        .await
        .expect("open");
    wait_heading(c, "Sign in").await;
}

/// Issue 20, finding 5: Download as CSV was cancelled in browsers (the
/// compressed stream failed at its end). A person presses it on the audit
/// log; the whole file arrives in the download folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_downloads_as_csv() {
    let app = app(None);
    let client = common::Client::new(&app.url).await;
    // Each deployer's request is an entry, whatever it came to (here, a
    // draft that does not exist).
    for _ in 0..60 {
        client
            .post(&format!("/clusters/drafts/{}/create", "0".repeat(32)), &[])
            .await;
    }
    let downloads = tempfile::tempdir().expect("downloads");
    let browser = browser_with(serde_json::json!({
        "download.default_directory": downloads.path().display().to_string(),
        "download.prompt_for_download": false,
    }))
    .await;
    let c = &browser.client;
    c.goto(&format!("{}/audit", app.url)).await.expect("open");
    wait_heading(c, "Audit log").await;
    follow(c, "Download as CSV").await;
    let file = downloads.path().join("ecs-wizard-audit.csv");
    let mut text = String::new();
    for _ in 0..150 {
        text = std::fs::read_to_string(&file).unwrap_or_default();
        if text.lines().count() == 61 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let names: Vec<String> = std::fs::read_dir(downloads.path())
        .expect("downloads")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        text.lines().count(),
        61,
        "the header and 60 entries, in {names:?}"
    );
    assert!(text.starts_with("entry,at,user,"));
}

/// Issue 22, item 13: times are sent in UTC and shown in the browser's
/// time zone, with the UTC time kept for the hover.
#[tokio::test]
async fn times_read_in_the_browsers_zone_with_utc_on_hover() {
    let app = app(None);
    let browser = browser().await;
    let c = &browser.client;
    c.goto(&format!("{}/task-definitions/new", app.url))
        .await
        .expect("open");
    press(c, "", "Start empty").await;
    // The draft exists once its form is shown; leaving earlier races the
    // form's own navigation.
    wait_heading(c, "Task definition configuration").await;
    c.goto(&app.url).await.expect("home");
    wait_heading(c, "Getting started").await;
    let time = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("ul.drafts time.utc[data-local]"))
        .await
        .expect("the draft's time, read in the browser's zone");
    let utc = time.attr("title").await.expect("title").expect("a title");
    assert!(utc.ends_with(" UTC"), "{utc}");
    let datetime = time
        .attr("datetime")
        .await
        .expect("attr")
        .expect("datetime");
    assert!(datetime.ends_with('Z'), "{datetime}");
    let shown = time.text().await.expect("text");
    assert_ne!(shown, utc, "written for this browser, not as sent");
    browser.client.close().await.expect("close");
}
