//! Overcast's user interface: the page shell, routes, pages, components and
//! the server functions they call. Compiled twice: with `ssr` into the
//! server, with `hydrate` into the browser's WebAssembly.

pub mod api;
pub mod components;
pub mod csrf_client;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::{
    api::session::{get_session_info, CreateMaster, SignIn, SignOut},
    components::layout::Layout,
    pages::{
        admin::AdminPage, backends::BackendsPage, home::HomePage, keys::KeysPage,
        machines::MachinesPage, not_found::NotFound, setup::SetupPage, sign_in::SignInPage,
        stacks::StacksPage,
    },
};

/// The HTML document around the application (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Session-changing actions and the session they change, shared by every page.
#[derive(Clone, Copy)]
pub struct SessionContext {
    /// Signing in.
    pub sign_in: ServerAction<SignIn>,
    /// Signing out.
    pub sign_out: ServerAction<SignOut>,
    /// Creating the master account.
    pub create_master: ServerAction<CreateMaster>,
    /// Who is signed in, reloaded after each of the actions above.
    pub info: Resource<Result<domain::SessionInfo, error::AppError>>,
}

/// The application: routes and the session context.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let create_master = ServerAction::<CreateMaster>::new();
    let info = Resource::new(
        move || {
            (
                sign_in.version().get(),
                sign_out.version().get(),
                create_master.version().get(),
            )
        },
        |_| get_session_info(),
    );
    provide_context(SessionContext {
        sign_in,
        sign_out,
        create_master,
        info,
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/overcast.css"/>
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Meta name="description" content="Overcast: one control panel for every cloud"/>
        <Title formatter=|page: String| format!("{page} · Overcast")/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/signin") view=SignInPage/>
                <Route path=path!("/setup") view=SetupPage/>
                <ParentRoute path=path!("") view=Layout>
                    <Route path=path!("") view=HomePage/>
                    <Route path=path!("backends") view=BackendsPage/>
                    <Route path=path!("machines") view=MachinesPage/>
                    <Route path=path!("keys") view=KeysPage/>
                    <Route path=path!("stacks") view=StacksPage/>
                    <Route path=path!("admin") view=AdminPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
