use leptos::prelude::*;

use crate::components::post_form::{PostAction, PostForm};
use crate::components::title::PageTitle;
use crate::{
    api::session::SignIn,
    components::form::{kept, FieldError, FormError, KeepFields},
};

/// Email and password; errors never say which of the two was wrong.
#[component]
pub fn SignInPage() -> impl IntoView {
    view! {
        <PageTitle text="Sign in"/>
        <SignInView/>
    }
}

/// Everything under the page's title: a plain form (in islands mode no
/// island: a refused post comes back with what may be kept).
#[component]
pub fn SignInView() -> impl IntoView {
    let action = PostAction::<SignIn>::new();
    let query = crate::address::query();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    view! {
        <main class="auth">
            <h1>"Sign in to Overcast"</h1>
            <PostForm action attr:class="stacked" attr:id="sign-in">
                <FormError error fields=&["email"]/>
                <input type="hidden" name="next" value=next/>
                <KeepFields fields=&["email"]/>
                <label>
                    "Email"
                    <input type="email" name="email" required autocomplete="username" value={kept::<SignIn>("email")}/>
                </label>
                <FieldError error field="email"/>
                <label>
                    "Password"
                    <input type="password" name="password" required autocomplete="current-password"/>
                </label>
                <button type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </PostForm>
        </main>
    }
}
