//! A page whose reader left is rendered to its end anyway, then thrown
//! away.
//!
//! A page is a stream rendered inside its own reactive owner. When the
//! browser goes away mid-page (a reload, a closed tab, a load tester
//! stopping), the server drops the body, and with it the owner, while a
//! `Suspense` of that page may still be checking its children (Leptos runs
//! that check from an effect, on the runtime): the check then reads signals
//! already disposed, and panics. Wrapped in [`finish`], a page's body that
//! is dropped before its end is handed to a task that reads it to its end
//! (at most [`LIMIT`]), so the owner outlives every part of its render.
//! That costs what the page would have cost had the reader stayed.

use std::{
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use axum::{body::Body, response::Response};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;

/// The longest an abandoned page is read for (a page waiting on a provider
/// waits at most the provider timeout).
pub const LIMIT: Duration = Duration::from_secs(60);

/// The middleware: wraps a page's body. Anything else the page routers
/// answer (server functions, whose streamed shell output must stop when
/// its reader leaves) passes through as it is.
pub async fn finish(response: Response) -> Response {
    if !is_html(&response) {
        return response;
    }
    response.map(|body| {
        Body::new(Finished {
            inner: Some(body),
            done: false,
        })
    })
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// A body that, dropped before its end, is read to its end elsewhere.
struct Finished {
    inner: Option<Body>,
    done: bool,
}

impl http_body::Body for Finished {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            self.done = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.inner.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        match &self.inner {
            Some(inner) if !self.done => inner.size_hint(),
            _ => SizeHint::with_exact(0),
        }
    }
}

impl Drop for Finished {
    fn drop(&mut self) {
        let Some(mut body) = self.inner.take() else {
            return;
        };
        if self.done || http_body::Body::is_end_stream(&body) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let rest = async { while let Some(Ok(_)) = body.frame().await {} };
            if tokio::time::timeout(LIMIT, rest).await.is_err() {
                tracing::warn!("an abandoned page was still rendering after {LIMIT:?}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    use futures_util::StreamExt;

    use super::*;

    /// A page of `chunks` chunks, counting those read in `read`.
    fn page(chunks: usize, read: Arc<AtomicUsize>) -> Response {
        let mut response = Response::new(counted(chunks, read));
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            "text/html; charset=utf-8".parse().unwrap(),
        );
        response
    }

    /// A body of `chunks` chunks, counting those read in `read`.
    fn counted(chunks: usize, read: Arc<AtomicUsize>) -> Body {
        let stream = futures_util::stream::iter(0..chunks).then(move |n| {
            let read = read.clone();
            async move {
                tokio::task::yield_now().await;
                read.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>(format!("chunk {n}\n"))
            }
        });
        Body::from_stream(stream)
    }

    #[tokio::test]
    async fn a_body_dropped_midway_is_read_to_its_end() {
        let read = Arc::new(AtomicUsize::new(0));
        let response = finish(page(50, read.clone())).await;
        let mut body = response.into_body();
        let first = body.frame().await.unwrap().unwrap();
        assert_eq!(first.into_data().unwrap(), "chunk 0\n");
        drop(body);
        for _ in 0..200 {
            if read.load(Ordering::SeqCst) == 50 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(read.load(Ordering::SeqCst), 50, "every chunk was rendered");
    }

    #[tokio::test]
    async fn a_body_read_whole_is_answered_as_it_was() {
        let read = Arc::new(AtomicUsize::new(0));
        let response = finish(page(3, read.clone())).await;
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(bytes, "chunk 0\nchunk 1\nchunk 2\n");
        assert_eq!(read.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn anything_but_a_page_stops_when_its_reader_leaves() {
        let read = Arc::new(AtomicUsize::new(0));
        let mut response = Response::new(counted(50, read.clone()));
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8".parse().unwrap(),
        );
        let mut body = finish(response).await.into_body();
        body.frame().await.unwrap().unwrap();
        drop(body);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(
            read.load(Ordering::SeqCst),
            1,
            "nothing read after the drop"
        );
    }
}
