//! The pages as lazily loaded routes (the hydrated app), in a few groups: each group's code
//! (its pages' components and the server functions they call) goes into one
//! WebAssembly module when the browser code is built with
//! `cargo leptos build --split`, fetched when a page of the group is first
//! shown (the server names the modules a page needs in its `<head>`, so a
//! first load fetches them beside the entry).
//!
//! Why groups and not one split point per page: the splitter puts code that
//! several split points share into one chunk per distinct set of split
//! points. With a split point per page (19) that made 1,608 chunks, and a
//! page needed 84 to 310 of them: on a link with 40 ms of latency those
//! requests cost more than the bytes they saved. With five groups there are
//! at most 26 shared chunks, and a page needs its group's module and a few.
//!
//! Without `--split` (the server's build) each route is simply its page.
//! In islands mode (the default) the pages are no split points: the
//! browser loads no pages, only their islands, split by island group
//! ([`island_group_of_path`], `crate::islands`).

use leptos::prelude::*;
use leptos_router::LazyRoute;

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

/// One group of pages loaded together: `$group` is the group's split point
/// (one lazily loaded function that shows any page of the group, chosen by
/// `$which`), and each `$route` a route that shows `$page` through it.
macro_rules! page_group {
    ($group:ident, $which:ident, $preload:ident { $($route:ident => $page:ident),* $(,)? }) => {
        #[doc = concat!("Which page of the `", stringify!($group), "` group to show.")]
        #[derive(Clone, Copy)]
        #[allow(clippy::enum_variant_names)] // the variants are the routes' names
        enum $which {
            $($route,)*
        }

        #[doc = concat!("Shows one page of the `", stringify!($group), "` group (the group's split point).")]
        // In islands mode the browser loads no pages, only islands.
        #[cfg_attr(not(feature = "islands"), leptos::lazy)]
        fn $group(which: $which) -> AnyView {
            let page = match which {
                $($which::$route => view! { <$page/> }.into_any(),)*
            };
            view! { {page}<PageHydrated/> }.into_any()
        }

        $(
            #[doc = concat!("The route showing [`", stringify!($page), "`], loaded with its group.")]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                async fn view(_this: Self) -> AnyView {
                    #[cfg(not(feature = "islands"))]
                    return $group($which::$route).await;
                    #[cfg(feature = "islands")]
                    return $group($which::$route);
                }

                async fn preload() {
                    // Only the browser's build has a module to fetch.
                    #[cfg(all(target_arch = "wasm32", not(feature = "islands")))]
                    $preload().await;
                }
            }
        )*
    };
}

/// Marks the document (`data-page-hydrated` on `<html>`) once the page's
/// own code has taken it over: the page's group module has loaded and the
/// page has hydrated. `App` marks `data-hydrated` earlier, when the entry
/// has hydrated the layout; a page's buttons work only from this mark on
/// (what `scripts/bench/hydrate_time.js` measures).
#[component]
fn PageHydrated() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(|| crate::mark_document("data-page-hydrated"));
}

page_group!(auth_pages, AuthPage, __preload_auth_pages {
    SignInRoute => SignInPage,
    SignInCodeRoute => SignInCodePage,
    SetupRoute => SetupPage,
    SetPasswordRoute => SetPasswordPage,
});

page_group!(fleet_pages, FleetPage, __preload_fleet_pages {
    HomeRoute => HomePage,
    MachinesRoute => MachinesPage,
    MachineRoute => MachinePage,
    CreateMachineRoute => CreateMachinePage,
});

page_group!(inventory_pages, InventoryPage, __preload_inventory_pages {
    KeysRoute => KeysPage,
    BackendsRoute => BackendsPage,
});

page_group!(stack_pages, StackPages, __preload_stack_pages {
    StacksRoute => StacksPage,
    NewStackRoute => NewStackPage,
    StackRoute => StackPage,
});

page_group!(admin_pages, AdminPage, __preload_admin_pages {
    UsersRoute => UsersPage,
    RolesRoute => RolesPage,
    OAuthRoute => OAuthPage,
    TwoFactorRoute => TwoFactorPage,
    AuditRoute => AuditPage,
    AccountRoute => AccountPage,
});

/// The group (its split point's name, a key prefix in the split build's
/// manifest) whose page shows at `path`, for the server to preload its
/// modules in the page's `<head>`; `None` for a path no group shows.
/// Mirrors the route table in `lib.rs`.
pub fn group_of_path(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    Some(match segments.as_slice() {
        ["signin"] | ["signin", "code"] | ["setup"] | ["set-password"] => "auth_pages",
        [""] | ["machines"] | ["machines", _, _] | ["backends", _, "create"] => "fleet_pages",
        ["keys"] | ["backends"] => "inventory_pages",
        ["stacks"] | ["stacks", _] => "stack_pages",
        ["admin"] | ["admin", _] | ["account"] => "admin_pages",
        _ => return None,
    })
}

/// In islands mode: the group of the page's island (its split point's
/// name, a key prefix in the split build's manifest; see
/// [`crate::islands::groups`]), for the server to preload its modules in
/// the page's `<head>`; `None` for a page without one. Mirrors the pages'
/// islands.
pub fn island_group_of_path(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    Some(match segments.as_slice() {
        [""] | ["admin"] | ["admin", _] | ["account"] => "home_islands",
        ["machines"] => "machines_islands",
        ["machines", _, _] => "machine_islands",
        ["keys"] | ["backends"] | ["backends", _, "create"] => "inventory_islands",
        ["stacks"] | ["stacks", _] => "stack_islands",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{group_of_path, island_group_of_path};

    #[test]
    fn every_page_with_an_island_names_its_group() {
        for (path, group) in [
            ("/signin", None),
            ("/setup", None),
            ("/", Some("home_islands")),
            ("/machines", Some("machines_islands")),
            ("/machines/b1/i-0", Some("machine_islands")),
            ("/backends/b1/create", Some("inventory_islands")),
            ("/backends", Some("inventory_islands")),
            ("/stacks/new", Some("stack_islands")),
            ("/admin/audit", Some("home_islands")),
            ("/account", Some("home_islands")),
            ("/no/such/page", None),
        ] {
            assert_eq!(island_group_of_path(path), group, "{path}");
        }
    }

    #[test]
    fn every_page_path_names_its_group() {
        for (path, group) in [
            ("/signin", Some("auth_pages")),
            ("/signin/code", Some("auth_pages")),
            ("/setup", Some("auth_pages")),
            ("/set-password", Some("auth_pages")),
            ("/", Some("fleet_pages")),
            ("/machines", Some("fleet_pages")),
            ("/machines/b1/i-0", Some("fleet_pages")),
            ("/backends/b1/create", Some("fleet_pages")),
            ("/keys", Some("inventory_pages")),
            ("/backends", Some("inventory_pages")),
            ("/stacks", Some("stack_pages")),
            ("/stacks/new", Some("stack_pages")),
            ("/stacks/s1", Some("stack_pages")),
            ("/admin", Some("admin_pages")),
            ("/admin/roles", Some("admin_pages")),
            ("/account", Some("admin_pages")),
            ("/no/such/page", None),
            ("/machines/b1", None),
        ] {
            assert_eq!(group_of_path(path), group, "{path}");
        }
    }
}
