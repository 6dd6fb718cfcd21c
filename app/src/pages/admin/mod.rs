//! The Admin section: users, roles and their attachment, the audit log.
//! Everything here is the master account's; the server refuses anyone else.

mod audit;
mod oauth;
mod roles;
mod two_factor;
mod users;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{api::admin::AttachRole, shown_once, SessionContext};

/// The Admin page.
#[component]
pub fn AdminPage() -> impl IntoView {
    let ctx = expect_context::<SessionContext>();
    // Shared by the users table (to show new attachments) and the roles section.
    provide_context(ServerAction::<AttachRole>::new());
    // A password link a plain form post (no JavaScript) made; taken here, at
    // the page's top level, for the users section inside the Transition.
    let taken_link = shown_once::take(shown_once::PASSWORD_LINK);
    view! {
        <Title text="Admin"/>
        <section class="page">
            <h1>"Admin"</h1>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let master = ctx.info.await.map(|i| i.is_master).unwrap_or(false);
                    if master {
                        view! {
                            <users::UsersSection taken_link/>
                            <two_factor::TwoFactorPolicySection/>
                            <roles::RolesSection/>
                            <oauth::OAuthSection/>
                            <audit::AuditSection/>
                        }
                            .into_any()
                    } else {
                        view! {
                            <p class="placeholder">
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
