//! What else in the account uses the resources a tear-down would delete.

use std::collections::HashSet;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    /// Target groups and security groups other services of the cluster use.
    pub target_groups: HashSet<String>,
    pub security_groups: HashSet<String>,
    /// Load balancers with listeners, and listeners with rules, that the
    /// service's run did not make.
    pub shared: HashSet<String>,
    /// The service's auto scaling as it stands, whoever set it up: the
    /// tear-down removes it first.
    pub scaling: Option<super::scaling::ScalingRead>,
}
