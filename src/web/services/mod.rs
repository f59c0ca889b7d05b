//! The service wizard: the "Create service" form (shared draft flow), a
//! review that lists every call of the plan with its preflight, the run
//! page that follows the plan as it goes (resume, clean up), and the
//! service's page where a run ends.

mod charts;
mod form;
mod history;
mod logs;
mod review;
mod revision_compare;
mod rollback_fields;
mod run;
mod show;
mod teardown;
mod update;

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;

use super::route::{Routes, admin, deployer, get, post, viewer};
use axum::response::{IntoResponse, Response};

use super::create::{FormCommon, FormWizard, form_routes};
use super::form::Context;
use super::form::FormData;
use super::form::{Choice, Pick};
use crate::aws::AwsError;
use crate::aws::Connection;
use crate::i18n::Tr;
use crate::model::account::RoleSummary;
use crate::model::certificate::Certificate;
use crate::model::domain::{HostedZone, zone_id};
use crate::model::load_balancing::SSL_POLICIES;
use crate::model::network::NetworkFacts;
use crate::model::permissions::trusts_service;
use crate::model::service::FARGATE_PROVIDERS;
use crate::model::service::draft::{LoadBalancing, ServiceDraft};
use crate::model::service::traffic::ECS_SERVICE;
use crate::web::refusal::said;
use rollback_fields::RollbackView;

/// The service wizard's form, filled by another page (the quick start),
/// read as the wizard reads it.
pub fn decode_service_fields(pairs: Vec<(String, String)>, partition: &str) -> ServiceDraft {
    form::decode(&mut crate::web::form::FormData::new(pairs), partition)
}

pub fn routes() -> Routes {
    let draft = "/services/drafts/{id}";
    let service = "/clusters/{cluster}/services/{service}";
    form_routes::<ServiceDraft>()
        .route(&format!("{draft}/review"), get(viewer(review::show)))
        .route(&format!("{draft}/create"), post(deployer(run::create)))
        .route(&format!("{draft}/run"), get(viewer(run::show)))
        .route(&format!("{draft}/address"), get(viewer(run::address_check)))
        .route(&format!("{draft}/resume"), post(deployer(run::resume)))
        .route(&format!("{draft}/cleanup"), post(deployer(run::clean_up)))
        .route("/clusters/{cluster}/services", get(viewer(show::list)))
        .route(service, get(viewer(show::show)))
        .route(
            &format!("{service}/revisions/compare"),
            get(viewer(revision_compare::show)),
        )
        .route(
            &format!("{service}/update"),
            get(viewer(update::confirm)).post(deployer(update::send)),
        )
        .route(
            &format!("{service}/delete"),
            get(viewer(teardown::confirm)).post(admin(teardown::start)),
        )
        .route(
            &format!("{service}/tasks/{{task}}/logs/{{container}}"),
            get(viewer(logs::show)),
        )
        .route(
            &format!("{service}/tasks/{{task}}/logs/{{container}}/newer"),
            get(viewer(logs::newer)),
        )
        .route("/teardowns/{id}", get(viewer(teardown::show)))
        .route("/teardowns/{id}/resume", post(admin(teardown::resume)))
}

/// What the form offers, read from the account.
#[derive(Default)]
pub struct ServiceFormFacts {
    pub clusters: Vec<String>,
    pub families: Vec<String>,
    /// The chosen family's revisions, newest first (`web:7`).
    pub revisions: Vec<String>,
    /// The chosen revision's `container:port` pairs.
    pub containers: Vec<String>,
    /// The chosen load balancer's listeners (ARNs).
    pub listeners: Vec<String>,
    /// The region's issued certificates, for an HTTPS listener.
    pub certificates: Vec<Certificate>,
    /// The account's hosted zones, for a domain.
    pub zones: Vec<HostedZone>,
    /// The account's first thousand roles: those ECS may assume are offered
    /// as the infrastructure role.
    pub roles: Vec<RoleSummary>,
    /// The region's first alarm names, offered to fail a deployment.
    pub alarms: Vec<String>,
    /// The zones were read (without AWS nothing is said of the domain).
    pub zones_read: bool,
    pub network: NetworkFacts,
    /// The account's load balancers and target groups were read (only an
    /// existing-load-balancer choice needs them).
    pub load_balancing_read: bool,
    /// Why the account could not be read: AWS's refusals.
    pub problems: Vec<AwsError>,
}

impl FormWizard for ServiceDraft {
    const KIND: &'static str = "services";

    fn start(_context: &Context, query: &HashMap<String, String>) -> Self {
        let get = |key: &str| query.get(key).map(String::as_str).unwrap_or_default();
        form::start(get("cluster"), get("taskDefinition"))
    }

    /// `?taskDefinition=web:3` (from a revision's page) chooses that
    /// revision; everything else typed stays.
    fn prepare(&mut self, query: &HashMap<String, String>) {
        if let Some(chosen) = query
            .get("taskDefinition")
            .filter(|t| is_family_revision(t))
        {
            self.service.task_definition = chosen.clone();
        }
    }

    fn decode(form: &mut FormData, context: &Context) -> Self {
        form::decode(form, &context.partition)
    }

    fn title(&self) -> &'static str {
        "ui.create_service"
    }

    type Facts = ServiceFormFacts;

    async fn read_facts(&self, connection: &Connection) -> ServiceFormFacts {
        let Some(aws) = connection.aws() else {
            return ServiceFormFacts::default();
        };
        let family = self.family();
        let vpc = Some(self.vpc_id.as_str()).filter(|v| !v.is_empty());
        // Read at once; only a first visit (no family yet) waits for the
        // families before it reads the first one's revisions.
        let (clusters, families, revisions, network, listeners, certificates, zones, roles, alarms) = tokio::join!(
            aws.picker_clusters(),
            aws.picker_families(),
            async {
                match family {
                    Some(family) => aws.revisions(family).await.map(|r| r.value.to_vec()),
                    None => Ok(Vec::new()),
                }
            },
            aws.network(vpc),
            async {
                if self.load_balancer_arn.is_empty() {
                    Ok(Vec::new())
                } else {
                    aws.listeners(&self.load_balancer_arn).await
                }
            },
            // Every visit: the load-balancing choice switches without a
            // reload, so the certificates are on the page before it is made.
            async { aws.certificates().await.map(|read| read.value.to_vec()) },
            async { aws.hosted_zones().await.map(|read| read.value.to_vec()) },
            async {
                aws.picker_roles()
                    .await
                    .map(|read| read.value.items.clone())
            },
            async { aws.picker_alarms().await.map(|read| read.value.to_vec()) },
        );
        let mut facts = ServiceFormFacts::default();
        let mut problems = Vec::new();
        match clusters {
            Ok(clusters) => {
                facts.clusters = clusters
                    .value
                    .items
                    .iter()
                    .filter(|c| c.status == "ACTIVE")
                    .map(|c| c.name.clone())
                    .collect();
            }
            Err(e) => problems.push(e),
        }
        match families {
            Ok(families) => facts.families = families.value.to_vec(),
            Err(e) => problems.push(e),
        }
        match revisions {
            Ok(revisions) => facts.revisions = revisions,
            Err(e) => problems.push(e),
        }
        match network {
            Ok(network) => facts.network = network.value.as_ref().clone(),
            Err(e) => problems.push(e),
        }
        // A new load balancer (the tutorials' way) needs none of the
        // account's: they are read once an existing one is chosen.
        if self.load_balancing.uses_existing() {
            let chosen = vpc
                .map(str::to_string)
                .or_else(|| facts.network.preferred_vpc().map(|v| v.id.clone()));
            if let Some(chosen) = chosen {
                match aws.load_balancing_in(&chosen).await {
                    Ok(read) => {
                        facts.network.load_balancers = read.value.load_balancers.clone();
                        facts.network.target_groups = read.value.target_groups.clone();
                        facts.load_balancing_read = true;
                    }
                    Err(e) => problems.push(e),
                }
            }
        }
        match listeners {
            Ok(listeners) => facts.listeners = listeners.into_iter().map(|(arn, _)| arn).collect(),
            Err(e) => problems.push(e),
        }
        match certificates {
            Ok(certificates) => facts.certificates = certificates,
            Err(e) => problems.push(e),
        }
        match roles {
            Ok(roles) => facts.roles = roles,
            Err(e) => problems.push(e),
        }
        match alarms {
            Ok(alarms) => facts.alarms = alarms,
            Err(e) => problems.push(e),
        }
        match zones {
            Ok(zones) => {
                facts.zones = zones;
                facts.zones_read = true;
            }
            Err(e) => problems.push(e),
        }
        // A first visit names no family: the form preselects the first.
        if family.is_none()
            && let Some(first) = facts.families.first()
        {
            match aws.revisions(first).await {
                Ok(revisions) => facts.revisions = revisions.value.to_vec(),
                Err(e) => problems.push(e),
            }
        }
        let chosen = self
            .revision()
            .map(str::to_string)
            .or_else(|| facts.revisions.first().cloned());
        if let Some(chosen) = chosen {
            match aws.task_definition(&chosen).await {
                Ok(Some(td)) => {
                    facts.containers = td
                        .container_definitions
                        .iter()
                        .flat_map(|c| {
                            c.port_mappings
                                .iter()
                                .filter_map(|p| p.container_port)
                                .map(move |port| format!("{}:{port}", c.name))
                        })
                        .collect();
                }
                Ok(None) => {}
                Err(e) => problems.push(e),
            }
        }
        facts.problems = problems;
        facts
    }

    fn render_form(&self, v: FormCommon, facts: ServiceFormFacts) -> Response {
        ServiceForm::new(self, v, facts).into_response()
    }
}

impl ServiceDraft {
    /// The family part of the chosen task definition.
    fn family(&self) -> Option<&str> {
        let td = self.service.task_definition.as_str();
        let family = td.rsplit_once(':').map_or(td, |(family, _)| family);
        Some(family).filter(|f| !f.is_empty() && !f.contains('/'))
    }

    /// `family:7` when a revision is chosen.
    fn revision(&self) -> Option<&str> {
        let td = self.service.task_definition.as_str();
        td.rsplit_once(':')
            .is_some_and(|(_, r)| r.parse::<u32>().is_ok())
            .then_some(td)
    }
}

pub struct CapacityRow {
    /// `capacityProviderStrategy.0.`
    pub p: String,
    pub provider: &'static str,
    pub weight: i64,
    pub base: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/form.html")]
pub struct ServiceForm {
    pub v: FormCommon,
    pub problem: String,
    pub clusters: Vec<Choice>,
    pub capacity_providers: bool,
    pub capacity: Vec<CapacityRow>,
    pub platform_versions: Vec<Choice>,
    pub families: Vec<Choice>,
    pub revisions: Vec<Choice>,
    pub service_name: String,
    pub desired_count: i64,
    pub grace_period: String,
    pub min_percent: i64,
    pub max_percent: i64,
    pub circuit_breaker: bool,
    pub rollback: bool,
    pub strategies: Vec<Choice>,
    pub bake_time: i64,
    pub step_percent: String,
    pub step_bake: i64,
    pub canary_percent: String,
    pub canary_bake: i64,
    pub shift_roles: Vec<Choice>,
    pub shift_role_name: String,
    pub test_port: String,
    pub rollback_view: RollbackView,
    pub vpcs: Vec<Choice>,
    pub subnets: Vec<Pick>,
    pub groups: Vec<Pick>,
    pub new_security_group: bool,
    pub public_ip: bool,
    pub load_balancing: &'static str,
    pub containers: Vec<Choice>,
    pub lb_name: String,
    pub lb_group_name: String,
    pub lb_subnets: Vec<Pick>,
    pub listener_port: i64,
    pub certificates: Vec<Choice>,
    pub domain_name: String,
    pub zones: Vec<Choice>,
    pub ssl_policies: Vec<Choice>,
    pub https_port: i64,
    pub redirect_http: bool,
    pub tg_name: String,
    pub tg_path: String,
    pub tg_interval: i64,
    pub tg_timeout: i64,
    pub tg_healthy: i64,
    pub tg_unhealthy: i64,
    pub tg_codes: String,
    pub service_group_name: String,
    pub target_groups: Vec<Choice>,
    pub load_balancers: Vec<Choice>,
    /// False until an existing-load-balancer choice has the account's read.
    pub load_balancing_read: bool,
    pub listeners: Vec<Choice>,
    pub tg_protocols: Vec<Choice>,
    pub propagate_tags: Vec<Choice>,
    pub execute_command: bool,
    pub rule_priority: i64,
    pub rule_path: String,
    pub rule_hosts: String,
    pub scaling_enabled: bool,
    pub min_tasks: i64,
    pub max_tasks: i64,
    pub scaling_metrics: Vec<Choice>,
    pub scaling_target: i64,
    pub scale_in_cooldown: i64,
    pub scale_out_cooldown: i64,
    pub advanced: String,
}

/// Options for a select: the account's values, the current one selected
/// (and kept even when the account no longer lists it).
fn options(values: &[String], current: &str, empty_label: Option<&str>) -> Vec<Choice> {
    let mut choices: Vec<Choice> = Vec::new();
    if let Some(label) = empty_label {
        choices.push(Choice {
            value: String::new(),
            label: label.to_string(),
            selected: current.is_empty(),
        });
    }
    if !current.is_empty() && !values.iter().any(|v| v == current) {
        choices.push(Choice {
            value: current.to_string(),
            label: current.to_string(),
            selected: true,
        });
    }
    choices.extend(values.iter().map(|value| Choice {
        value: value.clone(),
        label: value.clone(),
        selected: value == current,
    }));
    choices
}

impl ServiceForm {
    fn new(draft: &ServiceDraft, mut v: FormCommon, facts: ServiceFormFacts) -> Self {
        let tr = v.page.tr;
        // What the zones and certificates read say of the domain, beside
        // its fields (preflight says it again, with the name's records).
        if facts.zones_read {
            // The name's records are read by preflight, not by the form.
            let known = draft.domain_facts(facts.zones.clone(), None, &facts.certificates);
            v.errors.add(tr, &draft.domain.check(&known));
        }
        let service = &draft.service;
        let network = &facts.network;
        // First visit: what the account has, preselected.
        let cluster = if service.cluster.is_empty() {
            facts.clusters.first().cloned().unwrap_or_default()
        } else {
            service.cluster.clone()
        };
        let family = draft
            .family()
            .map(str::to_string)
            .or_else(|| facts.families.first().cloned())
            .unwrap_or_default();
        let revision = draft
            .revision()
            .map(str::to_string)
            .or_else(|| facts.revisions.first().cloned())
            .unwrap_or_default();
        let vpc_id = if draft.vpc_id.is_empty() {
            network
                .preferred_vpc()
                .map(|v| v.id.clone())
                .unwrap_or_default()
        } else {
            draft.vpc_id.clone()
        };
        let subnet_picks = |prefix: &str, chosen: &[String]| -> Vec<Pick> {
            let mut picks: Vec<Pick> = network
                .subnets
                .iter()
                .map(|s| Pick {
                    name: format!("{prefix}{}", s.id),
                    label: if s.name.is_empty() {
                        s.id.clone()
                    } else {
                        format!("{} ({})", s.id, s.name)
                    },
                    detail: format!("{} · {} · {}", s.zone, s.cidr, tr.t(s.reach.key())),
                    checked: chosen.contains(&s.id),
                })
                .collect();
            for id in chosen.iter().filter(|id| network.subnet(id).is_none()) {
                picks.push(Pick {
                    name: format!("{prefix}{id}"),
                    label: id.clone(),
                    detail: String::new(),
                    checked: true,
                });
            }
            picks
        };
        let vpc_config = &service.network_configuration.awsvpc_configuration;
        let groups = network
            .security_groups
            .iter()
            .map(|g| Pick {
                name: format!("group.{}", g.id),
                label: format!("{} ({})", g.name, g.id),
                detail: g.description.clone(),
                checked: vpc_config.security_groups.contains(&g.id),
            })
            .collect();
        let vpcs: Vec<String> = network.vpcs.iter().map(|v| v.id.clone()).collect();
        let mut vpc_choices = options(&vpcs, &vpc_id, None);
        for choice in &mut vpc_choices {
            if let Some(vpc) = network.vpcs.iter().find(|v| v.id == choice.value) {
                let default = if vpc.is_default {
                    tr.t("ui.default_vpc")
                } else {
                    ""
                };
                choice.label = format!("{} {} {} {default}", vpc.id, vpc.name, vpc.cidr);
            }
        }
        let mut target_groups = options(
            &network
                .target_groups
                .iter()
                .map(|t| t.arn.clone())
                .collect::<Vec<_>>(),
            &draft.target_group_arn,
            Some(""),
        );
        for choice in &mut target_groups {
            if let Some(tg) = network.target_groups.iter().find(|t| t.arn == choice.value) {
                choice.label = format!(
                    "{} ({} {}, {})",
                    tg.name, tg.protocol, tg.port, tg.target_type
                );
            }
        }
        let container = if draft.container.is_empty() {
            facts.containers.first().cloned().unwrap_or_default()
        } else {
            draft.container.clone()
        };
        let lb = &draft.load_balancer;
        let tg = &lb.target_group;
        let breaker = service.deployment_configuration.deployment_circuit_breaker;
        let deployment = &service.deployment_configuration;
        let linear = deployment.linear_configuration.unwrap_or_default();
        let canary = deployment.canary_configuration.unwrap_or_default();
        Self {
            problem: facts
                .problems
                .iter()
                .map(|e| said(tr, e))
                .collect::<Vec<_>>()
                .join(" "),
            clusters: options(&facts.clusters, &cluster, None),
            capacity_providers: service.launch_type.is_none(),
            capacity: FARGATE_PROVIDERS
                .iter()
                .enumerate()
                .map(|(n, provider)| {
                    let item = service
                        .capacity_provider_strategy
                        .iter()
                        .find(|i| i.capacity_provider == *provider);
                    CapacityRow {
                        p: format!("capacityProviderStrategy.{n}."),
                        provider,
                        weight: item.map_or(i64::from(*provider == "FARGATE"), |i| i.weight),
                        base: item.map_or(0, |i| i.base),
                    }
                })
                .collect(),
            platform_versions: options(
                &crate::web::services::form::PLATFORM_VERSIONS.map(String::from),
                service.platform_version.as_deref().unwrap_or("LATEST"),
                None,
            ),
            families: options(&facts.families, &family, None),
            revisions: options(&facts.revisions, &revision, None),
            service_name: service.service_name.clone(),
            desired_count: service.desired_count,
            grace_period: service
                .health_check_grace_period_seconds
                .map(|g| g.to_string())
                .unwrap_or_default(),
            min_percent: service.deployment_configuration.minimum_healthy_percent,
            max_percent: service.deployment_configuration.maximum_percent,
            circuit_breaker: breaker.is_some_and(|b| b.enable),
            rollback: breaker.is_some_and(|b| b.rollback),
            strategies: Choice::list(
                &[
                    ("ROLLING", tr.t("ui.strategy_rolling")),
                    ("BLUE_GREEN", tr.t("ui.strategy_blue_green")),
                    ("LINEAR", tr.t("ui.strategy_linear")),
                    ("CANARY", tr.t("ui.strategy_canary")),
                    (form::CODE_DEPLOY, tr.t("ui.strategy_code_deploy")),
                ],
                if service.is_code_deploy() {
                    form::CODE_DEPLOY
                } else {
                    deployment.strategy.as_deref().unwrap_or("ROLLING")
                },
            ),
            bake_time: deployment
                .bake_time_in_minutes
                .unwrap_or(form::DEFAULT_BAKE_MINUTES),
            step_percent: linear.step_percent.to_string(),
            step_bake: linear.step_bake_time_in_minutes,
            canary_percent: canary.canary_percent.to_string(),
            canary_bake: canary.canary_bake_time_in_minutes,
            shift_roles: shift_role_choices(tr, &facts.roles, draft),
            shift_role_name: draft.shift.role_name.clone(),
            rollback_view: RollbackView::new(tr, draft, &facts.alarms, &facts.roles),
            test_port: Some(draft.shift.test_port)
                .filter(|p| *p > 0)
                .map(|p| p.to_string())
                .unwrap_or_default(),
            vpcs: vpc_choices,
            subnets: subnet_picks("subnet.", &vpc_config.subnets),
            groups,
            new_security_group: draft.new_security_group,
            public_ip: vpc_config.assign_public_ip == "ENABLED",
            load_balancing: match draft.load_balancing {
                LoadBalancing::None => "none",
                LoadBalancing::New => "new",
                LoadBalancing::Existing => "existing",
                LoadBalancing::ExistingLoadBalancer => "existing_load_balancer",
                LoadBalancing::ExistingListener => "existing_listener",
            },
            load_balancers: {
                let arns: Vec<String> = network
                    .load_balancers
                    .iter()
                    .map(|l| l.arn.clone())
                    .collect();
                let mut choices = options(&arns, &draft.load_balancer_arn, Some(""));
                for choice in &mut choices {
                    if let Some(lb) = network
                        .load_balancers
                        .iter()
                        .find(|l| l.arn == choice.value)
                    {
                        choice.label = format!("{} ({})", lb.name, lb.dns_name);
                    }
                }
                choices
            },
            containers: options(&facts.containers, &container, None),
            lb_name: lb.load_balancer_name.clone(),
            lb_group_name: lb.security_group_name.clone(),
            lb_subnets: subnet_picks("lbSubnet.", &lb.subnets),
            listener_port: lb.listener_port,
            certificates: certificate_choices(tr, &facts.certificates, draft),
            domain_name: draft.domain.name.clone(),
            zones: zone_choices(tr, &facts.zones, &draft.domain.hosted_zone_id),
            ssl_policies: options(&SSL_POLICIES.map(String::from), &lb.ssl_policy, None),
            https_port: lb.https_port,
            redirect_http: lb.redirect_http,
            tg_name: tg.name.clone(),
            tg_path: tg.health_check_path.clone(),
            tg_interval: tg.interval_seconds,
            tg_timeout: tg.timeout_seconds,
            tg_healthy: tg.healthy_threshold,
            tg_unhealthy: tg.unhealthy_threshold,
            tg_codes: tg.success_codes.clone(),
            service_group_name: lb.service_security_group_name.clone(),
            target_groups,
            load_balancing_read: facts.load_balancing_read,
            listeners: options(&facts.listeners, &draft.listener_arn, Some("")),
            tg_protocols: Choice::list(&[("HTTP", "HTTP"), ("HTTPS", "HTTPS")], &tg.protocol),
            propagate_tags: Choice::list(
                &[
                    ("", tr.t("ui.do_not_propagate")),
                    ("SERVICE", tr.t("ui.service")),
                    ("TASK_DEFINITION", tr.t("ui.task_definition")),
                ],
                service.propagate_tags.as_deref().unwrap_or(""),
            ),
            execute_command: service.enable_execute_command,
            rule_priority: draft.rule_priority,
            rule_path: draft.rule_path.clone(),
            rule_hosts: draft.rule_hosts.join(", "),
            scaling_enabled: draft.auto_scaling.enabled,
            min_tasks: draft.auto_scaling.min_tasks,
            max_tasks: draft.auto_scaling.max_tasks,
            scaling_metrics: show::metric_choices(tr, draft.auto_scaling.metric),
            scaling_target: draft.auto_scaling.target,
            scale_in_cooldown: draft.auto_scaling.scale_in_cooldown,
            scale_out_cooldown: draft.auto_scaling.scale_out_cooldown,
            advanced: form::advanced_text(draft),
            v,
        }
    }
}

/// "None: plain HTTP", then each issued certificate by its names and
/// expiry; a chosen one the account no longer lists stays, by its ARN.
fn certificate_choices(tr: Tr, certificates: &[Certificate], draft: &ServiceDraft) -> Vec<Choice> {
    let arns: Vec<String> = certificates.iter().map(|c| c.arn.clone()).collect();
    let current = if draft.request_certificate {
        form::REQUEST
    } else {
        draft.load_balancer.certificate_arn.as_str()
    };
    let mut choices = options(&arns, current, Some(tr.t("ui.no_certificate")));
    for choice in &mut choices {
        if let Some(certificate) = certificates.iter().find(|c| c.arn == choice.value) {
            choice.label = certificate.label(tr.t("ui.certificate_expires"));
        }
    }
    choices.retain(|c| c.value != form::REQUEST);
    choices.insert(
        1,
        Choice {
            value: form::REQUEST.into(),
            label: tr.t("ui.request_certificate").to_string(),
            selected: draft.request_certificate,
        },
    );
    choices
}

/// "Create ecsInfrastructureRoleForLoadBalancers", then the account's roles
/// that ECS may assume; a chosen one the account no longer lists stays.
/// When the account already has the role the form would create, it is
/// chosen instead (IAM would refuse making it again).
fn shift_role_choices(tr: Tr, roles: &[RoleSummary], draft: &ServiceDraft) -> Vec<Choice> {
    let trusted: Vec<&RoleSummary> = roles
        .iter()
        .filter(|r| trusts_service(&r.trust, ECS_SERVICE))
        .collect();
    let existing = trusted.iter().find(|r| r.name == draft.shift.role_name);
    let current = match (draft.shift.role_arn.as_str(), existing) {
        ("", Some(role)) => role.arn.as_str(),
        ("", None) => form::CREATE_ROLE,
        (arn, _) => arn,
    };
    let trusted: Vec<String> = trusted.iter().map(|r| r.arn.clone()).collect();
    let mut choices = options(&trusted, current, None);
    choices.retain(|c| c.value != form::CREATE_ROLE);
    for choice in &mut choices {
        if let Some(role) = roles.iter().find(|r| r.arn == choice.value) {
            choice.label = role.name.clone();
        }
    }
    choices.insert(
        0,
        Choice {
            value: form::CREATE_ROLE.into(),
            label: tr.t("ui.create_infrastructure_role").to_string(),
            selected: current == form::CREATE_ROLE,
        },
    );
    choices
}

/// "None", then each zone by its name, private ones said so.
fn zone_choices(tr: Tr, zones: &[HostedZone], current: &str) -> Vec<Choice> {
    let ids: Vec<String> = zones.iter().map(|z| z.id.clone()).collect();
    let mut choices = options(&ids, zone_id(current), Some(tr.t("ui.no_zone")));
    for choice in &mut choices {
        if let Some(zone) = zones.iter().find(|z| z.id == choice.value) {
            let name = zone.name.trim_end_matches('.');
            choice.label = if zone.private {
                format!("{name} ({})", tr.t("ui.private_zone"))
            } else {
                name.to_string()
            };
        }
    }
    choices
}

/// `family:7`: a family name (1–255 letters, digits, `-`, `_`) and a revision.
fn is_family_revision(text: &str) -> bool {
    text.rsplit_once(':').is_some_and(|(family, revision)| {
        (1..=255).contains(&family.len())
            && family
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
            && !revision.is_empty()
            && revision.len() <= 9
            && revision.chars().all(|c| c.is_ascii_digit())
    })
}
