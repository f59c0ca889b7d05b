//! The audit log's values: what is kept of each AWS call a change sends,
//! with secret-looking values masked before anything is written.
//!
//! Bodies are the wire bodies the SDK sent and received: JSON for ECS, ECR
//! and CloudWatch Logs, form pairs for IAM, EC2 and ELB (whose answers are
//! XML). Masking walks them without recursion, so a deep body costs a loop,
//! not the stack.

use serde_json::Value;

use super::revision::looks_secret;

/// What stands in for a masked value.
pub const MASK: &str = "****";
/// A request or answer is kept up to this many bytes (a task definition
/// with every field is ~30 KB; the log is for who did what, not a backup).
pub const MAX_BODY: usize = 16 * 1024;

/// One call as the interceptor saw it leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSent {
    pub entry_id: i64,
    /// Ties the answer to its call.
    pub call_key: u64,
    pub service: String,
    pub operation: String,
    /// The name of what the call changes (`roleName`, `serviceName`…).
    pub resource: String,
    /// The body as sent, masked.
    pub request: String,
}

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallAnswered {
    pub call_key: u64,
    /// `ok`, or AWS's error code (or the SDK's, when AWS never answered).
    pub outcome: String,
    /// 0 when no HTTP answer came.
    pub http_status: u16,
    /// AWS's answer, masked, or the error's words.
    pub answer: String,
}

/// What the interceptor hands the log, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    Sent(CallSent),
    Answered(CallAnswered),
}

/// A body ready for the log: masked, and cut at `MAX_BODY`.
pub fn masked_body(body: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(body) else {
        return format!("({} bytes, not text)", body.len());
    };
    let trimmed = text.trim_start();
    let masked = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        match serde_json::from_str::<Value>(text) {
            Ok(mut value) => {
                mask_json(&mut value);
                value.to_string()
            }
            Err(_) => text.to_string(),
        }
    } else if trimmed.starts_with('<') {
        // IAM, EC2 and ELB answers echo what was sent, tags included.
        mask_xml(text)
    } else {
        mask_form(text)
    };
    cut(masked)
}

fn cut(mut text: String) -> String {
    if text.len() > MAX_BODY {
        let mut end = MAX_BODY;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(" …(cut)");
    }
    text
}

/// Masks, anywhere in `value`:
/// - `{"name": "DB_PASSWORD", "value": "…"}` (environment entries, tags),
///   in any case: ECR's tags are `{"Key": …, "Value": …}`;
/// - a string under a key that looks secret (`password`, `authToken`…),
///   except names, ids, ARNs and types, which only name a secret.
///
/// A value that is an ARN is kept wherever it is.
pub fn mask_json(value: &mut Value) {
    let mut stack = vec![value];
    while let Some(next) = stack.pop() {
        match next {
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(map) => {
                let secret_pair = map.iter().any(|(key, named)| {
                    (key.eq_ignore_ascii_case("name") || key.eq_ignore_ascii_case("key"))
                        && named.as_str().is_some_and(looks_secret)
                });
                for (key, field) in map.iter_mut() {
                    let masks =
                        (secret_pair && key.eq_ignore_ascii_case("value")) || secret_key(key);
                    match field {
                        Value::String(text) if masks && !text.is_empty() && !is_arn(text) => {
                            *text = MASK.to_string();
                        }
                        Value::Array(_) | Value::Object(_) => stack.push(field),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// An ARN names a secret (Secrets Manager, SSM); it is not one.
fn is_arn(text: &str) -> bool {
    text.starts_with("arn:")
}

/// A key whose value is a secret itself, not the name of one.
fn secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    // A tag's `key` is its name.
    if lower == "key" {
        return false;
    }
    let names_one = ["name", "id", "arn", "type", "from", "valuefrom", "keyid"]
        .iter()
        .any(|end| lower.ends_with(end));
    looks_secret(key) && !names_one
}

/// Form pairs (`Action=CreateRole&RoleName=…`): a value is masked when its
/// key looks secret, or when it is the `.Value` beside a secret-looking
/// `.Key`/`.Name` (`Tags.member.1.Key=API_TOKEN`).
pub fn mask_form(text: &str) -> String {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect();
    let secret_prefixes: Vec<String> = pairs
        .iter()
        .filter(|(key, value)| {
            (key.ends_with(".Key") || key.ends_with(".Name")) && looks_secret(value)
        })
        .filter_map(|(key, _)| key.rsplit_once('.').map(|(prefix, _)| prefix.to_string()))
        .collect();
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, value) in &pairs {
        let last = key.rsplit('.').next().unwrap_or(key);
        let beside_secret = key
            .strip_suffix(".Value")
            .is_some_and(|prefix| secret_prefixes.iter().any(|p| p == prefix));
        if (secret_key(last) || beside_secret) && !value.is_empty() && !is_arn(value) {
            out.append_pair(key, MASK);
        } else {
            out.append_pair(key, value);
        }
    }
    out.finish()
}

/// XML answers: a leaf element's text is masked when its name looks secret,
/// or when it is a `Value` right after a `Key`/`Name` that looks secret
/// (`<Key>API_TOKEN</Key><Value>…</Value>`, EC2's lowercase too). One pass
/// over the text, no parser.
pub fn mask_xml(text: &str) -> String {
    let pieces: Vec<&str> = text.split('<').collect();
    let mut out = String::with_capacity(text.len());
    let mut previous: Option<(&str, &str)> = None;
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            out.push('<');
        }
        let closes_next = pieces.get(i + 1).is_some_and(|next| next.starts_with('/'));
        let leaf = piece.split_once('>').filter(|(tag, content)| {
            closes_next
                && !content.is_empty()
                && !tag.ends_with('/')
                && !tag.starts_with(['/', '?', '!'])
        });
        let Some((tag, content)) = leaf else {
            out.push_str(piece);
            continue;
        };
        let name = tag.split_whitespace().next().unwrap_or(tag);
        let beside_secret = name.eq_ignore_ascii_case("value")
            && previous.is_some_and(|(before, said)| {
                (before.eq_ignore_ascii_case("key") || before.eq_ignore_ascii_case("name"))
                    && looks_secret(said)
            });
        let masks = (beside_secret || secret_key(name)) && !is_arn(content);
        out.push_str(tag);
        out.push('>');
        out.push_str(if masks { MASK } else { content });
        previous = Some((name, content));
    }
    out
}

/// Keys that name what a call changes, most specific first.
const RESOURCE_KEYS: &[&str] = &[
    "serviceName",
    "service",
    "family",
    "taskDefinition",
    "repositoryName",
    "logGroupName",
    "clusterName",
    "cluster",
    "roleName",
    "RoleName",
    "Name",
    "GroupName",
    "GroupId",
    "LoadBalancerArn",
    "TargetGroupArn",
    "ListenerArn",
    "RuleArn",
];

/// The name of what a request body changes, or "" when it names none.
pub fn resource_of(body: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(body) else {
        return String::new();
    };
    if text.trim_start().starts_with('{') {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) else {
            return String::new();
        };
        RESOURCE_KEYS
            .iter()
            .find_map(|key| map.get(*key).and_then(Value::as_str))
            .unwrap_or_default()
            .to_string()
    } else {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(text.as_bytes())
            .into_owned()
            .collect();
        RESOURCE_KEYS
            .iter()
            .find_map(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
            .unwrap_or_default()
    }
}

/// A CSV cell a spreadsheet will not run: text starting with `=`, `+`, `-`,
/// `@`, tab or carriage return is prefixed with `'`.
pub fn csv_safe(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// The first second of a day written `2026-11-30` (UTC), as Unix seconds.
pub fn day_start(text: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(text.trim(), &format).ok()?;
    Some(day.midnight().assume_utc().unix_timestamp())
}

/// The time of the day after `day_start(text)`: an "until" date includes its day.
pub fn day_end(text: &str) -> Option<i64> {
    day_start(text).map(|start| start + 24 * 3600)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secret_looking_environment_values_are_masked() {
        let body = json!({
            "family": "web",
            "containerDefinitions": [{
                "name": "app",
                "environment": [
                    {"name": "DB_PASSWORD", "value": "hunter2"},
                    {"name": "PORT", "value": "80"}
                ],
                "secrets": [{"name": "API_TOKEN", "valueFrom": "arn:aws:ssm:x"}],
                "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:y"}
            }]
        });
        let kept = masked_body(body.to_string().as_bytes());
        assert!(!kept.contains("hunter2"), "{kept}");
        assert!(kept.contains(r#""value":"80""#), "{kept}");
        assert!(
            kept.contains(r#""name":"DB_PASSWORD","value":"****""#),
            "{kept}"
        );
        // A reference to a secret is not the secret.
        assert!(kept.contains("arn:aws:ssm:x"), "{kept}");
        assert!(kept.contains("arn:aws:secretsmanager:y"), "{kept}");
    }

    #[test]
    fn tags_are_masked_whatever_the_case_of_their_keys() {
        // ECR's CreateRepository: `Key`/`Value`; ECS: `key`/`value`.
        let body = json!({
            "repositoryName": "web",
            "tags": [
                {"Key": "API_TOKEN", "Value": "supersecret-ecr-tag"},
                {"Key": "team", "Value": "web"}
            ]
        });
        let kept = masked_body(body.to_string().as_bytes());
        assert!(!kept.contains("supersecret-ecr-tag"), "{kept}");
        assert!(
            kept.contains(r#""Key":"API_TOKEN","Value":"****""#),
            "{kept}"
        );
        assert!(kept.contains(r#""Value":"web""#), "{kept}");
        let upper = masked_body(br#"[{"NAME":"DB_PASSWORD","VALUE":"x1"}]"#);
        assert!(!upper.contains("x1"), "{upper}");
    }

    #[test]
    fn secret_keys_are_masked_but_names_of_secrets_are_not() {
        let mut value = json!({"password": "p", "authToken": "t", "secretName": "s", "kmsKeyId": "k",
            "tags": [{"key": "API_KEY", "value": "v"}]});
        mask_json(&mut value);
        assert_eq!(
            value,
            json!({"password": MASK, "authToken": MASK, "secretName": "s", "kmsKeyId": "k",
                "tags": [{"key": "API_KEY", "value": MASK}]})
        );
    }

    #[test]
    fn a_deep_body_is_masked_at_every_depth() {
        let mut value = json!({"name": "API_KEY", "value": "v"});
        for _ in 0..1_000 {
            value = json!([value]);
        }
        mask_json(&mut value);
        let mut inner = &value;
        while let Value::Array(items) = inner {
            inner = &items[0];
        }
        assert_eq!(inner["value"], MASK);
    }

    #[test]
    fn form_pairs_are_masked_by_key_and_beside_a_secret_tag() {
        let text = "Action=CreateRole&RoleName=app&Tags.member.1.Key=API_TOKEN&Tags.member.1.Value=abc&Tags.member.2.Key=team&Tags.member.2.Value=red&Password=x";
        let kept = mask_form(text);
        assert!(kept.contains("RoleName=app"), "{kept}");
        assert!(kept.contains("Tags.member.1.Value=****"), "{kept}");
        assert!(kept.contains("Tags.member.2.Value=red"), "{kept}");
        assert!(kept.contains("Password=****"), "{kept}");
        assert!(!kept.contains("abc"));
    }

    #[test]
    fn bodies_are_cut_and_non_text_is_described() {
        let long = format!("Action=PutThing&Data={}", "a".repeat(MAX_BODY * 2));
        let kept = masked_body(long.as_bytes());
        assert!(kept.len() < MAX_BODY + 20);
        assert!(kept.ends_with("…(cut)"));
        assert_eq!(masked_body(&[0xff, 0xfe]), "(2 bytes, not text)");
        assert_eq!(
            masked_body(b"<CreateRoleResponse/>"),
            "<CreateRoleResponse/>"
        );
    }

    #[test]
    fn xml_answers_are_masked_beside_secret_tags() {
        let iam = "<?xml version=\"1.0\"?><CreateRoleResponse><Role><RoleName>app</RoleName>\
                   <Tags><member><Key>API_TOKEN</Key><Value>abc</Value></member>\
                   <member><Key>team</Key><Value>red</Value></member></Tags></Role></CreateRoleResponse>";
        let kept = masked_body(iam.as_bytes());
        assert!(!kept.contains("abc"), "{kept}");
        assert!(
            kept.contains("<Key>API_TOKEN</Key><Value>****</Value>"),
            "{kept}"
        );
        assert!(kept.contains("<Value>red</Value>") && kept.contains("<RoleName>app</RoleName>"));
        let ec2 = r#"<tagSet><item><key>DB_PASSWORD</key><value>p</value></item></tagSet><password a="1">x</password><empty/>"#;
        assert_eq!(
            mask_xml(ec2),
            r#"<tagSet><item><key>DB_PASSWORD</key><value>****</value></item></tagSet><password a="1">****</password><empty/>"#
        );
    }

    #[test]
    fn the_resource_is_the_most_specific_name() {
        assert_eq!(
            resource_of(br#"{"cluster":"c","serviceName":"web","desiredCount":1}"#),
            "web"
        );
        assert_eq!(
            resource_of(b"Action=CreateRole&RoleName=ecsTaskExecutionRole"),
            "ecsTaskExecutionRole"
        );
        assert_eq!(resource_of(br#"{"family":"app"}"#), "app");
        assert_eq!(resource_of(b"Action=Nothing"), "");
        assert_eq!(resource_of(&[0xff]), "");
    }

    #[test]
    fn dates_are_whole_utc_days() {
        assert_eq!(day_start("2026-11-30"), Some(1_795_996_800));
        assert_eq!(day_end("2026-11-30"), Some(1_795_996_800 + 86_400));
        assert_eq!(day_start("30/11/2026"), None);
        assert_eq!(day_start(""), None);
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("-1+1"), "'-1+1");
        assert_eq!(csv_safe("@cmd"), "'@cmd");
        assert_eq!(csv_safe("web"), "web");
        assert_eq!(csv_safe(""), "");
    }
}
