//! Reading a `text/event-stream` answer frame by frame (as in the api
//! tests' events/stream.rs).

use std::time::Duration;

/// One event of the stream.
#[derive(Debug, Default, Clone)]
pub struct SseEvent {
    pub id: String,
    pub event: String,
    pub data: String,
}

/// What reading the stream gave.
#[derive(Debug)]
pub enum Frame {
    Event(SseEvent),
    /// The server ended the stream.
    Ended,
    /// Nothing came in time.
    Silent,
}

pub struct SseReader {
    body: reqwest::Response,
    buffer: String,
}

impl SseReader {
    /// Sends `request` as an EventSource would; the answer must be a 200
    /// event stream.
    pub async fn open(request: reqwest::RequestBuilder) -> Self {
        let res = request
            .header("accept", "text/event-stream")
            .timeout(Duration::from_secs(300))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{:?}", res.url());
        let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        Self {
            body: res,
            buffer: String::new(),
        }
    }

    /// The next event (comments skipped) within `wait`.
    pub async fn next_frame(&mut self, wait: Duration) -> Frame {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent::default();
                let mut any = false;
                for line in block.lines() {
                    let (field, value) = line.split_once(':').unwrap_or((line, ""));
                    let value = value.strip_prefix(' ').unwrap_or(value);
                    match field {
                        "id" => event.id = value.to_owned(),
                        "event" => event.event = value.to_owned(),
                        "data" => event.data.push_str(value),
                        _ => continue,
                    }
                    any = true;
                }
                if any {
                    return Frame::Event(event);
                }
            }
            match tokio::time::timeout_at(deadline, self.body.chunk()).await {
                Err(_) => return Frame::Silent,
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Ok(None) | Err(_)) => return Frame::Ended,
            }
        }
    }
}
