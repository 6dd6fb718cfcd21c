//! What the loopback peers share: serving a `Router` on a free loopback
//! port, the journal of requests seen and faults scripted, the running
//! peer's handle, and an observing middleware for JSON-style providers that
//! records each request and answers the next scripted [`Fault`] instead.
//!
//! Each peer keeps its own routes, error bodies and scenarios; the provider
//! tells the middleware how to read a body, how to render a status fault and
//! whose credentials to refuse ([`Rules`]).

use std::collections::VecDeque;
use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;
use tokio::net::TcpListener;

/// Binds a free loopback port; returns it and `http://127.0.0.1:<port>`.
async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// Serves `app` on `listener` until the test's runtime stops.
fn spawn(listener: TcpListener, app: Router) {
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
}

/// Serves `app` on a free loopback port; returns `http://127.0.0.1:<port>`.
pub async fn serve(app: Router) -> String {
    let (listener, url) = bind().await;
    spawn(listener, app);
    url
}

/// A fault the peer answers with instead of the next request's real answer.
#[derive(Clone, Debug)]
pub enum Fault {
    /// This status with the provider's error body carrying this message,
    /// and an optional `Retry-After`.
    Status(u16, &'static str, Option<&'static str>),
    /// Wait this long, then answer normally.
    Delay(Duration),
}

/// How a seen request reads in [`Journal::requests`].
pub trait Logged {
    /// `"METHOD uri"`, or the provider's equivalent.
    fn line(&self) -> String;
}

/// One request as the peer saw it, its body read as the provider reads it
/// (JSON by default).
#[derive(Clone, Debug)]
pub struct Seen<B = Option<Value>> {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// The body, as read.
    pub body: B,
}

impl<B> Logged for Seen<B> {
    fn line(&self) -> String {
        format!("{} {}", self.method, self.uri)
    }
}

/// The requests a peer saw and the faults scripted for the next ones.
pub struct Journal<S, F = Fault> {
    seen: Mutex<Vec<S>>,
    faults: Mutex<VecDeque<F>>,
}

impl<S, F> Default for Journal<S, F> {
    fn default() -> Self {
        Journal {
            seen: Mutex::default(),
            faults: Mutex::default(),
        }
    }
}

impl<S: Clone, F> Journal<S, F> {
    /// Answers the next requests with `faults`, in order.
    pub fn fail_next(&self, faults: impl IntoIterator<Item = F>) {
        self.faults.lock().unwrap().extend(faults);
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<S> {
        self.seen.lock().unwrap().clone()
    }

    /// Requests so far as `"METHOD uri"` (or the provider's equivalent).
    pub fn requests(&self) -> Vec<String>
    where
        S: Logged,
    {
        self.seen.lock().unwrap().iter().map(Logged::line).collect()
    }

    /// Notes a request.
    pub fn record(&self, seen: S) {
        self.seen.lock().unwrap().push(seen);
    }

    /// The fault scripted for this request, if any.
    pub fn next_fault(&self) -> Option<F> {
        self.faults.lock().unwrap().pop_front()
    }
}

/// A running peer: its URL, its journal (which it derefs to) and the
/// provider's own state. Stops with the test's runtime.
pub struct Loopback<S, F = Fault, X = ()> {
    /// `http://127.0.0.1:<port>...`, the driver's endpoint.
    pub url: String,
    journal: Arc<Journal<S, F>>,
    state: Arc<X>,
}

impl<S, F> Loopback<S, F> {
    /// A peer at `url` keeping `journal`.
    pub fn new(url: String, journal: Arc<Journal<S, F>>) -> Self {
        let state = Arc::new(());
        Loopback {
            url,
            journal,
            state,
        }
    }
}

impl<S, F, X> Loopback<S, F, X> {
    /// Serves on a free loopback port the router `app` makes of the
    /// provider's state, which `state` makes of the peer's URL and journal
    /// (for a peer that answers with its own URL).
    pub async fn start(
        state: impl FnOnce(String, Arc<Journal<S, F>>) -> X,
        app: impl FnOnce(Arc<X>) -> Router,
    ) -> Self {
        let (listener, url) = bind().await;
        let journal = Arc::new(Journal::default());
        let state = Arc::new(state(url.clone(), journal.clone()));
        spawn(listener, app(state.clone()));
        Loopback {
            url,
            journal,
            state,
        }
    }

    /// The provider's own state.
    pub fn state(&self) -> &X {
        &self.state
    }
}

impl<S, F, X> Deref for Loopback<S, F, X> {
    type Target = Journal<S, F>;

    fn deref(&self) -> &Journal<S, F> {
        &self.journal
    }
}

/// What the observing middleware asks of a provider.
pub struct Rules<B> {
    /// The body as the journal keeps it.
    pub read: fn(&[u8]) -> B,
    /// The provider's error answer for a scripted [`Fault::Status`]
    /// (status, message).
    pub status: fn(u16, &str) -> Response,
    /// The provider's refusal of the request's credentials; `None` lets the
    /// request through.
    pub refuse: fn(&HeaderMap) -> Option<Response>,
}

impl<B> Clone for Rules<B> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<B> Copy for Rules<B> {}

/// Serves `app` on a free loopback port behind the observing middleware:
/// each request is recorded, answered with the next scripted fault if there
/// is one, then refused or let through by `rules.refuse`.
pub async fn serve_observed<B>(app: Router, rules: Rules<B>) -> Loopback<Seen<B>>
where
    B: Clone + Send + Sync + 'static,
{
    let journal = Arc::new(Journal::default());
    let observer = Observer {
        journal: journal.clone(),
        rules,
    };
    let app = app.layer(middleware::from_fn_with_state(observer, observe::<B>));
    Loopback::new(serve(app).await, journal)
}

/// The observing middleware's state.
struct Observer<B> {
    journal: Arc<Journal<Seen<B>>>,
    rules: Rules<B>,
}

impl<B> Clone for Observer<B> {
    fn clone(&self) -> Self {
        Observer {
            journal: self.journal.clone(),
            rules: self.rules,
        }
    }
}

async fn observe<B: Clone>(
    State(Observer { journal, rules }): State<Observer<B>>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, 1 << 20).await.unwrap();
    journal.record(Seen {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        body: (rules.read)(&bytes),
    });
    match journal.next_fault() {
        Some(Fault::Status(status, message, retry_after)) => {
            let mut resp = (rules.status)(status, message);
            if let Some(after) = retry_after {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, after.parse().unwrap());
            }
            return resp;
        }
        Some(Fault::Delay(wait)) => tokio::time::sleep(wait).await,
        None => {}
    }
    if let Some(refusal) = (rules.refuse)(&parts.headers) {
        return refusal;
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The body read as JSON, if it is.
pub fn read_json(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice(bytes).ok()
}

/// `status` with a body of `content_type`.
pub fn typed(status: u16, content_type: &'static str, body: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    (
        status,
        [(header::CONTENT_TYPE, content_type)],
        body.to_owned(),
    )
        .into_response()
}

/// `status` with a JSON body.
pub fn answer(status: u16, body: &str) -> Response {
    typed(status, "application/json", body)
}

/// `200` with a JSON body.
pub fn ok(body: &str) -> Response {
    answer(200, body)
}

/// The bearer token of `headers`, or `""`.
pub fn bearer(headers: &HeaderMap) -> &str {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    auth.and_then(|a| a.strip_prefix("Bearer ")).unwrap_or("")
}
