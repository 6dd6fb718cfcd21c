//! The frame around every signed-in page: navigation, the signed-in user and
//! sign-out.

use leptos::{either::Either, prelude::*};
use leptos_router::components::{Outlet, Redirect, A};

use crate::{
    api::session::SignOut,
    components::form::{CsrfField, FormError},
    SessionContext,
};

/// The sections of the product, in navigation order.
const SECTIONS: [(&str, &str); 5] = [
    ("/backends", "Backends"),
    ("/machines", "Machines"),
    ("/keys", "Keys"),
    ("/stacks", "Stacks"),
    ("/admin", "Admin"),
];

/// Navigation, user menu, and the current page.
#[component]
pub fn Layout() -> impl IntoView {
    // Without JavaScript the browser focuses `#main`; once hydrated the
    // router takes the link, so the click focuses it.
    let main = NodeRef::<leptos::html::Main>::new();
    let skip = move |_| {
        if let Some(main) = main.get() {
            let _ = main.focus();
        }
    };
    view! {
        <a class="skip-link" href="#main" on:click=skip>"Skip to content"</a>
        <header class="topbar">
            <A href="/" attr:class="brand">"Overcast"</A>
            <nav aria-label="Sections">
                {SECTIONS
                    .iter()
                    .map(|(href, label)| view! { <A href=*href>{*label}</A> })
                    .collect_view()}
            </nav>
            <UserMenu/>
        </header>
        <main class="content" id="main" tabindex="-1" node_ref=main>
            <Outlet/>
        </main>
    }
}

/// The signed-in user and the sign-out button; sends a signed-out visitor to
/// the sign-in page.
#[component]
fn UserMenu() -> impl IntoView {
    let ctx = expect_context::<SessionContext>();
    let sign_out = ServerAction::<SignOut>::new();
    let error = Signal::derive(move || sign_out.value().get().and_then(Result::err));
    view! {
        <Transition fallback=|| view! { <div class="user"></div> }>
            {move || Suspend::new(async move {
                match ctx.info.await {
                    Ok(info) if info.email.is_some() => {
                        let token = info.csrf_token.clone();
                        Either::Left(view! {
                            <div class="user">
                                <A href="/account" attr:class="whoami" attr:data-testid="whoami">
                                    {info.email.clone().unwrap_or_default()}
                                    {info.is_master.then_some(" (master)")}
                                </A>
                                <ActionForm action=sign_out>
                                    <CsrfField token=Signal::stored(token)/>
                                    <FormError error/>
                                    <button type="submit" class="link">"Sign out"</button>
                                </ActionForm>
                            </div>
                        })
                    }
                    _ => Either::Right(view! { <Redirect path="/signin"/> }),
                }
            })}
        </Transition>
    }
}
