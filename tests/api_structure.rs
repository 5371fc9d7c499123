//! Checks on the shape of `src/api`, read as text: every exported function runs
//! under the panic guard (a panic must never unwind into C), and the modules import
//! each other without a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The functions that run their closure under `guard`, each checked below to be
/// one: an exported function must return what one of these (or `guard`) returns.
const GUARD_WRAPPERS: &[&str] = &[
    "with_config",
    "with_conn",
    "query",
    "with_blocked",
    "with_negotiation",
    "with_op",
    "with_direction",
    "query_direction",
    "with_callbacks",
    "set_clock",
    "with_psk",
    "with_offered",
    "free_and_clear",
];

/// Code an exported function may run before its guarded call, with why it cannot
/// panic. Compared with all whitespace removed.
const ALLOWED_PREAMBLES: &[(&str, &str)] = &[(
    "s2n_connection_is_session_resumed",
    // A NULL check and a constant: s2n answers 0 without recording an error.
    "if conn.is_null() { return 0; }",
)];

/// One `src/api` file with its comments removed and its literals emptied, so
/// braces, parentheses and names in the text are code.
struct Source {
    module: String,
    code: String,
}

fn sources() -> Vec<Source> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let mut text = std::fs::read_to_string(&path).unwrap();
            // Test modules (at the end of a file) may call any exported function.
            if let Some(at) = text.find("#[cfg(test)]\nmod tests {") {
                text.truncate(at);
            }
            let module = path.file_stem().unwrap().to_string_lossy().into_owned();
            out.push(Source {
                module,
                code: code_only(&text),
            });
        }
    }
    out.sort_by(|a, b| a.module.cmp(&b.module));
    assert!(out.len() > 5, "src/api not found at {}", dir.display());
    out
}

/// `text` with comments blanked and string and char literals emptied (to `""` and
/// `' '`); newlines stay, so line numbers still hold.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // Inside a comment or literal, only newlines are kept.
    let blank = |out: &mut String, ch: char| {
        if ch == '\n' {
            out.push('\n');
        }
    };
    while i < c.len() {
        match c[i] {
            '/' if c.get(i + 1) == Some(&'/') => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if c.get(i + 1) == Some(&'*') => {
                let mut depth = 0;
                while i < c.len() {
                    if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        blank(&mut out, c[i]);
                        i += 1;
                    }
                }
            }
            'r' if matches!(c.get(i + 1), Some('"') | Some('#'))
                && (i == 0 || !(c[i - 1].is_alphanumeric() || c[i - 1] == '_')) =>
            {
                let mut hashes = 0;
                let mut j = i + 1;
                while c.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if c.get(j) != Some(&'"') {
                    out.push(c[i]);
                    i += 1;
                    continue;
                }
                j += 1;
                let closes =
                    |k: usize| c[k] == '"' && (1..=hashes).all(|h| c.get(k + h) == Some(&'#'));
                out.push('"');
                while j < c.len() && !closes(j) {
                    blank(&mut out, c[j]);
                    j += 1;
                }
                out.push('"');
                i = j + 1 + hashes;
            }
            '"' => {
                out.push('"');
                i += 1;
                while i < c.len() && c[i] != '"' {
                    if c[i] == '\\' {
                        i += 1;
                    }
                    if i < c.len() {
                        blank(&mut out, c[i]);
                    }
                    i += 1;
                }
                out.push('"');
                i += 1;
            }
            // A char literal ('x', '\n', '\''); a lifetime ('a) has no closing quote.
            '\'' if c.get(i + 1) == Some(&'\\') => {
                let mut j = i + 3;
                while j < c.len() && c[j] != '\'' {
                    j += 1;
                }
                out.push_str("' '");
                i = j + 1;
            }
            '\'' if c.get(i + 2) == Some(&'\'') => {
                out.push_str("' '");
                i += 3;
            }
            ch => {
                out.push(ch);
                i += 1;
            }
        }
    }
    out
}

fn line_of(code: &str, at: usize) -> usize {
    code[..at].matches('\n').count() + 1
}

/// The index just past the bracket that closes the one at `open`.
fn matching(code: &str, open: usize) -> usize {
    let mut depth = 0;
    for (i, ch) in code[open..].char_indices() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + i + 1;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced brackets after byte {open}");
}

/// A function found in the code: its name, where it starts, and its body's code
/// between the outer braces.
struct Function {
    name: String,
    line: usize,
    body: String,
}

fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Every function named `fn NAME` in `code` whose header satisfies `header_ok`.
fn functions(code: &str, header_ok: impl Fn(&str) -> bool) -> Vec<Function> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = code[from..].find("fn ") {
        let at = from + pos;
        from = at + 3;
        if at > 0 && is_ident(code[..at].chars().next_back().unwrap()) {
            continue;
        }
        let name: String = code[at + 3..]
            .chars()
            .take_while(|&c| is_ident(c))
            .collect();
        if name.is_empty() {
            continue; // a function pointer type: `fn(...)`
        }
        let line_start = code[..at].rfind('\n').map_or(0, |n| n + 1);
        if !header_ok(&code[line_start..at]) {
            continue;
        }
        // The body opens at the first `{` after the parameter list.
        let params = at + code[at..].find('(').unwrap();
        let after = matching(code, params);
        let Some(open) = code[after..].find(['{', ';']).map(|p| after + p) else {
            continue;
        };
        if &code[open..open + 1] == ";" {
            continue; // a declaration without body
        }
        let close = matching(code, open);
        out.push(Function {
            name,
            line: line_of(code, at),
            body: code[open + 1..close - 1].to_string(),
        });
    }
    out
}

/// Splits a body into the code before its tail expression and the tail itself: the
/// tail starts after the last `;` or block-closing `}` at the body's top level.
fn split_tail(body: &str) -> (&str, &str) {
    let mut depth = 0;
    let mut cut = 0;
    for (i, ch) in body.char_indices() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' => depth -= 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    cut = i + 1;
                }
            }
            ';' if depth == 0 => cut = i + 1,
            _ => {}
        }
    }
    (body[..cut].trim(), body[cut..].trim())
}

/// The function a tail expression returns the value of, if the tail is exactly one
/// call `NAME(...)` (generic arguments allowed: `guard::<T>(...)`).
fn tail_call(tail: &str) -> Option<&str> {
    let name_end = tail.find(|c: char| !is_ident(c))?;
    let name = &tail[..name_end];
    let rest = tail[name_end..].trim_start();
    let args = if let Some(generic) = rest.strip_prefix("::<") {
        let close = generic.find('>')?;
        generic[close + 1..].trim_start()
    } else {
        rest
    };
    if !args.starts_with('(') {
        return None;
    }
    let open = tail.len() - args.len();
    (matching(tail, open) == tail.len()).then_some(name)
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect()
}

#[test]
fn every_exported_function_runs_under_the_panic_guard() {
    let sources = sources();
    let mut exported = Vec::new();
    let mut wrappers = BTreeMap::new();
    let mut no_mangle = 0;
    for src in &sources {
        // Exported statics (s2n's `extern const` values) are data, not functions.
        no_mangle += src.code.matches("#[no_mangle]").count()
            - src.code.matches("#[no_mangle]\npub static ").count();
        // `pub extern "C" fn` (literals read `""` here); test callbacks are not pub.
        let exported_header =
            |h: &str| h.trim_start().starts_with("pub") && h.contains("extern \"\"");
        for f in functions(&src.code, exported_header) {
            exported.push((src.module.clone(), f));
        }
        for f in functions(&src.code, |h| !h.contains("extern")) {
            if f.name == "guard" || GUARD_WRAPPERS.contains(&f.name.as_str()) {
                let name = f.name.clone();
                let previous = wrappers.insert(name.clone(), (src.module.clone(), f));
                assert!(
                    previous.is_none(),
                    "two functions in src/api are named {name}"
                );
            }
        }
    }
    assert_eq!(
        exported.len(),
        no_mangle,
        "every #[no_mangle] function must be found as `extern \"C\" fn`"
    );

    let guard = &wrappers.get("guard").expect("boundary::guard not found").1;
    assert!(
        guard.body.contains("catch_unwind("),
        "guard must catch panics"
    );
    // Each wrapper and exported function: the call whose value it returns, if it
    // returns one call's value and runs nothing (unlisted) before it.
    let mut calls = BTreeMap::new();
    let listed = GUARD_WRAPPERS.iter().map(|name| {
        wrappers
            .get(*name)
            .unwrap_or_else(|| panic!("guard wrapper {name} not found in src/api"))
    });
    for (module, f) in listed.chain(exported.iter()) {
        let (preamble, tail) = split_tail(&f.body);
        let allowed = ALLOWED_PREAMBLES
            .iter()
            .any(|(n, p)| *n == f.name && squeeze(p) == squeeze(preamble));
        let call = if preamble.is_empty() || allowed {
            tail_call(tail).map(str::to_string)
        } else {
            None
        };
        calls.insert(f.name.clone(), (module.clone(), f.line, call));
    }
    // Guarded: guard, and what returns a guarded call's value (a wrapper, or an
    // exported function that returns another's, like s2n_strerror_debug).
    let mut guarded: BTreeSet<String> = BTreeSet::from(["guard".to_string()]);
    loop {
        let before = guarded.len();
        for (name, (_, _, call)) in &calls {
            if call.as_ref().is_some_and(|c| guarded.contains(c)) {
                guarded.insert(name.clone());
            }
        }
        if guarded.len() == before {
            break;
        }
    }

    let bypassing: Vec<String> = calls
        .iter()
        .filter(|(name, _)| !guarded.contains(*name))
        .map(|(name, (module, line, call))| match call {
            Some(c) => {
                format!("src/api/{module}.rs:{line}: {name} returns {c}(...), which is not guarded")
            }
            None => format!(
                "src/api/{module}.rs:{line}: {name} does not end in one guarded call \
                 (guard or {GUARD_WRAPPERS:?}), or runs code before it"
            ),
        })
        .collect();
    assert!(
        bypassing.is_empty(),
        "functions that bypass the panic guard:\n{}",
        bypassing.join("\n")
    );
}

/// The `src/api` modules each file imports (`super::m` or `crate::api::m`, in `use`
/// declarations or paths in code); `mod` stands for src/api/mod.rs.
fn imports(src: &Source, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for prefix in ["super::", "crate::api::"] {
        let mut from = 0;
        while let Some(pos) = src.code[from..].find(prefix) {
            let at = from + pos + prefix.len();
            from = at;
            let rest = &src.code[at..];
            let heads: Vec<&str> = if rest.starts_with('{') {
                let group = &rest[1..matching(rest, 0) - 1];
                split_top_level(group)
            } else {
                vec![rest]
            };
            for head in heads {
                let name: String = head.trim().chars().take_while(|&c| is_ident(c)).collect();
                let target = if modules.contains(&name) {
                    name
                } else if name.is_empty() {
                    continue; // `super::*` in a test module: the file's own items
                } else {
                    "mod".to_string()
                };
                if target != src.module {
                    out.insert(target);
                }
            }
        }
    }
    out
}

fn split_top_level(group: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, ch) in group.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&group[start..]);
    out
}

#[test]
fn api_modules_import_each_other_without_a_cycle() {
    let sources = sources();
    let modules: BTreeSet<String> = sources.iter().map(|s| s.module.clone()).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for src in &sources {
        edges.insert(src.module.clone(), imports(src, &modules));
    }
    // mod.rs declares the modules; naming one of them in its code (`use x::...`,
    // `x::item`) would close a cycle.
    let mod_rs = &sources.iter().find(|s| s.module == "mod").unwrap().code;
    let mod_imports: Vec<&String> = modules
        .iter()
        .filter(|m| {
            mod_rs
                .match_indices(&format!("{m}::"))
                .any(|(at, _)| !mod_rs[..at].ends_with(|c: char| is_ident(c) || c == ':'))
        })
        .collect();
    assert!(
        mod_imports.is_empty(),
        "src/api/mod.rs imports {mod_imports:?}"
    );
    // Peel off modules that import nothing left; what remains is in or behind a cycle.
    let mut left = edges.clone();
    while let Some(leaf) = left
        .iter()
        .find(|(_, to)| to.iter().all(|t| !left.contains_key(t)))
        .map(|(m, _)| m.clone())
    {
        left.remove(&leaf);
    }
    let listing: Vec<String> = edges
        .iter()
        .map(|(m, to)| {
            format!(
                "{m} -> {}",
                to.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    assert!(
        left.is_empty(),
        "src/api modules in or behind an import cycle: {:?}\nedges:\n{}",
        left.keys().collect::<Vec<_>>(),
        listing.join("\n")
    );
    println!("{}", listing.join("\n"));
}
