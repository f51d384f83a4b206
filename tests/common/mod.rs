//! Shared test helpers.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared vectors folder: `$CARGO_MANIFEST_DIR/../shared/vectors`, else `/work/shared/vectors`.
/// Panics when neither exists: tests must fail loudly, never skip.
pub fn vectors_dir() -> PathBuf {
    let candidates = [
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vectors")),
        PathBuf::from("/work/shared/vectors"),
    ];
    for c in &candidates {
        if c.is_dir() {
            return c.clone();
        }
    }
    panic!("test vectors not found: tried {candidates:?}");
}

/// Reads a vector file (relative to the vectors folder).
pub fn read_vector(rel: &str) -> Vec<u8> {
    let p = vectors_dir().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read vector {}: {e}", p.display()))
}

/// Reads a JSON vector file.
pub fn read_json(rel: &str) -> serde_json::Value {
    serde_json::from_slice(&read_vector(rel)).unwrap_or_else(|e| panic!("bad JSON in {rel}: {e}"))
}
