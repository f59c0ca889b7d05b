//! An ECS service as CreateService receives it, in AWS's own JSON names:
//! what the service wizard's review shows and what is sent are one value.
//! The load balancer, target group, listener and security groups a wizard
//! run creates are requests of their own; here they appear only as the
//! target group's ARN and the security group ids the service is given.
//!
//! Fields the wizard has no control for (service registries, placement,
//! Service Connect…) are kept as JSON in `advanced`, their keys checked
//! against the API's own list.

pub mod deployments;
pub mod draft;
pub mod logs;
pub mod metrics;
pub mod preflight;
pub mod prerequisites;
pub mod quick_start;
pub mod revision_compare;
pub mod rollback;
pub mod rollback_plan;
pub mod scaling;
pub mod shift;
pub mod status;
mod terraform;
pub mod traffic;
pub mod troubleshoot;
pub mod update;
pub mod usage;
mod validate;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::api_call::ApiCall;
use super::task_definition::Tag;
use crate::model::operation::Operation;

pub use crate::model::validate::is_output_reference;
pub use validate::{check_against_task_definition, validate};

/// Fargate's own capacity providers, the only ones a Fargate cluster has.
pub const FARGATE_PROVIDERS: [&str; 2] = ["FARGATE", "FARGATE_SPOT"];

/// CreateService fields the wizard has no control for, accepted in the
/// "Advanced (JSON)" box; any other key there is refused by name.
pub const ADVANCED_FIELDS: [&str; 9] = [
    "serviceRegistries",
    "placementConstraints",
    "placementStrategy",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
    "enableECSManagedTags",
    "availabilityZoneRebalancing",
    "schedulingStrategy",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub cluster: String,
    pub service_name: String,
    /// `family:revision`, or a task definition ARN.
    pub task_definition: String,
    pub desired_count: i64,
    /// `FARGATE`; None when a capacity provider strategy is used instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
    /// `LATEST` or a pinned version such as `1.4.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_grace_period_seconds: Option<i64>,
    pub deployment_configuration: DeploymentConfiguration,
    pub deployment_controller: DeploymentController,
    pub network_configuration: NetworkConfiguration,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancers: Vec<LoadBalancer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// `SERVICE`, `TASK_DEFINITION` or `NONE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagate_tags: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub enable_execute_command: bool,
    /// Makes CreateService idempotent: the same token never makes a second
    /// service. The wizard sends the run's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    #[serde(flatten)]
    pub advanced: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityProviderStrategyItem {
    pub capacity_provider: String,
    #[serde(default)]
    pub weight: i64,
    #[serde(default)]
    pub base: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentConfiguration {
    pub minimum_healthy_percent: i64,
    pub maximum_percent: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_circuit_breaker: Option<CircuitBreaker>,
    /// ECS's own strategy: `ROLLING` (AWS's default, left out when so),
    /// `BLUE_GREEN`, `LINEAR` or `CANARY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// How long both revisions run once all traffic has moved, before the
    /// old one stops (0–1440 minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bake_time_in_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linear_configuration: Option<LinearConfiguration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_configuration: Option<CanaryConfiguration>,
    /// CloudWatch alarms that fail the deployment (and roll it back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms: Option<rollback::DeploymentAlarms>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lifecycle_hooks: Vec<rollback::LifecycleHook>,
}

/// LINEAR: traffic moves in equal steps with a wait between them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinearConfiguration {
    pub step_percent: f64,
    pub step_bake_time_in_minutes: i64,
}

/// CANARY: a share of traffic first, the rest after a wait.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanaryConfiguration {
    pub canary_percent: f64,
    pub canary_bake_time_in_minutes: i64,
}

impl Default for LinearConfiguration {
    /// AWS's documented defaults: 10 % a step, 6 minutes between steps.
    fn default() -> Self {
        Self {
            step_percent: 10.0,
            step_bake_time_in_minutes: 6,
        }
    }
}

impl Default for CanaryConfiguration {
    /// AWS's documented defaults: 5 % first, 10 minutes' wait.
    fn default() -> Self {
        Self {
            canary_percent: 5.0,
            canary_bake_time_in_minutes: 10,
        }
    }
}

/// The strategies ECS runs itself (the API's enum).
pub const STRATEGIES: [&str; 4] = ["ROLLING", "BLUE_GREEN", "LINEAR", "CANARY"];

impl DeploymentConfiguration {
    /// Blue/green, linear or canary: ECS moves traffic between two target
    /// groups, where a rolling update replaces tasks in one.
    pub fn shifts_traffic(&self) -> bool {
        matches!(
            self.strategy.as_deref(),
            Some("BLUE_GREEN" | "LINEAR" | "CANARY")
        )
    }
}

/// "Deployment circuit breaker" and "Rollback on failures", with how many
/// failed tasks it tolerates (AWS's default when left out: half the
/// desired count, held to 3–200, the count reset by a healthy task).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CircuitBreaker {
    pub enable: bool,
    pub rollback: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_on_healthy_task: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_configuration: Option<rollback::ThresholdConfiguration>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentController {
    /// `ECS` (rolling update) or `CODE_DEPLOY` (blue/green).
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConfiguration {
    pub awsvpc_configuration: AwsVpcConfiguration,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsVpcConfiguration {
    pub subnets: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    /// `ENABLED` or `DISABLED`.
    pub assign_public_ip: String,
}

/// Which container and port receive the load balancer's traffic.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancer {
    pub target_group_arn: String,
    pub container_name: String,
    pub container_port: i64,
    /// What ECS's own blue/green, linear and canary deployments move
    /// traffic with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advanced_configuration: Option<AdvancedConfiguration>,
}

/// The alternate target group the new revision starts in, the listener
/// rules whose weights ECS changes, and the role it changes them with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvancedConfiguration {
    pub alternate_target_group_arn: String,
    pub production_listener_rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_listener_rule: Option<String>,
    pub role_arn: String,
}

impl Default for Service {
    /// What the console offers: one Fargate task, rolling update 100/200
    /// with the circuit breaker and rollback on (as reference 001 sets them),
    /// LATEST platform, no public IP.
    fn default() -> Self {
        Self {
            cluster: String::new(),
            service_name: String::new(),
            task_definition: String::new(),
            desired_count: 1,
            launch_type: Some("FARGATE".into()),
            capacity_provider_strategy: Vec::new(),
            platform_version: Some("LATEST".into()),
            health_check_grace_period_seconds: None,
            deployment_configuration: DeploymentConfiguration {
                minimum_healthy_percent: 100,
                maximum_percent: 200,
                deployment_circuit_breaker: Some(CircuitBreaker {
                    enable: true,
                    rollback: true,
                    ..CircuitBreaker::default()
                }),
                ..DeploymentConfiguration::default()
            },
            deployment_controller: DeploymentController { kind: "ECS".into() },
            network_configuration: NetworkConfiguration {
                awsvpc_configuration: AwsVpcConfiguration {
                    assign_public_ip: "DISABLED".into(),
                    ..AwsVpcConfiguration::default()
                },
            },
            load_balancers: Vec::new(),
            tags: Vec::new(),
            propagate_tags: None,
            enable_execute_command: false,
            client_token: None,
            advanced: Map::new(),
        }
    }
}

impl Service {
    pub fn is_code_deploy(&self) -> bool {
        self.deployment_controller.kind == "CODE_DEPLOY"
    }

    /// The CreateService request body; also what `aws ecs create-service
    /// --cli-input-json` takes.
    pub fn request(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    pub fn api_call(&self) -> ApiCall {
        ApiCall::new(Operation::CreateService, self.request())
    }

    pub fn terraform(&self) -> String {
        terraform::service(self)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::json;

    use super::*;

    /// Reference 003's `aws ecs create-service`, with the ids its shell
    /// variables stand for.
    pub fn reference_003() -> Service {
        Service {
            cluster: "ContainerHandsOn".into(),
            service_name: "ContainerHandsOn".into(),
            task_definition: "ContainerHandsOn:1".into(),
            desired_count: 2,
            deployment_controller: DeploymentController {
                kind: "CODE_DEPLOY".into(),
            },
            deployment_configuration: DeploymentConfiguration {
                minimum_healthy_percent: 100,
                maximum_percent: 200,
                deployment_circuit_breaker: None,
                ..DeploymentConfiguration::default()
            },
            network_configuration: NetworkConfiguration {
                awsvpc_configuration: AwsVpcConfiguration {
                    subnets: vec!["subnet-0a1b2c3d4e5f60001".into(), "subnet-0a1b2c3d4e5f60002".into()],
                    security_groups: vec!["sg-0a1b2c3d4e5f60003".into()],
                    assign_public_ip: "DISABLED".into(),
                },
            },
            load_balancers: vec![LoadBalancer {
                target_group_arn: "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/ContainerHandsOn/b2da630c91ed7148".into(),
                container_name: "ContainerHandsOn".into(),
                container_port: 80,
                advanced_configuration: None,
            }],
            ..Service::default()
        }
    }

    #[test]
    fn reference_003_is_sent_as_the_cli_would_send_it() {
        assert_eq!(
            reference_003().request(),
            json!({
                "cluster": "ContainerHandsOn",
                "serviceName": "ContainerHandsOn",
                "taskDefinition": "ContainerHandsOn:1",
                "desiredCount": 2,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "deploymentConfiguration": {"minimumHealthyPercent": 100, "maximumPercent": 200},
                "deploymentController": {"type": "CODE_DEPLOY"},
                "networkConfiguration": {"awsvpcConfiguration": {
                    "subnets": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
                    "securityGroups": ["sg-0a1b2c3d4e5f60003"],
                    "assignPublicIp": "DISABLED"
                }},
                "loadBalancers": [{
                    "targetGroupArn": "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/ContainerHandsOn/b2da630c91ed7148",
                    "containerName": "ContainerHandsOn",
                    "containerPort": 80
                }]
            })
        );
        assert_eq!(reference_003().api_call().title(), "ecs:CreateService");
    }

    #[test]
    fn the_request_reads_back_as_the_same_service() {
        let mut service = reference_003();
        service
            .advanced
            .insert("enableECSManagedTags".into(), json!(true));
        let read: Service = serde_json::from_value(service.request()).unwrap();
        assert_eq!(read, service);
        assert_eq!(service.request()["enableECSManagedTags"], json!(true));
    }

    #[test]
    fn the_default_is_the_consoles_rolling_update_with_rollback() {
        let request = Service::default().request();
        assert_eq!(
            request["deploymentConfiguration"],
            json!({"minimumHealthyPercent": 100, "maximumPercent": 200,
                   "deploymentCircuitBreaker": {"enable": true, "rollback": true}})
        );
        assert_eq!(request["deploymentController"], json!({"type": "ECS"}));
        assert_eq!(request["launchType"], "FARGATE");
        assert!(request.get("enableExecuteCommand").is_none());
    }
}
