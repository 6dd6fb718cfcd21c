//! Request bodies nobody read. A handler may answer without reading the
//! body it was sent (a GET with a body, a refusal before the input is
//! read, an upload refused as too large); left unread, the body makes
//! hyper drop the keep-alive connection after the answer, without saying
//! so, and a client that reuses the connection fails. So the rest of an
//! unread body is read and thrown away (up to [`LIMIT`], within
//! [`DRAIN_TIME`]) before the answer leaves; a body that cannot be, the
//! answer says `Connection: close`, and the connection ends cleanly.

use std::{
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    body::{Body, Bytes, HttpBody},
    extract::Request,
    http::{header, HeaderValue, Version},
    middleware::Next,
    response::Response,
};
use http_body_util::BodyExt;
use tokio::sync::oneshot;

/// The most of a request body read: axum's default body limit, the one
/// every body extractor applies.
pub const LIMIT: u64 = 2 * 1024 * 1024;

/// How long the rest of an unread body may take to arrive.
pub const DRAIN_TIME: Duration = Duration::from_secs(10);

/// The middleware: outermost, so every answer (a refusal by the
/// authentication middleware too) is covered.
pub async fn drain_unread(req: Request, next: Next) -> Response {
    // HTTP/2 streams end on their own; a request without a body has
    // nothing to drain.
    if !matches!(req.version(), Version::HTTP_10 | Version::HTTP_11) || req.body().is_end_stream() {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let (back, mut returned) = oneshot::channel();
    let watched = Watched {
        inner: Some(body),
        read: 0,
        ended: false,
        back: Some(back),
    };
    let mut response = next
        .run(Request::from_parts(parts, Body::new(watched)))
        .await;
    // The body comes back only if it was dropped unread; still held (a
    // handler streaming its answer while it reads), it is left alone.
    if let Ok(unread) = returned.try_recv() {
        if !drain(unread).await {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
    }
    response
}

/// What is left of a body dropped before its end, and how much of it the
/// handler had read.
struct Unread {
    body: Body,
    read: u64,
}

/// Reads and discards the rest of a body. False when it could not be
/// (over the limit, too slow, broken): the connection will close.
async fn drain(Unread { mut body, mut read }: Unread) -> bool {
    if read.saturating_add(body.size_hint().lower()) > LIMIT {
        return false;
    }
    let rest = async {
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else { return false };
            if let Some(data) = frame.data_ref() {
                read = read.saturating_add(data.len() as u64);
                if read > LIMIT {
                    return false;
                }
            }
        }
        true
    };
    tokio::time::timeout(DRAIN_TIME, rest)
        .await
        .unwrap_or(false)
}

/// The request body as the handler gets it: counts what is read, and,
/// dropped before its end, hands the rest back to [`drain_unread`].
struct Watched {
    inner: Option<Body>,
    read: u64,
    ended: bool,
    back: Option<oneshot::Sender<Unread>>,
}

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.read = this.read.saturating_add(data.len() as u64);
                }
            }
            // An error ends the body too: there is nothing left to save.
            Poll::Ready(None) | Poll::Ready(Some(Err(_))) => this.ended = true,
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.ended || self.inner.as_ref().is_none_or(HttpBody::is_end_stream)
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| http_body::SizeHint::with_exact(0), HttpBody::size_hint)
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        if self.is_end_stream() {
            return;
        }
        if let (Some(body), Some(back)) = (self.inner.take(), self.back.take()) {
            // The middleware may have stopped listening (it no longer
            // waits once the answer is out); then hyper closes, as before.
            let _ = back.send(Unread {
                body,
                read: self.read,
            });
        }
    }
}
