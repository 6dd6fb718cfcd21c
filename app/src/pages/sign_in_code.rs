use leptos::prelude::*;

use crate::components::post_form::{PostAction, PostForm};
use crate::components::title::PageTitle;
use crate::{
    api::session::SignInCode,
    components::form::{FieldError, FormError},
};

/// The second step of signing in to an account with two-factor sign-in:
/// the authenticator's code, or one of the recovery codes.
#[component]
pub fn SignInCodePage() -> impl IntoView {
    view! {
        <PageTitle text="Two-factor sign-in"/>
        <SignInCodeView/>
    }
}

/// Everything under the page's title: a plain form (in islands mode no
/// island: a refused post comes back with what may be kept).
#[component]
pub fn SignInCodeView() -> impl IntoView {
    let action = PostAction::<SignInCode>::new();
    let query = crate::address::query();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    view! {
        <main class="auth">
            <h1>"Two-factor sign-in"</h1>
            <p class="muted">"Enter the 6-digit code your authenticator app shows for Overcast, or one of your recovery codes."</p>
            <PostForm action attr:class="stacked" attr:id="sign-in-code">
                <FormError error fields=&["code"]/>
                <input type="hidden" name="next" value=next/>
                <label>
                    "Code"
                    <input name="code" required autofocus autocomplete="one-time-code" spellcheck="false" autocapitalize="off"/>
                </label>
                <FieldError error field="code"/>
                <button type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Checking…" } else { "Sign in" }}
                </button>
            </PostForm>
            <p class="muted"><a href="/signin">"Start again with your email and password"</a></p>
        </main>
    }
}
