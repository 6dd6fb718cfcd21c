//! Every answer's body made safe to poll after its end.
//!
//! The compression layer polls a body once more after it has ended, and a
//! streamed body built on `futures::stream::unfold` (the event stream, the
//! streamed machine list, a server function's text stream) panics when
//! polled after its end. Inside the compression layer, every body is
//! wrapped so that, once ended, it stays ended.

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use axum::{body::Body, response::Response};
use http_body::{Frame, SizeHint};

/// The middleware: wraps the answer's body.
pub async fn fuse(response: Response) -> Response {
    response.map(|body| {
        Body::new(Fused {
            inner: body,
            done: false,
        })
    })
}

/// A body that answers "ended" for good once its inner body has.
struct Fused {
    inner: Body,
    done: bool,
}

impl http_body::Body for Fused {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        if self.done {
            return Poll::Ready(None);
        }
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            self.done = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        if self.done {
            SizeHint::with_exact(0)
        } else {
            self.inner.size_hint()
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::{middleware::map_response, routing::get, Router};
    use http::{header, Request};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    /// A streamed answer of three chunks whose stream panics if polled
    /// after its end.
    async fn streamed() -> Response {
        let stream = futures_util::stream::unfold(0, |n| async move {
            (n < 3).then(|| {
                (
                    Ok::<_, std::io::Error>(format!("chunk {n};").repeat(40)),
                    n + 1,
                )
            })
        });
        Response::builder()
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from_stream(stream))
            .unwrap()
    }

    #[tokio::test]
    async fn a_streamed_answer_ends_cleanly_through_compression() {
        let app = Router::new()
            .route("/", get(streamed))
            .layer(map_response(fuse))
            .layer(crate::assets::compression());
        let res = app
            .oneshot(
                Request::get("/")
                    .header(header::ACCEPT_ENCODING, "gzip")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .unwrap();
        assert_eq!(
            text,
            (0..3)
                .map(|n| format!("chunk {n};").repeat(40))
                .collect::<String>()
        );
    }
}
