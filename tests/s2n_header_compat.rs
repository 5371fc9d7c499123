//! rs2n's `include/s2n.h` against s2n-tls's own `api/s2n.h` (of the `s2n-tls-sys`
//! crate, 0.3.47): every function rs2n declares is declared as s2n declares it
//! (return type and parameter types, names and spacing aside); the functions rs2n
//! does not declare yet are exactly those of `tests/data/not_yet_exported.txt`; and
//! every enum constant, typedef and macro of s2n's header exists in rs2n's with the
//! same value (or declaration). Each unstable header rs2n ships
//! (`include/s2n/unstable/NAME.h`) declares exactly what s2n's
//! `api/unstable/NAME.h` declares, in the same way.
//!
//! s2n's header is not copied into this repository: it is read from cargo's
//! registry, fetched first with `cargo fetch` (interop/s2n-peer depends on
//! s2n-tls-sys) when absent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const S2N_SYS: &str = "s2n-tls-sys-0.3.47";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo"))
}

/// `$CARGO_HOME/registry/src/*/s2n-tls-sys-0.3.47/lib/api/s2n.h`, if there.
fn find_reference() -> Option<PathBuf> {
    let src = cargo_home().join("registry/src");
    let mut found: Vec<PathBuf> = std::fs::read_dir(src)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join(S2N_SYS).join("lib/api/s2n.h"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop()
}

/// s2n's header, fetched into cargo's registry if it is not there yet.
fn reference_header() -> PathBuf {
    if let Some(path) = find_reference() {
        return path;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["fetch", "--manifest-path"])
        .arg(root().join("interop/s2n-peer/Cargo.toml"))
        .status()
        .expect("could not run cargo fetch");
    assert!(status.success(), "cargo fetch of s2n-tls-sys failed");
    find_reference().unwrap_or_else(|| {
        panic!(
            "{S2N_SYS}/lib/api/s2n.h not found under {} even after cargo fetch",
            cargo_home().join("registry/src").display()
        )
    })
}

/// The header without comments, one string.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                let end = rest[b + 2..].find("*/").expect("unterminated comment");
                out.push(' ');
                rest = &rest[b + 2 + end + 2..];
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = rest[l..].find('\n').map_or("", |n| &rest[l + n..]);
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// What a header declares.
#[derive(Default)]
struct Header {
    /// Function name -> normalised "return(param types)".
    functions: BTreeMap<String, String>,
    /// Enum constant -> (enum type, value).
    constants: BTreeMap<String, (String, i64)>,
    /// Typedef name -> normalised declaration.
    typedefs: BTreeMap<String, String>,
    /// Macro name -> value.
    macros: BTreeMap<String, String>,
    /// Opaque struct tags declared.
    structs: BTreeSet<String>,
    /// Global variables (`extern` declarations): name -> normalised declaration.
    variables: BTreeMap<String, String>,
}

/// Tokens: identifiers and single punctuation characters.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let mut word = String::new();
            while let Some(&c) = chars
                .peek()
                .filter(|c| c.is_ascii_alphanumeric() || **c == '_')
            {
                word.push(c);
                chars.next();
            }
            out.push(word);
        } else {
            out.push(c.to_string());
            chars.next();
        }
    }
    out
}

const TYPE_WORDS: &[&str] = &[
    "void", "char", "short", "int", "long", "unsigned", "signed", "const", "struct", "enum",
    "float", "double", "bool",
];

/// A parameter's type: its tokens without the parameter's name.
fn param_type(param: &str) -> String {
    let mut t = tokens(param);
    t.retain(|w| w != "S2N_API" && w != "extern");
    let words = t
        .iter()
        .filter(|w| w.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .count();
    if let Some(last) = t.last() {
        let is_name = last.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !TYPE_WORDS.contains(&last.as_str())
            && words > 1
            && t.len() >= 2
            && !matches!(t[t.len() - 2].as_str(), "struct" | "enum");
        if is_name {
            t.pop();
        }
    }
    // A `const` on a parameter passed by value is not part of the function's type
    // (C11 6.7.6.3p15): `const uint32_t i` declares the same function as `uint32_t i`.
    if t.first().is_some_and(|w| w == "const") && !t.iter().any(|w| w == "*") {
        t.remove(0);
    }
    t.join(" ")
}

/// Splits at the commas outside parentheses.
fn split_params(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// "ret(p1, p2)" for a declaration `ret name(params)`, params without their names.
fn signature(ret: &str, params: &str) -> String {
    let ret: Vec<String> = tokens(ret)
        .into_iter()
        .filter(|w| w != "S2N_API" && w != "extern")
        .collect();
    let params: Vec<String> = split_params(params).into_iter().map(param_type).collect();
    format!("{}({})", ret.join(" "), params.join(", "))
}

fn parse(text: &str) -> Header {
    let mut h = Header::default();
    let code = strip_comments(text);
    let mut body = String::new();
    for line in code.lines() {
        let line = line.trim();
        if let Some(def) = line.strip_prefix("#define") {
            let def = def.trim();
            let name_end = def.find(|c: char| c.is_whitespace()).unwrap_or(def.len());
            h.macros.insert(
                def[..name_end].to_string(),
                def[name_end..].trim().to_string(),
            );
        } else if !line.starts_with('#') {
            body.push_str(line);
            body.push('\n');
        }
    }
    // Top-level statements: split at `;` outside braces; `extern "C" {` is not a brace
    // that groups a statement.
    let body = body
        .replace("extern \"C\" {", "")
        .replace("extern \"C\"{", "");
    let mut statements = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            '}' => start = i + 1, // the close of extern "C"
            ';' if depth == 0 => {
                statements.push(body[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    for st in statements {
        let flat = st.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(rest) = flat.strip_prefix("typedef enum") {
            let open = rest.find('{').expect("enum body");
            let close = rest.rfind('}').expect("enum end");
            let name = rest[close + 1..].trim().to_string();
            let mut next = 0i64;
            for item in rest[open + 1..close].split(',') {
                let item = item.trim();
                if item.is_empty() {
                    continue;
                }
                let (cname, value) = match item.split_once('=') {
                    Some((n, v)) => (n.trim(), v.trim().parse::<i64>().expect("enum value")),
                    None => (item, next),
                };
                h.constants.insert(cname.to_string(), (name.clone(), value));
                next = value + 1;
            }
        } else if let Some(rest) = flat.strip_prefix("typedef ") {
            // `typedef R (*name)(params)`, `typedef R name(params)`, `typedef T name`;
            // the parameters' names do not count.
            let (name, decl) = if let Some(p) = rest.find("(*") {
                let end = rest[p..].find(')').unwrap() + p;
                let params = &rest[end + 1..];
                let params = &params[params.find('(').unwrap() + 1..params.rfind(')').unwrap()];
                let sig = signature(&rest[..p], params);
                (
                    rest[p + 2..end].trim().to_string(),
                    format!("pointer to {sig}"),
                )
            } else if let Some(p) = rest.find('(') {
                let mut before = tokens(&rest[..p]);
                let name = before.pop().unwrap();
                let params = &rest[p + 1..rest.rfind(')').unwrap()];
                (
                    name,
                    format!("function {}", signature(&before.join(" "), params)),
                )
            } else {
                let mut t = tokens(rest);
                (t.pop().unwrap(), t.join(" "))
            };
            h.typedefs.insert(name, decl);
        } else if let Some(rest) = flat.strip_prefix("struct ") {
            if !rest.contains('{') && !rest.contains(' ') {
                h.structs.insert(rest.to_string());
            }
        } else if flat.contains('(') {
            let open = flat.find('(').unwrap();
            let close = flat.rfind(')').unwrap();
            let mut before = tokens(&flat[..open]);
            let name = before.pop().unwrap();
            assert!(name.starts_with("s2n_"), "unexpected declaration: {flat}");
            let sig = signature(&before.join(" "), &flat[open + 1..close]);
            h.functions.insert(name, sig);
        } else if flat.contains("extern") {
            let mut t = tokens(&flat);
            t.retain(|w| w != "S2N_API");
            let name = t.last().unwrap().clone();
            h.variables.insert(name, t.join(" "));
        }
    }
    h
}

fn rs2n() -> Header {
    parse(&std::fs::read_to_string(root().join("include/s2n.h")).unwrap())
}

fn s2n() -> Header {
    parse(&std::fs::read_to_string(reference_header()).unwrap())
}

/// The names in `tests/data/not_yet_exported.txt`.
fn not_yet() -> BTreeSet<String> {
    let path = root().join("tests/data/not_yet_exported.txt");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

#[test]
fn the_parser_reads_what_it_must() {
    let h = parse(
        "/* c */ #define S2N_X 3\nstruct s2n_a;\ntypedef enum { A = 2, B, C = 9, } e_t;\n\
         S2N_API extern const char *s2n_f(struct s2n_a *a, uint32_t, const void *key, unsigned int);\n\
         typedef int s2n_g(void *io, uint8_t *buf);\ntypedef int (*s2n_h)(void);\n\
         S2N_API extern __thread int s2n_errno;",
    );
    assert_eq!(h.macros["S2N_X"], "3");
    assert!(h.structs.contains("s2n_a"));
    assert_eq!(h.constants["B"], ("e_t".into(), 3));
    assert_eq!(h.constants["C"], ("e_t".into(), 9));
    assert_eq!(
        h.functions["s2n_f"],
        "const char *(struct s2n_a *, uint32_t, const void *, unsigned int)"
    );
    assert_eq!(h.typedefs["s2n_g"], "function int(void *, uint8_t *)");
    assert_eq!(h.typedefs["s2n_h"], "pointer to int(void)");
    assert_eq!(h.variables["s2n_errno"], "extern __thread int s2n_errno");
}

#[test]
fn declared_functions_match_s2n_and_the_rest_are_listed() {
    let (ours, theirs, listed) = (rs2n(), s2n(), not_yet());
    assert!(
        theirs.functions.len() > 200,
        "parsed {}",
        theirs.functions.len()
    );
    let mut wrong = Vec::new();
    for (name, sig) in &ours.functions {
        match theirs.functions.get(name) {
            None => wrong.push(format!("{name}: not in s2n's s2n.h")),
            Some(s) if s != sig => wrong.push(format!("{name}: rs2n {sig}, s2n {s}")),
            Some(_) => {}
        }
        if listed.contains(name) {
            wrong.push(format!(
                "{name}: exported, remove it from not_yet_exported.txt"
            ));
        }
    }
    for name in theirs.functions.keys() {
        if !ours.functions.contains_key(name) && !listed.contains(name) {
            wrong.push(format!(
                "{name}: neither declared nor in not_yet_exported.txt"
            ));
        }
    }
    for name in &listed {
        if !theirs.functions.contains_key(name) && !theirs.typedefs.contains_key(name) {
            wrong.push(format!(
                "{name}: listed, but s2n declares no such function or type"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn enum_constants_macros_types_and_s2n_errno_match_s2n() {
    let (ours, theirs, listed) = (rs2n(), s2n(), not_yet());
    let mut wrong = Vec::new();
    assert!(
        theirs.constants.len() > 70,
        "parsed {}",
        theirs.constants.len()
    );
    for (name, value) in &theirs.constants {
        if ours.constants.get(name) != Some(value) {
            wrong.push(format!(
                "{name}: s2n {value:?}, rs2n {:?}",
                ours.constants.get(name)
            ));
        }
    }
    for (name, value) in &theirs.macros {
        if ours.macros.get(name) != Some(value) {
            wrong.push(format!(
                "#define {name}: s2n {value:?}, rs2n {:?}",
                ours.macros.get(name)
            ));
        }
    }
    for name in theirs.structs.difference(&ours.structs) {
        wrong.push(format!("struct {name}: not declared"));
    }
    for (name, decl) in &theirs.typedefs {
        let enum_type = theirs.constants.values().any(|(e, _)| e == name);
        match ours.typedefs.get(name) {
            _ if enum_type => {}
            None if listed.contains(name) => {}
            None => wrong.push(format!("typedef {name}: neither declared nor listed")),
            Some(d) if d != decl => wrong.push(format!("typedef {name}: rs2n {d}, s2n {decl}")),
            Some(_) if listed.contains(name) => {
                wrong.push(format!("typedef {name}: declared, remove it from the list"))
            }
            Some(_) => {}
        }
    }
    for (name, decl) in &theirs.variables {
        if ours.variables.get(name) != Some(decl) {
            wrong.push(format!("{decl}: rs2n {:?}", ours.variables.get(name)));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// rs2n's unstable headers against s2n's: a header rs2n ships is complete (no
/// function of it is missing), and declares each function, enum constant, typedef
/// and variable as s2n's does.
#[test]
fn unstable_headers_match_s2ns() {
    let theirs_dir = reference_header().parent().unwrap().join("unstable");
    let ours_dir = root().join("include/s2n/unstable");
    let mut wrong = Vec::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(&ours_dir).into_iter().flatten() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(text) = std::fs::read_to_string(theirs_dir.join(&file)) else {
            wrong.push(format!("{file}: s2n-tls has no api/unstable/{file}"));
            continue;
        };
        let (ours, theirs) = (
            parse(&std::fs::read_to_string(&path).unwrap()),
            parse(&text),
        );
        checked += 1;
        let names: BTreeSet<&String> = ours
            .functions
            .keys()
            .chain(theirs.functions.keys())
            .collect();
        for name in names {
            let (o, t) = (ours.functions.get(name), theirs.functions.get(name));
            if o != t {
                wrong.push(format!("{file}: {name}: rs2n {o:?}, s2n {t:?}"));
            }
        }
        for (name, value) in &theirs.constants {
            if ours.constants.get(name) != Some(value) {
                wrong.push(format!(
                    "{file}: {name}: s2n {value:?}, rs2n {:?}",
                    ours.constants.get(name)
                ));
            }
        }
        for (name, decl) in &theirs.typedefs {
            let enum_type = theirs.constants.values().any(|(e, _)| e == name);
            let declared = ours.typedefs.get(name);
            if declared.is_none() || (!enum_type && declared != Some(decl)) {
                wrong.push(format!(
                    "{file}: typedef {name}: s2n {decl}, rs2n {declared:?}"
                ));
            }
        }
        if ours.variables != theirs.variables {
            wrong.push(format!(
                "{file}: variables: s2n {:?}, rs2n {:?}",
                theirs.variables, ours.variables
            ));
        }
    }
    assert!(checked > 0 || !ours_dir.exists(), "no unstable header read");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The registry's copy is found where the test looks, so a CTest or script can
/// reuse the same rule (`$CARGO_HOME/registry/src/*/s2n-tls-sys-0.3.47`).
#[test]
fn the_reference_header_is_s2ns() {
    let path = reference_header();
    assert!(path.ends_with(Path::new(S2N_SYS).join("lib/api/s2n.h")));
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("extern __thread int s2n_errno"));
}
