//! Updating a stack (the editor prefilled with its current version, the
//! plan before applying, `expected_version_id` of the version shown so a
//! stale page hears the 409) and deleting it behind a confirmation naming
//! how many machines are destroyed. Each is offered only to a user whose
//! role allows it, and only while no operation runs.

use leptos::prelude::*;

use super::editor::{PlanView, TemplateEditor};
use crate::components::post_form::{PostAction, PostForm};
use crate::{
    api::stacks::{pretty, DeleteStack, Draft, StackView, UpdateStack},
    components::{
        confirm::ConfirmAction,
        form::{Csrf, FormError},
    },
};

/// The update form, while the stack may be updated.
#[component]
pub fn UpdateForm(
    /// The stack as the page first read it (the text and version shown).
    first: StackView,
    current: Memo<StackView>,
    update: PostAction<UpdateStack>,
    /// What a plain form post brought back, if it was this stack's.
    draft: Option<Draft>,
) -> impl IntoView {
    let draft = draft.filter(|d| d.stack_id.as_deref() == Some(first.stack_id.as_str()));
    let text = RwSignal::new(
        draft
            .as_ref()
            .map(|d| d.text.clone())
            .unwrap_or_else(|| pretty(&first.configuration)),
    );
    let expected = RwSignal::new(
        draft
            .as_ref()
            .map(|d| d.expected_version.clone())
            .unwrap_or_else(|| first.version_id.clone()),
    );
    let planned = RwSignal::new(draft.and_then(|d| d.plan.map(|p| (d.text, p))));
    Effect::new(move |_| match update.value().get() {
        Some(Ok(a)) if a.stack_status.is_none() => {
            planned.set(Some((text.get_untracked(), a.plan)));
        }
        Some(Ok(a)) => {
            planned.set(None);
            if let Some(v) = a.version_id {
                expected.set(v);
            }
        }
        _ => {}
    });
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let shown = Memo::new(move |_| {
        planned
            .get()
            .filter(|(t, _)| *t == text.get())
            .map(|(_, p)| p)
    });
    let stack_id = first.stack_id.clone();
    // Only what decides the form: other changes (a step's event) leave
    // the text being typed alone.
    let gate = Memo::new(move |_| {
        let c = current.get();
        let busy = c.busy().then(|| c.status.clone());
        (c.may_edit && !c.deleted(), busy)
    });
    move || {
        let (offered, busy) = gate.get();
        if !offered {
            return None;
        }
        let stack_id = stack_id.clone();
        Some(view! {
            <h2>"Update"</h2>
            {if let Some(status) = busy {
                view! { <p class="muted" data-testid="update-wait">{format!("Update and Delete are offered once the stack is no longer {status}.")}</p> }.into_any()
            } else {
                view! {
                    <PostForm action=update attr:class="stacked" attr:id="update-stack">
                        <Csrf/>
                        <FormError error/>
                        <input type="hidden" name="stack_id" value=stack_id/>
                        <input type="hidden" name="expected_version_id" prop:value=move || expected.get() value=expected.get_untracked()/>
                        <TemplateEditor text/>
                        <div class="buttons">
                            <button type="submit" class="secondary" name="intent" value="plan">"Plan the update"</button>
                            {move || shown.get().is_some().then(|| view! {
                                <button type="submit" name="intent" value="apply">"Apply the update"</button>
                            })}
                        </div>
                        {move || shown.get().map(|plan| view! { <h3>"Plan"</h3> <PlanView plan/> })}
                    </PostForm>
                }.into_any()
            }}
        })
    }
}

/// Delete, behind a confirmation that names how many machines go.
#[component]
pub fn DeleteForm(current: Memo<StackView>, delete: PostAction<DeleteStack>) -> impl IntoView {
    let error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let gate = Memo::new(move |_| {
        let c = current.get();
        (c.may_delete && !c.deleted() && !c.busy()).then_some(c)
    });
    move || {
        let Some(c) = gate.get() else {
            return view! { <FormError error/> }.into_any();
        };
        let n = c.machine_count();
        let machines = if n == 1 {
            "1 machine".to_owned()
        } else {
            format!("{n} machines")
        };
        view! {
            <h2>"Delete"</h2>
            <FormError error/>
            <div data-testid="delete-stack">
                <ConfirmAction summary="Delete this stack" warning=format!("Deleting {} destroys its {machines} on {}. Its versions and events are kept.", c.nickname, c.backend_title)>
                    <PostForm action=delete attr:class="inline">
                        <Csrf/>
                        <input type="hidden" name="stack_id" value=c.stack_id.clone()/>
                        <button type="submit" class="danger">{format!("Delete {} and destroy {machines}", c.nickname)}</button>
                    </PostForm>
                </ConfirmAction>
            </div>
        }
        .into_any()
    }
}
