//! The Machines page, kept rendered for a moment: a browser reloading it
//! (an operator's wall screen, a refresh key held down, a load tester) gets
//! the page rendered for its session less than [`FRESH`] ago, with this
//! answer's own CSP nonce put in, instead of a render of every row again.
//!
//! A kept page is served only to the session it was rendered for (the key
//! holds the session's CSRF token, which the page carries), for the same
//! address, account, email and rights generation, and only while nothing
//! could have changed it that this instance knows of:
//!
//! - no event was forwarded since (`Bus::forwarded`: every change to a
//!   machine or a backend, made here or by another instance, is one);
//! - no request that may write (any method but GET and HEAD, or a GET that
//!   acts) began or ended here since: it counts when it comes in and again
//!   when its answer leaves, so a page rendered while a write was under way
//!   is never served after it;
//! - it is younger than [`FRESH`] (`--page-cache-ms`), which bounds what
//!   the two rules cannot see: the Age column's seconds, and a change
//!   another instance made without an event (a user's chosen columns).
//!
//! The rights generation is read with the session on every view, so a role
//! changed anywhere is seen on the next one.
//!
//! Only a whole answer of 200 `text/html` is kept, and only one the reader
//! read to its end whose render left the session as it was (a page that
//! takes something shown once out of it is never shown again); each at
//! most [`MAX_PAGE`] bytes, all together at most [`MAX_HELD`].

use std::{
    collections::HashMap,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use http_body::Frame;
use service::{session::Credential, Actor, CsrfToken};
use tower_sessions::Session;

use crate::{
    middleware::{gate, headers::CspNonce},
    AppState,
};

/// The pages kept.
pub const KEPT_PATHS: &[&str] = &["/machines"];
/// How long a kept page is served, unless set otherwise.
pub const FRESH: Duration = Duration::from_secs(1);
/// The largest page kept.
const MAX_PAGE: usize = 2 << 20;
/// The most bytes kept at once.
const MAX_HELD: usize = 16 << 20;

/// What a kept page was rendered for: all of it must match.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    address: String,
    token: String,
    account: String,
    email: String,
    master: bool,
    rights: i64,
    events: i64,
    writes: u64,
}

/// A kept page: its status and headers, and its body cut where the nonce
/// it was rendered with stood.
#[derive(Debug)]
struct Kept {
    made: Instant,
    status: StatusCode,
    headers: HeaderMap,
    parts: Vec<Bytes>,
    size: usize,
}

impl Kept {
    /// The page again, with `nonce` where its own stood.
    fn answer(&self, nonce: &str) -> Response {
        let mut body = Vec::with_capacity(self.size + nonce.len() * self.parts.len());
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(part);
        }
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }
}

/// The kept pages and the count of writes they are measured against.
#[derive(Debug)]
pub struct PageCache {
    kept: Mutex<HashMap<Key, Arc<Kept>>>,
    writes: AtomicU64,
    /// How long a page is served, in ms (0: none is kept).
    fresh_ms: AtomicU64,
    hits: AtomicU64,
}

impl Default for PageCache {
    fn default() -> Self {
        Self {
            kept: Mutex::default(),
            writes: AtomicU64::new(0),
            fresh_ms: AtomicU64::new(FRESH.as_millis() as u64),
            hits: AtomicU64::new(0),
        }
    }
}

impl PageCache {
    /// Serves a page for `fresh` after its render (zero: keeps none).
    pub fn keep_for(&self, fresh: Duration) {
        let ms = u64::try_from(fresh.as_millis()).unwrap_or(u64::MAX);
        self.fresh_ms.store(ms, Ordering::Release);
    }

    fn fresh(&self) -> Duration {
        Duration::from_millis(self.fresh_ms.load(Ordering::Acquire))
    }

    /// How many views were answered with a kept page.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Acquire)
    }

    /// Counts a request that may write.
    fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::AcqRel);
    }

    fn get(&self, key: &Key) -> Option<Arc<Kept>> {
        let fresh = self.fresh();
        let pages = self.kept.lock().ok()?;
        let kept = pages
            .get(key)
            .filter(|kept| kept.made.elapsed() < fresh)
            .cloned();
        if kept.is_some() {
            self.hits.fetch_add(1, Ordering::AcqRel);
        }
        kept
    }

    fn put(&self, key: Key, kept: Kept) {
        let fresh = self.fresh();
        let Ok(mut pages) = self.kept.lock() else {
            return;
        };
        pages.retain(|_, k| k.made.elapsed() < fresh);
        if fresh.is_zero() {
            return;
        }
        let bytes: usize = pages.values().map(|k| k.size).sum();
        if bytes + kept.size <= MAX_HELD {
            pages.insert(key, Arc::new(kept));
        }
    }

    /// How many pages are kept (expired ones included until the next put).
    pub fn len(&self) -> usize {
        self.kept
            .lock()
            .map(|pages| pages.len())
            .unwrap_or_default()
    }

    /// Whether no page is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether `req` may write: anything but a GET or HEAD, and the GETs that
/// act.
fn may_write(req: &Request) -> bool {
    !matches!(*req.method(), Method::GET | Method::HEAD) || gate::is_acting_get(req.uri().path())
}

/// The key of a page that may be kept, with the nonce this answer uses.
fn key_of(state: &AppState, req: &Request) -> Option<(Key, String)> {
    let path = req.uri().path();
    if req.method() != Method::GET
        || !KEPT_PATHS.contains(&path)
        || !gate::is_page_request(req.method(), path, req.headers())
    {
        return None;
    }
    let ext = req.extensions();
    let actor = ext.get::<Actor>()?;
    if !matches!(actor.via, Credential::Session)
        || ext
            .get::<service::two_factor::sign_in::EnrolOnly>()
            .is_some()
    {
        return None;
    }
    let token = ext.get::<CsrfToken>()?;
    let nonce = ext.get::<CspNonce>()?;
    let key = Key {
        address: req.uri().path_and_query()?.as_str().to_owned(),
        token: token.0.clone(),
        account: actor.account_id.clone(),
        email: actor.email.clone(),
        master: actor.is_master,
        rights: actor.rights_generation,
        events: state.services.events.forwarded(),
        writes: state.page_cache.writes.load(Ordering::Acquire),
    };
    Some((key, nonce.0.clone()))
}

/// The middleware, inside authentication: serves a kept page, keeps a
/// page rendered, and counts the requests that may write.
pub async fn serve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cache = state.page_cache.clone();
    if may_write(&req) {
        cache.wrote();
        let response = next.run(req).await;
        cache.wrote();
        return response;
    }
    let Some((key, nonce)) = key_of(&state, &req) else {
        return next.run(req).await;
    };
    let Some(session) = req.extensions().get::<Session>().cloned() else {
        return next.run(req).await;
    };
    if let Some(kept) = cache.get(&key) {
        return kept.answer(&nonce);
    }
    let response = next.run(req).await;
    let keepable = response.status() == StatusCode::OK
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
        && !response.headers().contains_key(header::SET_COOKIE);
    if !keepable || nonce.is_empty() || cache.fresh().is_zero() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let keeping = Keeping {
        inner: body,
        read: Vec::new(),
        size: 0,
        to: Some(To {
            cache,
            session,
            key,
            nonce,
            status: parts.status,
            headers: parts.headers.clone(),
        }),
    };
    Response::from_parts(parts, Body::new(keeping))
}

/// Where a page read to its end goes.
struct To {
    cache: Arc<PageCache>,
    session: Session,
    key: Key,
    nonce: String,
    status: StatusCode,
    headers: HeaderMap,
}

/// A page's body passed on as it comes, and kept once it has ended.
struct Keeping {
    inner: Body,
    read: Vec<Bytes>,
    size: usize,
    to: Option<To>,
}

impl Keeping {
    fn keep(&mut self) {
        let Some(to) = self.to.take() else {
            return;
        };
        if to.session.is_modified() {
            return;
        }
        let mut whole = Vec::with_capacity(self.size);
        for chunk in self.read.drain(..) {
            whole.extend_from_slice(&chunk);
        }
        let Ok(text) = std::str::from_utf8(&whole) else {
            return;
        };
        let parts = text
            .split(to.nonce.as_str())
            .map(|p| Bytes::copy_from_slice(p.as_bytes()))
            .collect();
        to.cache.put(
            to.key,
            Kept {
                made: Instant::now(),
                status: to.status,
                headers: to.headers,
                parts,
                size: whole.len(),
            },
        );
    }
}

impl http_body::Body for Keeping {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => match frame.data_ref() {
                Some(data) if this.to.is_some() => {
                    this.size += data.len();
                    if this.size > MAX_PAGE {
                        this.to = None;
                        this.read.clear();
                    } else {
                        this.read.push(data.clone());
                    }
                    // Its last frame: the reader may not ask again.
                    if this.inner.is_end_stream() {
                        this.keep();
                    }
                }
                Some(_) => {}
                // Trailers: not a plain page.
                None => {
                    this.to = None;
                    this.read.clear();
                }
            },
            Poll::Ready(Some(Err(_))) => {
                this.to = None;
                this.read.clear();
            }
            Poll::Ready(None) => this.keep(),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
