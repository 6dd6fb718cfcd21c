//! The terminal websocket: a real PTY, typing and output, the same-origin
//! rule, and the end of a session when the user's rights are revoked.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue, Message};

use super::Lab;
use crate::{helpers::*, identity};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(
    lab: &Lab,
    path: &str,
    authorization: &str,
    origin: Option<&str>,
) -> Result<Socket, u16> {
    let mut req = format!("ws://{}{path}", lab.app.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(authorization).unwrap(),
    );
    if let Some(origin) = origin {
        req.headers_mut()
            .insert("origin", HeaderValue::from_str(origin).unwrap());
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => Err(res.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

/// Reads frames until the output contains `needle` (or 10 s pass); returns
/// the output and any text (control) frames.
async fn read_until(socket: &mut Socket, needle: &str) -> (String, Vec<Value>) {
    let mut out = String::new();
    let mut controls = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !out.contains(needle) && controls.is_empty() {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Binary(bytes)))) => out.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(Some(Ok(Message::Text(text)))) => {
                controls.push(serde_json::from_str(&text).unwrap())
            }
            Ok(Some(Ok(_))) => {}
            Ok(None | Some(Err(_))) | Err(_) => break,
        }
    }
    (out, controls)
}

async fn token(app: &TestApp) -> String {
    let res = app
        .api(Method::POST, "/tokens", Some(json!({"name": "term"})))
        .await;
    format!(
        "Token {}",
        res.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
    )
}

#[tokio::test]
async fn a_terminal_runs_what_is_typed_and_answers_resizes() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let auth = token(&lab.app).await;
    let path = format!("/backends/{b}/machines/{m}/terminal?cols=100&rows=30");
    let mut socket = open(&lab, &path, &auth, None).await.unwrap();
    socket
        .send(Message::Binary(b"stty size; echo h''i\n".to_vec().into()))
        .await
        .unwrap();
    let (out, controls) = read_until(&mut socket, "\nhi").await;
    assert!(controls.is_empty(), "{controls:?}");
    assert!(
        out.contains("30 100"),
        "the PTY has the asked size: {out:?}"
    );
    socket
        .send(Message::Text(
            json!({"type": "resize", "cols": 120, "rows": 40})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    socket
        .send(Message::Binary(b"stty size\n".to_vec().into()))
        .await
        .unwrap();
    let (out, _) = read_until(&mut socket, "40 120").await;
    assert!(out.contains("40 120"), "{out:?}");
    socket
        .send(Message::Binary(b"exit 4\n".to_vec().into()))
        .await
        .unwrap();
    let (_, controls) = read_until(&mut socket, "\u{0}never").await;
    assert_eq!(controls[0]["type"], "exit", "{controls:?}");

    // The end is recorded just after the last frame: wait for it.
    let mut text = String::new();
    for _ in 0..50 {
        let audit: Value = lab
            .app
            .get_json("/v3/audit?action=shell:machine")
            .await
            .json()
            .await
            .unwrap();
        text = audit.to_string();
        if text.contains("terminal closed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(text.contains("terminal opened"), "{text}");
    assert!(text.contains("terminal closed after"), "{text}");
}

#[tokio::test]
async fn a_page_of_another_site_cannot_open_a_terminal() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let auth = token(&lab.app).await;
    let path = format!("/backends/{b}/machines/{m}/terminal");
    let refused = open(&lab, &path, &auth, Some("http://evil.example")).await;
    assert_eq!(refused.err(), Some(403));
    let own = format!("http://{}", lab.app.addr);
    assert!(open(&lab, &path, &auth, Some(&own)).await.is_ok());
}

#[tokio::test]
async fn an_open_terminal_ends_when_the_users_rights_are_revoked() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    identity::create_user_with_scope(
        &lab.app,
        json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:machine", "shell:machine"], "Resource": ["*"]}
        ]}),
    )
    .await;
    let user = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    let path = format!("/backends/{b}/machines/{m}/terminal");
    let mut socket = open(&lab, &path, &user, None).await.unwrap();
    socket
        .send(Message::Binary(b"echo o''k\n".to_vec().into()))
        .await
        .unwrap();
    let (out, _) = read_until(&mut socket, "ok\r\n").await;
    assert!(out.contains("ok\r\n"), "{out:?}");

    // The master disables the user; the open terminal notices.
    let res = lab
        .app
        .api(
            Method::PUT,
            &format!("/v3/user/{}", identity::USER),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let (_, controls) = read_until(&mut socket, "\u{0}never").await;
    assert_eq!(
        controls.first().map(|c| c["type"].clone()),
        Some(json!("error")),
        "{controls:?}"
    );
    assert!(controls[0]["message"].as_str().unwrap().contains("revoked"));
}
