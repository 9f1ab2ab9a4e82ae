//! Sitemap bytes through charset decoding, the root check and the streaming reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let (text, _) = raqib::fetch::charset::decode(bytes, None, None);
    let _ = raqib::sitemap::is_sitemap(&text);
    if let Ok(base) = url::Url::parse("https://www.hespress.com/sitemap_index.xml") {
        let _ = raqib::sitemap::parse(&text, &base, chrono_tz::Tz::Africa__Casablanca);
    }
});
