//! Validation issues, translated and filed under the field they belong to.

use std::collections::HashMap;

use crate::i18n::Tr;
use crate::model::validate::Issue;

pub struct FieldMessage {
    pub text: String,
    /// `error` or `warning`, used as the CSS class.
    pub class: &'static str,
}

#[derive(Default)]
pub struct Messages {
    by_path: HashMap<String, Vec<FieldMessage>>,
    errors: usize,
    /// Each error with the path of its field, in the order found: the
    /// summary at the top of the form links each to its field.
    summary: Vec<(String, String)>,
}

impl Messages {
    pub fn new(tr: Tr, issues: &[Issue]) -> Self {
        let mut messages = Self::default();
        messages.add(tr, issues);
        messages
    }

    /// Files more issues: what only the account's facts tell, found once
    /// the form has read them.
    pub fn add(&mut self, tr: Tr, issues: &[Issue]) {
        for issue in issues {
            self.errors += usize::from(issue.is_error());
            if issue.is_error() {
                // The summary is read away from the fields: each line says
                // which field, and says it once.
                let text = match issue.path.as_str() {
                    "" => translate(tr, issue),
                    path => format!("{}: {}", field_name(tr, path), translate(tr, issue)),
                };
                let line = (issue.path.clone(), text);
                if !self.summary.contains(&line) {
                    self.summary.push(line);
                }
            }
            self.by_path
                .entry(issue.path.clone())
                .or_default()
                .push(FieldMessage {
                    text: translate(tr, issue),
                    class: if issue.is_error() { "error" } else { "warning" },
                });
        }
    }

    pub fn of(&self, path: &str) -> &[FieldMessage] {
        self.by_path.get(path).map_or(&[], Vec::as_slice)
    }

    /// Messages for `prefix` + `field`, for rows whose paths are built at run time.
    pub fn at(&self, prefix: &str, field: &str) -> &[FieldMessage] {
        self.of(&format!("{prefix}{field}"))
    }

    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// (field id, message) of each error; the id is the field's path, or
    /// `error-summary` for an error of the whole form.
    pub fn summary(&self) -> Vec<(String, &str)> {
        self.summary
            .iter()
            .map(|(path, text)| {
                let target = if path.is_empty() {
                    "error-summary".to_string()
                } else {
                    path.clone()
                };
                (target, text.as_str())
            })
            .collect()
    }
}

/// A field's path in words, as its label says it:
/// `containerDefinitions.0.portMappings.1.containerPort` →
/// "Container 1 › Port mappings 2 › Container port". A name the catalogs
/// do not hold is shown as it is.
pub fn field_name(tr: Tr, path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let mut words = Vec::new();
    let mut parent = "";
    let mut i = 0;
    while i < parts.len() {
        let part = parts[i];
        if let Some(row) = parts.get(i + 1).and_then(|p| p.parse::<usize>().ok()) {
            let list = LISTS
                .iter()
                .find(|(name, _)| *name == part)
                .map_or(part, |(_, key)| tr.t(key));
            words.push(format!("{list} {}", row + 1));
            parent = part;
            i += 2;
            continue;
        }
        words.push(label(tr, parent, part));
        parent = part;
        i += 1;
    }
    words.join(" › ")
}

/// Lists whose rows are numbered, by the catalog key of their legend.
const LISTS: [(&str, &str); 8] = [
    ("containerDefinitions", "ui.container"),
    ("portMappings", "ui.port_mappings"),
    ("environment", "ui.environment"),
    ("secrets", "ui.secrets"),
    ("tags", "ui.tags"),
    ("volumes", "ui.volumes"),
    ("mountPoints", "ui.mount_points"),
    ("inline", "ui.inline_policies"),
];

/// Fields whose label's key is not their name's (a container's `name`).
const LABELS: [(&str, &str, &str); 18] = [
    ("containerDefinitions", "name", "f.container_name"),
    ("containerDefinitions", "cpu", "f.container_cpu"),
    ("containerDefinitions", "memory", "f.memory_hard"),
    ("containerDefinitions", "memoryReservation", "f.memory_soft"),
    ("portMappings", "name", "f.port_name"),
    ("environment", "name", "f.key"),
    ("secrets", "name", "f.key"),
    ("", "executionRoleArn", "f.execution_role"),
    ("", "taskRoleArn", "f.task_role"),
    ("", "desiredCount", "f.desired_tasks"),
    ("", "healthCheckGracePeriodSeconds", "f.grace_period"),
    ("targetGroup", "name", "f.target_group_name"),
    ("inline", "name", "f.policy_name"),
    ("inline", "document", "f.policy_document"),
    ("loadBalancer", "certificateArn", "f.certificate"),
    ("", "autoScaling", "ui.auto_scaling"),
    ("autoScaling", "target", "f.scaling_target"),
    ("autoScaling", "metric", "f.scaling_metric"),
];

fn label(tr: Tr, parent: &str, part: &str) -> String {
    let listed = LABELS
        .iter()
        .find(|(p, name, _)| *name == part && (p.is_empty() || *p == parent))
        .map(|(_, _, key)| key.to_string());
    let nested = (!parent.is_empty()).then(|| format!("f.{}_{}", snake(parent), snake(part)));
    let candidates = listed
        .into_iter()
        .chain(nested)
        .chain([format!("f.{}", snake(part))]);
    for key in candidates {
        if tr.has(&key) {
            return tr.t(&key).to_string();
        }
    }
    part.to_string()
}

/// `containerPort` → `container_port`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '-' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

pub fn translate(tr: Tr, issue: &Issue) -> String {
    tr.fmt(issue.key, &issue.args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_fields_path_reads_as_its_label() {
        let en = Tr::new(Lang::En);
        assert_eq!(
            field_name(en, "containerDefinitions.0.portMappings.1.containerPort"),
            "Container 1 › Port mappings 2 › Container port"
        );
        assert_eq!(
            field_name(en, "containerDefinitions.1.name"),
            "Container 2 › Name"
        );
        assert_eq!(field_name(en, "family"), "Task definition family");
        assert_eq!(
            field_name(en, "loadBalancer.targetGroup.name"),
            "Load balancer › Target group › Target group name"
        );
        assert_eq!(
            field_name(en, "autoScaling.maxTasks"),
            "Service auto scaling › Maximum number of tasks"
        );
        assert_eq!(
            field_name(en, "autoScaling.target"),
            "Service auto scaling › Target value"
        );
        assert_eq!(
            field_name(en, "loadBalancer.certificateArn"),
            "Load balancer › Certificate (ACM)"
        );
        assert_eq!(field_name(en, "ruleHosts"), "Host header");
        assert_eq!(field_name(en, "executionRoleArn"), "Task execution role");
        assert_eq!(
            field_name(en, "inline.0.document"),
            "Inline policies 1 › Policy document (JSON)"
        );
        assert_eq!(field_name(en, "somethingNew"), "somethingNew");
        let ja = Tr::new(Lang::Ja);
        assert_eq!(
            field_name(ja, "containerDefinitions.0.image"),
            "コンテナ 1 › イメージ URI"
        );
    }

    #[test]
    fn the_summary_names_each_field_and_says_each_thing_once() {
        let issues = [
            Issue::error("containerDefinitions.0.name", "v.required"),
            Issue::error("containerDefinitions.0.image", "v.required"),
            Issue::error("containerDefinitions.0.image", "v.required"),
            Issue::error("", "v.no_essential"),
        ];
        let messages = Messages::new(Tr::new(Lang::En), &issues);
        let summary: Vec<String> = messages
            .summary()
            .into_iter()
            .map(|(_, t)| t.to_string())
            .collect();
        assert_eq!(summary.len(), 3, "{summary:?}");
        assert!(
            summary[0].starts_with("Container 1 › Name: "),
            "{summary:?}"
        );
        assert!(
            summary[1].starts_with("Container 1 › Image URI: "),
            "{summary:?}"
        );
        assert_eq!(summary[2], Tr::new(Lang::En).t("v.no_essential"));
    }
}
