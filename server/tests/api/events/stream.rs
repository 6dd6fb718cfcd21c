//! Reading a `text/event-stream` answer frame by frame. The cluster tests
//! read their streams with this file too.

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
    /// Opens `url` as an EventSource would (with `Last-Event-ID` when
    /// reconnecting); the answer must be a 200 event stream.
    pub async fn open(client: &reqwest::Client, url: &str, last_event_id: Option<&str>) -> Self {
        let mut req = client.get(url);
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        Self::send(req).await
    }

    /// Sends `request` as an EventSource would; the answer must be a 200
    /// event stream. A stream outlives the client's own request timeout.
    pub async fn send(request: reqwest::RequestBuilder) -> Self {
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

    /// The next event, which must come within 5 s.
    pub async fn next_event(&mut self) -> SseEvent {
        match self.next_frame(Duration::from_secs(5)).await {
            Frame::Event(e) => e,
            other => panic!("expected an event, got {other:?}"),
        }
    }
}
