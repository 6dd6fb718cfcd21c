//! Acting on machines once hydrated: one machine from its row's buttons,
//! or the selected ones from the bar above the table, which offers an
//! action only when every selected machine allows it, asks once naming
//! the count, then calls the server a few machines at a time, each row
//! showing its progress and its result.

use domain::{fleet::FleetRow, inventory::MachineSummary};
use futures::StreamExt;
use leptos::prelude::*;

use super::{
    state::{key_of, Fleet, RowStatus},
    words::{error_words, machines, Bulk},
};
use crate::{
    api::machines::{act_on_machine, set_machine_tags},
    error::AppError,
};

/// Machines acted on at once.
const AT_ONCE: usize = 4;

/// Runs `what` on `targets`: each row says "stopping…", then its result;
/// the activity area says it too ("stopping web-1… stopped").
pub fn run(fleet: Fleet, what: Bulk, targets: Vec<MachineSummary>) {
    if targets.is_empty() {
        return;
    }
    let doing = what.doing();
    fleet.status.update(|s| {
        for m in &targets {
            s.insert(
                (m.backend.clone(), m.id.clone()),
                RowStatus::Busy(format!("{doing}…")),
            );
        }
    });
    let subject = match targets.as_slice() {
        [one] => one.name.clone(),
        many => machines(many.len()),
    };
    let toast = fleet.toast(format!("{doing} {subject}…"));
    leptos::task::spawn_local(async move {
        let n = targets.len();
        let mut failed = 0_usize;
        let mut last_error = String::new();
        let mut results = futures::stream::iter(targets)
            .map(|m| {
                let what = what.clone();
                async move {
                    let result = act(&what, &m).await;
                    ((m.backend, m.id), result)
                }
            })
            .buffer_unordered(AT_ONCE);
        while let Some((key, result)) = results.next().await {
            let status = match result {
                Ok(()) => RowStatus::Done(what.done().to_owned()),
                Err(e) => {
                    failed += 1;
                    last_error = error_words(&e);
                    RowStatus::Failed(last_error.clone())
                }
            };
            fleet.status.try_update(|s| s.insert(key, status));
        }
        let outcome = match (n, failed) {
            (_, 0) => what.done().to_owned(),
            (1, _) => format!("failed: {last_error}"),
            _ => format!("{} {}, {failed} failed", n - failed, what.done()),
        };
        fleet.finish_toast(toast, format!("{doing} {subject}… {outcome}"));
    });
}

/// One call for one machine.
async fn act(what: &Bulk, m: &MachineSummary) -> Result<(), AppError> {
    match what {
        Bulk::Act(action) => {
            act_on_machine(
                m.backend.clone(),
                m.id.clone(),
                (*action).to_owned(),
                String::new(),
            )
            .await
        }
        Bulk::Tag(tag) => {
            let mut tags = m.tags.clone();
            if !tags.iter().any(|t| t == tag) {
                tags.push(tag.clone());
            }
            set_machine_tags(m.backend.clone(), m.id.clone(), tags.join(",")).await
        }
    }
}

/// Whether every row in `rows` allows `action`.
fn all_allow(rows: &[FleetRow], action: &str) -> bool {
    !rows.is_empty()
        && rows.iter().all(|r| {
            let m = &r.machine;
            match action {
                "reboot" => m.can_reboot,
                "stop" => m.can_stop,
                "start" => m.can_start,
                "destroy" => m.can_destroy,
                "tag" => m.can_tag,
                _ => false,
            }
        })
}

/// The bar over the table while machines are selected (hydrated only).
#[component]
pub fn BulkBar(fleet: Fleet) -> impl IntoView {
    // The action waiting for its confirmation.
    let asking = RwSignal::new(None::<Bulk>);
    let tag = RwSignal::new(String::new());
    let chosen = move || {
        fleet.selected.with(|s| {
            fleet.page.with(|p| {
                p.as_ref()
                    .map(|p| {
                        p.rows
                            .iter()
                            .filter(|r| s.contains(&key_of(r)))
                            .cloned()
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            })
        })
    };
    let go = move |what: Bulk| {
        let targets: Vec<MachineSummary> = chosen().into_iter().map(|r| r.machine).collect();
        asking.set(None);
        fleet.selected.set(Default::default());
        run(fleet, what, targets);
    };
    let button = move |action: &'static str| {
        move || {
            all_allow(&chosen(), action).then(|| {
                let what = Bulk::Act(action);
                let class = if action == "destroy" { "danger" } else { "secondary" };
                view! {
                    <button type="button" class=class data-bulk=action on:click=move |_| asking.set(Some(what.clone()))>
                        {Bulk::Act(action).title()}
                    </button>
                }
            })
        }
    };
    let tagging = move || {
        all_allow(&chosen(), "tag").then(|| {
            view! {
                <span class="bulk-tag">
                    <input aria-label="Tag to add" placeholder="env=prod" prop:value=move || tag.get()
                        on:input=move |ev| tag.set(event_target_value(&ev))/>
                    <button type="button" class="secondary" data-bulk="tag"
                        disabled=move || tag.with(|t| t.trim().is_empty())
                        on:click=move |_| asking.set(Some(Bulk::Tag(tag.get_untracked().trim().to_owned())))>
                        "Tag"
                    </button>
                </span>
            }
        })
    };
    let confirm = move || {
        asking.get().map(|what| {
            let n = fleet.selected.with(|s| s.len());
            let question = what.question(n);
            let yes = format!("{} {}", what.title(), machines(n));
            let class = if what == Bulk::Act("destroy") { "danger" } else { "secondary" };
            view! {
                <div class="bulk-confirm" role="group" aria-label="Confirm" data-testid="bulk-confirm">
                    <strong>{question}</strong>
                    <button type="button" class=class on:click=move |_| go(what.clone())>{yes}</button>
                    <button type="button" class="secondary" on:click=move |_| asking.set(None)>"Cancel"</button>
                </div>
            }
        })
    };
    move || {
        let n = fleet.selected.with(|s| s.len());
        (fleet.hydrated.get() && n > 0).then(|| {
            view! {
                <div class="bulk-bar" role="region" aria-label="Selected machines" data-testid="bulk-bar">
                    <span class="count" data-testid="selected-count">{format!("{} selected", machines(n))}</span>
                    {button("start")}{button("stop")}{button("reboot")}{button("destroy")}
                    {tagging}
                    <button type="button" class="link-like" on:click=move |_| { asking.set(None); fleet.selected.set(Default::default()) }>
                        "Clear selection"
                    </button>
                    {confirm}
                </div>
            }
            .into_any()
        })
    }
}
