//! Issue 9 over real HTTP against moto: the service page's first view and
//! its AWS calls, each action confirmed then sent, and the tear-down of
//! reference 002 — after which moto holds none of the run's resources —
//! with what another service uses kept. (What moto cannot show — events,
//! stopped tasks, target health, log lines — is replayed in src/aws/.)

use crate::common;

use std::time::Duration;

use common::Client;
use common::faults::Fault;
use common::services::*;
use serde_json::Value;

const SERVICE: &str = "ecs-fargate-service";

fn service_url() -> String {
    format!("/clusters/{CLUSTER}/services/{SERVICE}")
}

/// The tear-down page once it has stopped (no longer polling itself).
async fn settled_teardown(client: &Client, url: &str) -> common::Page {
    for _ in 0..600 {
        let page = client.get(url).await;
        assert_eq!(page.status, 200, "{}", page.text);
        if page.attr("#change-run", "hx-get").is_none() {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the tear-down at {url} did not stop in 60 s");
}

async fn load_balancers(w: &World) -> Vec<String> {
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let lbs = elbv2.describe_load_balancers().send().await.expect("LBs");
    lbs.load_balancers()
        .iter()
        .filter_map(|l| l.load_balancer_name().map(str::to_string))
        .collect()
}

async fn target_groups(w: &World) -> Vec<String> {
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let tgs = elbv2.describe_target_groups().send().await.expect("TGs");
    tgs.target_groups()
        .iter()
        .filter_map(|t| t.target_group_name().map(str::to_string))
        .collect()
}

async fn group_names(w: &World) -> Vec<String> {
    let ec2 = aws_sdk_ec2::Client::new(&w.config);
    let groups = ec2.describe_security_groups().send().await.expect("SGs");
    groups
        .security_groups()
        .iter()
        .filter_map(|g| g.group_name().map(str::to_string))
        .collect()
}

async fn service(w: &World, name: &str) -> Option<aws_sdk_ecs::types::Service> {
    let ecs = aws_sdk_ecs::Client::new(&w.config);
    let found = ecs
        .describe_services()
        .cluster(CLUSTER)
        .services(name)
        .send()
        .await
        .expect("DescribeServices");
    found
        .services()
        .iter()
        .find(|s| s.status() == Some("ACTIVE"))
        .cloned()
}

// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_page_its_actions_and_its_tear_down() {
    let w = world().await;
    reference_002(&w).await;

    // The first view: a fixed set of calls, whatever the account holds.
    let before = w.proxy.calls().len();
    let page = w.client.get(&service_url()).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let mut calls = w.proxy.calls().split_off(before);
    calls.sort();
    assert_eq!(
        calls,
        [
            "DescribeLoadBalancers",
            // Auto scaling: its target (and, when there is one, its policies).
            "DescribeScalableTargets",
            "DescribeServices",
            "DescribeTargetGroups",
            "DescribeTargetHealth",
            // Every chart's series at once.
            "GetMetricData",
            // ECS's deployment history: moto answers it with an HTML 500.
            "ListServiceDeployments",
            "ListTaskDefinitions",
            "ListTasks",
            "ListTasks",
        ],
        "moto lists no tasks: nothing to describe (the replay tests describe 200 in two calls)"
    );
    assert_eq!(page.select("#running"), ["2"], "MOTO_ECS_SERVICE_RUNNING");
    assert!(page.select("pre.msg.error").is_empty(), "{}", page.text);
    // Against moto the history says it is not served, instead of failing.
    let history = page.select("#deployment-history p");
    assert!(
        history[0].contains("not available from this endpoint"),
        "{history:?}"
    );
    assert!(
        page.select("h2").iter().any(|h| h == "Targets"),
        "a service behind a load balancer shows its targets"
    );
    assert_eq!(
        page.attr("#revision option[selected]", "value").as_deref(),
        Some("ecs-fargate-task:1")
    );

    // Update desired tasks: confirmed first, then sent as shown.
    let confirm = w
        .client
        .get(&format!("{}/update?action=desired&value=3", service_url()))
        .await;
    assert_eq!(confirm.status, 200, "{}", confirm.text);
    let shown: Value =
        serde_json::from_str(&confirm.select("#update-json")[0]).expect("the request as JSON");
    assert_eq!(
        shown,
        serde_json::json!({"cluster": CLUSTER, "service": SERVICE, "desiredCount": 3})
    );
    assert_eq!(
        w.proxy.count("UpdateService"),
        0,
        "a confirmation sends nothing"
    );
    let fields = confirm.form_fields(&format!("form[action='{}/update']", service_url()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(n, _)| n != "csrf_token")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let sent = w
        .client
        .post(&format!("{}/update", service_url()), &fields)
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    // Item 9: the page it returns to says what was done.
    let back = w.client.get(&sent.location).await;
    assert_eq!(
        back.select("#done-notice"),
        [
            "✔ The service was asked to run 3 tasks. ECS starts or stops tasks over the next minutes."
        ]
    );
    let body: Value = serde_json::from_str(&w.proxy.bodies("UpdateService")[0]).expect("JSON");
    assert_eq!(body, shown, "what is sent is what was shown");
    assert_eq!(
        service(&w, SERVICE).await.expect("service").desired_count(),
        3
    );

    // Roll forward to a new revision, and refuse another family's.
    let ecs = aws_sdk_ecs::Client::new(&w.config);
    common::network::cluster_and_task_definition(&ecs, CLUSTER, "ecs-fargate-task", "web").await;
    let refused = w
        .client
        .get(&format!(
            "{}/update?action=revision&value=myapp-dev-app:1",
            service_url()
        ))
        .await;
    assert_eq!(refused.status, 422);
    let sent = w
        .client
        .post(
            &format!("{}/update", service_url()),
            &[("action", "revision"), ("value", "ecs-fargate-task:2")],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    assert!(
        service(&w, SERVICE)
            .await
            .expect("service")
            .task_definition()
            .is_some_and(|t| t.ends_with("ecs-fargate-task:2"))
    );
    let sent = w
        .client
        .post(
            &format!("{}/update", service_url()),
            &[("action", "force"), ("value", "")],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    assert!(w.proxy.bodies("UpdateService")[2].contains("\"forceNewDeployment\":true"));

    // Delete: every call in order, nothing kept; then a run that ends with
    // nothing of the run's left in moto.
    let confirm = w.client.get(&format!("{}/delete", service_url())).await;
    assert_eq!(confirm.status, 200, "{}", confirm.text);
    assert_eq!(
        confirm.select("#teardown-calls tbody td > code"),
        [
            "ecs:UpdateService",
            "ecs:DeleteService",
            "elbv2:DeleteListener",
            "elbv2:DeleteTargetGroup",
            "ec2:DeleteSecurityGroup",
            "elbv2:DeleteLoadBalancer",
            "ec2:DeleteSecurityGroup",
        ]
    );
    // Item 10: each call names what it deletes, as it was named.
    assert_eq!(
        confirm.select("#teardown-calls tbody tr td:nth-child(3)"),
        [
            SERVICE,
            SERVICE,
            "HTTP:80",
            "ecs-fargate-tg",
            "ecs-fargate-service-sg",
            "ecs-fargate-alb",
            "ecs-alb-sg",
        ]
    );
    assert!(confirm.select("#kept li").is_empty());
    // A failed call stops the run; Resume takes it up from there.
    w.proxy.fail(
        "DeleteLoadBalancer",
        1,
        Fault::refuse("AccessDenied", "not authorized"),
    );
    let started = w
        .client
        .post(&format!("{}/delete", service_url()), &[])
        .await;
    assert_eq!(started.status, 303, "{}", started.text);
    let teardown_url = started.location.clone();
    assert!(teardown_url.starts_with("/teardowns/"));
    // A second press shows the same tear-down.
    let again = w
        .client
        .post(&format!("{}/delete", service_url()), &[])
        .await;
    if again.status == 303 {
        assert_eq!(again.location, teardown_url);
    } else {
        // The service was gone already: nothing to confirm.
        assert_eq!(again.status, 404);
    }
    let stopped = settled_teardown(&w.client, &teardown_url).await;
    assert!(
        stopped.text.contains("AccessDenied"),
        "{:?}",
        stopped.select("#change-run")
    );
    let resume = stopped
        .attr("#change-run form", "action")
        .expect("a Resume button");
    let resumed = w.client.post(&resume, &[]).await;
    assert_eq!(resumed.status, 303);
    let done = settled_teardown(&w.client, &teardown_url).await;
    assert_eq!(
        done.select("#change-run > p.msg.ok strong").len(),
        1,
        "{:?}",
        done.select("#change-run")
    );
    assert_eq!(
        done.select("#done li").len(),
        6,
        "{:?}",
        done.select("#done li")
    );
    assert_eq!(
        w.proxy.count("DeleteService"),
        1,
        "done steps are not sent again"
    );
    assert_eq!(w.proxy.count("DeleteListener"), 1);
    assert!(service(&w, SERVICE).await.is_none());
    // The checklist does not count the deleted (INACTIVE) service.
    let home = w.client.get("/").await;
    assert_eq!(
        home.attrs("#checklist > li", "data-state")[4],
        "todo",
        "{:?}",
        home.select("#checklist > li")
    );
    assert!(
        !load_balancers(&w)
            .await
            .contains(&"ecs-fargate-alb".to_string())
    );
    assert!(
        !target_groups(&w)
            .await
            .contains(&"ecs-fargate-tg".to_string())
    );
    let groups = group_names(&w).await;
    assert!(
        !groups.contains(&"ecs-alb-sg".to_string())
            && !groups.contains(&"ecs-fargate-service-sg".to_string()),
        "{groups:?}"
    );
}

// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_another_service_uses_is_kept() {
    let w = world().await;
    reference_002(&w).await;
    // A second service joins the run's target group (outside the wizard).
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let tg = elbv2
        .describe_target_groups()
        .names("ecs-fargate-tg")
        .send()
        .await
        .expect("TG");
    let tg_arn = tg.target_groups()[0]
        .target_group_arn()
        .expect("ARN")
        .to_string();
    let ec2 = aws_sdk_ec2::Client::new(&w.config);
    let default_group = ec2
        .describe_security_groups()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("group-name")
                .values("default")
                .build(),
        )
        .send()
        .await
        .expect("the default group");
    let default_group = default_group.security_groups()[0]
        .group_id()
        .expect("id")
        .to_string();
    let ecs = aws_sdk_ecs::Client::new(&w.config);
    ecs.create_service()
        .cluster(CLUSTER)
        .service_name("second")
        .task_definition("ecs-fargate-task:1")
        .desired_count(1)
        .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
        .load_balancers(
            aws_sdk_ecs::types::LoadBalancer::builder()
                .target_group_arn(&tg_arn)
                .container_name("web")
                .container_port(80)
                .build(),
        )
        .network_configuration(
            aws_sdk_ecs::types::NetworkConfiguration::builder()
                .awsvpc_configuration(
                    aws_sdk_ecs::types::AwsVpcConfiguration::builder()
                        .set_subnets(Some(w.subnets.clone()))
                        .security_groups(&default_group)
                        .build()
                        .expect("awsvpc"),
                )
                .build(),
        )
        .send()
        .await
        .expect("a second service");

    let confirm = w.client.get(&format!("{}/delete", service_url())).await;
    assert_eq!(confirm.status, 200, "{}", confirm.text);
    let kept = confirm.select("#kept li");
    assert_eq!(kept.len(), 4, "{kept:?}");
    assert!(
        kept.iter()
            .any(|k| k.contains(&tg_arn) && k.contains("another service"))
    );
    assert_eq!(
        confirm.select("#teardown-calls tbody td > code"),
        [
            "ecs:UpdateService",
            "ecs:DeleteService",
            "ec2:DeleteSecurityGroup",
        ]
    );
    let started = w
        .client
        .post(&format!("{}/delete", service_url()), &[])
        .await;
    assert_eq!(started.status, 303, "{}", started.text);
    let done = settled_teardown(&w.client, &started.location).await;
    assert_eq!(
        done.select("#change-run > p.msg.ok strong").len(),
        1,
        "{:?}",
        done.select("#change-run")
    );
    assert!(service(&w, SERVICE).await.is_none());
    assert!(service(&w, "second").await.is_some());
    assert!(
        target_groups(&w)
            .await
            .contains(&"ecs-fargate-tg".to_string())
    );
    assert!(
        load_balancers(&w)
            .await
            .contains(&"ecs-fargate-alb".to_string())
    );
    let groups = group_names(&w).await;
    assert!(groups.contains(&"ecs-alb-sg".to_string()));
    assert!(!groups.contains(&"ecs-fargate-service-sg".to_string()));
}

// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_made_elsewhere_is_deleted_alone_and_bad_names_are_not_looked_up() {
    let w = world().await;
    let ecs = aws_sdk_ecs::Client::new(&w.config);
    ecs.create_service()
        .cluster(CLUSTER)
        .service_name("handmade")
        .task_definition("ecs-fargate-task:1")
        .desired_count(1)
        .send()
        .await
        .expect("a service made outside the app");
    let url = format!("/clusters/{CLUSTER}/services/handmade");
    let confirm = w.client.get(&format!("{url}/delete")).await;
    assert_eq!(confirm.status, 200, "{}", confirm.text);
    assert!(confirm.text.contains("not created by ecs-wizard"));
    assert_eq!(
        confirm.select("#teardown-calls tbody td > code"),
        ["ecs:UpdateService", "ecs:DeleteService"]
    );
    let started = w.client.post(&format!("{url}/delete"), &[]).await;
    let done = settled_teardown(&w.client, &started.location).await;
    assert_eq!(
        done.select("#change-run > p.msg.ok strong").len(),
        1,
        "{:?}",
        done.select("#change-run")
    );
    assert!(service(&w, "handmade").await.is_none());

    let before = w.proxy.calls().len();
    for bad in [
        format!("/clusters/{CLUSTER}/services/bad%20name"),
        format!("/clusters/{CLUSTER}/services/x/tasks/..%2f/logs/web"),
        format!(
            "/clusters/{CLUSTER}/services/x/tasks/abc/logs/web/newer?group=/ecs/web&stream=ecs/other/abc&after=f/1"
        ),
        "/teardowns/unknown".to_string(),
    ] {
        assert_eq!(w.client.get(&bad).await.status, 404, "{bad}");
    }
    assert_eq!(w.proxy.calls().len(), before, "{:?}", w.proxy.calls());
}

/// Issue 23: "Use service auto scaling" on ALB requests per target. The
/// plan registers the scalable target and puts the policy after the
/// service, naming the load balancer's and target group's labels the run
/// made; the tear-down removes both before it scales the service to zero.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_scaling_is_made_after_the_service_and_removed_before_it() {
    let w = world().await;
    let mut fields = reference_002_fields();
    fields.extend([
        ("autoScaling.enabled", "on"),
        ("autoScaling.minTasks", "2"),
        ("autoScaling.maxTasks", "6"),
        ("autoScaling.metric", "requests"),
        ("autoScaling.target", "100"),
    ]);
    let review = fill_in(
        &w,
        &format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1"),
        &fields,
    )
    .await;
    let calls = review.select("#plan tbody td code");
    assert_eq!(
        calls[calls.len() - 2..],
        [
            "application-autoscaling:RegisterScalableTarget",
            "application-autoscaling:PutScalingPolicy"
        ]
    );
    assert!(review.select("#terraform")[0].contains("resource \"aws_appautoscaling_policy\""));
    let (_, run) = create(&w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{}", run.text);

    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let lb = elbv2
        .describe_load_balancers()
        .names("ecs-fargate-alb")
        .send()
        .await
        .expect("LB");
    let tg = elbv2
        .describe_target_groups()
        .names("ecs-fargate-tg")
        .send()
        .await
        .expect("TG");
    let suffix = |arn: &str, marker: &str| arn[arn.find(marker).expect(marker)..].to_string();
    let label = format!(
        "{}/{}",
        suffix(lb.load_balancers()[0].load_balancer_arn().unwrap(), "app/"),
        suffix(
            tg.target_groups()[0].target_group_arn().unwrap(),
            "targetgroup/"
        )
    );
    let scaling = aws_sdk_applicationautoscaling::Client::new(&w.config);
    let ecs = aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs;
    let targets = scaling
        .describe_scalable_targets()
        .service_namespace(ecs.clone())
        .send()
        .await
        .expect("targets");
    let target = &targets.scalable_targets()[0];
    let id = format!("service/{CLUSTER}/{SERVICE}");
    assert_eq!(
        (
            target.resource_id(),
            target.min_capacity(),
            target.max_capacity()
        ),
        (id.as_str(), 2, 6)
    );
    let policies = scaling
        .describe_scaling_policies()
        .service_namespace(ecs.clone())
        .send()
        .await
        .expect("policies");
    let tracking = policies.scaling_policies()[0]
        .target_tracking_scaling_policy_configuration()
        .expect("target tracking");
    assert_eq!(tracking.target_value(), 100.0);
    let metric = tracking
        .predefined_metric_specification()
        .expect("predefined");
    assert_eq!(metric.resource_label(), Some(label.as_str()));

    // The service page shows it; the desired-count action says it moves back.
    let page = w.client.get(&service_url()).await;
    let summary = page.select("#scaling-summary");
    assert!(
        summary[0].starts_with("Between 2 and 6 tasks"),
        "{summary:?}"
    );
    assert_eq!(
        page.attr("#service-scaling #target", "value").as_deref(),
        Some("100")
    );
    let desired = w
        .client
        .get(&format!("{}/update?action=desired&value=9", service_url()))
        .await;
    assert!(desired.select("#scaling-note")[0].contains("between 2 and 6 tasks"));
    // Changed from the page: the bounds, then the same policy.
    let change = format!(
        "{}/update?action=scaling&minTasks=2&maxTasks=8&metric=requests&target=150&scaleInCooldown=300&scaleOutCooldown=60",
        service_url()
    );
    let confirm = w.client.get(&change).await;
    assert_eq!(
        confirm.select("h2 code"),
        [
            "application-autoscaling:RegisterScalableTarget",
            "application-autoscaling:PutScalingPolicy"
        ]
    );
    let fields = confirm.form_fields("form.nav-buttons");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(n, _)| n != "csrf_token")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let sent = w
        .client
        .post(&format!("{}/update", service_url()), &fields)
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    let policies = scaling
        .describe_scaling_policies()
        .service_namespace(ecs.clone())
        .send()
        .await
        .expect("policies");
    assert_eq!(policies.scaling_policies().len(), 1, "changed, not added");
    let tracking = policies.scaling_policies()[0]
        .target_tracking_scaling_policy_configuration()
        .expect("target tracking");
    assert_eq!(tracking.target_value(), 150.0);
    assert_eq!(tracking.scale_out_cooldown(), Some(60));
    // A maximum under the minimum is refused on the confirmation, nothing sent.
    let refused = w
        .client
        .get(&change.replace("maxTasks=8", "maxTasks=1"))
        .await;
    assert!(!refused.select("#update-issues li").is_empty());
    assert!(
        refused
            .attr("form.nav-buttons button", "disabled")
            .is_some()
    );

    // Removed from the page: the policy, then the target.
    let stop = w
        .client
        .get(&format!("{}/update?action=stop-scaling", service_url()))
        .await;
    assert_eq!(
        stop.select("h2 code"),
        [
            "application-autoscaling:DeleteScalingPolicy",
            "application-autoscaling:DeregisterScalableTarget"
        ]
    );
    let stopped = w
        .client
        .post(
            &format!("{}/update", service_url()),
            &[("action", "stop-scaling"), ("value", "")],
        )
        .await;
    assert_eq!(stopped.status, 303, "{}", stopped.text);
    let page = w.client.get(&service_url()).await;
    assert!(page.select("#scaling-summary")[0].starts_with("Not scaled"));
    // Set up again from the page (a first policy, named as the wizard names it).
    let again = w
        .client
        .post(
            &format!("{}/update", service_url()),
            &[("action", "scaling"), ("value", "1,3,cpu,60,300,300")],
        )
        .await;
    assert_eq!(again.status, 303, "{}", again.text);

    // Tear-down: the policy, then the target (gone already: done), then the service.
    let confirm = w.client.get(&format!("{}/delete", service_url())).await;
    let listed = confirm.select("#teardown-calls tbody td > code");
    assert_eq!(
        listed[..3],
        [
            "application-autoscaling:DeleteScalingPolicy",
            "application-autoscaling:DeregisterScalableTarget",
            "ecs:UpdateService"
        ],
        "{listed:?}"
    );
    let started = w
        .client
        .post(&format!("{}/delete", service_url()), &[])
        .await;
    let done = settled_teardown(&w.client, &started.location).await;
    assert!(
        done.select("#change-run > p.msg.ok").len() == 1,
        "{}",
        done.text
    );
    let left = scaling
        .describe_scalable_targets()
        .service_namespace(ecs)
        .send()
        .await
        .expect("targets");
    assert!(left.scalable_targets().is_empty());
}
