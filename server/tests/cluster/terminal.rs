//! The terminal's websocket through nginx (the upgrade headers of
//! docs/nginx-overcast.conf), as a browser on the proxy's origin opens it.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue, Message};

use crate::harness::Cluster;

/// Opens machine `m`'s terminal through nginx, types a command, and reads
/// its output back.
pub async fn typed_through_nginx(cluster: &Cluster, b: &str, m: &str) {
    let url = format!(
        "ws://127.0.0.1:{}/backends/{b}/machines/{m}/terminal?cols=80&rows=24",
        cluster.nginx.port
    );
    let mut req = url.into_client_request().unwrap();
    let headers = req.headers_mut();
    headers.insert(
        "authorization",
        HeaderValue::from_str(&cluster.token).unwrap(),
    );
    // A browser's page on the proxy's origin (the instances' public URL).
    let origin = cluster.nginx.url("");
    headers.insert("origin", HeaderValue::from_str(&origin).unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(req)
        .await
        .unwrap_or_else(|e| panic!("no websocket through nginx: {e}\n{}", cluster.logs()));
    socket
        .send(Message::Binary(b"echo through''nginx\n".to_vec().into()))
        .await
        .unwrap();
    let mut out = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !out.contains("throughnginx") {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Binary(bytes)))) => out.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(Some(Ok(_))) => {}
            other => panic!("the terminal ended: {other:?}; output {out:?}"),
        }
    }
    let _ = socket.close(None).await;
}
