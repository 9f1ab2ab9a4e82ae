//! Feed bytes through charset decoding, sanitizing and parsing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let (text, _) = raqib::fetch::charset::decode(bytes, None, None);
    if let Ok(base) = url::Url::parse("https://www.hespress.com/feed") {
        let _ = raqib::feed::parse(&text, &base, chrono_tz::Tz::Africa__Casablanca);
    }
});
