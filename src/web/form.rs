//! A posted form as name → value pairs. Rows are numbered in their names
//! (`containerDefinitions.0.portMappings.1.containerPort`), the same paths
//! validation reports, so a message lands beside its field.

use std::collections::{BTreeMap, BTreeSet};

use crate::aws::Connection;
use crate::model::role::Scope;
use crate::model::task_definition::Tag;
use crate::model::validate::Issue;

/// Sorted by name, so a field is found, and a list's rows are enumerated, in
/// logarithmic time: decoding a form is linear in its size, however many
/// rows it posts.
pub struct FormData {
    fields: BTreeMap<String, String>,
    /// Values that did not parse (a number field holding text).
    pub issues: Vec<Issue>,
}

impl FormData {
    /// A name posted twice keeps its last value, as a browser's last field wins.
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self {
            fields: pairs.into_iter().collect(),
            issues: Vec::new(),
        }
    }

    pub fn raw(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    pub fn text(&self, name: &str) -> String {
        self.raw(name).unwrap_or_default().trim().to_string()
    }

    /// None for an empty field.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|t| !t.is_empty())
    }

    pub fn checked(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    /// A whole number, or None when empty; text is reported beside the field.
    pub fn int(&mut self, name: &str) -> Option<i64> {
        let text = self.text(name);
        if text.is_empty() {
            return None;
        }
        match text.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.issues.push(Issue::error(name, "v.whole_number"));
                None
            }
        }
    }

    /// A number with a fraction (a percentage), or None when empty; text
    /// is reported beside the field.
    pub fn number(&mut self, name: &str) -> Option<f64> {
        let text = self.text(name);
        if text.is_empty() {
            return None;
        }
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                self.issues.push(Issue::error(name, "v.number"));
                None
            }
        }
    }

    /// The row numbers present under `prefix` (e.g. `tags.`), in order.
    pub fn rows(&self, prefix: &str) -> Vec<usize> {
        let rows: BTreeSet<usize> = self
            .fields
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .map(|(key, _)| key)
            .take_while(|key| key.starts_with(prefix))
            .filter_map(|key| key.strip_prefix(prefix)?.split('.').next()?.parse().ok())
            .collect();
        rows.into_iter().collect()
    }

    /// The names under `prefix`, without it: checkboxes named after what
    /// they choose (`subnet.subnet-0a1b2c3d`).
    pub fn names_under(&self, prefix: &str) -> Vec<String> {
        self.fields
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .map(|(key, _)| key)
            .take_while(|key| key.starts_with(prefix))
            .filter_map(|key| key.strip_prefix(prefix))
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn action(&self) -> Action {
        Action::parse(self.raw("action").unwrap_or("next"))
    }
}

/// `?v=`: the version of the draft a form was built from.
#[derive(Debug, serde::Deserialize)]
pub struct FormVersion {
    #[serde(default)]
    pub v: Option<i64>,
}

/// A checkbox among several: a subnet, a security group, an alarm.
pub struct Pick {
    pub name: String,
    pub label: String,
    pub detail: String,
    pub checked: bool,
}

/// What the pressed button asks for. Add/remove buttons name a list by its
/// path (`containerDefinitions.0.environment`) and, to remove, a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Next,
    Back,
    Save,
    Add(String),
    Remove(String, usize),
    /// Saves, then leaves for another page the form names (`go:WHERE`),
    /// such as the role wizard; what was typed is kept.
    Go(String),
}

impl Action {
    pub fn parse(text: &str) -> Self {
        match text.split_once(':') {
            Some(("add", list)) => Action::Add(list.to_string()),
            Some(("go", place)) => Action::Go(place.to_string()),
            Some(("remove", target)) => match target
                .rsplit_once('.')
                .and_then(|(l, i)| Some((l, i.parse().ok()?)))
            {
                Some((list, index)) => Action::Remove(list.to_string(), index),
                None => Action::Save,
            },
            _ => match text {
                "back" => Action::Back,
                "save" => Action::Save,
                _ => Action::Next,
            },
        }
    }
}

/// Comma-separated like the console (`CMD-SHELL, curl -f … || exit 1`), or a
/// JSON array when an item itself holds a comma.
pub fn split_list(text: &str) -> Vec<String> {
    let text = text.trim();
    if text.starts_with('[')
        && let Ok(items) = serde_json::from_str::<Vec<String>>(text)
    {
        return items;
    }
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn join_list(items: &[String]) -> String {
    if items.iter().any(|i| i.contains(',')) {
        serde_json::to_string(items).unwrap_or_default()
    } else {
        items.join(", ")
    }
}

/// Draft ids are 32 hex digits; anything else is not found without a query.
pub fn is_draft_id(id: &str) -> bool {
    id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit())
}

/// A `<select>` option.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn list(options: &[(&str, &str)], current: &str) -> Vec<Choice> {
        options
            .iter()
            .map(|(value, label)| Choice {
                value: value.to_string(),
                label: label.to_string(),
                selected: *value == current,
            })
            .collect()
    }
}

/// Where the app acts: turns names into ARNs and picks the partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub partition: String,
    /// None in preview mode.
    pub account: Option<String>,
    pub region: String,
}

impl Context {
    pub fn of(connection: &Connection) -> Self {
        let (partition, account) = match connection {
            Connection::Connected { identity, .. } => (
                identity.arn.split(':').nth(1).unwrap_or("aws").to_string(),
                Some(identity.account.clone()),
            ),
            Connection::PreviewOnly { .. } => ("aws".to_string(), None),
        };
        Self {
            partition,
            account,
            region: connection.region().unwrap_or_default().to_string(),
        }
    }

    pub fn scope(&self) -> Option<Scope> {
        Some(Scope {
            partition: self.partition.clone(),
            account: self.account.clone()?,
            region: self.region.clone(),
        })
    }
}

/// A tags list's row as a form shows it: field prefix, remove button, values.
pub struct TagRow {
    pub p: String,
    pub remove: String,
    pub key: String,
    pub value: String,
}

pub fn tag_rows(tags: &[Tag]) -> Vec<TagRow> {
    tags.iter()
        .enumerate()
        .map(|(i, t)| TagRow {
            p: format!("tags.{i}."),
            remove: format!("remove:tags.{i}"),
            key: t.key.clone(),
            value: t.value.clone(),
        })
        .collect()
}

/// Reads `name.0.key`/`name.0.value` rows as tags.
pub fn decode_tags(form: &FormData) -> Vec<Tag> {
    form.rows("tags.")
        .into_iter()
        .map(|i| Tag {
            key: form.text(&format!("tags.{i}.key")),
            value: form.text(&format!("tags.{i}.value")),
        })
        .collect()
}

/// One line per item, or commas: how a list of ARNs is typed.
pub fn split_lines(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_found_by_prefix() {
        let form = FormData::new(vec![
            ("tags.0.key".into(), "a".into()),
            ("tags.3.key".into(), "b".into()),
            ("tags.x.key".into(), "c".into()),
            (
                "containerDefinitions.1.environment.0.name".into(),
                "d".into(),
            ),
        ]);
        assert_eq!(form.rows("tags."), vec![0, 3]);
        assert_eq!(form.rows("containerDefinitions."), vec![1]);
        assert_eq!(form.rows("containerDefinitions.1.environment."), vec![0]);
    }

    #[test]
    fn the_last_of_a_repeated_field_wins() {
        let form = FormData::new(vec![("a".into(), "1".into()), ("a".into(), "2".into())]);
        assert_eq!(form.raw("a"), Some("2"));
        assert!(form.checked("a") && !form.checked("b"));
    }

    #[test]
    fn numbers_that_are_not_numbers_are_reported() {
        let mut form = FormData::new(vec![
            ("cpu".into(), "lots".into()),
            ("memory".into(), " 512 ".into()),
        ]);
        assert_eq!(form.int("memory"), Some(512));
        assert_eq!(form.int("cpu"), None);
        assert_eq!(form.issues[0].path, "cpu");
    }

    #[test]
    fn actions_name_a_list_and_a_row() {
        assert_eq!(
            Action::parse("add:containerDefinitions"),
            Action::Add("containerDefinitions".into())
        );
        assert_eq!(
            Action::parse("remove:containerDefinitions.0.environment.2"),
            Action::Remove("containerDefinitions.0.environment".into(), 2)
        );
        assert_eq!(Action::parse("remove:garbage"), Action::Save);
        assert_eq!(Action::parse("back"), Action::Back);
        assert_eq!(Action::parse("anything"), Action::Next);
    }

    #[test]
    fn lists_read_like_the_console() {
        assert_eq!(
            split_list("CMD-SHELL, curl -f http://localhost/ || exit 1"),
            ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]
        );
        assert_eq!(
            split_list(r#"["sh", "-c", "echo a,b"]"#),
            ["sh", "-c", "echo a,b"]
        );
        assert_eq!(
            join_list(&["sh".into(), "-c".into(), "echo a,b".into()]),
            r#"["sh","-c","echo a,b"]"#
        );
        assert_eq!(join_list(&["CMD".into(), "true".into()]), "CMD, true");
        assert!(split_list("  ").is_empty());
    }

    #[test]
    fn lists_are_split_on_lines_and_commas() {
        assert_eq!(split_lines(" a\r\nb, c\n\n"), ["a", "b", "c"]);
        assert!(split_lines("  ").is_empty());
    }

    #[test]
    fn tags_are_read_from_their_rows() {
        let form = FormData::new(vec![
            ("tags.0.key".into(), " Name ".into()),
            ("tags.0.value".into(), "web".into()),
            ("tags.2.key".into(), "env".into()),
        ]);
        let tags = decode_tags(&form);
        assert_eq!(tags.len(), 2);
        assert_eq!(
            (tags[0].key.as_str(), tags[0].value.as_str()),
            ("Name", "web")
        );
        assert_eq!(tags[1].value, "");
    }
}
