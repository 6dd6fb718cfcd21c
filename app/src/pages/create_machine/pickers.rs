//! The wizard's pickers: sizes (vCPU, memory, disk, price; filtered as one
//! types) and images (searched as one types over what was loaded, or asked
//! of the provider). Each is a plain `<select>` underneath, so the form
//! works without JavaScript.

use leptos::prelude::*;

use super::Entered;
use crate::api::backends::{GetWizard, ImageChoice, SizeChoice, Wizard};

/// Whether every word of `filter` is in `text` (any case).
pub(crate) fn matches(filter: &str, text: &str) -> bool {
    let text = text.to_lowercase();
    filter
        .to_lowercase()
        .split_whitespace()
        .all(|word| text.contains(word))
}

/// The choice a list shows as selected: `wanted` when it is listed, else
/// `default` when it is, else the first.
pub(crate) fn pick(ids: &[&str], wanted: &str, default: Option<&str>) -> Option<String> {
    let listed = |id: &str| ids.contains(&id);
    Some(wanted)
        .filter(|w| !w.is_empty() && listed(w))
        .or(default.filter(|d| listed(d)))
        .or(ids.first().copied())
        .map(str::to_owned)
}

/// The sizes the filter leaves.
pub(crate) fn visible_sizes(w: &Wizard, filter: &str) -> Vec<SizeChoice> {
    w.sizes
        .iter()
        .filter(|s| matches(filter, &s.label()))
        .cloned()
        .collect()
}

/// The size the form will post.
pub(crate) fn chosen_size(w: &Wizard, e: Entered) -> Option<SizeChoice> {
    let visible = visible_sizes(w, &e.size_filter.get());
    let ids: Vec<&str> = visible.iter().map(|s| s.id.as_str()).collect();
    let id = pick(&ids, &e.size.get(), w.default_size.as_deref())?;
    visible.into_iter().find(|s| s.id == id)
}

/// The images the search leaves: the provider's answer to the last search
/// it was asked, narrowed by what the box holds now when that differs.
pub(crate) fn visible_images(
    w: &Wizard,
    e: Entered,
    page_search: &str,
    found: Option<Vec<ImageChoice>>,
) -> Vec<ImageChoice> {
    let loaded_for = e.asked.get().unwrap_or_else(|| page_search.to_owned());
    let images = found.unwrap_or_else(|| w.images.clone());
    let typed = e.search.get();
    if typed.trim().eq_ignore_ascii_case(loaded_for.trim()) {
        return images;
    }
    images
        .into_iter()
        .filter(|i| matches(&typed, &i.label()))
        .collect()
}

/// The image the form will post.
pub(crate) fn chosen_image(visible: &[ImageChoice], w: &Wizard, e: Entered) -> Option<ImageChoice> {
    let ids: Vec<&str> = visible.iter().map(|i| i.id.as_str()).collect();
    let id = pick(&ids, &e.image.get(), w.default_image.as_deref())?;
    visible.iter().find(|i| i.id == id).cloned()
}

/// The size picker: a filter (once hydrated) over a list showing vCPU,
/// memory, disk and price.
#[component]
pub(crate) fn SizePicker(wizard: Wizard, entered: Entered) -> impl IntoView {
    let w = StoredValue::new(wizard);
    let e = entered;
    // Rebuilt when the filter changes, not on every choice (the list keeps
    // its scroll); the choice is read as it is then.
    let options = move || {
        let w = w.get_value();
        let filter = e.size_filter.get();
        let chosen = untrack(|| chosen_size(&w, e)).map(|s| s.id);
        visible_sizes(&w, &filter)
            .into_iter()
            .map(|s| {
                let selected = chosen.as_deref() == Some(s.id.as_str());
                view! { <option value=s.id.clone() selected=selected>{s.label()}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="picker">
            <label class="picker-filter" hidden=move || !e.hydrated.get()>
                "Filter"
                <input
                    type="search"
                    placeholder="1 vCPU, 2 GiB, t3…"
                    autocomplete="off"
                    value=e.size_filter.get_untracked()
                    on:input=move |ev| e.size_filter.set(event_target_value(&ev))
                />
            </label>
            <label>"Size"
                <select name="size" required size="6" data-testid="sizes"
                    on:change=move |ev| e.size.set(event_target_value(&ev))>
                    {options}
                </select>
            </label>
        </div>
    }
}

/// The image picker: a search box (filters the list as one types once
/// hydrated; Search asks the provider) over the list, starred images
/// first. Without JavaScript, Search posts the form and the page comes
/// back searched, with what was entered.
#[component]
pub(crate) fn ImagePicker(
    wizard: Wizard,
    entered: Entered,
    page_search: Signal<String>,
    search: super::Search,
    backend: Signal<String>,
) -> impl IntoView {
    let w = StoredValue::new(wizard);
    let e = entered;
    let found = move || search.value().get().and_then(Result::ok).map(|w| w.images);
    let options = move || {
        let w = w.get_value();
        let visible = visible_images(&w, e, &page_search.get(), found());
        let chosen = untrack(|| chosen_image(&visible, &w, e)).map(|i| i.id);
        if visible.is_empty() {
            return view! { <option value="" disabled>"No image matches"</option> }.into_any();
        }
        visible
            .into_iter()
            .map(|i| {
                let selected = chosen.as_deref() == Some(i.id.as_str());
                view! { <option value=i.id.clone() selected=selected>{i.label()}</option> }
            })
            .collect_view()
            .into_any()
    };
    // The list is the provider's answer to the search it was asked once
    // that answer is in (until then the box filters the list shown).
    let sent = StoredValue::new(String::new());
    Effect::new(move |_| {
        if search.value().with(|v| matches!(v, Some(Ok(_)))) {
            e.asked.set(Some(sent.get_value()));
        }
    });
    let ask = move || {
        let q = e.search.get_untracked();
        sent.set_value(q.clone());
        search.dispatch(GetWizard {
            backend: backend.get_untracked(),
            search: q,
        });
    };
    view! {
        <div class="picker">
            <div class="picker-search">
                <label>"Search"
                    <input
                        name="search"
                        type="search"
                        placeholder="ubuntu 24.04"
                        autocomplete="off"
                        value=e.search.get_untracked()
                        on:input=move |ev| e.search.set(event_target_value(&ev))
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" && e.hydrated.get_untracked() {
                                ev.prevent_default();
                                ask();
                            }
                        }
                    />
                </label>
                <button
                    type=move || if e.hydrated.get() { "button" } else { "submit" }
                    name="then"
                    value="search"
                    class="secondary"
                    formnovalidate=true
                    on:click=move |ev| {
                        if e.hydrated.get_untracked() {
                            ev.prevent_default();
                            ask();
                        }
                    }
                >
                    {move || if search.pending().get() { "Searching…" } else { "Search the provider" }}
                </button>
            </div>
            {move || search.value().get().and_then(Result::err).map(|err| view! {
                <p class="form-error" role="alert">{err.to_string()}</p>
            })}
            <label>"Image"
                <select name="image" required size="8" data-testid="images"
                    on:change=move |ev| e.image.set(event_target_value(&ev))>
                    {options}
                </select>
            </label>
        </div>
    }
}
