//! The fixed-answer server both clients talk to: full HTTP/1.1 responses by request line, the
//! same bytes for both sides, so the server costs them alike.

use std::{collections::HashMap, sync::Arc, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// Full HTTP responses by `METHOD path?query`.
pub type Answers = HashMap<String, Arc<Vec<u8>>>;

/// A whole HTTP/1.1 response with a JSON body.
pub fn response(status: &str, body: &[u8]) -> Arc<Vec<u8>> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    Arc::new(out)
}

/// Serves `answers` over HTTP/1.1 keep-alive on 127.0.0.1, each after `delay` (the network's
/// round trip, when not zero); returns the base URL.
///
/// The server runs on its own thread with its own single-threaded runtime, and the clients on
/// the main thread's (see `main`): on two cores each side has one, so the two clients' runs
/// do not also compete with the server for a scheduler.
pub async fn serve(answers: Answers, delay: Duration) -> String {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", std_listener.local_addr().unwrap());
    let answers = Arc::new(answers);
    let not_found = response("404 Not Found", b"{}");
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(accept(std_listener, answers, not_found, delay));
    });
    url
}

async fn accept(
    std_listener: std::net::TcpListener,
    answers: Arc<Answers>,
    not_found: Arc<Vec<u8>>,
    delay: Duration,
) {
    let listener = TcpListener::from_std(std_listener).unwrap();
    {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            socket.set_nodelay(true).unwrap();
            let answers = answers.clone();
            let not_found = not_found.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut read = BufReader::with_capacity(64 * 1024, read);
                let mut line = String::new();
                let mut body = Vec::new();
                loop {
                    line.clear();
                    if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let mut parts = line.split_whitespace();
                    let key = format!(
                        "{} {}",
                        parts.next().unwrap_or(""),
                        parts.next().unwrap_or("")
                    );
                    let mut length = 0;
                    loop {
                        let mut header = String::new();
                        if read.read_line(&mut header).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if header == "\r\n" {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                    body.resize(length, 0);
                    if read.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let answer = answers.get(&key).unwrap_or(&not_found);
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    if write.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    }
}
