use leptos::prelude::*;

use crate::components::post_form::{PostAction, PostForm};
use crate::components::title::PageTitle;
use crate::{
    api::session::CreateMaster,
    components::form::{FieldError, FormError},
};

/// First start: create the master account.
#[component]
pub fn SetupPage() -> impl IntoView {
    view! {
        <PageTitle text="Set up"/>
        <SetupView/>
    }
}

/// Everything under the page's title: a plain form (in islands mode no
/// island: a refused post comes back with what may be kept).
#[component]
pub fn SetupView() -> impl IntoView {
    let action = PostAction::<CreateMaster>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    view! {
        <main class="auth">
            <h1>"Set up Overcast"</h1>
            <p>"Create the master account. It owns this installation and administers every other account."</p>
            <PostForm action attr:class="stacked" attr:id="setup">
                <FormError error fields=&["email", "password", "password_confirm"]/>
                <label>
                    "Email"
                    <input type="email" name="email" required autocomplete="username"/>
                </label>
                <FieldError error field="email"/>
                <label>
                    "Password (at least 10 characters)"
                    <input type="password" name="password" required minlength="10" autocomplete="new-password"/>
                </label>
                <FieldError error field="password"/>
                <label>
                    "Password again"
                    <input type="password" name="password_confirm" required autocomplete="new-password"/>
                </label>
                <FieldError error field="password_confirm"/>
                <button type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create master account" }}
                </button>
            </PostForm>
        </main>
    }
}
