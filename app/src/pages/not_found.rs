use crate::components::title::PageTitle;
use leptos::prelude::*;
use leptos_router::components::A;

/// Shown for any path no route matches; the server answers it with 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageTitle text="Not found"/>
        <main class="auth">
            <h1>"Not found"</h1>
            <p>"There is no page at this address."</p>
            <A href="/">"Go home"</A>
        </main>
    }
}
