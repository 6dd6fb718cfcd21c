//! The page's address as the page's code reads and changes it, the same in
//! both builds.
//!
//! In the default build the router holds the address: [`query`] is its
//! query, and [`navigator`] navigates through it. In islands mode the
//! browser has no router (an island runs alone, and any other page is a page
//! load), so an island reads the query from `window.location` and changes it
//! with the history API: a new query on the same page is followed in place
//! (the island reads itself again, the focus stays), another page is loaded.
//! On the server both read the request's address through the router.

use leptos::prelude::*;
use leptos_router::{params::ParamsMap, NavigateOptions};

/// The address's query, following its changes.
pub fn query() -> Memo<ParamsMap> {
    #[cfg(all(feature = "islands", feature = "hydrate"))]
    return browser::query();
    #[cfg(not(all(feature = "islands", feature = "hydrate")))]
    return leptos_router::hooks::use_query_map();
}

/// Opens an address: `navigate(href, options)`. Make it while the
/// component is set up (in the default build it holds the router).
pub fn navigator() -> impl Fn(&str, NavigateOptions) + Clone + Send + Sync + 'static {
    #[cfg(all(feature = "islands", feature = "hydrate"))]
    return |href: &str, options: NavigateOptions| browser::go(href, options.replace);
    #[cfg(not(all(feature = "islands", feature = "hydrate")))]
    {
        let navigate = leptos_router::hooks::use_navigate();
        move |href: &str, options: NavigateOptions| navigate(href, options)
    }
}

/// For an island's root `on:click`: a click on a link to this same page
/// with another query is followed in place, as the router of the default
/// build does (a modified click, a new tab, or another page is left to the
/// browser). Does nothing in the default build, whose router already does.
pub fn follow_same_page_links(ev: leptos::ev::MouseEvent) {
    #[cfg(all(feature = "islands", feature = "hydrate"))]
    browser::follow_same_page_link(ev);
    #[cfg(not(all(feature = "islands", feature = "hydrate")))]
    let _ = ev;
}

/// The query of a query string (`?a=1&b=2` or `a=1&b=2`).
pub fn parse_query(search: &str) -> ParamsMap {
    form_urlencoded::parse(search.trim_start_matches('?').as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[cfg(all(feature = "islands", feature = "hydrate"))]
mod browser {
    use leptos::prelude::*;
    use leptos_router::params::ParamsMap;
    use wasm_bindgen::{closure::Closure, JsCast};

    thread_local! {
        /// The address's query string, set again on every change the page
        /// makes and when the browser goes back or forward.
        static SEARCH: ArcRwSignal<String> = {
            let search = ArcRwSignal::new(current_search());
            let set = search.clone();
            let on_pop = Closure::<dyn Fn()>::new(move || set.set(current_search()));
            let _ = window().add_event_listener_with_callback(
                "popstate",
                on_pop.as_ref().unchecked_ref(),
            );
            // For the page's whole life.
            on_pop.forget();
            search
        };
    }

    fn current_search() -> String {
        window().location().search().unwrap_or_default()
    }

    pub fn query() -> Memo<ParamsMap> {
        let search = SEARCH.with(Clone::clone);
        Memo::new(move |_| search.with(|s| super::parse_query(s)))
    }

    /// Opens `href`: in place when only the query (or fragment) changes.
    pub fn go(href: &str, replace: bool) {
        let location = window().location();
        let here = location.pathname().unwrap_or_default();
        let Ok(url) = web_sys::Url::new_with_base(href, &location.href().unwrap_or_default())
        else {
            let _ = location.assign(href);
            return;
        };
        let same_origin = url.origin() == location.origin().unwrap_or_default();
        if !same_origin || url.pathname() != here {
            let _ = location.assign(href);
            return;
        }
        let to = format!("{}{}{}", url.pathname(), url.search(), url.hash());
        let Ok(history) = window().history() else {
            let _ = location.assign(href);
            return;
        };
        let done = if replace {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&to))
        } else {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&to))
        };
        if done.is_err() {
            let _ = location.assign(href);
            return;
        }
        SEARCH.with(|s| s.set(url.search()));
    }

    pub fn follow_same_page_link(ev: leptos::ev::MouseEvent) {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.ctrl_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let Some(anchor) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        else {
            return;
        };
        let location = window().location();
        let same_page = anchor.origin() == location.origin().unwrap_or_default()
            && anchor.pathname() == location.pathname().unwrap_or_default()
            && anchor.target().is_empty()
            && !anchor.has_attribute("download");
        if !same_page || anchor.search() == location.search().unwrap_or_default() {
            return;
        }
        ev.prevent_default();
        go(&anchor.href(), false);
    }
}

#[cfg(test)]
mod tests {
    use super::parse_query;

    #[test]
    fn a_query_string_reads_as_its_pairs() {
        let q = parse_query("?q=web+1&state=running&tag=env%3Dprod&empty=");
        assert_eq!(q.get_str("q"), Some("web 1"));
        assert_eq!(q.get_str("state"), Some("running"));
        assert_eq!(q.get_str("tag"), Some("env=prod"));
        assert_eq!(q.get_str("empty"), Some(""));
        assert_eq!(q.get_str("none"), None);
        assert_eq!(parse_query("").get_str("q"), None);
    }
}
