//! The `cccd` command line.
fn main() {}
