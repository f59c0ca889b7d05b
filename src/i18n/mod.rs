//! UI text in English and Japanese. Both catalogs have the same keys (a test
//! checks); `{name}` in a message is filled from the arguments given.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ja];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().split(['-', '_']).next() {
            Some("en") => Some(Lang::En),
            Some("ja") => Some(Lang::Ja),
            _ => None,
        }
    }

    /// The first supported language in an Accept-Language header, by weight.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut choices: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let lang = Lang::from_code(pieces.next()?)?;
                let weight = pieces
                    .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                    .unwrap_or(1.0);
                Some((weight, lang))
            })
            .collect();
        choices.sort_by(|a, b| b.0.total_cmp(&a.0));
        choices.first().map_or(Lang::En, |c| c.1)
    }

    /// The language's own name, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ja => "日本語",
        }
    }
}

pub struct Catalog(HashMap<&'static str, &'static str>);

impl Catalog {
    fn parse(text: &'static str) -> Self {
        Self(
            text.lines()
                .filter(|line| !line.trim_start().starts_with('#'))
                .filter_map(|line| line.split_once(" = "))
                .map(|(key, value)| (key.trim(), value.trim()))
                .collect(),
        )
    }

    pub fn keys(&self) -> impl Iterator<Item = &&'static str> {
        self.0.keys()
    }

    pub fn get(&self, key: &str) -> Option<&'static str> {
        self.0.get(key).copied()
    }
}

static EN: LazyLock<Catalog> = LazyLock::new(|| Catalog::parse(include_str!("en.txt")));
static JA: LazyLock<Catalog> = LazyLock::new(|| Catalog::parse(include_str!("ja.txt")));

pub fn catalog(lang: Lang) -> &'static Catalog {
    match lang {
        Lang::En => &EN,
        Lang::Ja => &JA,
    }
}

/// The translator handed to every view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// A message; a missing key shows itself, so it is seen and fixed.
    pub fn t<'k>(&self, key: &'k str) -> &'k str {
        catalog(self.lang)
            .get(key)
            .or_else(|| catalog(Lang::En).get(key))
            .unwrap_or(key)
    }

    /// Whether the catalogs hold `key`.
    pub fn has(&self, key: &str) -> bool {
        catalog(Lang::En).get(key).is_some()
    }

    /// A role's name (`viewer`, `閲覧者`…).
    pub fn role(&self, role: crate::model::access::Role) -> String {
        self.t(&format!("role.{}", role.as_str())).to_string()
    }

    /// What an AWS operation does, for people ("Create the target group").
    pub fn operation(&self, operation: crate::model::operation::Operation) -> String {
        self.t(&operation.label()).to_string()
    }

    pub fn fmt(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut text = self.t(key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

#[cfg(test)]
mod tests;
