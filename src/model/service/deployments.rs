//! A service's deployment history as ECS keeps it (ListServiceDeployments,
//! DescribeServiceDeployments): read from AWS's JSON in its own names, so
//! what newer APIs add (hooks awaiting action, traffic weights) is kept
//! even where the SDK's types do not know it yet.

use serde::Deserialize;

use crate::model::revision::readable_time;

/// Deployments read a page: ListServiceDeployments' largest page is 100;
/// the page shows 20, described in one call.
pub const PAGE: i32 = 20;

/// One deployment, as DescribeServiceDeployments answers it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceDeployment {
    pub service_deployment_arn: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub started_at: Option<f64>,
    pub finished_at: Option<f64>,
    pub stopped_at: Option<f64>,
    /// When ECS last changed it: entering the bake is the last change
    /// while it bakes.
    pub updated_at: Option<f64>,
    pub source_service_revisions: Vec<RevisionSummary>,
    pub target_service_revision: Option<RevisionSummary>,
    pub lifecycle_stage: Option<String>,
    pub lifecycle_hook_details: Vec<HookDetail>,
    pub rollback: Option<Rollback>,
    pub deployment_circuit_breaker: Option<BreakerState>,
    pub alarms: Option<AlarmState>,
    pub deployment_configuration: Option<DeploymentSettings>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RevisionSummary {
    pub arn: String,
    pub requested_task_count: i64,
    pub running_task_count: i64,
    pub pending_task_count: i64,
    pub requested_production_traffic_weight: Option<f64>,
    pub requested_test_traffic_weight: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HookDetail {
    pub hook_id: String,
    pub target_type: String,
    pub target_arn: Option<String>,
    pub status: String,
    pub expires_at: Option<f64>,
    pub timeout_action: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Rollback {
    pub reason: String,
    pub started_at: Option<f64>,
    pub service_revision_arn: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BreakerState {
    pub status: String,
    pub failure_count: i64,
    pub threshold: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AlarmState {
    pub status: String,
    pub alarm_names: Vec<String>,
    pub triggered_alarm_names: Vec<String>,
}

/// The part of the deployment's configuration the bake time is read from.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DeploymentSettings {
    pub strategy: Option<String>,
    pub bake_time_in_minutes: Option<i64>,
}

/// What one DescribeServiceDeployments answered.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Described {
    pub service_deployments: Vec<ServiceDeployment>,
}

/// What ECS's history could be read as on this endpoint.
#[derive(Debug, Clone, PartialEq)]
pub enum History {
    /// Newest first, at most [`PAGE`].
    Read(Vec<ServiceDeployment>),
    /// The endpoint does not serve the history (an emulator answering
    /// without an AWS error code).
    NotServed,
}

/// `…:service-revision/cluster/web/1234567890`: its last part, which is
/// what a person compares.
pub fn short_revision(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl ServiceDeployment {
    pub fn running(&self) -> bool {
        matches!(
            self.status.as_str(),
            "PENDING"
                | "IN_PROGRESS"
                | "ROLLBACK_REQUESTED"
                | "ROLLBACK_IN_PROGRESS"
                | "STOP_REQUESTED"
        )
    }

    /// ECS's id of it: the ARN's last part.
    pub fn id(&self) -> &str {
        short_revision(&self.service_deployment_arn)
    }

    pub fn started(&self) -> String {
        self.started_at.map(readable_time).unwrap_or_default()
    }

    pub fn finished(&self) -> String {
        self.finished_at
            .or(self.stopped_at)
            .map(readable_time)
            .unwrap_or_default()
    }

    /// The hook a person must answer (Continue or Roll back), if any.
    pub fn awaiting(&self) -> Option<&HookDetail> {
        self.lifecycle_hook_details
            .iter()
            .find(|h| h.status == "AWAITING_ACTION")
    }

    /// Minutes of bake time left at `now` (seconds since the epoch), while
    /// it bakes, counted from ECS's last change to it (entering the bake).
    pub fn bake_left(&self, now: f64) -> Option<i64> {
        if self.lifecycle_stage.as_deref() != Some("BAKE_TIME") {
            return None;
        }
        let bake = self
            .deployment_configuration
            .as_ref()?
            .bake_time_in_minutes?;
        let entered = self.updated_at?;
        let passed = ((now - entered) / 60.0).floor() as i64;
        Some((bake - passed).max(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_reads_with_what_the_sdk_does_not_know() {
        let answer = serde_json::json!({"serviceDeployments": [{
            "serviceDeploymentArn": "arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/c/web/abc",
            "status": "IN_PROGRESS",
            "startedAt": 1764978000.0,
            "updatedAt": 1764979200.0,
            "lifecycleStage": "BAKE_TIME",
            "deploymentConfiguration": {"strategy": "CANARY", "bakeTimeInMinutes": 10},
            "lifecycleHookDetails": [{"hookId": "ecs-pause-1", "targetType": "PAUSE",
                "status": "AWAITING_ACTION", "timeoutAction": "ROLLBACK"}],
            "targetServiceRevision": {"arn": "arn:…:service-revision/c/web/222",
                "requestedProductionTrafficWeight": 5.0}
        }]});
        let described: Described = serde_json::from_value(answer).unwrap();
        let deployment = &described.service_deployments[0];
        assert!(deployment.running());
        assert_eq!(deployment.id(), "abc");
        assert_eq!(deployment.awaiting().unwrap().hook_id, "ecs-pause-1");
        assert_eq!(deployment.bake_left(1764979200.0 + 4.5 * 60.0), Some(6));
        assert_eq!(deployment.bake_left(1764979200.0 + 60.0 * 60.0), Some(0));
        assert_eq!(
            deployment
                .target_service_revision
                .as_ref()
                .unwrap()
                .requested_production_traffic_weight,
            Some(5.0)
        );
        assert_eq!(short_revision("arn:…:service-revision/c/web/222"), "222");
    }
}
