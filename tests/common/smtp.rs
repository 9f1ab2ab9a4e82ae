//! An SMTP server on 127.0.0.1 that keeps every message it accepts: EHLO, AUTH PLAIN and
//! LOGIN (any credentials, recorded), MAIL, RCPT, DATA, QUIT. It can refuse the first messages
//! with a transient 451, as a server under load does.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// One message as the server took it.
#[derive(Clone, Debug, Default)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The DATA section, dot-unstuffed.
    pub data: String,
    /// The decoded `AUTH PLAIN` or `AUTH LOGIN` user, if the client logged in.
    pub user: Option<String>,
}

#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    /// DATA commands still to refuse with 451.
    refuse: Arc<AtomicUsize>,
}

impl SmtpServer {
    pub fn start(refuse_first: usize) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let server = SmtpServer {
            port: listener.local_addr().unwrap().port(),
            mails: Arc::default(),
            refuse: Arc::new(AtomicUsize::new(refuse_first)),
        };
        let shared = server.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                thread::spawn(move || shared.serve(stream));
            }
        });
        server
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    fn serve(&self, stream: TcpStream) {
        let Ok(clone) = stream.try_clone() else {
            return;
        };
        let mut reader = BufReader::new(clone);
        let mut out = stream;
        let mut send = |line: &str| out.write_all(format!("{line}\r\n").as_bytes()).is_ok();
        if !send("220 localhost ESMTP test") {
            return;
        }
        let mut mail = Mail::default();
        let read_line = |reader: &mut BufReader<TcpStream>| {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => None,
                Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_string()),
            }
        };
        while let Some(line) = read_line(&mut reader) {
            let upper = line.to_ascii_uppercase();
            let ok = if upper.starts_with("EHLO") {
                send("250-localhost") && send("250-AUTH PLAIN LOGIN") && send("250 8BITMIME")
            } else if upper.starts_with("HELO") {
                send("250 localhost")
            } else if upper.starts_with("AUTH PLAIN") {
                let encoded = line.split_whitespace().nth(2).unwrap_or_default();
                let decoded = decode(encoded);
                mail.user = decoded.split('\0').nth(1).map(str::to_string);
                send("235 ok")
            } else if upper.starts_with("AUTH LOGIN") {
                let user = send("334 VXNlcm5hbWU6")
                    .then(|| read_line(&mut reader))
                    .flatten();
                mail.user = user.map(|u| decode(&u));
                send("334 UGFzc3dvcmQ6") && read_line(&mut reader).is_some() && send("235 ok")
            } else if upper.starts_with("MAIL FROM:") {
                mail.from = line[10..].trim().to_string();
                send("250 ok")
            } else if upper.starts_with("RCPT TO:") {
                mail.to.push(line[8..].trim().to_string());
                send("250 ok")
            } else if upper == "DATA" {
                if self.refuse.load(Ordering::SeqCst) > 0 {
                    self.refuse.fetch_sub(1, Ordering::SeqCst);
                    send("451 try again later")
                } else if send("354 go ahead") {
                    let mut data = String::new();
                    while let Some(l) = read_line(&mut reader) {
                        if l == "." {
                            break;
                        }
                        data.push_str(l.strip_prefix('.').unwrap_or(&l));
                        data.push('\n');
                    }
                    mail.data = data;
                    self.mails.lock().unwrap().push(std::mem::take(&mut mail));
                    send("250 queued")
                } else {
                    false
                }
            } else if upper == "RSET" || upper == "NOOP" {
                send("250 ok")
            } else if upper == "QUIT" {
                let _ = send("221 bye");
                return;
            } else {
                send("502 not implemented")
            };
            if !ok {
                return;
            }
        }
    }
}

/// Base64, for the AUTH exchanges.
pub fn decode(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for byte in text.bytes().filter(|b| *b != b'=') {
        let Some(value) = ALPHABET.iter().position(|a| *a == byte) else {
            continue;
        };
        bits = (bits << 6) | value as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
