use std::collections::BTreeSet;

use super::*;

fn keys(lang: Lang) -> BTreeSet<&'static str> {
    catalog(lang).keys().copied().collect()
}

#[test]
fn both_catalogs_have_the_same_keys() {
    let en = keys(Lang::En);
    let ja = keys(Lang::Ja);
    assert!(
        en.len() > 100,
        "the English catalog did not parse: {} keys",
        en.len()
    );
    assert_eq!(
        en.difference(&ja).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "missing in ja.txt"
    );
    assert_eq!(
        ja.difference(&en).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "missing in en.txt"
    );
}

#[test]
fn every_operation_has_its_words_in_both_catalogs() {
    for operation in crate::model::operation::Operation::ALL {
        for lang in [Lang::En, Lang::Ja] {
            assert!(
                catalog(lang).get(operation.label().as_str()).is_some(),
                "{} in {lang:?}",
                operation.label()
            );
        }
    }
}

#[test]
fn both_catalogs_use_the_same_placeholders() {
    let placeholders = |text: &str| -> BTreeSet<String> {
        text.split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}'))
            .map(|(name, _)| name.to_string())
            .collect()
    };
    for key in keys(Lang::En) {
        let en = catalog(Lang::En).get(key).unwrap_or_default();
        let ja = catalog(Lang::Ja).get(key).unwrap_or_default();
        assert_eq!(placeholders(en), placeholders(ja), "{key}");
    }
}

/// Every key a template or the code asks for exists.
#[test]
fn every_key_used_is_in_the_catalog() {
    let en = keys(Lang::En);
    let mut sources = Vec::new();
    collect(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")),
        &mut sources,
    );
    collect(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut sources,
    );
    let mut missing = BTreeSet::new();
    for text in &sources {
        for quoted in text.split('"').skip(1).step_by(2) {
            let looks_like_key = quoted.contains('.')
                && quoted
                    .split('.')
                    .next()
                    .is_some_and(|p| KEY_PREFIXES.contains(&p))
                && quoted
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
            if looks_like_key && !en.contains(quoted) {
                missing.insert(quoted.to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys used but not in en.txt: {missing:?}"
    );
}

const KEY_PREFIXES: [&str; 10] = [
    "v", "f", "h", "ui", "step", "nav", "err", "awserr", "imp", "opt",
];

fn collect(dir: &std::path::Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "html" || e == "rs")
            && !path.ends_with("i18n/tests.rs")
        {
            out.push(std::fs::read_to_string(path).unwrap_or_default());
        }
    }
}

#[test]
fn accept_language_picks_the_first_supported_by_weight() {
    assert_eq!(Lang::from_accept_language("ja,en-US;q=0.9"), Lang::Ja);
    assert_eq!(
        Lang::from_accept_language("fr-FR, en;q=0.5, ja;q=0.8"),
        Lang::Ja
    );
    assert_eq!(Lang::from_accept_language("de"), Lang::En);
    assert_eq!(Lang::from_accept_language(""), Lang::En);
}

#[test]
fn messages_fill_their_arguments() {
    let tr = Tr::new(Lang::En);
    assert_eq!(
        tr.fmt("v.range", &[("min", "1".into()), ("max", "10".into())]),
        "Enter a number from 1 to 10."
    );
    assert_eq!(tr.t("no.such.key"), "no.such.key");
}
