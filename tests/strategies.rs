//! Issue 24 over real HTTP against moto: ECS's own canary deployment chosen
//! in the service wizard makes the alternate target group, the production
//! and test listener rules and the infrastructure role, and CreateService
//! names them; every request is held to botocore's model on the way.

use crate::common;

use common::services::*;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_canary_service_gets_its_second_group_rules_and_role() {
    let w = world().await;
    let iam = aws_sdk_iam::Client::new(&w.config);
    // One role ECS may assume (offered), one only its tasks may (not).
    for (name, service) in [
        ("sharedInfra", "ecs.amazonaws.com"),
        ("taskOnly", "ecs-tasks.amazonaws.com"),
    ] {
        let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]});
        iam.create_role()
            .role_name(name)
            .assume_role_policy_document(trust.to_string())
            .send()
            .await
            .expect("role");
    }
    let query = format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1");
    let form = w.client.get(&format!("/services/new?{query}")).await;
    for label in [
        "Deployment strategy",
        "Bake time (minutes)",
        "Canary traffic (%)",
        "Canary bake time (minutes)",
        "Traffic per step (%)",
        "Infrastructure role",
        "Test listener port (optional)",
    ] {
        assert!(
            form.select("label").iter().any(|l| l == label),
            "a label {label}"
        );
    }
    assert_eq!(
        form.select("select[name='deploymentStrategy'] option"),
        [
            "Rolling update",
            "Blue/green",
            "Linear",
            "Canary",
            "Blue/green with CodeDeploy (CODE_DEPLOY)"
        ]
    );
    assert_eq!(
        form.select("select[name='shift.role'] option"),
        ["Create a new role", "sharedInfra"]
    );

    let mut fields = reference_002_fields();
    fields.extend([
        ("deploymentStrategy", "CANARY"),
        ("deploymentConfiguration.bakeTimeInMinutes", "3"),
        ("canaryConfiguration.canaryPercent", "12.5"),
        ("canaryConfiguration.canaryBakeTimeInMinutes", "15"),
        ("shift.testPort", "8080"),
    ]);
    let review = fill_in(&w, &query, &fields).await;
    let calls = review.select("#plan tbody td code");
    for expected in [
        "iam:CreateRole",
        "iam:AttachRolePolicy",
        "elbv2:CreateRule",
        "ecs:CreateService",
    ] {
        assert!(
            calls.iter().any(|c| c == expected),
            "{expected} in {calls:?}"
        );
    }
    let count = |op: &str| calls.iter().filter(|c| *c == op).count();
    assert_eq!(count("elbv2:CreateTargetGroup"), 2, "{calls:?}");
    assert_eq!(count("elbv2:CreateListener"), 2, "{calls:?}");
    assert_eq!(count("elbv2:CreateRule"), 2, "{calls:?}");
    assert!(review.select("#preflight .msg.error").is_empty());
    let shown: Vec<Value> = review
        .select("pre.request")
        .iter()
        .map(|j| serde_json::from_str(j).expect("JSON"))
        .collect();
    let shown_service = shown.last().expect("CreateService last");
    assert_eq!(
        shown_service["deploymentConfiguration"]["canaryConfiguration"],
        json!({"canaryPercent": 12.5, "canaryBakeTimeInMinutes": 15})
    );

    let (_, run) = create(&w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{:?}", states(&run));

    // What was sent is what the review showed, its references filled in
    // with what this run made.
    let sent: Value = serde_json::from_str(&w.proxy.bodies("CreateService")[0]).expect("JSON");
    assert_eq!(
        sent["deploymentConfiguration"],
        shown_service["deploymentConfiguration"]
    );
    let advanced = &sent["loadBalancers"][0]["advancedConfiguration"];
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let groups = elbv2
        .describe_target_groups()
        .names("ecs-fargate-tg-alt")
        .send()
        .await
        .expect("the alternate target group");
    assert_eq!(
        advanced["alternateTargetGroupArn"].as_str(),
        groups.target_groups()[0].target_group_arn()
    );
    let role = iam
        .get_role()
        .role_name("ecsInfrastructureRoleForLoadBalancers")
        .send()
        .await
        .expect("the infrastructure role");
    let role = role.role().expect("role");
    assert_eq!(advanced["roleArn"].as_str(), Some(role.arn()));
    // IAM answers it URL-encoded; the service's name has nothing to encode.
    let trust = role.assume_role_policy_document().unwrap_or_default();
    assert!(trust.contains("ecs.amazonaws.com"), "{trust}");
    let attached = iam
        .list_attached_role_policies()
        .role_name("ecsInfrastructureRoleForLoadBalancers")
        .send()
        .await
        .expect("policies");
    assert_eq!(
        attached.attached_policies()[0].policy_name(),
        Some("AmazonECSInfrastructureRolePolicyForLoadBalancers")
    );
    // The production rule is on the port-80 listener, the test rule on
    // 8080's; both forward to the first target group until ECS moves them.
    let lb = elbv2
        .describe_load_balancers()
        .names("ecs-fargate-alb")
        .send()
        .await
        .expect("ALB");
    let listeners = elbv2
        .describe_listeners()
        .load_balancer_arn(lb.load_balancers()[0].load_balancer_arn().expect("arn"))
        .send()
        .await
        .expect("listeners");
    for (port, field) in [(80, "productionListenerRule"), (8080, "testListenerRule")] {
        let listener = listeners
            .listeners()
            .iter()
            .find(|l| l.port() == Some(port))
            .unwrap_or_else(|| panic!("a listener on {port}"));
        let rules = elbv2
            .describe_rules()
            .listener_arn(listener.listener_arn().expect("arn"))
            .send()
            .await
            .expect("rules");
        let rule = rules
            .rules()
            .iter()
            .find(|r| r.priority() == Some("1"))
            .expect("the rule of priority 1");
        assert_eq!(advanced[field].as_str(), rule.rule_arn(), "{field}");
    }

    // A second canary service: the form now chooses the role the account
    // has; asking to create it again is caught before anything is sent
    // (IAM would refuse it with EntityAlreadyExists mid-plan).
    let again = w.client.get(&format!("/services/new?{query}")).await;
    assert_eq!(
        again.attr("select[name='shift.role'] option[selected]", "value"),
        Some(role.arn().to_string())
    );
    let mut second = fields.clone();
    for (name, value) in [
        ("serviceName", "second-canary"),
        ("loadBalancer.loadBalancerName", "second-alb"),
        ("loadBalancer.securityGroupName", "second-alb-sg"),
        ("loadBalancer.targetGroup.name", "second-tg"),
        ("loadBalancer.serviceSecurityGroupName", "second-sg"),
        ("shift.role", "create"),
    ] {
        second.retain(|(n, _)| *n != name);
        second.push((name, value));
    }
    let review = fill_in(&w, &query, &second).await;
    let errors = review.select("#preflight .msg.error");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("already has a role named ecsInfrastructureRoleForLoadBalancers")),
        "{errors:?}"
    );
    assert!(
        !review.select("#create-blocked").is_empty(),
        "Create is blocked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_canary_rolls_back_on_its_5xx_alarm_and_pauses_for_a_person() {
    let w = world().await;
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&w.config);
    cloudwatch
        .put_metric_alarm()
        .alarm_name("cpu-high")
        .namespace("AWS/ECS")
        .metric_name("CPUUtilization")
        .statistic(aws_sdk_cloudwatch::types::Statistic::Average)
        .period(60)
        .evaluation_periods(1)
        .threshold(90.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .expect("an alarm of the account's");
    let query = format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1");
    let form = w.client.get(&format!("/services/new?{query}")).await;
    let labels = form.select("label");
    for label in [
        "Failed tasks tolerated, counted as",
        "Create an alarm on the service's 5xx errors",
        "cpu-high",
        "Roll back when an alarm goes off",
        "Type",
        "POST_TEST_TRAFFIC_SHIFT",
        "Time out after (minutes)",
    ] {
        assert!(
            labels.iter().any(|l| l == label),
            "a label {label}: {labels:?}"
        );
    }

    let mut fields = reference_002_fields();
    fields.extend([
        ("deploymentStrategy", "CANARY"),
        ("circuitBreaker.thresholdType", "COUNT"),
        ("circuitBreaker.thresholdValue", "3"),
        ("alarms.create", "on"),
        ("alarmName.cpu-high", "on"),
        ("alarms.rollback", "on"),
        ("hook.0.type", "PAUSE"),
        ("hook.0.stage.POST_SCALE_UP", "on"),
        ("hook.0.timeout", "60"),
        ("hook.0.timeoutAction", "ROLLBACK"),
    ]);
    let review = fill_in(&w, &query, &fields).await;
    let calls = review.select("#plan tbody td code");
    assert!(
        calls.iter().any(|c| c == "cloudwatch:PutMetricAlarm"),
        "{calls:?}"
    );
    assert!(review.select("#preflight .msg.error").is_empty());
    let shown: Vec<Value> = review
        .select("pre.request")
        .iter()
        .map(|j| serde_json::from_str(j).expect("JSON"))
        .collect();
    let shown_service = shown.last().expect("CreateService last");
    let deployment = &shown_service["deploymentConfiguration"];
    assert_eq!(
        deployment["alarms"],
        json!({"alarmNames": ["cpu-high", "ecs-fargate-service-target-5xx"],
               "rollback": true, "enable": true})
    );
    assert_eq!(
        deployment["deploymentCircuitBreaker"]["thresholdConfiguration"],
        json!({"type": "COUNT", "value": 3})
    );
    assert_eq!(
        deployment["lifecycleHooks"],
        json!([{"targetType": "PAUSE", "lifecycleStages": ["POST_SCALE_UP"],
                "timeoutConfiguration": {"timeoutInMinutes": 60, "action": "ROLLBACK"}}])
    );

    let (_, run) = create(&w, &review).await;
    assert!(states(&run).iter().all(|s| s == "ok"), "{:?}", states(&run));
    let sent: Value = serde_json::from_str(&w.proxy.bodies("CreateService")[0]).expect("JSON");
    assert_eq!(sent["deploymentConfiguration"], *deployment);
    // The alarm counts both target groups' 5xx answers.
    let alarms = cloudwatch
        .describe_alarms()
        .alarm_names("ecs-fargate-service-target-5xx")
        .send()
        .await
        .expect("alarms");
    let alarm = &alarms.metric_alarms()[0];
    let queries = alarm.metrics();
    assert_eq!(queries.len(), 3, "{queries:?}");
    let dimensions: Vec<&str> = queries
        .iter()
        .filter_map(|q| q.metric_stat()?.metric()?.dimensions().first()?.value())
        .collect();
    assert!(
        dimensions[0].starts_with("targetgroup/ecs-fargate-tg/"),
        "{dimensions:?}"
    );
    assert!(
        dimensions[1].starts_with("targetgroup/ecs-fargate-tg-alt/"),
        "{dimensions:?}"
    );
    assert_eq!(
        queries[2].expression(),
        Some("FILL(first, 0) + FILL(alternate, 0)")
    );
}
