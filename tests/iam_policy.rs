//! The IAM policy the README gives an instance's task role
//! (`docs/iam-policy.json`) allows every call the app makes: each SDK
//! operation called in `src/aws/` (but the emulator command's) is read from
//! the source and looked up.

use std::collections::BTreeSet;
use std::path::Path;

/// The SDK client fields of `Aws` and the IAM action prefix of each.
const SERVICES: [(&str, &str); 11] = [
    ("acm", "acm"),
    ("autoscaling", "application-autoscaling"),
    ("cloudwatch", "cloudwatch"),
    ("ec2", "ec2"),
    ("ecr", "ecr"),
    ("ecs", "ecs"),
    ("elbv2", "elasticloadbalancing"),
    ("iam", "iam"),
    ("logs", "logs"),
    ("route53", "route53"),
    ("sts", "sts"),
];

/// `create_service` → `CreateService`.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `iam:CreateRole` for every `.iam.create_role()` in `src/aws/` (whitespace
/// removed first, so builder chains across lines count).
fn called_actions() -> BTreeSet<String> {
    let mut actions = BTreeSet::new();
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/aws");
    for file in std::fs::read_dir(folder).expect("src/aws") {
        let path = file.expect("a file").path();
        // Readying an emulator is a command for a workshop, never sent to
        // AWS: the instance's role needs none of its actions.
        if path.ends_with("emulator.rs") {
            continue;
        }
        let source = std::fs::read_to_string(path).expect("source");
        let compact: String = source.chars().filter(|c| !c.is_whitespace()).collect();
        for (field, prefix) in SERVICES {
            let needle = format!(".{field}.");
            for (at, _) in compact.match_indices(&needle) {
                let rest = &compact[at + needle.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() && rest[name.len()..].starts_with("()") {
                    actions.insert(format!("{prefix}:{}", pascal(&name)));
                }
            }
        }
    }
    actions
}

fn allowed_actions() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/iam-policy.json");
    let policy: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("docs/iam-policy.json"))
            .expect("the policy is JSON");
    let mut allowed = BTreeSet::new();
    for statement in policy["Statement"].as_array().expect("statements") {
        assert_eq!(statement["Effect"], "Allow");
        match &statement["Action"] {
            serde_json::Value::String(one) => {
                allowed.insert(one.clone());
            }
            serde_json::Value::Array(many) => {
                allowed.extend(
                    many.iter()
                        .map(|a| a.as_str().expect("an action").to_string()),
                );
            }
            other => panic!("an Action that is neither a string nor a list: {other}"),
        }
    }
    allowed
}

#[test]
fn the_documented_policy_allows_every_call_the_app_makes() {
    let called = called_actions();
    assert!(called.len() > 40, "the scan found too little: {called:?}");
    assert!(called.contains("ecs:CreateService") && called.contains("iam:CreateRole"));
    let allowed = allowed_actions();
    // GetCallerIdentity needs no permission.
    let missing: Vec<&String> = called
        .iter()
        .filter(|a| *a != "sts:GetCallerIdentity" && !allowed.contains(*a))
        .collect();
    assert!(missing.is_empty(), "docs/iam-policy.json lacks {missing:?}");
    // Sent on StopServiceDeployment's pipeline, so the scan cannot see it.
    assert!(allowed.contains("ecs:ContinueServiceDeployment"));
    // Nothing is allowed with a wildcard action.
    assert!(allowed.iter().all(|a| !a.contains('*')), "{allowed:?}");
    // Passing a role is only to ECS tasks.
    assert!(allowed.contains("iam:PassRole"));
}
