//! An IAM role for ECS tasks, as the console's "Create role" builds it:
//! trusted entity "AWS service", use case "Elastic Container Service Task",
//! AWS managed policies, and (our addition) an inline policy for the extra
//! permissions the tutorials add by hand: secrets, SSM parameters, log groups.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::api_call::ApiCall;
use super::hcl::{hcl_value, quote, resource_label};
use super::operation::Operation;
use super::resource::Resource;
use super::task_definition::Tag;
use super::validate::{Issue, check_tags};

pub const ECS_TASKS: &str = "ecs-tasks.amazonaws.com";
pub const EXECUTION_ROLE_POLICY: &str = "AmazonECSTaskExecutionRolePolicy";
/// AWS's default quota of managed policies attached to one role.
pub const MAX_MANAGED_POLICIES: usize = 10;

/// The two roles a task definition names, which differ only in who uses them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleKind {
    /// Used by ECS and Fargate to start the task: pull the image, write logs,
    /// read secrets.
    #[default]
    Execution,
    /// Assumed by the application's own code to call AWS.
    Task,
}

impl RoleKind {
    pub fn slug(self) -> &'static str {
        match self {
            RoleKind::Execution => "execution",
            RoleKind::Task => "task",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "execution" => Some(RoleKind::Execution),
            "task" => Some(RoleKind::Task),
            _ => None,
        }
    }

    pub fn default_name(self) -> &'static str {
        match self {
            RoleKind::Execution => "ecsTaskExecutionRole",
            RoleKind::Task => "ecsTaskRole",
        }
    }
}

/// An AWS managed policy the form offers as a checkbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub name: &'static str,
    /// IAM path, `/` or `/service-role/`.
    pub path: &'static str,
    /// The catalog key of its one-line explanation.
    pub help: &'static str,
}

impl ManagedPolicy {
    pub fn arn(&self, partition: &str) -> String {
        format!("arn:{partition}:iam::aws:policy{}{}", self.path, self.name)
    }
}

/// The policies ECS tasks commonly need, the execution role's first.
pub const MANAGED_POLICIES: [ManagedPolicy; 8] = [
    ManagedPolicy {
        name: EXECUTION_ROLE_POLICY,
        path: "/service-role/",
        help: "h.policy_execution",
    },
    ManagedPolicy {
        name: "CloudWatchAgentServerPolicy",
        path: "/",
        help: "h.policy_cloudwatch_agent",
    },
    ManagedPolicy {
        name: "AmazonEC2ContainerRegistryReadOnly",
        path: "/",
        help: "h.policy_ecr_read",
    },
    ManagedPolicy {
        name: "CloudWatchLogsFullAccess",
        path: "/",
        help: "h.policy_logs_full",
    },
    ManagedPolicy {
        name: "AmazonSSMReadOnlyAccess",
        path: "/",
        help: "h.policy_ssm_read",
    },
    ManagedPolicy {
        name: "SecretsManagerReadWrite",
        path: "/",
        help: "h.policy_secrets_rw",
    },
    ManagedPolicy {
        name: "AmazonS3ReadOnlyAccess",
        path: "/",
        help: "h.policy_s3_read",
    },
    ManagedPolicy {
        name: "AmazonDynamoDBReadOnlyAccess",
        path: "/",
        help: "h.policy_dynamodb_read",
    },
];

/// Where names are turned into ARNs: the caller's partition, account and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub partition: String,
    pub account: String,
    pub region: String,
}

impl Scope {
    /// A secret's name → an ARN matching it (Secrets Manager appends six
    /// random characters to every secret's ARN).
    pub fn secret_arn(&self, name: &str) -> String {
        format!(
            "arn:{}:secretsmanager:{}:{}:secret:{name}-??????",
            self.partition, self.region, self.account
        )
    }

    pub fn parameter_arn(&self, name: &str) -> String {
        format!(
            "arn:{}:ssm:{}:{}:parameter/{}",
            self.partition,
            self.region,
            self.account,
            name.trim_start_matches('/')
        )
    }

    pub fn kms_key_arn(&self, id: &str) -> String {
        format!(
            "arn:{}:kms:{}:{}:key/{id}",
            self.partition, self.region, self.account
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub kind: RoleKind,
    pub role_name: String,
    pub description: String,
    pub managed_policy_arns: Vec<String>,
    /// `secretsmanager:GetSecretValue` on these (all secrets when empty).
    pub read_secrets: bool,
    pub secret_arns: Vec<String>,
    /// `ssm:GetParameters` and `kms:Decrypt` on these (all when empty), as reference 004.
    pub read_parameters: bool,
    pub parameter_arns: Vec<String>,
    pub kms_key_arns: Vec<String>,
    /// `logs:CreateLogGroup`, needed when a container sets awslogs-create-group.
    pub create_log_groups: bool,
    pub tags: Vec<Tag>,
    /// The task definition draft this role is made for: its result leads
    /// back there. Never sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_draft: Option<String>,
}

impl Role {
    /// The console's defaults for `kind`: the execution role comes with
    /// AmazonECSTaskExecutionRolePolicy checked, and with
    /// `logs:CreateLogGroup`, because the task definition wizard turns
    /// awslogs-create-group on and that policy does not allow it (the task
    /// would stop with ResourceInitializationError).
    pub fn new(kind: RoleKind, partition: &str) -> Self {
        let managed_policy_arns = match kind {
            RoleKind::Execution => vec![MANAGED_POLICIES[0].arn(partition)],
            RoleKind::Task => Vec::new(),
        };
        Self {
            kind,
            role_name: kind.default_name().to_string(),
            managed_policy_arns,
            create_log_groups: kind == RoleKind::Execution,
            ..Self::default()
        }
    }

    pub fn inline_policy_name(&self) -> String {
        format!("{}-extra-permissions", self.role_name)
    }

    /// The inline policy, or None when no extra permission is asked for.
    pub fn inline_policy(&self) -> Option<Value> {
        let mut statements = Vec::new();
        if self.read_secrets {
            statements.push(statement(
                "ReadSecrets",
                &["secretsmanager:GetSecretValue"],
                &self.secret_arns,
            ));
        }
        if self.read_parameters {
            if self.parameter_arns.is_empty() && self.kms_key_arns.is_empty() {
                // One statement, exactly as reference 004 writes it.
                statements.push(statement(
                    "ReadParameters",
                    &["ssm:GetParameters", "kms:Decrypt"],
                    &[],
                ));
            } else {
                statements.push(statement(
                    "ReadParameters",
                    &["ssm:GetParameters"],
                    &self.parameter_arns,
                ));
                statements.push(statement(
                    "DecryptParameters",
                    &["kms:Decrypt"],
                    &self.kms_key_arns,
                ));
            }
        }
        if self.create_log_groups {
            statements.push(statement("CreateLogGroups", &["logs:CreateLogGroup"], &[]));
        }
        (!statements.is_empty()).then(|| json!({"Version": "2012-10-17", "Statement": statements}))
    }
}

impl Resource for Role {
    fn name(&self) -> &str {
        &self.role_name
    }

    fn tags(&self) -> &[Tag] {
        &self.tags
    }

    fn tags_mut(&mut self) -> &mut Vec<Tag> {
        &mut self.tags
    }

    /// CreateRole, then one AttachRolePolicy per managed policy, then the inline policy.
    fn api_calls(&self) -> Vec<ApiCall> {
        let mut create = json!({
            "RoleName": self.role_name,
            "AssumeRolePolicyDocument": compact(&trust_policy()),
        });
        if !self.description.is_empty() {
            create["Description"] = json!(self.description);
        }
        if !self.tags.is_empty() {
            create["Tags"] = json!(
                self.tags
                    .iter()
                    .map(|t| json!({"Key": t.key, "Value": t.value}))
                    .collect::<Vec<_>>()
            );
        }
        let mut calls = vec![ApiCall::new(Operation::CreateRole, create)];
        for arn in &self.managed_policy_arns {
            calls.push(ApiCall::new(
                Operation::AttachRolePolicy,
                json!({"RoleName": self.role_name, "PolicyArn": arn}),
            ));
        }
        if let Some(policy) = self.inline_policy() {
            calls.push(ApiCall::new(
                Operation::PutRolePolicy,
                json!({
                    "RoleName": self.role_name,
                    "PolicyName": self.inline_policy_name(),
                    "PolicyDocument": compact(&policy),
                }),
            ));
        }
        calls
    }

    fn terraform(&self) -> String {
        let label = resource_label(&self.role_name, "role");
        let mut out = format!("resource \"aws_iam_role\" \"{label}\" {{\n");
        out.push_str(&format!(
            "  name               = {}\n",
            quote(&self.role_name)
        ));
        if !self.description.is_empty() {
            out.push_str(&format!(
                "  description        = {}\n",
                quote(&self.description)
            ));
        }
        out.push_str(&format!(
            "  assume_role_policy = jsonencode({})\n",
            hcl_value(&trust_policy(), 1)
        ));
        out.push_str(&tags_block(&self.tags));
        out.push_str("}\n");
        for arn in &self.managed_policy_arns {
            let policy = arn.rsplit('/').next().unwrap_or(arn);
            out.push_str(&format!(
                "\nresource \"aws_iam_role_policy_attachment\" \"{label}_{}\" {{\n  role       = aws_iam_role.{label}.name\n  policy_arn = {}\n}}\n",
                resource_label(policy, "policy"),
                quote(arn)
            ));
        }
        if let Some(policy) = self.inline_policy() {
            out.push_str(&format!(
                "\nresource \"aws_iam_role_policy\" \"{label}_extra\" {{\n  name   = {}\n  role   = aws_iam_role.{label}.id\n  policy = jsonencode({})\n}}\n",
                quote(&self.inline_policy_name()),
                hcl_value(&policy, 1)
            ));
        }
        out
    }

    fn validate(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        check_role_name(&mut issues, "roleName", &self.role_name);
        if self.description.chars().count() > 1000 {
            issues.push(Issue::error("description", "v.max_length").with("max", 1000));
        }
        if let Some(c) = self.description.chars().find(|c| !description_char(*c)) {
            issues.push(Issue::error("description", "v.iam_description_chars").with("char", c));
        }
        if self.managed_policy_arns.len() > MAX_MANAGED_POLICIES {
            issues.push(
                Issue::error("managedPolicyArns", "v.too_many_policies")
                    .with("max", MAX_MANAGED_POLICIES),
            );
        }
        for arn in &self.managed_policy_arns {
            if !is_policy_arn(arn) {
                issues.push(Issue::error("otherPolicyArns", "v.policy_arn").with("value", arn));
            }
        }
        if self.kind == RoleKind::Execution
            && !self
                .managed_policy_arns
                .iter()
                .any(|a| a.ends_with(&format!("/{EXECUTION_ROLE_POLICY}")))
        {
            issues.push(Issue::warning(
                "managedPolicyArns",
                "v.execution_policy_missing",
            ));
        }
        let resources = [
            (self.read_secrets, "secretArns", &self.secret_arns),
            (self.read_parameters, "parameterArns", &self.parameter_arns),
            (self.read_parameters, "kmsKeyArns", &self.kms_key_arns),
        ];
        for (enabled, field, arns) in resources {
            for arn in arns.iter().filter(|a| !a.starts_with("arn:")) {
                issues.push(Issue::error(field, "v.full_arn").with("value", arn));
            }
            if enabled && arns.is_empty() && field == "secretArns" {
                issues.push(Issue::warning(field, "v.every_secret"));
            }
        }
        check_tags(&mut issues, &self.tags, 50);
        issues
    }
}

/// Lets ECS tasks assume the role: the console's "Elastic Container Service Task" use case.
pub fn trust_policy() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": ECS_TASKS},
            "Action": "sts:AssumeRole"
        }]
    })
}

/// `existing` with a statement added that lets ECS tasks assume the role.
pub fn trust_policy_with_ecs_tasks(existing: &Value) -> Value {
    let mut policy = existing.clone();
    let statement = trust_policy()["Statement"][0].clone();
    match policy.get_mut("Statement") {
        Some(Value::Array(statements)) => statements.push(statement),
        Some(single) => *single = json!([single.clone(), statement]),
        None => return trust_policy(),
    }
    policy
}

fn statement(sid: &str, actions: &[&str], resources: &[String]) -> Value {
    let resource = if resources.is_empty() {
        json!("*")
    } else {
        json!(resources)
    };
    json!({"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource})
}

/// Policy documents travel as strings inside the request.
pub fn compact(document: &Value) -> String {
    serde_json::to_string(document).unwrap_or_default()
}

pub fn tags_block(tags: &[Tag]) -> String {
    if tags.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n  tags = {\n");
    for tag in tags {
        out.push_str(&format!(
            "    {} = {}\n",
            quote(&tag.key),
            quote(&tag.value)
        ));
    }
    out.push_str("  }\n");
    out
}

/// IAM's rule for role names: 1–64 of letters, digits and `+=,.@_-`.
pub fn check_role_name(issues: &mut Vec<Issue>, path: &str, name: &str) {
    if name.is_empty() {
        issues.push(Issue::error(path, "v.required"));
    } else if !is_role_name(name) {
        issues.push(Issue::error(path, "v.role_name"));
    }
}

/// Whether IAM could hold a role of this name: anything else (a NUL, a
/// slash, 65 letters) is not looked up at all.
pub fn is_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// IAM descriptions allow tab, newlines, printable ASCII and Latin-1 only:
/// Japanese text is refused.
fn description_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{a1}'..='\u{ff}')
}

/// `arn:<partition>:iam::<aws or account>:policy/<path and name>`.
pub fn is_policy_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "iam", "", account, resource]
            if partition.starts_with("aws")
                && (*account == "aws" || (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())))
                && resource.strip_prefix("policy/").is_some_and(|rest| !rest.is_empty())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 22, item 2: the task definition wizard turns awslogs-create-group
    /// on, so the execution role the role wizard offers may create the group.
    #[test]
    fn the_execution_role_may_create_the_log_group_the_task_definition_asks_for() {
        let log = crate::model::defaults::awslogs("web", "ap-northeast-1");
        let asks = log.options.get("awslogs-create-group").map(String::as_str) == Some("true");
        let role = Role::new(RoleKind::Execution, "aws");
        assert_eq!(role.create_log_groups, asks);
        let policy = role.inline_policy().expect("an inline policy");
        let documents = [policy];
        assert!(crate::model::permissions::allows_on(
            &documents,
            "logs:CreateLogGroup",
            "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/web"
        ));
        assert!(!Role::new(RoleKind::Task, "aws").create_log_groups);
    }

    fn codes(issues: &[Issue]) -> Vec<(&str, &str)> {
        issues.iter().map(|i| (i.path.as_str(), i.key)).collect()
    }

    /// Reference 000: ecsTaskExecutionRole with the two managed policies.
    fn reference_000() -> Role {
        let mut role = Role::new(RoleKind::Execution, "aws");
        role.managed_policy_arns
            .push(MANAGED_POLICIES[1].arn("aws"));
        role
    }

    #[test]
    fn the_execution_role_starts_as_the_console_does() {
        let role = Role::new(RoleKind::Execution, "aws");
        assert_eq!(role.role_name, "ecsTaskExecutionRole");
        assert_eq!(
            role.managed_policy_arns,
            ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
        );
        let task = Role::new(RoleKind::Task, "aws-cn");
        assert_eq!(task.role_name, "ecsTaskRole");
        assert!(task.managed_policy_arns.is_empty());
        assert_eq!(
            MANAGED_POLICIES[1].arn("aws-cn"),
            "arn:aws-cn:iam::aws:policy/CloudWatchAgentServerPolicy"
        );
    }

    #[test]
    fn reference_000_is_one_create_and_two_attachments() {
        let calls = reference_000().api_calls();
        let names: Vec<String> = calls.iter().map(ApiCall::title).collect();
        // The inline policy is the wizard's default create-log-groups
        // permission (CloudWatchAgentServerPolicy grants it too).
        assert_eq!(
            names,
            [
                "iam:CreateRole",
                "iam:AttachRolePolicy",
                "iam:AttachRolePolicy",
                "iam:PutRolePolicy"
            ]
        );
        let trust: Value =
            serde_json::from_str(calls[0].input["AssumeRolePolicyDocument"].as_str().unwrap())
                .unwrap();
        assert_eq!(trust["Statement"][0]["Principal"]["Service"], ECS_TASKS);
        assert_eq!(trust["Statement"][0]["Action"], "sts:AssumeRole");
        assert_eq!(
            calls[2].input["PolicyArn"],
            "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
        );
        assert!(reference_000().validate().is_empty());
    }

    #[test]
    fn reference_004_extra_statement_is_one_inline_policy() {
        let mut role = Role::new(RoleKind::Execution, "aws");
        role.role_name = "ecs-task-execution".into();
        role.read_parameters = true;
        // Reference 004's containers do not ask to create their log group.
        role.create_log_groups = false;
        let calls = role.api_calls();
        let put = calls.last().unwrap();
        assert_eq!(put.title(), "iam:PutRolePolicy");
        assert_eq!(
            put.input["PolicyName"],
            "ecs-task-execution-extra-permissions"
        );
        let document: Value =
            serde_json::from_str(put.input["PolicyDocument"].as_str().unwrap()).unwrap();
        assert_eq!(
            document["Statement"],
            json!([{"Sid": "ReadParameters", "Effect": "Allow", "Action": ["ssm:GetParameters", "kms:Decrypt"], "Resource": "*"}])
        );
    }

    #[test]
    fn named_secrets_parameters_and_log_groups_get_their_own_statements() {
        let mut role = Role::new(RoleKind::Execution, "aws");
        role.read_secrets = true;
        role.secret_arns =
            vec!["arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf".into()];
        role.read_parameters = true;
        role.parameter_arns =
            vec!["arn:aws:ssm:ap-northeast-1:123456789012:parameter/db/password".into()];
        role.create_log_groups = true;
        let policy = role.inline_policy().unwrap();
        let sids: Vec<&str> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(
            sids,
            [
                "ReadSecrets",
                "ReadParameters",
                "DecryptParameters",
                "CreateLogGroups"
            ]
        );
        assert_eq!(
            policy["Statement"][0]["Action"],
            json!(["secretsmanager:GetSecretValue"])
        );
        assert_eq!(
            policy["Statement"][2]["Resource"], "*",
            "no key named: any key"
        );
        assert!(Role::new(RoleKind::Task, "aws").inline_policy().is_none());
    }

    #[test]
    fn names_become_arns_in_the_callers_account() {
        let scope = Scope {
            partition: "aws".into(),
            account: "123456789012".into(),
            region: "ap-northeast-1".into(),
        };
        assert_eq!(
            scope.secret_arn("prod/db"),
            "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/db-??????"
        );
        assert_eq!(
            scope.parameter_arn("/db/password"),
            "arn:aws:ssm:ap-northeast-1:123456789012:parameter/db/password"
        );
        assert_eq!(
            scope.kms_key_arn("1234abcd"),
            "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd"
        );
    }

    #[test]
    fn role_names_follow_iam() {
        for good in ["ecsTaskExecutionRole", "a", "role+=,.@_-1", &"r".repeat(64)] {
            let mut issues = Vec::new();
            check_role_name(&mut issues, "roleName", good);
            assert!(issues.is_empty(), "{good}");
        }
        for (bad, key) in [
            ("", "v.required"),
            ("has space", "v.role_name"),
            ("ロール", "v.role_name"),
            ("a/b", "v.role_name"),
            ("nul\0name", "v.role_name"),
            (&"r".repeat(65), "v.role_name"),
        ] {
            let mut issues = Vec::new();
            check_role_name(&mut issues, "roleName", bad);
            assert_eq!(codes(&issues), [("roleName", key)], "{bad}");
        }
    }

    #[test]
    fn descriptions_refuse_what_iam_refuses() {
        let mut role = reference_000();
        role.description = "任意でOK".into();
        assert_eq!(
            codes(&role.validate()),
            [("description", "v.iam_description_chars")]
        );
        role.description = "Allows ECS tasks to call AWS — café".replace('—', "-");
        assert!(role.validate().is_empty());
        role.description = "x".repeat(1001);
        assert_eq!(codes(&role.validate()), [("description", "v.max_length")]);
    }

    #[test]
    fn policies_are_checked() {
        let mut role = reference_000();
        role.managed_policy_arns
            .push("AmazonS3ReadOnlyAccess".into());
        assert_eq!(
            codes(&role.validate()),
            [("otherPolicyArns", "v.policy_arn")]
        );
        assert!(is_policy_arn("arn:aws:iam::123456789012:policy/team/app"));
        assert!(!is_policy_arn("arn:aws:iam::aws:role/x"));
        role.managed_policy_arns = (0..11)
            .map(|i| format!("arn:aws:iam::aws:policy/P{i}"))
            .collect();
        assert!(codes(&role.validate()).contains(&("managedPolicyArns", "v.too_many_policies")));
        role.managed_policy_arns.clear();
        assert_eq!(
            codes(&role.validate()),
            [("managedPolicyArns", "v.execution_policy_missing")]
        );
        assert!(
            !role.validate()[0].is_error(),
            "a warning: it may be on purpose"
        );
    }

    #[test]
    fn extra_resources_must_be_arns_and_every_secret_is_a_warning() {
        let mut role = reference_000();
        role.read_secrets = true;
        assert_eq!(codes(&role.validate()), [("secretArns", "v.every_secret")]);
        role.secret_arns = vec!["db-password".into()];
        assert_eq!(codes(&role.validate()), [("secretArns", "v.full_arn")]);
    }

    #[test]
    fn terraform_declares_the_role_its_attachments_and_inline_policy() {
        let mut role = reference_000();
        role.description = "for ${env}".into();
        role.create_log_groups = true;
        role.tags = vec![Tag {
            key: "Name".into(),
            value: "web".into(),
        }];
        let hcl = role.terraform();
        assert!(hcl.starts_with("resource \"aws_iam_role\" \"ecsTaskExecutionRole\" {\n  name               = \"ecsTaskExecutionRole\"\n  description        = \"for $${env}\"\n"), "{hcl}");
        assert!(hcl.contains("  assume_role_policy = jsonencode({\n"));
        assert!(hcl.contains("Service = \"ecs-tasks.amazonaws.com\""));
        assert!(hcl.contains("resource \"aws_iam_role_policy_attachment\" \"ecsTaskExecutionRole_AmazonECSTaskExecutionRolePolicy\" {\n  role       = aws_iam_role.ecsTaskExecutionRole.name\n  policy_arn = \"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy\"\n}\n"));
        assert!(hcl.contains("resource \"aws_iam_role_policy\" \"ecsTaskExecutionRole_extra\" {\n  name   = \"ecsTaskExecutionRole-extra-permissions\"\n"));
        assert!(hcl.contains("\"logs:CreateLogGroup\""));
        assert!(hcl.contains("    \"Name\" = \"web\"\n"));
        assert_eq!(hcl.matches('{').count(), hcl.matches('}').count());
    }

    #[test]
    fn ecs_tasks_is_added_to_an_existing_trust_policy() {
        let ec2 = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}});
        let fixed = trust_policy_with_ecs_tasks(&ec2);
        assert_eq!(fixed["Statement"].as_array().unwrap().len(), 2);
        assert_eq!(fixed["Statement"][1]["Principal"]["Service"], ECS_TASKS);
        assert_eq!(trust_policy_with_ecs_tasks(&json!({})), trust_policy());
    }
}
