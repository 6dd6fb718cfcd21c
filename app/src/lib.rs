//! Overcast's user interface: the page shell, routes, pages, components and
//! the server functions they call. Compiled twice: with `ssr` into the
//! server, with `hydrate` into the browser's WebAssembly.
// Lazily loaded routes lay out the deepest view types (the New stack form)
// past the default query depth of 128.
#![recursion_limit = "256"]

pub mod address;
pub mod api;
pub mod components;
pub mod csrf_client;
pub mod error;
pub mod islands;
pub mod live;
pub mod loaded;
pub mod pages;
pub mod paths;
pub mod routes;
pub mod shown_once;
pub mod site;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::provide_meta_context;
use leptos_meta::MetaTags;
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    hooks::use_location,
    path, Lazy, SsrMode,
};

/// Every page renders in order, its resources resolved in place, so the
/// HTML is complete without JavaScript (no out-of-order fragments that only
/// a script can slot in).
const SSR: SsrMode = SsrMode::InOrder;

/// The Admin pages render whole before they answer, so one that is not the
/// caller's can answer 403.
const ADMIN: SsrMode = SsrMode::Async;

use crate::loaded::{load, Loaded};
use crate::{
    api::session::get_session_info, components::layout::Layout, pages::not_found::NotFound,
};

/// The HTML document around the application (server side only).
///
/// The stylesheet, the icon and the browser code go by the names the server
/// read from the site ([`site::SiteAssets`]). The terminal's script is small
/// and on every page (it waits for a click on a terminal's Open button); it
/// fetches xterm.js, named in its `data-xterm-*` attributes, only then.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let assets = site::site_assets();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // In the server's shell, not a `<Meta>`: the same on every page,
                // so the browser code need not carry it.
                <meta name="description" content="Overcast: one control panel for every cloud"/>
                <AutoReload options/>
                <link rel="stylesheet" id="leptos" href=assets.css.clone()/>
                <link rel="icon" type="image/svg+xml" href=assets.public_url("/favicon.svg")/>
                <site::Hydration/>
                <script
                    src=assets.public_url("/terminal.js")
                    defer=""
                    data-xterm=assets.public_url("/vendor/xterm/xterm.js")
                    data-xterm-fit=assets.public_url("/vendor/xterm/addon-fit.js")
                    data-xterm-css=assets.public_url("/vendor/xterm/xterm.css")
                ></script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// What every page knows of its session.
#[derive(Clone, Copy)]
pub struct SessionContext {
    /// Who is signed in; fetched again on every navigation, so signing in
    /// or out (both end in a redirect) and an expired session show at once.
    pub info: Loaded<Result<domain::SessionInfo, error::AppError>>,
}

/// Sets `attribute` on `<html>`: the marks tests and benchmarks wait for.
#[cfg(feature = "hydrate")]
pub(crate) fn mark_document(attribute: &str) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute(attribute, "");
    }
}

/// The application.
#[component]
pub fn App() -> impl IntoView {
    #[cfg(feature = "ssr")]
    provide_meta_context();
    let (is_routing, set_is_routing) = signal(false);
    // Marks the document once the entry has hydrated the layout (the page's
    // own code may still be on its way: `routes::PageHydrated` marks that).
    #[cfg(feature = "hydrate")]
    Effect::new(|| mark_document("data-hydrated"));
    view! {
        // A thin bar while a navigation waits (for a page's code or data).
        <div class="route-progress" role="progressbar" aria-label="Loading the page"
            hidden=move || !is_routing.get()></div>
        <Router set_is_routing=set_is_routing>
            <AppRoutes/>
        </Router>
    }
}

/// The session context and the routes.
#[component]
fn AppRoutes() -> impl IntoView {
    let location = use_location();
    let info = load(move || location.pathname.get(), |_| get_session_info());
    provide_context(SessionContext { info });

    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/signin") view={Lazy::<routes::SignInRoute>::new()} ssr=SSR/>
            <Route path=path!("/signin/code") view={Lazy::<routes::SignInCodeRoute>::new()} ssr=SSR/>
            <Route path=path!("/setup") view={Lazy::<routes::SetupRoute>::new()} ssr=SSR/>
            <Route path=path!("/set-password") view={Lazy::<routes::SetPasswordRoute>::new()} ssr=SSR/>
            <ParentRoute path=path!("") view=Layout ssr=SSR>
                <Route path=path!("") view={Lazy::<routes::HomeRoute>::new()} ssr=SSR/>
                <Route path=path!("backends") view={Lazy::<routes::BackendsRoute>::new()} ssr=SSR/>
                <Route path=path!("backends/:backend/create") view={Lazy::<routes::CreateMachineRoute>::new()} ssr=SSR/>
                <Route path=path!("machines") view={Lazy::<routes::MachinesRoute>::new()} ssr=SSR/>
                <Route path=path!("machines/:backend/:machine") view={Lazy::<routes::MachineRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("keys") view={Lazy::<routes::KeysRoute>::new()} ssr=SSR/>
                <Route path=path!("stacks") view={Lazy::<routes::StacksRoute>::new()} ssr=SSR/>
                <Route path=path!("stacks/new") view={Lazy::<routes::NewStackRoute>::new()} ssr=SSR/>
                <Route path=path!("stacks/:stack") view={Lazy::<routes::StackRoute>::new()} ssr=SSR/>
                <Route path=path!("admin") view={Lazy::<routes::UsersRoute>::new()} ssr=ADMIN/>
                <Route path=path!("admin/users") view={Lazy::<routes::UsersRoute>::new()} ssr=ADMIN/>
                <Route path=path!("admin/roles") view={Lazy::<routes::RolesRoute>::new()} ssr=ADMIN/>
                <Route path=path!("admin/oauth") view={Lazy::<routes::OAuthRoute>::new()} ssr=ADMIN/>
                <Route path=path!("admin/two-factor") view={Lazy::<routes::TwoFactorRoute>::new()} ssr=ADMIN/>
                <Route path=path!("admin/audit") view={Lazy::<routes::AuditRoute>::new()} ssr=ADMIN/>
                <Route path=path!("account") view={Lazy::<routes::AccountRoute>::new()} ssr=SSR/>
            </ParentRoute>
        </Routes>
    }
}
