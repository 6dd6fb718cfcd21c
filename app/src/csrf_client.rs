//! The client every state-changing server function uses: the browser's
//! fetch, plus the session's CSRF token in the `X-CSRFToken` header, read
//! from the `csrftoken` cookie the sign-in response set.

use std::future::Future;

use server_fn::{
    client::{browser::BrowserClient, Client},
    error::FromServerFnError,
    request::browser::BrowserRequest,
    response::browser::BrowserResponse,
};

/// A [`BrowserClient`] that adds the CSRF header.
pub struct CsrfClient;

impl<E, IS, OS> Client<E, IS, OS> for CsrfClient
where
    E: FromServerFnError,
    IS: FromServerFnError,
    OS: FromServerFnError,
{
    type Request = BrowserRequest;
    type Response = BrowserResponse;

    fn send(req: Self::Request) -> impl Future<Output = Result<Self::Response, E>> + Send {
        if let Some(token) = csrf_token() {
            req.headers().append("X-CSRFToken", &token);
        }
        <BrowserClient as Client<E, IS, OS>>::send(req)
    }

    fn open_websocket(
        path: &str,
    ) -> impl Future<
        Output = Result<
            (
                impl futures::Stream<Item = Result<server_fn::Bytes, server_fn::Bytes>> + Send + 'static,
                impl futures::Sink<server_fn::Bytes> + Send + 'static,
            ),
            E,
        >,
    > + Send {
        <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
    }

    fn spawn(future: impl Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<E, IS, OS>>::spawn(future)
    }
}

/// The `csrftoken` cookie's value, in the browser.
#[cfg(feature = "hydrate")]
pub(crate) fn csrf_token() -> Option<String> {
    use wasm_bindgen::JsCast;
    let document = web_sys::window()?.document()?;
    let cookies = document
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()?
        .cookie()
        .ok()?;
    cookies.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == "csrftoken" && !value.is_empty()).then(|| value.to_owned())
    })
}

/// On the server, server functions are called directly: no header needed.
#[cfg(not(feature = "hydrate"))]
pub(crate) fn csrf_token() -> Option<String> {
    None
}
