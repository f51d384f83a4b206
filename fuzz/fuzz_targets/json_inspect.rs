//! Any bytes: `cccd::json::inspect` and `inspect_tree` (what `cccd inspect --json` and the C ABI's
//! `cccd_inspect` return) never panic, always give `{path, ok, content | error}`, and serialize.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for item in [cccd::json::inspect("f", data), cccd::json::inspect_tree("f", data)] {
        let ok = item["ok"].as_bool().expect("every item says ok");
        assert_eq!(item["path"], "f");
        assert!(if ok { item.get("content").is_some() } else { item["error"].is_string() }, "{item}");
        serde_json::to_string(&item).expect("the item serializes");
    }
});
