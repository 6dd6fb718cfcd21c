//! Machines: the fleet table. One page of the machines the user may see,
//! searched, filtered, sorted and paged on the server from the address
//! (`?q=&backend=&state=&tag=&stack=&sort=&desc=&page=&per_page=`,
//! `domain::fleet::FleetQuery`), so it works without JavaScript and can be
//! bookmarked: the counters per state, the filters, the chosen columns,
//! the rows with their actions, and the pager. Once hydrated the filters
//! follow typing, the rows follow the machine and backend events (a
//! changed machine in place; anything that changes the page or its counts
//! reads it again, `components::live_rows`), and machines can be selected
//! and acted on together (`bulk`), each row showing its progress and its
//! result, and the activity area (`toasts`) what happened.

mod bulk;
mod columns;
mod create_link;
mod filters;
mod packed;
mod pager;
mod row;
mod state;
mod table;
mod toasts;
mod words;

use std::time::Duration;

use domain::fleet::{FleetPage, FleetQuery};
use leptos::prelude::*;

use crate::islands::{groups::MachinesIsland, page_island};

use crate::components::post_form::PostAction;
use crate::components::title::PageTitle;
use crate::loaded::load;
use crate::{
    api::{
        events::events_position,
        machines::{fleet as read_fleet, ActOnMachine},
    },
    components::{form::FormError, live_rows::apply_to_fleet, machine_actions::refused_machine},
    error::AppError,
    live,
};
use bulk::BulkBar;
use columns::ColumnChooser;
use create_link::CreateMachine;
use filters::{FilterForm, StateCounters};
use pager::Pager;
use state::{key_of, Fleet, RowStatus};
use table::FleetTable;
use toasts::Toasts;
use words::error_words;

/// The events the page follows.
const TOPICS: &[&str] = &["machine", "backend"];

/// How long a burst of events is gathered before the page is read again.
const SETTLE_MS: u64 = 500;

/// Reads the page `q` asks for.
async fn read(q: FleetQuery) -> Result<FleetPage, AppError> {
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    read_fleet(
        text(&q.q),
        text(&q.backend),
        q.state.map(|s| s.as_str().to_owned()),
        text(&q.tag),
        text(&q.stack),
        Some(q.sort.as_str().to_owned()),
        q.desc.then(|| "1".to_owned()),
        Some(q.page.to_string()),
        Some(q.per_page.to_string()),
    )
    .await
}

/// The Machines page.
#[component]
pub fn MachinesPage() -> impl IntoView {
    view! {
        <PageTitle text="Machines"/>
        {page_island(MachinesIsland::Fleet)}
    }
}

/// Everything under the page's title: it follows the address, the events
/// and the forms' answers (an island in islands mode).
#[component]
pub fn FleetView() -> impl IntoView {
    let address = crate::address::query();
    let query = Memo::new(move |_| {
        address.with(|m| FleetQuery::from_pairs(m.into_iter().map(|(k, v)| (k.as_ref(), v))))
    });
    let fleet = Fleet::new(query);
    // The events' position first, then the page the address opened with:
    // events from there on are applied to what was read. Later addresses
    // are read by `reload`, so the form, the table and the focus stay.
    let first = load(
        move || query.get_untracked(),
        |q| async move {
            let since = events_position().await?;
            let page = read(q).await?;
            Ok::<_, AppError>((since, packed::Packed(page)))
        },
    );
    // Reads the address's page again; an answer overtaken by a later read
    // is dropped.
    let latest = StoredValue::new(0_u64);
    let reload = move || {
        let n = latest.get_value() + 1;
        latest.set_value(n);
        let q = query.get_untracked();
        fleet.loading.set(true);
        leptos::task::spawn_local(async move {
            let got = read(q).await;
            if latest.try_get_value() != Some(n) {
                return;
            }
            fleet.loading.try_set(false);
            match got {
                Ok(page) => fleet.show(page),
                Err(e) => {
                    fleet.error.try_set(Some(e));
                }
            }
        });
    };
    // Once hydrated: a new address is read (not the first, which the
    // server rendered).
    Effect::new(move |seen: Option<()>| {
        query.track();
        if seen.is_some() {
            reload();
        }
    });
    Effect::new(move |_| fleet.hydrated.set(true));
    // Events come in bursts: read again once they settle.
    let waiting = StoredValue::new(false);
    let soon = move || {
        if waiting.try_get_value().unwrap_or(true) {
            return;
        }
        waiting.set_value(true);
        set_timeout(
            move || {
                if waiting.try_set_value(false).is_none() {
                    reload();
                }
            },
            Duration::from_millis(SETTLE_MS),
        );
    };
    let following = StoredValue::new(false);
    Effect::new(move |_| {
        let Some(Ok((since, _))) = first.get() else {
            return;
        };
        if following.get_value() {
            return;
        }
        following.set_value(true);
        live::follow(
            TOPICS,
            Some(since),
            live::Listener {
                on_event: Box::new(move |event| {
                    let mut change = Default::default();
                    fleet.page.maybe_update(|p| {
                        let Some(p) = p.as_mut() else {
                            return false;
                        };
                        change = apply_to_fleet(&mut p.rows, &event);
                        change.changed
                    });
                    if change.read_again {
                        soon();
                    }
                }),
                on_reload: Box::new(reload),
            },
        );
    });
    // Only a plain form's refusal comes back here (in the address): with
    // JavaScript the rows say theirs. The row's form kept which machine it
    // was, so the refusal is said beside that row, as once hydrated; above
    // the table only when that row is not on the page.
    let refusal = PostAction::<ActOnMachine>::new()
        .value()
        .get_untracked()
        .and_then(Result::err);
    let refused_row = refused_machine();
    view! {
        <section class="page fleet" on:click=crate::address::follow_same_page_links>
            <h1>"Machines"</h1>
            <Transition fallback=|| view! { <p>"Loading machines…"</p> }>
                {move || {
                    let (refusal, refused_row) = (refusal.clone(), refused_row.clone());
                    Suspend::new(async move {
                        match first.await {
                            Ok((_, packed::Packed(page))) => {
                                let beside = refused_row
                                    .filter(|key| page.rows.iter().any(|r| key_of(r) == *key));
                                // The first read seeds what later reads replace.
                                if fleet.page.with_untracked(Option::is_none) {
                                    fleet.show(page);
                                }
                                let above = match (refusal, beside) {
                                    (Some(e), Some(key)) => {
                                        fleet.status.update(|s| {
                                            s.entry(key)
                                                .or_insert_with(|| RowStatus::Failed(error_words(&e)));
                                        });
                                        None
                                    }
                                    (refusal, _) => refusal,
                                };
                                view! { <FormError error=Signal::stored(above)/><Body fleet/> }.into_any()
                            }
                            Err(e) => view! {
                                <FormError error=Signal::stored(refusal)/>
                                <p class="form-error" role="alert">{error_words(&e)}</p>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Transition>
            <Toasts fleet/>
        </section>
    }
}

/// Everything under the heading, once the first page is read.
#[component]
fn Body(fleet: Fleet) -> impl IntoView {
    let total = move || fleet.page.with(|p| p.as_ref().map_or(0, |p| p.total));
    let range = move || {
        fleet
            .page
            .with(|p| p.as_ref().map(FleetPage::range_label).unwrap_or_default())
    };
    let matched = move || fleet.page.with(|p| p.as_ref().map_or(0, |p| p.matched));
    view! {
        <CreateMachine fleet/>
        <FilterForm fleet/>
        <p class="placeholder" data-testid="no-machines" hidden=move || total() != 0>
            "No machines yet. Machines appear here once a backend is added on the "
            <a href="/backends">"Backends"</a> " page."
        </p>
        <div hidden=move || total() == 0>
            <StateCounters fleet/>
            <div class="fleet-head">
                <p class="muted" data-testid="machine-count">{range}</p>
                <span class="muted" hidden=move || !fleet.loading.get()>"Reading…"</span>
                <ColumnChooser fleet/>
            </div>
            {move || fleet.error.get().map(|e| view! { <p class="form-error" role="alert">{error_words(&e)}</p> })}
            <BulkBar fleet/>
            <p class="placeholder" data-testid="no-match" hidden=move || matched() != 0>
                "No machine matches. " <a href="/machines">"Show all machines"</a>
            </p>
            <FleetTable fleet/>
            <Pager fleet/>
        </div>
    }
    .into_any()
}
