//! A keep-alive connection outlives requests whose bodies the server does
//! not read (a GET with a body, a refusal before the body is read), and a
//! body too large to read ends the connection with `Connection: close`
//! said first. Written by hand over one TCP connection, as a client that
//! reuses its connection (mistclient's `requests` session) meets it.

use std::time::Duration;

use serde_json::{json, Value};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{
        tcp::{OwnedReadHalf, OwnedWriteHalf},
        TcpStream,
    },
};

use crate::helpers::*;

const WAIT: Duration = Duration::from_secs(15);

/// One answer, as read off the connection.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP/1.1 connection written by hand.
struct Conn {
    reader: Reader,
    write: OwnedWriteHalf,
}

/// The answers' side of a connection.
struct Reader {
    stream: BufReader<OwnedReadHalf>,
}

impl Conn {
    async fn open(app: &TestApp) -> Self {
        let stream = TcpStream::connect(app.addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (read, write) = stream.into_split();
        Self {
            reader: Reader {
                stream: BufReader::new(read),
            },
            write,
        }
    }

    /// Sends a request with `Content-Length`; the body follows the head
    /// after `pause` (a body that arrives a little later, as it does over a
    /// real network), or with it when there is none.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        pause: Option<Duration>,
    ) -> std::io::Result<()> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        match pause {
            Some(pause) => {
                self.write.write_all(head.as_bytes()).await?;
                self.write.flush().await?;
                tokio::time::sleep(pause).await;
                self.write.write_all(body).await?;
            }
            None => {
                let mut all = head.into_bytes();
                all.extend_from_slice(body);
                self.write.write_all(&all).await?;
            }
        }
        self.write.flush().await
    }

    async fn answer(&mut self) -> std::io::Result<Answer> {
        self.reader.answer().await
    }
}

impl Reader {
    /// Reads one answer (`Content-Length` or chunked); an error when the
    /// connection ends first.
    async fn answer(&mut self) -> std::io::Result<Answer> {
        tokio::time::timeout(WAIT, self.read_answer())
            .await
            .map_err(|_| std::io::Error::other("no answer in time"))?
    }

    async fn read_answer(&mut self) -> std::io::Result<Answer> {
        let closed = || std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed");
        let mut line = String::new();
        if self.stream.read_line(&mut line).await? == 0 {
            return Err(closed());
        }
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("status line {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                return Err(closed());
            }
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            if let Some((k, v)) = trimmed.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let mut answer = Answer {
            status,
            headers,
            body: Vec::new(),
        };
        if let Some(length) = answer.header("content-length") {
            let length: usize = length.parse().map_err(std::io::Error::other)?;
            answer.body = vec![0; length];
            self.stream.read_exact(&mut answer.body).await?;
        } else if answer
            .header("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
        {
            loop {
                line.clear();
                if self.stream.read_line(&mut line).await? == 0 {
                    return Err(closed());
                }
                let size = usize::from_str_radix(line.trim(), 16).map_err(std::io::Error::other)?;
                let mut chunk = vec![0; size + 2];
                self.stream.read_exact(&mut chunk).await?;
                if size == 0 {
                    break;
                }
                answer.body.extend_from_slice(&chunk[..size]);
            }
        }
        Ok(answer)
    }

    /// Whether the server has closed the connection (EOF or reset).
    async fn is_closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        matches!(
            tokio::time::timeout(WAIT, self.stream.read(&mut byte)).await,
            Ok(Ok(0) | Err(_))
        )
    }
}

/// A request to send: method, path, headers, body, and the status it gets.
type Request<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str, u16);

/// A token for the master, as mistclient gets one.
async fn token(app: &TestApp) -> String {
    let body: Value = app
        .anonymous_client()
        .post(app.url("/auth"))
        .json(&json!({"email": MASTER_EMAIL, "password": MASTER_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    format!("Token {}", body["mist_api_token"].as_str().unwrap())
}

#[tokio::test]
async fn requests_with_bodies_nobody_reads_leave_the_connection_usable() {
    let app = TestApp::with_master().await;
    let token = token(&app).await;
    let small = json!({"search_term": "amzn", "pad": "x".repeat(4000)}).to_string();
    let large = json!({"pad": "y".repeat(1024 * 1024)}).to_string();
    let json_type = ("Content-Type", "application/json");
    let accept = ("Accept", "application/json");
    let with_token = ("Authorization", token.as_str());
    // (method, path, headers, body, status): bodies the handler ignores, a
    // refusal before any handler, a body read and refused, a 1 MiB body
    // nobody reads.
    let requests: Vec<Request> = vec![
        (
            "GET",
            "/keys",
            vec![with_token, json_type, accept],
            &small,
            200,
        ),
        ("GET", "/healthz", vec![json_type], &small, 200),
        ("GET", "/keys", vec![json_type, accept], &small, 401),
        (
            "DELETE",
            "/keys/nope",
            vec![with_token, json_type],
            &small,
            404,
        ),
        (
            "GET",
            "/backends/nope/images",
            vec![with_token, json_type],
            &small,
            404,
        ),
        (
            "PUT",
            "/keys",
            vec![with_token, json_type],
            "{\"id\": ",
            400,
        ),
        (
            "GET",
            "/keys",
            vec![with_token, json_type, accept],
            &large,
            200,
        ),
    ];

    let rounds = 20;
    let mut conn = Conn::open(&app).await;
    let (mut answered, mut failed, mut closing) = (0, 0, 0);
    for round in 0..rounds {
        for (i, (method, path, headers, body, status)) in requests.iter().enumerate() {
            // Every other request's body arrives a moment after its head.
            let pause = ((round + i) % 2 == 0).then(|| Duration::from_millis(15));
            let sent = conn
                .send(method, path, headers, body.as_bytes(), pause)
                .await;
            match sent {
                Ok(()) => {}
                Err(_) => {
                    failed += 1;
                    conn = Conn::open(&app).await;
                    continue;
                }
            }
            match conn.answer().await {
                Ok(answer) => {
                    assert_eq!(
                        answer.status,
                        *status,
                        "{method} {path}: {}",
                        String::from_utf8_lossy(&answer.body)
                    );
                    answered += 1;
                    if answer
                        .header("connection")
                        .is_some_and(|v| v.eq_ignore_ascii_case("close"))
                    {
                        closing += 1;
                        conn = Conn::open(&app).await;
                    }
                }
                Err(_) => {
                    // The server dropped the connection without saying so.
                    failed += 1;
                    conn = Conn::open(&app).await;
                }
            }
        }
    }
    let total = rounds * requests.len();
    eprintln!("{answered} of {total} answered on the connection; {failed} failed; {closing} said Connection: close");
    assert_eq!(
        (failed, closing),
        (0, 0),
        "{failed} of {total} requests found the connection dropped"
    );
    assert_eq!(answered, total);
}

/// Uploads `size` bytes to `PUT /keys` (announced, or chunked with no
/// length) and reads the answer while the upload goes on.
async fn upload(app: &TestApp, token: &str, size: usize, chunked: bool) -> (Answer, bool) {
    let stream = TcpStream::connect(app.addr).await.unwrap();
    let (read, mut write) = stream.into_split();
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {size}")
    };
    let head = format!(
        "PUT /keys HTTP/1.1\r\nHost: localhost\r\nAuthorization: {token}\r\n\
         Content-Type: application/json\r\n{framing}\r\n\r\n"
    );
    let writer = tokio::spawn(async move {
        write.write_all(head.as_bytes()).await?;
        let piece = vec![b' '; 64 * 1024];
        let mut left = size;
        while left > 0 {
            let n = left.min(piece.len());
            if chunked {
                write.write_all(format!("{n:x}\r\n").as_bytes()).await?;
            }
            write.write_all(&piece[..n]).await?;
            if chunked {
                write.write_all(b"\r\n").await?;
            }
            left -= n;
        }
        if chunked {
            write.write_all(b"0\r\n\r\n").await?;
        }
        // Keep the write side open: the server, not the client, ends it.
        tokio::time::sleep(WAIT).await;
        std::io::Result::Ok(())
    });
    let mut reader = Reader {
        stream: BufReader::new(read),
    };
    let answer = reader.answer().await.unwrap();
    let closed = reader.is_closed().await;
    writer.abort();
    (answer, closed)
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_connection_close() {
    let app = TestApp::with_master().await;
    let token = token(&app).await;
    let limit = server::middleware::body::LIMIT as usize;
    for chunked in [false, true] {
        let (answer, closed) = upload(&app, &token, limit + 1024 * 1024, chunked).await;
        assert_eq!(answer.status, 413, "chunked {chunked}");
        let body: Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(body["error"], "too_large", "{body}");
        assert!(body["message"].is_string(), "{body}");
        assert_eq!(
            answer.header("connection"),
            Some("close"),
            "chunked {chunked}: the answer says the connection ends"
        );
        assert!(closed, "chunked {chunked}: and it ends");
    }
    // Just under the limit, unread by a refusal: drained, and the
    // connection stays.
    let mut conn = Conn::open(&app).await;
    let body = vec![b' '; limit - 1024];
    conn.send(
        "DELETE",
        "/keys/nope",
        &[("Authorization", &token)],
        &body,
        None,
    )
    .await
    .unwrap();
    let answer = conn.answer().await.unwrap();
    assert_eq!(answer.status, 404);
    assert_eq!(answer.header("connection"), None);
    conn.send("GET", "/healthz", &[], b"", None).await.unwrap();
    assert_eq!(conn.answer().await.unwrap().status, 200);
}
