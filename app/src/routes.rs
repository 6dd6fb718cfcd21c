//! The pages as lazily loaded routes: each page's code (its components and
//! the server functions it calls) goes into its own WebAssembly chunk when
//! the browser code is built with `cargo leptos build --split`, fetched
//! only when the page is first shown (the server names the chunk a page
//! needs in its `<head>`, so a first load fetches it beside the entry).
//! Without `--split` (the server's build) each route is simply its page.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages::{
    account::AccountPage,
    admin::{AuditPage, OAuthPage, RolesPage, TwoFactorPage, UsersPage},
    backends::BackendsPage,
    create_machine::CreateMachinePage,
    home::HomePage,
    keys::KeysPage,
    machine::MachinePage,
    machines::MachinesPage,
    set_password::SetPasswordPage,
    setup::SetupPage,
    sign_in::SignInPage,
    sign_in_code::SignInCodePage,
    stacks::{NewStackPage, StackPage, StacksPage},
};

/// One lazily loaded route per page: `$route` shows `$page`.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        #[doc = concat!("The route showing [`", stringify!($page), "`], loaded when first needed.")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(this: Self) -> AnyView {
                let $route = this;
                let _ = $route;
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    SignInRoute => SignInPage,
    SignInCodeRoute => SignInCodePage,
    SetupRoute => SetupPage,
    SetPasswordRoute => SetPasswordPage,
    HomeRoute => HomePage,
    BackendsRoute => BackendsPage,
    CreateMachineRoute => CreateMachinePage,
    MachinesRoute => MachinesPage,
    MachineRoute => MachinePage,
    KeysRoute => KeysPage,
    StacksRoute => StacksPage,
    NewStackRoute => NewStackPage,
    StackRoute => StackPage,
    UsersRoute => UsersPage,
    RolesRoute => RolesPage,
    OAuthRoute => OAuthPage,
    TwoFactorRoute => TwoFactorPage,
    AuditRoute => AuditPage,
    AccountRoute => AccountPage,
}
