//! Tests that need what a machine may lack (the benchmarks beside the repository, Linux
//! namespaces): under `CI=true` they fail, elsewhere they say out loud that they checked
//! nothing. A test that passes without testing is a defect.

use std::io::Write;

/// Whether this run is CI's (`.ci/run` sets `CI=true` for the tests).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The test cannot check `what`, for this reason: a failure under CI, elsewhere a `skipped:`
/// line on standard error written past the test harness's capture, so that `cargo test`
/// shows it for a test that then passes.
pub fn unavailable(what: &str, why: &str) {
    assert!(!in_ci(), "CI=true and {what} cannot be checked: {why}");
    let _ = writeln!(std::io::stderr(), "skipped: {what}: {why}");
}
