//! The layer table of the crate documentation (`src/lib.rs`) holds: every library module is in it, no module
//! imports a module of a higher layer, and no two top-level modules import each other (directly or through
//! others). Imports are read from the source: `crate::module` paths (also inside `use crate::{…}` groups) and
//! `super::` paths of top-level files, comments left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))
}

/// `module → layer` from the crate documentation's table (`//! | 3 | [`sm`], [`access`] | … |`; a module behind a
/// feature may be written without a link: `` `emulator` (feature `emulator`) ``).
fn layer_table() -> BTreeMap<String, u32> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let mut table = BTreeMap::new();
    for line in lib.lines() {
        let Some(row) = line.strip_prefix("//! |") else { continue };
        let mut cells = row.split('|');
        let (Some(layer), Some(modules)) = (cells.next(), cells.next()) else { continue };
        let Ok(layer) = layer.trim().parse::<u32>() else { continue };
        let names: BTreeSet<&str> = modules.split('`').skip(1).step_by(2).collect();
        for name in names {
            assert!(table.insert(name.to_string(), layer).is_none(), "{name} is twice in the layer table");
        }
    }
    assert!(table.len() > 10, "the layer table of src/lib.rs was not found: {table:?}");
    table
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source without comments (line comments, doc comments, block comments); string contents are kept.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let (mut i, mut in_str, mut block) = (0, false, 0usize);
    while i < b.len() {
        let c = b[i];
        if block > 0 {
            if b[i..].starts_with(b"*/") {
                block -= 1;
                i += 2;
            } else if b[i..].starts_with(b"/*") {
                block += 1;
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        if in_str {
            out.push(c as char);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1] as char);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if b[i..].starts_with(b"/*") {
            block = 1;
            i += 2;
            continue;
        }
        if c == b'"' && !(i > 0 && b[i - 1] == b'\'') {
            in_str = true;
        }
        out.push(c as char);
        i += 1;
    }
    out
}

/// The top-level modules a source file names through `crate::` (and `super::` in a top-level file).
fn imports(code: &str, top_level_file: bool, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut name = |n: &str| {
        let n = match n {
            "Error" | "Result" => "error",
            other => other,
        };
        if modules.contains(n) {
            found.insert(n.to_string());
        }
    };
    let mut prefixes = vec!["crate::"];
    if top_level_file {
        prefixes.push("super::");
    }
    for prefix in prefixes {
        for (at, _) in code.match_indices(prefix) {
            // `xcrate::` is not a path to the crate
            if code[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &code[at + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `crate::{a::X, b, c::{…}}`: the first name of each item at depth 0
                let mut depth = 0;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            name(item.trim().split("::").next().unwrap_or(""));
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    if depth == 0 {
                        item.push(c);
                    }
                }
                name(item.trim().split("::").next().unwrap_or(""));
            } else {
                let ident: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                name(&ident);
            }
        }
    }
    found
}

/// `module → modules it imports`, for every library file (the binary's `main.rs` and `cli/` are above all).
fn import_graph(modules: &BTreeSet<String>) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut graph: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        if rel == "lib.rs" || rel == "main.rs" || rel.starts_with("cli/") {
            continue;
        }
        let module = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
        assert!(modules.contains(&module), "src/{rel}: module `{module}` is not in the layer table of src/lib.rs");
        let code = strip_comments(&std::fs::read_to_string(&file).unwrap());
        let top_level_file = !rel.contains('/');
        let entry = graph.entry(module.clone()).or_default();
        for target in imports(&code, top_level_file, modules).into_iter().filter(|t| *t != module) {
            entry.entry(target).or_default().push(format!("src/{rel}"));
        }
    }
    graph
}

#[test]
fn the_parser_sees_imports_and_skips_comments() {
    let modules: BTreeSet<String> = ["a", "b", "c", "d", "error"].iter().map(|s| s.to_string()).collect();
    let code = strip_comments(
        "use crate::a::X;\n/// see [`crate::b::Y`]\n// crate::c\n/* crate::c */ let s = \"//\"; crate::{d::Z, Error};",
    );
    assert_eq!(imports(&code, false, &modules), ["a", "d", "error"].iter().map(|s| s.to_string()).collect());
    assert_eq!(
        imports("use super::b; fn f() { crate::{c::{X, Y}}; }", true, &modules),
        ["b", "c"].iter().map(|s| s.to_string()).collect()
    );
    assert!(imports("use super::b;", false, &modules).is_empty(), "super:: inside a module stays inside it");
    assert!(imports("notcrate::a::X", false, &modules).is_empty());
}

#[test]
fn no_module_imports_a_higher_layer() {
    let table = layer_table();
    let modules: BTreeSet<String> = table.keys().cloned().collect();
    let graph = import_graph(&modules);
    let mut upward = Vec::new();
    for (module, targets) in &graph {
        for (target, files) in targets {
            if table[target] > table[module] {
                upward.push(format!(
                    "{module} (layer {}) imports {target} (layer {}) in {}",
                    table[module],
                    table[target],
                    files.join(", ")
                ));
            }
        }
    }
    assert!(upward.is_empty(), "imports of a higher layer:\n{}", upward.join("\n"));
    // the table lists no module that does not exist
    for m in &modules {
        assert!(
            src().join(format!("{m}.rs")).exists() || src().join(m).join("mod.rs").exists(),
            "the layer table names `{m}`, which has no src/{m}.rs or src/{m}/mod.rs"
        );
    }
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let table = layer_table();
    let modules: BTreeSet<String> = table.keys().cloned().collect();
    let graph = import_graph(&modules);
    // depth-first search; a back edge is a cycle
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(m) {
            Some(2) => return None,
            Some(1) => {
                let start = path.iter().position(|p| p == m).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(m.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(m.to_string(), 1);
        path.push(m.to_string());
        for next in graph.get(m).into_iter().flat_map(|t| t.keys()) {
            if let Some(c) = visit(next, graph, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in &modules {
        if let Some(cycle) = visit(m, &graph, &mut state, &mut Vec::new()) {
            let edges: Vec<String> =
                cycle.windows(2).map(|w| format!("{} → {} ({})", w[0], w[1], graph[&w[0]][&w[1]].join(", "))).collect();
            panic!("import cycle: {}", edges.join("; "));
        }
    }
}
