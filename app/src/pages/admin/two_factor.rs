//! The installation-wide rule: every account signs in with two factors.

use leptos::prelude::*;

use crate::islands::{groups::HomeIsland, page_island};

use crate::components::post_form::PostAction;
use crate::loaded::load;
use crate::{
    api::{account::get_two_factor, admin::RequireTwoFactor},
    components::{action_button::ActionButton, form::FormError},
};

use super::AdminFrame;

/// The Two-factor page (`/admin/two-factor`).
#[component]
pub fn TwoFactorPage() -> impl IntoView {
    view! {
        <AdminFrame title="Two-factor">
            {page_island(HomeIsland::TwoFactor)}
        </AdminFrame>
    }
}

/// Whether two-factor sign-in is required, and the button that changes it.
#[component]
pub fn TwoFactorPolicySection() -> impl IntoView {
    let set = PostAction::<RequireTwoFactor>::new();
    let status = load(move || set.version().get(), |_| get_two_factor());
    let error = Signal::derive(move || set.value().get().and_then(Result::err));
    view! {
        <h2>"Two-factor sign-in"</h2>
        <FormError error/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) if s.required => view! {
                        <p data-testid="two-factor-required">"Required: every account signs in with a code from an authenticator app; accounts without one are sent to set it up at their next sign-in."</p>
                        <ActionButton action=set fields=vec![("required", "false".to_owned())] class="secondary">"Stop requiring two-factor sign-in"</ActionButton>
                    }.into_any(),
                    Ok(_) => view! {
                        <p data-testid="two-factor-required">"Not required: each user chooses on their account page."</p>
                        <ActionButton action=set fields=vec![("required", "true".to_owned())] class="">"Require two-factor sign-in"</ActionButton>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
