//! What the estimate prices, read from what a review shows: a task
//! definition (per task) and a service draft (its tasks, where they run,
//! what the plan makes for them).

use super::{Arch, Workload, spot_share};
use crate::model::network::NetworkFacts;
use crate::model::service::draft::{LoadBalancing, ServiceDraft};
use crate::model::service::status::ServiceStatus;
use crate::model::task_definition::TaskDefinition;

/// One task of `td`: its size, architecture, storage and logging. None
/// when its CPU or memory is not a number (AWS would refuse it anyway).
pub fn task(td: &TaskDefinition) -> Option<Workload> {
    let cpu: f64 = td.cpu.as_deref()?.trim().parse().ok()?;
    let memory: f64 = td.memory.as_deref()?.trim().parse().ok()?;
    let arm = td
        .runtime_platform
        .as_ref()
        .and_then(|p| p.cpu_architecture.as_deref())
        == Some("ARM64");
    Some(Workload {
        vcpu: cpu / 1024.0,
        memory_gb: memory / 1024.0,
        arch: if arm { Arch::Arm } else { Arch::X86 },
        ephemeral_gb: td
            .ephemeral_storage
            .as_ref()
            .map_or(0, |e| u32::try_from(e.size_in_gib).unwrap_or(0)),
        tasks: 1,
        logs: td
            .container_definitions
            .iter()
            .any(|c| c.awslogs().is_some()),
        ..Workload::default()
    })
}

/// `tasks` of the draft's service: on Spot as its strategy says, with
/// public IPs when it assigns them, the load balancer it makes (in as
/// many zones as its subnets span) and the NAT gateways its subnets go
/// out through, as `network` knows them.
pub fn service(
    draft: &ServiceDraft,
    td: &TaskDefinition,
    network: &NetworkFacts,
    tasks: u32,
) -> Option<Workload> {
    let mut work = task(td)?;
    let service = &draft.service;
    let strategy: Vec<(String, u32, u32)> = service
        .capacity_provider_strategy
        .iter()
        .map(|c| {
            (
                c.capacity_provider.clone(),
                u32::try_from(c.base).unwrap_or(0),
                u32::try_from(c.weight).unwrap_or(0),
            )
        })
        .collect();
    let awsvpc = &service.network_configuration.awsvpc_configuration;
    work.tasks = tasks;
    work.spot_tasks = spot_share(tasks, &strategy);
    work.public_ip = awsvpc.assign_public_ip == "ENABLED";
    if draft.load_balancing == LoadBalancing::New {
        let mut zones: Vec<&str> = draft
            .new_load_balancer()
            .subnets
            .iter()
            .filter_map(|id| network.subnet(id).map(|s| s.zone.as_str()))
            .collect();
        zones.sort_unstable();
        zones.dedup();
        // Unknown subnets still make a load balancer in at least two zones.
        work.new_load_balancer_zones = Some(u32::try_from(zones.len()).unwrap_or(2).max(2));
    }
    let mut nats: Vec<&str> = awsvpc
        .subnets
        .iter()
        .filter_map(|id| network.subnet(id))
        .filter_map(|s| s.nat_gateway.as_deref())
        .collect();
    nats.sort_unstable();
    nats.dedup();
    work.nat_gateways = u32::try_from(nats.len()).unwrap_or(0);
    Some(work)
}

/// `tasks` of a running service: what changes with its count (its tasks,
/// their addresses and logs), not what it has already (its load
/// balancer, NAT gateways).
pub fn running(td: &TaskDefinition, service: &ServiceStatus, tasks: u32) -> Option<Workload> {
    let mut work = task(td)?;
    work.tasks = tasks;
    work.public_ip = service.public_ip;
    // A strategy's weights are not on the page; Spot alone is certain.
    if service.launch_type == "FARGATE_SPOT" {
        work.spot_tasks = tasks;
    }
    Some(work)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::network::{Reach, SubnetSummary};
    use crate::model::service::CapacityProviderStrategyItem;

    fn td(json: &str) -> TaskDefinition {
        serde_json::from_str(json).expect("task definition")
    }

    #[test]
    fn a_task_is_read_from_its_definition() {
        let t = td(r#"{"family":"web","cpu":"512","memory":"2048",
            "runtimePlatform":{"cpuArchitecture":"ARM64","operatingSystemFamily":"LINUX"},
            "ephemeralStorage":{"sizeInGiB":40},
            "containerDefinitions":[{"name":"web","image":"nginx","logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/web","awslogs-region":"us-east-1","awslogs-stream-prefix":"ecs"}}}]}"#);
        let w = task(&t).expect("sized");
        assert_eq!((w.vcpu, w.memory_gb, w.arch), (0.5, 2.0, Arch::Arm));
        assert_eq!((w.ephemeral_gb, w.tasks, w.logs), (40, 1, true));
        let unsized_td = td(r#"{"family":"web","containerDefinitions":[]}"#);
        assert_eq!(task(&unsized_td), None);
    }

    fn subnet(id: &str, zone: &str, nat: Option<&str>) -> SubnetSummary {
        SubnetSummary {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            zone: zone.into(),
            cidr: String::new(),
            name: String::new(),
            reach: if nat.is_some() {
                Reach::PrivateWithNat
            } else {
                Reach::Public
            },
            nat_gateway: nat.map(str::to_string),
        }
    }

    #[test]
    fn a_running_service_prices_what_its_count_changes() {
        let t = td(r#"{"family":"web","cpu":"1024","memory":"2048","containerDefinitions":[]}"#);
        let mut status = ServiceStatus {
            public_ip: true,
            launch_type: "FARGATE".into(),
            ..ServiceStatus::default()
        };
        let w = running(&t, &status, 3).expect("sized");
        assert_eq!((w.tasks, w.spot_tasks, w.public_ip), (3, 0, true));
        assert_eq!((w.new_load_balancer_zones, w.nat_gateways), (None, 0));
        status.launch_type = "FARGATE_SPOT".into();
        assert_eq!(running(&t, &status, 3).map(|w| w.spot_tasks), Some(3));
    }

    #[test]
    fn a_service_counts_its_zones_nat_gateways_and_spot_tasks() {
        let t = td(r#"{"family":"web","cpu":"256","memory":"512","containerDefinitions":[]}"#);
        let mut draft = ServiceDraft {
            load_balancing: LoadBalancing::New,
            ..ServiceDraft::default()
        };
        let awsvpc = &mut draft.service.network_configuration.awsvpc_configuration;
        awsvpc.subnets = vec!["subnet-a".into(), "subnet-b".into(), "subnet-c".into()];
        awsvpc.assign_public_ip = "DISABLED".into();
        draft.service.capacity_provider_strategy = vec![
            CapacityProviderStrategyItem {
                capacity_provider: "FARGATE".into(),
                weight: 1,
                base: 1,
            },
            CapacityProviderStrategyItem {
                capacity_provider: "FARGATE_SPOT".into(),
                weight: 1,
                base: 0,
            },
        ];
        let network = NetworkFacts {
            subnets: vec![
                subnet("subnet-a", "ap-northeast-1a", Some("nat-1")),
                subnet("subnet-b", "ap-northeast-1c", Some("nat-1")),
                subnet("subnet-c", "ap-northeast-1d", Some("nat-2")),
            ],
            ..NetworkFacts::default()
        };
        let w = service(&draft, &t, &network, 5).expect("sized");
        assert_eq!((w.tasks, w.spot_tasks), (5, 2));
        assert_eq!(w.new_load_balancer_zones, Some(3));
        assert_eq!(w.nat_gateways, 2);
        assert!(!w.public_ip);
        // On an existing load balancer nothing new is priced for it.
        draft.load_balancing = LoadBalancing::Existing;
        let w = service(&draft, &t, &network, 5).expect("sized");
        assert_eq!(w.new_load_balancer_zones, None);
    }
}
