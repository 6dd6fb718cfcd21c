//! Home: the dashboard. What the caller may see of the installation at a
//! glance (backends with their state and machine counts, trouble first;
//! machines by state; scripts running now; recent activity) and, while a
//! new installation is not set up, a checklist that ticks itself. Fully
//! rendered on the server; once hydrated it follows backend, machine and
//! script events and reads itself again (`LiveDashboard`, an island in
//! islands mode: the page's one part that needs the browser).

mod sections;

use domain::{dashboard::Dashboard, events::EventKind};
use leptos::prelude::*;

use crate::islands::{groups::HomeIsland, page_island};

use crate::api::dashboard::dashboard;
use crate::components::title::PageTitle;
use crate::loaded::load;
use sections::{ActivityList, BackendList, MachineStates, RunningScriptList, SetupChecklist};

/// How long a burst of events is gathered before the dashboard is read
/// again (a poll may change many machines at once).
const SETTLE_MS: u64 = 400;

/// The signed-in home page.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <PageTitle text="Home"/>
        <section class="page dashboard">
            <h1>"Welcome to Overcast"</h1>
            {page_island(HomeIsland::Dashboard)}
        </section>
    }
}

/// The dashboard, read again a moment after backend, machine and script
/// events (an island in islands mode).
#[component]
pub fn LiveDashboard() -> impl IntoView {
    // Bumped once hydrated, a moment after events arrive: read again.
    let news = RwSignal::new(0_u64);
    let waiting = StoredValue::new(false);
    let soon = move || {
        if waiting.try_get_value().unwrap_or(true) {
            return;
        }
        waiting.try_set_value(true);
        set_timeout(
            move || {
                waiting.try_set_value(false);
                news.try_update(|n| *n += 1);
            },
            std::time::Duration::from_millis(SETTLE_MS),
        );
    };
    crate::live::follow_after_catching_up(
        &["backend", "machine", "script"],
        move || news.update(|n| *n += 1),
        crate::live::Listener {
            // Output does not change what the dashboard shows.
            on_event: Box::new(move |e| {
                if e.kind != EventKind::ScriptOutput {
                    soon();
                }
            }),
            on_reload: Box::new(move || news.update(|n| *n += 1)),
        },
    );
    let board = load(move || news.get(), |_| dashboard());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the dashboard…"</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(d) => view! { <Board d/> }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The dashboard's sections.
#[component]
fn Board(d: Dashboard) -> impl IntoView {
    let sections = d.sections;
    let checklist = d.checklist.filter(|c| !c.complete());
    view! {
        {checklist.map(|c| view! { <SetupChecklist checklist=c/> })}
        <div class="dash-grid" data-testid="dashboard">
            <BackendList backends=d.backends sections/>
            <MachineStates states=d.machines total=d.machines_total sections/>
            <RunningScriptList scripts=d.scripts/>
            <ActivityList activity=d.activity/>
        </div>
    }
}
