//! Backends: the cloud accounts (and bare-metal hosts) Overcast manages.
//! Add one (its credentials are checked first), rename, enable or disable,
//! delete (Overcast forgets it; nothing is destroyed at the provider). Each
//! button shows only when the caller may use it: the rights come with the
//! list, answered once for all its rows.

mod add_form;
mod fields;
mod row;

use leptos::prelude::*;

use crate::islands::{groups::InventoryIsland, page_island};

use crate::components::post_form::PostAction;
use crate::components::title::PageTitle;
use crate::loaded::load;
use crate::{
    api::backends::{
        list_backend_rows, AddBackend, DeleteBackend, RenameBackend, SetBackendDefaultImage,
        SetBackendEnabled,
    },
    components::form::{FieldError, FormError},
};
use row::{BackendRow, RowActions};

/// The Backends page.
#[component]
pub fn BackendsPage() -> impl IntoView {
    view! {
        <PageTitle text="Backends"/>
        {page_island(InventoryIsland::Backends)}
    }
}

/// Everything under the page's title (an island in islands mode).
#[component]
pub fn BackendsView() -> impl IntoView {
    let add = PostAction::<AddBackend>::new();
    let actions = RowActions {
        rename: PostAction::<RenameBackend>::new(),
        image: PostAction::<SetBackendDefaultImage>::new(),
        enable: PostAction::<SetBackendEnabled>::new(),
        delete: PostAction::<DeleteBackend>::new(),
    };
    // Bumped by every backend event once hydrated: the list is read again.
    let news = RwSignal::new(0_u64);
    crate::live::follow_after_catching_up(
        &["backend"],
        move || news.update(|n| *n += 1),
        crate::live::Listener {
            on_event: Box::new(move |_| news.update(|n| *n += 1)),
            on_reload: Box::new(move || news.update(|n| *n += 1)),
        },
    );
    let backends = load(
        move || {
            (
                news.get(),
                add.version().get(),
                actions.rename.version().get(),
                actions.image.version().get(),
                actions.enable.version().get(),
                actions.delete.version().get(),
            )
        },
        |_| list_backend_rows(),
    );
    // Read once: the add form is drawn once, so what is typed in it
    // survives the list being read again.
    let may_add = load(
        || (),
        |()| async { list_backend_rows().await.map(|r| r.may_add) },
    );
    // The add form's keys, made here rather than inside its `Suspend`.
    let keys = load(|| (), |()| crate::api::keys::list_keys());
    let rename_error = Signal::derive(move || actions.rename.value().get().and_then(Result::err));
    let image_error = Signal::derive(move || actions.image.value().get().and_then(Result::err));
    let enable_error = Signal::derive(move || actions.enable.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || actions.delete.value().get().and_then(Result::err));
    view! {
        <section class="page" on:click=crate::address::follow_same_page_links>
            <h1>"Backends"</h1>
            <p class="muted">"Cloud accounts and hosts Overcast manages machines in. A bare-metal server is a backend whose one machine is that server, reached over SSH."</p>
            <FormError error=rename_error fields=&["new_name"]/>
            <FieldError error=rename_error field="new_name"/>
            <FormError error=image_error fields=&["default_image"]/>
            <FieldError error=image_error field="default_image"/>
            <FormError error=enable_error/>
            <FormError error=delete_error/>
            <Transition fallback=|| view! { <p>"Loading backends…"</p> }>
                {move || Suspend::new(async move {
                    match backends.await {
                        Ok(list) if list.rows.is_empty() => view! {
                            <p class="muted" data-testid="no-backends">
                                {if list.may_add { "No backends yet. Add one below." } else { "No backends yet." }}
                            </p>
                        }.into_any(),
                        Ok(list) => view! {
                            <table class="grid" data-testid="backends">
                                <thead><tr><th>"Title"</th><th>"Provider"</th><th>"State"</th><th>"Enabled"</th><th></th></tr></thead>
                                <tbody>
                                    {list.rows.into_iter().map(|r| view! { <BackendRow row=r actions/> }).collect_view()}
                                </tbody>
                            </table>
                            <p class="muted">"Their machines are on the " <a href="/machines">"Machines"</a> " page."</p>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    if may_add.await.unwrap_or(false) {
                        view! {
                            <h2 id="add">"Add a backend"</h2>
                            <add_form::AddBackendForm add keys/>
                        }.into_any()
                    } else {
                        view! {
                            <p class="muted" data-testid="may-not-add">"Your roles do not allow adding backends."</p>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
