//! The picker beside the template editor: one of the user's backends (the
//! template's `vendor`), then that backend's sizes, images and locations
//! (the Create machine page's own catalogue) for the first layer. A GET
//! form on `/stacks/new`: without JavaScript the page renders the template
//! filled from its address (a backend first, then its catalogue); once
//! hydrated, choosing a backend loads its catalogue at once and "Fill in"
//! rewrites the text being edited.

use domain::inventory::BackendSummary;
use leptos::prelude::*;

use super::editor::{cloud_of, fill, Picked};
use crate::api::backends::{get_catalogue, list_backends, Catalogue, Choice};
use crate::error::AppError;
use crate::loaded::{load, Loaded};

/// What the address's picker fields chose (`backend` is `<cloud>:<id>`).
pub fn picked_from(get: impl Fn(&str) -> String) -> Picked {
    let (cloud, backend) = get("backend")
        .split_once(':')
        .map(|(c, b)| (c.to_owned(), b.to_owned()))
        .unwrap_or_default();
    Picked {
        cloud,
        backend,
        instance_type: get("instance_type"),
        image: get("image"),
        availability_zone: get("availability_zone"),
    }
}

/// The picker's resources (the user's backends, and the catalogue of the
/// one chosen, first from the address), made at the page's top level so
/// the server and the browser make them in the same order; the form itself
/// shows only to someone who may create stacks.
#[derive(Clone, Copy)]
pub struct PickerData {
    first: StoredValue<Picked>,
    chosen: RwSignal<String>,
    backends: Loaded<Result<Vec<BackendSummary>, AppError>>,
    catalogue: Loaded<Result<Option<Catalogue>, AppError>>,
}

impl PickerData {
    pub fn from_address() -> Self {
        let query = crate::address::query();
        let first = query.with_untracked(|q| picked_from(|k| q.get(k).unwrap_or_default()));
        let chosen = RwSignal::new(if first.backend.is_empty() {
            String::new()
        } else {
            format!("{}:{}", first.cloud, first.backend)
        });
        let backends = load(|| (), |()| list_backends());
        let catalogue = load(
            move || chosen.get(),
            |chosen| async move {
                match chosen.split_once(':') {
                    Some((_, id)) => get_catalogue(id.to_owned(), String::new()).await.map(Some),
                    None => Ok(None),
                }
            },
        );
        Self {
            first: StoredValue::new(first),
            chosen,
            backends,
            catalogue,
        }
    }
}

/// The picker; fills `text` once hydrated.
#[component]
pub fn Picker(text: RwSignal<String>, data: PickerData) -> impl IntoView {
    let PickerData {
        first,
        chosen,
        backends,
        catalogue,
    } = data;
    let first = first.get_value();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        use leptos::wasm_bindgen::JsCast;
        ev.prevent_default();
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let Ok(data) = leptos::web_sys::FormData::new_with_form(&form) else {
            return;
        };
        let picked = picked_from(|k| data.get(k).as_string().unwrap_or_default());
        text.update(|t| *t = fill(t, &picked));
    };
    let select =
        move |name: &'static str, label: &'static str, choices: Vec<Choice>, current: String| {
            view! {
                <label>{label}
                    <select name=name>
                        <option value="">"(leave as it is)"</option>
                        {choices.into_iter().map(|c| {
                            let selected = c.id == current;
                            view! { <option value=c.id selected=selected>{c.label}</option> }
                        }).collect_view()}
                    </select>
                </label>
            }
        };
    view! {
        <form method="get" action="/stacks/new" class="picker" data-testid="picker" on:submit=on_submit>
            <Transition fallback=|| view! { <p class="muted">"Reading your backends…"</p> }>
                {move || Suspend::new(async move {
                    let all = backends.await.unwrap_or_default();
                    let usable: Vec<(String, String)> = all
                        .into_iter()
                        .filter(|b| b.can_create)
                        .filter_map(|b| cloud_of(&b.provider).map(|c| (format!("{c}:{}", b.id), b.title)))
                        .collect();
                    let current = chosen.get_untracked();
                    view! {
                        <label>"Backend (vendor)"
                            <select name="backend" on:change=move |ev| chosen.set(event_target_value(&ev))>
                                <option value="">"(choose)"</option>
                                {usable.into_iter().map(|(value, title)| {
                                    let selected = value == current;
                                    view! { <option value=value selected=selected>{title}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    }
                })}
            </Transition>
            <Transition fallback=|| view! { <p class="muted">"Asking the provider for sizes, images and locations…"</p> }>
                {move || {
                    let first = first.clone();
                    Suspend::new(async move {
                    match catalogue.await {
                        Ok(Some(c)) => view! {
                            {select("instance_type", "Size", c.sizes, first.instance_type.clone())}
                            {select("image", "Image", c.images, first.image.clone())}
                            {select("availability_zone", "Zone", c.locations, first.availability_zone.clone())}
                        }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                    })
                }}
            </Transition>
            <button type="submit" class="secondary">"Fill in the template"</button>
        </form>
    }
}
