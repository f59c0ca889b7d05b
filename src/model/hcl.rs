//! Writing Terraform (HCL): string literals, JSON values as HCL expressions,
//! nested blocks, resource names. Shared by every resource's export.

use serde_json::Value;

pub fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Objects become nested blocks; maps the provider takes as attributes stay maps.
pub fn block(name: &str, value: &Value, depth: usize) -> String {
    const MAP_ATTRIBUTES: [&str; 3] = ["driverOpts", "labels", "properties"];
    let indent = "  ".repeat(depth);
    let mut out = format!("\n{indent}{name} {{\n");
    let mut nested = String::new();
    if let Value::Object(fields) = value {
        for (key, field) in fields {
            match field {
                Value::Object(_) if !MAP_ATTRIBUTES.contains(&key.as_str()) => {
                    nested.push_str(&block(&snake_case(key), field, depth + 1));
                }
                _ => out.push_str(&format!(
                    "{indent}  {} = {}\n",
                    snake_case(key),
                    hcl_value(field, depth + 1)
                )),
            }
        }
    }
    out.push_str(&nested);
    out.push_str(&format!("{indent}}}\n"));
    out
}

/// A JSON value written as an HCL expression (for `jsonencode`).
pub fn hcl_value(value: &Value, depth: usize) -> String {
    let indent = "  ".repeat(depth);
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Array(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|item| format!("{indent}  {}", hcl_value(item, depth + 1)))
                .collect();
            format!("[\n{},\n{indent}]", inner.join(",\n"))
        }
        Value::Object(fields) if fields.is_empty() => "{}".into(),
        Value::Object(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|(key, field)| {
                    format!(
                        "{indent}  {} = {}",
                        hcl_key(key),
                        hcl_value(field, depth + 1)
                    )
                })
                .collect();
            format!("{{\n{}\n{indent}}}", inner.join("\n"))
        }
    }
}

fn hcl_key(key: &str) -> String {
    let bare = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if bare { key.to_string() } else { quote(key) }
}

/// An HCL string literal: JSON escaping, plus `${` and `%{` which HCL would interpolate.
pub fn quote(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_default();
    json.replace("${", "$${").replace("%{", "%%{")
}

pub fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|i| quote(i))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A Terraform resource name made from `name`: letters, digits and `_`, starting
/// with a letter (`prefix` is put in front when it would not).
pub fn resource_label(name: &str, prefix: &str) -> String {
    let label: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    match label.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => label,
        _ => format!("{prefix}_{label}"),
    }
}

/// `${CreateTargetGroup.TargetGroupArn}` → `var.create_target_group_target_group_arn`:
/// a variable to set, when the service is declared on its own.
pub fn as_variable(reference: &str) -> String {
    let inner = reference.trim_start_matches("${").trim_end_matches('}');
    let mut name = String::from("var.");
    for (i, c) in inner.chars().enumerate() {
        if c == '.' {
            name.push('_');
        } else if c.is_ascii_uppercase() {
            let after_separator = name.ends_with('_') || name.ends_with('.');
            if i > 0 && !after_separator {
                name.push('_');
            }
            name.push(c.to_ascii_lowercase());
        } else {
            name.push(c);
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_labels_are_valid_identifiers() {
        assert_eq!(resource_label("web-app", "td"), "web_app");
        assert_eq!(resource_label("1st", "td"), "td_1st");
        assert_eq!(resource_label("/ecs/example", "log"), "log__ecs_example");
    }

    #[test]
    fn strings_do_not_interpolate() {
        assert_eq!(quote("${x} %{y} \"z\""), r#""$${x} %%{y} \"z\"""#);
    }
}
