//! Stacks (Mobingi ALM v3): the list (`/stacks`), a new stack
//! (`/stacks/new`: editor, picker, plan, apply) and a stack's page
//! (`/stacks/:stack`: status, layers and machines, agents, events, versions
//! and their comparison, update, delete). Statuses follow the `stack`
//! events once hydrated; without JavaScript every form is a plain post.

mod compare;
mod editor;
mod new;
mod picker;
mod stack;
mod update;
mod versions;

pub use new::{NewStackPage, NewStackView};
pub use stack::{StackPage, StackView};

use leptos::prelude::*;

use crate::islands::{groups::StackIsland, page_island};

use crate::components::title::PageTitle;
use crate::loaded::load;
use crate::{
    api::{
        events::events_position,
        stacks::{list_stacks, StackList, StackView},
    },
    components::format::utc,
    error::AppError,
    live,
    paths::stack_href,
};

/// The events the Stacks pages follow.
pub(crate) const TOPICS: &[&str] = &["stack"];

/// A `stack` event's data, as far as the list needs it.
#[derive(serde::Deserialize)]
struct StatusOf {
    stack_id: String,
    status: String,
}

/// The class a status is shown with: `busy`, `failed`, `complete`.
pub(crate) fn status_class(status: &str) -> String {
    let kind = if status.ends_with("_IN_PROGRESS") {
        "busy"
    } else if status.ends_with("_FAILED") || status.contains("ROLLBACK") {
        "failed"
    } else {
        "complete"
    };
    format!("stack-status {kind}")
}

/// The Stacks list.
#[component]
pub fn StacksPage() -> impl IntoView {
    view! {
        <PageTitle text="Stacks"/>
        {page_island(StackIsland::Stacks)}
    }
}

/// Everything under the page's title (an island in islands mode).
#[component]
pub fn StacksView() -> impl IntoView {
    // `?deleted=1` lists deleted stacks too.
    let query = crate::address::query();
    let deleted = Memo::new(move |_| query.with(|q| q.get("deleted").is_some_and(|v| v == "1")));
    let stacks = load(
        move || deleted.get(),
        |deleted| async move {
            let since = events_position().await?;
            Ok::<_, AppError>((since, list_stacks(deleted).await?))
        },
    );
    let live = RwSignal::new(None::<StackList>);
    let following = StoredValue::new(false);
    Effect::new(move |_| {
        let Some(Ok((since, _))) = stacks.get() else {
            return;
        };
        if following.get_value() {
            return;
        }
        following.set_value(true);
        let reread = move || {
            leptos::task::spawn_local(async move {
                if let Ok(list) = list_stacks(deleted.get_untracked()).await {
                    live.try_set(Some(list));
                }
            });
        };
        live::follow(
            TOPICS,
            Some(since),
            live::Listener {
                on_event: Box::new(move |event| {
                    if event.kind != domain::events::EventKind::StackChanged {
                        return;
                    }
                    let Some(StatusOf {
                        stack_id: id,
                        status,
                    }) = event.data()
                    else {
                        return;
                    };
                    let known = live
                        .try_update(|list| {
                            let row = list
                                .as_mut()?
                                .stacks
                                .iter_mut()
                                .find(|s| s.stack_id == id)?;
                            row.status = status.clone();
                            Some(())
                        })
                        .flatten()
                        .is_some();
                    // A new stack, or an operation ended (its machines
                    // changed, or it is gone): read the list again.
                    if !known || !status.ends_with("_IN_PROGRESS") {
                        reread();
                    }
                }),
                on_reload: Box::new(reread),
            },
        );
    });
    let rows = Signal::derive(move || live.get().map(|l| l.stacks).unwrap_or_default());
    view! {
        <section class="page stacks" on:click=crate::address::follow_same_page_links>
            <Transition fallback=|| view! { <h1>"Stacks"</h1><p>"Loading stacks…"</p> }>
                {move || Suspend::new(async move {
                    match stacks.await {
                        Ok((_, first)) => {
                            // Each read (another address) replaces the rows.
                            live.set(Some(first.clone()));
                            view! {
                                <header class="page-head">
                                    <h1>"Stacks"</h1>
                                    {first.may_create.then(|| view! {
                                        <a href="/stacks/new" class="button" data-testid="new-stack">"New stack"</a>
                                    })}
                                </header>
                                <p class="placeholder" data-testid="no-stacks" hidden=move || !rows.with(Vec::is_empty)>
                                    "No stacks yet. A stack is a template of machines applied to one backend."
                                </p>
                                <table class="grid" data-testid="stacks" hidden=move || rows.with(Vec::is_empty)>
                                    <thead><tr><th>"Stack"</th><th>"Cloud"</th><th>"Status"</th><th>"Layers"</th><th>"Machines"</th><th>"Created (UTC)"</th><th>"By"</th></tr></thead>
                                    <tbody>
                                        <For each=move || rows.get() key=|s| (s.stack_id.clone(), s.status.clone()) children=|s| view! { <Row s/> }/>
                                    </tbody>
                                </table>
                                <p class="muted">
                                    {move || if deleted.get() {
                                        view! { <a href="/stacks">"Hide deleted stacks"</a> }.into_any()
                                    } else {
                                        view! { <a href="/stacks?deleted=1">"Show deleted stacks too"</a> }.into_any()
                                    }}
                                </p>
                            }.into_any()
                        }
                        Err(e) => view! { <h1>"Stacks"</h1><p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// One stack of the list.
#[component]
fn Row(s: StackView) -> impl IntoView {
    let (layers, machines) = (s.layers.len(), s.machine_count());
    view! {
        <tr data-stack=s.stack_id.clone()>
            <td><a href=stack_href(&s.stack_id)>{s.nickname.clone()}</a></td>
            <td data-label="Cloud">{s.cloud.clone()} " · " {s.backend_title.clone()}</td>
            <td data-label="Status"><span class=status_class(&s.status) data-testid="stack-status">{s.status.clone()}</span></td>
            <td data-label="Layers">{layers}</td>
            <td data-label="Machines">{machines}</td>
            <td data-label="Created (UTC)">{utc(s.created_at)}</td>
            <td data-label="By">{s.owner.clone()}</td>
        </tr>
    }
}
