//! The "Create service" form: one page in the console's sections
//! (environment, deployment configuration and options, networking, load
//! balancing, advanced), read into a [`ServiceDraft`] and shown from one.

use crate::model::service::scaling::{AutoScaling, ScalingMetric};
use serde_json::{Map, Value};

use crate::model::domain::Domain;
use crate::model::load_balancing::NewLoadBalancer;
use crate::model::service::draft::{LoadBalancing, ServiceDraft};
use crate::model::service::prerequisites::Prerequisites;
use crate::model::service::traffic::{DEFAULT_ROLE_NAME, TrafficShift};
use crate::model::service::{
    CanaryConfiguration, CapacityProviderStrategyItem, DeploymentConfiguration,
    DeploymentController, FARGATE_PROVIDERS, LinearConfiguration, Service,
};
use crate::model::validate::Issue;
use crate::web::form::FormData;
use crate::web::form::decode_tags;

use super::rollback_fields;

/// The certificate choice that requests one for the domain.
pub const REQUEST: &str = "request";

/// Fargate platform versions offered besides LATEST (reference 004 pins one).
pub const PLATFORM_VERSIONS: [&str; 3] = ["LATEST", "1.4.0", "1.3.0"];

/// A new draft: the console's choices, with a load balancer as reference
/// 002 makes it and the tasks given a public IP, as the console does.
pub fn start(cluster: &str, task_definition: &str) -> ServiceDraft {
    let mut service = Service {
        cluster: cluster.to_string(),
        task_definition: task_definition.to_string(),
        health_check_grace_period_seconds: Some(60),
        ..Service::default()
    };
    service
        .network_configuration
        .awsvpc_configuration
        .assign_public_ip = "ENABLED".into();
    ServiceDraft {
        service,
        load_balancing: LoadBalancing::New,
        ..ServiceDraft::default()
    }
}

/// The strategy choice that keeps CodeDeploy as the deployment controller.
pub const CODE_DEPLOY: &str = "CODE_DEPLOY";
/// Blue/green's bake time when none is typed (ECS requires one).
pub const DEFAULT_BAKE_MINUTES: i64 = 5;

pub fn decode(form: &mut FormData, partition: &str) -> ServiceDraft {
    // ECS's four strategies and CodeDeploy in one choice; a form from
    // before the strategies named only the controller.
    let strategy = form
        .opt("deploymentStrategy")
        .or_else(|| {
            form.opt("deploymentController.type")
                .filter(|c| c == CODE_DEPLOY)
        })
        .unwrap_or_else(|| "ROLLING".into());
    let mut service = Service {
        cluster: form.text("cluster"),
        service_name: form.text("serviceName"),
        task_definition: task_definition(form),
        desired_count: form.int("desiredCount").unwrap_or(0),
        platform_version: Some(
            form.opt("platformVersion")
                .unwrap_or_else(|| "LATEST".into()),
        ),
        health_check_grace_period_seconds: form.int("healthCheckGracePeriodSeconds"),
        deployment_controller: DeploymentController {
            kind: if strategy == CODE_DEPLOY {
                CODE_DEPLOY.into()
            } else {
                "ECS".into()
            },
        },
        tags: decode_tags(form),
        propagate_tags: form.opt("propagateTags"),
        enable_execute_command: form.checked("enableExecuteCommand"),
        ..Service::default()
    };
    if form.text("compute") == "capacity_providers" {
        service.launch_type = None;
        for (n, provider) in FARGATE_PROVIDERS.iter().enumerate() {
            let at = format!("capacityProviderStrategy.{n}");
            let weight = form.int(&format!("{at}.weight")).unwrap_or(0);
            let base = form.int(&format!("{at}.base")).unwrap_or(0);
            if weight != 0 || base != 0 {
                service
                    .capacity_provider_strategy
                    .push(CapacityProviderStrategyItem {
                        capacity_provider: provider.to_string(),
                        weight,
                        base,
                    });
            }
        }
    }
    let deployment = &mut service.deployment_configuration;
    deployment.minimum_healthy_percent = form
        .int("deploymentConfiguration.minimumHealthyPercent")
        .unwrap_or(100);
    deployment.maximum_percent = form
        .int("deploymentConfiguration.maximumPercent")
        .unwrap_or(200);
    let error_alarm = rollback_fields::decode(form, deployment);
    strategy_settings(form, deployment, &strategy);
    let vpc = &mut service.network_configuration.awsvpc_configuration;
    vpc.subnets = form.names_under("subnet.");
    vpc.security_groups = form.names_under("group.");
    vpc.assign_public_ip = if form.checked("assignPublicIp") {
        "ENABLED".into()
    } else {
        "DISABLED".into()
    };
    match advanced(form.raw("advanced").unwrap_or_default()) {
        Ok(map) => service.advanced = map,
        Err(issue) => form.issues.push(issue),
    }
    let load_balancing = match form.text("loadBalancing").as_str() {
        "new" => LoadBalancing::New,
        "existing" => LoadBalancing::Existing,
        "existing_load_balancer" => LoadBalancing::ExistingLoadBalancer,
        "existing_listener" => LoadBalancing::ExistingListener,
        _ => LoadBalancing::None,
    };
    let mut draft = ServiceDraft {
        load_balancer: load_balancer(form, &service.service_name),
        service,
        vpc_id: form.text("vpcId"),
        new_security_group: form.text("securityGroupChoice") != "existing",
        load_balancing,
        target_group_arn: form.text("targetGroupArn"),
        load_balancer_arn: form.text("loadBalancerArn"),
        // Read from the account when the plan is made.
        load_balancer_groups: Vec::new(),
        listener_arn: form.text("listenerArn"),
        rule_priority: form.int("rulePriority").unwrap_or(10),
        rule_path: form.opt("rulePath").unwrap_or_else(|| "/*".into()),
        rule_hosts: form
            .text("ruleHosts")
            .split([',', ' ', '\n'])
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .collect(),
        container: form.text("container"),
        auto_scaling: auto_scaling(form),
        domain: Domain {
            name: form.text("domain.name"),
            hosted_zone_id: form.text("domain.hostedZoneId"),
        },
        request_certificate: form.text("loadBalancer.certificateArn") == REQUEST,
        // Read from the account when the plan is made.
        load_balancer_dns: String::new(),
        load_balancer_zone: String::new(),
        load_balancer_internal: false,
        shift: TrafficShift {
            role_arn: Some(form.text("shift.role"))
                .filter(|r| r != CREATE_ROLE)
                .unwrap_or_default(),
            role_name: form
                .opt("shift.roleName")
                .unwrap_or_else(|| DEFAULT_ROLE_NAME.into()),
            partition: partition.to_string(),
            test_port: form.int("shift.testPort").unwrap_or(0),
        },
        error_alarm,
        // The service form chooses what exists; only the quick start makes it.
        prerequisites: Prerequisites::default(),
        quick_start: None,
    };
    rollback_fields::decode_hooks(form, &mut draft);
    if !draft.makes_listener() {
        // The tasks' new group lets in a load balancer this run gives a listener.
        draft.new_security_group = false;
    }
    draft
}

/// The role choice that has the plan make the infrastructure role.
pub const CREATE_ROLE: &str = "create";

/// ECS's own strategy and its settings, AWS's defaults where empty; only
/// the chosen strategy's settings are kept (ECS refuses the others).
fn strategy_settings(
    form: &mut FormData,
    deployment: &mut DeploymentConfiguration,
    strategy: &str,
) {
    if !matches!(strategy, "BLUE_GREEN" | "LINEAR" | "CANARY") {
        return;
    }
    deployment.strategy = Some(strategy.to_string());
    deployment.bake_time_in_minutes = Some(
        form.int("deploymentConfiguration.bakeTimeInMinutes")
            .unwrap_or(DEFAULT_BAKE_MINUTES),
    );
    if strategy == "LINEAR" {
        let default = LinearConfiguration::default();
        deployment.linear_configuration = Some(LinearConfiguration {
            step_percent: form
                .number("linearConfiguration.stepPercent")
                .unwrap_or(default.step_percent),
            step_bake_time_in_minutes: form
                .int("linearConfiguration.stepBakeTimeInMinutes")
                .unwrap_or(default.step_bake_time_in_minutes),
        });
    }
    if strategy == "CANARY" {
        let default = CanaryConfiguration::default();
        deployment.canary_configuration = Some(CanaryConfiguration {
            canary_percent: form
                .number("canaryConfiguration.canaryPercent")
                .unwrap_or(default.canary_percent),
            canary_bake_time_in_minutes: form
                .int("canaryConfiguration.canaryBakeTimeInMinutes")
                .unwrap_or(default.canary_bake_time_in_minutes),
        });
    }
}

/// `taskRevision` is `family:7` of the chosen family; after the family was
/// changed without reading its revisions, the family alone (an error the
/// form shows, asking for a revision).
fn task_definition(form: &FormData) -> String {
    let family = form.text("taskFamily");
    let revision = form.text("taskRevision");
    match revision.rsplit_once(':') {
        Some((of, _)) if of == family => revision,
        _ => family,
    }
}

/// Names left empty follow the service's name (`web` → `web-alb`,
/// `web-tg`, `web-alb-sg`, `web-sg`); the review shows them.
fn load_balancer(form: &mut FormData, service_name: &str) -> NewLoadBalancer {
    let named = |form: &FormData, field: &str, suffix: &str| {
        form.opt(field).unwrap_or_else(|| {
            if service_name.is_empty() {
                String::new()
            } else {
                format!("{service_name}{suffix}")
            }
        })
    };
    let mut lb = NewLoadBalancer {
        load_balancer_name: named(form, "loadBalancer.loadBalancerName", "-alb"),
        security_group_name: named(form, "loadBalancer.securityGroupName", "-alb-sg"),
        service_security_group_name: named(form, "loadBalancer.serviceSecurityGroupName", "-sg"),
        subnets: form.names_under("lbSubnet."),
        certificate_arn: Some(form.text("loadBalancer.certificateArn"))
            .filter(|arn| arn != REQUEST)
            .unwrap_or_default(),
        redirect_http: form.checked("loadBalancer.redirectHttp"),
        ..NewLoadBalancer::default()
    };
    if let Some(policy) = form.opt("loadBalancer.sslPolicy") {
        lb.ssl_policy = policy;
    }
    lb.target_group.name = named(form, "loadBalancer.targetGroup.name", "-tg");
    let int = |form: &mut FormData, field: &str, default: i64| {
        form.int(&format!("loadBalancer.{field}"))
            .unwrap_or(default)
    };
    lb.listener_port = int(form, "listenerPort", 80);
    lb.https_port = int(form, "httpsPort", 443);
    let tg = lb.target_group.clone();
    lb.target_group.port = int(form, "targetGroup.port", tg.port);
    lb.target_group.interval_seconds =
        int(form, "targetGroup.intervalSeconds", tg.interval_seconds);
    lb.target_group.timeout_seconds = int(form, "targetGroup.timeoutSeconds", tg.timeout_seconds);
    lb.target_group.healthy_threshold =
        int(form, "targetGroup.healthyThreshold", tg.healthy_threshold);
    lb.target_group.unhealthy_threshold = int(
        form,
        "targetGroup.unhealthyThreshold",
        tg.unhealthy_threshold,
    );
    if let Some(path) = form.opt("loadBalancer.targetGroup.healthCheckPath") {
        lb.target_group.health_check_path = path;
    }
    if let Some(codes) = form.opt("loadBalancer.targetGroup.successCodes") {
        lb.target_group.success_codes = codes;
    }
    if let Some(protocol) = form.opt("loadBalancer.targetGroup.protocol") {
        lb.target_group.protocol = protocol;
    }
    lb
}

/// "Use service auto scaling" and its fields; the defaults where empty.
fn auto_scaling(form: &mut FormData) -> AutoScaling {
    let default = AutoScaling::default();
    let mut int =
        |field: &str, default: i64| form.int(&format!("autoScaling.{field}")).unwrap_or(default);
    let min_tasks = int("minTasks", default.min_tasks);
    let max_tasks = int("maxTasks", default.max_tasks);
    let target = int("target", default.target);
    let scale_in_cooldown = int("scaleInCooldown", default.scale_in_cooldown);
    let scale_out_cooldown = int("scaleOutCooldown", default.scale_out_cooldown);
    AutoScaling {
        enabled: form.checked("autoScaling.enabled"),
        min_tasks,
        max_tasks,
        metric: ScalingMetric::of_key(&form.text("autoScaling.metric")),
        target,
        scale_in_cooldown,
        scale_out_cooldown,
    }
}

/// The Advanced (JSON) box: an object of CreateService fields.
fn advanced(text: &str) -> Result<Map<String, Value>, Issue> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Issue::error("advanced", "v.advanced_object")),
        Err(error) => Err(Issue::error("advanced", "v.advanced_json").with("detail", error)),
    }
}

/// The box's text for a draft.
pub fn advanced_text(draft: &ServiceDraft) -> String {
    if draft.service.advanced.is_empty() {
        String::new()
    } else {
        serde_json::to_string_pretty(&draft.service.advanced).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::service::draft::tests::reference_002_draft;

    /// Reference 002's form as a browser posts it.
    pub fn reference_002_form() -> Vec<(String, String)> {
        [
            ("cluster", "ecs-fargate-cluster"),
            ("compute", "launch_type"),
            ("platformVersion", "LATEST"),
            ("taskFamily", "ecs-fargate-task"),
            ("taskRevision", "ecs-fargate-task:1"),
            ("serviceName", "ecs-fargate-service"),
            ("desiredCount", "2"),
            ("healthCheckGracePeriodSeconds", "30"),
            ("deploymentConfiguration.minimumHealthyPercent", "100"),
            ("deploymentConfiguration.maximumPercent", "200"),
            ("circuitBreaker", "on"),
            ("rollback", "on"),
            ("deploymentController.type", "ECS"),
            ("vpcId", "vpc-0a1b2c3d"),
            ("subnet.subnet-0a1b2c3d", "on"),
            ("subnet.subnet-1a2b3c4d", "on"),
            ("securityGroupChoice", "new"),
            ("assignPublicIp", "on"),
            ("loadBalancing", "new"),
            ("container", "web:80"),
            ("loadBalancer.loadBalancerName", "ecs-fargate-alb"),
            ("loadBalancer.securityGroupName", "ecs-alb-sg"),
            ("loadBalancer.listenerPort", "80"),
            ("loadBalancer.redirectHttp", "on"),
            ("loadBalancer.targetGroup.name", "ecs-fargate-tg"),
            ("loadBalancer.targetGroup.healthCheckPath", "/"),
            (
                "loadBalancer.serviceSecurityGroupName",
                "ecs-fargate-service-sg",
            ),
            ("advanced", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn reference_002_form_reads_as_its_draft() {
        let mut form = FormData::new(reference_002_form());
        let draft = decode(&mut form, "aws");
        assert!(form.issues.is_empty());
        let mut expected = reference_002_draft();
        expected.load_balancer.container_port = 80;
        expected.load_balancer.vpc_id = String::new();
        assert_eq!(draft, expected);
    }

    #[test]
    fn empty_names_follow_the_service_and_the_box_takes_an_object() {
        let mut pairs = reference_002_form();
        pairs.retain(|(k, _)| !k.starts_with("loadBalancer.") || k.ends_with("Port"));
        pairs.push(("advanced".into(), "[1]".into()));
        pairs.push(("compute".into(), "capacity_providers".into()));
        pairs.push(("capacityProviderStrategy.1.weight".into(), "3".into()));
        let mut form = FormData::new(pairs);
        let draft = decode(&mut form, "aws");
        assert_eq!(
            draft.load_balancer.load_balancer_name,
            "ecs-fargate-service-alb"
        );
        assert_eq!(
            draft.load_balancer.target_group.name,
            "ecs-fargate-service-tg"
        );
        assert_eq!(form.issues[0].key, "v.advanced_object");
        assert_eq!(draft.service.launch_type, None);
        assert_eq!(
            draft.service.capacity_provider_strategy,
            [CapacityProviderStrategyItem {
                capacity_provider: "FARGATE_SPOT".into(),
                weight: 3,
                base: 0
            }]
        );
    }

    #[test]
    fn a_strategy_keeps_only_its_own_settings_with_aws_s_defaults() {
        let with = |extra: &[(&str, &str)]| {
            let mut pairs = reference_002_form();
            pairs.retain(|(k, _)| k != "deploymentController.type");
            pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            let mut form = FormData::new(pairs);
            let draft = decode(&mut form, "aws-cn");
            (draft, form.issues)
        };
        let (draft, issues) = with(&[
            ("deploymentStrategy", "LINEAR"),
            ("canaryConfiguration.canaryPercent", "20"),
            ("shift.role", CREATE_ROLE),
            ("shift.testPort", "8080"),
        ]);
        assert!(issues.is_empty(), "{issues:?}");
        let deployment = &draft.service.deployment_configuration;
        assert_eq!(deployment.strategy.as_deref(), Some("LINEAR"));
        assert_eq!(deployment.bake_time_in_minutes, Some(DEFAULT_BAKE_MINUTES));
        assert_eq!(
            deployment.linear_configuration,
            Some(LinearConfiguration::default())
        );
        assert_eq!(deployment.canary_configuration, None);
        assert_eq!(draft.shift.role_arn, "");
        assert_eq!(draft.shift.test_port, 8080);
        assert!(
            draft
                .shift
                .policy_arn()
                .starts_with("arn:aws-cn:iam::aws:policy/")
        );
        let (draft, issues) = with(&[
            ("deploymentStrategy", "CANARY"),
            ("canaryConfiguration.canaryPercent", "2.5"),
            ("canaryConfiguration.canaryBakeTimeInMinutes", "30"),
            ("shift.role", "arn:aws:iam::123456789012:role/infra"),
        ]);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(
            draft.service.deployment_configuration.canary_configuration,
            Some(CanaryConfiguration {
                canary_percent: 2.5,
                canary_bake_time_in_minutes: 30
            })
        );
        assert_eq!(draft.shift.role_arn, "arn:aws:iam::123456789012:role/infra");
        let (_, issues) = with(&[
            ("deploymentStrategy", "CANARY"),
            ("canaryConfiguration.canaryPercent", "five"),
        ]);
        assert_eq!(issues[0].key, "v.number");
        // CodeDeploy is a controller, not one of ECS's strategies; a form
        // from before the strategies still says so.
        for field in ["deploymentStrategy", "deploymentController.type"] {
            let (draft, _) = with(&[(field, CODE_DEPLOY)]);
            assert!(draft.service.is_code_deploy());
            assert_eq!(draft.service.deployment_configuration.strategy, None);
        }
        let (draft, _) = with(&[("deploymentStrategy", "ROLLING")]);
        assert_eq!(draft.service.deployment_configuration.strategy, None);
        assert!(!draft.service.is_code_deploy());
    }

    #[test]
    fn what_fails_a_deployment_reads_from_its_fields() {
        use crate::model::service::rollback::{HookTarget, ThresholdType};
        use crate::model::service::shift::INFRASTRUCTURE_ROLE_ARN;
        let with = |extra: &[(&str, &str)]| {
            let mut pairs = reference_002_form();
            pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            let mut form = FormData::new(pairs);
            let draft = decode(&mut form, "aws");
            assert!(form.issues.is_empty(), "{:?}", form.issues);
            draft
        };
        // AWS's defaults are not sent.
        let draft = with(&[
            ("circuitBreaker.thresholdType", "BOUNDED_PERCENT"),
            ("circuitBreaker.thresholdValue", "50"),
        ]);
        let breaker = draft
            .service
            .deployment_configuration
            .deployment_circuit_breaker
            .unwrap();
        assert_eq!(breaker.threshold_configuration, None);
        assert_eq!(breaker.reset_on_healthy_task, None);
        assert_eq!(draft.service.deployment_configuration.alarms, None);
        assert!(!draft.error_alarm);
        let draft = with(&[
            ("deploymentStrategy", "BLUE_GREEN"),
            ("shift.role", CREATE_ROLE),
            ("circuitBreaker.thresholdType", "UNBOUNDED_PERCENT"),
            ("circuitBreaker.keepCount", "on"),
            ("alarms.create", "on"),
            ("alarmName.cpu high, p99", "on"),
            ("hook.0.type", "AWS_LAMBDA"),
            (
                "hook.0.function",
                "arn:aws:lambda:ap-northeast-1:123456789012:function:f",
            ),
            ("hook.0.role", rollback_fields::INFRASTRUCTURE),
            ("hook.0.stage.POST_SCALE_UP", "on"),
            ("hook.0.stage.PRE_SCALE_UP", "on"),
            ("hook.1.type", ""),
            ("hook.1.stage.POST_SCALE_UP", "on"),
        ]);
        let deployment = &draft.service.deployment_configuration;
        let breaker = deployment.deployment_circuit_breaker.unwrap();
        assert_eq!(
            breaker.threshold_configuration.map(|t| (t.kind, t.value)),
            Some((ThresholdType::UnboundedPercent, 50))
        );
        assert_eq!(breaker.reset_on_healthy_task, Some(false));
        assert!(draft.error_alarm);
        let alarms = deployment.alarms.clone().unwrap();
        assert_eq!(alarms.alarm_names, ["cpu high, p99"]);
        assert!(!alarms.rollback);
        // An empty row is no hook; stages in the order a deployment meets them.
        assert_eq!(deployment.lifecycle_hooks.len(), 1);
        let hook = &deployment.lifecycle_hooks[0];
        assert_eq!(hook.target_type, HookTarget::AwsLambda);
        assert_eq!(hook.role_arn.as_deref(), Some(INFRASTRUCTURE_ROLE_ARN));
        assert_eq!(hook.lifecycle_stages, ["PRE_SCALE_UP", "POST_SCALE_UP"]);
        // A pause names no function nor role, whatever the row held.
        let draft = with(&[
            ("hook.0.type", "PAUSE"),
            (
                "hook.0.function",
                "arn:aws:lambda:ap-northeast-1:123456789012:function:f",
            ),
            ("hook.0.stage.POST_SCALE_UP", "on"),
        ]);
        let hook = &draft.service.deployment_configuration.lifecycle_hooks[0];
        assert_eq!(
            (hook.hook_target_arn.as_ref(), hook.role_arn.as_ref()),
            (None, None)
        );
    }
}
