//! The Admin pages: Users, Roles, OAuth clients, Two-factor and the audit
//! log, one page each under `/admin/...` with a section nav (`/admin`
//! itself shows Users, so old links keep working). Everything here is the
//! master account's; the server refuses anyone else, and the pages answer
//! anyone else with 403 and a sentence.

mod audit;
mod oauth;
mod roles;
mod two_factor;
mod users;

pub use audit::{AuditPage, AuditSection};
pub use oauth::{OAuthPage, OAuthSection};
pub use roles::{RolesPage, RolesSection};
pub use two_factor::{TwoFactorPage, TwoFactorPolicySection};
pub use users::{UsersIsland, UsersPage};

use leptos::prelude::*;
#[cfg(not(feature = "islands"))]
use leptos_router::components::A;

use crate::components::title::PageTitle;
#[cfg(not(feature = "islands"))]
use crate::SessionContext;

/// The Admin sections, in nav order: path and label.
pub const ADMIN_SECTIONS: [(&str, &str); 5] = [
    ("/admin/users", "Users"),
    ("/admin/roles", "Roles"),
    ("/admin/oauth", "OAuth clients"),
    ("/admin/two-factor", "Two-factor"),
    ("/admin/audit", "Audit log"),
];

/// The frame of every Admin page: its title, the section nav, and its
/// content for the master only (anyone else gets 403 and a sentence).
#[cfg(not(feature = "islands"))]
#[component]
fn AdminFrame(
    /// The section's name, for the window title.
    title: &'static str,
    /// The section's content (rendered for the master only).
    children: ChildrenFn,
) -> impl IntoView {
    let ctx = expect_context::<SessionContext>();
    let children = StoredValue::new(children);
    view! {
        <PageTitle text=format!("Admin: {title}")/>
        <section class="page admin">
            <h1>"Admin"</h1>
            <nav class="subnav" aria-label="Admin sections" data-testid="admin-nav">
                {ADMIN_SECTIONS
                    .iter()
                    .map(|(href, label)| view! { <A href=*href>{*label}</A> })
                    .collect_view()}
            </nav>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let master = ctx.info.await.map(|i| i.is_master).unwrap_or(false);
                    if master {
                        children.with_value(|c| c()).into_any()
                    } else {
                        refused();
                        view! {
                            <p class="placeholder" data-testid="admin-refused">
                                "Administration (users, roles, the audit log) is the master account's alone."
                            </p>
                        }
                            .into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

/// The frame of every Admin page in islands mode, drawn on the server
/// only: the caller is known at once (no resource, no `Suspend`), so the
/// content's islands are made outside any `Suspend`, where their resources
/// resolve (leptos's SSR can stall on a resource made inside one).
#[cfg(feature = "islands")]
#[component]
fn AdminFrame(
    /// The section's name, for the window title.
    title: &'static str,
    /// The section's content (rendered for the master only).
    children: ChildrenFn,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let master = crate::ssr::actor().is_some_and(|a| a.is_master);
    #[cfg(not(feature = "ssr"))]
    let master = false;
    let content = if master {
        children().into_any()
    } else {
        refused();
        view! {
            <p class="placeholder" data-testid="admin-refused">
                "Administration (users, roles, the audit log) is the master account's alone."
            </p>
        }
        .into_any()
    };
    view! {
        <PageTitle text=format!("Admin: {title}")/>
        <section class="page admin">
            <h1>"Admin"</h1>
            <nav class="subnav" aria-label="Admin sections" data-testid="admin-nav">
                {ADMIN_SECTIONS
                    .iter()
                    .map(|(href, label)| view! { <a href=*href>{*label}</a> })
                    .collect_view()}
            </nav>
            {content}
        </section>
    }
}

/// Answers a page that is not the caller's with 403 (server side).
fn refused() {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::FORBIDDEN);
    }
}
