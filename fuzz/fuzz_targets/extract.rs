//! Page bytes through charset decoding and extraction: no panic, no abort, bounded time.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let (html, _) = raqib::fetch::charset::decode(bytes, None, Some("ma"));
    let url = url::Url::parse("https://www.hespress.com/2025/12/02/article.html").ok();
    let _ = raqib::extract::extract(&html, url.as_ref());
});
