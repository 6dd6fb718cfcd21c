//! A peer that misbehaves on purpose, the same way for every request
//! whatever its method or path (a token request, a listing, an XML-RPC
//! call), for the faults group (`faults`). It records each request.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::RETRY_AFTER;
use axum::response::Response;
use axum::Router;

use crate::peer_kit::{typed, Fault, Journal, Loopback, Seen};

/// How the peer answers every request.
#[derive(Clone, Copy, Debug)]
pub enum Misbehaviour {
    /// This status with a plain-text body, and this `Retry-After` if any.
    Status(u16, Option<&'static str>),
    /// `200` with [`GARBAGE`].
    Garbage,
    /// `400` with [`verbose`]: a long answer, not a provider's.
    Verbose,
    /// No answer: the connection stays open, silent.
    Silence,
}

/// A body no provider's format reads: truncated HTML (neither JSON nor
/// well-formed XML).
pub const GARBAGE: &str = "<html><body>502 Bad Gateway";

/// Ends [`verbose`]'s answer: no error may quote this far.
pub const VERBOSE_TAIL: &str = "END-OF-THE-PEERS-OWN-PAGE";

/// A long JSON answer with a message wherever a provider's error puts one
/// (`message`, `errors[].reason`, `error.message`, `badRequest.message`):
/// what an `apiurl` that is not the provider could answer.
pub fn verbose() -> String {
    let page = format!(
        "Internal page of another service\n{}{VERBOSE_TAIL}",
        "line of its own content, not a provider's message\n".repeat(400)
    );
    serde_json::json!({
        "message": page,
        "errors": [{"reason": page}],
        "error": {"message": page, "code": 400},
        "badRequest": {"message": page, "code": 400},
    })
    .to_string()
}

/// The peer's state: its journal and how it misbehaves.
pub struct Peer {
    journal: Arc<Journal<Seen<()>>>,
    how: Misbehaviour,
}

/// A running misbehaving peer.
pub type FaultPeer = Loopback<Seen<()>, Fault, Peer>;

/// Starts a peer answering every request as `how` says.
pub async fn start(how: Misbehaviour) -> FaultPeer {
    let state = |_url, journal| Peer { journal, how };
    Loopback::start(state, |peer| {
        Router::new().fallback(misbehave).with_state(peer)
    })
    .await
}

async fn misbehave(State(peer): State<Arc<Peer>>, req: Request) -> Response {
    peer.journal.record(Seen {
        method: req.method().to_string(),
        uri: req.uri().to_string(),
        body: (),
    });
    match peer.how {
        Misbehaviour::Status(status, retry_after) => {
            let text = format!("overcast fault peer: HTTP {status} on purpose");
            let mut resp = typed(status, "text/plain", &text);
            if let Some(after) = retry_after {
                resp.headers_mut()
                    .insert(RETRY_AFTER, after.parse().unwrap());
            }
            resp
        }
        Misbehaviour::Garbage => typed(200, "text/html", GARBAGE),
        Misbehaviour::Verbose => typed(400, "application/json", &verbose()),
        Misbehaviour::Silence => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            typed(204, "text/plain", "")
        }
    }
}
