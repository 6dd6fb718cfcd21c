//! Every text answer compressed as the client accepts (brotli or gzip),
//! streamed ones included, chunk by chunk; tiny ones left alone.

use std::{io::Write, time::Duration};

use domain::events::EventKind;
use reqwest::header;
use serde_json::json;
use service::events::{publish, Change};

use crate::helpers::*;

/// Decodes a gzip stream as its chunks arrive.
pub(crate) struct Gunzip(flate2::write::GzDecoder<Vec<u8>>);

impl Gunzip {
    pub(crate) fn new() -> Self {
        Self(flate2::write::GzDecoder::new(Vec::new()))
    }

    /// Feeds one chunk; answers all the text decoded so far.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> String {
        self.0.write_all(chunk).unwrap();
        self.0.flush().unwrap();
        String::from_utf8_lossy(self.0.get_ref()).into_owned()
    }
}

pub(crate) fn unbrotli(body: &[u8]) -> String {
    let mut out = Vec::new();
    brotli_decompressor::BrotliDecompress(&mut &body[..], &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn pages_json_and_server_functions_are_compressed_as_the_client_accepts() {
    let app = TestApp::signed_in().await;

    // A page, as a browser asks for it.
    let res = app
        .client
        .get(app.url("/keys"))
        .header(header::ACCEPT, "text/html")
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(res.headers()[header::VARY], "accept-encoding");
    assert!(res.headers().get(header::CONTENT_LENGTH).is_none());
    let page = unbrotli(&res.bytes().await.unwrap());
    assert!(page.starts_with("<!DOCTYPE html>"), "{page:.200}");
    assert!(page.contains("</html>"), "the whole page came through");

    // REST JSON (the OpenAPI document is large), gzip when only gzip is accepted.
    let res = app
        .client
        .get(app.url("/openapi.json"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
    let json = Gunzip::new().feed(&res.bytes().await.unwrap());
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(doc["paths"].is_object());

    // A server function's answer.
    let res = app
        .client
        .get(app.url("/api/machines/fleet"))
        .header(header::ACCEPT, "application/json")
        .header(header::ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
    let fleet: serde_json::Value =
        serde_json::from_str(&unbrotli(&res.bytes().await.unwrap())).unwrap();
    assert_eq!(fleet["total"], 0);

    // Nothing accepted: nothing compressed.
    let res = app.get_page("/keys").await;
    assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
    assert!(res.text().await.unwrap().starts_with("<!DOCTYPE html>"));
}

#[tokio::test]
async fn tiny_answers_are_sent_as_they_are() {
    let app = TestApp::new().await;
    let res = app
        .anonymous_client()
        .get(app.url("/healthz"))
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
    assert!(res.bytes().await.unwrap().len() < 256);
}

#[tokio::test]
async fn the_event_stream_is_compressed_and_each_event_arrives_as_it_happens() {
    let app = TestApp::signed_in().await;
    let mut res = app
        .client
        .get(app.url("/events"))
        .header(header::ACCEPT, "text/event-stream")
        .header(header::ACCEPT_ENCODING, "gzip")
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
    let mut gunzip = Gunzip::new();
    for n in 1..=3 {
        let state = format!("state-number-{n}");
        let change = Change::new(
            EventKind::MachineChanged,
            domain::resource::machine("b1", "m1"),
            &json!({ "state": state }),
        );
        publish(app.services(), vec![change]).await.unwrap();
        // The event is decodable while the stream stays open: the
        // compressor flushed it rather than waiting for more.
        let arrived = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let chunk = res.chunk().await.unwrap().expect("the stream stays open");
                if gunzip.feed(&chunk).contains(&state) {
                    return;
                }
            }
        })
        .await;
        assert!(arrived.is_ok(), "event {n} never arrived through gzip");
    }
}
