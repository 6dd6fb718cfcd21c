//! The page's title, "<page> · Overcast".
//!
//! The server writes it into the page's `<head>` (with leptos_meta's
//! `Title`); in the browser, a page shown by navigation sets
//! `document.title` itself. Leptos_meta in the browser would put its head
//! management in the entry every page downloads, for one string.

use leptos::prelude::*;

/// The window's title for a page called `text`.
pub fn full_title(text: &str) -> String {
    format!("{text} · Overcast")
}

/// Sets the page's title to `text` · Overcast. Both builds leave the same
/// mark in the page's body, an empty placeholder (`<!>`): the server's
/// `Title` writes into the head only, so the server adds the `()` the
/// browser hydrates.
#[component]
pub fn PageTitle(#[prop(into)] text: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        (view! { <leptos_meta::Title text=full_title(&text)/> }, ())
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "hydrate")]
        Effect::new(move || document().set_title(&full_title(&text)));
        #[cfg(not(feature = "hydrate"))]
        let _ = text;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_page_is_named_with_the_product() {
        assert_eq!(super::full_title("Machines"), "Machines · Overcast");
    }
}
