//! The summary beside Create: what will be created, where, from what, for
//! how much. Live once hydrated; without JavaScript it shows the choices as
//! the page was loaded, and Review brings it up to date.

use leptos::prelude::*;

use super::{
    pickers::{chosen_image, chosen_size, pick, visible_images},
    Entered,
};
use crate::api::{
    backends::{price, Wizard},
    machines::names,
};

/// The summary box.
#[component]
pub(crate) fn Summary(
    wizard: Wizard,
    entered: Entered,
    page_search: Signal<String>,
    search: super::Search,
    default_key: Option<String>,
) -> impl IntoView {
    let w = StoredValue::new(wizard);
    let e = entered;
    let title = w.with_value(|w| w.title.clone());
    let size = move || {
        w.with_value(|w| chosen_size(w, e))
            .map_or_else(|| "none offered".to_owned(), |s| s.label())
    };
    let image = move || {
        let found = search.value().get().and_then(Result::ok).map(|w| w.images);
        w.with_value(|w| {
            let visible = visible_images(w, e, &page_search.get(), found);
            chosen_image(&visible, w, e)
        })
        .map_or_else(|| "none chosen".to_owned(), |i| i.label())
    };
    let location = move || {
        w.with_value(|w| {
            let ids: Vec<&str> = w.locations.iter().map(|l| l.id.as_str()).collect();
            let id = pick(&ids, &e.location.get(), w.default_location.as_deref());
            w.locations
                .iter()
                .find(|l| Some(&l.id) == id.as_ref())
                .map(|l| l.label.clone())
        })
        .unwrap_or_else(|| "none offered".to_owned())
    };
    let default_key = StoredValue::new(default_key);
    let key = move || {
        let k = e.key.get();
        if k.is_empty() {
            default_key.get_value().map_or_else(
                || "the default key (none yet)".to_owned(),
                |d| format!("the default key, {d}"),
            )
        } else {
            k
        }
    };
    let machines = move || {
        let n = e.how_many();
        let name = e.name.get();
        if name.trim().is_empty() {
            return format!("{n} (give a name)");
        }
        let list = names(&name, n.min(20));
        if list.len() > 3 {
            format!("{n}: {}, … {}", list[..2].join(", "), list[list.len() - 1])
        } else {
            format!("{n}: {}", list.join(", "))
        }
    };
    let cost = move || {
        let n = e.how_many();
        w.with_value(|w| chosen_size(w, e))
            .and_then(|s| s.price_hourly)
            .map(|p| {
                if n > 1 {
                    format!("{} each, {} in all", price(p), price(p * f64::from(n)))
                } else {
                    price(p)
                }
            })
            .unwrap_or_else(|| "not reported by the provider".to_owned())
    };
    view! {
        <aside class="wizard-summary" data-testid="summary" aria-live="polite">
            <h2>"Summary"</h2>
            <dl>
                <dt>"Backend"</dt><dd>{title}</dd>
                <dt>"Machines"</dt><dd data-testid="summary-machines">{machines}</dd>
                <dt>"Size"</dt><dd data-testid="summary-size">{size}</dd>
                <dt>"Price"</dt><dd data-testid="summary-price">{cost}</dd>
                <dt>"Image"</dt><dd data-testid="summary-image">{image}</dd>
                <dt>"Location"</dt><dd data-testid="summary-location">{location}</dd>
                <dt>"Key"</dt><dd data-testid="summary-key">{key}</dd>
            </dl>
            <p class="muted" hidden=move || e.hydrated.get()>
                "As the page was loaded: Review brings it up to date with your changes."
            </p>
        </aside>
    }
}
