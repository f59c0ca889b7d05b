//! What the service wizard reads: the network of one VPC (subnets with their
//! reach, security groups), target groups, a family's revisions and one
//! task definition, whether names are taken, and a service as its page
//! shows it. Each read is one page of at most 100 items: a page's calls do
//! not grow with the account.

use aws_sdk_ec2::types::Filter;
use serde_json::Value;

use super::raw_body::CaptureBody;
use super::read_cache::Read;
use super::{Aws, AwsError};
use crate::model::import::import;
use crate::model::network::{
    LoadBalancerSummary, NetworkFacts, RouteTable, SecurityGroupSummary, SubnetSummary,
    TargetGroupSummary, VpcSummary, nat_of, reach_of,
};
use crate::model::service::metrics::Balanced;
use crate::model::service::status::{Deployment, ServiceEvent, ServiceStatus};
use crate::model::task_definition::TaskDefinition;

const PAGE: i32 = 100;

/// A VPC's application load balancers and target groups.
#[derive(Debug, Clone, Default)]
pub struct VpcLoadBalancing {
    pub load_balancers: Vec<LoadBalancerSummary>,
    pub target_groups: Vec<TargetGroupSummary>,
}

fn vpc_filter(vpc_id: &str) -> Filter {
    Filter::builder().name("vpc-id").values(vpc_id).build()
}

fn name_tag(tags: &[aws_sdk_ec2::types::Tag]) -> String {
    tags.iter()
        .find(|t| t.key() == Some("Name"))
        .and_then(|t| t.value())
        .unwrap_or_default()
        .to_string()
}

impl Aws {
    /// The VPCs, and for `vpc_id` (or the default VPC when None) its
    /// subnets, route tables and security groups, read at once.
    pub async fn network(&self, vpc_id: Option<&str>) -> Result<Read<NetworkFacts>, AwsError> {
        let key = format!("network:{}", vpc_id.unwrap_or_default());
        self.cache.read(key, || self.read_network(vpc_id)).await
    }

    async fn read_network(&self, vpc_id: Option<&str>) -> Result<NetworkFacts, AwsError> {
        let vpcs = self.ec2.describe_vpcs().send().await?;
        let vpcs: Vec<VpcSummary> = vpcs
            .vpcs()
            .iter()
            .map(|v| VpcSummary {
                id: v.vpc_id().unwrap_or_default().to_string(),
                cidr: v.cidr_block().unwrap_or_default().to_string(),
                is_default: v.is_default().unwrap_or(false),
                name: name_tag(v.tags()),
            })
            .collect();
        let mut facts = NetworkFacts {
            vpcs,
            ..NetworkFacts::default()
        };
        let chosen = match vpc_id.filter(|id| facts.vpcs.iter().any(|v| v.id == *id)) {
            Some(id) => id.to_string(),
            None => match facts.preferred_vpc() {
                Some(vpc) => vpc.id.clone(),
                None => return Ok(facts),
            },
        };
        let (subnets, tables, groups) = tokio::join!(
            self.ec2
                .describe_subnets()
                .filters(vpc_filter(&chosen))
                .max_results(PAGE)
                .send(),
            self.ec2
                .describe_route_tables()
                .filters(vpc_filter(&chosen))
                .max_results(PAGE)
                .send(),
            self.ec2
                .describe_security_groups()
                .filters(vpc_filter(&chosen))
                .max_results(PAGE)
                .send(),
        );
        let tables: Vec<RouteTable> = tables?
            .route_tables()
            .iter()
            .map(|t| RouteTable {
                main: t.associations().iter().any(|a| a.main() == Some(true)),
                subnets: t
                    .associations()
                    .iter()
                    .filter_map(|a| a.subnet_id().map(str::to_string))
                    .collect(),
                default_targets: t
                    .routes()
                    .iter()
                    .filter(|r| r.destination_cidr_block() == Some("0.0.0.0/0"))
                    .filter_map(|r| r.gateway_id().or(r.nat_gateway_id()).map(str::to_string))
                    .collect(),
            })
            .collect();
        let mut subnets: Vec<SubnetSummary> = subnets?
            .subnets()
            .iter()
            .map(|s| {
                let id = s.subnet_id().unwrap_or_default().to_string();
                SubnetSummary {
                    reach: reach_of(&id, &tables),
                    nat_gateway: nat_of(&id, &tables),
                    id,
                    vpc_id: chosen.clone(),
                    zone: s.availability_zone().unwrap_or_default().to_string(),
                    cidr: s.cidr_block().unwrap_or_default().to_string(),
                    name: name_tag(s.tags()),
                }
            })
            .collect();
        subnets.sort_by(|a, b| (&a.zone, &a.id).cmp(&(&b.zone, &b.id)));
        facts.subnets = subnets;
        facts.security_groups = groups?
            .security_groups()
            .iter()
            .map(|g| SecurityGroupSummary {
                id: g.group_id().unwrap_or_default().to_string(),
                name: g.group_name().unwrap_or_default().to_string(),
                description: g.description().unwrap_or_default().to_string(),
            })
            .collect();
        Ok(facts)
    }

    /// The application load balancers and target groups of `vpc_id`, one
    /// page of each, read at once and kept: only the choices of an existing
    /// load balancer or target group need them.
    pub async fn load_balancing_in(
        &self,
        vpc_id: &str,
    ) -> Result<Read<VpcLoadBalancing>, AwsError> {
        let key = format!("load-balancing:{vpc_id}");
        self.cache
            .read(key, || async {
                let chosen = vpc_id.to_string();
                let (target_groups, balancers) = tokio::join!(
                    self.elbv2.describe_target_groups().page_size(PAGE).send(),
                    self.elbv2.describe_load_balancers().page_size(PAGE).send(),
                );
                let load_balancers = balancers?
                    .load_balancers()
                    .iter()
                    .filter(|lb| lb.vpc_id() == Some(chosen.as_str()))
                    .filter(|lb| lb.r#type().map(|t| t.as_str()) == Some("application"))
                    .map(summary_of)
                    .collect();
                let target_groups = target_groups?
                    .target_groups()
                    .iter()
                    .filter(|tg| tg.vpc_id() == Some(chosen.as_str()))
                    .map(|tg| TargetGroupSummary {
                        arn: tg.target_group_arn().unwrap_or_default().to_string(),
                        name: tg.target_group_name().unwrap_or_default().to_string(),
                        protocol: tg
                            .protocol()
                            .map(|p| p.as_str().to_string())
                            .unwrap_or_default(),
                        port: tg.port().map_or(0, i64::from),
                        target_type: tg
                            .target_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        vpc_id: chosen.clone(),
                        load_balancer_arns: tg.load_balancer_arns().to_vec(),
                    })
                    .collect();
                Ok(VpcLoadBalancing {
                    load_balancers,
                    target_groups,
                })
            })
            .await
    }

    /// The load balancer `arn`, or None when there is none.
    pub async fn load_balancer(&self, arn: &str) -> Result<Option<LoadBalancerSummary>, AwsError> {
        match self
            .elbv2
            .describe_load_balancers()
            .load_balancer_arns(arn)
            .send()
            .await
        {
            Ok(output) => Ok(output.load_balancers().first().map(summary_of)),
            Err(error) => {
                let error = AwsError::from(error);
                if error.code.ends_with("NotFound") {
                    Ok(None)
                } else {
                    Err(error)
                }
            }
        }
    }

    /// The listeners of the load balancer `arn`: (ARN, port) each.
    pub async fn listeners(&self, arn: &str) -> Result<Vec<(String, i64)>, AwsError> {
        let output = self
            .elbv2
            .describe_listeners()
            .load_balancer_arn(arn)
            .send()
            .await?;
        Ok(output
            .listeners()
            .iter()
            .map(|l| {
                (
                    l.listener_arn().unwrap_or_default().to_string(),
                    l.port().map_or(0, i64::from),
                )
            })
            .collect())
    }

    /// The priorities already taken by rules of the listener `arn`.
    pub async fn rule_priorities(&self, arn: &str) -> Result<Vec<i64>, AwsError> {
        let output = self.elbv2.describe_rules().listener_arn(arn).send().await?;
        Ok(output
            .rules()
            .iter()
            .filter_map(|r| r.priority()?.parse().ok())
            .collect())
    }

    /// A family's newest revisions, newest first (`family:7`).
    pub async fn revisions(&self, family: &str) -> Result<Read<Vec<String>>, AwsError> {
        self.cache
            .read(format!("revisions:{family}"), || {
                self.read_revisions(family)
            })
            .await
    }

    async fn read_revisions(&self, family: &str) -> Result<Vec<String>, AwsError> {
        let output = self
            .ecs
            .list_task_definitions()
            .family_prefix(family)
            .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
            .sort(aws_sdk_ecs::types::SortOrder::Desc)
            .max_results(PAGE)
            .send()
            .await?;
        Ok(output
            .task_definition_arns()
            .iter()
            .filter_map(|arn| arn.rsplit_once('/').map(|(_, rest)| rest.to_string()))
            // A prefix matches `web-api` for `web`: keep the family itself.
            .filter(|name| name.rsplit_once(':').is_some_and(|(f, _)| f == family))
            .collect())
    }

    /// A revision (`family:7`) as the model reads it; None when there is none.
    pub async fn task_definition(
        &self,
        reference: &str,
    ) -> Result<Option<TaskDefinition>, AwsError> {
        let key = format!("task-definition:{reference}");
        let read = self
            .cache
            .read(key, || self.read_task_definition(reference))
            .await?;
        Ok(read.value.as_ref().clone())
    }

    async fn read_task_definition(
        &self,
        reference: &str,
    ) -> Result<Option<TaskDefinition>, AwsError> {
        let capture = CaptureBody::default();
        let result = self
            .ecs
            .describe_task_definition()
            .task_definition(reference)
            .customize()
            .interceptor(capture.clone())
            .send()
            .await;
        if let Err(error) = result {
            let error = AwsError::from(error);
            return if error.code == "ClientException" {
                Ok(None)
            } else {
                Err(error)
            };
        }
        let answer: Value = capture.take_json();
        Ok(import(&answer.to_string())
            .ok()
            .map(|imported| imported.task_definition))
    }

    /// True when `cluster` has an ACTIVE service named `name`.
    pub async fn service_exists(&self, cluster: &str, name: &str) -> Result<bool, AwsError> {
        Ok(self.service_status(cluster, name).await?.is_some())
    }

    /// True when a load balancer or a target group of that name exists.
    pub async fn load_balancer_exists(&self, name: &str) -> Result<bool, AwsError> {
        match self
            .elbv2
            .describe_load_balancers()
            .names(name)
            .send()
            .await
        {
            Ok(output) => Ok(!output.load_balancers().is_empty()),
            Err(error) => absent(error.into()),
        }
    }

    pub async fn target_group_exists(&self, name: &str) -> Result<bool, AwsError> {
        match self.elbv2.describe_target_groups().names(name).send().await {
            Ok(output) => Ok(!output.target_groups().is_empty()),
            Err(error) => absent(error.into()),
        }
    }

    /// A page of `cluster`'s services (10 at most, ECS's DescribeServices
    /// limit), described at once; and where the next page starts.
    pub async fn services(
        &self,
        cluster: &str,
        next_token: Option<String>,
    ) -> Result<(Vec<ServiceStatus>, Option<String>), AwsError> {
        let listed = self
            .ecs
            .list_services()
            .cluster(cluster)
            .max_results(10)
            .set_next_token(next_token)
            .send()
            .await?;
        let next = listed.next_token().map(str::to_string);
        // DescribeServices takes ten at a time; AWS lists ten here, an
        // emulator may list more.
        let described =
            futures_util::future::join_all(listed.service_arns().chunks(10).map(|arns| {
                self.ecs
                    .describe_services()
                    .cluster(cluster)
                    .set_services(Some(arns.to_vec()))
                    .send()
            }))
            .await;
        let mut services = Vec::new();
        for page in described {
            // ECS lists deleted services no more; an emulator may.
            services.extend(
                page?
                    .services()
                    .iter()
                    .filter(|s| s.status() != Some("INACTIVE"))
                    .map(status_of),
            );
        }
        Ok((services, next))
    }

    /// The ACTIVE service `name` of `cluster`, with its load balancers' DNS names.
    pub async fn service_status(
        &self,
        cluster: &str,
        name: &str,
    ) -> Result<Option<ServiceStatus>, AwsError> {
        let output = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .services(name)
            .include(aws_sdk_ecs::types::ServiceField::Tags)
            .send()
            .await?;
        let Some(service) = output
            .services()
            .iter()
            .find(|s| s.status() == Some("ACTIVE") || s.status() == Some("DRAINING"))
        else {
            return Ok(None);
        };
        let mut status = status_of(service);
        if status.status != "ACTIVE" {
            return Ok(Some(status));
        }
        if !status.target_group_arns.is_empty() {
            let groups = self
                .elbv2
                .describe_target_groups()
                .set_target_group_arns(Some(status.target_group_arns.clone()))
                .send()
                .await?;
            let balancers: Vec<String> = groups
                .target_groups()
                .iter()
                .flat_map(|tg| tg.load_balancer_arns().iter().cloned())
                .collect();
            status.balanced = groups
                .target_groups()
                .iter()
                .flat_map(|tg| {
                    let arn = tg.target_group_arn().unwrap_or_default();
                    tg.load_balancer_arns()
                        .iter()
                        .filter_map(move |lb| Balanced::from_arns(arn, lb))
                })
                .collect();
            if !balancers.is_empty() {
                let described = self
                    .elbv2
                    .describe_load_balancers()
                    .set_load_balancer_arns(Some(balancers))
                    .send()
                    .await?;
                status.dns_names = described
                    .load_balancers()
                    .iter()
                    .filter_map(|lb| lb.dns_name().map(str::to_string))
                    .collect();
            }
        }
        Ok(Some(status))
    }
}

fn summary_of(lb: &aws_sdk_elasticloadbalancingv2::types::LoadBalancer) -> LoadBalancerSummary {
    LoadBalancerSummary {
        arn: lb.load_balancer_arn().unwrap_or_default().to_string(),
        name: lb.load_balancer_name().unwrap_or_default().to_string(),
        dns_name: lb.dns_name().unwrap_or_default().to_string(),
        canonical_zone: lb
            .canonical_hosted_zone_id()
            .unwrap_or_default()
            .to_string(),
        internet_facing: lb.scheme()
            == Some(&aws_sdk_elasticloadbalancingv2::types::LoadBalancerSchemeEnum::InternetFacing),
        security_groups: lb.security_groups().to_vec(),
    }
}

/// A described service as the pages show it: counts, revision, where it
/// runs, its deployments and its newest events.
fn status_of(service: &aws_sdk_ecs::types::Service) -> ServiceStatus {
    let time = super::service_detail::readable;
    let network = service
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration());
    ServiceStatus {
        name: service.service_name().unwrap_or_default().to_string(),
        arn: service.service_arn().unwrap_or_default().to_string(),
        status: service.status().unwrap_or_default().to_string(),
        desired: service.desired_count().into(),
        running: service.running_count().into(),
        pending: service.pending_count().into(),
        task_definition: service.task_definition().unwrap_or_default().to_string(),
        launch_type: service
            .launch_type()
            .map(|l| l.as_str().to_string())
            .unwrap_or_else(|| {
                service
                    .capacity_provider_strategy()
                    .iter()
                    .map(|c| c.capacity_provider().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        subnets: network.map(|n| n.subnets().to_vec()).unwrap_or_default(),
        security_groups: network
            .map(|n| n.security_groups().to_vec())
            .unwrap_or_default(),
        public_ip: network
            .and_then(|n| n.assign_public_ip())
            .is_some_and(|p| p.as_str() == "ENABLED"),
        deployments: service
            .deployments()
            .iter()
            .map(|d| Deployment {
                status: d.status().unwrap_or_default().to_string(),
                rollout_state: d
                    .rollout_state()
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_default(),
                reason: d.rollout_state_reason().unwrap_or_default().to_string(),
                task_definition: d.task_definition().unwrap_or_default().to_string(),
                desired: d.desired_count().into(),
                running: d.running_count().into(),
                pending: d.pending_count().into(),
                created_at: time(d.created_at()),
                started: d.created_at().map_or(0.0, |t| t.as_secs_f64()),
            })
            .collect(),
        events: service
            .events()
            .iter()
            .map(|e| ServiceEvent {
                at: time(e.created_at()),
                epoch: e.created_at().map_or(0.0, |t| t.as_secs_f64()),
                message: e.message().unwrap_or_default().to_string(),
            })
            .collect(),
        target_group_arns: service
            .load_balancers()
            .iter()
            .filter_map(|lb| lb.target_group_arn().map(str::to_string))
            .collect(),
        balanced: Vec::new(),
        dns_names: Vec::new(),
        domain: service
            .tags()
            .iter()
            .find(|t| t.key() == Some(crate::model::service::draft::DOMAIN_TAG))
            .and_then(|t| t.value())
            // A tag anyone could write: linked only when it is a host name.
            .filter(|name| crate::model::domain::is_host_name(name))
            .unwrap_or_default()
            .to_string(),
        created_at: time(service.created_at()),
    }
}

/// "Not found" answers a name check with "free".
fn absent(error: AwsError) -> Result<bool, AwsError> {
    if error.code.ends_with("NotFound") || error.code.ends_with("NotFoundException") {
        Ok(false)
    } else {
        Err(error)
    }
}
