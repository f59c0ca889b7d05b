//! Application Auto Scaling: a service's scalable target and its target
//! tracking policy. Each request is read from the review's JSON into the
//! SDK's builder; the answers come back in the API's own names.

use aws_sdk_applicationautoscaling::types;
use serde::Deserialize;
use serde_json::{Value, json};

use super::operations::read;
use super::{Aws, AwsError};
use crate::model::operation::Operation;
use crate::model::service::scaling::{AutoScaling, ScalingMetric, ScalingRead, resource_id};

/// What a scalable target, and a policy of it, are known by.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Scaled {
    service_namespace: String,
    resource_id: String,
    scalable_dimension: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RegisterScalableTarget {
    service_namespace: String,
    resource_id: String,
    scalable_dimension: String,
    min_capacity: i32,
    max_capacity: i32,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PutScalingPolicy {
    policy_name: String,
    service_namespace: String,
    resource_id: String,
    scalable_dimension: String,
    policy_type: String,
    target_tracking_scaling_policy_configuration: TargetTracking,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TargetTracking {
    target_value: f64,
    predefined_metric_specification: PredefinedMetric,
    scale_in_cooldown: i32,
    scale_out_cooldown: i32,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PredefinedMetric {
    predefined_metric_type: String,
    #[serde(default)]
    resource_label: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DeleteScalingPolicy {
    policy_name: String,
    service_namespace: String,
    resource_id: String,
    scalable_dimension: String,
}

impl Aws {
    /// The service's auto scaling, when it has a scalable target: two calls
    /// (DescribeScalableTargets, DescribeScalingPolicies), whatever the
    /// account holds.
    pub async fn service_scaling(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ScalingRead>, AwsError> {
        let id = resource_id(cluster, service);
        let targets = self
            .autoscaling
            .describe_scalable_targets()
            .service_namespace(types::ServiceNamespace::Ecs)
            .resource_ids(&id)
            .scalable_dimension(types::ScalableDimension::EcsServiceDesiredCount)
            .send()
            .await?;
        let Some(target) = targets.scalable_targets().first() else {
            return Ok(None);
        };
        let policies = self
            .autoscaling
            .describe_scaling_policies()
            .service_namespace(types::ServiceNamespace::Ecs)
            .resource_id(&id)
            .scalable_dimension(types::ScalableDimension::EcsServiceDesiredCount)
            .send()
            .await?;
        let mut scaling = AutoScaling {
            enabled: true,
            min_tasks: i64::from(target.min_capacity()),
            max_tasks: i64::from(target.max_capacity()),
            ..AutoScaling::default()
        };
        let mut resource_label = String::new();
        let tracking = policies
            .scaling_policies()
            .iter()
            .find_map(|p| p.target_tracking_scaling_policy_configuration());
        if let Some(tracking) = tracking {
            scaling.target = tracking.target_value().round() as i64;
            scaling.scale_in_cooldown = tracking.scale_in_cooldown().map_or(0, i64::from);
            scaling.scale_out_cooldown = tracking.scale_out_cooldown().map_or(0, i64::from);
            if let Some(metric) = tracking.predefined_metric_specification() {
                let kind = metric.predefined_metric_type().as_str();
                scaling.metric = ScalingMetric::ALL
                    .into_iter()
                    .find(|m| m.predefined() == kind)
                    .unwrap_or_default();
                resource_label = metric.resource_label().unwrap_or_default().to_string();
            }
        }
        Ok(Some(ScalingRead {
            scaling,
            policy_names: policies
                .scaling_policies()
                .iter()
                .map(|p| p.policy_name().to_string())
                .collect(),
            resource_label,
        }))
    }

    /// `{"ScalableTargetARN"}`.
    pub(super) async fn register_scalable_target(&self, input: &Value) -> Result<Value, AwsError> {
        let input: RegisterScalableTarget = read(Operation::RegisterScalableTarget, input)?;
        let output = self
            .autoscaling
            .register_scalable_target()
            .service_namespace(types::ServiceNamespace::from(
                input.service_namespace.as_str(),
            ))
            .resource_id(input.resource_id)
            .scalable_dimension(types::ScalableDimension::from(
                input.scalable_dimension.as_str(),
            ))
            .min_capacity(input.min_capacity)
            .max_capacity(input.max_capacity)
            .send()
            .await?;
        Ok(json!({"ScalableTargetARN": output.scalable_target_arn()}))
    }

    /// `{"PolicyARN", "Alarms"}`: the alarms target tracking made.
    pub(super) async fn put_scaling_policy(&self, input: &Value) -> Result<Value, AwsError> {
        let input: PutScalingPolicy = read(Operation::PutScalingPolicy, input)?;
        let tracking = input.target_tracking_scaling_policy_configuration;
        let metric = tracking.predefined_metric_specification;
        let configuration = types::TargetTrackingScalingPolicyConfiguration::builder()
            .target_value(tracking.target_value)
            .predefined_metric_specification(
                types::PredefinedMetricSpecification::builder()
                    .predefined_metric_type(types::MetricType::from(
                        metric.predefined_metric_type.as_str(),
                    ))
                    .set_resource_label(metric.resource_label)
                    .build()
                    .map_err(|e| super::operations::unreadable(Operation::PutScalingPolicy, e))?,
            )
            .scale_in_cooldown(tracking.scale_in_cooldown)
            .scale_out_cooldown(tracking.scale_out_cooldown)
            .build()
            .map_err(|e| super::operations::unreadable(Operation::PutScalingPolicy, e))?;
        let output = self
            .autoscaling
            .put_scaling_policy()
            .policy_name(input.policy_name)
            .service_namespace(types::ServiceNamespace::from(
                input.service_namespace.as_str(),
            ))
            .resource_id(input.resource_id)
            .scalable_dimension(types::ScalableDimension::from(
                input.scalable_dimension.as_str(),
            ))
            .policy_type(types::PolicyType::from(input.policy_type.as_str()))
            .target_tracking_scaling_policy_configuration(configuration)
            .send()
            .await?;
        let alarms: Vec<Value> = output
            .alarms()
            .iter()
            .map(|a| json!({"AlarmName": a.alarm_name(), "AlarmARN": a.alarm_arn()}))
            .collect();
        Ok(json!({"PolicyARN": output.policy_arn(), "Alarms": alarms}))
    }

    pub(super) async fn delete_scaling_policy(&self, input: &Value) -> Result<Value, AwsError> {
        let input: DeleteScalingPolicy = read(Operation::DeleteScalingPolicy, input)?;
        self.autoscaling
            .delete_scaling_policy()
            .policy_name(input.policy_name)
            .service_namespace(types::ServiceNamespace::from(
                input.service_namespace.as_str(),
            ))
            .resource_id(input.resource_id)
            .scalable_dimension(types::ScalableDimension::from(
                input.scalable_dimension.as_str(),
            ))
            .send()
            .await?;
        Ok(json!({}))
    }

    pub(super) async fn deregister_scalable_target(
        &self,
        input: &Value,
    ) -> Result<Value, AwsError> {
        let input: Scaled = read(Operation::DeregisterScalableTarget, input)?;
        self.autoscaling
            .deregister_scalable_target()
            .service_namespace(types::ServiceNamespace::from(
                input.service_namespace.as_str(),
            ))
            .resource_id(input.resource_id)
            .scalable_dimension(types::ScalableDimension::from(
                input.scalable_dimension.as_str(),
            ))
            .send()
            .await?;
        Ok(json!({}))
    }
}
