//! A scripted HTTP server for what the emulator cannot do (corrupt a CRC, show the raw
//! request): it answers the Nth request with the Nth canned response, keeping the
//! connection alive, and records each request head and body as received.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use cos_blocking::Client;

/// The head (request line and headers) and body of one request.
pub type Recorded = (String, Vec<u8>);

/// A running scripted server; it stops after its last response.
pub struct Scripted {
    pub address: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Scripted {
    pub fn start(responses: Vec<Vec<u8>>) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("addr").to_string();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            let mut responses = responses.into_iter();
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut writer = stream;
                while let Some((head, body)) = read_request(&mut reader) {
                    seen.lock().expect("lock").push((head, body));
                    let Some(resp) = responses.next() else { return };
                    if writer.write_all(&resp).is_err() {
                        break;
                    }
                }
            }
        });
        Scripted { address, requests }
    }

    /// The heads of the requests received so far.
    pub fn heads(&self) -> Vec<String> {
        let requests = self.requests.lock().expect("lock");
        requests.iter().map(|(h, _)| h.clone()).collect()
    }
}

fn read_request(reader: &mut impl BufRead) -> Option<Recorded> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let len = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some((head, body))
}

/// An HTTP/1.1 response with `status`, extra headers and `body`.
pub fn http_response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A client with the test key connecting to `address`.
pub fn client_at(
    address: &str,
    config: impl FnOnce(cos_blocking::Config) -> cos_blocking::Config,
) -> Client {
    Client::builder()
        .secret(super::SECRET_ID, super::SECRET_KEY)
        .config(config(super::test_config().connect_address(address)))
        .build()
        .expect("client")
}
