//! A section that a later release fills, saying so plainly.

use crate::components::title::PageTitle;
use leptos::prelude::*;

/// A titled page explaining what will live here.
#[component]
pub fn Placeholder(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <PageTitle text=title/>
        <section class="page">
            <h1>{title}</h1>
            <div class="placeholder">{children()}</div>
        </section>
    }
}
