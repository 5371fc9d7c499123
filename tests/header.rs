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
