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
        for issue in issues {
            messages.errors += usize::from(issue.is_error());
            if issue.is_error() {
                messages
                    .summary
                    .push((issue.path.clone(), translate(tr, issue)));
            }
            messages
                .by_path
                .entry(issue.path.clone())
                .or_default()
                .push(FieldMessage {
                    text: translate(tr, issue),
                    class: if issue.is_error() { "error" } else { "warning" },
                });
        }
        messages
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

pub fn translate(tr: Tr, issue: &Issue) -> String {
    tr.fmt(issue.key, &issue.args)
}
