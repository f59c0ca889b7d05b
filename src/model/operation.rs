//! Every AWS operation the app sends that changes something, in one typed
//! table: its service, its wire name, the outputs later steps read from its
//! answer, how what it made is found again by name (to adopt it rather than
//! make it twice), what undoes it, and its name for people. Each question
//! is an exhaustive `match`, so an operation added without saying what
//! undoes it does not compile (`ApiCall::undo` builds that call); `aws/operations.rs` sends and finds with one
//! exhaustive `match` too. Reads are here only when a plan waits on one
//! (DescribeCertificate, asked until a certificate is issued).

use serde_json::Value;

/// An AWS service, by the aws CLI's name for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Ecs,
    Ecr,
    Iam,
    Logs,
    Ec2,
    Elbv2,
    /// Application Auto Scaling: a service's task count.
    AutoScaling,
    /// AWS Certificate Manager.
    Acm,
    /// Route 53: DNS records in a hosted zone.
    Route53,
    /// CloudWatch: the alarms a deployment is watched by.
    CloudWatch,
}

impl Service {
    /// `ecs`, `elbv2`: the aws CLI's and IAM policies' prefix.
    pub fn cli_name(self) -> &'static str {
        match self {
            Service::Ecs => "ecs",
            Service::Ecr => "ecr",
            Service::Iam => "iam",
            Service::Logs => "logs",
            Service::Ec2 => "ec2",
            Service::Elbv2 => "elbv2",
            Service::AutoScaling => "application-autoscaling",
            Service::Acm => "acm",
            Service::Route53 => "route53",
            Service::CloudWatch => "cloudwatch",
        }
    }

    /// IAM and Route 53 are global: their commands take no region.
    pub fn is_global(self) -> bool {
        matches!(self, Service::Iam | Service::Route53)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    CreateCluster,
    DeleteCluster,
    RegisterTaskDefinition,
    DeregisterTaskDefinition,
    CreateService,
    UpdateService,
    DeleteService,
    CreateRepository,
    DeleteRepository,
    CreateRole,
    DeleteRole,
    AttachRolePolicy,
    DetachRolePolicy,
    PutRolePolicy,
    DeleteRolePolicy,
    CreateLogGroup,
    PutRetentionPolicy,
    DeleteLogGroup,
    CreateSecurityGroup,
    AuthorizeSecurityGroupIngress,
    DeleteSecurityGroup,
    CreateLoadBalancer,
    ModifyLoadBalancerAttributes,
    DeleteLoadBalancer,
    CreateTargetGroup,
    DeleteTargetGroup,
    CreateListener,
    DeleteListener,
    CreateRule,
    DeleteRule,
    RegisterScalableTarget,
    DeregisterScalableTarget,
    PutScalingPolicy,
    DeleteScalingPolicy,
    RequestCertificate,
    DescribeCertificate,
    DeleteCertificate,
    ChangeResourceRecordSets,
    PutMetricAlarm,
    DeleteAlarms,
    /// A paused lifecycle hook answered: Continue, or Roll back.
    ContinueServiceDeployment,
    StopServiceDeployment,
}

/// What undoes an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undo {
    /// This operation, its input read from the request and the answer.
    By(Operation),
    /// It made nothing of its own: it goes with what it changed (a rule of
    /// a security group, a retention of a log group).
    WithParent,
    /// It changes or removes something that was there; a clean-up leaves it.
    NotUndone,
    /// The same operation with its change turned round: Route 53 records
    /// created are deleted by a change that names them exactly.
    Reversed,
}

/// How what an operation made is found again by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Looked up by the name its request gives (the member named here).
    ByName(&'static str),
    /// A rule on a listener, by its priority.
    ByPriority,
    /// A revision: the family's latest, when it is exactly the request.
    AsLatestRevision,
    /// DNS records: each by its name and type, when it holds the value
    /// the change gives it.
    Records,
    /// Sending it again is harmless (AWS answers "duplicate" or does the
    /// same again): nothing to look up.
    SendAgain,
}

impl Operation {
    pub const ALL: [Operation; 42] = [
        Operation::CreateCluster,
        Operation::DeleteCluster,
        Operation::RegisterTaskDefinition,
        Operation::DeregisterTaskDefinition,
        Operation::CreateService,
        Operation::UpdateService,
        Operation::DeleteService,
        Operation::CreateRepository,
        Operation::DeleteRepository,
        Operation::CreateRole,
        Operation::DeleteRole,
        Operation::AttachRolePolicy,
        Operation::DetachRolePolicy,
        Operation::PutRolePolicy,
        Operation::DeleteRolePolicy,
        Operation::CreateLogGroup,
        Operation::PutRetentionPolicy,
        Operation::DeleteLogGroup,
        Operation::CreateSecurityGroup,
        Operation::AuthorizeSecurityGroupIngress,
        Operation::DeleteSecurityGroup,
        Operation::CreateLoadBalancer,
        Operation::ModifyLoadBalancerAttributes,
        Operation::DeleteLoadBalancer,
        Operation::CreateTargetGroup,
        Operation::DeleteTargetGroup,
        Operation::CreateListener,
        Operation::DeleteListener,
        Operation::CreateRule,
        Operation::DeleteRule,
        Operation::RegisterScalableTarget,
        Operation::DeregisterScalableTarget,
        Operation::PutScalingPolicy,
        Operation::DeleteScalingPolicy,
        Operation::RequestCertificate,
        Operation::DescribeCertificate,
        Operation::DeleteCertificate,
        Operation::ChangeResourceRecordSets,
        Operation::PutMetricAlarm,
        Operation::DeleteAlarms,
        Operation::ContinueServiceDeployment,
        Operation::StopServiceDeployment,
    ];

    /// The one place each operation's wire name is written.
    pub const fn name(self) -> &'static str {
        use Operation::*;
        match self {
            CreateCluster => "CreateCluster",
            DeleteCluster => "DeleteCluster",
            RegisterTaskDefinition => "RegisterTaskDefinition",
            DeregisterTaskDefinition => "DeregisterTaskDefinition",
            CreateService => "CreateService",
            UpdateService => "UpdateService",
            DeleteService => "DeleteService",
            CreateRepository => "CreateRepository",
            DeleteRepository => "DeleteRepository",
            CreateRole => "CreateRole",
            DeleteRole => "DeleteRole",
            AttachRolePolicy => "AttachRolePolicy",
            DetachRolePolicy => "DetachRolePolicy",
            PutRolePolicy => "PutRolePolicy",
            DeleteRolePolicy => "DeleteRolePolicy",
            CreateLogGroup => "CreateLogGroup",
            PutRetentionPolicy => "PutRetentionPolicy",
            DeleteLogGroup => "DeleteLogGroup",
            CreateSecurityGroup => "CreateSecurityGroup",
            AuthorizeSecurityGroupIngress => "AuthorizeSecurityGroupIngress",
            DeleteSecurityGroup => "DeleteSecurityGroup",
            CreateLoadBalancer => "CreateLoadBalancer",
            ModifyLoadBalancerAttributes => "ModifyLoadBalancerAttributes",
            DeleteLoadBalancer => "DeleteLoadBalancer",
            CreateTargetGroup => "CreateTargetGroup",
            DeleteTargetGroup => "DeleteTargetGroup",
            CreateListener => "CreateListener",
            DeleteListener => "DeleteListener",
            CreateRule => "CreateRule",
            DeleteRule => "DeleteRule",
            RegisterScalableTarget => "RegisterScalableTarget",
            DeregisterScalableTarget => "DeregisterScalableTarget",
            PutScalingPolicy => "PutScalingPolicy",
            DeleteScalingPolicy => "DeleteScalingPolicy",
            RequestCertificate => "RequestCertificate",
            DescribeCertificate => "DescribeCertificate",
            DeleteCertificate => "DeleteCertificate",
            ChangeResourceRecordSets => "ChangeResourceRecordSets",
            PutMetricAlarm => "PutMetricAlarm",
            DeleteAlarms => "DeleteAlarms",
            ContinueServiceDeployment => "ContinueServiceDeployment",
            StopServiceDeployment => "StopServiceDeployment",
        }
    }

    /// The operation of a wire name (an SDK call's, a kept record's).
    pub fn parse(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.name() == name)
    }

    pub fn service(self) -> Service {
        use Operation::*;
        match self {
            CreateCluster
            | DeleteCluster
            | RegisterTaskDefinition
            | DeregisterTaskDefinition
            | CreateService
            | UpdateService
            | DeleteService
            | ContinueServiceDeployment
            | StopServiceDeployment => Service::Ecs,
            CreateRepository | DeleteRepository => Service::Ecr,
            CreateRole | DeleteRole | AttachRolePolicy | DetachRolePolicy | PutRolePolicy
            | DeleteRolePolicy => Service::Iam,
            CreateLogGroup | PutRetentionPolicy | DeleteLogGroup => Service::Logs,
            CreateSecurityGroup | AuthorizeSecurityGroupIngress | DeleteSecurityGroup => {
                Service::Ec2
            }
            CreateLoadBalancer
            | ModifyLoadBalancerAttributes
            | DeleteLoadBalancer
            | CreateTargetGroup
            | DeleteTargetGroup
            | CreateListener
            | DeleteListener
            | CreateRule
            | DeleteRule => Service::Elbv2,
            RegisterScalableTarget
            | DeregisterScalableTarget
            | PutScalingPolicy
            | DeleteScalingPolicy => Service::AutoScaling,
            RequestCertificate | DescribeCertificate | DeleteCertificate => Service::Acm,
            ChangeResourceRecordSets => Service::Route53,
            PutMetricAlarm | DeleteAlarms => Service::CloudWatch,
        }
    }

    /// What undoes it.
    pub fn undo(self) -> Undo {
        use Operation::*;
        match self {
            CreateCluster => Undo::By(DeleteCluster),
            RegisterTaskDefinition => Undo::By(DeregisterTaskDefinition),
            // force: deleted without first scaling to zero.
            CreateService => Undo::By(DeleteService),
            CreateRepository => Undo::By(DeleteRepository),
            CreateRole => Undo::By(DeleteRole),
            AttachRolePolicy => Undo::By(DetachRolePolicy),
            PutRolePolicy => Undo::By(DeleteRolePolicy),
            CreateLogGroup => Undo::By(DeleteLogGroup),
            CreateSecurityGroup => Undo::By(DeleteSecurityGroup),
            CreateLoadBalancer => Undo::By(DeleteLoadBalancer),
            CreateTargetGroup => Undo::By(DeleteTargetGroup),
            CreateListener => Undo::By(DeleteListener),
            CreateRule => Undo::By(DeleteRule),
            RegisterScalableTarget => Undo::By(DeregisterScalableTarget),
            PutScalingPolicy => Undo::By(DeleteScalingPolicy),
            RequestCertificate => Undo::By(DeleteCertificate),
            ChangeResourceRecordSets => Undo::Reversed,
            PutMetricAlarm => Undo::By(DeleteAlarms),
            PutRetentionPolicy | AuthorizeSecurityGroupIngress | ModifyLoadBalancerAttributes => {
                Undo::WithParent
            }
            UpdateService
            | DeleteCluster
            | DeregisterTaskDefinition
            | DeleteService
            | DeleteRepository
            | DeleteRole
            | DetachRolePolicy
            | DeleteRolePolicy
            | DeleteLogGroup
            | DeleteSecurityGroup
            | DeleteLoadBalancer
            | DeleteTargetGroup
            | DeleteListener
            | DeleteRule
            | DeregisterScalableTarget
            | DeleteScalingPolicy
            | DescribeCertificate
            | DeleteCertificate
            | DeleteAlarms
            | ContinueServiceDeployment
            | StopServiceDeployment => Undo::NotUndone,
        }
    }

    /// How what it made is found again.
    pub fn found(self) -> Found {
        use Operation::*;
        match self {
            CreateCluster => Found::ByName("clusterName"),
            RegisterTaskDefinition => Found::AsLatestRevision,
            CreateService => Found::ByName("serviceName"),
            CreateRepository => Found::ByName("repositoryName"),
            CreateRole => Found::ByName("RoleName"),
            CreateLogGroup => Found::ByName("logGroupName"),
            CreateSecurityGroup => Found::ByName("GroupName"),
            CreateLoadBalancer | CreateTargetGroup => Found::ByName("Name"),
            CreateListener => Found::ByName("Port"),
            CreateRule => Found::ByPriority,
            ChangeResourceRecordSets => Found::Records,
            // Put again it would overwrite an alarm of that name: one
            // that is there is adopted (and kept by a clean-up).
            PutMetricAlarm => Found::ByName("AlarmName"),
            // Attaching, putting or authorizing again changes nothing (EC2
            // answers "duplicate", which the runner takes as done); a
            // delete of what is gone is done.
            AttachRolePolicy
            | PutRolePolicy
            | PutRetentionPolicy
            | AuthorizeSecurityGroupIngress
            | ModifyLoadBalancerAttributes
            | UpdateService
            | DeleteCluster
            | DeregisterTaskDefinition
            | DeleteService
            | DeleteRepository
            | DeleteRole
            | DetachRolePolicy
            | DeleteRolePolicy
            | DeleteLogGroup
            | DeleteSecurityGroup
            | DeleteLoadBalancer
            | DeleteTargetGroup
            | DeleteListener
            | DeleteRule
            // Registering or putting again updates what is there.
            | RegisterScalableTarget
            | DeregisterScalableTarget
            | PutScalingPolicy
            | DeleteScalingPolicy
            // The run's id is its idempotency token: ACM answers a request
            // sent again within the hour with the certificate it made.
            | RequestCertificate
            | DescribeCertificate
            | DeleteCertificate
            | DeleteAlarms
            // A hook answered or a deployment stopped twice: ECS refuses
            // the second, and nothing more happens.
            | ContinueServiceDeployment
            | StopServiceDeployment => Found::SendAgain,
        }
    }

    /// The outputs later steps read from its answer: (name, JSON pointer).
    pub fn outputs(self) -> &'static [(&'static str, &'static str)] {
        use Operation::*;
        match self {
            CreateCluster => &[("ClusterArn", "/cluster/clusterArn")],
            RegisterTaskDefinition => &[("TaskDefinitionArn", "/taskDefinition/taskDefinitionArn")],
            CreateService => &[("ServiceArn", "/service/serviceArn")],
            CreateRepository => &[
                ("RepositoryArn", "/repository/repositoryArn"),
                ("RepositoryUri", "/repository/repositoryUri"),
            ],
            CreateRole => &[("Arn", "/Role/Arn")],
            CreateSecurityGroup => &[("GroupId", "/GroupId")],
            // A `#` reads the text from its marker on: an ARN's resource
            // label, which auto scaling's ALBRequestCountPerTarget names.
            CreateLoadBalancer => &[
                ("LoadBalancerArn", "/LoadBalancers/0/LoadBalancerArn"),
                ("DNSName", "/LoadBalancers/0/DNSName"),
                // What a Route 53 alias to it names as its target's zone.
                (
                    "CanonicalHostedZoneId",
                    "/LoadBalancers/0/CanonicalHostedZoneId",
                ),
                ("ResourceLabel", "/LoadBalancers/0/LoadBalancerArn#app/"),
            ],
            CreateTargetGroup => &[
                ("TargetGroupArn", "/TargetGroups/0/TargetGroupArn"),
                (
                    "ResourceLabel",
                    "/TargetGroups/0/TargetGroupArn#targetgroup/",
                ),
            ],
            CreateListener => &[("ListenerArn", "/Listeners/0/ListenerArn")],
            CreateRule => &[("RuleArn", "/Rules/0/RuleArn")],
            RegisterScalableTarget => &[("ScalableTargetArn", "/ScalableTargetARN")],
            PutScalingPolicy => &[("PolicyArn", "/PolicyARN")],
            RequestCertificate => &[("CertificateArn", "/CertificateArn")],
            // The CNAME that proves the domain is ours, once ACM has made it.
            DescribeCertificate => &[
                (
                    "RecordName",
                    "/Certificate/DomainValidationOptions/0/ResourceRecord/Name",
                ),
                (
                    "RecordValue",
                    "/Certificate/DomainValidationOptions/0/ResourceRecord/Value",
                ),
            ],
            ChangeResourceRecordSets => &[("ChangeId", "/ChangeInfo/Id")],
            CreateLogGroup
            | PutRetentionPolicy
            | ModifyLoadBalancerAttributes
            | AttachRolePolicy
            | PutRolePolicy
            | AuthorizeSecurityGroupIngress
            | UpdateService
            | DeleteCluster
            | DeregisterTaskDefinition
            | DeleteService
            | DeleteRepository
            | DeleteRole
            | DetachRolePolicy
            | DeleteRolePolicy
            | DeleteLogGroup
            | DeleteSecurityGroup
            | DeleteLoadBalancer
            | DeleteTargetGroup
            | DeleteListener
            | DeleteRule
            | DeregisterScalableTarget
            | DeleteScalingPolicy
            | DeleteCertificate
            | PutMetricAlarm
            | DeleteAlarms
            | ContinueServiceDeployment
            | StopServiceDeployment => &[],
        }
    }

    /// An output's value in an answer: the value at its JSON pointer, or,
    /// for `pointer#marker`, that text from the marker on.
    pub fn output_in(spec: &str, answer: &Value) -> Option<Value> {
        let (pointer, marker) = match spec.split_once('#') {
            Some((pointer, marker)) => (pointer, Some(marker)),
            None => (spec, None),
        };
        let value = answer.pointer(pointer)?;
        match marker {
            None => Some(value.clone()),
            Some(marker) => {
                let text = value.as_str()?;
                let at = text.find(marker)?;
                Some(Value::String(text[at..].to_string()))
            }
        }
    }

    /// The ARN of what it made, as its answer gives it.
    pub fn arn_in(self, answer: &Value) -> Option<&str> {
        self.outputs()
            .iter()
            .filter(|(name, _)| name.ends_with("Arn"))
            .find_map(|(_, pointer)| answer.pointer(pointer)?.as_str())
    }

    /// Its name for people: a catalog key (`op.CreateTargetGroup`).
    pub fn label(self) -> String {
        format!("op.{}", self.name())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::api_call::ApiCall;

    #[test]
    fn every_operation_that_makes_something_says_what_undoes_it() {
        for operation in Operation::ALL {
            assert_eq!(Operation::parse(operation.name()), Some(operation));
            if operation.undo() == Undo::Reversed {
                let create = json!({"HostedZoneId": "Z1", "ChangeBatch": {"Changes": [
                    {"Action": "CREATE", "ResourceRecordSet": {"Name": "a.example.com", "Type": "A"}}
                ]}});
                let undo =
                    ApiCall::new(operation, create).undo(&json!({"ChangeInfo": {"Id": "c"}}));
                assert_eq!(
                    undo.map(|u| u.input["ChangeBatch"]["Changes"][0]["Action"].clone()),
                    Some(json!("DELETE"))
                );
            }
            if let Undo::By(undo) = operation.undo() {
                assert_eq!(undo.service(), operation.service(), "{operation:?}");
                assert_eq!(
                    undo.undo(),
                    Undo::NotUndone,
                    "{undo:?} undoes, is not undone"
                );
                // What is not looked up again is undone from its request
                // (attaching a policy: detaching it by the same names), or
                // from the answer sending it again gives (a certificate
                // requested with the same idempotency token).
                if operation.found() == Found::SendAgain {
                    let request = json!({"RoleName": "r", "PolicyArn": "p", "PolicyName": "n"});
                    let call = ApiCall::new(operation, request);
                    let answer =
                        json!({"CertificateArn": "arn:aws:acm:r:123456789012:certificate/1"});
                    assert!(
                        call.undo(&answer).is_some(),
                        "{operation:?} is undone from its request"
                    );
                }
            }
        }
        assert_eq!(Operation::parse("RunInstances"), None);
    }
}
