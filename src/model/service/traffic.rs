//! What ECS's blue/green, linear and canary deployments need besides the
//! service: the infrastructure role ECS moves traffic with (made by the
//! plan, or chosen), and an optional test listener's port. The service
//! draft holds it; `shift.rs` turns it into the plan's calls.

use serde::{Deserialize, Serialize};
use serde_json::json;

/// Who assumes the infrastructure role: ECS itself, not its tasks.
pub const ECS_SERVICE: &str = "ecs.amazonaws.com";
/// AWS's managed policy for it (at IAM's root path, not `service-role/`).
pub const INFRASTRUCTURE_POLICY_NAME: &str = "AmazonECSInfrastructureRolePolicyForLoadBalancers";
/// The name AWS's guide gives the role.
pub const DEFAULT_ROLE_NAME: &str = "ecsInfrastructureRoleForLoadBalancers";

/// What a traffic-moving strategy needs besides the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrafficShift {
    /// An existing role ECS assumes; empty: the plan makes `role_name`.
    pub role_arn: String,
    pub role_name: String,
    /// The partition the managed policy is in (`aws`, `aws-cn`).
    pub partition: String,
    /// A second listener on the load balancer that reaches the new
    /// revision before production traffic does; 0: none.
    pub test_port: i64,
}

impl Default for TrafficShift {
    fn default() -> Self {
        Self {
            role_arn: String::new(),
            role_name: DEFAULT_ROLE_NAME.into(),
            partition: "aws".into(),
            test_port: 0,
        }
    }
}

impl TrafficShift {
    pub fn policy_arn(&self) -> String {
        format!(
            "arn:{}:iam::aws:policy/{INFRASTRUCTURE_POLICY_NAME}",
            self.partition
        )
    }

    /// The role's trust, as AWS's guide writes it.
    pub fn trust_policy() -> serde_json::Value {
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AllowAccessToECSForInfrastructureManagement",
                "Effect": "Allow",
                "Principal": {"Service": ECS_SERVICE},
                "Action": "sts:AssumeRole"
            }]
        })
    }

    pub fn creates_role(&self) -> bool {
        self.role_arn.is_empty()
    }
}
