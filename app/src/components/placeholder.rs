//! A section that a later release fills, saying so plainly.

use leptos::prelude::*;
use leptos_meta::Title;

/// A titled page explaining what will live here.
#[component]
pub fn Placeholder(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title/>
        <section class="page">
            <h1>{title}</h1>
            <div class="placeholder">{children()}</div>
        </section>
    }
}
