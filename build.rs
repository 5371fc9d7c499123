//! Builds `s2n_errno` (a C thread-local: stable Rust cannot export one, see
//! src/api/errno.c) into the library, and has the cdylib export it.
//!
//! rustc links a cdylib with its own version script, which lists the Rust
//! `#[no_mangle]` functions and makes everything else local, C symbols included.
//! GNU ld and lld merge a second anonymous version script into it, and an exact
//! name in a `global:` list wins over the `local: *` wildcard, so `exports.map`
//! adds `s2n_errno` to the exported symbols.

fn main() {
    println!("cargo:rerun-if-changed=src/api/errno.c");
    println!("cargo:rerun-if-changed=exports.map");
    cc::Build::new()
        .file("src/api/errno.c")
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        .compile("rs2n_errno");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        println!("cargo:rustc-cdylib-link-arg=-Wl,--version-script={dir}/exports.map");
    }
}
