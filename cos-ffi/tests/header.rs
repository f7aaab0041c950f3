//! `include/cos.h` is what cbindgen generates from the source today.
//!
//! cbindgen is a dev-dependency pinned to one version, so the header only changes with the
//! source (or with that pin). `COS_FFI_BLESS=1 cargo test -p cos-ffi --test header` writes
//! the header instead of comparing.

use std::path::Path;

#[test]
fn the_committed_header_is_what_cbindgen_generates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen generates the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = dir.join("include/cos.h");
    if std::env::var_os("COS_FFI_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write include/cos.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    if committed != generated {
        let committed = String::from_utf8_lossy(&committed);
        let generated = String::from_utf8_lossy(&generated);
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "include/cos.h differs from what cbindgen generates (first at line {}): \
             run `COS_FFI_BLESS=1 cargo test -p cos-ffi --test header` and commit it",
            line + 1
        );
    }
}
