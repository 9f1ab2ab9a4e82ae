//! The dependency direction ARCHITECTURE.md states, read from the sources: every module of
//! the library uses only modules of lower layers (so no two depend on each other), and
//! rusqlite is named only inside `store/`, so a second storage backend replaces one module;
//! and the daemon never names the SQLite writer (`Store`): it reaches storage through the seam.
//! Test code is left out: a unit test may reach across (a date test checks the store can
//! write its cutoff).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each module's layer, lowest first: a module may use those of lower layers only.
const LAYERS: &[&[&str]] = &[
    &["text"],
    &["date"],
    &["extract"],
    &["feed", "config"],
    &["schedule", "watch", "story", "page", "sitemap"],
    &["fetch", "discover"],
    &["alert"],
    &["store"],
    &["health", "listing", "metrics", "opml", "rescan", "search"],
    &["web"],
    &["daemon"],
];

fn layer(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|layer| layer.contains(&module))
        .unwrap_or_else(|| {
            panic!("module {module} has no layer: add it to LAYERS and to ARCHITECTURE.md")
        })
}

/// Every source file under `dir`.
fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// A file's code without its comments and its test module.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text[..],
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What `code` names after `prefix`: `prefix a…` and `prefix{a, b::…}`.
fn named_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices(prefix) {
        let rest = &code[at + prefix.len()..];
        match rest.strip_prefix('{') {
            Some(group) => {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                found.extend(group.split(',').map(ident));
            }
            None => {
                found.insert(ident(rest));
            }
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

/// The modules of this crate that `code` names: `crate::a::…` and `crate::{a, b::…}`.
fn used(code: &str) -> BTreeSet<String> {
    named_after(code, "crate::")
}

#[test]
fn modules_depend_only_on_lower_layers() {
    let src = src();
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let module = relative.iter().next().unwrap().to_string_lossy();
        let module = module.trim_end_matches(".rs");
        // The binary (`main.rs`, `cli/`) sits above the library.
        if ["main", "lib", "cli"].contains(&module) || relative.ends_with("tests.rs") {
            continue;
        }
        for other in used(&code(file)) {
            if other != module && layer(&other) >= layer(module) {
                wrong.push(format!("{} uses {other}", relative.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "against the dependency direction: {wrong:#?}"
    );
}

#[test]
fn rusqlite_is_named_only_inside_store() {
    let src = src();
    let mut files = Vec::new();
    sources(&src, &mut files);
    let outside: Vec<String> = files
        .iter()
        .filter(|f| !f.starts_with(src.join("store")))
        .filter(|f| code(f).contains("rusqlite"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
}

/// The daemon reaches storage only through the seam (`store/seam.rs`): it never takes the
/// SQLite writer, so a second backend needs no change there.
#[test]
fn the_daemon_reaches_storage_only_through_the_seam() {
    let daemon = src().join("daemon");
    let mut files = Vec::new();
    sources(&daemon, &mut files);
    let naming: Vec<String> = files
        .iter()
        .filter(|f| named_after(&code(f), "crate::store::").contains("Store"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(naming.is_empty(), "the SQLite writer taken in {naming:?}");
    assert_eq!(
        named_after(
            "use crate::store::{FeedState, Store, StoreError};\ncrate::store::Store::open(p)",
            "crate::store::"
        ),
        BTreeSet::from(["FeedState".to_string(), "Store".into(), "StoreError".into()])
    );
}

#[test]
fn the_reader_sees_through_groups_and_skips_comments() {
    assert_eq!(
        used("use crate::{config::Watch, watch};\nlet x = crate::store::timestamp(t);"),
        BTreeSet::from(["config".to_string(), "store".into(), "watch".into()])
    );
    let file = std::env::temp_dir().join(format!("raqib-deps-{}.rs", std::process::id()));
    std::fs::write(
        &file,
        "//! see [`crate::store`]\nuse crate::text;\n#[cfg(test)]\nmod tests {\n    use crate::daemon;\n}\n",
    )
    .unwrap();
    let read = code(&file);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(used(&read), BTreeSet::from(["text".to_string()]));
}
