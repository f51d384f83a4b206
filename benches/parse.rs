//! Parsing benchmarks.
fn main() {}
