//! Issue 8: reference 002's plan (two security groups and their rules, a new
//! Application Load Balancer, target group, listener, the service) run
//! against moto through the journal, then read back with the SDK.

use crate::common;

use common::network::{cluster_and_task_definition, default_network};
use common::proxy::proxy;
use common::{moto, sdk_config};
use ecs_wizard::aws::Aws;
use ecs_wizard::deploy::runner::Retry;
use ecs_wizard::deploy::{plan_run, service_plan};
use ecs_wizard::model::load_balancing::{NewLoadBalancer, TargetGroup};
use ecs_wizard::model::service::Service;
use ecs_wizard::model::service::draft::{LoadBalancing, ServiceDraft};
use ecs_wizard::store::Store;
use ecs_wizard::store::runs::{RunStatus, StepStatus};
use serde_json::json;

#[tokio::test]
async fn reference_002_plan_creates_the_load_balancer_and_the_service() {
    let moto = moto();
    // The app's calls go through a proxy that keeps what was sent: moto does
    // not keep every field (the grace period, the deployment configuration).
    let wire = proxy(&moto.url).await;
    let config = sdk_config(&moto.url);
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let ecs = aws_sdk_ecs::Client::new(&config);
    let (vpc, subnets) = default_network(&ec2).await;
    cluster_and_task_definition(&ecs, "ecs-fargate-cluster", "ecs-fargate-task", "web").await;

    let mut draft = ServiceDraft {
        vpc_id: vpc.clone(),
        new_security_group: true,
        load_balancing: LoadBalancing::New,
        load_balancer: NewLoadBalancer {
            load_balancer_name: "ecs-fargate-alb".into(),
            security_group_name: "ecs-alb-sg".into(),
            target_group: TargetGroup {
                name: "ecs-fargate-tg".into(),
                health_check_path: "/health".into(),
                ..TargetGroup::default()
            },
            service_security_group_name: "ecs-fargate-service-sg".into(),
            ..NewLoadBalancer::default()
        },
        container: "web:80".into(),
        service: Service {
            cluster: "ecs-fargate-cluster".into(),
            service_name: "ecs-fargate-service".into(),
            task_definition: "ecs-fargate-task:1".into(),
            desired_count: 2,
            health_check_grace_period_seconds: Some(30),
            ..Service::default()
        },
        ..ServiceDraft::default()
    };
    let network = &mut draft.service.network_configuration.awsvpc_configuration;
    network.subnets = subnets.clone();
    network.assign_public_ip = "ENABLED".into();
    assert!(draft.issues().is_empty(), "{:?}", draft.issues());
    let plan = service_plan::plan(&draft);

    let store = Store::open_in_memory().expect("store");
    let aws = Aws::from_config(&sdk_config(&wire.url));
    let run_id = plan_run::start(
        &store,
        &aws,
        "services",
        "draft",
        &json!(draft),
        plan,
        Retry::STANDARD,
    )
    .await
    .expect("the run is recorded")
    .expect("a new draft starts a run");
    let run = common::plans::finished(&store, &run_id).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{}", run.outcome);
    let outputs = &run.outcome["outputs"];

    // The journal holds each call, answered.
    assert_eq!(run.steps.len(), 9);
    assert!(run.steps.iter().all(|s| s.status == StepStatus::Done));
    assert!(
        run.steps.iter().any(|s| s
            .call
            .starts_with("elbv2:CreateListener LoadBalancerArn=arn:aws:elasticloadbalancing:")
            && s.call.ends_with(" (CreateListener)")),
        "the listener's line names its load balancer as sent"
    );

    // Security groups: the ALB's open on 80 from anywhere, the tasks' from the ALB's only.
    let alb_group = outputs["AlbSecurityGroup.GroupId"]
        .as_str()
        .unwrap()
        .to_string();
    let groups = ec2
        .describe_security_groups()
        .group_ids(&alb_group)
        .group_ids(outputs["ServiceSecurityGroup.GroupId"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let by_name = |name: &str| {
        groups
            .security_groups()
            .iter()
            .find(|g| g.group_name() == Some(name))
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    let alb_sg = by_name("ecs-alb-sg");
    assert_eq!(alb_sg.vpc_id(), Some(vpc.as_str()));
    let http = &alb_sg.ip_permissions()[0];
    assert_eq!((http.from_port(), http.to_port()), (Some(80), Some(80)));
    assert_eq!(http.ip_ranges()[0].cidr_ip(), Some("0.0.0.0/0"));
    let task_sg = by_name("ecs-fargate-service-sg");
    let from_alb = &task_sg.ip_permissions()[0];
    assert_eq!(
        from_alb.user_id_group_pairs()[0].group_id(),
        Some(alb_group.as_str())
    );
    assert!(from_alb.ip_ranges().is_empty(), "not open to anywhere");

    // The ALB in two subnets, the target group, the listener forwarding to it.
    let balancers = elbv2
        .describe_load_balancers()
        .names("ecs-fargate-alb")
        .send()
        .await
        .unwrap();
    let alb = &balancers.load_balancers()[0];
    assert_eq!(alb.availability_zones().len(), 2);
    assert_eq!(alb.security_groups(), std::slice::from_ref(&alb_group));
    let attributes = elbv2
        .describe_load_balancer_attributes()
        .load_balancer_arn(alb.load_balancer_arn().unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        attributes.attributes().iter().any(|a| {
            a.key() == Some("routing.http.drop_invalid_header_fields.enabled")
                && a.value() == Some("true")
        }),
        "invalid header fields are dropped: {:?}",
        attributes.attributes()
    );
    let groups = elbv2
        .describe_target_groups()
        .names("ecs-fargate-tg")
        .send()
        .await
        .unwrap();
    let tg = &groups.target_groups()[0];
    assert_eq!(tg.health_check_path(), Some("/health"));
    assert_eq!(tg.target_type().map(|t| t.as_str()), Some("ip"));
    let listeners = elbv2
        .describe_listeners()
        .load_balancer_arn(alb.load_balancer_arn().unwrap())
        .send()
        .await
        .unwrap();
    let listener = &listeners.listeners()[0];
    assert_eq!(listener.port(), Some(80));
    assert_eq!(
        listener.default_actions()[0].target_group_arn(),
        tg.target_group_arn()
    );

    // The service, bound to that target group, in those subnets, with the tasks' group.
    let services = ecs
        .describe_services()
        .cluster("ecs-fargate-cluster")
        .services("ecs-fargate-service")
        .send()
        .await
        .unwrap();
    let created = &services.services()[0];
    assert_eq!(created.desired_count(), 2);
    assert_eq!(created.launch_type().map(|t| t.as_str()), Some("FARGATE"));
    let binding = &created.load_balancers()[0];
    assert_eq!(binding.target_group_arn(), tg.target_group_arn());
    assert_eq!(
        (binding.container_name(), binding.container_port()),
        (Some("web"), Some(80))
    );
    let network = created
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .expect("network configuration");
    assert_eq!(network.subnets(), subnets.as_slice());
    assert_eq!(
        network.security_groups(),
        [task_sg.group_id().unwrap().to_string()]
    );

    // What moto does not keep, read from the CreateService body as it was sent.
    let sent = wire.sent();
    let at = sent
        .find("AmazonEC2ContainerServiceV20141113.CreateService")
        .expect("CreateService was sent");
    let body_at = at + sent[at..].find("\r\n\r\n").expect("a body") + 4;
    let body: serde_json::Value = serde_json::Deserializer::from_str(&sent[body_at..])
        .into_iter()
        .next()
        .expect("a JSON body")
        .expect("JSON");
    assert_eq!(body["healthCheckGracePeriodSeconds"], 30);
    assert_eq!(
        body["deploymentConfiguration"],
        json!({"minimumHealthyPercent": 100, "maximumPercent": 200,
               "deploymentCircuitBreaker": {"enable": true, "rollback": true}})
    );
    assert_eq!(
        body["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"],
        json!([task_sg.group_id().unwrap()]),
        "the output reference was filled in before sending"
    );
}
