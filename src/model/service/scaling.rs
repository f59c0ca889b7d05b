//! Service auto scaling as the console's "Use service auto scaling" sets
//! it: Application Auto Scaling's scalable target (the service's desired
//! count between a minimum and a maximum) and one target tracking policy
//! on average CPU, average memory, or the load balancer's requests per
//! target, with its cooldowns.

use std::fmt::Write;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::model::api_call::ApiCall;
use crate::model::hcl::{quote, resource_label};
use crate::model::operation::Operation;
use crate::model::validate::{Issue, check_range};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScalingMetric {
    #[default]
    Cpu,
    Memory,
    /// ALB requests per target: needs the target group's resource label.
    Requests,
}

impl ScalingMetric {
    pub const ALL: [ScalingMetric; 3] = [
        ScalingMetric::Cpu,
        ScalingMetric::Memory,
        ScalingMetric::Requests,
    ];

    /// Application Auto Scaling's predefined metric.
    pub fn predefined(self) -> &'static str {
        match self {
            ScalingMetric::Cpu => "ECSServiceAverageCPUUtilization",
            ScalingMetric::Memory => "ECSServiceAverageMemoryUtilization",
            ScalingMetric::Requests => "ALBRequestCountPerTarget",
        }
    }

    /// The form's value and the policy name's part.
    pub fn key(self) -> &'static str {
        match self {
            ScalingMetric::Cpu => "cpu",
            ScalingMetric::Memory => "memory",
            ScalingMetric::Requests => "requests",
        }
    }

    /// The catalog key of its name for people.
    pub fn label(self) -> &'static str {
        match self {
            ScalingMetric::Cpu => "ui.metric_cpu",
            ScalingMetric::Memory => "ui.metric_memory",
            ScalingMetric::Requests => "ui.metric_requests",
        }
    }

    pub fn of_key(key: &str) -> ScalingMetric {
        Self::ALL
            .into_iter()
            .find(|m| m.key() == key)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AutoScaling {
    pub enabled: bool,
    pub min_tasks: i64,
    pub max_tasks: i64,
    pub metric: ScalingMetric,
    /// Percent for CPU and memory; requests per target a minute otherwise.
    pub target: i64,
    pub scale_in_cooldown: i64,
    pub scale_out_cooldown: i64,
}

impl Default for AutoScaling {
    /// The console's: off; when on, 1 to 4 tasks at 70 % CPU, 300 s cooldowns.
    fn default() -> Self {
        Self {
            enabled: false,
            min_tasks: 1,
            max_tasks: 4,
            metric: ScalingMetric::Cpu,
            target: 70,
            scale_in_cooldown: 300,
            scale_out_cooldown: 300,
        }
    }
}

/// What a service's task count is scaled as.
const NAMESPACE: &str = "ecs";
const DIMENSION: &str = "ecs:service:DesiredCount";
/// ECS's quota of tasks a service runs.
pub const MAX_TASKS: i64 = 5000;
/// Our bound on a cooldown (AWS's model sets none): a day.
const MAX_COOLDOWN: i64 = 86_400;
/// Our bound on requests per target a minute.
const MAX_REQUESTS: i64 = 1_000_000;

/// A service's auto scaling as the account holds it: its bounds and target
/// tracking policy, the policies' names (the console names them as it
/// likes), and the label a requests policy counts by.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalingRead {
    pub scaling: AutoScaling,
    pub policy_names: Vec<String>,
    pub resource_label: String,
}

impl ScalingRead {
    /// The calls that set `wanted` on this service: the bounds, then its
    /// policy under the name it has (a first policy gets ours).
    pub fn change_to(&self, wanted: &AutoScaling, cluster: &str, service: &str) -> Vec<ApiCall> {
        let mut calls = wanted
            .calls(cluster, service, &self.resource_label)
            .to_vec();
        if let Some(name) = self.policy_names.first() {
            calls[1].input["PolicyName"] = json!(name);
        }
        calls
    }

    /// The calls that stop it: each policy, then the scalable target.
    pub fn stop(&self, cluster: &str, service: &str) -> Vec<ApiCall> {
        let id = resource_id(cluster, service);
        let mut calls: Vec<ApiCall> = self
            .policy_names
            .iter()
            .map(|name| {
                ApiCall::new(
                    Operation::DeleteScalingPolicy,
                    json!({"PolicyName": name, "ServiceNamespace": NAMESPACE,
                        "ResourceId": id, "ScalableDimension": DIMENSION}),
                )
            })
            .collect();
        calls.push(ApiCall::new(
            Operation::DeregisterScalableTarget,
            json!({"ServiceNamespace": NAMESPACE, "ResourceId": id, "ScalableDimension": DIMENSION}),
        ));
        calls
    }
}

/// `service/CLUSTER/SERVICE`: the scalable target's id.
pub fn resource_id(cluster: &str, service: &str) -> String {
    format!("service/{cluster}/{service}")
}

impl AutoScaling {
    /// The service page's form value: `2,6,cpu,70,300,300`.
    pub fn encode(&self) -> String {
        format!(
            "{},{},{},{},{},{}",
            self.min_tasks,
            self.max_tasks,
            self.metric.key(),
            self.target,
            self.scale_in_cooldown,
            self.scale_out_cooldown
        )
    }

    /// The form value back; None unless it has all six parts.
    pub fn decode(value: &str) -> Option<AutoScaling> {
        let parts: Vec<&str> = value.split(',').map(str::trim).collect();
        let [min, max, metric, target, scale_in, scale_out] = parts.as_slice() else {
            return None;
        };
        if !ScalingMetric::ALL.iter().any(|m| m.key() == *metric) {
            return None;
        }
        Some(AutoScaling {
            enabled: true,
            min_tasks: min.parse().ok()?,
            max_tasks: max.parse().ok()?,
            metric: ScalingMetric::of_key(metric),
            target: target.parse().ok()?,
            scale_in_cooldown: scale_in.parse().ok()?,
            scale_out_cooldown: scale_out.parse().ok()?,
        })
    }

    /// The policy's name: `web-cpu-target-tracking`.
    pub fn policy_name(&self, service: &str) -> String {
        format!("{service}-{}-target-tracking", self.metric.key())
    }

    /// RegisterScalableTarget, then PutScalingPolicy. `resource_label` is
    /// the load balancer's and target group's `app/…/targetgroup/…`, which
    /// the requests metric names (output references when the run makes them).
    pub fn calls(&self, cluster: &str, service: &str, resource_label: &str) -> [ApiCall; 2] {
        let id = resource_id(cluster, service);
        let register = ApiCall::new(
            Operation::RegisterScalableTarget,
            json!({
                "ServiceNamespace": NAMESPACE,
                "ResourceId": id,
                "ScalableDimension": DIMENSION,
                "MinCapacity": self.min_tasks,
                "MaxCapacity": self.max_tasks,
            }),
        );
        let mut metric = json!({"PredefinedMetricType": self.metric.predefined()});
        if self.metric == ScalingMetric::Requests {
            metric["ResourceLabel"] = json!(resource_label);
        }
        let policy = ApiCall::new(
            Operation::PutScalingPolicy,
            json!({
                "PolicyName": self.policy_name(service),
                "ServiceNamespace": NAMESPACE,
                "ResourceId": id,
                "ScalableDimension": DIMENSION,
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": self.target as f64,
                    "PredefinedMetricSpecification": metric,
                    "ScaleInCooldown": self.scale_in_cooldown,
                    "ScaleOutCooldown": self.scale_out_cooldown,
                },
            }),
        );
        [register, policy]
    }

    /// What Application Auto Scaling would refuse, and a desired count it
    /// would move at once. `load_balanced`: the requests metric has a
    /// target group to count.
    pub fn validate(&self, desired: i64, load_balanced: bool) -> Vec<Issue> {
        let mut issues = Vec::new();
        if !self.enabled {
            return issues;
        }
        let at = |field: &str| format!("autoScaling.{field}");
        check_range(&mut issues, &at("minTasks"), self.min_tasks, 0, MAX_TASKS);
        check_range(&mut issues, &at("maxTasks"), self.max_tasks, 1, MAX_TASKS);
        if self.min_tasks > self.max_tasks {
            issues.push(Issue::error(at("maxTasks"), "v.scaling_min_max"));
        }
        let most = match self.metric {
            ScalingMetric::Cpu | ScalingMetric::Memory => 100,
            ScalingMetric::Requests => MAX_REQUESTS,
        };
        check_range(&mut issues, &at("target"), self.target, 1, most);
        if self.metric == ScalingMetric::Requests && !load_balanced {
            issues.push(Issue::error(at("metric"), "v.scaling_requests_need_lb"));
        }
        for (field, value) in [
            ("scaleInCooldown", self.scale_in_cooldown),
            ("scaleOutCooldown", self.scale_out_cooldown),
        ] {
            check_range(&mut issues, &at(field), value, 0, MAX_COOLDOWN);
        }
        if self.min_tasks <= self.max_tasks && !(self.min_tasks..=self.max_tasks).contains(&desired)
        {
            issues.push(
                Issue::warning("desiredCount", "v.scaling_desired_outside")
                    .with("min", self.min_tasks)
                    .with("max", self.max_tasks),
            );
        }
        issues
    }

    /// `aws_appautoscaling_target` and `aws_appautoscaling_policy` for the
    /// service declared as `service` (a Terraform address), its label
    /// expression given for the requests metric.
    pub fn terraform(&self, service_name: &str, service: &str, label_expression: &str) -> String {
        let label = resource_label(service_name, "service");
        let mut hcl = String::new();
        let _ = write!(
            hcl,
            "resource \"aws_appautoscaling_target\" \"{label}\" {{\n  service_namespace  = \"{NAMESPACE}\"\n  resource_id        = \"service/${{{service}.cluster}}/${{{service}.name}}\"\n  scalable_dimension = \"{DIMENSION}\"\n  min_capacity       = {}\n  max_capacity       = {}\n}}\n\n",
            self.min_tasks, self.max_tasks
        );
        let resource_label_line = if self.metric == ScalingMetric::Requests {
            format!("\n      resource_label         = {label_expression}")
        } else {
            String::new()
        };
        let _ = write!(
            hcl,
            "resource \"aws_appautoscaling_policy\" \"{label}\" {{\n  name               = {}\n  policy_type        = \"TargetTrackingScaling\"\n  service_namespace  = aws_appautoscaling_target.{label}.service_namespace\n  resource_id        = aws_appautoscaling_target.{label}.resource_id\n  scalable_dimension = aws_appautoscaling_target.{label}.scalable_dimension\n\n  target_tracking_scaling_policy_configuration {{\n    target_value       = {}\n    scale_in_cooldown  = {}\n    scale_out_cooldown = {}\n\n    predefined_metric_specification {{\n      predefined_metric_type = \"{}\"{resource_label_line}\n    }}\n  }}\n}}\n",
            quote(&self.policy_name(service_name)),
            self.target,
            self.scale_in_cooldown,
            self.scale_out_cooldown,
            self.metric.predefined(),
        );
        hcl
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(metric: ScalingMetric) -> AutoScaling {
        AutoScaling {
            enabled: true,
            metric,
            ..AutoScaling::default()
        }
    }

    #[test]
    fn cpu_tracking_is_a_target_and_a_policy() {
        let [register, policy] =
            on(ScalingMetric::Cpu).calls("ecs-fargate-cluster", "web", "unused");
        assert_eq!(
            register.input,
            json!({"ServiceNamespace": "ecs", "ResourceId": "service/ecs-fargate-cluster/web",
                "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 1, "MaxCapacity": 4})
        );
        let config = &policy.input["TargetTrackingScalingPolicyConfiguration"];
        assert_eq!(policy.input["PolicyName"], "web-cpu-target-tracking");
        assert_eq!(config["TargetValue"], json!(70.0));
        assert_eq!(
            config["PredefinedMetricSpecification"],
            json!({"PredefinedMetricType": "ECSServiceAverageCPUUtilization"})
        );
        // Undone by what they scale.
        assert_eq!(
            policy.undo(&json!({})).map(|u| u.input),
            Some(
                json!({"PolicyName": "web-cpu-target-tracking", "ServiceNamespace": "ecs",
                "ResourceId": "service/ecs-fargate-cluster/web",
                "ScalableDimension": "ecs:service:DesiredCount"})
            )
        );
    }

    #[test]
    fn requests_name_the_target_group() {
        let label = "app/web/1/targetgroup/web-tg/2";
        let [_, policy] = on(ScalingMetric::Requests).calls("c", "web", label);
        assert_eq!(
            policy.input["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"],
            json!({"PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": label})
        );
        let hcl = on(ScalingMetric::Requests).terraform("web", "aws_ecs_service.web", "\"x\"");
        assert!(hcl.contains("resource_label         = \"x\""), "{hcl}");
        assert_eq!(hcl.matches('{').count(), hcl.matches('}').count());
    }

    #[test]
    fn a_read_policy_is_changed_under_its_name_and_stopped_policy_first() {
        let read = ScalingRead {
            scaling: on(ScalingMetric::Cpu),
            policy_names: vec!["cpu-policy-from-console".into()],
            resource_label: String::new(),
        };
        let mut wanted = on(ScalingMetric::Cpu);
        wanted.max_tasks = 8;
        let calls = read.change_to(&wanted, "c", "web");
        assert_eq!(calls[0].input["MaxCapacity"], 8);
        assert_eq!(calls[1].input["PolicyName"], "cpu-policy-from-console");
        let stop: Vec<String> = read.stop("c", "web").iter().map(|c| c.title()).collect();
        assert_eq!(
            stop,
            [
                "application-autoscaling:DeleteScalingPolicy",
                "application-autoscaling:DeregisterScalableTarget"
            ]
        );
        assert_eq!(AutoScaling::decode(&wanted.encode()), Some(wanted));
        assert_eq!(AutoScaling::decode("1,2,disk,70,300,300"), None);
        assert_eq!(AutoScaling::decode("1,2,cpu"), None);
    }

    #[test]
    fn bounds_are_checked_beside_their_fields() {
        let mut scaling = on(ScalingMetric::Memory);
        assert!(scaling.validate(2, false).is_empty());
        scaling.min_tasks = 5;
        scaling.max_tasks = 3;
        scaling.target = 150;
        scaling.scale_in_cooldown = -1;
        let found: Vec<(String, &str)> = scaling
            .validate(2, false)
            .iter()
            .map(|i| (i.path.clone(), i.key))
            .collect();
        assert_eq!(
            found,
            [
                ("autoScaling.maxTasks".to_string(), "v.scaling_min_max"),
                ("autoScaling.target".to_string(), "v.range"),
                ("autoScaling.scaleInCooldown".to_string(), "v.range"),
            ]
        );
        let mut requests = on(ScalingMetric::Requests);
        requests.target = 1000;
        let keys: Vec<&str> = requests.validate(9, false).iter().map(|i| i.key).collect();
        assert_eq!(
            keys,
            ["v.scaling_requests_need_lb", "v.scaling_desired_outside"]
        );
        assert!(requests.validate(2, true).is_empty());
        // Off: nothing is checked or sent.
        assert!(AutoScaling::default().validate(99, false).is_empty());
    }
}
