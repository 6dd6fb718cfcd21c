//! The frame around every signed-in page: navigation, the signed-in user and
//! sign-out.

use leptos::{either::Either, prelude::*, server_fn::ServerFn};
use leptos_router::components::{Outlet, Redirect, A};

use domain::rights::Sections;

use crate::{
    api::session::SignOut,
    components::{
        form::{CsrfField, FormError},
        post_form::failed_post,
    },
    SessionContext,
};

/// Whether the caller may open a section.
type MayOpen = fn(&Sections) -> bool;

/// The sections of the product, in navigation order, each with whether
/// the caller may open it.
const SECTIONS: [(&str, &str, MayOpen); 5] = [
    ("/backends", "Backends", |s| s.backends),
    ("/machines", "Machines", |s| s.machines),
    ("/keys", "Keys", |s| s.keys),
    ("/stacks", "Stacks", |s| s.stacks),
    ("/admin", "Admin", |s| s.admin),
];

/// The links to the sections the signed-in user may open (the session's
/// `sections`, from `service::rights`); none to a page that would only
/// refuse them.
#[component]
fn SectionLinks() -> impl IntoView {
    let ctx = expect_context::<SessionContext>();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let sections = ctx.info.await.map(|i| i.sections).unwrap_or_default();
                SECTIONS
                    .iter()
                    .filter(|(_, _, may)| may(&sections))
                    .map(|(href, label, _)| view! { <A href=*href>{*label}</A> })
                    .collect_view()
            })}
        </Transition>
    }
}

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
        <Topbar>
            <A href="/" attr:class="brand">"Overcast"</A>
            // On a phone the sections and the account fold into a menu: a
            // checkbox and its label open it without JavaScript (style/main.css).
            <input type="checkbox" id=MENU_TOGGLE class="menu-toggle" aria-controls="menu"/>
            <label for=MENU_TOGGLE class="menu-button">"Menu"</label>
            <div class="menu" id="menu">
                <nav aria-label="Sections">
                    <SectionLinks/>
                </nav>
                <UserMenu/>
            </div>
        </Topbar>
        <main class="content" id="main" tabindex="-1" node_ref=main>
            <Outlet/>
        </main>
    }
}

/// The id of the phone menu's toggle (a checkbox).
const MENU_TOGGLE: &str = "menu-toggle";

/// The top bar around `children` (the brand, the menu's toggle and the
/// menu). Once hydrated, a followed link or Escape folds the phone menu
/// again (a plain page load starts folded anyway); Escape gives the focus
/// back to the toggle. An island in islands mode: the one part of the
/// layout that needs the browser.
#[cfg_attr(feature = "islands", island)]
#[cfg_attr(not(feature = "islands"), component)]
fn Topbar(children: Children) -> impl IntoView {
    let toggle = || {
        use leptos::wasm_bindgen::JsCast;
        document()
            .get_element_by_id(MENU_TOGGLE)
            .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
    };
    let fold = move || {
        if let Some(toggle) = toggle() {
            toggle.set_checked(false);
        }
    };
    let close_menu = move |ev: leptos::ev::MouseEvent| {
        let on_link = event_target::<leptos::web_sys::Element>(&ev)
            .closest("a")
            .ok()
            .flatten()
            .is_some();
        if on_link {
            fold();
        }
    };
    let escape = move |ev: leptos::ev::KeyboardEvent| {
        if let Some(toggle) = toggle().filter(|t| ev.key() == "Escape" && t.checked()) {
            toggle.set_checked(false);
            let _ = toggle.focus();
        }
    };
    view! {
        <header class="topbar" on:click=close_menu on:keydown=escape>
            {children()}
        </header>
    }
}

/// The signed-in user and the sign-out button; sends a signed-out visitor to
/// the sign-in page.
#[component]
fn UserMenu() -> impl IntoView {
    let ctx = expect_context::<SessionContext>();
    // A failed plain post's error, read back from the address without a
    // base64 decoder (a `ServerAction` would bring one into every page).
    let failed = failed_post(SignOut::PATH).map(Err);
    let sign_out = Action::new_with_value(failed, |_: &()| SignOut {}.run_on_client());
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
                                // A plain form rather than `ActionForm`, which reads
                                // the form back into the call's arguments with a
                                // query-string parser: every page would load it,
                                // for a call that has none.
                                <form method="post" action=SignOut::PATH
                                    on:submit=move |ev| {
                                        ev.prevent_default();
                                        sign_out.dispatch(());
                                    }>
                                    <CsrfField token=Signal::stored(token)/>
                                    <FormError error/>
                                    <button type="submit" class="link">"Sign out"</button>
                                </form>
                            </div>
                        })
                    }
                    _ => Either::Right(view! { <Redirect path="/signin"/> }),
                }
            })}
        </Transition>
    }
}
