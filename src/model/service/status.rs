//! A service as its pages show it: counts, revision, where it runs, its
//! deployments and its newest events (read from DescribeServices).

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceStatus {
    pub name: String,
    pub arn: String,
    pub status: String,
    pub desired: i64,
    pub running: i64,
    pub pending: i64,
    pub task_definition: String,
    /// `FARGATE`, or the capacity providers of its strategy.
    pub launch_type: String,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub public_ip: bool,
    pub deployments: Vec<Deployment>,
    /// Newest first: every event ECS keeps (100), of which the page lists
    /// the newest `EVENTS_SHOWN` and the task chart counts the rest.
    pub events: Vec<ServiceEvent>,
    pub target_group_arns: Vec<String>,
    /// Its target groups and their load balancers, as CloudWatch names them.
    pub balanced: Vec<super::metrics::Balanced>,
    /// The DNS names of the load balancers in front of it.
    pub dns_names: Vec<String>,
    /// The domain the wizard pointed at it (its `ecs-wizard:domain` tag).
    pub domain: String,
    /// When it was made: with its ARN, it tells a service from a later
    /// one of the same name.
    pub created_at: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Deployment {
    /// PRIMARY, ACTIVE or INACTIVE.
    pub status: String,
    /// IN_PROGRESS, COMPLETED or FAILED.
    pub rollout_state: String,
    pub reason: String,
    pub task_definition: String,
    pub desired: i64,
    pub running: i64,
    pub pending: i64,
    pub created_at: String,
    /// `created_at` in Unix seconds, where the charts mark it.
    pub started: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceEvent {
    pub at: String,
    /// `at` in Unix seconds.
    pub epoch: f64,
    pub message: String,
}

/// Events the service page lists.
pub const EVENTS_SHOWN: usize = 20;

impl ServiceStatus {
    /// The newest events, as the page lists them.
    pub fn shown_events(&self) -> &[ServiceEvent] {
        &self.events[..self.events.len().min(EVENTS_SHOWN)]
    }

    /// `(time, message)` of every event kept, newest first.
    pub fn event_log(&self) -> Vec<(f64, String)> {
        self.events
            .iter()
            .map(|e| (e.epoch, e.message.clone()))
            .collect()
    }

    /// A deployment is under way: the page keeps itself fresh.
    pub fn deploying(&self) -> bool {
        self.deployments.len() > 1
            || self
                .deployments
                .iter()
                .any(|d| d.rollout_state == "IN_PROGRESS")
    }

    /// A deployment the circuit breaker stopped.
    pub fn failed(&self) -> bool {
        self.deployments.iter().any(|d| d.rollout_state == "FAILED")
    }

    /// The family of its task definition: `web` of `…/web:7`.
    pub fn family(&self) -> &str {
        self.revision().rsplit_once(':').map_or("", |(f, _)| f)
    }

    /// Where the history shows its revision: `/task-definitions/web/7`.
    pub fn revision_path(&self) -> String {
        match self.revision().rsplit_once(':') {
            Some((family, number)) => format!("/task-definitions/{family}/{number}"),
            None => String::new(),
        }
    }

    /// `family:7` of its task definition ARN.
    pub fn revision(&self) -> &str {
        self.task_definition
            .rsplit_once('/')
            .map_or(self.task_definition.as_str(), |(_, r)| r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(rollout_state: &str) -> Deployment {
        Deployment {
            rollout_state: rollout_state.into(),
            ..Deployment::default()
        }
    }

    #[test]
    fn a_service_is_deploying_while_a_rollout_is_under_way() {
        let mut service = ServiceStatus {
            task_definition: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:7".into(),
            deployments: vec![deployment("COMPLETED")],
            ..ServiceStatus::default()
        };
        assert!(!service.deploying());
        assert_eq!(service.revision(), "web:7");
        assert_eq!(service.family(), "web");
        assert_eq!(service.revision_path(), "/task-definitions/web/7");
        service.deployments.push(deployment("IN_PROGRESS"));
        assert!(service.deploying());
        service.deployments = vec![deployment("FAILED")];
        assert!(service.failed() && !service.deploying());
    }
}
