//! Reading IAM policy documents well enough to tell a beginner why a role
//! will not work as a task execution role: who may assume it, and whether its
//! policies let ECS pull from ECR and write to CloudWatch Logs.
//!
//! Only actions are compared, not resources or conditions: a role that allows
//! `logs:PutLogEvents` on one log group counts as allowed. The check finds
//! what is plainly missing; it does not prove a task will start.

use serde_json::Value;

use super::role::ECS_TASKS;

/// What ECS needs to pull a private image from ECR.
pub const ECR_PULL: [&str; 4] = [
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
];

/// What the awslogs driver needs to write a container's output.
pub const LOGS_WRITE: [&str; 2] = ["logs:CreateLogStream", "logs:PutLogEvents"];

/// Something a task execution role lacks, and the fix offered for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// The trust policy does not let ecs-tasks.amazonaws.com assume the role.
    NotAssumableByEcsTasks,
    /// Actions of [`ECR_PULL`] no policy allows.
    CannotPullFromEcr(Vec<&'static str>),
    /// Actions of [`LOGS_WRITE`] no policy allows.
    CannotWriteLogs(Vec<&'static str>),
}

/// What stops `trust` + `policies` from working as a task execution role.
pub fn execution_role_gaps(trust: &Value, policies: &[Value]) -> Vec<Gap> {
    let mut gaps = Vec::new();
    if !trusts_service(trust, ECS_TASKS) {
        gaps.push(Gap::NotAssumableByEcsTasks);
    }
    let missing = |actions: &[&'static str]| -> Vec<&'static str> {
        actions
            .iter()
            .copied()
            .filter(|action| !allows(policies, action))
            .collect()
    };
    let ecr = missing(&ECR_PULL);
    if !ecr.is_empty() {
        gaps.push(Gap::CannotPullFromEcr(ecr));
    }
    let logs = missing(&LOGS_WRITE);
    if !logs.is_empty() {
        gaps.push(Gap::CannotWriteLogs(logs));
    }
    gaps
}

/// True when an Allow statement lets `service` call sts:AssumeRole.
pub fn trusts_service(trust: &Value, service: &str) -> bool {
    statements(trust).any(|s| {
        effect_is(s, "Allow")
            && matches_any(s.get("Action"), "sts:AssumeRole")
            && strings(s.get("Principal").and_then(|p| p.get("Service"))).any(|p| p == service)
    })
}

/// True when some Allow statement names `action` and no Deny statement does.
pub fn allows(policies: &[Value], action: &str) -> bool {
    let named = |effect: &str| {
        policies
            .iter()
            .flat_map(statements)
            .any(|s| effect_is(s, effect) && matches_any(s.get("Action"), action))
    };
    named("Allow") && !named("Deny")
}

/// True when some Allow statement names `action` on `resource` and no Deny
/// statement does. Conditions, resource policies and permission boundaries
/// are not weighed: this finds what is plainly missing.
pub fn allows_on(policies: &[Value], action: &str, resource: &str) -> bool {
    let named = |effect: &str| {
        policies.iter().flat_map(statements).any(|s| {
            effect_is(s, effect)
                && matches_any(s.get("Action"), action)
                && strings(s.get("Resource")).any(|pattern| wildcard_match(pattern, resource))
        })
    };
    named("Allow") && !named("Deny")
}

fn statements(document: &Value) -> impl Iterator<Item = &Value> {
    let statement = document.get("Statement");
    let list: Vec<&Value> = match statement {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    };
    list.into_iter()
}

fn effect_is(statement: &Value, effect: &str) -> bool {
    statement.get("Effect").and_then(Value::as_str) == Some(effect)
}

/// A string or a list of strings.
fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    let list: Vec<&str> = match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    list.into_iter()
}

fn matches_any(patterns: Option<&Value>, action: &str) -> bool {
    strings(patterns)
        .any(|pattern| wildcard_match(&pattern.to_ascii_lowercase(), &action.to_ascii_lowercase()))
}

/// IAM's wildcards: `*` any run of characters, `?` one character.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((star_p, star_t)) = star {
            pi = star_p + 1;
            ti = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod resource_tests {
    use serde_json::json;

    use super::allows_on;

    #[test]
    fn an_action_is_allowed_on_the_resources_its_statement_names() {
        let policy = json!({"Statement": [
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
             "Resource": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:app/*"},
            {"Effect": "Deny", "Action": "secretsmanager:*",
             "Resource": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:app/root*"}
        ]});
        let arn = |name: &str| {
            format!("arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:{name}")
        };
        let policies = [policy];
        assert!(allows_on(
            &policies,
            "secretsmanager:GetSecretValue",
            &arn("app/db-AbCdEf")
        ));
        assert!(!allows_on(
            &policies,
            "secretsmanager:GetSecretValue",
            &arn("other-AbCdEf")
        ));
        assert!(!allows_on(
            &policies,
            "secretsmanager:GetSecretValue",
            &arn("app/root-AbCdEf")
        ));
        assert!(!allows_on(&policies, "ssm:GetParameters", &arn("app/db")));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::role::trust_policy;

    /// AmazonECSTaskExecutionRolePolicy as AWS publishes it.
    fn execution_policy() -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
            "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
            "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]})
    }

    #[test]
    fn a_console_made_execution_role_has_no_gaps() {
        assert!(execution_role_gaps(&trust_policy(), &[execution_policy()]).is_empty());
    }

    #[test]
    fn a_role_for_ec2_with_no_policies_lacks_everything() {
        let ec2 = json!({"Statement": {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}});
        assert_eq!(
            execution_role_gaps(&ec2, &[]),
            [
                Gap::NotAssumableByEcsTasks,
                Gap::CannotPullFromEcr(ECR_PULL.to_vec()),
                Gap::CannotWriteLogs(LOGS_WRITE.to_vec()),
            ]
        );
    }

    #[test]
    fn wildcards_and_case_count_as_allowed() {
        let broad = json!({"Statement": [{"Effect": "Allow", "Action": ["ECR:*", "logs:Put*", "logs:CreateLog?tream"], "Resource": "*"}]});
        assert!(execution_role_gaps(&trust_policy(), &[broad]).is_empty());
        let admin = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
        assert!(allows(&[admin], "ecr:BatchGetImage"));
    }

    #[test]
    fn a_deny_wins_and_a_partial_policy_names_what_is_missing() {
        let deny = json!({"Statement": [{"Effect": "Deny", "Action": "ecr:BatchGetImage", "Resource": "*"}]});
        assert!(!allows(
            &[execution_policy(), deny.clone()],
            "ecr:BatchGetImage"
        ));
        assert_eq!(
            execution_role_gaps(&trust_policy(), &[execution_policy(), deny]),
            [Gap::CannotPullFromEcr(vec!["ecr:BatchGetImage"])]
        );
        let logs_only =
            json!({"Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]});
        assert_eq!(
            execution_role_gaps(&trust_policy(), &[logs_only]),
            [Gap::CannotPullFromEcr(ECR_PULL.to_vec())]
        );
    }

    #[test]
    fn wildcard_matching() {
        assert!(wildcard_match("ecr:get*", "ecr:getauthorizationtoken"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "axxbyyc"));
        assert!(!wildcard_match("a*b", "axxc"));
        assert!(!wildcard_match("ecr:get", "ecr:getx"));
        assert!(wildcard_match("ecr:?et*", "ecr:getx"));
    }
}
