//! What reference 001's troubleshooting section reads from a terminal, as
//! the service page shows it: each target's health with its reason, each
//! task with its containers and why it stopped — and, for the reasons
//! beginners meet most, what they usually mean and what to do (catalog keys
//! `why.*`, in English and Japanese).

/// One target of a target group, as DescribeTargetHealth gives it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetHealth {
    pub target_group: String,
    /// `10.0.1.23:80`
    pub target: String,
    /// initial, healthy, unhealthy, unused, draining, unavailable
    pub state: String,
    /// `Target.FailedHealthChecks`, …
    pub reason: String,
    pub description: String,
}

impl TargetHealth {
    /// The catalog key of what this state usually means, or None when
    /// there is nothing to explain (healthy).
    pub fn explanation(&self) -> Option<&'static str> {
        Some(match self.reason.as_str() {
            "Target.FailedHealthChecks" => "why.target_failed_health_checks",
            "Target.ResponseCodeMismatch" => "why.target_response_code_mismatch",
            "Target.Timeout" => "why.target_timeout",
            "Target.NotRegistered" => "why.target_not_registered",
            "Target.NotInUse" => "why.target_not_in_use",
            "Target.DeregistrationInProgress" => "why.target_draining",
            "Elb.RegistrationInProgress" | "Elb.InitialHealthChecking" => "why.target_initial",
            _ if self.state == "unhealthy" => "why.target_failed_health_checks",
            _ => return None,
        })
    }

    /// `healthy` / `unhealthy` / other, for the badge's colour.
    pub fn class(&self) -> &'static str {
        match self.state.as_str() {
            "healthy" => "ok",
            "unhealthy" | "unavailable" => "error",
            _ => "warning",
        }
    }
}

/// One container of a task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerState {
    pub name: String,
    pub last_status: String,
    /// HEALTHY, UNHEALTHY or UNKNOWN; empty without a health check.
    pub health: String,
    pub exit_code: Option<i32>,
    pub reason: String,
}

/// A task of a service, running or recently stopped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskSummary {
    pub arn: String,
    /// `family:7`
    pub revision: String,
    pub last_status: String,
    pub desired_status: String,
    pub health: String,
    pub started_at: String,
    pub stopped_at: String,
    /// `TaskFailedToStart`, `EssentialContainerExited`, …
    pub stop_code: String,
    pub stopped_reason: String,
    pub private_ip: String,
    pub containers: Vec<ContainerState>,
}

impl TaskSummary {
    /// The task's id: the last part of its ARN.
    pub fn id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }

    pub fn stopped(&self) -> bool {
        self.last_status == "STOPPED"
    }

    /// The catalog key of what its stop usually means and what to do, read
    /// from the stopped reason and its containers' reasons.
    pub fn explanation(&self) -> Option<&'static str> {
        let mut texts = vec![self.stopped_reason.as_str()];
        texts.extend(self.containers.iter().map(|c| c.reason.as_str()));
        let said = |needle: &str| texts.iter().any(|t| t.contains(needle));
        Some(if said("CannotPullContainerError") {
            "why.cannot_pull"
        } else if said("ResourceInitializationError") {
            "why.resource_initialization"
        } else if said("failed container health checks") || self.health == "UNHEALTHY" {
            "why.container_health_check"
        } else if said("ELB health checks") || said("failed ELB health") {
            "why.elb_health_check"
        } else if said("Essential container in task exited") {
            "why.essential_container_exited"
        } else if said("OutOfMemory") || self.containers.iter().any(|c| c.exit_code == Some(137)) {
            "why.out_of_memory"
        } else if said("CannotStartContainerError") {
            "why.cannot_start"
        } else if self.stop_code == "SpotInterruption" {
            "why.spot_interruption"
        } else if said("Scaling activity initiated by") || said("deployment") {
            "why.replaced"
        } else {
            return None;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stopped(reason: &str, container_reason: &str, exit_code: Option<i32>) -> TaskSummary {
        TaskSummary {
            arn: "arn:aws:ecs:ap-northeast-1:123456789012:task/web/0123abcd".into(),
            last_status: "STOPPED".into(),
            stop_code: "TaskFailedToStart".into(),
            stopped_reason: reason.into(),
            containers: vec![ContainerState {
                name: "web".into(),
                reason: container_reason.into(),
                exit_code,
                ..ContainerState::default()
            }],
            ..TaskSummary::default()
        }
    }

    #[test]
    fn the_common_stop_reasons_are_explained() {
        let pull = stopped(
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:v9: not found",
            "",
            None,
        );
        assert_eq!(pull.id(), "0123abcd");
        assert!(pull.stopped());
        assert_eq!(pull.explanation(), Some("why.cannot_pull"));
        let secrets = stopped(
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed",
            "",
            None,
        );
        assert_eq!(secrets.explanation(), Some("why.resource_initialization"));
        let exited = stopped("Essential container in task exited", "", Some(1));
        assert_eq!(exited.explanation(), Some("why.essential_container_exited"));
        let killed = stopped("Essential container in task exited", "", Some(137));
        // An essential exit is said first; its exit code tells why.
        assert_eq!(killed.explanation(), Some("why.essential_container_exited"));
        let oom = stopped(
            "",
            "OutOfMemoryError: Container killed due to memory usage",
            None,
        );
        assert_eq!(oom.explanation(), Some("why.out_of_memory"));
        let health = stopped("Task failed container health checks", "", None);
        assert_eq!(health.explanation(), Some("why.container_health_check"));
        let elb = stopped(
            "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:…)",
            "",
            None,
        );
        assert_eq!(elb.explanation(), Some("why.elb_health_check"));
        let scaled = stopped(
            "Scaling activity initiated by (deployment ecs-svc/1)",
            "",
            None,
        );
        assert_eq!(scaled.explanation(), Some("why.replaced"));
        assert_eq!(stopped("", "", Some(0)).explanation(), None);
    }

    #[test]
    fn target_reasons_are_explained_and_coloured() {
        let target = |state: &str, reason: &str| TargetHealth {
            state: state.into(),
            reason: reason.into(),
            ..TargetHealth::default()
        };
        let failing = target("unhealthy", "Target.ResponseCodeMismatch");
        assert_eq!(
            failing.explanation(),
            Some("why.target_response_code_mismatch")
        );
        assert_eq!(failing.class(), "error");
        assert_eq!(
            target("unhealthy", "Target.Timeout").explanation(),
            Some("why.target_timeout")
        );
        assert_eq!(
            target("initial", "Elb.RegistrationInProgress").class(),
            "warning"
        );
        assert_eq!(target("healthy", "").explanation(), None);
        assert_eq!(target("healthy", "").class(), "ok");
        assert_eq!(
            target("unhealthy", "Something.New").explanation(),
            Some("why.target_failed_health_checks")
        );
    }
}
