//! Creating a machine on a backend, `/backends/:backend/create`: the
//! backend's sizes, images (searchable) and locations asked of its provider,
//! the key to install, and a script to run at first boot. Works without
//! JavaScript: the search is a GET form, the create form posts and the
//! answer is the new machine's page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    api::{
        backends::{get_catalogue, Choice},
        keys::list_keys,
        machines::CreateMachine,
    },
    components::form::{Csrf, FieldError, FormError},
};

/// The create page.
#[component]
pub fn CreateMachinePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let backend = Signal::derive(move || params.read().get("backend").unwrap_or_default());
    let search = Signal::derive(move || query.read().get("search").unwrap_or_default());
    let catalogue = Resource::new(
        move || (backend.get(), search.get()),
        |(backend, search)| get_catalogue(backend, search),
    );
    let keys = Resource::new(|| (), |()| list_keys());
    let create = ServerAction::<CreateMachine>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let options = |choices: Vec<Choice>| {
        choices
            .into_iter()
            .map(|c| view! { <option value=c.id>{c.label}</option> })
            .collect_view()
    };
    view! {
        <Title text="Create a machine"/>
        <section class="page">
            <p class="crumbs"><A href="/backends">"Backends"</A> " /"</p>
            <h1>"Create a machine"</h1>
            <Transition fallback=|| view! { <p>"Asking the provider for sizes, images and locations…"</p> }>
                {move || Suspend::new(async move {
                    let keys = keys.await.unwrap_or_default();
                    match catalogue.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(c) => view! {
                            <p class="muted">"On " <strong>{c.title.clone()}</strong></p>
                            <form method="get" class="inline" data-testid="image-search">
                                <label>"Search images " <input name="search" value=search.get_untracked()/></label>
                                <button type="submit" class="secondary">"Search"</button>
                            </form>
                            <ActionForm action=create attr:class="stacked" attr:id="create-machine">
                                <Csrf/>
                                <FormError error fields=&["name", "size", "image", "location", "key", "script"]/>
                                <input type="hidden" name="backend" value=backend.get_untracked()/>
                                <label>"Name" <input name="name" required autocomplete="off"/></label>
                                <FieldError error field="name"/>
                                <label>"Size" <select name="size" required>{options(c.sizes)}</select></label>
                                <FieldError error field="size"/>
                                <label>"Image" <select name="image" required>{options(c.images)}</select></label>
                                <FieldError error field="image"/>
                                <label>"Location" <select name="location" required>{options(c.locations)}</select></label>
                                <FieldError error field="location"/>
                                <label>"Key to install"
                                    <select name="key">
                                        <option value="">"The default key"</option>
                                        {keys.into_iter().map(|k| view! { <option value=k.id.clone()>{k.name}</option> }).collect_view()}
                                    </select>
                                </label>
                                <FieldError error field="key"/>
                                <label>"Script to run over SSH once the machine answers (optional; its output shows on the machine's page)"
                                    <textarea name="script" rows="4" class="mono"></textarea>
                                </label>
                                <FieldError error field="script"/>
                                <button type="submit">"Create machine"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
