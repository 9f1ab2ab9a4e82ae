//! A webhook receiver on 127.0.0.1: records every request (headers and body) and answers with
//! the status a test chooses, request by request.

use std::collections::HashMap;
use std::io::{BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// One request as received.
#[derive(Clone, Debug)]
pub struct Received {
    /// The path it was sent to.
    pub path: String,
    /// When it arrived.
    pub at: std::time::Instant,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: String,
    /// The status it was answered with.
    pub status: u16,
}

type Answer = Box<dyn Fn(usize) -> u16 + Send>;

/// What a request is answered with besides its status: extra headers and a body.
#[derive(Clone, Debug)]
pub struct Reply {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Default for Reply {
    fn default() -> Reply {
        Reply {
            headers: Vec::new(),
            body: "ok".into(),
        }
    }
}

type Replies = Box<dyn Fn(usize) -> Reply + Send>;

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    answer: Arc<Mutex<Answer>>,
    replies: Arc<Mutex<Replies>>,
    /// How long a request is held before it is answered.
    hold: Arc<Mutex<std::time::Duration>>,
}

impl Receiver {
    /// A receiver answering request `n` (from 0) with `answer(n)`.
    pub fn start(answer: impl Fn(usize) -> u16 + Send + 'static) -> Receiver {
        Receiver::start_on("127.0.0.1:0", answer)
    }

    /// A receiver listening on `addr` (a port a test kept free until now).
    pub fn start_on(addr: &str, answer: impl Fn(usize) -> u16 + Send + 'static) -> Receiver {
        let listener = TcpListener::bind(addr).expect("bind 127.0.0.1");
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let receiver = Receiver {
            url,
            received: Arc::default(),
            answer: Arc::new(Mutex::new(Box::new(answer))),
            replies: Arc::new(Mutex::new(Box::new(|_| Reply::default()))),
            hold: Arc::default(),
        };
        let shared = receiver.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                thread::spawn(move || shared.serve(stream));
            }
        });
        receiver
    }

    /// From now on answer with `answer(n)`.
    pub fn answer_with(&self, answer: impl Fn(usize) -> u16 + Send + 'static) {
        *self.answer.lock().unwrap() = Box::new(answer);
    }

    /// From now on answer request `n` with the headers and body of `reply(n)`.
    pub fn reply_with(&self, reply: impl Fn(usize) -> Reply + Send + 'static) {
        *self.replies.lock().unwrap() = Box::new(reply);
    }

    /// From now on hold each request this long before answering (a slow receiver); the
    /// request is recorded when it arrives.
    pub fn hold(&self, delay: std::time::Duration) {
        *self.hold.lock().unwrap() = delay;
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn serve(&self, stream: TcpStream) {
        let Ok(clone) = stream.try_clone() else {
            return;
        };
        let mut reader = BufReader::new(clone);
        let mut stream = stream;
        loop {
            let Some((path, headers)) = super::read_head(&mut reader) else {
                return;
            };
            let length: usize = headers
                .get("content-length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            let (status, reply) = {
                let mut received = self.received.lock().unwrap();
                let n = received.len();
                let status = (self.answer.lock().unwrap())(n);
                let reply = (self.replies.lock().unwrap())(n);
                received.push(Received {
                    path,
                    at: std::time::Instant::now(),
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                    status,
                });
                (status, reply)
            };
            let hold = *self.hold.lock().unwrap();
            thread::sleep(hold);
            let headers: String = reply
                .headers
                .iter()
                .map(|(name, value)| format!("{name}: {value}\r\n"))
                .collect();
            let response = format!(
                "HTTP/1.1 {status} X\r\n{headers}Content-Length: {}\r\n\r\n{}",
                reply.body.len(),
                reply.body
            );
            if stream.write_all(response.as_bytes()).is_err() {
                return;
            }
        }
    }
}
