//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The folder of test vectors written outside this project (`../shared/vectors`). Panics when it is missing:
/// tests must fail loudly, never skip.
pub fn vectors_dir() -> PathBuf {
    let candidates =
        [PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors"), PathBuf::from("/work/shared/vectors")];
    for c in &candidates {
        if c.join("README.md").is_file() {
            return c.clone();
        }
    }
    panic!("test vectors not found: expected ../shared/vectors beside the repository (tried {candidates:?})");
}

/// The bytes of a vector file, e.g. `vector("lds/LOES2006_DG1.bin")`.
pub fn vector(name: &str) -> Vec<u8> {
    let path = vectors_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A JSON vector file, parsed.
pub fn json_vector(name: &str) -> serde_json::Value {
    serde_json::from_slice(&vector(name)).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

/// The bytes of a vector file (same as [`vector`]).
pub fn read_vector(rel: &str) -> Vec<u8> {
    vector(rel)
}

/// A JSON vector file, parsed (same as [`json_vector`]).
pub fn read_json(rel: &str) -> serde_json::Value {
    json_vector(rel)
}

#[path = "chip.rs"]
pub mod chip;
