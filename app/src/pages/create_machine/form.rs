//! The wizard's form: name and count, the pickers, location, key, script,
//! and the summary beside Create.

use domain::inventory::KeySummary;
use leptos::prelude::*;

use super::{
    pickers::{pick, ImagePicker, SizePicker},
    summary::Summary,
    Entered,
};
use crate::components::post_form::{PostAction, PostForm};
use crate::{
    api::{backends::Wizard, machines::CreateMachine},
    components::form::{Csrf, FieldError, FormError},
};

/// The most machines the form offers to create at once (the service's
/// limit).
const MAX_COUNT: u32 = 20;

/// The create form on one backend.
#[component]
pub(crate) fn WizardForm(
    wizard: Wizard,
    keys: Vec<KeySummary>,
    entered: Entered,
    search: super::Search,
    create: PostAction<CreateMachine>,
    backend: Signal<String>,
    page_search: Signal<String>,
) -> impl IntoView {
    let e = entered;
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let location_ids: Vec<String> = wizard.locations.iter().map(|l| l.id.clone()).collect();
    let chosen_location = {
        let ids: Vec<&str> = location_ids.iter().map(String::as_str).collect();
        pick(
            &ids,
            &e.location.get_untracked(),
            wizard.default_location.as_deref(),
        )
    };
    let locations = wizard
        .locations
        .iter()
        .map(|l| {
            let selected = chosen_location.as_deref() == Some(l.id.as_str());
            view! { <option value=l.id.clone() selected=selected>{l.label.clone()}</option> }
        })
        .collect_view();
    let default_key = keys.iter().find(|k| k.default_key).map(|k| k.name.clone());
    let wanted_key = e.key.get_untracked();
    let key_options = keys
        .iter()
        .map(|k| {
            let selected = wanted_key == k.name;
            view! { <option value=k.name.clone() selected=selected>{k.name.clone()}</option> }
        })
        .collect_view();
    let default_label = match &default_key {
        Some(name) => format!("The default key ({name})"),
        None => "The default key (none yet)".to_owned(),
    };
    let create_label = move || {
        let n = e.how_many();
        if n > 1 {
            format!("Create machines ({n})")
        } else {
            "Create machine".to_owned()
        }
    };
    view! {
        <p class="muted">"On " <strong>{wizard.title.clone()}</strong></p>
        <PostForm action=create attr:class="stacked wizard" attr:id="create-machine">
            <Csrf/>
            <FormError error fields=&["name", "count", "size", "image", "location", "key", "script"]/>
            <input type="hidden" name="backend" value=backend.get_untracked()/>
            <div class="wizard-row">
                <label class="grow">"Name"
                    <input name="name" required autocomplete="off" value=e.name.get_untracked()
                        on:input=move |ev| e.name.set(event_target_value(&ev))/>
                </label>
                <label>"How many"
                    <input name="count" type="number" min="1" max=MAX_COUNT.to_string() inputmode="numeric"
                        value=e.count.get_untracked() on:input=move |ev| e.count.set(event_target_value(&ev))/>
                </label>
            </div>
            <FieldError error field="name"/>
            <FieldError error field="count"/>
            <p class="muted hint">"Several are named after the first: web, web-2, web-3…"</p>
            <SizePicker wizard=wizard.clone() entered=e/>
            <FieldError error field="size"/>
            <ImagePicker wizard=wizard.clone() entered=e page_search search backend/>
            <FieldError error field="image"/>
            <label>"Location"
                <select name="location" required on:change=move |ev| e.location.set(event_target_value(&ev))>
                    {locations}
                </select>
            </label>
            <FieldError error field="location"/>
            <label>"Key to install"
                <select name="key" on:change=move |ev| e.key.set(event_target_value(&ev))>
                    <option value="">{default_label}</option>
                    {key_options}
                </select>
            </label>
            <FieldError error field="key"/>
            <label>"Script to run over SSH once the machine answers (optional; its output shows on the machine's page)"
                <textarea name="script" rows="4" class="mono"
                    on:input=move |ev| e.script.set(event_target_value(&ev))></textarea>
            </label>
            <FieldError error field="script"/>
            <div class="wizard-end">
                <Summary wizard=wizard.clone() entered=e page_search search default_key/>
                <div class="wizard-actions">
                    <button type=move || if e.hydrated.get() { "button" } else { "submit" }
                        name="then" value="review" class="secondary" formnovalidate=true
                        hidden=move || e.hydrated.get()>"Review"</button>
                    <button type="submit" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Creating…".to_owned() } else { create_label() }}
                    </button>
                </div>
            </div>
        </PostForm>
    }
}
