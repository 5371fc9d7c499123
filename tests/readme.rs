//! The README's function table lists exactly the functions `include/s2n.h` declares.

use std::collections::BTreeSet;
use std::path::PathBuf;

fn functions_in(text: &str, declared: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if declared
            && (line.starts_with(' ')
                || line.starts_with('#')
                || line.starts_with('/')
                || line.starts_with("typedef ")
                || !line.contains('('))
        {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("s2n_") {
            let name: String = rest[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            rest = &rest[at + name.len()..];
            let is_call = rest.starts_with('(');
            if (declared && is_call) || (!declared && rest.starts_with('`')) {
                out.insert(name);
                if declared {
                    // One declaration per line: the rest are its parameters.
                    break;
                }
            }
        }
    }
    out
}

#[test]
fn readme_lists_every_exported_function() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = std::fs::read_to_string(root.join("include/s2n.h")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let table = &readme[readme.find("## Functions").expect("a Functions section")..];
    let table = &table[..table[3..].find("\n## ").map_or(table.len(), |i| i + 3)];
    let declared = functions_in(&header, true);
    let listed = functions_in(table, false);
    assert!(
        declared.len() > 50,
        "parsed {} declarations",
        declared.len()
    );
    let missing: Vec<_> = declared.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&declared).collect();
    assert!(missing.is_empty(), "README's table lacks {missing:?}");
    assert!(
        extra.is_empty(),
        "README's table lists functions rs2n does not export: {extra:?}"
    );
}
