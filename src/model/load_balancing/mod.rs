//! A new Application Load Balancer in front of a service, as reference 002
//! builds it in the console: a security group open on the listener's port
//! from anywhere (`ecs-alb-sg`), the load balancer in two or more subnets, a
//! target group of type `ip` (Fargate tasks register by IP) with its health
//! check, a listener forwarding to it, and a security group for the tasks
//! that lets the container port in from the load balancer's group only.
//!
//! Requests are in the APIs' own parameter names (what `aws ec2 … /
//! aws elbv2 … --cli-input-json` takes); a value another step makes is an
//! output reference such as `${CreateLoadBalancer.LoadBalancerArn}`.

mod terraform;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::api_call::ApiCall;
use super::validate::{Issue, check_range};
use crate::model::operation::Operation;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewLoadBalancer {
    pub vpc_id: String,
    pub subnets: Vec<String>,
    pub load_balancer_name: String,
    /// The load balancer's own security group (reference 002: `ecs-alb-sg`).
    pub security_group_name: String,
    /// The HTTP listener's port (reference 002: 80). With a certificate it
    /// redirects to HTTPS, or forwards when `redirect_http` is off.
    pub listener_port: i64,
    /// An ACM certificate in the region: the forwarding listener is HTTPS
    /// on `https_port` with it. Empty: plain HTTP.
    pub certificate_arn: String,
    pub ssl_policy: String,
    pub https_port: i64,
    pub redirect_http: bool,
    pub target_group: TargetGroup,
    /// The tasks' security group, letting the container port in from the
    /// load balancer's group only.
    pub service_security_group_name: String,
    pub container_port: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetGroup {
    pub name: String,
    pub protocol: String,
    pub port: i64,
    pub health_check_path: String,
    pub interval_seconds: i64,
    pub timeout_seconds: i64,
    pub healthy_threshold: i64,
    pub unhealthy_threshold: i64,
    /// HTTP codes that mean healthy: `200`, `200-299`, `200,302`.
    pub success_codes: String,
}

impl Default for NewLoadBalancer {
    /// Reference 002's choices: HTTP on port 80, from anywhere.
    fn default() -> Self {
        Self {
            vpc_id: String::new(),
            subnets: Vec::new(),
            load_balancer_name: String::new(),
            security_group_name: String::new(),
            listener_port: 80,
            certificate_arn: String::new(),
            ssl_policy: DEFAULT_SSL_POLICY.into(),
            https_port: 443,
            redirect_http: true,
            target_group: TargetGroup::default(),
            service_security_group_name: String::new(),
            container_port: 80,
        }
    }
}

impl Default for TargetGroup {
    /// The console's defaults for an HTTP target group.
    fn default() -> Self {
        Self {
            name: String::new(),
            protocol: "HTTP".into(),
            port: 80,
            health_check_path: "/".into(),
            interval_seconds: 30,
            timeout_seconds: 5,
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            success_codes: "200".into(),
        }
    }
}

/// The output references the plan's later steps use.
pub const ALB_GROUP: &str = "${AlbSecurityGroup.GroupId}";
pub const SERVICE_GROUP: &str = "${ServiceSecurityGroup.GroupId}";
pub const LOAD_BALANCER_ARN: &str = "${CreateLoadBalancer.LoadBalancerArn}";
/// The descriptions of the two ingress rules, in the requests and the
/// Terraform alike (scanners such as checkov ask every rule for one).
pub const FROM_ANYWHERE: &str = "from anywhere";
pub const FROM_LOAD_BALANCER: &str = "from the load balancer";
pub const TARGET_GROUP_ARN: &str = "${CreateTargetGroup.TargetGroupArn}";
/// The ELB security policy the console offers first: TLS 1.3 and 1.2 only.
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/// The policies offered, newest first (ELB's "Security policies for your
/// Application Load Balancer"); all refuse TLS 1.0 and 1.1 but the last,
/// kept for old clients.
pub const SSL_POLICIES: [&str; 6] = [
    DEFAULT_SSL_POLICY,
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-2016-08",
];
/// A new load balancer's attributes beyond AWS's defaults (key, value).
pub const SECURE_ATTRIBUTES: [(&str, &str); 1] =
    [("routing.http.drop_invalid_header_fields.enabled", "true")];

impl NewLoadBalancer {
    /// A certificate is chosen: the forwarding listener is HTTPS.
    pub fn https(&self) -> bool {
        !self.certificate_arn.is_empty()
    }

    /// The forwarding listener's protocol and port.
    pub fn forward_listener(&self) -> (&'static str, i64) {
        if self.https() {
            ("HTTPS", self.https_port)
        } else {
            ("HTTP", self.listener_port)
        }
    }

    /// The load balancer's group's description, which says what it lets in.
    pub fn alb_group_description(&self) -> &'static str {
        if self.https() {
            "HTTP and HTTPS from anywhere to the load balancer"
        } else {
            "HTTP from anywhere to the load balancer"
        }
    }

    pub fn alb_security_group(&self) -> ApiCall {
        security_group(
            &self.security_group_name,
            self.alb_group_description(),
            &self.vpc_id,
        )
    }

    /// The ports a new load balancer opens to anyone: its HTTP listener's,
    /// and the HTTPS listener's when there is a certificate.
    pub fn open_ports(&self) -> Vec<i64> {
        let mut ports = vec![self.listener_port];
        if self.https() {
            ports.insert(0, self.https_port);
        }
        ports
    }

    /// Reference 002's inbound rule: the listeners' ports from anywhere.
    pub fn alb_ingress(&self) -> ApiCall {
        let source = json!({"IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": FROM_ANYWHERE}]});
        ingress_on(ALB_GROUP, &self.open_ports(), source)
    }

    pub fn service_security_group(&self) -> ApiCall {
        security_group(
            &self.service_security_group_name,
            "The container port from the load balancer only",
            &self.vpc_id,
        )
    }

    pub fn service_ingress(&self) -> ApiCall {
        self.service_ingress_from(&[ALB_GROUP.to_string()])
    }

    /// The container port in from `groups` only (the load balancer's).
    pub fn service_ingress_from(&self, groups: &[String]) -> ApiCall {
        let pairs: Vec<Value> = groups
            .iter()
            .map(|g| json!({"GroupId": g, "Description": FROM_LOAD_BALANCER}))
            .collect();
        ingress(
            SERVICE_GROUP,
            self.container_port,
            json!({"UserIdGroupPairs": pairs}),
        )
    }

    pub fn create_load_balancer(&self) -> ApiCall {
        ApiCall::new(
            Operation::CreateLoadBalancer,
            json!({
                "Name": self.load_balancer_name,
                "Subnets": self.subnets,
                "SecurityGroups": [ALB_GROUP],
                "Scheme": "internet-facing",
                "Type": "application",
                "IpAddressType": "ipv4",
            }),
        )
    }

    /// The attributes that cost nothing and close a hole: requests with
    /// header names that are not valid HTTP are dropped, not passed to the
    /// tasks (checkov's CKV_AWS_131). CreateLoadBalancer takes no
    /// attributes, so this is a call of its own.
    pub fn load_balancer_attributes(&self) -> ApiCall {
        ApiCall::new(
            Operation::ModifyLoadBalancerAttributes,
            json!({
                "LoadBalancerArn": LOAD_BALANCER_ARN,
                "Attributes": SECURE_ATTRIBUTES
                    .iter()
                    .map(|(key, value)| json!({"Key": key, "Value": value}))
                    .collect::<Vec<_>>(),
            }),
        )
    }

    pub fn create_target_group(&self) -> ApiCall {
        let tg = &self.target_group;
        ApiCall::new(
            Operation::CreateTargetGroup,
            json!({
                "Name": tg.name,
                "Protocol": tg.protocol,
                "Port": tg.port,
                "VpcId": self.vpc_id,
                "TargetType": "ip",
                "HealthCheckProtocol": tg.protocol,
                "HealthCheckPath": tg.health_check_path,
                "HealthCheckIntervalSeconds": tg.interval_seconds,
                "HealthCheckTimeoutSeconds": tg.timeout_seconds,
                "HealthyThresholdCount": tg.healthy_threshold,
                "UnhealthyThresholdCount": tg.unhealthy_threshold,
                "Matcher": {"HttpCode": tg.success_codes},
            }),
        )
    }

    pub fn create_listener(&self) -> ApiCall {
        self.create_listener_on(LOAD_BALANCER_ARN)
    }

    /// A listener on `load_balancer_arn` forwarding to the new target
    /// group: HTTPS with the certificate when one is chosen.
    pub fn create_listener_on(&self, load_balancer_arn: &str) -> ApiCall {
        let (protocol, port) = self.forward_listener();
        let mut input = json!({
            "LoadBalancerArn": load_balancer_arn,
            "Protocol": protocol,
            "Port": port,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": TARGET_GROUP_ARN}],
        });
        if self.https() {
            input["Certificates"] = json!([{"CertificateArn": self.certificate_arn}]);
            input["SslPolicy"] = json!(self.ssl_policy);
        }
        ApiCall::new(Operation::CreateListener, input)
    }

    /// Beside an HTTPS listener on a new load balancer: the HTTP one, which
    /// answers 301 to the same address over HTTPS (or forwards, when
    /// `redirect_http` is off).
    pub fn http_listener(&self) -> ApiCall {
        let action = if self.redirect_http {
            json!({"Type": "redirect", "RedirectConfig": {
                "Protocol": "HTTPS",
                "Port": self.https_port.to_string(),
                "StatusCode": "HTTP_301",
            }})
        } else {
            json!({"Type": "forward", "TargetGroupArn": TARGET_GROUP_ARN})
        };
        ApiCall::new(
            Operation::CreateListener,
            json!({
                "LoadBalancerArn": LOAD_BALANCER_ARN,
                "Protocol": "HTTP",
                "Port": self.listener_port,
                "DefaultActions": [action],
            }),
        )
    }

    /// A listener on `port` of `load_balancer_arn` that ECS's blue/green,
    /// linear and canary deployments send test traffic through: plain HTTP,
    /// and not opened in the load balancer's security group.
    pub fn test_listener(&self, load_balancer_arn: &str, port: i64) -> ApiCall {
        ApiCall::new(
            Operation::CreateListener,
            json!({
                "LoadBalancerArn": load_balancer_arn,
                "Protocol": "HTTP",
                "Port": port,
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": TARGET_GROUP_ARN}],
            }),
        )
    }

    /// A rule on an existing listener: requests whose path matches `path`,
    /// and whose Host header is one of `hosts` when any are given, go to the
    /// new target group.
    pub fn create_rule(
        &self,
        listener_arn: &str,
        priority: i64,
        path: &str,
        hosts: &[String],
    ) -> ApiCall {
        let mut conditions = vec![json!({"Field": "path-pattern", "Values": [path]})];
        if !hosts.is_empty() {
            // The legacy `Values` takes one host name; the config takes several.
            conditions.push(json!({"Field": "host-header", "HostHeaderConfig": {"Values": hosts}}));
        }
        ApiCall::new(
            Operation::CreateRule,
            json!({
                "ListenerArn": listener_arn,
                "Priority": priority,
                "Conditions": conditions,
                "Actions": [{"Type": "forward", "TargetGroupArn": TARGET_GROUP_ARN}],
            }),
        )
    }

    /// What ELB and EC2 would refuse. The subnets' zones are checked where
    /// they are known (`check_zones`).
    pub fn validate(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        if !is_vpc_id(&self.vpc_id) {
            issues.push(Issue::error("vpcId", "v.lb_vpc_id"));
        }
        if self.subnets.len() < 2 {
            issues.push(Issue::error("subnets", "v.lb_two_subnets"));
        }
        check_elb_name(&mut issues, "loadBalancerName", &self.load_balancer_name);
        if self.load_balancer_name.starts_with("internal-") {
            issues.push(Issue::error("loadBalancerName", "v.lb_internal_prefix"));
        }
        check_elb_name(&mut issues, "targetGroup.name", &self.target_group.name);
        for (path, name) in [
            ("securityGroupName", &self.security_group_name),
            (
                "serviceSecurityGroupName",
                &self.service_security_group_name,
            ),
        ] {
            check_security_group_name(&mut issues, path, name);
        }
        if !self.security_group_name.is_empty()
            && self.security_group_name == self.service_security_group_name
        {
            issues.push(Issue::error(
                "serviceSecurityGroupName",
                "v.lb_groups_same_name",
            ));
        }
        check_range(&mut issues, "listenerPort", self.listener_port, 1, 65535);
        if self.https() {
            // The run's own requested certificate is a reference.
            if !is_certificate_arn(&self.certificate_arn)
                && self.certificate_arn != crate::model::domain::REQUESTED_CERTIFICATE
            {
                issues.push(Issue::error("certificateArn", "v.lb_certificate_arn"));
            }
            if !SSL_POLICIES.contains(&self.ssl_policy.as_str()) {
                issues.push(Issue::error("sslPolicy", "v.lb_ssl_policy"));
            }
            check_range(&mut issues, "httpsPort", self.https_port, 1, 65535);
        }
        check_range(&mut issues, "containerPort", self.container_port, 1, 65535);
        self.target_group.validate_into(&mut issues);
        issues
    }

    /// An ALB needs subnets in at least two Availability Zones.
    /// `zone_of` gives each subnet's zone, as the account describes it.
    pub fn check_zones(&self, zone_of: impl Fn(&str) -> Option<String>) -> Vec<Issue> {
        let mut zones: Vec<String> = self.subnets.iter().filter_map(|s| zone_of(s)).collect();
        zones.sort();
        zones.dedup();
        if zones.len() < 2 {
            vec![Issue::error("subnets", "v.lb_two_zones")]
        } else {
            Vec::new()
        }
    }
}

impl TargetGroup {
    fn validate_into(&self, issues: &mut Vec<Issue>) {
        let at = "targetGroup";
        if !["HTTP", "HTTPS"].contains(&self.protocol.as_str()) {
            issues.push(Issue::error(format!("{at}.protocol"), "v.lb_protocol"));
        }
        check_range(issues, &format!("{at}.port"), self.port, 1, 65535);
        let path = &self.health_check_path;
        if !path.starts_with('/') || path.len() > 1024 || path.chars().any(char::is_whitespace) {
            issues.push(Issue::error(
                format!("{at}.healthCheckPath"),
                "v.lb_health_path",
            ));
        }
        check_range(
            issues,
            &format!("{at}.intervalSeconds"),
            self.interval_seconds,
            5,
            300,
        );
        check_range(
            issues,
            &format!("{at}.timeoutSeconds"),
            self.timeout_seconds,
            2,
            120,
        );
        if self.timeout_seconds >= self.interval_seconds {
            issues.push(Issue::error(
                format!("{at}.timeoutSeconds"),
                "v.lb_timeout_interval",
            ));
        }
        check_range(
            issues,
            &format!("{at}.healthyThreshold"),
            self.healthy_threshold,
            2,
            10,
        );
        check_range(
            issues,
            &format!("{at}.unhealthyThreshold"),
            self.unhealthy_threshold,
            2,
            10,
        );
        if !is_success_codes(&self.success_codes) {
            issues.push(Issue::error(
                format!("{at}.successCodes"),
                "v.lb_success_codes",
            ));
        }
    }
}

fn security_group(name: &str, description: &str, vpc_id: &str) -> ApiCall {
    ApiCall::new(
        Operation::CreateSecurityGroup,
        json!({"GroupName": name, "Description": description, "VpcId": vpc_id}),
    )
}

/// One TCP port in, from `source` (`IpRanges` or `UserIdGroupPairs`).
fn ingress(group: &str, port: i64, source: Value) -> ApiCall {
    ingress_on(group, &[port], source)
}

/// Each of `ports` in, from `source`: one permission a port.
fn ingress_on(group: &str, ports: &[i64], source: Value) -> ApiCall {
    let permissions: Vec<Value> = ports
        .iter()
        .map(|port| {
            let mut permission = json!({"IpProtocol": "tcp", "FromPort": port, "ToPort": port});
            if let (Some(permission), Some(source)) =
                (permission.as_object_mut(), source.as_object())
            {
                permission.extend(source.clone());
            }
            permission
        })
        .collect();
    ApiCall::new(
        Operation::AuthorizeSecurityGroupIngress,
        json!({"GroupId": group, "IpPermissions": permissions}),
    )
}

/// `arn:aws:acm:ap-northeast-1:123456789012:certificate/<id>`.
pub fn is_certificate_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "acm", region, account, resource]
        if partition.starts_with("aws")
            && !region.is_empty()
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && resource.strip_prefix("certificate/").is_some_and(|id| !id.is_empty()))
}

/// A listener rule: priority 1–50,000; a path pattern of up to 128
/// characters starting with `/` (`*` and `?` allowed); host names of up to
/// 128 letters, digits, `-`, `.`, `*` and `?`; five values in all, ELB's
/// limit on a rule's match evaluations.
pub fn check_rule(issues: &mut Vec<Issue>, priority: i64, path: &str, hosts: &[String]) {
    check_range(issues, "rulePriority", priority, 1, 50_000);
    let ok = path.starts_with('/')
        && path.len() <= 128
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.$/~\"'@:+*?&".contains(&b));
    if !ok {
        issues.push(Issue::error("rulePath", "v.lb_rule_path"));
    }
    let host_ok = |host: &String| {
        (1..=128).contains(&host.len())
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.*?".contains(&b))
    };
    if !hosts.iter().all(host_ok) {
        issues.push(Issue::error("ruleHosts", "v.lb_rule_host"));
    } else if hosts.len() > 4 {
        issues.push(Issue::error("ruleHosts", "v.lb_rule_values").with("max", 4));
    }
}

/// Load balancer and target group names: 1–32 letters, digits and hyphens,
/// not starting or ending with a hyphen.
fn check_elb_name(issues: &mut Vec<Issue>, path: &str, name: &str) {
    let ok = (1..=32).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if !ok {
        issues.push(Issue::error(path, "v.lb_name"));
    }
}

/// EC2 security group names: 1–255 of `a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$*`,
/// not starting with `sg-`.
/// EC2's rule for a security group's name and description (and a rule's
/// description): 1–255 of letters, digits, spaces and `._-:/()#,@[]+=&;{}!$*`.
/// The API model does not carry it; EC2 refuses anything else.
fn is_group_text(text: &str) -> bool {
    (1..=255).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" ._-:/()#,@[]+=&;{}!$*".contains(&b))
}

fn check_security_group_name(issues: &mut Vec<Issue>, path: &str, name: &str) {
    let ok = is_group_text(name) && !name.to_ascii_lowercase().starts_with("sg-");
    if !ok {
        issues.push(Issue::error(path, "v.lb_security_group_name"));
    }
}

fn is_vpc_id(text: &str) -> bool {
    text.strip_prefix("vpc-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// `200`, `200-299`, `200,302`: codes from 200 to 499.
fn is_success_codes(text: &str) -> bool {
    let code = |c: &str| c.parse::<u16>().is_ok_and(|n| (200..=499).contains(&n));
    !text.is_empty()
        && text.split(',').all(|part| match part.split_once('-') {
            Some((low, high)) => code(low) && code(high) && low < high,
            None => code(part),
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Reference 002's load balancer, in the default VPC's two public subnets.
    pub fn reference_002() -> NewLoadBalancer {
        NewLoadBalancer {
            vpc_id: "vpc-0a1b2c3d".into(),
            subnets: vec!["subnet-0a1b2c3d".into(), "subnet-1a2b3c4d".into()],
            load_balancer_name: "ecs-fargate-alb".into(),
            security_group_name: "ecs-alb-sg".into(),
            target_group: TargetGroup {
                name: "ecs-fargate-tg".into(),
                ..TargetGroup::default()
            },
            service_security_group_name: "ecs-fargate-service-sg".into(),
            container_port: 80,
            ..NewLoadBalancer::default()
        }
    }

    pub const CERTIFICATE: &str =
        "arn:aws:acm:ap-northeast-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012";

    #[test]
    fn a_certificate_makes_the_listener_https_and_port_80_redirect() {
        let mut lb = reference_002();
        lb.certificate_arn = CERTIFICATE.into();
        assert!(lb.validate().is_empty(), "{:?}", keys(&lb.validate()));
        assert_eq!(
            lb.create_listener().input,
            json!({
                "LoadBalancerArn": LOAD_BALANCER_ARN,
                "Protocol": "HTTPS",
                "Port": 443,
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": TARGET_GROUP_ARN}],
                "Certificates": [{"CertificateArn": CERTIFICATE}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            })
        );
        assert_eq!(
            lb.http_listener().input["DefaultActions"],
            json!([{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
        );
        let ingress = lb.alb_ingress().input;
        let ports: Vec<&Value> = ingress["IpPermissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| &p["FromPort"])
            .collect();
        assert_eq!(ports, [&json!(443), &json!(80)]);
        lb.redirect_http = false;
        assert_eq!(
            lb.http_listener().input["DefaultActions"][0]["Type"],
            "forward"
        );

        lb.certificate_arn = "arn:aws:iam::123456789012:server-certificate/web".into();
        lb.ssl_policy = "ELBSecurityPolicy-TLS-1-0-2015-04".into();
        lb.https_port = 70000;
        assert_eq!(
            keys(&lb.validate()),
            [
                ("certificateArn".to_string(), "v.lb_certificate_arn"),
                ("sslPolicy".to_string(), "v.lb_ssl_policy"),
                ("httpsPort".to_string(), "v.range"),
            ]
        );
    }

    fn keys(issues: &[Issue]) -> Vec<(String, &'static str)> {
        issues.iter().map(|i| (i.path.clone(), i.key)).collect()
    }

    #[test]
    fn reference_002_requests() {
        let lb = reference_002();
        assert!(lb.validate().is_empty(), "{:?}", keys(&lb.validate()));
        assert_eq!(
            lb.alb_ingress().input,
            json!({"GroupId": "${AlbSecurityGroup.GroupId}", "IpPermissions": [{
                "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "from anywhere"}]}]})
        );
        assert_eq!(
            lb.service_ingress().input["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"],
            "${AlbSecurityGroup.GroupId}"
        );
        let alb = lb.create_load_balancer();
        assert_eq!(alb.title(), "elbv2:CreateLoadBalancer");
        assert_eq!(
            alb.input["SecurityGroups"],
            json!(["${AlbSecurityGroup.GroupId}"])
        );
        assert_eq!(
            alb.input["Subnets"],
            json!(["subnet-0a1b2c3d", "subnet-1a2b3c4d"])
        );
        let tg = lb.create_target_group().input;
        assert_eq!(
            (
                tg["Name"].as_str(),
                tg["TargetType"].as_str(),
                tg["HealthCheckPath"].as_str()
            ),
            (Some("ecs-fargate-tg"), Some("ip"), Some("/"))
        );
        assert_eq!(
            lb.create_listener().input["DefaultActions"],
            json!([{"Type": "forward", "TargetGroupArn": "${CreateTargetGroup.TargetGroupArn}"}])
        );
        assert!(
            lb.create_listener()
                .cli(Some("ap-northeast-1"))
                .starts_with(
                    "aws elbv2 create-listener --region ap-northeast-1 --cli-input-json '"
                )
        );
    }

    #[test]
    fn names_follow_elb_and_ec2_rules() {
        let mut lb = reference_002();
        lb.load_balancer_name = "internal-web".into();
        lb.target_group.name = "-tg".into();
        lb.security_group_name = "sg-web".into();
        lb.service_security_group_name = "web 日本".into();
        lb.vpc_id = "vpc-XYZ".into();
        lb.subnets.pop();
        assert_eq!(
            keys(&lb.validate()),
            [
                ("vpcId".to_string(), "v.lb_vpc_id"),
                ("subnets".to_string(), "v.lb_two_subnets"),
                ("loadBalancerName".to_string(), "v.lb_internal_prefix"),
                ("targetGroup.name".to_string(), "v.lb_name"),
                ("securityGroupName".to_string(), "v.lb_security_group_name"),
                (
                    "serviceSecurityGroupName".to_string(),
                    "v.lb_security_group_name"
                ),
            ]
        );
        let mut lb = reference_002();
        lb.load_balancer_name = "a".repeat(33);
        lb.service_security_group_name = lb.security_group_name.clone();
        assert_eq!(
            keys(&lb.validate()),
            [
                ("loadBalancerName".to_string(), "v.lb_name"),
                (
                    "serviceSecurityGroupName".to_string(),
                    "v.lb_groups_same_name"
                ),
            ]
        );
    }

    #[test]
    fn listener_and_health_check_are_checked() {
        let mut lb = reference_002();
        lb.listener_port = 0;
        lb.target_group.health_check_path = "health".into();
        lb.target_group.interval_seconds = 5;
        lb.target_group.timeout_seconds = 5;
        lb.target_group.healthy_threshold = 11;
        lb.target_group.success_codes = "200-199".into();
        assert_eq!(
            keys(&lb.validate()),
            [
                ("listenerPort".to_string(), "v.range"),
                (
                    "targetGroup.healthCheckPath".to_string(),
                    "v.lb_health_path"
                ),
                (
                    "targetGroup.timeoutSeconds".to_string(),
                    "v.lb_timeout_interval"
                ),
                ("targetGroup.healthyThreshold".to_string(), "v.range"),
                ("targetGroup.successCodes".to_string(), "v.lb_success_codes"),
            ]
        );
        for (codes, ok) in [
            ("200", true),
            ("200-299", true),
            ("200,302", true),
            ("199", false),
            ("500", false),
            ("", false),
            ("2xx", false),
        ] {
            assert_eq!(is_success_codes(codes), ok, "{codes}");
        }
    }

    #[test]
    fn an_alb_needs_two_availability_zones() {
        let lb = reference_002();
        let same = |_: &str| Some("ap-northeast-1a".to_string());
        assert_eq!(
            keys(&lb.check_zones(same)),
            [("subnets".to_string(), "v.lb_two_zones")]
        );
        let two = |s: &str| {
            Some(
                if s.starts_with("subnet-0") {
                    "ap-northeast-1a"
                } else {
                    "ap-northeast-1c"
                }
                .to_string(),
            )
        };
        assert!(lb.check_zones(two).is_empty());
    }

    /// Issue 22, item 3: what the app writes itself into EC2's texts
    /// follows the rule the model leaves out.
    #[test]
    fn the_security_group_texts_the_app_writes_are_ones_ec2_accepts() {
        let lb = NewLoadBalancer::default();
        for call in [
            lb.alb_security_group(),
            lb.service_security_group(),
            lb.alb_ingress(),
            lb.service_ingress(),
        ] {
            let mut texts = vec![call.input["Description"].as_str().unwrap_or("").to_string()];
            for permission in call.input["IpPermissions"].as_array().into_iter().flatten() {
                for range in permission["IpRanges"].as_array().into_iter().flatten() {
                    texts.push(range["Description"].as_str().unwrap_or("").to_string());
                }
                for pair in permission["UserIdGroupPairs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    texts.push(pair["Description"].as_str().unwrap_or("").to_string());
                }
            }
            for text in texts.into_iter().filter(|t| !t.is_empty()) {
                assert!(is_group_text(&text), "{}: {text:?}", call.title());
            }
        }
        assert!(!is_group_text("日本語の説明"));
        assert!(!is_group_text(""));
    }
}
