//! New stack, `/stacks/new`: the template editor with the picker, "Plan"
//! (a dry run: the plan per layer), then "Apply" (the new stack's page).
//! Without JavaScript it is a plain form: each submit comes back with the
//! text kept, its faults or its plan, and "Apply" once planned.

use leptos::prelude::*;

use crate::islands::{groups::StackIsland, page_island};

use super::{
    editor::{fill, starter, PlanView, TemplateEditor},
    picker::{picked_from, Picker, PickerData},
};
use crate::components::post_form::{PostAction, PostForm};
use crate::components::title::PageTitle;
use crate::loaded::load;
use crate::{
    api::stacks::{may_create_stack, ApplyStack},
    components::form::{Csrf, FormError},
    shown_once,
};

/// The New stack page.
#[component]
pub fn NewStackPage() -> impl IntoView {
    view! {
        <PageTitle text="New stack"/>
        {page_island(StackIsland::NewStack)}
    }
}

/// Everything under the page's title (an island in islands mode).
#[component]
pub fn NewStackView() -> impl IntoView {
    let query = crate::address::query();
    let picked = query.with_untracked(|q| picked_from(|k| q.get(k).unwrap_or_default()));
    let text = RwSignal::new(if picked == Default::default() {
        starter()
    } else {
        fill(&starter(), &picked)
    });
    let draft = shown_once::take(shown_once::STACK_DRAFT);
    let apply = PostAction::<ApplyStack>::new();
    let error = Signal::derive(move || apply.value().get().and_then(Result::err));
    // The plan shown, and the text it is the plan of.
    let planned = RwSignal::new(None::<(String, domain::stacks::Plan)>);
    Effect::new(move |_| {
        if let Some(Ok(a)) = apply.value().get() {
            if a.stack_id.is_none() {
                planned.set(Some((text.get_untracked(), a.plan)));
            }
        }
    });
    let seeded = StoredValue::new(false);
    let may_create = load(|| (), |()| may_create_stack());
    let picker = PickerData::from_address();
    view! {
        <section class="page stacks" on:click=crate::address::follow_same_page_links>
            <p class="crumbs"><a href="/stacks">"Stacks"</a> " /"</p>
            <h1>"New stack"</h1>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    if !may_create.await.unwrap_or(false) {
                        return view! {
                            <p class="muted" data-testid="may-not-create">"Your roles do not allow creating stacks."</p>
                        }.into_any();
                    }
                    // What a plain form post brought back: its text, its plan.
                    if let Some(d) = draft.await.filter(|d| d.stack_id.is_none()) {
                        if !seeded.get_value() {
                            seeded.set_value(true);
                            text.set(d.text.clone());
                            planned.set(d.plan.map(|p| (d.text, p)));
                        }
                    }
                    let current = Memo::new(move |_| {
                        planned.get().filter(|(t, _)| *t == text.get()).map(|(_, p)| p)
                    });
                    view! {
                        <Picker text data=picker/>
                        <PostForm action=apply attr:class="stacked" attr:id="new-stack">
                            <Csrf/>
                            <FormError error/>
                            <TemplateEditor text/>
                            <label class="check">
                                <input type="checkbox" name="on_failure" value="keep"/>
                                "Keep the machines made if creating fails (otherwise they are destroyed)"
                            </label>
                            <div class="buttons">
                                <button type="submit" class="secondary" name="intent" value="plan">"Plan"</button>
                                {move || current.get().is_some().then(|| view! {
                                    <button type="submit" name="intent" value="apply">"Apply"</button>
                                })}
                            </div>
                            {move || current.get().map(|plan| view! {
                                <h2>"Plan"</h2>
                                <PlanView plan/>
                            })}
                        </PostForm>
                    }.into_any()
                })}
            </Transition>
        </section>
    }
}
