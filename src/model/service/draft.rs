//! The service wizard's form as one value: the service, the VPC it runs in,
//! and its load balancing — none, a new Application Load Balancer (with its
//! security group, target group and listener, as reference 002 makes them),
//! or a target group that exists already (references 001, 003 and 004).
//!
//! [`ServiceDraft::calls`] is the list of requests the review shows and the
//! run sends, each under the step id the plan gives it; `deploy/` adds what
//! each step waits for.

use serde::{Deserialize, Serialize};

use super::prerequisites::{Prerequisites, TASK_DEFINITION_ARN};
use super::scaling::AutoScaling;
use super::traffic::TrafficShift;
use super::{LoadBalancer, Service};
use crate::model::api_call::{ApiCall, RUN_ID};
use crate::model::certificate::Certificate;
use crate::model::domain::{
    AliasTarget, CERTIFICATE_ISSUED, DOMAIN_RECORDS, Domain, DomainFacts, ExistingRecord,
    HostedZone, REQUEST_CERTIFICATE, REQUESTED_CERTIFICATE, VALIDATION_CNAME, VALIDATION_RECORD,
};
use crate::model::load_balancing::{NewLoadBalancer, SERVICE_GROUP, TARGET_GROUP_ARN, check_rule};
use crate::model::operation::Operation;
use crate::model::resource::Resource;
use crate::model::service::quick_start::QuickStart;
use crate::model::task_definition::Tag;
use crate::model::validate::Issue;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadBalancing {
    #[default]
    None,
    /// A new Application Load Balancer, target group and listener.
    New,
    /// A target group that exists (its listener and load balancer too).
    Existing,
    /// A load balancer that exists, given a new listener and target group.
    ExistingLoadBalancer,
    /// A listener that exists, given a rule that sends a path to a new
    /// target group.
    ExistingListener,
}

impl LoadBalancing {
    /// It builds on a load balancer or target group the account has: the
    /// form and preflight need the account's.
    pub fn uses_existing(self) -> bool {
        matches!(
            self,
            LoadBalancing::Existing
                | LoadBalancing::ExistingLoadBalancer
                | LoadBalancing::ExistingListener
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceDraft {
    /// The CreateService request, before the load balancer's target group
    /// and a new security group are filled in.
    pub service: Service,
    pub vpc_id: String,
    /// A new security group for the tasks that lets the container port in
    /// from the new load balancer's group only.
    pub new_security_group: bool,
    pub load_balancing: LoadBalancing,
    /// Used when `load_balancing` is `New`. Its subnets are the load
    /// balancer's (public ones, often not the tasks'); empty means the
    /// service's subnets. Its VPC and container port come from the draft.
    pub load_balancer: NewLoadBalancer,
    /// Used when `load_balancing` is `Existing`.
    pub target_group_arn: String,
    /// Used when `load_balancing` is `ExistingLoadBalancer`: its ARN, and
    /// its security groups (read from the account before planning), which
    /// the tasks' new group lets in.
    pub load_balancer_arn: String,
    pub load_balancer_groups: Vec<String>,
    /// Used when `load_balancing` is `ExistingListener` (on the load
    /// balancer above): the listener, the rule's priority and path.
    pub listener_arn: String,
    pub rule_priority: i64,
    pub rule_path: String,
    /// Host names the rule also matches (`shop.example.com`); none: any.
    pub rule_hosts: Vec<String>,
    /// The container and port that receive the traffic: `web:80`.
    pub container: String,
    /// "Use service auto scaling": made after the service.
    pub auto_scaling: AutoScaling,
    /// Your own name for the service: Route 53 alias records to the load
    /// balancer.
    pub domain: Domain,
    /// The HTTPS listener's certificate is requested for the domain (DNS
    /// validation in the same zone) instead of chosen from the account.
    pub request_certificate: bool,
    /// An existing load balancer's DNS name, the zone ELB gives it, and
    /// whether it faces the internet: read from the account before
    /// planning (a domain's alias names them).
    pub load_balancer_dns: String,
    pub load_balancer_zone: String,
    pub load_balancer_internal: bool,
    /// Blue/green, linear and canary: the role ECS moves traffic with and
    /// an optional test listener.
    pub shift: TrafficShift,
    /// The plan makes an alarm on the target groups' 5xx count, which
    /// fails (and rolls back) a deployment.
    pub error_alarm: bool,
    /// What the plan makes first because the account lacks it (the quick
    /// start's role, cluster, log group and task definition).
    pub prerequisites: Prerequisites,
    /// The quick start's values, when it made this draft: its page edits
    /// them.
    pub quick_start: Option<QuickStart>,
}

impl Default for ServiceDraft {
    fn default() -> Self {
        Self {
            service: Service::default(),
            vpc_id: String::new(),
            new_security_group: true,
            load_balancing: LoadBalancing::None,
            load_balancer: NewLoadBalancer::default(),
            target_group_arn: String::new(),
            load_balancer_arn: String::new(),
            load_balancer_groups: Vec::new(),
            listener_arn: String::new(),
            rule_priority: 10,
            rule_path: "/*".into(),
            rule_hosts: Vec::new(),
            container: String::new(),
            auto_scaling: AutoScaling::default(),
            domain: Domain::default(),
            request_certificate: false,
            load_balancer_dns: String::new(),
            load_balancer_zone: String::new(),
            load_balancer_internal: false,
            shift: TrafficShift::default(),
            error_alarm: false,
            prerequisites: Prerequisites::default(),
            quick_start: None,
        }
    }
}

/// Step ids, shared with the plan that orders them.
pub const ALB_SECURITY_GROUP: &str = "AlbSecurityGroup";
pub const ALB_INGRESS: &str = "AlbIngress";
pub const SERVICE_SECURITY_GROUP: &str = "ServiceSecurityGroup";
pub const SERVICE_INGRESS: &str = "ServiceIngress";
pub const ALB_ATTRIBUTES: &str = "AlbAttributes";
/// With a certificate, the HTTP listener beside the HTTPS one.
pub const HTTP_LISTENER: &str = "HttpListener";
// A plan step that is the one call of its operation is named after it (its
// id is in journals already kept, so these never change).
pub const CREATE_LOAD_BALANCER: &str = Operation::CreateLoadBalancer.name();
pub const CREATE_TARGET_GROUP: &str = Operation::CreateTargetGroup.name();
pub const CREATE_LISTENER: &str = Operation::CreateListener.name();
pub const CREATE_RULE: &str = Operation::CreateRule.name();
pub const CREATE_SERVICE: &str = Operation::CreateService.name();
pub const SCALABLE_TARGET: &str = "ScalableTarget";
/// The service's tag naming its domain: the service page links it.
pub const DOMAIN_TAG: &str = "ecs-wizard:domain";
pub const SCALING_POLICY: &str = "ScalingPolicy";

impl ServiceDraft {
    /// `web:80` → (`web`, 80); None when it is not a name and a port.
    pub fn container_and_port(&self) -> Option<(String, i64)> {
        let (name, port) = self.container.rsplit_once(':')?;
        let port = port.trim().parse().ok()?;
        (!name.trim().is_empty()).then(|| (name.trim().to_string(), port))
    }

    /// A new listener and target group are made (on a new or existing ALB).
    /// A new target group is made, reached by a new listener or rule.
    pub fn makes_listener(&self) -> bool {
        matches!(
            self.load_balancing,
            LoadBalancing::New
                | LoadBalancing::ExistingLoadBalancer
                | LoadBalancing::ExistingListener
        )
    }

    pub fn creates_service_group(&self) -> bool {
        self.makes_listener() && self.new_security_group
    }

    /// The new load balancer as it will be made: in the draft's VPC, in the
    /// service's subnets unless others are chosen, to the chosen port.
    pub fn new_load_balancer(&self) -> NewLoadBalancer {
        let mut lb = self.load_balancer.clone();
        lb.vpc_id = self.vpc_id.clone();
        if lb.subnets.is_empty() {
            lb.subnets = self
                .service
                .network_configuration
                .awsvpc_configuration
                .subnets
                .clone();
        }
        lb.container_port = self.container_and_port().map_or(0, |(_, port)| port);
        if self.requests_certificate() {
            lb.certificate_arn = REQUESTED_CERTIFICATE.into();
        }
        lb
    }

    /// A certificate is requested for the domain: the new listener (on a
    /// new or existing load balancer) is HTTPS with it.
    pub fn requests_certificate(&self) -> bool {
        self.request_certificate
            && matches!(
                self.load_balancing,
                LoadBalancing::New | LoadBalancing::ExistingLoadBalancer
            )
    }

    /// Where the domain's alias records point; None without a load
    /// balancer the draft knows.
    fn alias_target(&self) -> Option<AliasTarget> {
        match self.load_balancing {
            LoadBalancing::New => Some(AliasTarget::new_load_balancer()),
            LoadBalancing::ExistingLoadBalancer | LoadBalancing::ExistingListener => {
                Some(AliasTarget {
                    dns_name: self.load_balancer_dns.clone(),
                    hosted_zone_id: self.load_balancer_zone.clone(),
                })
            }
            LoadBalancing::None | LoadBalancing::Existing => None,
        }
    }

    /// The load balancer the domain points at answers the internet.
    pub fn internet_facing(&self) -> bool {
        self.load_balancing == LoadBalancing::New || !self.load_balancer_internal
    }

    /// The CreateService request as sent: the target group and a new
    /// security group are references to the steps that make them.
    pub fn service_request(&self) -> Service {
        let mut service = self.service.clone();
        service.client_token = Some(RUN_ID.to_string());
        service.deployment_configuration.alarms = self.alarms_request();
        if self.domain.is_set() && !service.tags.iter().any(|t| t.key == DOMAIN_TAG) {
            service.tags.push(Tag {
                key: DOMAIN_TAG.into(),
                value: self.domain.fqdn(),
            });
        }
        let (name, port) = self.container_and_port().unwrap_or_default();
        let target_group_arn = match self.load_balancing {
            LoadBalancing::None => None,
            LoadBalancing::New
            | LoadBalancing::ExistingLoadBalancer
            | LoadBalancing::ExistingListener => Some(TARGET_GROUP_ARN.to_string()),
            LoadBalancing::Existing => Some(self.target_group_arn.clone()),
        };
        service.load_balancers = target_group_arn
            .map(|target_group_arn| LoadBalancer {
                target_group_arn,
                container_name: name,
                container_port: port,
                advanced_configuration: self.advanced_configuration(),
            })
            .into_iter()
            .collect();
        if self.load_balancing == LoadBalancing::None {
            // ECS refuses a grace period on a service with no load balancer.
            service.health_check_grace_period_seconds = None;
        }
        if self.creates_service_group() {
            service
                .network_configuration
                .awsvpc_configuration
                .security_groups = vec![SERVICE_GROUP.into()];
        }
        service
    }

    /// Every request, in the order the review lists them, each with its
    /// step id.
    pub fn calls(&self) -> Vec<(&'static str, ApiCall)> {
        let mut calls = self.prerequisites.calls();
        if self.requests_certificate() {
            let domain = &self.domain;
            calls.push((REQUEST_CERTIFICATE, domain.request_certificate()));
            calls.push((VALIDATION_RECORD, domain.describe_certificate()));
            calls.push((VALIDATION_CNAME, domain.validation_cname()));
            calls.push((CERTIFICATE_ISSUED, domain.describe_certificate()));
        }
        if self.load_balancing == LoadBalancing::New {
            let lb = self.new_load_balancer();
            calls.push((ALB_SECURITY_GROUP, lb.alb_security_group()));
            calls.push((ALB_INGRESS, lb.alb_ingress()));
            if self.creates_service_group() {
                calls.push((SERVICE_SECURITY_GROUP, lb.service_security_group()));
                calls.push((SERVICE_INGRESS, lb.service_ingress()));
            }
            calls.push((CREATE_LOAD_BALANCER, lb.create_load_balancer()));
            calls.push((CREATE_TARGET_GROUP, lb.create_target_group()));
            calls.push((CREATE_LISTENER, lb.create_listener()));
            if lb.https() {
                calls.push((HTTP_LISTENER, lb.http_listener()));
            }
            calls.push((ALB_ATTRIBUTES, lb.load_balancer_attributes()));
        }
        if matches!(
            self.load_balancing,
            LoadBalancing::ExistingLoadBalancer | LoadBalancing::ExistingListener
        ) {
            let lb = self.new_load_balancer();
            if self.creates_service_group() {
                calls.push((SERVICE_SECURITY_GROUP, lb.service_security_group()));
                calls.push((
                    SERVICE_INGRESS,
                    lb.service_ingress_from(&self.load_balancer_groups),
                ));
            }
            calls.push((CREATE_TARGET_GROUP, lb.create_target_group()));
            calls.push(if self.load_balancing == LoadBalancing::ExistingListener {
                (
                    CREATE_RULE,
                    lb.create_rule(
                        &self.listener_arn,
                        self.rule_priority,
                        &self.rule_path,
                        &self.rule_hosts,
                    ),
                )
            } else {
                (
                    CREATE_LISTENER,
                    lb.create_listener_on(&self.load_balancer_arn),
                )
            });
        }
        calls.extend(self.shift_calls());
        calls.extend(self.rollback_calls());
        if self.domain.is_set()
            && let Some(target) = self.alias_target()
        {
            calls.push((DOMAIN_RECORDS, self.domain.alias_records(&target)));
        }
        calls.push((CREATE_SERVICE, self.service_request().api_call()));
        if self.auto_scaling.enabled {
            let label = self.scaling_label().unwrap_or_default();
            let [target, policy] =
                self.auto_scaling
                    .calls(&self.service.cluster, &self.service.service_name, &label);
            calls.push((SCALABLE_TARGET, target));
            calls.push((SCALING_POLICY, policy));
        }
        calls
    }

    /// The load balancer's and target group's `app/…/targetgroup/…` that
    /// requests per target are counted by: references to the steps that
    /// make them, or read from the chosen load balancer's ARN. None with an
    /// existing target group (its load balancer is not in the draft).
    pub fn scaling_label(&self) -> Option<String> {
        let load_balancer = self.load_balancer_label()?;
        Some(format!(
            "{load_balancer}/${{CreateTargetGroup.ResourceLabel}}"
        ))
    }

    /// What AWS would refuse, with paths that are the form's field names.
    pub fn issues(&self) -> Vec<Issue> {
        let mut issues = super::validate(&self.service_request());
        // The task definition the plan registers is named by its answer.
        let registered_here = self.prerequisites.task_definition.is_some();
        if self.service.task_definition == TASK_DEFINITION_ARN {
            issues.retain(|i| i.path != "taskDefinition" || !registered_here);
        } else if registered_here {
            issues.push(Issue::error("taskDefinition", "v.service_task_definition"));
        }
        let container_path =
            |path: &str| path.starts_with("loadBalancers.0.container") || path == "loadBalancers";
        for issue in &mut issues {
            if container_path(&issue.path) {
                issue.path = "container".into();
            } else if issue.path == "loadBalancers.0.targetGroupArn" {
                issue.path = "targetGroupArn".into();
            }
        }
        if self.load_balancing != LoadBalancing::None && self.container_and_port().is_none() {
            issues.push(Issue::error("container", "v.service_container"));
        }
        match self.load_balancing {
            LoadBalancing::New => {
                for mut issue in self.new_load_balancer().validate() {
                    issue.path = match issue.path.as_str() {
                        // The draft's own fields, shown once beside them.
                        "vpcId" => "vpcId".into(),
                        "containerPort" => continue,
                        "subnets" => "loadBalancer.subnets".into(),
                        "serviceSecurityGroupName" if !self.new_security_group => continue,
                        other => format!("loadBalancer.{other}"),
                    };
                    issues.push(issue);
                }
                let lb = self.new_load_balancer();
                if lb.https() && lb.https_port == lb.listener_port {
                    issues.push(Issue::error(
                        "loadBalancer.httpsPort",
                        "v.lb_https_same_port",
                    ));
                }
            }
            LoadBalancing::ExistingLoadBalancer | LoadBalancing::ExistingListener => {
                // Its security groups are read from the account for the
                // review (preflight says when they could not be).
                if !is_load_balancer_arn(&self.load_balancer_arn) {
                    issues.push(Issue::error("loadBalancerArn", "v.service_lb_arn"));
                }
                if self.load_balancing == LoadBalancing::ExistingListener {
                    if !self.listener_arn.contains(":listener/app/") {
                        issues.push(Issue::error("listenerArn", "v.service_listener_arn"));
                    }
                    check_rule(
                        &mut issues,
                        self.rule_priority,
                        &self.rule_path,
                        &self.rule_hosts,
                    );
                }
                // The new load balancer's own fields are not used.
                const UNUSED: [&str; 4] = [
                    "loadBalancerName",
                    "securityGroupName",
                    "subnets",
                    "containerPort",
                ];
                let listener = ["listenerPort", "certificateArn", "sslPolicy", "httpsPort"];
                let rule = self.load_balancing == LoadBalancing::ExistingListener;
                for mut issue in self.new_load_balancer().validate() {
                    if UNUSED.contains(&issue.path.as_str())
                        || (rule && listener.contains(&issue.path.as_str()))
                        || (issue.path == "serviceSecurityGroupName" && !self.new_security_group)
                    {
                        continue;
                    }
                    if issue.path != "vpcId" {
                        issue.path = format!("loadBalancer.{}", issue.path);
                    }
                    issues.push(issue);
                }
            }
            LoadBalancing::None | LoadBalancing::Existing if self.new_security_group => {
                issues.push(Issue::error(
                    "newSecurityGroup",
                    "v.service_new_group_needs_lb",
                ));
            }
            _ => {}
        }
        if !self.creates_service_group()
            && self
                .service
                .network_configuration
                .awsvpc_configuration
                .security_groups
                .is_empty()
        {
            // ECS would use the VPC's default group, which lets in only
            // its own members: the load balancer could not reach the tasks.
            issues.push(Issue::warning(
                "networkConfiguration.awsvpcConfiguration.securityGroups",
                "v.service_default_group",
            ));
        }
        issues.extend(
            self.auto_scaling
                .validate(self.service.desired_count, self.scaling_label().is_some()),
        );
        issues.extend(self.domain_issues());
        issues.extend(self.shift_issues());
        issues.extend(self.rollback_issues());
        issues.dedup_by(|a, b| a.path == b.path && a.key == b.key);
        issues
    }
}

impl ServiceDraft {
    /// What the account says against the domain, from `zones`, the name's
    /// `records` (None: not read) and the region's issued `certificates`
    /// (the chosen one's names).
    pub fn domain_facts(
        &self,
        zones: Vec<HostedZone>,
        records: Option<Vec<ExistingRecord>>,
        certificates: &[Certificate],
    ) -> DomainFacts {
        DomainFacts {
            zones,
            internet_facing: self.internet_facing(),
            records,
            points_here: self.load_balancer_dns.clone(),
            certificate: certificates
                .iter()
                .find(|c| c.arn == self.load_balancer.certificate_arn)
                .cloned(),
        }
    }

    /// The domain's own rules, and what it needs of the load balancing.
    fn domain_issues(&self) -> Vec<Issue> {
        let mut issues = self.domain.validate();
        if self.domain.is_set() && self.alias_target().is_none() {
            issues.push(Issue::error("domain.name", "v.domain_needs_lb"));
        }
        if self.request_certificate {
            if !self.domain.is_set() {
                issues.push(Issue::error(
                    "loadBalancer.certificateArn",
                    "v.certificate_request_needs_domain",
                ));
            }
            if !self.requests_certificate() {
                issues.push(Issue::error(
                    "loadBalancer.certificateArn",
                    "v.certificate_request_new_listener",
                ));
            }
        }
        issues
    }
}

/// `arn:aws:elasticloadbalancing:region:account:loadbalancer/app/name/id`
fn is_load_balancer_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "elasticloadbalancing", region, account, resource]
        if partition.starts_with("aws")
            && !region.is_empty()
            && account.len() == 12
            && resource.starts_with("loadbalancer/app/"))
}

impl Resource for ServiceDraft {
    fn name(&self) -> &str {
        &self.service.service_name
    }

    fn tags(&self) -> &[Tag] {
        &self.service.tags
    }

    fn tags_mut(&mut self) -> &mut Vec<Tag> {
        &mut self.service.tags
    }

    fn validate(&self) -> Vec<Issue> {
        self.issues()
    }

    fn api_calls(&self) -> Vec<ApiCall> {
        self.calls().into_iter().map(|(_, call)| call).collect()
    }

    fn terraform(&self) -> String {
        ServiceDraft::terraform(self)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::load_balancing::tests::reference_002;

    /// Reference 002's service as a quick start of `nginx:latest` makes
    /// it: the role, cluster, log group and task definition made first.
    pub fn quick_start_draft() -> ServiceDraft {
        use crate::model::service::quick_start::{Found, QuickStart};
        let quick = QuickStart {
            image: "nginx:latest".into(),
            ..QuickStart::default()
        };
        let found = Found {
            account: "123456789012".into(),
            region: "ap-northeast-1".into(),
            partition: "aws".into(),
            ..Found::default()
        };
        let mut draft = reference_002_draft();
        draft.prerequisites = quick.prerequisites(&found);
        // The quick start's service goes on the cluster it makes.
        draft.service.cluster = crate::model::service::quick_start::CLUSTER.into();
        draft.service.task_definition = super::TASK_DEFINITION_ARN.into();
        draft
    }

    /// Reference 002 as the wizard's form holds it.
    pub fn reference_002_draft() -> ServiceDraft {
        let mut service = Service {
            cluster: "ecs-fargate-cluster".into(),
            service_name: "ecs-fargate-service".into(),
            task_definition: "ecs-fargate-task:1".into(),
            desired_count: 2,
            health_check_grace_period_seconds: Some(30),
            ..Service::default()
        };
        let vpc = &mut service.network_configuration.awsvpc_configuration;
        vpc.subnets = vec!["subnet-0a1b2c3d".into(), "subnet-1a2b3c4d".into()];
        vpc.assign_public_ip = "ENABLED".into();
        let mut load_balancer = reference_002();
        load_balancer.subnets.clear();
        ServiceDraft {
            service,
            vpc_id: "vpc-0a1b2c3d".into(),
            new_security_group: true,
            load_balancing: LoadBalancing::New,
            load_balancer,
            target_group_arn: String::new(),
            load_balancer_arn: String::new(),
            load_balancer_groups: Vec::new(),
            listener_arn: String::new(),
            rule_priority: 10,
            rule_path: "/*".into(),
            rule_hosts: Vec::new(),
            container: "web:80".into(),
            ..ServiceDraft::default()
        }
    }

    /// Reference 002's draft on `shop.example.com`, its certificate requested.
    pub fn reference_002_on_a_domain() -> ServiceDraft {
        ServiceDraft {
            domain: Domain {
                name: "shop.example.com".into(),
                hosted_zone_id: "Z0123456789ABC".into(),
            },
            request_certificate: true,
            ..reference_002_draft()
        }
    }

    #[test]
    fn a_domain_requests_its_certificate_and_points_at_the_load_balancer() {
        let draft = reference_002_on_a_domain();
        assert!(draft.issues().is_empty(), "{:?}", draft.issues());
        assert_eq!(
            ids(&draft),
            [
                "RequestCertificate",
                "ValidationRecord",
                "ValidationCname",
                "CertificateIssued",
                "AlbSecurityGroup",
                "AlbIngress",
                "ServiceSecurityGroup",
                "ServiceIngress",
                "CreateLoadBalancer",
                "CreateTargetGroup",
                "CreateListener",
                "HttpListener",
                "AlbAttributes",
                "DomainRecords",
                "CreateService",
            ]
        );
        let calls = draft.calls();
        let listener = &calls[10].1.input;
        assert_eq!(listener["Protocol"], "HTTPS");
        assert_eq!(
            listener["Certificates"][0]["CertificateArn"],
            "${RequestCertificate.CertificateArn}"
        );
        assert_eq!(
            calls[2].1.input["ChangeBatch"]["Changes"][0]["ResourceRecordSet"]["Name"],
            "${ValidationRecord.RecordName}"
        );
        // Without a domain there is nothing to request it for; a domain
        // needs a load balancer the draft knows.
        let mut bare = draft.clone();
        bare.domain = Domain::default();
        let keys: Vec<&str> = bare.issues().iter().map(|i| i.key).collect();
        assert_eq!(keys, ["v.certificate_request_needs_domain"]);
        let mut on_target_group = reference_002_on_a_domain();
        on_target_group.load_balancing = LoadBalancing::Existing;
        on_target_group.new_security_group = false;
        on_target_group.target_group_arn =
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/tg/1".into();
        let keys: Vec<&str> = on_target_group.issues().iter().map(|i| i.key).collect();
        assert!(keys.contains(&"v.domain_needs_lb"), "{keys:?}");
        assert!(
            keys.contains(&"v.certificate_request_new_listener"),
            "{keys:?}"
        );
    }

    fn ids(draft: &ServiceDraft) -> Vec<&'static str> {
        draft.calls().into_iter().map(|(id, _)| id).collect()
    }

    #[test]
    fn reference_002_makes_nine_calls_and_is_valid() {
        let draft = reference_002_draft();
        assert!(draft.issues().is_empty(), "{:?}", draft.issues());
        assert_eq!(ids(&draft).len(), 9);
        let calls = draft.calls();
        assert_eq!(
            calls[4].1.input["Subnets"],
            json!(["subnet-0a1b2c3d", "subnet-1a2b3c4d"]),
            "the load balancer goes in the service's subnets unless others are chosen"
        );
        assert_eq!(
            calls[7].1.input["Attributes"],
            json!([{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}])
        );
        let service = &calls[8].1.input;
        assert_eq!(
            service["loadBalancers"],
            json!([{"targetGroupArn": TARGET_GROUP_ARN, "containerName": "web", "containerPort": 80}])
        );
        assert_eq!(
            service["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"],
            json!([SERVICE_GROUP])
        );
    }

    #[test]
    fn kept_security_groups_and_an_existing_target_group() {
        let mut draft = reference_002_draft();
        draft.new_security_group = false;
        draft
            .service
            .network_configuration
            .awsvpc_configuration
            .security_groups = vec!["sg-0123abcd".into()];
        assert_eq!(
            ids(&draft),
            [
                ALB_SECURITY_GROUP,
                ALB_INGRESS,
                CREATE_LOAD_BALANCER,
                CREATE_TARGET_GROUP,
                CREATE_LISTENER,
                ALB_ATTRIBUTES,
                CREATE_SERVICE
            ]
        );
        draft.load_balancing = LoadBalancing::Existing;
        draft.target_group_arn =
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/tg/1".into();
        assert_eq!(ids(&draft), [CREATE_SERVICE]);
        assert!(draft.issues().is_empty(), "{:?}", draft.issues());
        let sent = &draft.calls()[0].1.input;
        assert_eq!(
            sent["loadBalancers"][0]["targetGroupArn"],
            draft.target_group_arn.as_str()
        );
        assert_eq!(
            sent["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"],
            json!(["sg-0123abcd"])
        );
    }

    #[test]
    fn an_existing_load_balancer_gets_a_new_listener_and_target_group() {
        let mut draft = reference_002_draft();
        draft.load_balancing = LoadBalancing::ExistingLoadBalancer;
        draft.load_balancer_arn =
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shared/0123"
                .into();
        draft.load_balancer_groups = vec!["sg-0000000a".into()];
        draft.load_balancer.listener_port = 8080;
        assert!(draft.issues().is_empty(), "{:?}", draft.issues());
        assert_eq!(
            ids(&draft),
            [
                SERVICE_SECURITY_GROUP,
                SERVICE_INGRESS,
                CREATE_TARGET_GROUP,
                CREATE_LISTENER,
                CREATE_SERVICE
            ]
        );
        let calls = draft.calls();
        assert_eq!(
            calls[1].1.input["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"], "sg-0000000a",
            "the tasks let in the existing load balancer's group"
        );
        assert_eq!(
            calls[3].1.input["LoadBalancerArn"],
            draft.load_balancer_arn.as_str()
        );
        assert_eq!(calls[3].1.input["Port"], 8080);
        let hcl = draft.terraform();
        assert!(
            hcl.contains("load_balancer_arn = \"arn:aws:elasticloadbalancing:"),
            "{hcl}"
        );
        assert!(!hcl.contains("resource \"aws_lb\" "), "{hcl}");

        draft.load_balancer_arn =
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/x/1".into();
        let keys: Vec<&str> = draft.issues().iter().map(|i| i.key).collect();
        assert_eq!(keys, ["v.service_lb_arn"]);
    }

    #[test]
    fn an_existing_listener_gets_a_rule_to_a_new_target_group() {
        let mut draft = reference_002_draft();
        draft.load_balancing = LoadBalancing::ExistingListener;
        draft.load_balancer_arn =
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shared/0123"
                .into();
        draft.listener_arn =
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/shared/0123/4567".into();
        draft.load_balancer_groups = vec!["sg-0000000a".into()];
        draft.rule_path = "/api/*".into();
        assert!(draft.issues().is_empty(), "{:?}", draft.issues());
        let calls = draft.calls();
        assert_eq!(calls[3].0, CREATE_RULE);
        assert_eq!(
            calls[3].1.input["Conditions"],
            json!([{"Field": "path-pattern", "Values": ["/api/*"]}])
        );
        assert!(
            draft
                .terraform()
                .contains("resource \"aws_lb_listener_rule\"")
        );
        // By host as well as path, as the console allows.
        draft.rule_hosts = vec!["shop.example.com".into(), "*.shop.example.com".into()];
        assert!(draft.issues().is_empty(), "{:?}", draft.issues());
        assert_eq!(
            draft.calls()[3].1.input["Conditions"],
            json!([
                {"Field": "path-pattern", "Values": ["/api/*"]},
                {"Field": "host-header", "HostHeaderConfig": {"Values": ["shop.example.com", "*.shop.example.com"]}}
            ])
        );
        assert!(draft.terraform().contains(
            "host_header {\n      values = [\"shop.example.com\", \"*.shop.example.com\"]"
        ));
        draft.rule_path = "api".into();
        draft.rule_priority = 0;
        draft.rule_hosts = vec!["shop example".into()];
        let keys: Vec<&str> = draft.issues().iter().map(|i| i.key).collect();
        assert_eq!(keys, ["v.range", "v.lb_rule_path", "v.lb_rule_host"]);
        draft.rule_hosts = (0..5).map(|n| format!("h{n}.example.com")).collect();
        let keys: Vec<&str> = draft.issues().iter().map(|i| i.key).collect();
        assert!(keys.contains(&"v.lb_rule_values"), "{keys:?}");
    }

    #[test]
    fn mistakes_land_beside_the_form_fields() {
        let mut draft = reference_002_draft();
        draft.container = "web".into();
        draft.load_balancer.load_balancer_name = "ecs_alb".into();
        draft.load_balancer.target_group.health_check_path = "health".into();
        let paths: Vec<(String, &str)> = draft
            .issues()
            .into_iter()
            .map(|i| (i.path, i.key))
            .collect();
        assert!(paths.contains(&("container".into(), "v.service_container")));
        assert!(paths.contains(&("loadBalancer.loadBalancerName".into(), "v.lb_name")));
        assert!(paths.contains(&(
            "loadBalancer.targetGroup.healthCheckPath".into(),
            "v.lb_health_path"
        )));

        let mut draft = reference_002_draft();
        draft.load_balancing = LoadBalancing::None;
        let keys: Vec<&str> = draft.issues().iter().map(|i| i.key).collect();
        assert_eq!(
            keys,
            ["v.service_new_group_needs_lb", "v.service_default_group"]
        );
        draft.new_security_group = false;
        assert_eq!(draft.calls().len(), 1);
        assert!(
            draft.calls()[0]
                .1
                .input
                .get("healthCheckGracePeriodSeconds")
                .is_none(),
            "a grace period is refused without a load balancer"
        );
        assert!(draft.calls()[0].1.input.get("loadBalancers").is_none());
    }

    #[test]
    fn terraform_points_the_service_at_the_resources_it_declares() {
        let hcl = reference_002_draft().terraform();
        for needle in [
            "resource \"aws_lb\" \"ecs_fargate_alb\"",
            "resource \"aws_lb_target_group\" \"ecs_fargate_tg\"",
            "target_group_arn = aws_lb_target_group.ecs_fargate_tg.arn",
            "security_groups  = [aws_security_group.ecs_fargate_service_sg.id]",
        ] {
            assert!(hcl.contains(needle), "{needle} missing in:\n{hcl}");
        }
    }
}
