//! `include/s2n.h` is generated from the Rust sources by cbindgen and committed; this
//! test fails when it is stale. `RS2N_BLESS_HEADER=1 cargo test --test header`
//! rewrites it.

use std::path::PathBuf;

#[test]
fn generated_header_is_current() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&root)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header")
        .write(&mut generated);
    let path = root.join("include/s2n.h");
    if std::env::var_os("RS2N_BLESS_HEADER").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/s2n.h is stale: run `RS2N_BLESS_HEADER=1 cargo test --test header` and commit it"
    );
}

/// Only s2n's names reach C: a stray Rust constant becomes a macro that clashes with
/// the application's own (`VERSION`...).
#[test]
fn header_declares_only_s2n_names() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = std::fs::read_to_string(root.join("include/s2n.h")).unwrap();
    for line in header.lines() {
        let name = if let Some(rest) = line.strip_prefix("#define ") {
            rest.split([' ', '(']).next().unwrap_or("")
        } else if line == "typedef enum {" {
            // Named on its closing line, checked below.
            continue;
        } else if let Some(rest) = line.strip_prefix("} ").filter(|r| r.ends_with(';')) {
            rest.trim_end_matches(';')
        } else if let Some(rest) = line.strip_prefix("typedef ") {
            rest.rsplit([' ', '*', '('])
                .find(|w| w.contains("s2n"))
                .unwrap_or(rest)
        } else if let Some(rest) = line.strip_prefix("struct ") {
            rest.split([' ', ';']).next().unwrap_or("")
        } else {
            continue;
        };
        assert!(
            name.starts_with("S2N_") || name.starts_with("s2n_"),
            "include/s2n.h declares {name:?} ({line}): only S2N_/s2n_ names belong in the C API"
        );
    }
}
