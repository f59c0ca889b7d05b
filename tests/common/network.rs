//! The default VPC as AWS makes it, in moto: two subnets in different
//! zones, and an internet gateway on the main route table.

pub async fn default_network(ec2: &aws_sdk_ec2::Client) -> (String, Vec<String>) {
    let vpcs = ec2.describe_vpcs().send().await.expect("DescribeVpcs");
    let vpc = vpcs
        .vpcs()
        .iter()
        .find(|v| v.is_default() == Some(true))
        .and_then(|v| v.vpc_id())
        .expect("moto has a default VPC")
        .to_string();
    let subnets = ec2
        .describe_subnets()
        .send()
        .await
        .expect("DescribeSubnets");
    let mut zones = Vec::new();
    let mut chosen = Vec::new();
    for subnet in subnets.subnets() {
        let zone = subnet.availability_zone().unwrap_or_default().to_string();
        if subnet.vpc_id() == Some(vpc.as_str()) && !zones.contains(&zone) {
            zones.push(zone);
            chosen.push(subnet.subnet_id().unwrap_or_default().to_string());
        }
    }
    chosen.truncate(2);
    assert_eq!(chosen.len(), 2, "two zones in moto's default VPC");
    (vpc, chosen)
}

/// moto's default VPC has no internet gateway; AWS's has one, routed from
/// the main route table, which makes its subnets public.
pub async fn internet_gateway(ec2: &aws_sdk_ec2::Client, vpc: &str) {
    let gateway = ec2.create_internet_gateway().send().await.expect("IGW");
    let gateway = gateway
        .internet_gateway()
        .and_then(|g| g.internet_gateway_id())
        .expect("IGW id")
        .to_string();
    ec2.attach_internet_gateway()
        .internet_gateway_id(&gateway)
        .vpc_id(vpc)
        .send()
        .await
        .expect("attach");
    let tables = ec2.describe_route_tables().send().await.expect("tables");
    let main = tables
        .route_tables()
        .iter()
        .find(|t| {
            t.vpc_id() == Some(vpc) && t.associations().iter().any(|a| a.main() == Some(true))
        })
        .and_then(|t| t.route_table_id())
        .expect("main table")
        .to_string();
    ec2.create_route()
        .route_table_id(main)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(gateway)
        .send()
        .await
        .expect("route");
}

/// A cluster, and a Fargate task definition `family` whose one container
/// `container` listens on port 80, as reference 002 registers it.
pub async fn cluster_and_task_definition(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    family: &str,
    container: &str,
) {
    cluster_and_task_definition_on(ecs, cluster, family, container, 80).await;
}

/// The same with the container listening on `port`.
pub async fn cluster_and_task_definition_on(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    family: &str,
    container: &str,
    port: i32,
) {
    use aws_sdk_ecs::types::{Compatibility, ContainerDefinition, NetworkMode, PortMapping};
    ecs.create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .expect("CreateCluster");
    ecs.register_task_definition()
        .family(family)
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name(container)
                .image("nginx:latest")
                .port_mappings(PortMapping::builder().container_port(port).build())
                .build(),
        )
        .send()
        .await
        .expect("RegisterTaskDefinition");
}

/// A public hosted zone `name` in the emulator; its id without `/hostedzone/`.
pub async fn hosted_zone(config: &aws_config::SdkConfig, name: &str) -> String {
    aws_sdk_route53::Client::new(config)
        .create_hosted_zone()
        .name(name)
        .caller_reference(format!("test-{name}"))
        .send()
        .await
        .expect("a zone")
        .hosted_zone()
        .expect("zone")
        .id()
        .trim_start_matches("/hostedzone/")
        .to_string()
}
