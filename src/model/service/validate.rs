//! What AWS (or CodeDeploy) would refuse in a CreateService request, and
//! what is probably not what was meant. Paths are the request's JSON paths
//! (`loadBalancers.0.containerPort`), so each message lands beside its field.

use super::{ADVANCED_FIELDS, FARGATE_PROVIDERS, Service};
use crate::model::task_definition::TaskDefinition;
use crate::model::validate::{Issue, check_name, check_range, check_tags, is_output_reference};

/// ECS quota: tasks per service.
const MAX_DESIRED: i64 = 5000;
/// A capacity provider strategy holds at most 6 providers.
const MAX_PROVIDERS: usize = 6;
const MAX_WEIGHT: i64 = 1000;
const MAX_BASE: i64 = 100_000;
const MAX_SUBNETS: usize = 16;
const MAX_SECURITY_GROUPS: usize = 5;
/// Target groups per service.
const MAX_LOAD_BALANCERS: usize = 5;

pub fn validate(service: &Service) -> Vec<Issue> {
    let mut issues = Vec::new();
    if service.cluster.trim().is_empty() {
        issues.push(Issue::error("cluster", "v.required"));
    }
    check_name(&mut issues, "serviceName", &service.service_name);
    if !is_task_definition_ref(&service.task_definition) {
        issues.push(Issue::error("taskDefinition", "v.service_task_definition"));
    }
    check_range(
        &mut issues,
        "desiredCount",
        service.desired_count,
        0,
        MAX_DESIRED,
    );
    compute(&mut issues, service);
    if let Some(version) = &service.platform_version
        && !is_platform_version(version)
    {
        issues.push(Issue::error(
            "platformVersion",
            "v.service_platform_version",
        ));
    }
    grace_period(&mut issues, service);
    deployment(&mut issues, service);
    network(&mut issues, service);
    load_balancers(&mut issues, service);
    check_tags(&mut issues, &service.tags, 50);
    if let Some(propagate) = &service.propagate_tags
        && !["SERVICE", "TASK_DEFINITION", "NONE"].contains(&propagate.as_str())
    {
        issues.push(Issue::error("propagateTags", "v.service_propagate_tags"));
    }
    for key in service.advanced.keys() {
        if !ADVANCED_FIELDS.contains(&key.as_str()) {
            issues.push(
                Issue::error("advanced", "v.unknown_field")
                    .with("field", key)
                    .with("at", "CreateService"),
            );
        }
    }
    issues
}

/// What the service asks of its task definition: Fargate, awsvpc, and the
/// load-balanced container and port.
pub fn check_against_task_definition(service: &Service, td: &TaskDefinition) -> Vec<Issue> {
    let mut issues = Vec::new();
    if !td.is_fargate() {
        issues.push(Issue::error("taskDefinition", "v.service_td_not_fargate"));
    }
    if td.network_mode.as_deref() != Some("awsvpc") {
        issues.push(Issue::error("taskDefinition", "v.service_td_awsvpc"));
    }
    for (n, lb) in service.load_balancers.iter().enumerate() {
        let Some(container) = td
            .container_definitions
            .iter()
            .find(|c| c.name == lb.container_name)
        else {
            issues.push(
                Issue::error(
                    format!("loadBalancers.{n}.containerName"),
                    "v.service_lb_container",
                )
                .with("name", &lb.container_name),
            );
            continue;
        };
        let ports: Vec<i64> = container
            .port_mappings
            .iter()
            .filter_map(|p| p.container_port)
            .collect();
        if !ports.contains(&lb.container_port) {
            let listed: Vec<String> = ports.iter().map(i64::to_string).collect();
            issues.push(
                Issue::error(
                    format!("loadBalancers.{n}.containerPort"),
                    "v.service_lb_port",
                )
                .with("name", &lb.container_name)
                .with("port", lb.container_port)
                .with("ports", listed.join(", ")),
            );
        }
    }
    issues
}

fn compute(issues: &mut Vec<Issue>, service: &Service) {
    let strategy = &service.capacity_provider_strategy;
    match (&service.launch_type, strategy.is_empty()) {
        (Some(_), false) => issues.push(Issue::error("launchType", "v.service_compute_both")),
        (Some(launch_type), true) if launch_type != "FARGATE" => {
            issues.push(Issue::error("launchType", "v.service_fargate_only"));
        }
        (None, true) => issues.push(Issue::error("launchType", "v.service_compute_none")),
        _ => {}
    }
    if strategy.len() > MAX_PROVIDERS {
        issues.push(
            Issue::error("capacityProviderStrategy", "v.too_many")
                .with("path", "capacityProviderStrategy")
                .with("count", strategy.len())
                .with("max", MAX_PROVIDERS),
        );
        return;
    }
    for (n, item) in strategy.iter().enumerate() {
        let at = format!("capacityProviderStrategy.{n}");
        if !FARGATE_PROVIDERS.contains(&item.capacity_provider.as_str()) {
            issues.push(Issue::error(
                format!("{at}.capacityProvider"),
                "v.service_provider",
            ));
        }
        if strategy[..n]
            .iter()
            .any(|other| other.capacity_provider == item.capacity_provider)
        {
            issues.push(
                Issue::error(format!("{at}.capacityProvider"), "v.service_provider_twice")
                    .with("name", &item.capacity_provider),
            );
        }
        check_range(issues, &format!("{at}.weight"), item.weight, 0, MAX_WEIGHT);
        check_range(issues, &format!("{at}.base"), item.base, 0, MAX_BASE);
    }
    if strategy.iter().filter(|i| i.base > 0).count() > 1 {
        issues.push(Issue::error(
            "capacityProviderStrategy",
            "v.service_one_base",
        ));
    }
    if !strategy.is_empty() && strategy.iter().all(|i| i.weight <= 0) {
        issues.push(Issue::error(
            "capacityProviderStrategy",
            "v.service_weight_needed",
        ));
    }
}

fn grace_period(issues: &mut Vec<Issue>, service: &Service) {
    let grace = service.health_check_grace_period_seconds;
    if let Some(seconds) = grace {
        check_range(
            issues,
            "healthCheckGracePeriodSeconds",
            seconds,
            0,
            i64::from(i32::MAX),
        );
    }
    // Reference 004: without a grace period a slow-starting task fails the
    // load balancer's health check and is replaced, again and again.
    if !service.load_balancers.is_empty() && grace.unwrap_or(0) == 0 {
        issues.push(Issue::warning(
            "healthCheckGracePeriodSeconds",
            "v.service_grace_zero",
        ));
    }
}

fn deployment(issues: &mut Vec<Issue>, service: &Service) {
    let config = &service.deployment_configuration;
    let at = "deploymentConfiguration";
    check_range(
        issues,
        &format!("{at}.minimumHealthyPercent"),
        config.minimum_healthy_percent,
        0,
        100,
    );
    if !service.is_code_deploy() {
        if config.maximum_percent < 100 {
            issues.push(Issue::warning(
                format!("{at}.maximumPercent"),
                "v.service_max_below_100",
            ));
        } else if config.maximum_percent <= config.minimum_healthy_percent {
            issues.push(Issue::warning(
                format!("{at}.maximumPercent"),
                "v.service_no_room",
            ));
        }
    }
    if let Some(breaker) = config.deployment_circuit_breaker {
        if service.is_code_deploy() && (breaker.enable || breaker.rollback) {
            issues.push(Issue::error(
                format!("{at}.deploymentCircuitBreaker"),
                "v.service_breaker_code_deploy",
            ));
        } else if breaker.rollback && !breaker.enable {
            issues.push(Issue::warning(
                format!("{at}.deploymentCircuitBreaker"),
                "v.service_rollback_needs_breaker",
            ));
        }
    }
    strategy(issues, service);
    super::rollback::check(issues, service);
    match service.deployment_controller.kind.as_str() {
        "ECS" => {}
        // Blue/green swaps between two target groups named in CodeDeploy's
        // deployment group; the service itself names exactly one.
        "CODE_DEPLOY" => {
            if service.load_balancers.len() != 1 {
                issues.push(Issue::error("loadBalancers", "v.service_code_deploy_lb"));
            }
        }
        _ => issues.push(Issue::error(
            "deploymentController.type",
            "v.service_controller",
        )),
    }
}

/// ECS's own strategies: the API's names and AWS's documented ranges
/// (bake times 0–1440 minutes; a linear step 3–100 %, a canary 0.1–100 %,
/// each a multiple of 0.1), run by ECS only (not CodeDeploy).
fn strategy(issues: &mut Vec<Issue>, service: &Service) {
    let config = &service.deployment_configuration;
    let at = "deploymentConfiguration";
    let strategy = config.strategy.as_deref().unwrap_or("ROLLING");
    if !super::STRATEGIES.contains(&strategy) {
        issues.push(Issue::error(format!("{at}.strategy"), "v.service_strategy"));
        return;
    }
    if strategy != "ROLLING" && service.is_code_deploy() {
        issues.push(Issue::error(
            format!("{at}.strategy"),
            "v.service_strategy_code_deploy",
        ));
    }
    let minutes = |issues: &mut Vec<Issue>, field: &str, value: i64| {
        check_range(issues, &format!("{at}.{field}"), value, 0, 1440);
    };
    match config.bake_time_in_minutes {
        Some(bake) => minutes(issues, "bakeTimeInMinutes", bake),
        // ECS refuses blue/green without one.
        None if strategy == "BLUE_GREEN" => issues.push(Issue::error(
            format!("{at}.bakeTimeInMinutes"),
            "v.service_bake_required",
        )),
        None => {}
    }
    let percent = |issues: &mut Vec<Issue>, field: &str, value: f64, min: f64| {
        let tenths = value * 10.0;
        if !(min..=100.0).contains(&value) || (tenths - tenths.round()).abs() > 1e-6 {
            issues.push(
                Issue::error(format!("{at}.{field}"), "v.service_strategy_percent")
                    .with("min", min)
                    .with("max", 100),
            );
        }
    };
    match (&config.linear_configuration, strategy) {
        (Some(linear), "LINEAR") => {
            percent(
                issues,
                "linearConfiguration.stepPercent",
                linear.step_percent,
                3.0,
            );
            minutes(
                issues,
                "linearConfiguration.stepBakeTimeInMinutes",
                linear.step_bake_time_in_minutes,
            );
        }
        (Some(_), _) => issues.push(Issue::error(
            format!("{at}.linearConfiguration"),
            "v.service_strategy_config",
        )),
        (None, _) => {}
    }
    match (&config.canary_configuration, strategy) {
        (Some(canary), "CANARY") => {
            percent(
                issues,
                "canaryConfiguration.canaryPercent",
                canary.canary_percent,
                0.1,
            );
            minutes(
                issues,
                "canaryConfiguration.canaryBakeTimeInMinutes",
                canary.canary_bake_time_in_minutes,
            );
        }
        (Some(_), _) => issues.push(Issue::error(
            format!("{at}.canaryConfiguration"),
            "v.service_strategy_config",
        )),
        (None, _) => {}
    }
}

fn network(issues: &mut Vec<Issue>, service: &Service) {
    let vpc = &service.network_configuration.awsvpc_configuration;
    let at = "networkConfiguration.awsvpcConfiguration";
    if vpc.subnets.is_empty() {
        issues.push(Issue::error(
            format!("{at}.subnets"),
            "v.service_subnets_needed",
        ));
    }
    let too_many = |count: usize, max: usize, field: &str| {
        Issue::error(format!("{at}.{field}"), "v.too_many")
            .with("path", field)
            .with("count", count)
            .with("max", max)
    };
    if vpc.subnets.len() > MAX_SUBNETS {
        issues.push(too_many(vpc.subnets.len(), MAX_SUBNETS, "subnets"));
    } else {
        for (n, subnet) in vpc.subnets.iter().enumerate() {
            if !is_resource_id(subnet, "subnet-") && !is_output_reference(subnet) {
                issues.push(
                    Issue::error(format!("{at}.subnets.{n}"), "v.service_subnet_id")
                        .with("id", subnet),
                );
            }
        }
    }
    if vpc.security_groups.len() > MAX_SECURITY_GROUPS {
        issues.push(too_many(
            vpc.security_groups.len(),
            MAX_SECURITY_GROUPS,
            "securityGroups",
        ));
    } else {
        for (n, group) in vpc.security_groups.iter().enumerate() {
            if !is_resource_id(group, "sg-") && !is_output_reference(group) {
                issues.push(
                    Issue::error(
                        format!("{at}.securityGroups.{n}"),
                        "v.service_security_group_id",
                    )
                    .with("id", group),
                );
            }
        }
    }
    if !["ENABLED", "DISABLED"].contains(&vpc.assign_public_ip.as_str()) {
        issues.push(Issue::error(
            format!("{at}.assignPublicIp"),
            "v.service_public_ip",
        ));
    }
}

fn load_balancers(issues: &mut Vec<Issue>, service: &Service) {
    if service.load_balancers.len() > MAX_LOAD_BALANCERS {
        issues.push(
            Issue::error("loadBalancers", "v.too_many")
                .with("path", "loadBalancers")
                .with("count", service.load_balancers.len())
                .with("max", MAX_LOAD_BALANCERS),
        );
        return;
    }
    for (n, lb) in service.load_balancers.iter().enumerate() {
        let at = format!("loadBalancers.{n}");
        if !is_target_group_arn(&lb.target_group_arn) && !is_output_reference(&lb.target_group_arn)
        {
            issues.push(Issue::error(
                format!("{at}.targetGroupArn"),
                "v.service_target_group_arn",
            ));
        }
        if lb.container_name.trim().is_empty() {
            issues.push(Issue::error(format!("{at}.containerName"), "v.required"));
        }
        check_range(
            issues,
            &format!("{at}.containerPort"),
            lb.container_port,
            1,
            65535,
        );
    }
}

/// `family:revision` (revision a positive number) or a task definition ARN.
fn is_task_definition_ref(text: &str) -> bool {
    let name_and_revision = |text: &str| {
        text.rsplit_once(':').is_some_and(|(family, revision)| {
            let mut issues = Vec::new();
            check_name(&mut issues, "", family);
            issues.is_empty() && revision.parse::<u32>().is_ok_and(|r| r > 0)
        })
    };
    match text.split_once(":task-definition/") {
        Some((prefix, rest)) => {
            prefix.starts_with("arn:aws") && prefix.contains(":ecs:") && name_and_revision(rest)
        }
        None => name_and_revision(text),
    }
}

/// `LATEST` or a pinned version such as `1.4.0`.
fn is_platform_version(text: &str) -> bool {
    text == "LATEST"
        || (text.split('.').count() == 3
            && text
                .split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())))
}

/// `subnet-` or `sg-` followed by 8 or 17 lowercase hex digits.
fn is_resource_id(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix).is_some_and(|hex| {
        matches!(hex.len(), 8 | 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn is_target_group_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "elasticloadbalancing", region, account, resource]
        if partition.starts_with("aws")
            && !region.is_empty()
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && resource.starts_with("targetgroup/"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::tests::reference_003;
    use super::super::{CapacityProviderStrategyItem, CircuitBreaker, LoadBalancer};
    use super::*;

    fn keys(issues: &[Issue]) -> Vec<(&str, &str)> {
        issues.iter().map(|i| (i.path.as_str(), i.key)).collect()
    }

    fn errors(service: &Service) -> Vec<(String, &'static str)> {
        validate(service)
            .into_iter()
            .filter(Issue::is_error)
            .map(|i| (i.path, i.key))
            .collect()
    }

    #[test]
    fn reference_003_passes_and_its_grace_period_0_is_warned_about() {
        let issues = validate(&reference_003());
        assert_eq!(
            keys(&issues),
            [("healthCheckGracePeriodSeconds", "v.service_grace_zero")]
        );
        assert!(!issues[0].is_error());
    }

    #[test]
    fn names_and_the_task_definition_are_checked() {
        let mut service = reference_003();
        service.cluster = " ".into();
        service.service_name = "ecs fargate service".into();
        service.task_definition = "ContainerHandsOn".into();
        assert_eq!(
            errors(&service),
            [
                ("cluster".to_string(), "v.required"),
                ("serviceName".to_string(), "v.name_chars"),
                ("taskDefinition".to_string(), "v.service_task_definition"),
            ]
        );
        for ok in [
            "ContainerHandsOn:12",
            "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/ContainerHandsOn:3",
        ] {
            service.task_definition = ok.into();
            assert!(is_task_definition_ref(ok), "{ok}");
        }
        for bad in [
            "web:0",
            "web:",
            ":1",
            "web:latest",
            "arn:aws:iam::1:task-definition/web:1",
        ] {
            assert!(!is_task_definition_ref(bad), "{bad}");
        }
    }

    #[test]
    fn desired_count_is_within_the_tasks_per_service_quota() {
        let mut service = reference_003();
        for (count, ok) in [(0, true), (5000, true), (-1, false), (5001, false)] {
            service.desired_count = count;
            assert_eq!(errors(&service).is_empty(), ok, "{count}");
        }
    }

    #[test]
    fn launch_type_or_a_fargate_capacity_provider_strategy() {
        let mut service = reference_003();
        service.capacity_provider_strategy = vec![CapacityProviderStrategyItem {
            capacity_provider: "FARGATE".into(),
            weight: 1,
            base: 1,
        }];
        assert_eq!(
            errors(&service),
            [("launchType".to_string(), "v.service_compute_both")]
        );
        service.launch_type = None;
        assert!(errors(&service).is_empty());
        service.capacity_provider_strategy = Vec::new();
        assert_eq!(
            errors(&service),
            [("launchType".to_string(), "v.service_compute_none")]
        );
        service.launch_type = Some("EC2".into());
        assert_eq!(
            errors(&service),
            [("launchType".to_string(), "v.service_fargate_only")]
        );
    }

    #[test]
    fn a_strategy_has_fargate_providers_once_one_base_and_some_weight() {
        let mut service = reference_003();
        service.launch_type = None;
        let item = |name: &str, weight, base| CapacityProviderStrategyItem {
            capacity_provider: name.into(),
            weight,
            base,
        };
        service.capacity_provider_strategy = vec![
            item("FARGATE", 0, 2),
            item("FARGATE_SPOT", 0, 1),
            item("FARGATE_SPOT", 1001, -1),
            item("my-asg", 0, 0),
        ];
        assert_eq!(
            errors(&service),
            [
                (
                    "capacityProviderStrategy.2.capacityProvider".to_string(),
                    "v.service_provider_twice"
                ),
                ("capacityProviderStrategy.2.weight".to_string(), "v.range"),
                ("capacityProviderStrategy.2.base".to_string(), "v.range"),
                (
                    "capacityProviderStrategy.3.capacityProvider".to_string(),
                    "v.service_provider"
                ),
                ("capacityProviderStrategy".to_string(), "v.service_one_base"),
            ]
        );
        service.capacity_provider_strategy =
            vec![item("FARGATE", 0, 1), item("FARGATE_SPOT", 0, 0)];
        assert_eq!(
            errors(&service),
            [(
                "capacityProviderStrategy".to_string(),
                "v.service_weight_needed"
            )]
        );
        service.capacity_provider_strategy = vec![item("FARGATE", 1, 0); 7];
        assert_eq!(
            errors(&service),
            [("capacityProviderStrategy".to_string(), "v.too_many")]
        );
    }

    #[test]
    fn platform_version_is_latest_or_pinned() {
        for (version, ok) in [
            ("LATEST", true),
            ("1.4.0", true),
            ("1.3.0", true),
            ("latest", false),
            ("1.4", false),
            ("1..0", false),
        ] {
            assert_eq!(is_platform_version(version), ok, "{version}");
        }
    }

    #[test]
    fn ecs_strategies_are_held_to_aws_s_ranges() {
        use super::super::{CanaryConfiguration, LinearConfiguration};
        let mut service = Service {
            load_balancers: Vec::new(),
            ..reference_003()
        };
        service.deployment_controller.kind = "ECS".into();
        let config = &mut service.deployment_configuration;
        config.strategy = Some("LINEAR".into());
        config.bake_time_in_minutes = Some(15);
        config.linear_configuration = Some(LinearConfiguration::default());
        assert!(errors(&service).is_empty(), "{:?}", errors(&service));
        let request = service.request();
        assert_eq!(
            request["deploymentConfiguration"]["linearConfiguration"],
            serde_json::json!({"stepPercent": 10.0, "stepBakeTimeInMinutes": 6})
        );
        let config = &mut service.deployment_configuration;
        config.bake_time_in_minutes = Some(1441);
        config.linear_configuration = Some(LinearConfiguration {
            step_percent: 2.5,
            step_bake_time_in_minutes: 6,
        });
        assert_eq!(
            errors(&service),
            [
                (
                    "deploymentConfiguration.bakeTimeInMinutes".to_string(),
                    "v.range"
                ),
                (
                    "deploymentConfiguration.linearConfiguration.stepPercent".to_string(),
                    "v.service_strategy_percent"
                ),
            ]
        );
        let config = &mut service.deployment_configuration;
        config.bake_time_in_minutes = None;
        config.linear_configuration = None;
        config.strategy = Some("CANARY".into());
        config.canary_configuration = Some(CanaryConfiguration {
            canary_percent: 0.15,
            canary_bake_time_in_minutes: 10,
        });
        assert_eq!(
            errors(&service),
            [(
                "deploymentConfiguration.canaryConfiguration.canaryPercent".to_string(),
                "v.service_strategy_percent"
            )]
        );
        service.deployment_configuration.canary_configuration = Some(CanaryConfiguration {
            canary_percent: 0.1,
            ..CanaryConfiguration::default()
        });
        assert!(errors(&service).is_empty(), "{:?}", errors(&service));
        // A canary's settings under another strategy, an unknown strategy,
        // and CodeDeploy running an ECS strategy are refused.
        // ECS requires blue/green's bake time.
        service.deployment_configuration.strategy = Some("BLUE_GREEN".into());
        assert_eq!(
            errors(&service),
            [
                (
                    "deploymentConfiguration.bakeTimeInMinutes".to_string(),
                    "v.service_bake_required"
                ),
                (
                    "deploymentConfiguration.canaryConfiguration".to_string(),
                    "v.service_strategy_config"
                )
            ]
        );
        service.deployment_configuration.strategy = Some("RED_BLACK".into());
        assert_eq!(
            errors(&service),
            [(
                "deploymentConfiguration.strategy".to_string(),
                "v.service_strategy"
            )]
        );
        let mut code_deploy = reference_003();
        code_deploy.deployment_configuration.strategy = Some("BLUE_GREEN".into());
        assert!(
            errors(&code_deploy)
                .iter()
                .any(|(_, key)| *key == "v.service_strategy_code_deploy")
        );
    }

    #[test]
    fn rolling_update_percentages_and_the_circuit_breaker() {
        let mut service = Service {
            load_balancers: Vec::new(),
            ..reference_003()
        };
        service.deployment_controller.kind = "ECS".into();
        service.deployment_configuration.minimum_healthy_percent = 101;
        assert_eq!(
            errors(&service),
            [(
                "deploymentConfiguration.minimumHealthyPercent".to_string(),
                "v.range"
            )]
        );
        service.deployment_configuration.minimum_healthy_percent = 100;
        service.deployment_configuration.maximum_percent = 100;
        assert_eq!(
            keys(&validate(&service)),
            [(
                "deploymentConfiguration.maximumPercent",
                "v.service_no_room"
            )]
        );
        service.deployment_configuration.maximum_percent = 50;
        assert_eq!(
            keys(&validate(&service)),
            [(
                "deploymentConfiguration.maximumPercent",
                "v.service_max_below_100"
            )]
        );
        service.deployment_configuration.maximum_percent = 200;
        service.deployment_configuration.deployment_circuit_breaker = Some(CircuitBreaker {
            enable: false,
            rollback: true,
            ..CircuitBreaker::default()
        });
        assert_eq!(
            keys(&validate(&service)),
            [(
                "deploymentConfiguration.deploymentCircuitBreaker",
                "v.service_rollback_needs_breaker"
            )]
        );
    }

    #[test]
    fn code_deploy_refuses_the_circuit_breaker_and_needs_one_target_group() {
        let mut service = reference_003();
        service.deployment_configuration.deployment_circuit_breaker = Some(CircuitBreaker {
            enable: true,
            rollback: true,
            ..CircuitBreaker::default()
        });
        service
            .load_balancers
            .push(service.load_balancers[0].clone());
        assert_eq!(
            errors(&service),
            [
                (
                    "deploymentConfiguration.deploymentCircuitBreaker".to_string(),
                    "v.service_breaker_code_deploy"
                ),
                ("loadBalancers".to_string(), "v.service_code_deploy_lb"),
            ]
        );
        service.deployment_controller.kind = "EXTERNAL".into();
        assert!(errors(&service).contains(&(
            "deploymentController.type".to_string(),
            "v.service_controller"
        )));
    }

    #[test]
    fn subnets_security_groups_and_public_ip() {
        let mut service = reference_003();
        let vpc = &mut service.network_configuration.awsvpc_configuration;
        vpc.subnets = vec![
            "subnet-1234".into(),
            "${CreateSubnet.SubnetId}".into(),
            "subnet-0123abcd".into(),
        ];
        vpc.security_groups = vec![
            "sg-0123ABCD".into(),
            "${CreateSecurityGroup.GroupId}".into(),
        ];
        vpc.assign_public_ip = "yes".into();
        let at = "networkConfiguration.awsvpcConfiguration";
        assert_eq!(
            errors(&service),
            [
                (format!("{at}.subnets.0"), "v.service_subnet_id"),
                (
                    format!("{at}.securityGroups.0"),
                    "v.service_security_group_id"
                ),
                (format!("{at}.assignPublicIp"), "v.service_public_ip"),
            ]
        );
        let vpc = &mut service.network_configuration.awsvpc_configuration;
        vpc.subnets = Vec::new();
        vpc.security_groups = vec!["sg-0123abcd".into(); 6];
        vpc.assign_public_ip = "ENABLED".into();
        assert_eq!(
            errors(&service),
            [
                (format!("{at}.subnets"), "v.service_subnets_needed"),
                (format!("{at}.securityGroups"), "v.too_many"),
            ]
        );
    }

    #[test]
    fn load_balancers_name_a_target_group_a_container_and_a_port() {
        let mut service = reference_003();
        service.deployment_controller.kind = "ECS".into();
        service.health_check_grace_period_seconds = Some(60);
        service.load_balancers = vec![
            LoadBalancer {
                target_group_arn: "${CreateTargetGroup.TargetGroupArn}".into(),
                container_name: "web".into(),
                container_port: 80,
                advanced_configuration: None,
            },
            LoadBalancer {
                target_group_arn:
                    "arn:aws:elasticloadbalancing:ap-northeast-1:123:loadbalancer/app/x/1".into(),
                container_name: String::new(),
                container_port: 0,
                advanced_configuration: None,
            },
        ];
        assert_eq!(
            errors(&service),
            [
                (
                    "loadBalancers.1.targetGroupArn".to_string(),
                    "v.service_target_group_arn"
                ),
                ("loadBalancers.1.containerName".to_string(), "v.required"),
                ("loadBalancers.1.containerPort".to_string(), "v.range"),
            ]
        );
        assert!(
            validate(&service)
                .iter()
                .all(|i| i.key != "v.service_grace_zero")
        );
    }

    #[test]
    fn advanced_keys_must_be_createservice_fields() {
        let mut service = reference_003();
        service
            .advanced
            .insert("serviceRegistries".into(), json!([]));
        service.advanced.insert("desiredCont".into(), json!(2));
        let issues = validate(&service);
        let unknown: Vec<&Issue> = issues
            .iter()
            .filter(|i| i.key == "v.unknown_field")
            .collect();
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].args[0], ("field", "desiredCont".to_string()));
    }

    #[test]
    fn output_references_name_an_earlier_steps_output() {
        assert!(is_output_reference("${CreateTargetGroup.TargetGroupArn}"));
        for bad in [
            "${}",
            "$CreateTargetGroup",
            "${a b}",
            "${x}y",
            "${$(rm -rf /)}",
        ] {
            assert!(!is_output_reference(bad), "{bad}");
        }
    }

    #[test]
    fn the_service_checks_its_task_definition() {
        let td: TaskDefinition = serde_json::from_str(include_str!(
            "../../../tests/fixtures/reference_003_input.json"
        ))
        .unwrap();
        let service = reference_003();
        assert!(check_against_task_definition(&service, &td).is_empty());

        let mut wrong = service.clone();
        wrong.load_balancers[0].container_port = 8080;
        let issues = check_against_task_definition(&wrong, &td);
        assert_eq!(
            keys(&issues),
            [("loadBalancers.0.containerPort", "v.service_lb_port")]
        );
        assert!(issues[0].args.contains(&("ports", "80".to_string())));
        wrong.load_balancers[0].container_name = "api".into();
        assert_eq!(
            keys(&check_against_task_definition(&wrong, &td)),
            [("loadBalancers.0.containerName", "v.service_lb_container")]
        );

        let mut ec2 = td.clone();
        ec2.requires_compatibilities = vec!["EC2".into()];
        ec2.network_mode = Some("bridge".into());
        assert_eq!(
            keys(&check_against_task_definition(&service, &ec2)),
            [
                ("taskDefinition", "v.service_td_not_fargate"),
                ("taskDefinition", "v.service_td_awsvpc"),
            ]
        );
    }
}
