//! What fails a deployment, and rolls it back, besides tasks that do not
//! start: CloudWatch alarms (chosen from the account, or one the plan makes
//! on the target groups' 5xx count, as ECS Express Mode does), how many
//! failed tasks the circuit breaker tolerates, and lifecycle hooks (a pause
//! until someone chooses Continue or Roll back, or a Lambda function's
//! verdict). The types are CreateService's own; the draft's part (the alarm
//! the plan makes, the role's permission to call the functions) is in
//! `rollback_plan.rs`.

use serde::{Deserialize, Serialize};

use super::Service;
use crate::model::validate::{Issue, check_range, is_output_reference, is_role_arn};

/// Preflight names every chosen alarm in one DescribeAlarms, which takes
/// at most 100 names.
pub const MAX_ALARMS: usize = 100;
/// Our bound on a service's hooks (AWS documents none); each is a row.
pub const MAX_HOOKS: usize = 10;
/// CloudWatch's longest alarm name.
const MAX_ALARM_NAME: usize = 255;

/// `deploymentConfiguration.alarms`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentAlarms {
    pub alarm_names: Vec<String>,
    pub rollback: bool,
    pub enable: bool,
}

/// How the circuit breaker counts what it tolerates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ThresholdType {
    /// `value` failed tasks.
    Count,
    /// `value` % of the desired count, held to 3–200 (AWS's default).
    #[default]
    BoundedPercent,
    /// `value` % of the desired count, not held.
    UnboundedPercent,
}

impl ThresholdType {
    pub const ALL: [ThresholdType; 3] = [
        ThresholdType::BoundedPercent,
        ThresholdType::Count,
        ThresholdType::UnboundedPercent,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ThresholdType::Count => "COUNT",
            ThresholdType::BoundedPercent => "BOUNDED_PERCENT",
            ThresholdType::UnboundedPercent => "UNBOUNDED_PERCENT",
        }
    }

    pub fn parse(name: &str) -> Option<ThresholdType> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThresholdConfiguration {
    #[serde(rename = "type")]
    pub kind: ThresholdType,
    pub value: i64,
}

impl Default for ThresholdConfiguration {
    /// AWS's: 50 % of the desired count, held to 3–200 tasks.
    fn default() -> Self {
        Self {
            kind: ThresholdType::BoundedPercent,
            value: 50,
        }
    }
}

/// The stages a hook may run at, in the order a deployment reaches them.
pub const STAGES: [&str; 8] = [
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRE_PRODUCTION_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
];
/// Stages a pause may not be put at (traffic is moving; only a Lambda
/// function may be asked there).
pub const LAMBDA_ONLY_STAGES: [&str; 2] = ["TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HookTarget {
    /// Waits for ContinueServiceDeployment (or the timeout).
    #[default]
    Pause,
    /// Asks a Lambda function, with a role ECS assumes to call it.
    AwsLambda,
}

/// One of `deploymentConfiguration.lifecycleHooks`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleHook {
    pub target_type: HookTarget,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook_target_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    pub lifecycle_stages: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_configuration: Option<HookTimeout>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookTimeout {
    /// 1–20160 minutes; AWS's default is 1440 (a day).
    pub timeout_in_minutes: i64,
    /// `ROLLBACK` (AWS's default) or `CONTINUE`.
    pub action: String,
}

impl Default for HookTimeout {
    fn default() -> Self {
        Self {
            timeout_in_minutes: 1440,
            action: "ROLLBACK".into(),
        }
    }
}

/// `arn:aws:lambda:ap-northeast-1:123456789012:function:name`, with an
/// optional version or alias.
pub fn is_lambda_function_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.split(':').collect();
    matches!(parts.as_slice(), ["arn", partition, "lambda", region, account, "function", name, rest @ ..]
        if partition.starts_with("aws")
            && !region.is_empty()
            && account.len() == 12
            && account.chars().all(|c| c.is_ascii_digit())
            && (1..=64).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
            && rest.len() <= 1)
}

/// The alarms, circuit breaker threshold and hooks of `service`, as AWS
/// would refuse or ignore them.
pub fn check(issues: &mut Vec<Issue>, service: &Service) {
    let config = &service.deployment_configuration;
    let at = "deploymentConfiguration";
    if let Some(alarms) = &config.alarms {
        let path = format!("{at}.alarms");
        if service.is_code_deploy() {
            // CodeDeploy's deployment group has alarms of its own.
            issues.push(Issue::error(&path, "v.alarms_code_deploy"));
        }
        if alarms.enable && alarms.alarm_names.is_empty() {
            issues.push(Issue::error(&path, "v.alarms_none"));
        }
        if alarms.alarm_names.len() > MAX_ALARMS {
            issues.push(Issue::error(&path, "v.alarms_too_many").with("max", MAX_ALARMS));
        }
        for name in &alarms.alarm_names {
            if name.is_empty() || name.chars().count() > MAX_ALARM_NAME || name.contains(',') {
                issues.push(Issue::error(&path, "v.alarm_name").with("name", name));
            }
        }
    }
    if let Some(threshold) = config
        .deployment_circuit_breaker
        .and_then(|b| b.threshold_configuration)
    {
        check_range(
            issues,
            &format!("{at}.deploymentCircuitBreaker.thresholdConfiguration.value"),
            threshold.value,
            1,
            i64::from(i32::MAX),
        );
    }
    hooks(issues, service);
}

fn hooks(issues: &mut Vec<Issue>, service: &Service) {
    let config = &service.deployment_configuration;
    if config.lifecycle_hooks.is_empty() {
        return;
    }
    if config.lifecycle_hooks.len() > MAX_HOOKS {
        issues.push(
            Issue::error("deploymentConfiguration.lifecycleHooks", "v.hooks_too_many")
                .with("max", MAX_HOOKS),
        );
    }
    if service.is_code_deploy() {
        issues.push(Issue::error(
            "deploymentConfiguration.lifecycleHooks",
            "v.hooks_code_deploy",
        ));
    } else if !config.shifts_traffic() {
        // Most stages are those of moving traffic between two revisions.
        issues.push(Issue::warning(
            "deploymentConfiguration.lifecycleHooks",
            "v.hooks_rolling",
        ));
    }
    for (n, hook) in config.lifecycle_hooks.iter().enumerate() {
        let at = format!("hook.{n}");
        if hook.lifecycle_stages.is_empty() {
            issues.push(Issue::error(format!("{at}.stages"), "v.hook_no_stage"));
        }
        for stage in &hook.lifecycle_stages {
            if !STAGES.contains(&stage.as_str()) {
                issues.push(
                    Issue::error(format!("{at}.stages"), "v.hook_stage").with("stage", stage),
                );
            } else if hook.target_type == HookTarget::Pause
                && LAMBDA_ONLY_STAGES.contains(&stage.as_str())
            {
                issues.push(
                    Issue::error(format!("{at}.stages"), "v.hook_pause_stage").with("stage", stage),
                );
            }
        }
        if let Some(timeout) = &hook.timeout_configuration {
            check_range(
                issues,
                &format!("{at}.timeout"),
                timeout.timeout_in_minutes,
                1,
                20160,
            );
            if !matches!(timeout.action.as_str(), "ROLLBACK" | "CONTINUE") {
                issues.push(Issue::error(
                    format!("{at}.timeoutAction"),
                    "v.hook_timeout_action",
                ));
            }
        }
        match hook.target_type {
            HookTarget::AwsLambda => {
                let function = hook.hook_target_arn.as_deref().unwrap_or_default();
                if !is_lambda_function_arn(function) {
                    issues.push(Issue::error(format!("{at}.function"), "v.hook_function"));
                }
                let role = hook.role_arn.as_deref().unwrap_or_default();
                if !is_role_arn(role) && !is_output_reference(role) {
                    issues.push(Issue::error(format!("{at}.role"), "v.hook_role"));
                }
            }
            HookTarget::Pause => {
                if hook.hook_target_arn.is_some() || hook.role_arn.is_some() {
                    issues.push(Issue::error(
                        format!("{at}.function"),
                        "v.hook_pause_target",
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCTION: &str = "arn:aws:lambda:ap-northeast-1:123456789012:function:smoke-test";

    #[test]
    fn lambda_function_arns() {
        assert!(is_lambda_function_arn(FUNCTION));
        assert!(is_lambda_function_arn(&format!("{FUNCTION}:live")));
        assert!(!is_lambda_function_arn(
            "arn:aws:lambda:ap-northeast-1:123456789012:layer:x"
        ));
        assert!(!is_lambda_function_arn("smoke-test"));
        assert!(!is_lambda_function_arn(&format!("{FUNCTION}:a:b")));
    }
}
