//! A form whose submit opens an address (`method="get"`: filters, a
//! comparison). Without JavaScript the browser opens `action?fields`;
//! hydrated, it is opened through `crate::address` (the router, or in place
//! in islands mode), so the page is not loaded again.
//! What leptos_router's `Form` does for a GET, without the code it carries
//! for posting (error and response hooks, multipart), which every page
//! using it would load.

use leptos::{ev::SubmitEvent, prelude::*};

use super::post_form::form_body;

/// A `<form method="get" action=…>` the router follows.
#[component]
pub fn GetForm(
    /// The address the form's fields are added to.
    #[prop(into)]
    action: String,
    children: Children,
) -> impl IntoView {
    let navigate = crate::address::navigator();
    let to = action.clone();
    let on_submit = move |ev: SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        // Fields that cannot be read are left to the browser.
        let Some(query) = form_body(&ev) else {
            return;
        };
        ev.prevent_default();
        navigate(&address(&to, &query), Default::default());
    };
    view! {
        <form method="get" action=action on:submit=on_submit>
            {children()}
        </form>
    }
}

/// `action` with `query` (URL-encoded fields) as its query, replacing any
/// the action had and keeping its fragment, as a browser does for a GET
/// form.
fn address(action: &str, query: &str) -> String {
    let (rest, fragment) = match action.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (action, None),
    };
    let path = rest.split('?').next().unwrap_or_default();
    match fragment {
        Some(fragment) => format!("{path}?{query}#{fragment}"),
        None => format!("{path}?{query}"),
    }
}

#[cfg(test)]
mod tests {
    use super::address;

    #[test]
    fn the_fields_replace_the_actions_query() {
        assert_eq!(
            address("/machines", "q=web&state=running"),
            "/machines?q=web&state=running"
        );
        assert_eq!(
            address("/stacks/s1?source=v1#versions", "source=v2&target=v3"),
            "/stacks/s1?source=v2&target=v3#versions"
        );
        assert_eq!(address("/machines", ""), "/machines?");
    }
}
