//! A plain HTTP GET on loopback, for the daemon tests and the scrape bench: nothing between the
//! caller and the socket but the request line.

use std::io::{Read, Write};
use std::time::Duration;

/// GET `path` from `addr`: the status and body, or status 0 when nothing answers within
/// `timeout`.
pub fn get(addr: &str, path: &str, timeout: Duration) -> (u16, String) {
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return (0, String::new());
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let mut response = String::new();
    if write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .is_err()
        || stream.read_to_string(&mut response).is_err()
    {
        return (0, String::new());
    }
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}
