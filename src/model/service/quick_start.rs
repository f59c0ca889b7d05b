//! The quick start: an image and a port become a service behind a load
//! balancer, with what ECS Express Mode gives (a canary deployment that a
//! 5xx alarm rolls back, auto scaling, HTTPS when a domain is given) and
//! everything shown. The form's few values fill the service wizard's own
//! fields (`service_fields`), so the draft, plan, review, journal and
//! tear-down are the service wizard's; what the account lacks — the task
//! execution role, the cluster, the log group — and the task definition
//! are made first by the same plan (`prerequisites`).

use serde::{Deserialize, Serialize};

use crate::model::cluster::Cluster;
use crate::model::common::KeyValuePair;
use crate::model::container::{ContainerDefinition, PortMapping, Secret};
use crate::model::defaults::{awslogs, log_group, new_task_definition};
use crate::model::fargate::{is_valid_pair, parse_cpu, parse_memory};
use crate::model::log_group::LogGroup;
use crate::model::network::{Reach, SubnetSummary};
use crate::model::role::{Role, RoleKind};
use crate::model::service::prerequisites::Prerequisites;
use crate::model::task_definition::TaskDefinition;
use crate::model::validate::Issue;

/// Express Mode's cluster.
pub const CLUSTER: &str = "default";
/// Environment variables and secrets a quick start takes at most.
pub const MAX_VARIABLES: usize = 50;
/// Longest name derived from the image: `-alb-sg` still fits ELB's 32.
const MAX_NAME: usize = 24;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuickStart {
    pub image: String,
    pub container_port: i64,
    pub health_check_path: String,
    /// CPU units and MiB, a Fargate pair.
    pub cpu: String,
    pub memory: String,
    pub min_tasks: i64,
    pub max_tasks: i64,
    /// `shop.example.com` and its hosted zone: HTTPS with a certificate
    /// requested for it, port 80 redirecting.
    pub domain: String,
    pub hosted_zone_id: String,
    pub environment: Vec<(String, String)>,
    /// Name and the ARN of a Secrets Manager secret or SSM parameter.
    pub secrets: Vec<(String, String)>,
}

impl Default for QuickStart {
    fn default() -> Self {
        Self {
            image: String::new(),
            container_port: 80,
            health_check_path: "/".into(),
            cpu: "256".into(),
            memory: "512".into(),
            min_tasks: 1,
            max_tasks: 4,
            domain: String::new(),
            hosted_zone_id: String::new(),
            environment: Vec::new(),
            secrets: Vec::new(),
        }
    }
}

/// What the account has that the quick start uses or makes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    pub account: String,
    pub region: String,
    pub partition: String,
    /// The default VPC and its subnets.
    pub vpc_id: String,
    pub subnets: Vec<SubnetSummary>,
    pub role_exists: bool,
    pub cluster_exists: bool,
    pub log_group_exists: bool,
    /// The ARN of the infrastructure role ECS's canary needs, when the
    /// account has one of the default name (one serves every service).
    pub infrastructure_role: Option<String>,
}

/// Where the tasks and the load balancer go in the default VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub tasks: Vec<String>,
    /// Empty: the tasks' subnets.
    pub load_balancer: Vec<String>,
    pub public_ip: bool,
}

/// One subnet per zone, of those `keep` accepts, in zone order.
fn one_per_zone(subnets: &[SubnetSummary], keep: impl Fn(&SubnetSummary) -> bool) -> Vec<String> {
    let mut zones: Vec<&str> = Vec::new();
    let mut chosen = Vec::new();
    for subnet in subnets.iter().filter(|s| keep(s)) {
        if !zones.contains(&subnet.zone.as_str()) {
            zones.push(&subnet.zone);
            chosen.push(subnet.id.clone());
        }
    }
    chosen
}

impl Found {
    /// Private subnets with a NAT gateway in two zones or more keep the
    /// tasks off the internet (the load balancer in the public ones);
    /// otherwise the tasks share the public subnets with a public IP, as
    /// Express Mode does in a default VPC.
    pub fn placement(&self) -> Placement {
        let public = one_per_zone(&self.subnets, |s| s.reach == Reach::Public);
        let private = one_per_zone(&self.subnets, |s| s.reach == Reach::PrivateWithNat);
        if private.len() >= 2 && public.len() >= 2 {
            Placement {
                tasks: private,
                load_balancer: public,
                public_ip: false,
            }
        } else {
            // A VPC without a way out still gets its subnets: preflight
            // says what they lack, beside the fix.
            let tasks = if public.is_empty() {
                one_per_zone(&self.subnets, |_| true)
            } else {
                public
            };
            Placement {
                tasks,
                load_balancer: Vec::new(),
                public_ip: true,
            }
        }
    }
}

impl QuickStart {
    /// The repository's name, made a name every resource takes:
    /// `…/shop/web:v3` → `shop-web`.
    pub fn name(&self) -> String {
        let without_digest = self.image.split('@').next().unwrap_or_default();
        let mut parts: Vec<&str> = without_digest.split('/').collect();
        if parts.len() > 1
            && (parts[0].contains('.') || parts[0].contains(':') || parts[0] == "localhost")
        {
            parts.remove(0);
        }
        let path = parts.join("/");
        let repository = match path.rsplit_once(':') {
            Some((repo, _tag)) => repo.to_string(),
            None => path,
        };
        let mut name = String::new();
        for c in repository.chars() {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() {
                name.push(c);
            } else if !name.ends_with('-') && !name.is_empty() {
                name.push('-');
            }
        }
        let mut name: String = name.chars().take(MAX_NAME).collect();
        while name.ends_with('-') {
            name.pop();
        }
        name
    }

    /// What the form cannot take, beside its field. The service wizard's
    /// own checks run on the draft it fills.
    pub fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        let image = self.image.trim();
        if image.is_empty() {
            issues.push(Issue::error("image", "v.required"));
        } else if image.len() > 255
            || image.chars().any(char::is_whitespace)
            || self.name().is_empty()
        {
            issues.push(Issue::error("image", "v.quick_image"));
        }
        if !(1..=65535).contains(&self.container_port) {
            issues.push(
                Issue::error("containerPort", "v.range")
                    .with("min", "1")
                    .with("max", "65535"),
            );
        }
        match (parse_cpu(&self.cpu), parse_memory(&self.memory)) {
            (Some(cpu), Some(memory)) if is_valid_pair(cpu, memory) => {}
            _ => issues.push(Issue::error("cpu", "v.quick_size")),
        }
        if self.environment.len() > MAX_VARIABLES || self.secrets.len() > MAX_VARIABLES {
            issues.push(
                Issue::error("environment", "v.quick_too_many")
                    .with("max", MAX_VARIABLES.to_string()),
            );
        }
        if self.domain.is_empty() != self.hosted_zone_id.is_empty() {
            issues.push(Issue::error("domain", "v.quick_domain_zone"));
        }
        issues
    }

    /// The execution role the plan makes when the account has none: the
    /// console's, with read access to exactly the secrets named. Its log
    /// group is made by the plan, so it needs no CreateLogGroup.
    fn role(&self, partition: &str) -> Role {
        let mut role = Role::new(RoleKind::Execution, partition);
        role.create_log_groups = false;
        for (_, from) in &self.secrets {
            if from.contains(":secretsmanager:") {
                role.read_secrets = true;
                role.secret_arns.push(from.clone());
            } else if from.contains(":ssm:") {
                role.read_parameters = true;
                role.parameter_arns.push(from.clone());
            }
        }
        role
    }

    pub fn task_definition(&self, found: &Found) -> TaskDefinition {
        let name = self.name();
        let mut logging = awslogs(&name, &found.region);
        // The plan makes the group: the role needs no CreateLogGroup.
        logging.options.remove("awslogs-create-group");
        let container = ContainerDefinition {
            name: name.clone(),
            image: self.image.trim().to_string(),
            essential: Some(true),
            port_mappings: vec![PortMapping {
                container_port: Some(self.container_port),
                protocol: Some("tcp".into()),
                ..PortMapping::default()
            }],
            environment: self
                .environment
                .iter()
                .map(|(k, v)| KeyValuePair {
                    name: Some(k.clone()),
                    value: Some(v.clone()),
                })
                .collect(),
            secrets: self
                .secrets
                .iter()
                .map(|(name, value_from)| Secret {
                    name: name.clone(),
                    value_from: value_from.clone(),
                })
                .collect(),
            log_configuration: Some(logging),
            ..ContainerDefinition::default()
        };
        TaskDefinition {
            family: name.clone(),
            cpu: Some(self.cpu.clone()),
            memory: Some(self.memory.clone()),
            execution_role_arn: Some(format!(
                "arn:{}:iam::{}:role/{}",
                found.partition,
                found.account,
                RoleKind::Execution.default_name()
            )),
            container_definitions: vec![container],
            ..new_task_definition()
        }
    }

    /// What the plan makes before the service: what the account lacks,
    /// and the task definition.
    pub fn prerequisites(&self, found: &Found) -> Prerequisites {
        let name = self.name();
        Prerequisites {
            role: (!found.role_exists).then(|| self.role(&found.partition)),
            cluster: (!found.cluster_exists).then(|| Cluster {
                cluster_name: CLUSTER.into(),
                ..Cluster::default()
            }),
            log_group: (!found.log_group_exists).then(|| LogGroup {
                log_group_name: log_group(&name),
                ..LogGroup::default()
            }),
            task_definition: Some(self.task_definition(found)),
        }
    }

    /// The service wizard's fields as the quick start fills them: the
    /// draft is then read by the wizard's own form decoder, with its
    /// defaults and checks.
    pub fn service_fields(&self, found: &Found) -> Vec<(String, String)> {
        let name = self.name();
        let place = found.placement();
        let mut fields: Vec<(String, String)> = [
            ("cluster", CLUSTER.to_string()),
            ("serviceName", name.clone()),
            ("desiredCount", self.min_tasks.to_string()),
            ("healthCheckGracePeriodSeconds", "60".into()),
            ("vpcId", found.vpc_id.clone()),
            ("loadBalancing", "new".into()),
            ("securityGroupChoice", "new".into()),
            ("container", format!("{name}:{}", self.container_port)),
            (
                "loadBalancer.targetGroup.healthCheckPath",
                self.health_check_path.clone(),
            ),
            // ECS's canary, rolled back by the circuit breaker and by an
            // alarm on the tasks' 5xx responses.
            ("deploymentStrategy", "CANARY".into()),
            (
                "shift.role",
                found
                    .infrastructure_role
                    .clone()
                    .unwrap_or_else(|| "create".into()),
            ),
            ("circuitBreaker", "on".into()),
            ("rollback", "on".into()),
            ("alarms.create", "on".into()),
            ("alarms.rollback", "on".into()),
            ("autoScaling.enabled", "on".into()),
            ("autoScaling.minTasks", self.min_tasks.to_string()),
            ("autoScaling.maxTasks", self.max_tasks.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if place.public_ip {
            fields.push(("assignPublicIp".into(), "on".into()));
        }
        for subnet in &place.tasks {
            fields.push((format!("subnet.{subnet}"), "on".into()));
        }
        for subnet in &place.load_balancer {
            fields.push((format!("lbSubnet.{subnet}"), "on".into()));
        }
        if !self.domain.is_empty() {
            fields.push(("domain.name".into(), self.domain.clone()));
            fields.push(("domain.hostedZoneId".into(), self.hosted_zone_id.clone()));
            fields.push(("loadBalancer.certificateArn".into(), "request".into()));
            fields.push(("loadBalancer.redirectHttp".into(), "on".into()));
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick(image: &str) -> QuickStart {
        QuickStart {
            image: image.into(),
            ..QuickStart::default()
        }
    }

    fn subnet(id: &str, zone: &str, reach: Reach) -> SubnetSummary {
        SubnetSummary {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            zone: zone.into(),
            cidr: String::new(),
            name: String::new(),
            reach,
            nat_gateway: (reach == Reach::PrivateWithNat).then(|| "nat-1".into()),
        }
    }

    fn found() -> Found {
        Found {
            account: "123456789012".into(),
            region: "ap-northeast-1".into(),
            partition: "aws".into(),
            vpc_id: "vpc-1".into(),
            subnets: vec![
                subnet("subnet-a", "ap-northeast-1a", Reach::Public),
                subnet("subnet-a2", "ap-northeast-1a", Reach::Public),
                subnet("subnet-c", "ap-northeast-1c", Reach::Public),
            ],
            ..Found::default()
        }
    }

    #[test]
    fn names_come_from_the_repository() {
        let ecr = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com";
        assert_eq!(quick(&format!("{ecr}/shop/web:v3")).name(), "shop-web");
        assert_eq!(quick("nginx:latest").name(), "nginx");
        assert_eq!(quick("nginx").name(), "nginx");
        assert_eq!(
            quick("public.ecr.aws/nginx/nginx:1.27").name(),
            "nginx-nginx"
        );
        assert_eq!(quick("localhost:5000/App_1@sha256:abc").name(), "app-1");
        assert_eq!(
            quick(&format!("{ecr}/a-very-long-repository-name-indeed:v1")).name(),
            "a-very-long-repository-n"
        );
        assert_eq!(quick("---:v1").name(), "");
    }

    #[test]
    fn the_form_is_checked_beside_its_fields() {
        let keys = |q: &QuickStart| -> Vec<(String, &str)> {
            q.issues().into_iter().map(|i| (i.path, i.key)).collect()
        };
        assert!(keys(&quick("nginx:latest")).is_empty());
        assert_eq!(keys(&quick("")), [("image".to_string(), "v.required")]);
        assert_eq!(
            keys(&quick("a b")),
            [("image".to_string(), "v.quick_image")]
        );
        let mut q = quick("nginx");
        q.container_port = 0;
        q.cpu = "256".into();
        q.memory = "4096".into();
        q.domain = "shop.example.com".into();
        q.environment = vec![("A".into(), "b".into()); MAX_VARIABLES + 1];
        assert_eq!(
            keys(&q),
            [
                ("containerPort".to_string(), "v.range"),
                ("cpu".to_string(), "v.quick_size"),
                ("environment".to_string(), "v.quick_too_many"),
                ("domain".to_string(), "v.quick_domain_zone"),
            ]
        );
    }

    #[test]
    fn a_default_vpc_puts_tasks_in_its_public_subnets_with_a_public_ip() {
        let place = found().placement();
        assert_eq!(place.tasks, ["subnet-a", "subnet-c"], "one per zone");
        assert!(place.public_ip && place.load_balancer.is_empty());
        let mut with_nat = found();
        with_nat.subnets.extend([
            subnet("subnet-p1", "ap-northeast-1a", Reach::PrivateWithNat),
            subnet("subnet-p2", "ap-northeast-1d", Reach::PrivateWithNat),
        ]);
        let place = with_nat.placement();
        assert_eq!(place.tasks, ["subnet-p1", "subnet-p2"]);
        assert_eq!(place.load_balancer, ["subnet-a", "subnet-c"]);
        assert!(!place.public_ip);
        // No way out at all: its subnets still, for preflight to explain.
        let mut isolated = found();
        for s in &mut isolated.subnets {
            s.reach = Reach::Isolated;
        }
        assert_eq!(isolated.placement().tasks, ["subnet-a", "subnet-c"]);
    }

    #[test]
    fn only_what_the_account_lacks_is_made_first() {
        let q = quick("nginx:latest");
        let mut f = found();
        let all = q.prerequisites(&f);
        assert!(all.role.is_some() && all.cluster.is_some() && all.log_group.is_some());
        assert_eq!(
            all.cluster.as_ref().map(|c| c.cluster_name.as_str()),
            Some("default")
        );
        assert_eq!(
            all.log_group.as_ref().map(|g| g.log_group_name.as_str()),
            Some("/ecs/nginx")
        );
        f.role_exists = true;
        f.cluster_exists = true;
        f.log_group_exists = true;
        let none = q.prerequisites(&f);
        assert!(none.role.is_none() && none.cluster.is_none() && none.log_group.is_none());
        assert!(none.task_definition.is_some(), "a new revision every time");
    }

    #[test]
    fn the_task_definition_runs_the_image_on_its_port_and_logs() {
        let mut q = quick("nginx:latest");
        q.environment = vec![("MODE".into(), "prod".into())];
        q.secrets = vec![(
            "DB_PASSWORD".into(),
            "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf".into(),
        )];
        let td = q.task_definition(&found());
        assert_eq!(td.family, "nginx");
        assert_eq!(
            (td.cpu.as_deref(), td.memory.as_deref()),
            (Some("256"), Some("512"))
        );
        assert_eq!(
            td.execution_role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/ecsTaskExecutionRole")
        );
        let c = &td.container_definitions[0];
        assert_eq!(c.port_mappings[0].container_port, Some(80));
        let logging = c.log_configuration.as_ref().expect("awslogs");
        assert_eq!(logging.options["awslogs-group"], "/ecs/nginx");
        assert!(!logging.options.contains_key("awslogs-create-group"));
        assert!(
            crate::model::validate::validate(&td)
                .iter()
                .all(|i| !i.is_error()),
            "{:?}",
            crate::model::validate::validate(&td)
        );
        // The role it makes reads exactly that secret, and creates no group.
        let role = q.prerequisites(&found()).role.expect("made");
        assert!(role.read_secrets && !role.create_log_groups);
        assert_eq!(role.secret_arns.len(), 1);
    }

    #[test]
    fn the_service_fields_ask_for_a_canary_rolled_back_by_alarms_and_scaled() {
        let mut q = quick("nginx:latest");
        q.min_tasks = 2;
        q.max_tasks = 6;
        q.domain = "shop.example.com".into();
        q.hosted_zone_id = "Z123".into();
        let fields = q.service_fields(&found());
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("serviceName"), Some("nginx"));
        assert_eq!(get("cluster"), Some("default"));
        assert_eq!(get("desiredCount"), Some("2"));
        assert_eq!(get("deploymentStrategy"), Some("CANARY"));
        assert_eq!(get("alarms.create"), Some("on"));
        assert_eq!(get("autoScaling.maxTasks"), Some("6"));
        assert_eq!(get("container"), Some("nginx:80"));
        assert_eq!(get("assignPublicIp"), Some("on"));
        assert_eq!(get("subnet.subnet-a"), Some("on"));
        assert_eq!(get("loadBalancer.certificateArn"), Some("request"));
        assert_eq!(get("domain.name"), Some("shop.example.com"));
        assert_eq!(get("shift.role"), Some("create"));
        // The account's infrastructure role is used, not made again.
        let arn = "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers";
        let mut with_role = found();
        with_role.infrastructure_role = Some(arn.into());
        let fields = q.service_fields(&with_role);
        assert!(fields.contains(&("shift.role".to_string(), arn.to_string())));
    }
}
