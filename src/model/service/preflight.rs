//! Preflight: what the review checks against the account before anything is
//! created, like `ecspresso verify`. Each check has a title and the issues
//! it found; no issue means it passed. Errors block Create, warnings do not.

use super::draft::{LoadBalancing, ServiceDraft};
use crate::model::account::{AccountFacts, RoleDetails, RoleSummary, check_against_account};
use crate::model::certificate::Certificate;
use crate::model::domain::DomainFacts;
use crate::model::network::{NetworkFacts, Reach};
use crate::model::permissions::{allows_on, trusts_service};
use crate::model::service::traffic::ECS_SERVICE;
use crate::model::task_definition::TaskDefinition;
use crate::model::validate::Issue;

/// Names the plan would create that the account already uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Taken {
    pub service: bool,
    /// The existing load balancer already listens on the chosen port.
    pub listener_port: bool,
    /// The existing load balancer already listens on the test listener's port.
    pub test_port: bool,
    /// The existing listener already has a rule of the chosen priority.
    pub rule_priority: bool,
    pub load_balancer: bool,
    pub target_group: bool,
}

/// What the checks read from the account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceFacts {
    /// The chosen revision; None when the account has no such revision.
    pub task_definition: Option<TaskDefinition>,
    pub account: Option<AccountFacts>,
    /// The execution role with its policy documents, when it exists.
    pub execution_role: Option<RoleDetails>,
    pub network: NetworkFacts,
    pub taken: Taken,
    /// The region's issued certificates, read when an HTTPS listener is made.
    pub certificates: Option<Vec<Certificate>>,
    /// The hosted zones and the name's records, read when a domain is given.
    pub domain: Option<DomainFacts>,
    /// The infrastructure role (chosen, or of the name the plan would
    /// make), read when the strategy moves traffic; `Some(None)`: no such
    /// role.
    pub infrastructure_role: Option<Option<RoleSummary>>,
    /// Of the alarms named (chosen, and the one the plan would make), those
    /// the region has; read when any is named.
    pub alarms: Option<Vec<String>>,
    /// The roles chosen for Lambda hooks, by ARN; None: no such role.
    pub hook_roles: Vec<(String, Option<RoleSummary>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Catalog key of what is checked.
    pub title: &'static str,
    pub issues: Vec<Issue>,
}

pub fn preflight(draft: &ServiceDraft, facts: &ServiceFacts) -> Vec<Check> {
    let service = draft.service_request();
    let mut checks = Vec::new();
    let mut check = |title, issues| checks.push(Check { title, issues });

    match &facts.task_definition {
        None => check(
            "pf.task_definition",
            vec![
                Issue::error("taskDefinition", "v.pf_no_task_definition")
                    .with("name", &service.task_definition),
            ],
        ),
        Some(td) => {
            let mut issues = super::check_against_task_definition(&service, td);
            for issue in &mut issues {
                if issue.path.starts_with("loadBalancers.") {
                    issue.path = "container".into();
                }
            }
            // Registered elsewhere (console, CLI), it may wait on a HEALTHY
            // container that has no health check: its tasks never start.
            issues.extend(
                crate::model::validate::validate(td)
                    .into_iter()
                    .filter(|i| i.key == "v.healthy_needs_check"),
            );
            check("pf.task_definition", issues);
            check(
                "pf.execution_role",
                execution_role(td, facts.account.as_ref()),
            );
            let account = facts
                .account
                .as_ref()
                .map(|a| check_against_account(td, a))
                .unwrap_or_default();
            let (images, logs): (Vec<Issue>, Vec<Issue>) = account
                .into_iter()
                .filter(|i| !i.path.ends_with("RoleArn"))
                .partition(|i| i.path.ends_with(".image"));
            check("pf.images", images);
            if let (Some(role), Some(account)) = (&facts.execution_role, &facts.account) {
                check("pf.secrets", secrets(td, role, account));
            }
            let mut logs = logs;
            if let (Some(role), Some(account)) = (&facts.execution_role, &facts.account) {
                logs.extend(log_groups_to_create(td, role, account));
            }
            check("pf.log_groups", logs);
        }
    }
    check("pf.internet", internet(draft, &facts.network));
    if draft.load_balancing == LoadBalancing::New {
        let lb = draft.new_load_balancer();
        let mut zones = lb.check_zones(|id| facts.network.subnet(id).map(|s| s.zone.clone()));
        for issue in &mut zones {
            issue.path = "loadBalancer.subnets".into();
        }
        if lb.subnets.iter().any(|id| {
            facts
                .network
                .subnet(id)
                .is_some_and(|s| s.reach != Reach::Public)
        }) {
            zones.push(Issue::warning(
                "loadBalancer.subnets",
                "v.pf_lb_private_subnet",
            ));
        }
        check("pf.load_balancer_subnets", zones);
    }
    if draft.load_balancing == LoadBalancing::Existing {
        check("pf.target_group", existing_target_group(draft, facts));
    }
    if matches!(
        draft.load_balancing,
        LoadBalancing::ExistingLoadBalancer | LoadBalancing::ExistingListener
    ) {
        let mut issues = Vec::new();
        if draft.new_security_group && draft.load_balancer_groups.is_empty() {
            issues.push(Issue::error("loadBalancerArn", "v.service_lb_groups"));
        }
        check("pf.existing_load_balancer", issues);
    }
    if let Some(certificates) = &facts.certificates {
        check("pf.certificate", certificate(draft, certificates));
    }
    if let Some(domain) = &facts.domain {
        check("pf.domain", draft.domain.check(domain));
    }
    if draft.service.deployment_configuration.shifts_traffic() {
        check("pf.deployment_strategy", deployment_strategy(draft, facts));
    }
    if let Some(existing) = &facts.alarms {
        check("pf.alarms", alarms(draft, existing));
    }
    if !facts.hook_roles.is_empty() {
        check("pf.lifecycle_hooks", hook_roles(draft, &facts.hook_roles));
    }
    let mut taken = names(draft, &facts.taken);
    taken.extend(taken_group_names(draft, &facts.network));
    check("pf.names", taken);
    checks
}

/// What ECS needs to move traffic: AWS's ranges for the strategy's
/// settings, an Application Load Balancer, and a role ECS may assume (the
/// one chosen, or one of the new role's name already in the account).
fn deployment_strategy(draft: &ServiceDraft, facts: &ServiceFacts) -> Vec<Issue> {
    let mut issues: Vec<Issue> = draft
        .issues()
        .into_iter()
        .filter(|i| i.path.starts_with("deploymentConfiguration."))
        .collect();
    for issue in draft.shift_issues() {
        if !issues.contains(&issue) {
            issues.push(issue);
        }
    }
    if matches!(
        draft.load_balancing,
        LoadBalancing::ExistingLoadBalancer | LoadBalancing::ExistingListener
    ) && !facts
        .network
        .load_balancers
        .iter()
        .any(|lb| lb.arn == draft.load_balancer_arn)
    {
        // The VPC's load balancers are read Application ones only.
        issues.push(Issue::error("loadBalancerArn", "v.pf_shift_not_alb"));
    }
    let chosen = !draft.shift.role_arn.is_empty();
    match &facts.infrastructure_role {
        Some(None) if chosen => issues.push(Issue::error("shift.roleArn", "v.pf_shift_no_role")),
        Some(Some(role)) if !trusts_service(&role.trust, ECS_SERVICE) => issues.push(
            Issue::error(
                if chosen {
                    "shift.roleArn"
                } else {
                    "shift.roleName"
                },
                "v.pf_shift_role_trust",
            )
            .with("name", &role.name),
        ),
        // Creating a role of a name the account holds is refused by IAM
        // (EntityAlreadyExists) after the plan has begun.
        Some(Some(role)) if !chosen => issues.push(
            Issue::error("shift.roleName", "v.pf_shift_role_exists").with("name", &role.name),
        ),
        _ => {}
    }
    issues
}

/// Every chosen alarm exists (ECS would watch a name that never goes
/// off); an alarm of the new one's name is adopted as it is.
fn alarms(draft: &ServiceDraft, existing: &[String]) -> Vec<Issue> {
    let mut issues = Vec::new();
    let chosen = draft
        .service
        .deployment_configuration
        .alarms
        .iter()
        .flat_map(|a| a.alarm_names.iter());
    for name in chosen {
        if !existing.contains(name) {
            issues.push(
                Issue::error("deploymentConfiguration.alarms", "v.pf_alarm_missing")
                    .with("name", name),
            );
        }
    }
    let created = draft.error_alarm_name();
    if draft.makes_error_alarm() && existing.contains(&created) {
        issues.push(Issue::warning("alarms.create", "v.pf_alarm_exists").with("name", created));
    }
    issues
}

/// Each role a Lambda hook is called with exists and lets ECS assume it.
fn hook_roles(draft: &ServiceDraft, roles: &[(String, Option<RoleSummary>)]) -> Vec<Issue> {
    let mut issues = Vec::new();
    let hooks = &draft.service.deployment_configuration.lifecycle_hooks;
    for (n, hook) in hooks.iter().enumerate() {
        let Some(arn) = hook.role_arn.as_deref() else {
            continue;
        };
        let at = format!("hook.{n}.role");
        match roles.iter().find(|(a, _)| a == arn) {
            Some((_, None)) => {
                issues.push(Issue::error(&at, "v.pf_hook_no_role").with("name", arn));
            }
            Some((_, Some(role))) if !trusts_service(&role.trust, ECS_SERVICE) => {
                issues.push(Issue::error(&at, "v.pf_shift_role_trust").with("name", &role.name));
            }
            _ => {}
        }
    }
    issues
}

/// The chosen certificate is one of the region's issued ones: not
/// requested and still pending, expired, revoked or in another region,
/// which CreateListener would refuse after the load balancer exists.
fn certificate(draft: &ServiceDraft, issued: &[Certificate]) -> Vec<Issue> {
    let chosen = &draft.load_balancer.certificate_arn;
    if issued.iter().any(|c| &c.arn == chosen) {
        Vec::new()
    } else {
        vec![Issue::error(
            "loadBalancer.certificateArn",
            "v.pf_certificate_not_issued",
        )]
    }
}

/// Pulling from ECR, writing to CloudWatch Logs and reading secrets are
/// done with the execution role: a definition that does any of them needs one.
fn execution_role(td: &TaskDefinition, account: Option<&AccountFacts>) -> Vec<Issue> {
    let needs_role = td
        .container_definitions
        .iter()
        .any(|c| c.image.contains(".dkr.ecr.") || c.awslogs().is_some() || !c.secrets.is_empty());
    match &td.execution_role_arn {
        None if needs_role => vec![Issue::error(
            "executionRoleArn",
            "v.pf_execution_role_needed",
        )],
        None => Vec::new(),
        Some(_) => account
            .map(|a| check_against_account(td, a))
            .unwrap_or_default()
            .into_iter()
            .filter(|i| i.path == "executionRoleArn")
            .map(|mut i| {
                // Tasks cannot start without it: here it blocks.
                i.severity = crate::model::validate::Severity::Error;
                i
            })
            .collect(),
    }
}

/// What the role's policies allow, as documents.
fn documents(role: &RoleDetails) -> Vec<serde_json::Value> {
    role.attached
        .iter()
        .chain(&role.inline)
        .map(|p| p.document.clone())
        .collect()
}

/// With awslogs-create-group on and the group missing, the execution role
/// creates it when the task starts; AmazonECSTaskExecutionRolePolicy does
/// not allow that, and the task stops with ResourceInitializationError.
fn log_groups_to_create(
    td: &TaskDefinition,
    role: &RoleDetails,
    account: &AccountFacts,
) -> Vec<Issue> {
    let documents = documents(role);
    let partition = role.arn.split(':').nth(1).unwrap_or("aws");
    let mut issues = Vec::new();
    for (i, container) in td.container_definitions.iter().enumerate() {
        let Some(log) = container.awslogs() else {
            continue;
        };
        let option = |name: &str| log.options.get(name).map(String::as_str);
        let Some(group) = option("awslogs-group").filter(|g| !g.is_empty()) else {
            continue;
        };
        let missing = option("awslogs-region") == Some(account.region.as_str())
            && option("awslogs-create-group") == Some("true")
            && !account.log_groups.iter().any(|g| g == group)
            && !account.unchecked.iter().any(|g| g == group);
        let resource = format!(
            "arn:{partition}:logs:{}:{}:log-group:{group}",
            account.region, account.account
        );
        let path = format!("containerDefinitions.{i}.logConfiguration.awslogs-group");
        if missing && !allows_on(&documents, CREATE_LOG_GROUP, &resource) {
            issues.push(
                Issue::error(path, "v.pf_log_group_uncreatable")
                    .with("group", group)
                    .with("role", &role.name)
                    .with("action", CREATE_LOG_GROUP)
                    .with("resource", resource),
            );
        } else if missing {
            // The awslogs driver makes it with no retention: kept, and
            // charged, forever. The log group wizard sets one.
            issues.push(Issue::warning(path, "v.pf_log_group_never_expires").with("group", group));
        }
    }
    issues
}

const CREATE_LOG_GROUP: &str = "logs:CreateLogGroup";

/// What the review offers beside a finding to put it right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// The log group wizard, with this name.
    CreateLogGroup(String),
    /// The role's page, with a statement allowing `action` on `resource`.
    AddPermission {
        role: String,
        action: String,
        resource: String,
    },
}

/// The fixes for a preflight finding; none for most.
pub fn fixes(issue: &Issue) -> Vec<Fix> {
    let arg = |name: &str| {
        issue
            .args
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let permission = || Fix::AddPermission {
        role: arg("role"),
        action: arg("action"),
        resource: arg("resource"),
    };
    match issue.key {
        "v.pf_log_group_uncreatable" => vec![Fix::CreateLogGroup(arg("group")), permission()],
        "v.pf_log_group_never_expires" => vec![Fix::CreateLogGroup(arg("group"))],
        "v.pf_secret_unreadable" => vec![permission()],
        _ => Vec::new(),
    }
}

/// Reference 001's `valueFrom`: Secrets Manager needs GetSecretValue on the
/// secret, Parameter Store GetParameters on the parameter; the execution
/// role reads them when a task starts.
fn secrets(td: &TaskDefinition, role: &RoleDetails, account: &AccountFacts) -> Vec<Issue> {
    let documents = documents(role);
    let mut issues = Vec::new();
    for (i, container) in td.container_definitions.iter().enumerate() {
        for (j, secret) in container.secrets.iter().enumerate() {
            let (action, resource) = secret_resource(&secret.value_from, account);
            if !allows_on(&documents, action, &resource) {
                issues.push(
                    Issue::warning(
                        format!("containerDefinitions.{i}.secrets.{j}.valueFrom"),
                        "v.pf_secret_unreadable",
                    )
                    .with("role", &role.name)
                    .with("action", action)
                    .with("secret", &resource)
                    .with("resource", &resource),
                );
            }
        }
    }
    issues
}

/// What reading a `valueFrom` takes: the action and the resource's ARN
/// (a secret's JSON key and version, after its ARN, are not part of it; a
/// bare parameter name is in the account's region).
fn secret_resource(value_from: &str, account: &AccountFacts) -> (&'static str, String) {
    if value_from.starts_with("arn:") && value_from.contains(":secretsmanager:") {
        let arn: Vec<&str> = value_from.split(':').take(7).collect();
        return ("secretsmanager:GetSecretValue", arn.join(":"));
    }
    if value_from.starts_with("arn:") {
        return ("ssm:GetParameters", value_from.to_string());
    }
    let name = value_from.trim_start_matches('/');
    (
        "ssm:GetParameters",
        format!(
            "arn:aws:ssm:{}:{}:parameter/{name}",
            account.region, account.account
        ),
    )
}

/// Reference 001's NAT section: a task pulls its image over the internet
/// unless the VPC has endpoints for ECR.
fn internet(draft: &ServiceDraft, network: &NetworkFacts) -> Vec<Issue> {
    let vpc = &draft.service.network_configuration.awsvpc_configuration;
    let public_ip = vpc.assign_public_ip == "ENABLED";
    let mut issues = Vec::new();
    for (n, id) in vpc.subnets.iter().enumerate() {
        let path = format!("networkConfiguration.awsvpcConfiguration.subnets.{n}");
        match network.subnet(id) {
            None => issues.push(Issue::error(path, "v.pf_subnet_unknown").with("id", id)),
            Some(subnet) if subnet.vpc_id != draft.vpc_id => {
                issues.push(Issue::error(path, "v.pf_subnet_other_vpc").with("id", id));
            }
            Some(subnet) => match (subnet.reach, public_ip) {
                (Reach::Public, false) => {
                    issues.push(Issue::warning(path, "v.pf_public_subnet_no_ip").with("id", id))
                }
                (Reach::Isolated, _) => {
                    issues.push(Issue::warning(path, "v.pf_isolated_subnet").with("id", id));
                }
                _ => {}
            },
        }
    }
    issues
}

fn existing_target_group(draft: &ServiceDraft, facts: &ServiceFacts) -> Vec<Issue> {
    let Some(tg) = facts
        .network
        .target_groups
        .iter()
        .find(|tg| tg.arn == draft.target_group_arn)
    else {
        return vec![Issue::error("targetGroupArn", "v.pf_target_group_unknown")];
    };
    let mut issues = Vec::new();
    if tg.target_type != "ip" {
        issues.push(
            Issue::error("targetGroupArn", "v.pf_target_group_type").with("type", &tg.target_type),
        );
    }
    if tg.load_balancer_arns.is_empty() {
        issues.push(Issue::error("targetGroupArn", "v.pf_target_group_no_lb"));
    }
    issues
}

fn names(draft: &ServiceDraft, taken: &Taken) -> Vec<Issue> {
    let mut issues = Vec::new();
    if taken.service {
        issues.push(
            Issue::error("serviceName", "v.pf_service_taken")
                .with("name", &draft.service.service_name)
                .with("cluster", &draft.service.cluster),
        );
    }
    if taken.listener_port && draft.load_balancing == LoadBalancing::ExistingLoadBalancer {
        // The new listener's port: the HTTPS one when a certificate is chosen.
        let lb = &draft.load_balancer;
        let field = if lb.https() {
            "loadBalancer.httpsPort"
        } else {
            "loadBalancer.listenerPort"
        };
        issues.push(
            Issue::error(field, "v.pf_listener_port_taken").with("port", lb.forward_listener().1),
        );
    }
    if taken.test_port && draft.shifts_traffic() && draft.load_balancing.uses_existing() {
        issues.push(
            Issue::error("shift.testPort", "v.pf_listener_port_taken")
                .with("port", draft.shift.test_port),
        );
    }
    if taken.rule_priority && draft.load_balancing == LoadBalancing::ExistingListener {
        issues.push(
            Issue::error("rulePriority", "v.pf_rule_priority_taken")
                .with("priority", draft.rule_priority),
        );
    }
    if draft.makes_listener() {
        let lb = &draft.load_balancer;
        if taken.load_balancer && draft.load_balancing == LoadBalancing::New {
            issues.push(
                Issue::error("loadBalancer.loadBalancerName", "v.pf_name_taken")
                    .with("name", &lb.load_balancer_name),
            );
        }
        if taken.target_group {
            issues.push(
                Issue::error("loadBalancer.targetGroup.name", "v.pf_name_taken")
                    .with("name", &lb.target_group.name),
            );
        }
    }
    issues
}

/// The security group names the plan creates that the VPC already has.
fn taken_group_names(draft: &ServiceDraft, network: &NetworkFacts) -> Vec<Issue> {
    if !draft.makes_listener() {
        return Vec::new();
    }
    let lb = &draft.load_balancer;
    let mut wanted = Vec::new();
    if draft.load_balancing == LoadBalancing::New {
        wanted.push(("loadBalancer.securityGroupName", &lb.security_group_name));
    }
    if draft.new_security_group {
        wanted.push((
            "loadBalancer.serviceSecurityGroupName",
            &lb.service_security_group_name,
        ));
    }
    wanted
        .into_iter()
        .filter(|(_, name)| network.security_groups.iter().any(|g| &g.name == *name))
        .map(|(path, name)| Issue::error(path, "v.pf_name_taken").with("name", name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::import::import;
    use crate::model::network::{SecurityGroupSummary, SubnetSummary, TargetGroupSummary};
    use crate::model::service::draft::tests::reference_002_draft;

    fn network(reach: Reach) -> NetworkFacts {
        let subnet = |id: &str, zone: &str| SubnetSummary {
            id: id.into(),
            vpc_id: "vpc-0a1b2c3d".into(),
            zone: zone.into(),
            cidr: String::new(),
            name: String::new(),
            reach,
            nat_gateway: None,
        };
        NetworkFacts {
            subnets: vec![
                subnet("subnet-0a1b2c3d", "ap-northeast-1a"),
                subnet("subnet-1a2b3c4d", "ap-northeast-1c"),
            ],
            ..NetworkFacts::default()
        }
    }

    fn task_definition() -> TaskDefinition {
        import(r#"{"family": "ecs-fargate-task", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "cpu": "256", "memory": "512",
            "containerDefinitions": [{"name": "web", "image": "nginx:latest", "portMappings": [{"containerPort": 80}]}]}"#)
            .unwrap()
            .task_definition
    }

    fn failing(checks: &[Check]) -> Vec<(&'static str, &'static str)> {
        checks
            .iter()
            .flat_map(|c| c.issues.iter().map(move |i| (c.title, i.key)))
            .collect()
    }

    #[test]
    fn reference_002_passes_every_check() {
        let facts = ServiceFacts {
            task_definition: Some(task_definition()),
            network: network(Reach::Public),
            ..ServiceFacts::default()
        };
        let checks = preflight(&reference_002_draft(), &facts);
        assert_eq!(failing(&checks), []);
        assert!(checks.len() >= 6);
    }

    #[test]
    fn a_certificate_must_be_one_the_region_has_issued() {
        let mut draft = reference_002_draft();
        draft.load_balancer.certificate_arn =
            crate::model::load_balancing::tests::CERTIFICATE.into();
        let issued = Certificate {
            arn: draft.load_balancer.certificate_arn.clone(),
            domains: vec!["shop.example.com".into()],
            expires: "2027-01-31".into(),
        };
        let mut facts = ServiceFacts {
            task_definition: Some(task_definition()),
            network: network(Reach::Public),
            certificates: Some(vec![issued]),
            ..ServiceFacts::default()
        };
        assert_eq!(failing(&preflight(&draft, &facts)), []);
        facts.certificates = Some(Vec::new());
        assert_eq!(
            failing(&preflight(&draft, &facts)),
            [("pf.certificate", "v.pf_certificate_not_issued")]
        );
    }

    #[test]
    fn what_would_fail_after_creating_is_found_before() {
        let mut draft = reference_002_draft();
        draft.container = "web:8080".into();
        draft
            .service
            .network_configuration
            .awsvpc_configuration
            .assign_public_ip = "DISABLED".into();
        let mut net = network(Reach::Public);
        net.subnets[1].zone = "ap-northeast-1a".into();
        let facts = ServiceFacts {
            task_definition: Some(task_definition()),
            network: net,
            taken: Taken {
                service: true,
                listener_port: false,
                test_port: false,
                rule_priority: false,
                load_balancer: true,
                target_group: false,
            },
            ..ServiceFacts::default()
        };
        let failing = failing(&preflight(&draft, &facts));
        for expected in [
            ("pf.task_definition", "v.service_lb_port"),
            ("pf.internet", "v.pf_public_subnet_no_ip"),
            ("pf.load_balancer_subnets", "v.lb_two_zones"),
            ("pf.names", "v.pf_service_taken"),
            ("pf.names", "v.pf_name_taken"),
        ] {
            assert!(failing.contains(&expected), "{expected:?} in {failing:?}");
        }
        let none = ServiceFacts::default();
        assert_eq!(
            failing_keys(&preflight(&draft, &none), "pf.task_definition"),
            ["v.pf_no_task_definition"]
        );
    }

    fn failing_keys(checks: &[Check], title: &str) -> Vec<&'static str> {
        checks
            .iter()
            .filter(|c| c.title == title)
            .flat_map(|c| c.issues.iter().map(|i| i.key))
            .collect()
    }

    #[test]
    fn a_strategy_that_moves_traffic_needs_a_role_ecs_may_assume() {
        use crate::model::service::shift::tests::reference_002_blue_green;
        let role = |service: &str| RoleSummary {
            name: "ecsInfrastructureRoleForLoadBalancers".into(),
            arn: "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers".into(),
            trust: serde_json::json!({"Statement": [{"Effect": "Allow",
                "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}),
        };
        let mut facts = ServiceFacts {
            task_definition: Some(task_definition()),
            network: network(Reach::Public),
            infrastructure_role: Some(None),
            ..ServiceFacts::default()
        };
        let mut draft = reference_002_blue_green();
        // No such role yet: the plan makes it.
        let checks = preflight(&draft, &facts);
        assert_eq!(failing(&checks), []);
        assert!(checks.iter().any(|c| c.title == "pf.deployment_strategy"));
        // One of that name that only tasks may assume cannot serve.
        facts.infrastructure_role = Some(Some(role("ecs-tasks.amazonaws.com")));
        assert_eq!(
            failing_keys(&preflight(&draft, &facts), "pf.deployment_strategy"),
            ["v.pf_shift_role_trust"]
        );
        // One ECS may assume is there to be chosen, not made again.
        facts.infrastructure_role = Some(Some(role("ecs.amazonaws.com")));
        assert_eq!(
            failing_keys(&preflight(&draft, &facts), "pf.deployment_strategy"),
            ["v.pf_shift_role_exists"]
        );
        draft.shift.role_arn = role("ecs.amazonaws.com").arn;
        assert_eq!(failing(&preflight(&draft, &facts)), []);
        // A chosen role that is gone.
        draft.shift.role_arn = "arn:aws:iam::123456789012:role/gone".into();
        facts.infrastructure_role = Some(None);
        assert_eq!(
            failing_keys(&preflight(&draft, &facts), "pf.deployment_strategy"),
            ["v.pf_shift_no_role"]
        );
        // A load balancer the VPC's Application Load Balancers do not list.
        draft.shift.role_arn = String::new();
        draft.load_balancing = LoadBalancing::ExistingLoadBalancer;
        draft.load_balancer_arn =
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/gone/1"
                .into();
        draft.load_balancer_groups = vec!["sg-0000000a".into()];
        draft.load_balancer.listener_port = 8080;
        assert_eq!(
            failing_keys(&preflight(&draft, &facts), "pf.deployment_strategy"),
            ["v.pf_shift_not_alb"]
        );
        // Its test listener's port is one it listens on already.
        draft.shift.test_port = 8443;
        facts.taken.test_port = true;
        assert_eq!(
            failing_keys(&preflight(&draft, &facts), "pf.names"),
            ["v.pf_listener_port_taken"]
        );
    }

    #[test]
    fn chosen_alarms_must_exist_and_hook_roles_must_trust_ecs() {
        use crate::model::service::rollback::{DeploymentAlarms, HookTarget, LifecycleHook};
        use crate::model::service::shift::tests::reference_002_blue_green;
        let mut draft = reference_002_blue_green();
        draft.error_alarm = true;
        draft.service.deployment_configuration.alarms = Some(DeploymentAlarms {
            alarm_names: vec!["cpu-high".into(), "gone".into()],
            rollback: true,
            enable: true,
        });
        let role = "arn:aws:iam::123456789012:role/hooks";
        draft
            .service
            .deployment_configuration
            .lifecycle_hooks
            .push(LifecycleHook {
                target_type: HookTarget::AwsLambda,
                hook_target_arn: Some(
                    "arn:aws:lambda:ap-northeast-1:123456789012:function:f".into(),
                ),
                role_arn: Some(role.into()),
                lifecycle_stages: vec!["POST_SCALE_UP".into()],
                timeout_configuration: None,
            });
        let mut facts = ServiceFacts {
            task_definition: Some(task_definition()),
            network: network(Reach::Public),
            infrastructure_role: Some(None),
            alarms: Some(vec![
                "cpu-high".into(),
                "ecs-fargate-service-target-5xx".into(),
            ]),
            hook_roles: vec![(role.into(), None)],
            ..ServiceFacts::default()
        };
        let checks = preflight(&draft, &facts);
        assert_eq!(
            failing_keys(&checks, "pf.alarms"),
            ["v.pf_alarm_missing", "v.pf_alarm_exists"]
        );
        let alarms = checks.iter().find(|c| c.title == "pf.alarms").unwrap();
        assert!(
            alarms
                .issues
                .iter()
                .any(|i| i.key == "v.pf_alarm_exists" && !i.is_error())
        );
        assert_eq!(
            failing_keys(&checks, "pf.lifecycle_hooks"),
            ["v.pf_hook_no_role"]
        );
        facts.hook_roles = vec![(
            role.into(),
            Some(RoleSummary {
                name: "hooks".into(),
                arn: role.into(),
                trust: serde_json::json!({"Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            }),
        )];
        assert_eq!(
            failing_keys(&preflight(&draft, &facts), "pf.lifecycle_hooks"),
            ["v.pf_shift_role_trust"]
        );
    }

    #[test]
    fn an_existing_load_balancer_must_have_its_groups_read() {
        let mut draft = reference_002_draft();
        draft.load_balancing = LoadBalancing::ExistingLoadBalancer;
        draft.load_balancer_arn =
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shared/1"
                .into();
        let facts = ServiceFacts {
            task_definition: Some(task_definition()),
            network: network(Reach::Public),
            taken: Taken {
                listener_port: true,
                ..Taken::default()
            },
            ..ServiceFacts::default()
        };
        let checks = preflight(&draft, &facts);
        assert_eq!(
            failing_keys(&checks, "pf.existing_load_balancer"),
            ["v.service_lb_groups"]
        );
        assert_eq!(
            failing_keys(&checks, "pf.names"),
            ["v.pf_listener_port_taken"]
        );
    }

    #[test]
    fn a_healthy_dependency_without_a_health_check_is_found() {
        let td = import(
            r#"{"family": "f", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "cpu": "256", "memory": "512", "containerDefinitions": [
              {"name": "web", "image": "nginx", "portMappings": [{"containerPort": 80}],
               "dependsOn": [{"containerName": "app", "condition": "HEALTHY"}]},
              {"name": "app", "image": "rails"}]}"#,
        )
        .unwrap()
        .task_definition;
        let facts = ServiceFacts {
            task_definition: Some(td),
            network: network(Reach::Public),
            ..ServiceFacts::default()
        };
        assert_eq!(
            failing_keys(
                &preflight(&reference_002_draft(), &facts),
                "pf.task_definition"
            ),
            ["v.healthy_needs_check"]
        );
    }

    #[test]
    fn a_secret_the_execution_role_cannot_read_is_named() {
        use crate::model::account::PolicyDocument;
        let mut td = task_definition();
        td.execution_role_arn = Some("arn:aws:iam::123456789012:role/ecsTaskExecutionRole".into());
        td.container_definitions[0].secrets = serde_json::from_value(serde_json::json!([
            {"name": "DB", "valueFrom": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:app/db-AbCdEf:password::"},
            {"name": "KEY", "valueFrom": "/app/key"}
        ]))
        .unwrap();
        let role = RoleDetails {
            name: "ecsTaskExecutionRole".into(),
            arn: String::new(),
            description: String::new(),
            trust: serde_json::json!({}),
            attached: Vec::new(),
            inline: vec![PolicyDocument {
                name: "secrets".into(),
                arn: String::new(),
                document: serde_json::json!({"Statement": [{"Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:app/*"}]}),
            }],
        };
        let account = AccountFacts {
            account: "123456789012".into(),
            region: "ap-northeast-1".into(),
            ..AccountFacts::default()
        };
        let issues = secrets(&td, &role, &account);
        assert_eq!(
            issues.len(),
            1,
            "the secret is readable, the parameter is not"
        );
        assert_eq!(issues[0].path, "containerDefinitions.0.secrets.1.valueFrom");
        assert!(
            issues[0]
                .args
                .iter()
                .any(|(_, v)| v == "arn:aws:ssm:ap-northeast-1:123456789012:parameter/app/key")
        );
    }

    /// Issue 22, item 2: awslogs-create-group on (the wizard's default), the
    /// group missing, and a role with only AmazonECSTaskExecutionRolePolicy.
    #[test]
    fn a_log_group_the_role_cannot_create_is_named_with_both_fixes() {
        use crate::model::account::PolicyDocument;
        let mut td = task_definition();
        td.container_definitions[0].log_configuration =
            Some(crate::model::container::LogConfiguration {
                log_driver: "awslogs".into(),
                options: [
                    ("awslogs-group", "/ecs/web"),
                    ("awslogs-region", "ap-northeast-1"),
                    ("awslogs-create-group", "true"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
                ..Default::default()
            });
        let managed = PolicyDocument {
            name: "AmazonECSTaskExecutionRolePolicy".into(),
            arn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy".into(),
            document: serde_json::json!({"Statement": [{"Effect": "Allow", "Resource": "*",
                "Action": ["ecr:GetAuthorizationToken", "logs:CreateLogStream", "logs:PutLogEvents"]}]}),
        };
        let mut role = RoleDetails {
            name: "ecsTaskExecutionRole".into(),
            arn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole".into(),
            description: String::new(),
            trust: serde_json::json!({}),
            attached: vec![managed],
            inline: Vec::new(),
        };
        let mut account = AccountFacts {
            account: "123456789012".into(),
            region: "ap-northeast-1".into(),
            ..AccountFacts::default()
        };
        let issues = log_groups_to_create(&td, &role, &account);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert!(issues[0].is_error());
        assert_eq!(
            issues[0].path,
            "containerDefinitions.0.logConfiguration.awslogs-group"
        );
        let resource = "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/web";
        assert_eq!(
            fixes(&issues[0]),
            [
                Fix::CreateLogGroup("/ecs/web".into()),
                Fix::AddPermission {
                    role: "ecsTaskExecutionRole".into(),
                    action: "logs:CreateLogGroup".into(),
                    resource: resource.into(),
                }
            ]
        );
        // Either fix clears it.
        account.log_groups.push("/ecs/web".into());
        assert!(log_groups_to_create(&td, &role, &account).is_empty());
        account.log_groups.clear();
        role.inline.push(PolicyDocument {
            name: "logs".into(),
            arn: String::new(),
            document: serde_json::json!({"Statement": [{"Effect": "Allow",
                "Action": "logs:CreateLogGroup", "Resource": "*"}]}),
        });
        // Allowed, the task makes it without a retention: a warning, with
        // the wizard that sets one.
        let issues = log_groups_to_create(&td, &role, &account);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert!(!issues[0].is_error());
        assert_eq!(issues[0].key, "v.pf_log_group_never_expires");
        assert_eq!(fixes(&issues[0]), [Fix::CreateLogGroup("/ecs/web".into())]);
        // With create-group off, the missing group is the other check's.
        role.inline.clear();
        td.container_definitions[0]
            .log_configuration
            .as_mut()
            .expect("awslogs")
            .options
            .remove("awslogs-create-group");
        assert!(log_groups_to_create(&td, &role, &account).is_empty());
    }

    #[test]
    fn an_existing_target_group_must_take_ip_targets_behind_a_load_balancer() {
        let mut draft = reference_002_draft();
        draft.load_balancing = LoadBalancing::Existing;
        draft.new_security_group = false;
        draft.target_group_arn = "arn:tg".into();
        let mut facts = ServiceFacts {
            task_definition: Some(task_definition()),
            network: network(Reach::PrivateWithNat),
            ..ServiceFacts::default()
        };
        facts.network.target_groups.push(TargetGroupSummary {
            arn: "arn:tg".into(),
            name: "tg".into(),
            protocol: "HTTP".into(),
            port: 80,
            target_type: "instance".into(),
            vpc_id: "vpc-0a1b2c3d".into(),
            load_balancer_arns: Vec::new(),
        });
        assert_eq!(
            failing_keys(&preflight(&draft, &facts), "pf.target_group"),
            ["v.pf_target_group_type", "v.pf_target_group_no_lb"]
        );
        facts.network.security_groups.push(SecurityGroupSummary {
            id: "sg-1".into(),
            name: "ecs-alb-sg".into(),
            description: String::new(),
        });
        assert!(taken_group_names(&draft, &facts.network).is_empty());
        draft.load_balancing = LoadBalancing::New;
        assert_eq!(taken_group_names(&draft, &facts.network).len(), 1);
    }
}
