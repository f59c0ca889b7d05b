//! What the service wizard reads about the account's network: VPCs, their
//! subnets (public or private, from their route tables), security groups,
//! and the target groups a service can join.

/// How a subnet reaches the internet, from its route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// A route 0.0.0.0/0 to an internet gateway.
    Public,
    /// A route 0.0.0.0/0 to a NAT gateway: out, not in.
    PrivateWithNat,
    /// No default route out: tasks cannot pull images from the internet.
    Isolated,
}

impl Reach {
    pub fn key(self) -> &'static str {
        match self {
            Reach::Public => "ui.subnet_public",
            Reach::PrivateWithNat => "ui.subnet_private_nat",
            Reach::Isolated => "ui.subnet_isolated",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct VpcSummary {
    pub id: String,
    pub cidr: String,
    pub is_default: bool,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubnetSummary {
    pub id: String,
    pub vpc_id: String,
    pub zone: String,
    pub cidr: String,
    pub name: String,
    pub reach: Reach,
    /// The NAT gateway its default route goes to, when it is private.
    pub nat_gateway: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroupSummary {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroupSummary {
    pub arn: String,
    pub name: String,
    pub protocol: String,
    pub port: i64,
    pub target_type: String,
    pub vpc_id: String,
    /// The load balancers that send to it; none means ECS will refuse it.
    pub load_balancer_arns: Vec<String>,
}

/// An Application Load Balancer of the VPC, to give a new listener.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancerSummary {
    pub arn: String,
    pub name: String,
    pub dns_name: String,
    /// The zone ELB gives its names: a Route 53 alias to it names this.
    pub canonical_zone: String,
    pub internet_facing: bool,
    pub security_groups: Vec<String>,
}

/// A route table as far as reach is concerned.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RouteTable {
    pub main: bool,
    /// Subnets explicitly associated with it.
    pub subnets: Vec<String>,
    /// Targets of its 0.0.0.0/0 routes: `igw-…`, `nat-…`.
    pub default_targets: Vec<String>,
}

/// A subnet uses the table it is associated with, or the VPC's main table.
fn table_of<'a>(subnet: &str, tables: &'a [RouteTable]) -> Option<&'a RouteTable> {
    tables
        .iter()
        .find(|t| t.subnets.iter().any(|s| s == subnet))
        .or_else(|| tables.iter().find(|t| t.main))
}

/// The NAT gateway a private subnet goes out through, if any.
pub fn nat_of(subnet: &str, tables: &[RouteTable]) -> Option<String> {
    if reach_of(subnet, tables) != Reach::PrivateWithNat {
        return None;
    }
    table_of(subnet, tables)?
        .default_targets
        .iter()
        .find(|t| t.starts_with("nat-"))
        .cloned()
}

pub fn reach_of(subnet: &str, tables: &[RouteTable]) -> Reach {
    let Some(table) = table_of(subnet, tables) else {
        return Reach::Isolated;
    };
    if table.default_targets.iter().any(|t| t.starts_with("igw-")) {
        Reach::Public
    } else if table.default_targets.iter().any(|t| t.starts_with("nat-")) {
        Reach::PrivateWithNat
    } else {
        Reach::Isolated
    }
}

/// The network around one VPC, as the form shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkFacts {
    pub vpcs: Vec<VpcSummary>,
    pub subnets: Vec<SubnetSummary>,
    pub security_groups: Vec<SecurityGroupSummary>,
    pub target_groups: Vec<TargetGroupSummary>,
    pub load_balancers: Vec<LoadBalancerSummary>,
}

impl NetworkFacts {
    pub fn subnet(&self, id: &str) -> Option<&SubnetSummary> {
        self.subnets.iter().find(|s| s.id == id)
    }

    /// The default VPC, else the first.
    pub fn preferred_vpc(&self) -> Option<&VpcSummary> {
        self.vpcs
            .iter()
            .find(|v| v.is_default)
            .or_else(|| self.vpcs.first())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(main: bool, subnets: &[&str], targets: &[&str]) -> RouteTable {
        RouteTable {
            main,
            subnets: subnets.iter().map(|s| s.to_string()).collect(),
            default_targets: targets.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_subnet_is_public_when_its_table_routes_out_through_an_internet_gateway() {
        let tables = [
            table(true, &[], &["igw-1"]),
            table(false, &["subnet-nat"], &["nat-1"]),
            table(false, &["subnet-none"], &[]),
        ];
        assert_eq!(reach_of("subnet-any", &tables), Reach::Public, "main table");
        assert_eq!(reach_of("subnet-nat", &tables), Reach::PrivateWithNat);
        assert_eq!(nat_of("subnet-nat", &tables).as_deref(), Some("nat-1"));
        assert_eq!(reach_of("subnet-none", &tables), Reach::Isolated);
        assert_eq!(reach_of("subnet-any", &[]), Reach::Isolated);
    }
}
