//! The README's C example is the example CI compiles and runs: the `c` block after the `c-example` marker of
//! README.md is, line for line, a contiguous part of `ffi/examples/issue_perso_read.c`.

#[test]
fn the_readme_c_example_is_in_the_example_file() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let example = std::fs::read_to_string(format!("{root}/ffi/examples/issue_perso_read.c")).unwrap();
    let after = readme.split("<!-- c-example:").nth(1).expect("README.md has no c-example marker");
    let block = after.split("```c\n").nth(1).and_then(|b| b.split("\n```").next()).expect("no ```c block after it");
    assert!(block.lines().count() >= 3, "the block is too short to show anything: {block:?}");
    assert!(example.contains(block), "README.md's C example is not in ffi/examples/issue_perso_read.c:\n{block}");
}
