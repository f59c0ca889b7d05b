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
    /// The cluster has services besides this one: a cluster the run made
    /// is kept.
    pub cluster_in_use: bool,
    /// The account has task definition families besides the service's:
    /// the execution role the run made may run them, and is kept.
    pub role_in_use: bool,
}
