//! Changes to what exists, worked out from what AWS holds now: deleting a
//! cluster, a repository (with its images), a log group or a role (its
//! policies first), and changing a role's policies. Each is a list of calls
//! the confirmation shows and the run sends exactly (`deploy::change`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::account::{ClusterSummary, RoleDetails};
use super::api_call::ApiCall;
use super::issue::Issue;
use super::operation::Operation;
use super::role::{MAX_MANAGED_POLICIES, is_policy_arn, is_role_name};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeCall {
    /// What it belongs to: the step of the creating run it undoes
    /// (`CreateTargetGroup`), or `ScaleToZero`, `DetachRolePolicy`…
    pub step: String,
    pub service: String,
    pub operation: String,
    pub input: Value,
    /// What it acts on, by the name people gave it (`ecs-fargate-tg`);
    /// empty in snapshots from before it was kept.
    #[serde(default)]
    pub what: String,
}

impl ChangeCall {
    pub fn of(step: &str, what: &str, call: ApiCall) -> Self {
        Self {
            step: step.to_string(),
            service: call.service().cli_name().to_string(),
            operation: call.operation.name().to_string(),
            input: call.input,
            what: what.to_string(),
        }
    }

    /// `elbv2:DeleteTargetGroup`
    pub fn title(&self) -> String {
        format!("{}:{}", self.service, self.operation)
    }

    /// What it acts on, for people: its name, else the step.
    pub fn subject(&self) -> &str {
        if self.what.is_empty() {
            &self.step
        } else {
            &self.what
        }
    }

    /// The call, for the operations a change sends; None for any other (a
    /// snapshot names nothing else).
    pub fn call(&self) -> Option<ApiCall> {
        use Operation::*;
        let operation = Operation::parse(&self.operation)
            .filter(|o| o.service().cli_name() == self.service)
            .filter(|o| {
                matches!(
                    o,
                    UpdateService
                        | DeleteService
                        | DeleteListener
                        | DeleteRule
                        | DeleteTargetGroup
                        | DeleteLoadBalancer
                        | DeleteSecurityGroup
                        | DeleteCluster
                        | DeleteRepository
                        | DeleteLogGroup
                        | DeleteRole
                        | DetachRolePolicy
                        | DeleteRolePolicy
                        | AttachRolePolicy
                        | PutRolePolicy
                        | DeleteScalingPolicy
                        | DeregisterScalableTarget
                        | DeleteAlarms
                        | DeregisterTaskDefinition
                        | DeleteCertificate
                ) || (*o == ChangeResourceRecordSets && only_deletes(&self.input))
            })?;
        Some(ApiCall::new(operation, self.input.clone()))
    }
}

/// A Route 53 change that only deletes records (a tear-down's).
fn only_deletes(input: &Value) -> bool {
    input["ChangeBatch"]["Changes"]
        .as_array()
        .is_some_and(|changes| {
            !changes.is_empty() && changes.iter().all(|c| c["Action"] == "DELETE")
        })
}

/// The changes the account pages offer, by their URL name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    DeleteCluster,
    DeleteRepository,
    DeleteLogGroup,
    DeleteRole,
    RolePolicies,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 5] = [
        ChangeKind::DeleteCluster,
        ChangeKind::DeleteRepository,
        ChangeKind::DeleteLogGroup,
        ChangeKind::DeleteRole,
        ChangeKind::RolePolicies,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ChangeKind::DeleteCluster => "delete-cluster",
            ChangeKind::DeleteRepository => "delete-repository",
            ChangeKind::DeleteLogGroup => "delete-log-group",
            ChangeKind::DeleteRole => "delete-role",
            ChangeKind::RolePolicies => "role-policies",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// Catalog key of the page's heading.
    pub fn title(self) -> &'static str {
        match self {
            ChangeKind::DeleteCluster => "ui.delete_cluster",
            ChangeKind::DeleteRepository => "ui.delete_repository",
            ChangeKind::DeleteLogGroup => "ui.delete_log_group",
            ChangeKind::DeleteRole => "ui.delete_role",
            ChangeKind::RolePolicies => "ui.change_role_policies",
        }
    }

    /// Catalog key of what the run page says once it is done ({name}).
    pub fn done(self) -> &'static str {
        match self {
            ChangeKind::DeleteCluster => "ui.done_delete_cluster",
            ChangeKind::DeleteRepository => "ui.done_delete_repository",
            ChangeKind::DeleteLogGroup => "ui.done_delete_log_group",
            ChangeKind::DeleteRole => "ui.done_delete_role",
            ChangeKind::RolePolicies => "ui.done_role_policies",
        }
    }

    /// Whether `name` could name what this kind acts on (nothing else is read).
    pub fn accepts(self, name: &str) -> bool {
        match self {
            ChangeKind::DeleteCluster => {
                (1..=255).contains(&name.len())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
            }
            ChangeKind::DeleteRepository => {
                (2..=256).contains(&name.len())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c))
            }
            ChangeKind::DeleteLogGroup => {
                (1..=512).contains(&name.len())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-/#".contains(c))
            }
            ChangeKind::DeleteRole | ChangeKind::RolePolicies => is_role_name(name),
        }
    }

    /// Catalog key of the way back from its run's page.
    pub fn back_label(self) -> &'static str {
        match self {
            ChangeKind::RolePolicies => "ui.back_to_role",
            _ => "ui.back_to_list",
        }
    }

    /// Where the page leads back to: what the thing belonged to.
    pub fn back_url(self, name: &str) -> String {
        match self {
            ChangeKind::DeleteCluster => "/clusters".into(),
            ChangeKind::DeleteRepository => "/repositories".into(),
            ChangeKind::DeleteLogGroup => "/log-groups".into(),
            ChangeKind::DeleteRole => "/roles".into(),
            ChangeKind::RolePolicies => format!("/roles/{name}"),
        }
    }
}

/// An inline policy as the role page's form edits it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub name: String,
    /// JSON, as typed.
    pub document: String,
}

impl InlinePolicy {
    /// A policy allowing `action` (`logs:CreateLogGroup`) on `resource`
    /// (an ARN), named after the action: the fix a review offers. None for
    /// an action or resource IAM could not hold.
    pub fn allowing(action: &str, resource: &str) -> Option<Self> {
        let (service, verb) = action.split_once(':')?;
        let plain = |text: &str, extra: &str| {
            !text.is_empty()
                && text.len() <= 64
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
        };
        if !plain(service, "-") || !plain(verb, "*") {
            return None;
        }
        if !resource.starts_with("arn:") || resource.len() > 2048 {
            return None;
        }
        let document = json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]
        });
        Some(Self {
            name: format!("allow-{service}-{verb}").replace('*', "all"),
            document: serde_json::to_string_pretty(&document).unwrap_or_default(),
        })
    }
}

/// What a role's policies should be after the change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyEdit {
    pub attached: Vec<String>,
    pub inline: Vec<InlinePolicy>,
}

/// IAM's limit on a role's inline policies together, in characters
/// without white space.
pub const MAX_INLINE_CHARS: usize = 10_240;

/// More inline policies than fit in [`MAX_INLINE_CHARS`] with a minimal
/// statement each: refused at once.
pub const MAX_INLINE_POLICIES: usize = 100;

impl PolicyEdit {
    /// What IAM would refuse, beside the field it belongs to.
    pub fn validate(&self) -> Vec<Issue> {
        // Far more rows than a role can hold are refused before anything
        // else is looked at: the checks below compare rows with each other.
        if self.inline.len() > MAX_INLINE_POLICIES || self.attached.len() > 2 * MAX_MANAGED_POLICIES
        {
            return vec![
                Issue::error("inline", "v.too_many")
                    .with("path", "inline / attached")
                    .with("count", self.inline.len() + self.attached.len())
                    .with("max", MAX_INLINE_POLICIES),
            ];
        }
        let mut issues = Vec::new();
        if self.attached.len() > MAX_MANAGED_POLICIES {
            issues.push(
                Issue::error("attached", "v.too_many_policies").with("max", MAX_MANAGED_POLICIES),
            );
        }
        for arn in &self.attached {
            if !is_policy_arn(arn) {
                issues.push(Issue::error("attached", "v.policy_arn").with("value", arn));
            }
        }
        let mut total = 0;
        for (i, policy) in self.inline.iter().enumerate() {
            let name_ok = (1..=128).contains(&policy.name.len())
                && policy
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
            if !name_ok {
                issues.push(Issue::error(format!("inline.{i}.name"), "v.policy_name"));
            }
            if self.inline[..i].iter().any(|p| p.name == policy.name) {
                issues.push(Issue::error(
                    format!("inline.{i}.name"),
                    "v.policy_name_twice",
                ));
            }
            match serde_json::from_str::<Value>(&policy.document) {
                Ok(document) if document.get("Statement").is_some() => {}
                Ok(_) => issues.push(Issue::error(
                    format!("inline.{i}.document"),
                    "v.policy_no_statement",
                )),
                Err(error) => issues.push(
                    Issue::error(format!("inline.{i}.document"), "v.policy_json")
                        .with("error", error),
                ),
            }
            total += policy
                .document
                .chars()
                .filter(|c| !c.is_whitespace())
                .count();
        }
        if total > MAX_INLINE_CHARS {
            issues.push(
                Issue::error("inline", "v.inline_too_long")
                    .with("count", total)
                    .with("max", MAX_INLINE_CHARS),
            );
        }
        issues
    }
}

/// A document as IAM keeps it: parsed, so white space does not count as a change.
fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// The calls that turn `role`'s policies into `edit`: detach, delete,
/// then attach and put, so a role never holds more than the limit.
pub fn role_policy_calls(role: &RoleDetails, edit: &PolicyEdit) -> Vec<ChangeCall> {
    let name = role.name.as_str();
    let mut calls = Vec::new();
    for policy in &role.attached {
        if !edit.attached.contains(&policy.arn) {
            calls.push(detach(name, &policy.arn));
        }
    }
    for policy in &role.inline {
        if !edit.inline.iter().any(|p| p.name == policy.name) {
            calls.push(delete_inline(name, &policy.name));
        }
    }
    for arn in &edit.attached {
        if !role.attached.iter().any(|p| &p.arn == arn) {
            let call = ApiCall::new(
                Operation::AttachRolePolicy,
                json!({"RoleName": name, "PolicyArn": arn}),
            );
            calls.push(ChangeCall::of("AttachRolePolicy", policy_name(arn), call));
        }
    }
    for policy in &edit.inline {
        let document = parsed(&policy.document);
        let same = role
            .inline
            .iter()
            .any(|p| p.name == policy.name && p.document == document);
        if !same {
            let call = ApiCall::new(
                Operation::PutRolePolicy,
                json!({"RoleName": name, "PolicyName": policy.name,
                       "PolicyDocument": serde_json::to_string(&document).unwrap_or_default()}),
            );
            calls.push(ChangeCall::of("PutRolePolicy", &policy.name, call));
        }
    }
    calls
}

/// `arn:aws:iam::aws:policy/service-role/X` → `X`.
pub fn policy_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn detach(role: &str, arn: &str) -> ChangeCall {
    let call = ApiCall::new(
        Operation::DetachRolePolicy,
        json!({"RoleName": role, "PolicyArn": arn}),
    );
    ChangeCall::of("DetachRolePolicy", policy_name(arn), call)
}

fn delete_inline(role: &str, policy: &str) -> ChangeCall {
    let call = ApiCall::new(
        Operation::DeleteRolePolicy,
        json!({"RoleName": role, "PolicyName": policy}),
    );
    ChangeCall::of("DeleteRolePolicy", policy, call)
}

/// IAM deletes only a role with no policies: each is detached or deleted first.
pub fn delete_role_calls(role: &RoleDetails) -> Vec<ChangeCall> {
    let name = role.name.as_str();
    let mut calls: Vec<ChangeCall> = role.attached.iter().map(|p| detach(name, &p.arn)).collect();
    calls.extend(role.inline.iter().map(|p| delete_inline(name, &p.name)));
    let call = ApiCall::new(Operation::DeleteRole, json!({"RoleName": name}));
    calls.push(ChangeCall::of("DeleteRole", name, call));
    calls
}

/// ECS refuses to delete a cluster with services or tasks: said first, nothing sent.
pub fn delete_cluster_calls(cluster: &ClusterSummary) -> Result<Vec<ChangeCall>, Issue> {
    if cluster.active_services > 0 {
        return Err(Issue::error("", "v.cluster_has_services")
            .with("cluster", &cluster.name)
            .with("count", cluster.active_services));
    }
    let tasks = cluster.running_tasks + cluster.pending_tasks;
    if tasks > 0 {
        return Err(Issue::error("", "v.cluster_has_tasks")
            .with("cluster", &cluster.name)
            .with("count", tasks));
    }
    let call = ApiCall::new(Operation::DeleteCluster, json!({"cluster": cluster.name}));
    Ok(vec![ChangeCall::of("DeleteCluster", &cluster.name, call)])
}

/// A repository with images is deleted only with `force`, images and all.
pub fn delete_repository_calls(name: &str, images: usize) -> Vec<ChangeCall> {
    let mut input = json!({"repositoryName": name});
    if images > 0 {
        input["force"] = json!(true);
    }
    let call = ApiCall::new(Operation::DeleteRepository, input);
    vec![ChangeCall::of("DeleteRepository", name, call)]
}

pub fn delete_log_group_calls(name: &str) -> Vec<ChangeCall> {
    let call = ApiCall::new(Operation::DeleteLogGroup, json!({"logGroupName": name}));
    vec![ChangeCall::of("DeleteLogGroup", name, call)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::account::PolicyDocument;

    #[test]
    fn a_snapshot_names_only_calls_a_change_sends() {
        let call = |service: &str, operation: &str| ChangeCall {
            step: "x".into(),
            service: service.into(),
            operation: operation.into(),
            input: json!({}),
            what: String::new(),
        };
        assert_eq!(call("iam", "CreateRole").call(), None);
        assert_eq!(
            call("ecs", "DeleteRole").call(),
            None,
            "service and operation agree"
        );
        assert!(call("iam", "DeleteRole").call().is_some());
        assert_eq!(call("iam", "DeleteRole").subject(), "x");
        // What a service's tear-down deletes: its alarm, revision and
        // certificate, and its records — only a change that deletes them.
        for (service, operation) in [
            ("cloudwatch", "DeleteAlarms"),
            ("ecs", "DeregisterTaskDefinition"),
            ("acm", "DeleteCertificate"),
        ] {
            assert!(call(service, operation).call().is_some(), "{operation}");
        }
        let records = |action: &str| ChangeCall {
            input: json!({"HostedZoneId": "Z1", "ChangeBatch": {"Changes": [
                {"Action": action, "ResourceRecordSet": {"Name": "shop.example.com", "Type": "A"}}
            ]}}),
            ..call("route53", "ChangeResourceRecordSets")
        };
        assert!(records("DELETE").call().is_some());
        assert_eq!(records("UPSERT").call(), None);
        assert_eq!(records("CREATE").call(), None);
    }

    fn role(attached: &[&str], inline: &[(&str, Value)]) -> RoleDetails {
        RoleDetails {
            name: "web".into(),
            arn: "arn:aws:iam::123456789012:role/web".into(),
            description: String::new(),
            trust: json!({}),
            attached: attached
                .iter()
                .map(|arn| PolicyDocument {
                    name: policy_name(arn).into(),
                    arn: arn.to_string(),
                    document: json!({}),
                })
                .collect(),
            inline: inline
                .iter()
                .map(|(name, document)| PolicyDocument {
                    name: name.to_string(),
                    arn: String::new(),
                    document: document.clone(),
                })
                .collect(),
        }
    }

    const EXECUTION: &str = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
    const AGENT: &str = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy";

    fn titles(calls: &[ChangeCall]) -> Vec<String> {
        calls
            .iter()
            .map(|c| format!("{} {}", c.operation, c.subject()))
            .collect()
    }

    #[test]
    fn reference_000_attaches_the_agent_policy_and_nothing_else_moves() {
        let statement = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": "*"}]});
        let now = role(&[EXECUTION], &[("logs", statement.clone())]);
        let edit = PolicyEdit {
            attached: vec![EXECUTION.into(), AGENT.into()],
            // The same document, typed with other white space: not a change.
            inline: vec![InlinePolicy {
                name: "logs".into(),
                document: serde_json::to_string_pretty(&statement).unwrap(),
            }],
        };
        assert!(edit.validate().is_empty());
        let calls = role_policy_calls(&now, &edit);
        assert_eq!(
            titles(&calls),
            ["AttachRolePolicy CloudWatchAgentServerPolicy"]
        );
        assert_eq!(
            calls[0].input,
            json!({"RoleName": "web", "PolicyArn": AGENT})
        );
    }

    #[test]
    fn removals_go_before_additions_and_a_changed_document_is_put() {
        let now = role(
            &[EXECUTION],
            &[
                ("old", json!({"Statement": []})),
                ("kept", json!({"Statement": []})),
            ],
        );
        let edit = PolicyEdit {
            attached: vec![AGENT.into()],
            inline: vec![InlinePolicy {
                name: "kept".into(),
                document: r#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#.into(),
            }],
        };
        assert_eq!(
            titles(&role_policy_calls(&now, &edit)),
            [
                "DetachRolePolicy AmazonECSTaskExecutionRolePolicy",
                "DeleteRolePolicy old",
                "AttachRolePolicy CloudWatchAgentServerPolicy",
                "PutRolePolicy kept",
            ]
        );
        let put = &role_policy_calls(&now, &edit)[3];
        assert!(
            put.input["PolicyDocument"]
                .as_str()
                .unwrap()
                .contains("s3:GetObject")
        );
    }

    #[test]
    fn a_policy_edit_iam_would_refuse_is_refused_beside_its_field() {
        let edit = PolicyEdit {
            attached: vec!["arn:aws:iam::aws:role/x".into()],
            inline: vec![
                InlinePolicy {
                    name: "a b".into(),
                    document: "{".into(),
                },
                InlinePolicy {
                    name: "ok".into(),
                    document: "{}".into(),
                },
                InlinePolicy {
                    name: "ok".into(),
                    document: format!(r#"{{"Statement": "{}"}}"#, "x".repeat(MAX_INLINE_CHARS)),
                },
            ],
        };
        let found: Vec<(String, &str)> = edit
            .validate()
            .into_iter()
            .map(|i| (i.path, i.key))
            .collect();
        assert_eq!(
            found,
            [
                ("attached".to_string(), "v.policy_arn"),
                ("inline.0.name".into(), "v.policy_name"),
                ("inline.0.document".into(), "v.policy_json"),
                ("inline.1.document".into(), "v.policy_no_statement"),
                ("inline.2.name".into(), "v.policy_name_twice"),
                ("inline".into(), "v.inline_too_long"),
            ]
        );
        let many = PolicyEdit {
            attached: vec![AGENT.to_string(); MAX_MANAGED_POLICIES + 1],
            inline: Vec::new(),
        };
        assert_eq!(many.validate()[0].key, "v.too_many_policies");
    }

    #[test]
    fn a_fix_names_its_policy_after_the_action_and_refuses_odd_input() {
        let policy = InlinePolicy::allowing(
            "logs:CreateLogGroup",
            "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/web",
        )
        .expect("a policy");
        assert_eq!(policy.name, "allow-logs-CreateLogGroup");
        assert!(policy.document.contains("log-group:/ecs/web"));
        assert!(InlinePolicy::allowing("logs CreateLogGroup", "arn:x").is_none());
        assert!(InlinePolicy::allowing("logs:Create\"", "arn:x").is_none());
        assert!(InlinePolicy::allowing("logs:CreateLogGroup", "*").is_none());
    }

    #[test]
    fn thousands_of_rows_are_refused_before_they_are_compared() {
        let edit = PolicyEdit {
            attached: Vec::new(),
            inline: vec![
                InlinePolicy {
                    name: "p".into(),
                    document: "{}".into()
                };
                20_000
            ],
        };
        let found = edit.validate();
        assert_eq!(found.len(), 1, "one message, no row compared");
        assert_eq!(found[0].key, "v.too_many");
    }

    #[test]
    fn a_role_loses_its_policies_before_it_is_deleted() {
        let calls = delete_role_calls(&role(&[EXECUTION], &[("extra", json!({}))]));
        assert_eq!(
            titles(&calls),
            [
                "DetachRolePolicy AmazonECSTaskExecutionRolePolicy",
                "DeleteRolePolicy extra",
                "DeleteRole web",
            ]
        );
        assert!(calls.iter().all(|c| c.call().is_some()));
    }

    fn cluster(services: i32, running: i32) -> ClusterSummary {
        ClusterSummary {
            name: "demo".into(),
            arn: String::new(),
            status: "ACTIVE".into(),
            active_services: services,
            running_tasks: running,
            pending_tasks: 0,
            container_insights: String::new(),
        }
    }

    #[test]
    fn a_cluster_with_services_or_tasks_is_refused_with_the_reason() {
        assert_eq!(
            delete_cluster_calls(&cluster(2, 0)).unwrap_err().key,
            "v.cluster_has_services"
        );
        assert_eq!(
            delete_cluster_calls(&cluster(0, 1)).unwrap_err().key,
            "v.cluster_has_tasks"
        );
        let calls = delete_cluster_calls(&cluster(0, 0)).unwrap();
        assert_eq!(calls[0].input, json!({"cluster": "demo"}));
    }

    #[test]
    fn a_repository_with_images_is_forced_and_an_empty_one_is_not() {
        assert_eq!(delete_repository_calls("web", 3)[0].input["force"], true);
        assert!(
            delete_repository_calls("web", 0)[0]
                .input
                .get("force")
                .is_none()
        );
        assert_eq!(
            delete_log_group_calls("/ecs/web")[0].input,
            json!({"logGroupName": "/ecs/web"})
        );
    }

    #[test]
    fn names_from_a_link_are_held_to_what_aws_allows() {
        assert!(ChangeKind::DeleteLogGroup.accepts("/ecs/web"));
        assert!(!ChangeKind::DeleteCluster.accepts("a/b"));
        assert!(!ChangeKind::DeleteRepository.accepts("Web"));
        assert!(!ChangeKind::DeleteRole.accepts(""));
        for kind in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(kind.slug()), Some(kind));
        }
    }
}
