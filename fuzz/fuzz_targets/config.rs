//! Config TOML through parsing and validation (every problem located, never a panic).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(source) = std::str::from_utf8(bytes) {
        if let Ok(config) = raqib::config::Config::from_toml(std::path::Path::new("/fuzz/config.toml"), source) {
            let _ = raqib::watch::Watchlist::compile(&config.watches);
        }
    }
});
