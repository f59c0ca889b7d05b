//! The rules between layers, read from the source itself: no module imports
//! a module that imports it back (directly or round a loop), `config.rs`
//! imports nothing from `web/`, `model/` reaches no I/O (`aws`, `store`,
//! `deploy`, `web`), and only `aws/` names the AWS SDK, its tests included. A cycle compiles fine in Rust, so only a test keeps
//! them out.
//!
//! A unit is a module two levels down (`web/security`, `model/validate`,
//! `web/error`): files inside one directory module may use each other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn no_module_imports_its_importer() {
    let graph = unit_graph();
    let cycles = strongly_connected(&graph)
        .into_iter()
        .filter(|component| component.len() > 1)
        .collect::<Vec<_>>();
    assert!(cycles.is_empty(), "module cycles: {cycles:?}");
}

#[test]
fn config_imports_nothing_from_web() {
    let graph = unit_graph();
    let web = graph["config"]
        .iter()
        .filter(|to| to.starts_with("web"))
        .collect::<Vec<_>>();
    assert!(web.is_empty(), "config.rs imports {web:?}");
}

#[test]
fn the_model_reaches_no_io() {
    let graph = unit_graph();
    let io = ["aws", "store", "deploy", "web"];
    let reached = graph
        .iter()
        .filter(|(from, _)| from.starts_with("model"))
        .flat_map(|(from, to)| to.iter().map(move |to| (from, to)))
        .filter(|(_, to)| io.iter().any(|layer| is_within(to, layer)))
        .collect::<Vec<_>>();
    assert!(reached.is_empty(), "the model imports {reached:?}");
}

#[test]
fn only_aws_reaches_the_sdk() {
    let sdk = [
        "aws_sdk_",
        "aws_smithy_",
        "aws_config::",
        "aws_credential_types::",
        "aws_types::",
    ];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let outside = rust_files(&src)
        .into_iter()
        .filter(|file| !file.starts_with(src.join("aws")))
        .filter(|file| {
            let text = std::fs::read_to_string(file).expect("readable");
            text.lines()
                .map(|line| line.split("//").next().unwrap_or_default())
                .any(|code| sdk.iter().any(|name| code.contains(name)))
        })
        .collect::<Vec<_>>();
    assert!(
        outside.is_empty(),
        "the AWS SDK named outside src/aws/: {outside:?}"
    );
}

#[test]
fn the_reader_sees_grouped_imports() {
    let paths = use_paths("use crate::web::{error::AppError, page::{Page, lang}};");
    assert_eq!(
        paths,
        [
            "crate::web::error::AppError",
            "crate::web::page::Page",
            "crate::web::page::lang"
        ]
    );
}

fn is_within(unit: &str, layer: &str) -> bool {
    unit == layer || unit.starts_with(&format!("{layer}/"))
}

/// Every module's unit, and the units its non-test code names.
fn unit_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = rust_files(&src)
        .into_iter()
        .map(|file| (module_of(&src, &file), file))
        .collect::<BTreeMap<_, _>>();
    let mut graph = Graph::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).expect("source is readable");
        let code = without_tests_and_comments(&text);
        let from = unit_of(module);
        let edges = graph.entry(from.clone()).or_default();
        for path in named_paths(&code) {
            let Some(target) = resolve(module, &path, &modules) else {
                continue;
            };
            let to = unit_of(&target);
            if to != from && !to.is_empty() {
                edges.insert(to);
            }
        }
    }
    graph
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// `src/web/security/mod.rs` → `web/security`; `src/lib.rs` → ``.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src");
    let mut parts = relative
        .with_extension("")
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.join("/")
}

fn unit_of(module: &str) -> String {
    module.split('/').take(2).collect::<Vec<_>>().join("/")
}

fn without_tests_and_comments(text: &str) -> String {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    code.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Paths starting at `crate`, `super` or `self`: those in `use` items with
/// their groups expanded, and those written inline in code.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut item: Option<String> = None;
    for line in code.lines() {
        let line = line.trim();
        let starts = ["use ", "pub use ", "pub(crate) use "]
            .iter()
            .any(|p| line.starts_with(p));
        if starts && item.is_none() {
            item = Some(String::new());
        }
        if let Some(open) = item.as_mut() {
            open.push_str(line);
            if open.ends_with(';') {
                paths.extend(use_paths(open.trim_end_matches(';')));
                item = None;
            }
        }
    }
    for word in code.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')) {
        if ["crate::", "super::", "self::"]
            .iter()
            .any(|p| word.starts_with(p))
        {
            paths.push(word.trim_end_matches(':').to_string());
        }
    }
    paths
}

/// `use a::{b, c::{d}}` → `a::b`, `a::c::d`; keeps only local paths.
fn use_paths(item: &str) -> Vec<String> {
    let body = item.trim();
    let body = body.split_once("use ").map_or(body, |(_, path)| path);
    let compact = body.split_whitespace().collect::<String>();
    let mut paths = Vec::new();
    expand("", &compact, &mut paths);
    paths.retain(|path| {
        ["crate", "super", "self"]
            .iter()
            .any(|p| path.starts_with(p))
    });
    paths
}

fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    match tree.find('{') {
        None => out.push(format!(
            "{prefix}{}",
            tree.split(" as ").next().unwrap_or(tree)
        )),
        Some(open) => {
            let head = &tree[..open];
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            for part in split_top_level(inner) {
                expand(&format!("{prefix}{head}"), part, out);
            }
        }
    }
}

fn split_top_level(list: &str) -> Vec<&str> {
    let (mut depth, mut start, mut parts) = (0, 0, Vec::new());
    for (i, c) in list.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    parts.into_iter().filter(|part| !part.is_empty()).collect()
}

/// The longest module the path names, seen from `module`.
fn resolve(module: &str, path: &str, modules: &BTreeMap<String, PathBuf>) -> Option<String> {
    let mut segments = path.split("::").filter(|s| !s.is_empty());
    let mut here = module
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect::<Vec<_>>();
    let mut parts = match segments.next()? {
        "crate" => Vec::new(),
        "self" => here,
        _ => {
            here.pop();
            here
        }
    };
    let mut rest = segments.peekable();
    while rest.peek() == Some(&"super") {
        rest.next();
        parts.pop();
    }
    parts.extend(rest.map(str::to_string));
    (0..=parts.len())
        .rev()
        .map(|n| parts[..n].join("/"))
        .find(|candidate| modules.contains_key(candidate))
}

/// Units that reach each other, grouped. The graph is a few dozen units,
/// so a search from each one is simpler than Tarjan and as good.
fn strongly_connected(graph: &Graph) -> Vec<Vec<String>> {
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut pending = vec![from.clone()];
        while let Some(unit) = pending.pop() {
            for next in graph.get(&unit).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    pending.push(next.clone());
                }
            }
        }
        seen
    };
    let reached = graph
        .keys()
        .map(|unit| (unit.clone(), reach(unit)))
        .collect::<BTreeMap<_, _>>();
    let mut grouped = BTreeSet::new();
    let mut components = Vec::new();
    for (unit, from_here) in &reached {
        if grouped.contains(unit) {
            continue;
        }
        let component = from_here
            .iter()
            .filter(|other| reached.get(*other).is_some_and(|back| back.contains(unit)))
            .cloned()
            .collect::<Vec<_>>();
        grouped.extend(component.iter().cloned());
        components.push(component);
    }
    components
}
