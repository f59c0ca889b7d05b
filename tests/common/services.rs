//! A moto with its default VPC made public, a fault proxy in front of it
//! and the app behind that: the service wizard's tests and the service
//! page's share it, with the steps a person takes through the forms.

use std::time::Duration;

use super::faults::{FaultProxy, fault_proxy};
use super::network::{
    cluster_and_task_definition, cluster_and_task_definition_on, default_network, internet_gateway,
};
use super::{App, Client, Moto, Page, app_with_flags, app_with_users_on, moto, sdk_config};

pub const CLUSTER: &str = "ecs-fargate-cluster";
/// The app's pauses before a retry: short, so the tests do not wait.
pub const FLAGS: [&str; 2] = ["--retry-pause-ms", "20"];

pub struct World {
    pub _moto: Moto,
    pub proxy: FaultProxy,
    pub app: App,
    pub client: Client,
    pub config: aws_config::SdkConfig,
    pub vpc: String,
    /// Two subnets of the default VPC in different zones.
    pub subnets: Vec<String>,
}

pub async fn world() -> World {
    world_with(&FLAGS).await
}

/// The same world, the app started with `flags`.
pub async fn world_with(flags: &[&str]) -> World {
    world_of(flags, &[]).await
}

/// The world of an instance people sign in to with these (name, role,
/// password) accounts; the client is signed in as the first.
pub async fn world_signed_in(users: &[(&str, &str, &str)]) -> World {
    let mut flags = FLAGS.to_vec();
    flags.push("--local-accounts");
    world_of(&flags, users).await
}

async fn world_of(flags: &[&str], users: &[(&str, &str, &str)]) -> World {
    let moto = moto();
    let proxy = fault_proxy(&moto.url).await;
    let (app, client) = match users.first() {
        None => {
            let app = app_with_flags(&proxy.url, flags);
            let client = Client::new(&app.url).await;
            (app, client)
        }
        Some((name, _, password)) => {
            let app = app_with_users_on(Some(&proxy.url), users, flags);
            let client = Client::signed_in(&app.url, name, password).await;
            (app, client)
        }
    };
    let config = sdk_config(&moto.url);
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let (vpc, subnets) = default_network(&ec2).await;
    internet_gateway(&ec2, &vpc).await;
    clusters_and_task_definitions(&aws_sdk_ecs::Client::new(&config)).await;
    World {
        _moto: moto,
        proxy,
        app,
        client,
        config,
        vpc,
        subnets,
    }
}

pub async fn clusters_and_task_definitions(ecs: &aws_sdk_ecs::Client) {
    cluster_and_task_definition(ecs, CLUSTER, "ecs-fargate-task", "web").await;
    // Reference 001's Rails app listens on 3000.
    cluster_and_task_definition_on(ecs, "myapp-dev", "myapp-dev-app", "myapp-dev-app", 3000).await;
    cluster_and_task_definition(
        ecs,
        "ContainerHandsOn",
        "ContainerHandsOn",
        "ContainerHandsOn",
    )
    .await;
}

/// Saves a service draft whose load balancing is an existing target group
/// (the rest as the form offers it); the draft's form URL.
pub async fn save_with_an_existing_target_group(client: &Client) -> String {
    let form = client.get("/services/new").await;
    let mut fields = form.form_fields("form[action='/services/new']");
    fields.retain(|(n, _)| n != "csrf_token" && n != "loadBalancing");
    fields.push(("loadBalancing".into(), "existing".into()));
    fields.push(("action".into(), "save".into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let saved = client.post("/services/new", &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    saved.location
}

/// Opens the form as the checklist's link does, changes `fields` (an empty
/// value removes the field), checks the subnets, presses Next.
pub async fn fill_in(w: &World, query: &str, fields: &[(&str, &str)]) -> Page {
    let form = w.client.get(&format!("/services/new?{query}")).await;
    assert_eq!(form.status, 200, "{}", form.text);
    let mut posted = form.form_fields("form[action='/services/new']");
    for (name, value) in fields {
        posted.retain(|(n, _)| n != name);
        if !value.is_empty() {
            posted.push((name.to_string(), value.to_string()));
        }
    }
    for subnet in &w.subnets {
        posted.push((format!("subnet.{subnet}"), "on".into()));
    }
    posted.retain(|(n, _)| n != "csrf_token");
    posted.push(("action".into(), "next".into()));
    let fields: Vec<(&str, &str)> = posted
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let answer = w.client.post("/services/new", &fields).await;
    assert_eq!(
        answer.status,
        303,
        "the form has errors: {:?} {:?}",
        answer.select(".msg.error"),
        form.select(".msg.warning")
    );
    w.client.get(&answer.location).await
}

/// Presses Create on a review and follows the run page until it stops.
pub async fn create(w: &World, review: &Page) -> (String, Page) {
    let run_url = start_run(w, review).await;
    (run_url.clone(), settle(&w.client, &run_url).await)
}

/// Presses Create on a review; the run page's address (the run goes on).
pub async fn start_run(w: &World, review: &Page) -> String {
    assert_eq!(review.status, 200, "{}", review.text);
    assert!(
        review.select("#create-blocked").is_empty(),
        "Create is blocked: {:?} {:?}",
        review.select("#create-blocked"),
        review.select("#preflight .msg.error")
    );
    let create_url = review
        .attr("form.create", "action")
        .expect("a Create button");
    // The form's own fields: the version of the draft the review shows.
    let fields = review.form_fields("form.create");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(name, _)| name != "csrf_token")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let created = w.client.post(&create_url, &fields).await;
    assert_eq!(created.status, 303, "{}", created.text);
    created.location
}

/// The run page once the run has stopped (no longer polling itself).
pub async fn settle(client: &Client, run_url: &str) -> Page {
    for _ in 0..600 {
        let page = client.get(run_url).await;
        assert_eq!(page.status, 200, "{}", page.text);
        if page.attr("#run", "hx-get").is_none() {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the run at {run_url} did not stop in 60 s");
}

pub fn states(run: &Page) -> Vec<String> {
    let selector = scraper::Selector::parse("#run-steps tbody tr").expect("selector");
    run.html
        .select(&selector)
        .map(|tr| {
            tr.value()
                .attr("data-state")
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// Reference 002 made through the forms, as a person does.
pub async fn reference_002(w: &World) {
    let review = fill_in(
        w,
        &format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1"),
        &reference_002_fields(),
    )
    .await;
    let (_, run) = create(w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{:?}", states(&run));
}

pub fn reference_002_fields<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("serviceName", "ecs-fargate-service"),
        ("desiredCount", "2"),
        ("healthCheckGracePeriodSeconds", "30"),
        ("loadBalancing", "new"),
        ("loadBalancer.loadBalancerName", "ecs-fargate-alb"),
        ("loadBalancer.securityGroupName", "ecs-alb-sg"),
        ("loadBalancer.targetGroup.name", "ecs-fargate-tg"),
        ("loadBalancer.targetGroup.healthCheckPath", "/"),
        (
            "loadBalancer.serviceSecurityGroupName",
            "ecs-fargate-service-sg",
        ),
    ]
}

pub async fn made(w: &World, name: &str) -> Vec<(&'static str, usize)> {
    let ec2 = aws_sdk_ec2::Client::new(&w.config);
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let ecs = aws_sdk_ecs::Client::new(&w.config);
    let groups = ec2.describe_security_groups().send().await.expect("groups");
    let count_groups = |suffix: &str| {
        groups
            .security_groups()
            .iter()
            .filter(|g| g.group_name() == Some(format!("{name}{suffix}").as_str()))
            .count()
    };
    let lbs = elbv2.describe_load_balancers().send().await.expect("LBs");
    let lb = lbs
        .load_balancers()
        .iter()
        .find(|l| l.load_balancer_name() == Some(format!("{name}-alb").as_str()));
    let listeners = match lb {
        Some(lb) => elbv2
            .describe_listeners()
            .load_balancer_arn(lb.load_balancer_arn().expect("present"))
            .send()
            .await
            .expect("listeners")
            .listeners()
            .len(),
        None => 0,
    };
    let tgs = elbv2.describe_target_groups().send().await.expect("TGs");
    let services = ecs
        .describe_services()
        .cluster(CLUSTER)
        .services(name)
        .send()
        .await
        .expect("services");
    vec![
        ("alb group", count_groups("-alb-sg")),
        ("service group", count_groups("-sg")),
        ("load balancer", usize::from(lb.is_some())),
        ("listener", listeners),
        (
            "target group",
            tgs.target_groups()
                .iter()
                .filter(|t| t.target_group_name() == Some(format!("{name}-tg").as_str()))
                .count(),
        ),
        (
            "service",
            services
                .services()
                .iter()
                .filter(|s| s.status() == Some("ACTIVE"))
                .count(),
        ),
    ]
}

/// A certificate the account holds, issued (moto issues a requested one
/// when next read).
pub async fn issued_certificate(w: &World, domain: &str) -> String {
    let acm = aws_sdk_acm::Client::new(&w.config);
    let requested = acm
        .request_certificate()
        .domain_name(domain)
        .validation_method(aws_sdk_acm::types::ValidationMethod::Dns)
        .send()
        .await
        .expect("a certificate");
    requested.certificate_arn().expect("ARN").to_string()
}
