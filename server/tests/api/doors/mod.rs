//! One operation, one answer, whichever door: the page's server function
//! and the REST route give the same status and the same error body for the
//! same bad input, because both hand the raw input to the same service
//! function, which authorises, then validates, then acts.

use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::helpers::*;

mod admin;
mod keys;
mod machines;
mod refusals;
mod tokens;
mod two_factor;

pub(super) async fn answer(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The page's door (a server function, as the hydrated page calls it) and
/// the REST door, for the same input.
pub(super) async fn both(
    app: &TestApp,
    server_fn: &str,
    form: &[(&str, &str)],
    rest: (Method, &str, Value),
) -> ((u16, Value), (u16, Value)) {
    let page = answer(app.server_fn(server_fn, form, Some(&app.csrf())).await).await;
    let api = answer(app.api(rest.0, rest.1, Some(rest.2)).await).await;
    (page, api)
}

/// A server function with its form, and the REST route with its body.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Method, &'a str, Value);

/// A form's fields.
type Form<'a> = Vec<(&'a str, &'a str)>;

/// [`Case`] with the form and the path built by the test.
type BuiltCase<'a> = (&'a str, Form<'a>, Method, String, Value);

/// The status and body of a server function called with API credentials
/// (no cookies), as `auth` would call it.
pub(super) async fn page_as(
    app: &TestApp,
    auth: &str,
    server_fn: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    answer(
        app.anonymous_client()
            .post(app.url(&format!("/api/{server_fn}")))
            .header(reqwest::header::AUTHORIZATION, auth)
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}
