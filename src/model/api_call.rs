//! One AWS API request as plain data: which service and operation, and its
//! input in the API's own parameter names. The review pages show each call's
//! input as JSON and as the aws CLI command that sends the same input.

use serde_json::{Value, json};

use super::operation::{Operation, Service, Undo};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiCall {
    pub operation: Operation,
    pub input: Value,
}

impl ApiCall {
    pub fn new(operation: Operation, input: Value) -> Self {
        Self { operation, input }
    }

    pub fn service(&self) -> Service {
        self.operation.service()
    }

    /// `iam:CreateRole`, as IAM policies and CloudTrail name it.
    pub fn title(&self) -> String {
        format!("{}:{}", self.service().cli_name(), self.operation.name())
    }

    /// The call that undoes this one (its input as sent, outputs filled
    /// in), which AWS answered `answer`; None when there is nothing of its
    /// own to undo, or the answer lacks the id the delete needs. One
    /// exhaustive `match` over the operations.
    pub fn undo(&self, answer: &Value) -> Option<ApiCall> {
        let text = |value: &Value| value.as_str().filter(|s| !s.is_empty()).map(str::to_string);
        let undo = match self.operation.undo() {
            Undo::By(undo) => undo,
            // An answer without a change id made nothing: the records
            // were there already (see `deploy::runner`).
            Undo::Reversed => {
                text(&answer["ChangeInfo"]["Id"])?;
                return self.reversed();
            }
            Undo::WithParent | Undo::NotUndone => return None,
        };
        let input = &self.input;
        use Operation::*;
        let input = match self.operation {
            CreateService => {
                let service = text(&answer["service"]["serviceArn"])
                    .or_else(|| text(&input["serviceName"]))?;
                json!({"cluster": input["cluster"], "service": service, "force": true})
            }
            CreateListener => json!({"ListenerArn": text(&answer["Listeners"][0]["ListenerArn"])?}),
            CreateRule => json!({"RuleArn": text(&answer["Rules"][0]["RuleArn"])?}),
            CreateTargetGroup => json!({
                "TargetGroupArn": text(&answer["TargetGroups"][0]["TargetGroupArn"])?
            }),
            CreateLoadBalancer => json!({
                "LoadBalancerArn": text(&answer["LoadBalancers"][0]["LoadBalancerArn"])?
            }),
            CreateSecurityGroup => json!({"GroupId": text(&answer["GroupId"])?}),
            // IAM, CloudWatch Logs, ECS clusters and ECR repositories are
            // known by the names the request gave them.
            CreateRole => json!({"RoleName": input["RoleName"]}),
            AttachRolePolicy => {
                json!({"RoleName": input["RoleName"], "PolicyArn": input["PolicyArn"]})
            }
            PutRolePolicy => {
                json!({"RoleName": input["RoleName"], "PolicyName": input["PolicyName"]})
            }
            CreateLogGroup => json!({"logGroupName": input["logGroupName"]}),
            // A scalable target and its policy are known by what they scale.
            RegisterScalableTarget => json!({
                "ServiceNamespace": input["ServiceNamespace"],
                "ResourceId": input["ResourceId"],
                "ScalableDimension": input["ScalableDimension"],
            }),
            PutScalingPolicy => json!({
                "PolicyName": input["PolicyName"],
                "ServiceNamespace": input["ServiceNamespace"],
                "ResourceId": input["ResourceId"],
                "ScalableDimension": input["ScalableDimension"],
            }),
            CreateCluster => json!({"cluster": input["clusterName"]}),
            CreateRepository => json!({"repositoryName": input["repositoryName"]}),
            RequestCertificate => json!({"CertificateArn": text(&answer["CertificateArn"])?}),
            PutMetricAlarm => json!({"AlarmNames": [input["AlarmName"]]}),
            // A revision is known by the ARN AWS gave it.
            RegisterTaskDefinition => json!({
                "taskDefinition": text(&answer["taskDefinition"]["taskDefinitionArn"])?
            }),
            // Made nothing of its own, or is itself an undo: `undo()` said so.
            PutRetentionPolicy
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
            | DeregisterScalableTarget
            | DeleteScalingPolicy
            | DescribeCertificate
            | DeleteCertificate
            | DeleteAlarms
            | ContinueServiceDeployment
            | StopServiceDeployment
            | ChangeResourceRecordSets => return None,
        };
        Some(ApiCall::new(undo, input))
    }

    /// A Route 53 change that deletes exactly the records this one
    /// created (a delete names each record whole: its TTL and values, or
    /// its alias target). None when it created none.
    fn reversed(&self) -> Option<ApiCall> {
        let changes: Vec<Value> = self.input["ChangeBatch"]["Changes"]
            .as_array()?
            .iter()
            .filter(|c| matches!(c["Action"].as_str(), Some("CREATE" | "UPSERT")))
            .rev()
            .map(|c| json!({"Action": "DELETE", "ResourceRecordSet": c["ResourceRecordSet"]}))
            .collect();
        (!changes.is_empty()).then(|| {
            ApiCall::new(
                self.operation,
                json!({
                    "HostedZoneId": self.input["HostedZoneId"],
                    "ChangeBatch": {"Changes": changes},
                }),
            )
        })
    }

    /// `iam:DeleteRole RoleName=web`: the title and the names that say
    /// what the call acts on, for the journal and the pages that show it.
    pub fn summary(&self) -> String {
        const NAMES: [&str; 19] = [
            "clusterName",
            "repositoryName",
            "family",
            "taskDefinition",
            "RoleName",
            "PolicyArn",
            "PolicyName",
            "logGroupName",
            "GroupName",
            "GroupId",
            "Name",
            "LoadBalancerArn",
            "TargetGroupArn",
            "ListenerArn",
            "serviceName",
            "service",
            "DomainName",
            "CertificateArn",
            "HostedZoneId",
        ];
        let mut summary = self.title();
        for name in NAMES {
            if let Some(value) = self.input[name].as_str()
                && !value.starts_with("${")
            {
                summary.push_str(&format!(" {name}={value}"));
            }
        }
        summary
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(&self.input).unwrap_or_default()
    }

    /// The aws CLI command that sends exactly this input. IAM is global, so it
    /// takes no region.
    pub fn cli(&self, region: Option<&str>) -> String {
        let region = match region {
            Some(region) if !self.service().is_global() => {
                format!(" --region {}", shell_word(region))
            }
            _ => String::new(),
        };
        format!(
            "aws {} {}{region} --cli-input-json {}",
            self.service().cli_name(),
            kebab_case(self.operation.name()),
            shell_quote(&self.json())
        )
    }
}

/// Every call's command, one after the other, as a script to paste.
pub fn cli_script(calls: &[ApiCall], region: Option<&str>) -> String {
    calls
        .iter()
        .map(|call| call.cli(region))
        .collect::<Vec<_>>()
        .join("\n\n")
        + "\n"
}

/// `CreateRole` → `create-role`, as the aws CLI names operations.
pub fn kebab_case(operation: &str) -> String {
    let mut out = String::new();
    for (i, c) in operation.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A POSIX shell single-quoted word: nothing inside is expanded.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The account placeholder preview mode writes, as reference 002 does; the
/// shell is meant to expand it.
/// Stands for the run's own id in a plan's request (a client token that
/// makes a retried call idempotent); the runner fills it in.
pub const RUN_ID: &str = "${Run.Id}";

pub const ACCOUNT_PLACEHOLDER: &str = "${AWS_ACCOUNT_ID}";

/// One word of a command a person copies into a terminal: left bare when it
/// holds nothing a shell reads specially (so commands read like the
/// tutorials'), single-quoted otherwise. Whatever a value holds, it stays one
/// argument: `latest; curl … | sh` cannot become a second command.
pub fn shell_word(text: &str) -> String {
    let plain = |rest: &str| {
        rest.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./:@%+=,-".contains(&b))
    };
    if !text.is_empty() && plain(&text.replace(ACCOUNT_PLACEHOLDER, "")) {
        text.to_string()
    } else {
        shell_quote(text)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_undo_reads_its_ids_from_the_request_or_the_answer() {
        let call = ApiCall::new(Operation::CreateTargetGroup, json!({"Name": "tg"}))
            .undo(&json!({"TargetGroups": [{"TargetGroupArn": "arn:tg"}]}))
            .unwrap();
        assert_eq!(call.operation, Operation::DeleteTargetGroup);
        assert_eq!(call.input, json!({"TargetGroupArn": "arn:tg"}));
        assert_eq!(
            ApiCall::new(Operation::CreateTargetGroup, json!({})).undo(&json!({})),
            None,
            "no ARN in the answer: nothing to delete by"
        );
        let detach = ApiCall::new(
            Operation::AttachRolePolicy,
            json!({"RoleName": "r", "PolicyArn": "arn:p"}),
        )
        .undo(&json!({}))
        .unwrap();
        assert_eq!(detach.title(), "iam:DetachRolePolicy");
        assert_eq!(
            ApiCall::new(Operation::AuthorizeSecurityGroupIngress, json!({})).undo(&json!({})),
            None
        );
        assert_eq!(
            Operation::CreateLoadBalancer
                .arn_in(&json!({"LoadBalancers": [{"LoadBalancerArn": "arn:lb", "DNSName": "x"}]})),
            Some("arn:lb")
        );
    }

    #[test]
    fn values_stay_one_word_whatever_they_hold() {
        assert_eq!(shell_word("ap-northeast-1"), "ap-northeast-1");
        assert_eq!(
            shell_word("${AWS_ACCOUNT_ID}.dkr.ecr.ap-northeast-1.amazonaws.com/web:v1"),
            "${AWS_ACCOUNT_ID}.dkr.ecr.ap-northeast-1.amazonaws.com/web:v1",
            "the placeholder is for the shell to expand"
        );
        assert_eq!(
            shell_word("latest; curl http://x | sh #"),
            "'latest; curl http://x | sh #'"
        );
        assert_eq!(shell_word("$(id)"), "'$(id)'");
        assert_eq!(shell_word("${HOME}"), "'${HOME}'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("a\nb"), "'a\nb'");
    }

    #[test]
    fn operations_are_named_as_the_cli_names_them() {
        assert_eq!(kebab_case("CreateRole"), "create-role");
        assert_eq!(kebab_case("PutRetentionPolicy"), "put-retention-policy");
        assert_eq!(kebab_case("AttachRolePolicy"), "attach-role-policy");
    }

    #[test]
    fn the_cli_sends_the_same_input_and_quotes_it_safely() {
        let call = ApiCall::new(
            Operation::CreateLogGroup,
            json!({"logGroupName": "/ecs/it's"}),
        );
        assert_eq!(call.title(), "logs:CreateLogGroup");
        let cli = call.cli(Some("ap-northeast-1"));
        assert_eq!(
            cli,
            "aws logs create-log-group --region ap-northeast-1 --cli-input-json '{\n  \"logGroupName\": \"/ecs/it'\\''s\"\n}'"
        );
        let iam = ApiCall::new(Operation::CreateRole, json!({}));
        assert_eq!(
            iam.cli(Some("ap-northeast-1")),
            "aws iam create-role --cli-input-json '{}'",
            "IAM is global"
        );
        assert_eq!(
            cli_script(&[iam.clone(), iam], None),
            "aws iam create-role --cli-input-json '{}'\n\naws iam create-role --cli-input-json '{}'\n"
        );
    }
}
