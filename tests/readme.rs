//! The README's function table lists exactly the functions `include/s2n.h` and the
//! unstable headers (`include/s2n/unstable/*.h`) declare, each with one status (works / no effect / not supported) that agrees with the
//! header's doc comment, and its count line adds up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

const STATUSES: [&str; 3] = ["works", "no effect", "not supported"];

/// Every function `include/s2n.h` declares, with its doc comment.
fn declared(header: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut doc = String::new();
    let mut in_doc = false;
    for line in header.lines() {
        if line.starts_with("/**") {
            in_doc = true;
            doc.clear();
        }
        if in_doc {
            doc.push_str(line);
            doc.push('\n');
            in_doc = !line.contains("*/");
            continue;
        }
        if line.starts_with(' ') || line.starts_with('#') || line.starts_with("typedef ") {
            continue;
        }
        let Some(open) = line.find('(') else { continue };
        let Some(at) = line[..open].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        else {
            continue;
        };
        let name = &line[at + 1..open];
        if name.starts_with("s2n_") {
            out.insert(name.to_string(), std::mem::take(&mut doc));
        }
    }
    out
}

/// The function rows of the README's "Functions" section: name -> status.
fn rows(section: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in section.lines() {
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let cells: Vec<&str> = rest.split(" | ").collect();
        let name = cells[0].trim_end_matches('`').to_string();
        assert!(cells.len() >= 2, "README row without a status: {line}");
        let status = cells[1].trim().to_string();
        assert!(
            STATUSES.contains(&status.as_str()),
            "README row {name}: status {status:?} is not one of {STATUSES:?}"
        );
        assert!(
            !cells[2..].join(" ").contains("`s2n_"),
            "README row {name}: a note names another function in backticks"
        );
        assert!(
            out.insert(name.clone(), status).is_none(),
            "{name} listed twice"
        );
    }
    out
}

#[test]
fn readme_lists_every_exported_function_with_its_status() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = std::fs::read_to_string(root.join("include/s2n.h")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = &readme[readme.find("## Functions").expect("a Functions section")..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let stable = declared(&header);
    let mut declared = stable.clone();
    let unstable = root.join("include/s2n/unstable");
    for entry in std::fs::read_dir(unstable).into_iter().flatten() {
        declared.extend(self::declared(
            &std::fs::read_to_string(entry.unwrap().path()).unwrap(),
        ));
    }
    let listed = rows(section);
    assert!(
        declared.len() > 50,
        "parsed {} declarations",
        declared.len()
    );
    let names: BTreeSet<_> = declared.keys().collect();
    let listed_names: BTreeSet<_> = listed.keys().collect();
    let missing: Vec<_> = names.difference(&listed_names).collect();
    let extra: Vec<_> = listed_names.difference(&names).collect();
    assert!(missing.is_empty(), "README's table lacks {missing:?}");
    assert!(
        extra.is_empty(),
        "README's table lists functions rs2n does not export: {extra:?}"
    );

    // The header says the same as the table.
    for (name, status) in &listed {
        // The doc as prose: comment markers and line breaks gone.
        let doc = declared[name]
            .lines()
            .map(|l| {
                l.trim()
                    .trim_start_matches("/**")
                    .trim_start_matches('*')
                    .trim()
            })
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        match status.as_str() {
            "no effect" => assert!(
                doc.contains("no effect"),
                "{name}: README says no effect, its header doc does not say \"no effect\""
            ),
            "not supported" => assert!(
                doc.contains("not supported"),
                "{name}: README says not supported, its header doc does not say \"not supported\""
            ),
            _ => {}
        }
    }

    // The count line (of s2n.h's functions) adds up.
    let listed: BTreeMap<_, _> = listed
        .into_iter()
        .filter(|(name, _)| stable.contains_key(name))
        .collect();
    let count = |s: &str| listed.values().filter(|v| *v == s).count();
    let not_yet_text =
        std::fs::read_to_string(root.join("tests/data/not_yet_exported.txt")).unwrap();
    let not_yet = not_yet_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect::<Vec<_>>();
    let distinct: BTreeSet<_> = not_yet.iter().collect();
    assert_eq!(
        distinct.len(),
        not_yet.len(),
        "not_yet_exported.txt repeats a name"
    );
    let not_yet = not_yet.len();
    let expected = format!(
        "Of the {} functions of s2n-tls's `s2n.h`, {} work, {} have no effect, {} are \
         not supported, and {} are not exported yet.",
        listed.len() + not_yet,
        count("works"),
        count("no effect"),
        count("not supported"),
        not_yet
    );
    assert!(
        section.contains(&expected),
        "README's count line should read:\n{expected}"
    );
}
