//! The project's structural rules, checked on the sources so that they hold without
//! anyone remembering them (see CONTRIBUTING.md):
//!
//! - modules import each other without cycles, and no core module imports `src/api/`;
//! - `unsafe` is denied crate-wide and allowed only where the list below says, each
//!   block with its SAFETY comment;
//! - every lock is taken through `crate::sync` (one rule for poisoned locks);
//! - no source file outside the generated-like data tables passes the length limit.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest a Rust source file may be, in lines.
const MAX_LINES: usize = 700;
/// Files exempt from the length limit: s2n's data, not logic.
const LONG_DATA_FILES: &[&str] = &["policy/tables.rs"];
/// The only modules that may allow `unsafe` code, and why.
const UNSAFE_ALLOWED: &[(&str, &str)] = &[(
    "api/mod.rs",
    "the C surface: raw pointers from C callers and calls into C callbacks",
)];

fn src_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, as paths relative to `src/`, sorted.
fn rust_files(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path.strip_prefix(root).unwrap().to_path_buf());
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let root = src_dir();
    let mut files = Vec::new();
    rust_files(&root, &root, &mut files);
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(root.join(&f)).unwrap();
            (f.to_string_lossy().replace('\\', "/"), text)
        })
        .collect()
}

/// `api/cache.rs` -> `api::cache`; `connection/mod.rs` -> `connection`; `lib.rs` -> ``.
fn module_of(file: &str) -> String {
    let stem = file.trim_end_matches(".rs");
    let stem = stem.strip_suffix("/mod").unwrap_or(stem);
    if stem == "lib" {
        return String::new();
    }
    stem.replace('/', "::")
}

/// Test code (`#[cfg(test)] mod x { ... }` to the end, and the test-only files)
/// may use fixtures from anywhere: only library code is checked.
fn library_code(file: &str, text: &str) -> String {
    if file.ends_with("/tests.rs") || file.ends_with("/testing.rs") {
        return String::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for (i, pair) in lines.windows(2).enumerate() {
        let next = pair[1].trim_start();
        if pair[0].trim() == "#[cfg(test)]"
            && (next.starts_with("mod ") || next.starts_with("pub mod "))
            && next.ends_with('{')
        {
            end = i;
            break;
        }
    }
    lines[..end]
        .iter()
        .map(|l| match l.find("//") {
            Some(at) => &l[..at],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths that follow `prefix` (`crate::` or `super::`) in `code`, brace groups
/// expanded one level (`crate::{a::b, c}` gives `a::b` and `c`).
fn paths_after(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let close = group.find('}').unwrap_or(group.len());
            for item in group[..close].split(',') {
                out.push(item.split_whitespace().collect::<String>());
            }
            continue;
        }
        let len = rest
            .find(|c: char| !(is_ident(c) || c == ':'))
            .unwrap_or(rest.len());
        out.push(rest[..len].to_string());
    }
    out
}

/// The module graph of the library code: an edge from each module to each module it
/// names, apart from its own ancestors and descendants.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = sources();
    let modules: BTreeSet<String> = files.iter().map(|(f, _)| module_of(f)).collect();
    // The longest known module that `path` (segments from the crate root) is in.
    let resolve = |path: &[&str]| -> Option<String> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].join("::"))
            .find(|m| modules.contains(m))
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in &files {
        let me = module_of(file);
        let code = library_code(file, text);
        // `super::` is relative to the parent of the file's module.
        let mut parent: Vec<&str> = me.split("::").filter(|s| !s.is_empty()).collect();
        parent.pop();
        let mut targets = Vec::new();
        for p in paths_after(&code, "crate::") {
            let segs: Vec<&str> = p.split("::").filter(|s| !s.is_empty()).collect();
            targets.extend(resolve(&segs));
        }
        for p in paths_after(&code, "super::") {
            let mut segs = parent.clone();
            segs.extend(p.split("::").filter(|s| !s.is_empty()));
            targets.extend(resolve(&segs));
        }
        let entry = graph.entry(me.clone()).or_default();
        for t in targets {
            let related = t.is_empty()
                || me.is_empty()
                || t == me
                || t.starts_with(&format!("{me}::"))
                || me.starts_with(&format!("{t}::"));
            if !related {
                entry.insert(t);
            }
        }
    }
    graph
}

/// A cycle in `graph`, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let at = stack.iter().position(|s| s == n).unwrap_or(0);
                let mut cycle = stack[at..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for next in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, graph, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if let Some(c) = visit(n, graph, &mut state, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

fn top(module: &str) -> String {
    module.split("::").next().unwrap_or("").to_string()
}

#[test]
fn modules_import_each_other_without_cycles() {
    let graph = module_graph();
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle between modules: {}", cycle.join(" -> "));
    }
    // Top-level modules too: `resumption` as a whole must not import `config` if
    // `config` imports any part of `resumption`.
    let mut tops: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in &graph {
        for to in tos {
            if top(from) != top(to) {
                tops.entry(top(from)).or_default().insert(top(to));
            }
        }
    }
    if let Some(cycle) = find_cycle(&tops) {
        panic!(
            "import cycle between top-level modules: {}",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn no_core_module_imports_the_c_layer() {
    for (from, tos) in module_graph() {
        if top(&from) == "api" {
            continue;
        }
        for to in tos {
            assert!(
                top(&to) != "api",
                "core module {from} imports the C layer ({to}): the core stays usable without C"
            );
        }
    }
}

#[test]
fn unsafe_code_is_denied_outside_the_listed_modules() {
    let files = sources();
    let lib = &files.iter().find(|(f, _)| f == "lib.rs").unwrap().1;
    assert!(
        lib.contains("#![deny(unsafe_code)]"),
        "src/lib.rs must deny unsafe code crate-wide"
    );
    for (file, text) in &files {
        if text.contains("allow(unsafe_code)") {
            assert!(
                UNSAFE_ALLOWED.iter().any(|(f, _)| f == file),
                "src/{file} allows unsafe code but is not in UNSAFE_ALLOWED (tests/conventions.rs)"
            );
        }
    }
    for (file, why) in UNSAFE_ALLOWED {
        let text = &files.iter().find(|(f, _)| f == file).unwrap().1;
        assert!(
            text.contains("#![allow(unsafe_code)]"),
            "src/{file} is listed as allowing unsafe ({why}) but does not"
        );
    }
}

#[test]
fn unsafe_blocks_say_why_they_are_sound() {
    // Clippy checks each block has its SAFETY comment, in every module that allows
    // unsafe code (CI runs clippy with -D warnings).
    for (file, _) in UNSAFE_ALLOWED {
        let text = std::fs::read_to_string(src_dir().join(file)).unwrap();
        assert!(
            text.contains("#![deny(clippy::undocumented_unsafe_blocks)]"),
            "src/{file} allows unsafe code without clippy's undocumented_unsafe_blocks lint"
        );
    }
}

#[test]
fn every_lock_goes_through_the_lock_helper() {
    // One rule for poisoned locks (src/sync.rs): taking a lock directly would need
    // its own, and these are the spellings of taking one.
    for (file, text) in sources() {
        if file == "sync.rs" {
            continue;
        }
        let code = library_code(&file, &text);
        for call in [".lock()", ".try_lock()", ".read()", ".write()"] {
            assert!(
                !code.contains(call),
                "src/{file} calls {call} directly: use crate::sync::{{lock, try_lock, read, write}}"
            );
        }
    }
}

#[test]
fn source_files_stay_short() {
    for (file, text) in sources() {
        if LONG_DATA_FILES.contains(&file.as_str()) {
            continue;
        }
        let n = text.lines().count();
        assert!(
            n <= MAX_LINES,
            "src/{file} has {n} lines (limit {MAX_LINES}): split it by concept"
        );
    }
}

#[test]
fn the_checks_see_what_they_check() {
    // The parsers above are what the other tests rely on: pin their behaviour.
    assert_eq!(module_of("api/cache.rs"), "api::cache");
    assert_eq!(module_of("connection/mod.rs"), "connection");
    assert_eq!(
        paths_after("use crate::{a::b, c};\nlet x = crate::d::e();", "crate::"),
        vec!["a::b", "c", "d::e"]
    );
    assert_eq!(
        library_code("x.rs", "a\n#[cfg(test)]\nmod tests {\nuse crate::api;\n}"),
        "a"
    );
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert!(find_cycle(&g).is_some());
    g.insert("b".to_string(), BTreeSet::new());
    assert!(find_cycle(&g).is_none());
    assert!(module_graph()["connection"].contains("resumption::server"));
}
