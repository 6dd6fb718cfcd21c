use leptos::prelude::*;

use crate::components::post_form::{PostAction, PostForm};
use crate::components::title::PageTitle;
use crate::{
    api::session::SetPassword,
    components::form::{FieldError, FormError},
};

/// Opened from a one-time link: the user chooses their password.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    view! {
        <PageTitle text="Set your password"/>
        <SetPasswordView/>
    }
}

/// Everything under the page's title: a plain form (in islands mode no
/// island: a refused post comes back with what may be kept).
#[component]
pub fn SetPasswordView() -> impl IntoView {
    let action = PostAction::<SetPassword>::new();
    let query = crate::address::query();
    let token = move || query.read().get("token").unwrap_or_default();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <main class="auth">
            <h1>"Set your password"</h1>
            <PostForm action attr:class="stacked" attr:id="set-password">
                <FormError error fields=&["token", "password", "password_confirm"]/>
                <FieldError error field="token"/>
                <input type="hidden" name="token" value=token/>
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
                <button type="submit">"Set password"</button>
            </PostForm>
        </main>
    }
}
