//! Which columns the table shows: a `<details>` of checkboxes that posts
//! the choice to `machines/columns` (so it works without JavaScript and is
//! remembered per user); once hydrated a click shows or hides the column
//! at once and saves the choice.

use domain::fleet::COLUMNS;
use leptos::prelude::*;
use server_fn::ServerFn;

use super::{
    state::Fleet,
    words::{error_words, heading},
};
use crate::{
    api::machines::{set_fleet_columns, SetFleetColumns},
    components::form::Csrf,
};

/// The column chooser.
#[component]
pub fn ColumnChooser(fleet: Fleet) -> impl IntoView {
    let failed = RwSignal::new(None::<String>);
    let save = move || {
        let columns = fleet.columns.get_untracked();
        leptos::task::spawn_local(async move {
            let result = set_fleet_columns(columns).await;
            failed.try_set(result.err().map(|e| error_words(&e)));
        });
    };
    let boxes = COLUMNS
        .iter()
        .map(|column| {
            let column: &'static str = column;
            view! {
                <label class="check">
                    <input type="checkbox" name="columns" value=column
                        checked=move || fleet.shows(column)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            fleet.columns.update(|chosen| {
                                chosen.retain(|c| c != column);
                                if on {
                                    chosen.push(column.to_owned());
                                }
                            });
                            save();
                        }/>
                    {heading(column)}
                </label>
            }
        })
        .collect_view();
    view! {
        <details class="columns-chooser" data-testid="column-chooser">
            <summary>"Columns"</summary>
            <form method="post" action=SetFleetColumns::url() on:submit=move |ev| {
                ev.prevent_default();
                save();
            }>
                <Csrf/>
                {boxes}
                <button type="submit" class="secondary">"Use these columns"</button>
                {move || failed.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            </form>
        </details>
    }
    .into_any()
}
