//! A form that posts to its server function as the browser would without
//! JavaScript: [`PostForm`] sends the form's own fields, URL-encoded, to
//! the server function's address, and [`PostAction`] holds the answer
//! (`value`, `pending`, `version`, as a `ServerAction` does).
//!
//! Why not Leptos's `ActionForm`: it reads the form back into the server
//! function's arguments in the browser (with serde_qs) only to encode them
//! again for the request. That reader is 40–50 KB of every page's
//! unoptimised browser code. The body sent here is the one a plain post
//! (no JavaScript) sends, which the server already reads, so both ways
//! through a form are one.
//!
//! The answer is read as `ServerAction` reads it: a failure status carries
//! the [`AppError`]; a redirect the server function asked for goes through
//! the router's redirect hook; a plain post that failed comes back with the
//! error in the address (`__err`, `__path`), shown by the action of the
//! server function it names.

use std::{marker::PhantomData, ops::Deref};

use leptos::{ev::SubmitEvent, html::Form, prelude::*};
use serde::de::DeserializeOwned;
use server_fn::ServerFn;

use crate::error::AppError;

/// What a post to `S` answered.
type Answer<S> = Result<<S as ServerFn>::Output, AppError>;

/// The state of the posts to one server function `S`: an [`Action`] whose
/// input is the URL-encoded body, and whose value is `S`'s answer.
pub struct PostAction<S: ServerFn> {
    action: Action<String, Answer<S>>,
    server_fn: PhantomData<fn() -> S>,
}

impl<S: ServerFn> Clone for PostAction<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ServerFn> Copy for PostAction<S> {}

impl<S: ServerFn> Deref for PostAction<S> {
    type Target = Action<String, Answer<S>>;

    fn deref(&self) -> &Self::Target {
        &self.action
    }
}

impl<S> Default for PostAction<S>
where
    S: ServerFn<Error = AppError> + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<S> PostAction<S>
where
    S: ServerFn<Error = AppError> + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    /// The action, holding the error of a plain post to `S` that failed
    /// and sent the browser back here.
    pub fn new() -> Self {
        let failed = failed_post(S::PATH).map(Err);
        Self {
            action: Action::new_with_value(failed, |body: &String| post(S::PATH, body.clone())),
            server_fn: PhantomData,
        }
    }

    /// Posts the form `ev` submits (with the button that submitted it),
    /// unless something already handled the event. A form whose fields
    /// cannot be read is left to the browser's own post.
    pub fn dispatch_form(&self, ev: &SubmitEvent) -> Option<ActionAbortHandle> {
        if ev.default_prevented() {
            return None;
        }
        let body = form_body(ev)?;
        ev.prevent_default();
        Some(self.action.dispatch(body))
    }
}

/// The form: `method="post"` to the server function's address, so it works
/// without JavaScript; once hydrated, a submit posts through `action`.
#[component]
pub fn PostForm<S>(
    /// Where the answer goes.
    action: PostAction<S>,
    /// Holds the `<form>` element.
    #[prop(optional)]
    node_ref: Option<NodeRef<Form>>,
    children: Children,
) -> impl IntoView
where
    S: ServerFn<Error = AppError> + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    let on_submit = move |ev: SubmitEvent| {
        action.dispatch_form(&ev);
    };
    view! {
        <form method="post" action=S::PATH node_ref=node_ref.unwrap_or_default() on:submit=on_submit>
            {children()}
        </form>
    }
}

/// The error of a plain post to the server function at `path` that failed
/// and sent the browser back to this page (`__path`, `__err` in its
/// address), if there is one.
pub fn failed_post(path: &str) -> Option<AppError> {
    // In islands mode the browser has no router to provide the error: the
    // island reads the address itself.
    #[cfg(all(feature = "islands", feature = "hydrate"))]
    return crate::address::query().with_untracked(|q| {
        let failed = q.get_str("__path") == Some(path);
        failed
            .then(|| q.get_str("__err").map(AppError::from_address))
            .flatten()
    });
    #[cfg(not(all(feature = "islands", feature = "hydrate")))]
    use_context::<ServerActionError>()
        .filter(|e| e.path() == path)
        .map(|e| AppError::from_address(e.err()))
}

/// The body a plain post of the form `ev` submits would carry (the
/// submitting button's name and value too, if it has a name: Leptos's
/// reader adds an unnamed one as an empty pair, which no browser sends).
#[cfg(feature = "hydrate")]
pub(crate) fn form_body(ev: &SubmitEvent) -> Option<String> {
    let data = leptos::form::form_data_from_event(ev).ok()?;
    let params = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    params.delete("");
    params.to_string().as_string()
}

/// Only the browser submits forms.
#[cfg(not(feature = "hydrate"))]
pub(crate) fn form_body(_ev: &SubmitEvent) -> Option<String> {
    None
}

/// Posts `body` to the server function at `path` and reads its answer.
#[cfg(feature = "hydrate")]
async fn post<O: DeserializeOwned>(path: &'static str, body: String) -> Result<O, AppError> {
    use server_fn::{
        client::Client,
        error::FromServerFnError,
        request::{browser::BrowserRequest, ClientReq},
        response::ClientRes,
    };

    let request = <BrowserRequest as ClientReq<AppError>>::try_new_post(
        path,
        "application/x-www-form-urlencoded",
        "application/json",
        body,
    )?;
    let response = <crate::csrf_client::CsrfClient as Client<AppError>>::send(request).await?;
    let status = ClientRes::<AppError>::status(&response);
    let redirect = (300..400).contains(&status) || ClientRes::<AppError>::has_redirect(&response);
    let location = ClientRes::<AppError>::location(&response);
    let text = ClientRes::<AppError>::try_into_string(response).await?;
    if (400..600).contains(&status) {
        return Err(AppError::de(text.into()));
    }
    let answer = crate::loaded::from_text(&text).map_err(|e| {
        AppError::from_server_fn_error(server_fn::error::ServerFnErrorErr::Deserialization(
            e.to_string(),
        ))
    })?;
    if redirect {
        // In islands mode no router has set the hook: the page is left.
        #[cfg(feature = "islands")]
        crate::address::navigator()(&location, Default::default());
        #[cfg(not(feature = "islands"))]
        server_fn::redirect::call_redirect_hook(&location);
    }
    Ok(answer)
}

/// On the server nothing is posted: pages dispatch only in the browser.
#[cfg(not(feature = "hydrate"))]
async fn post<O: DeserializeOwned>(_path: &'static str, _body: String) -> Result<O, AppError> {
    Err(AppError(domain::ErrorKind::Internal))
}

#[cfg(test)]
mod tests {
    use domain::ErrorKind;
    use leptos::prelude::*;
    use server_fn::{error::ServerFnUrlError, ServerFn};

    use super::PostAction;
    use crate::{
        api::keys::{DeleteKey, RenameKey},
        error::AppError,
    };

    /// The address a plain post to `path` that failed with `error` sends
    /// the browser back to, as the router reads it: `__path` and `__err`.
    fn sent_back(path: &str, error: AppError) -> ServerActionError {
        let url = ServerFnUrlError::new(path, error)
            .to_url("http://overcast.test/keys")
            .expect("a valid address");
        let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        ServerActionError::new(&query["__path"], &query["__err"])
    }

    #[test]
    fn a_plain_posts_failure_shows_in_the_action_of_its_own_server_function_only() {
        let owner = Owner::new();
        owner.set();
        let refused = AppError(ErrorKind::invalid("id", "no key named web"));
        provide_context(sent_back(DeleteKey::PATH, refused.clone()));

        let delete = PostAction::<DeleteKey>::new();
        let rename = PostAction::<RenameKey>::new();

        assert_eq!(delete.value().get_untracked(), Some(Err(refused)));
        assert_eq!(rename.value().get_untracked(), None);
        assert!(!delete.pending().get_untracked());
    }

    #[test]
    fn without_a_failure_in_the_address_the_action_is_empty() {
        let owner = Owner::new();
        owner.set();
        assert_eq!(PostAction::<DeleteKey>::new().value().get_untracked(), None);
    }
}
