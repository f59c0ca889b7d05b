//! Issue 8 over real HTTP against moto: the service wizard's forms, review,
//! run page and service page for references 002, 003 and 004; a refusal
//! at each kind of step, then resume (nothing made twice) or clean up
//! (nothing left); throttling and 5xx retried; the app killed mid-run and
//! the run resumed by a new process on the same data folder.

use crate::common;

use std::time::Duration;

use common::Client;
use common::faults::Fault;
use common::services::*;
use serde_json::Value;

// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_002_through_the_forms_to_the_service_page() {
    let w = world().await;
    // The Clusters page offers the wizard for each cluster.
    let clusters = w.client.get("/clusters").await;
    assert_eq!(
        clusters.select(&format!("a[href='/services/new?cluster={CLUSTER}']")),
        ["Create service"]
    );
    // The form offers what the account holds, preselected.
    let form = w
        .client
        .get(&format!(
            "/services/new?cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1"
        ))
        .await;
    assert_eq!(
        form.attr("#cluster option[selected]", "value").as_deref(),
        Some(CLUSTER)
    );
    assert_eq!(
        form.attr("#taskRevision option[selected]", "value")
            .as_deref(),
        Some("ecs-fargate-task:1")
    );
    assert_eq!(
        form.attr("#container option[selected]", "value").as_deref(),
        Some("web:80")
    );
    assert_eq!(
        form.attr("#vpcId option[selected]", "value").as_deref(),
        Some(w.vpc.as_str())
    );
    assert!(
        form.select("#networking .detail")
            .iter()
            .any(|d| d.contains("public")),
        "each subnet says whether it is public"
    );
    for label in [
        "Existing cluster",
        "Desired tasks",
        "Health check grace period (seconds)",
        "Load balancer name",
        "Target group name",
        "Health check path",
        "Public IP",
    ] {
        assert!(
            form.select("label").iter().any(|l| l == label),
            "a label {label}"
        );
    }

    let review = fill_in(
        &w,
        &format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1"),
        &reference_002_fields(),
    )
    .await;
    // Every call, in order, with what it waits for.
    let calls = review.select("#plan tbody td code");
    assert_eq!(
        calls,
        [
            "ec2:CreateSecurityGroup",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:CreateSecurityGroup",
            "ec2:AuthorizeSecurityGroupIngress",
            "elbv2:CreateLoadBalancer",
            "elbv2:CreateTargetGroup",
            "elbv2:CreateListener",
            "elbv2:ModifyLoadBalancerAttributes",
            "ecs:CreateService",
        ]
    );
    let checks = review.select("#preflight > ul > li");
    assert!(checks.len() >= 6, "{checks:?}");
    assert!(review.select("#preflight .msg.error").is_empty());
    let shown: Vec<Value> = review
        .select("pre.request")
        .iter()
        .map(|j| serde_json::from_str(j).expect("JSON"))
        .collect();
    assert_eq!(shown[8]["healthCheckGracePeriodSeconds"], 30);

    let (_, run) = create(&w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{:?}", states(&run));
    let service_url = run
        .attr("a.button.primary", "href")
        .expect("Open the service");
    assert_eq!(
        service_url,
        format!("/clusters/{CLUSTER}/services/ecs-fargate-service")
    );
    let dns = run.select("#run a[rel=noreferrer]");
    assert!(dns.iter().any(|d| d.contains("elb")), "{dns:?}");

    // What was sent is what the review showed.
    let sent: Value = serde_json::from_str(&w.proxy.bodies("CreateService")[0]).expect("JSON");
    assert_eq!(sent["healthCheckGracePeriodSeconds"], 30);
    assert_eq!(sent["desiredCount"], 2);
    assert_eq!(
        sent["deploymentConfiguration"],
        shown[8]["deploymentConfiguration"]
    );
    assert!(
        sent["loadBalancers"][0]["targetGroupArn"]
            .as_str()
            .expect("present")
            .starts_with("arn:aws:elasticloadbalancing:")
    );

    let page = w.client.get(&service_url).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.select("#desired"), ["2"]);
    assert!(page.select("a.dns-name").iter().any(|d| d.contains("elb")));
    assert!(
        !page.select("#deployments tbody tr").is_empty(),
        "the service's deployments are listed"
    );
    // The cluster's services: its name on the Clusters page leads there.
    let clusters = w.client.get("/clusters").await;
    let services_url = format!("/clusters/{CLUSTER}/services");
    assert_eq!(
        clusters.select(&format!("a[href='{services_url}']")),
        [CLUSTER]
    );
    let services = w.client.get(&services_url).await;
    assert_eq!(services.status, 200);
    assert_eq!(
        services.select("#services tbody td:first-child a"),
        ["ecs-fargate-service"]
    );

    // The emulator holds what reference 002 makes.
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let alb = elbv2
        .describe_load_balancers()
        .names("ecs-fargate-alb")
        .send()
        .await
        .expect("ALB");
    let alb = &alb.load_balancers()[0];
    assert_eq!(alb.availability_zones().len(), 2);
    let tg = elbv2
        .describe_target_groups()
        .names("ecs-fargate-tg")
        .send()
        .await
        .expect("TG");
    let tg = &tg.target_groups()[0];
    assert_eq!(tg.target_type().map(|t| t.as_str()), Some("ip"));
    assert_eq!(tg.health_check_path(), Some("/"));
    let listeners = elbv2
        .describe_listeners()
        .load_balancer_arn(alb.load_balancer_arn().expect("present"))
        .send()
        .await
        .expect("listeners");
    let listener = &listeners.listeners()[0];
    assert_eq!(listener.port(), Some(80));
    assert_eq!(
        listener.default_actions()[0].target_group_arn(),
        tg.target_group_arn()
    );
    let ecs = aws_sdk_ecs::Client::new(&w.config);
    let services = ecs
        .describe_services()
        .cluster(CLUSTER)
        .services("ecs-fargate-service")
        .send()
        .await
        .expect("service");
    let service = &services.services()[0];
    assert_eq!(service.desired_count(), 2);
    assert_eq!(service.load_balancers()[0].container_name(), Some("web"));
    let network = service
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .expect("awsvpc");
    assert_eq!(network.subnets().len(), 2);
    assert_eq!(network.security_groups().len(), 1);

    // Create again: the run that exists, not a second one.
    let again = w
        .client
        .post(&review.attr("form.create", "action").expect("present"), &[])
        .await;
    assert_eq!(again.status, 303);
    assert_eq!(w.proxy.count("CreateService"), 1);
}

/// A target group behind a load balancer, made as references 001, 003 and
/// 004 make theirs outside the wizard.
async fn existing_target_group(w: &World, name: &str) -> String {
    let ec2 = aws_sdk_ec2::Client::new(&w.config);
    let group = ec2
        .create_security_group()
        .group_name(format!("{name}-lb"))
        .description("lb")
        .vpc_id(&w.vpc)
        .send()
        .await
        .expect("group");
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let lb = elbv2
        .create_load_balancer()
        .name(name)
        .set_subnets(Some(w.subnets.clone()))
        .security_groups(group.group_id().expect("present"))
        .send()
        .await
        .expect("LB");
    let tg = elbv2
        .create_target_group()
        .name(name)
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(80)
        .vpc_id(&w.vpc)
        .target_type(aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum::Ip)
        .send()
        .await
        .expect("TG");
    let tg_arn = tg.target_groups()[0]
        .target_group_arn()
        .expect("present")
        .to_string();
    elbv2
        .create_listener()
        .load_balancer_arn(lb.load_balancers()[0].load_balancer_arn().expect("present"))
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(80)
        .default_actions(
            aws_sdk_elasticloadbalancingv2::types::Action::builder()
                .r#type(aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::Forward)
                .target_group_arn(&tg_arn)
                .build(),
        )
        .send()
        .await
        .expect("listener");
    tg_arn
}

// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_001_003_and_004_join_existing_target_groups() {
    let w = world().await;
    let ec2 = aws_sdk_ec2::Client::new(&w.config);
    let groups = ec2.describe_security_groups().send().await.expect("groups");
    let default_group = groups
        .security_groups()
        .iter()
        .find(|g| g.group_name() == Some("default") && g.vpc_id() == Some(w.vpc.as_str()))
        .and_then(|g| g.group_id())
        .expect("the default group")
        .to_string();
    let group_field = format!("group.{default_group}");

    // 003: blue/green by CodeDeploy, no public IP, no circuit breaker.
    let tg_003 = existing_target_group(&w, "ContainerHandsOn").await;
    let review = fill_in(
        &w,
        "cluster=ContainerHandsOn&taskDefinition=ContainerHandsOn:1",
        &[
            ("serviceName", "ContainerHandsOn"),
            ("desiredCount", "2"),
            ("deploymentStrategy", "CODE_DEPLOY"),
            ("propagateTags", "SERVICE"),
            ("enableExecuteCommand", "on"),
            ("circuitBreaker", ""),
            ("rollback", ""),
            ("assignPublicIp", ""),
            ("securityGroupChoice", "existing"),
            (group_field.as_str(), "on"),
            ("loadBalancing", "existing"),
            ("targetGroupArn", tg_003.as_str()),
            ("container", "ContainerHandsOn:80"),
        ],
    )
    .await;
    // Public subnets with Public IP off: warned, not blocked.
    assert!(!review.select("#preflight .msg.warning").is_empty());
    assert_eq!(review.select("#plan tbody td code"), ["ecs:CreateService"]);
    let (_, run) = create(&w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{}", run.text);
    let sent: Value = serde_json::from_str(&w.proxy.bodies("CreateService")[0]).expect("JSON");
    assert_eq!(sent["deploymentController"]["type"], "CODE_DEPLOY");
    assert_eq!(sent["propagateTags"], "SERVICE");
    assert_eq!(sent["enableExecuteCommand"], true);
    assert_eq!(
        sent["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"],
        "DISABLED"
    );
    assert!(
        sent["deploymentConfiguration"]
            .get("deploymentCircuitBreaker")
            .is_none()
    );
    assert_eq!(sent["loadBalancers"][0]["targetGroupArn"], tg_003.as_str());

    // 001: rolling update 100/200 with circuit breaker and rollback, no
    // public IP, the Rails container's port 3000.
    let tg_001 = existing_target_group(&w, "myapp-dev-tg").await;
    let review = fill_in(
        &w,
        "cluster=myapp-dev&taskDefinition=myapp-dev-app:1",
        &[
            ("serviceName", "myapp-dev-app-service"),
            ("desiredCount", "2"),
            ("assignPublicIp", ""),
            ("securityGroupChoice", "existing"),
            (group_field.as_str(), "on"),
            ("loadBalancing", "existing"),
            ("targetGroupArn", tg_001.as_str()),
            ("container", "myapp-dev-app:3000"),
        ],
    )
    .await;
    let (_, run) = create(&w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{}", run.text);
    let sent: Value = serde_json::from_str(&w.proxy.bodies("CreateService")[1]).expect("JSON");
    assert_eq!(
        sent["deploymentConfiguration"],
        serde_json::json!({"minimumHealthyPercent": 100, "maximumPercent": 200,
                           "deploymentCircuitBreaker": {"enable": true, "rollback": true}})
    );
    assert_eq!(sent["loadBalancers"][0]["containerPort"], 3000);
    assert_eq!(sent["desiredCount"], 2);

    // 004: platform version pinned, grace period 60.
    let tg_004 = existing_target_group(&w, "web-004").await;
    let review = fill_in(
        &w,
        &format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1"),
        &[
            ("serviceName", "web-004"),
            ("platformVersion", "1.4.0"),
            ("healthCheckGracePeriodSeconds", "60"),
            ("assignPublicIp", ""),
            ("securityGroupChoice", "existing"),
            (group_field.as_str(), "on"),
            ("loadBalancing", "existing"),
            ("targetGroupArn", tg_004.as_str()),
        ],
    )
    .await;
    let (_, run) = create(&w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{}", run.text);
    let sent: Value = serde_json::from_str(&w.proxy.bodies("CreateService")[2]).expect("JSON");
    assert_eq!(sent["platformVersion"], "1.4.0");
    assert_eq!(sent["healthCheckGracePeriodSeconds"], 60);
    assert_eq!(sent["loadBalancers"][0]["containerName"], "web");
}

/// What the emulator holds under the names one run uses.
// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_at_each_step_resumes_without_duplicates_or_cleans_up_to_nothing() {
    let w = world().await;
    // Each of the plan's nine steps, told apart by its operation and, where
    // two steps share one, by what only its request holds.
    let steps = [
        ("CreateSecurityGroup", "GroupDescription=HTTP"),
        ("AuthorizeSecurityGroupIngress", "CidrIp"),
        ("CreateSecurityGroup", "GroupDescription=The"),
        ("AuthorizeSecurityGroupIngress", "Groups."),
        ("CreateLoadBalancer", ""),
        ("CreateTargetGroup", ""),
        ("CreateListener", ""),
        ("ModifyLoadBalancerAttributes", ""),
        ("CreateService", ""),
    ];
    let query = format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1");
    for (n, (action, marker)) in steps.iter().enumerate() {
        for then_resume in [true, false] {
            let name = format!("s{n}{}", if then_resume { "r" } else { "c" });
            w.proxy.fail_when(
                action,
                marker,
                1,
                Fault::refuse("ValidationError", "refused by the test"),
            );
            let review = fill_in(
                &w,
                &query,
                &[("serviceName", name.as_str()), ("loadBalancing", "new")],
            )
            .await;
            let (run_url, run) = create(&w, &review).await;
            assert!(
                states(&run).iter().any(|s| s == "error"),
                "{action}: the refusal is shown: {:?}",
                states(&run)
            );
            assert!(run.text.contains("refused by the test"));
            // The steps are listed in plan order, the same order as `steps`.
            assert_eq!(
                states(&run)[n],
                "error",
                "step {n} ({action}) is the refused one: {:?}",
                states(&run)
            );
            // The journal lists exactly what exists.
            let done = states(&run).iter().filter(|s| *s == "ok").count();
            let before = made(&w, &name).await;
            let resources: usize = before.iter().map(|(_, c)| c).sum();
            // Rules and attributes go with the group or load balancer they change.
            let changes_done = {
                let rows = run.select("#run-steps tbody tr td:nth-child(2) code");
                let oks = states(&run);
                rows.iter()
                    .zip(&oks)
                    .filter(|(c, s)| {
                        (c.contains("Authorize") || c.contains("ModifyLoadBalancerAttributes"))
                            && *s == "ok"
                    })
                    .count()
            };
            assert_eq!(
                done - changes_done,
                resources,
                "{action}: {before:?} vs {:?}",
                states(&run)
            );
            w.proxy.clear();
            let button = if then_resume { "resume" } else { "cleanup" };
            let pressed = w
                .client
                .post(&run_url.replace("/run", &format!("/{button}")), &[])
                .await;
            assert_eq!(pressed.status, 303);
            let after = settle(&w.client, &run_url).await;
            let held = made(&w, &name).await;
            if then_resume {
                assert!(
                    states(&after).iter().all(|s| s == "ok"),
                    "{action}: {:?}",
                    states(&after)
                );
                assert!(
                    held.iter().all(|(_, c)| *c == 1),
                    "{action}: one of each: {held:?}"
                );
            } else {
                assert!(
                    held.iter().all(|(_, c)| *c == 0),
                    "{action}: nothing left: {held:?}"
                );
                assert!(!after.select("#cleanup-steps tbody tr").is_empty() || resources == 0);
            }
        }
    }
}

// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_a_5xx_are_retried_and_a_double_click_starts_one_run() {
    let w = world().await;
    w.proxy.fail("CreateTargetGroup", 4, Fault::throttle());
    w.proxy.fail("CreateListener", 4, Fault::unavailable());
    let review = fill_in(
        &w,
        &format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1"),
        &[("serviceName", "patient"), ("loadBalancing", "new")],
    )
    .await;
    // Create pressed twice at once (a double click): one run.
    let create_url = review.attr("form.create", "action").expect("Create");
    let (first, second) = tokio::join!(w.client.create(&create_url), w.client.create(&create_url));
    assert_eq!((first.status, second.status), (303, 303));
    let run = settle(&w.client, &first.location).await;
    assert_eq!(w.proxy.count("CreateLoadBalancer"), 1);
    assert_eq!(w.proxy.count("CreateService"), 1);
    assert!(states(&run).iter().all(|s| s == "ok"), "{}", run.text);
    assert!(w.proxy.count("CreateTargetGroup") >= 5);
    assert!(w.proxy.count("CreateListener") >= 5);
    assert!(made(&w, "patient").await.iter().all(|(_, c)| *c == 1));
}

// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_cut_off_by_a_crash_is_resumed_by_the_next_process() {
    let mut w = world().await;
    // The listener is made, but its answer never comes back: then kill -9.
    w.proxy.fail("CreateListener", 1, Fault::LoseAnswer);
    let review = fill_in(
        &w,
        &format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1"),
        &[("serviceName", "crash"), ("loadBalancing", "new")],
    )
    .await;
    let create_url = review.attr("form.create", "action").expect("Create");
    let created = w.client.create(&create_url).await;
    let run_url = created.location.clone();
    for _ in 0..300 {
        if w.proxy.count("CreateListener") == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let proxy_url = w.proxy.url.clone();
    w.app = w.app.crash_and_restart(&proxy_url, &FLAGS);
    w.client = Client::new(&w.app.url).await;

    let cut_off = w.client.get(&run_url).await;
    assert!(
        cut_off
            .text
            .contains("The app stopped while this run was under way"),
        "{}",
        cut_off.text
    );
    let home = w.client.get("/").await;
    assert!(
        home.select("#unfinished-runs a")
            .iter()
            .any(|a| a.contains("crash")),
        "listed on the home page"
    );
    let pressed = w
        .client
        .post(&run_url.replace("/run", "/resume"), &[])
        .await;
    assert_eq!(pressed.status, 303);
    let after = settle(&w.client, &run_url).await;
    assert!(states(&after).iter().all(|s| s == "ok"), "{}", after.text);
    assert!(
        after.text.contains("adopted"),
        "the listener made before the crash is adopted"
    );
    assert!(
        made(&w, "crash").await.iter().all(|(_, c)| *c == 1),
        "nothing made twice"
    );
    assert_eq!(w.proxy.count("CreateListener"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_load_balancer_gets_a_new_listener_and_target_group() {
    let w = world().await;
    existing_target_group(&w, "shared").await;
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let described = elbv2
        .describe_load_balancers()
        .names("shared")
        .send()
        .await
        .expect("LB");
    let lb = &described.load_balancers()[0];
    let lb_arn = lb.load_balancer_arn().expect("ARN").to_string();
    let lb_group = lb.security_groups()[0].clone();
    let query = format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1");
    let fields = |port: &'static str| {
        vec![
            ("serviceName", "second"),
            ("loadBalancing", "existing_load_balancer"),
            ("loadBalancerArn", lb_arn.as_str()),
            ("loadBalancer.listenerPort", port),
        ]
    };
    // Port 80 is taken on that load balancer: preflight says so.
    let taken = fill_in(&w, &query, &fields("80")).await;
    assert!(
        taken
            .select("#preflight .msg.error")
            .iter()
            .any(|m| m.contains("already listens on port 80")),
        "{:?}",
        taken.select("#preflight .msg")
    );
    let review = fill_in(&w, &query, &fields("8080")).await;
    assert_eq!(
        review.select("#plan tbody td code"),
        [
            "ec2:CreateSecurityGroup",
            "ec2:AuthorizeSecurityGroupIngress",
            "elbv2:CreateTargetGroup",
            "elbv2:CreateListener",
            "ecs:CreateService"
        ]
    );
    let (_, run) = create(&w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{}", run.text);
    let listeners = elbv2
        .describe_listeners()
        .load_balancer_arn(&lb_arn)
        .send()
        .await
        .expect("listeners");
    let ports: Vec<Option<i32>> = listeners.listeners().iter().map(|l| l.port()).collect();
    assert!(
        ports.contains(&Some(80)) && ports.contains(&Some(8080)),
        "{ports:?}"
    );
    let ingress: Value = serde_json::from_str(&format!(
        "\"{}\"",
        w.proxy.bodies("AuthorizeSecurityGroupIngress")[0]
    ))
    .expect("body");
    assert!(
        ingress.as_str().expect("text").contains(&lb_group),
        "the tasks' group lets in the load balancer's group"
    );
    assert_eq!(made(&w, "second").await[5], ("service", 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_listener_gets_a_rule_to_a_new_target_group() {
    let w = world().await;
    existing_target_group(&w, "front").await;
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let lb = elbv2
        .describe_load_balancers()
        .names("front")
        .send()
        .await
        .expect("LB");
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .expect("ARN")
        .to_string();
    let listeners = elbv2
        .describe_listeners()
        .load_balancer_arn(&lb_arn)
        .send()
        .await
        .expect("listeners");
    let listener = listeners.listeners()[0]
        .listener_arn()
        .expect("ARN")
        .to_string();
    let query = format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1");
    let fields = |name: &'static str| {
        vec![
            ("serviceName", name),
            ("loadBalancing", "existing_listener"),
            ("loadBalancerArn", lb_arn.as_str()),
            ("listenerArn", listener.as_str()),
            ("rulePriority", "10"),
            ("rulePath", "/api/*"),
            ("ruleHosts", "shop.example.com, www.shop.example.com"),
        ]
    };
    let review = fill_in(&w, &query, &fields("api")).await;
    assert_eq!(
        review.select("#plan tbody td code"),
        [
            "ec2:CreateSecurityGroup",
            "ec2:AuthorizeSecurityGroupIngress",
            "elbv2:CreateTargetGroup",
            "elbv2:CreateRule",
            "ecs:CreateService"
        ]
    );
    let (_, run) = create(&w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{}", run.text);
    let rules = elbv2
        .describe_rules()
        .listener_arn(&listener)
        .send()
        .await
        .expect("rules");
    let rule = rules
        .rules()
        .iter()
        .find(|r| r.priority() == Some("10"))
        .expect("the new rule");
    let tg = elbv2
        .describe_target_groups()
        .names("api-tg")
        .send()
        .await
        .expect("the new target group");
    assert_eq!(
        rule.actions()[0].target_group_arn(),
        tg.target_groups()[0].target_group_arn()
    );
    // By path and by host, as the console's rule conditions.
    let conditions: Vec<(Option<&str>, &[String])> = rule
        .conditions()
        .iter()
        .map(|c| {
            let hosts = c.host_header_config().map(|h| h.values());
            (c.field(), hosts.unwrap_or(c.values()))
        })
        .collect();
    assert_eq!(
        conditions,
        [
            (Some("path-pattern"), &["/api/*".to_string()][..]),
            (
                Some("host-header"),
                &[
                    "shop.example.com".to_string(),
                    "www.shop.example.com".to_string()
                ][..]
            ),
        ]
    );
    // Priority 10 is taken now: a second service is told before anything is made.
    let again = fill_in(&w, &query, &fields("api2")).await;
    assert!(
        again
            .select("#preflight .msg.error")
            .iter()
            .any(|m| m.contains("priority 10")),
        "{:?}",
        again.select("#preflight .msg")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clusters_services_are_described_ten_at_a_time() {
    let w = world().await;
    let ecs = aws_sdk_ecs::Client::new(&w.config);
    for n in 0..11 {
        ecs.create_service()
            .cluster(CLUSTER)
            .service_name(format!("svc-{n:02}"))
            .task_definition("ecs-fargate-task:1")
            .desired_count(1)
            .send()
            .await
            .expect("CreateService");
    }
    let before = w.proxy.calls().len();
    let page = w.client.get(&format!("/clusters/{CLUSTER}/services")).await;
    let calls: Vec<String> = w.proxy.calls()[before..].to_vec();
    // AWS lists at most ten a page (maxResults) and the page links the next;
    // moto ignores maxResults and lists all eleven, which are described ten
    // at a time (DescribeServices' limit).
    assert_eq!(page.select("#services tbody tr").len(), 11);
    assert_eq!(
        calls,
        ["ListServices", "DescribeServices", "DescribeServices"],
        "one list and a describe per ten shown, nothing more"
    );
}

/// Issue 20, finding 3: a service's Create sends the version reviewed. The
/// draft is changed after its review was opened (another tab); Create
/// pressed on the older review lists what changed and sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_changed_after_its_review_is_not_created() {
    let w = world().await;
    let review = fill_in(
        &w,
        &format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1"),
        &[("serviceName", "reviewed"), ("loadBalancing", "new")],
    )
    .await;
    let create_url = review.attr("form.create", "action").expect("Create");
    let reviewed = review.form_fields("form.create");
    let draft = create_url.trim_end_matches("/create");
    let form = w.client.get(draft).await;
    let css = "main form[method=post][novalidate]";
    let mut fields = form.form_fields(css);
    fields.retain(|(name, _)| name != "csrf_token" && name != "desiredCount" && name != "action");
    fields.push(("desiredCount".into(), "9".into()));
    fields.push(("action".into(), "next".into()));
    let action = form.attr(css, "action").expect("the form");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = w.client.post(&action, &fields).await;
    assert_eq!(saved.status, 303, "{:?}", saved.select(".msg.error"));

    let before = w.proxy.calls().len();
    let reviewed: Vec<(&str, &str)> = reviewed
        .iter()
        .filter(|(name, _)| name != "csrf_token")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let stale = w.client.post(&create_url, &reviewed).await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    let changed = stale.select("#changed-since tbody tr td:first-child code");
    assert!(
        changed.iter().any(|f| f.ends_with("desiredCount")),
        "{changed:?}"
    );
    let writes: Vec<String> = w.proxy.calls()[before..]
        .iter()
        .filter(|a| a.starts_with("Create") || a.starts_with("Authorize"))
        .cloned()
        .collect();
    assert!(writes.is_empty(), "nothing was sent: {writes:?}");
}

/// Issue 22, item 6: a service draft is listed on the home page, and a
/// revision's page offers to choose that revision in it, keeping the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revision_chosen_for_a_service_draft_keeps_what_was_typed() {
    let w = world().await;
    let review = fill_in(
        &w,
        &format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1"),
        &reference_002_fields(),
    )
    .await;
    let create = review.attr("form.create", "action").expect("Create");
    let draft = create.trim_end_matches("/create").to_string();
    let home = w.client.get("/").await;
    assert_eq!(
        home.select("#service-drafts li a"),
        ["ecs-fargate-service"],
        "{:?}",
        home.select("#service-drafts")
    );
    // A new revision, registered elsewhere; its page offers the draft.
    common::network::cluster_and_task_definition(
        &aws_sdk_ecs::Client::new(&w.config),
        CLUSTER,
        "ecs-fargate-task",
        "web",
    )
    .await;
    let revision = w.client.get("/task-definitions/ecs-fargate-task/2").await;
    assert_eq!(revision.status, 200, "{}", revision.text);
    let offered = revision
        .attrs("a[href*='?taskDefinition=']", "href")
        .into_iter()
        .find(|href| href.starts_with(&draft))
        .expect("the draft is offered");
    assert_eq!(
        revision.select(&format!("a[href='{offered}']")),
        ["Use this revision in service draft ecs-fargate-service"]
    );
    let form = w.client.get(&offered).await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert_eq!(
        form.attr("#taskRevision option[selected]", "value")
            .as_deref(),
        Some("ecs-fargate-task:2"),
        "the revision chosen"
    );
    assert_eq!(
        form.attr("#serviceName", "value").as_deref(),
        Some("ecs-fargate-service"),
        "the rest kept"
    );
    assert_eq!(form.attr("#desiredCount", "value").as_deref(), Some("2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chosen_certificate_makes_the_listener_https_and_port_80_redirect() {
    let w = world().await;
    let arn = issued_certificate(&w, "shop.example.com").await;
    let query = format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1");
    let form = w.client.get(&format!("/services/new?{query}")).await;
    let offered = form.select("select[name='loadBalancer.certificateArn'] option");
    assert_eq!(
        offered.len(),
        3,
        "none, a new one for the domain, then the issued one: {offered:?}"
    );
    assert!(
        offered[2].starts_with("shop.example.com — expires "),
        "{offered:?}"
    );
    assert_eq!(
        form.attr(
            "select[name='loadBalancer.sslPolicy'] option[selected]",
            "value"
        )
        .as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
    assert!(
        form.attr("#loadBalancer\\.redirectHttp", "checked")
            .is_some()
    );

    let mut fields = reference_002_fields();
    fields.push(("loadBalancer.certificateArn", arn.as_str()));
    let review = fill_in(&w, &query, &fields).await;
    let calls = review.select("#plan tbody td code");
    assert_eq!(
        calls
            .iter()
            .filter(|c| *c == "elbv2:CreateListener")
            .count(),
        2,
        "{calls:?}"
    );
    let flagged = review.attrs("#flagged li", "data-check");
    for check in ["CKV_AWS_2", "CKV_AWS_103", "CKV2_AWS_20"] {
        assert!(!flagged.iter().any(|f| f == check), "{check}: {flagged:?}");
    }
    let (_, run) = create(&w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{}", run.text);

    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let lb = elbv2
        .describe_load_balancers()
        .names("ecs-fargate-alb")
        .send()
        .await
        .expect("LB");
    let lb = &lb.load_balancers()[0];
    let listeners = elbv2
        .describe_listeners()
        .load_balancer_arn(lb.load_balancer_arn().expect("ARN"))
        .send()
        .await
        .expect("listeners");
    let https = listeners
        .listeners()
        .iter()
        .find(|l| l.port() == Some(443))
        .expect("an HTTPS listener");
    assert_eq!(https.protocol().map(|p| p.as_str()), Some("HTTPS"));
    assert_eq!(
        https.ssl_policy(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
    assert_eq!(
        https.certificates()[0].certificate_arn(),
        Some(arn.as_str())
    );
    let http = listeners
        .listeners()
        .iter()
        .find(|l| l.port() == Some(80))
        .expect("an HTTP listener");
    let redirect = http.default_actions()[0]
        .redirect_config()
        .expect("a redirect");
    assert_eq!(
        (
            redirect.protocol(),
            redirect.port(),
            redirect.status_code().map(|c| c.as_str())
        ),
        (Some("HTTPS"), Some("443"), Some("HTTP_301"))
    );
    let ec2 = aws_sdk_ec2::Client::new(&w.config);
    let groups = ec2
        .describe_security_groups()
        .group_ids(&lb.security_groups()[0])
        .send()
        .await
        .expect("groups");
    let mut open: Vec<Option<i32>> = groups.security_groups()[0]
        .ip_permissions()
        .iter()
        .map(|p| p.from_port())
        .collect();
    open.sort();
    assert_eq!(open, [Some(80), Some(443)]);
}
