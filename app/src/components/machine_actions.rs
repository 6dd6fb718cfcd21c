//! A machine's actions as its provider and state allow them (its `can_*`
//! flags): reboot, stop, start, and destroy behind a confirmation. The
//! Machines page's rows and the machine's own page both show them, and
//! both read their machines again while they are open ([`keep_fresh`]).

use std::time::Duration;

use domain::inventory::MachineSummary;
use leptos::prelude::*;

use crate::{
    api::machines::ActOnMachine,
    components::{confirm::ConfirmAction, form::Csrf},
};

/// How often a hydrated page reads its machines again.
pub const REFRESH: Duration = Duration::from_secs(5);

/// Whether the machine offers any action at all.
pub fn any_action(m: &MachineSummary) -> bool {
    m.can_reboot || m.can_stop || m.can_start || m.can_destroy
}

/// The buttons of the actions `machine` offers, each a form posting to
/// `machines/act` (so they work without JavaScript).
#[component]
pub fn MachineActions(
    machine: MachineSummary,
    act: ServerAction<ActOnMachine>,
    /// An action on this machine is under way: the buttons wait for it.
    #[prop(optional, into)]
    busy: Signal<bool>,
) -> impl IntoView {
    let (backend, id) = (machine.backend.clone(), machine.id.clone());
    let form = |action: &'static str, label: &'static str, class: &'static str| {
        let (backend, id) = (backend.clone(), id.clone());
        view! {
            <ActionForm action=act attr:class="inline">
                <Csrf/>
                <input type="hidden" name="backend" value=backend/>
                <input type="hidden" name="machine" value=id/>
                <input type="hidden" name="action" value=action/>
                <button type="submit" class=class data-action=action disabled=move || busy.get()>{label}</button>
            </ActionForm>
        }
        // Boxed: a Machines row's full type is too deep for the release build.
        .into_any()
    };
    let reboot = machine
        .can_reboot
        .then(|| form("reboot", "Reboot", "secondary"));
    let stop = machine.can_stop.then(|| form("stop", "Stop", "secondary"));
    let start = machine
        .can_start
        .then(|| form("start", "Start", "secondary"));
    let destroy = machine.can_destroy.then(|| {
        let warning = format!(
            "{} and its disks are deleted at the provider. This cannot be undone.",
            machine.name
        );
        let button = form("destroy", "Destroy this machine", "danger");
        view! { <ConfirmAction summary="Destroy" warning>{button}</ConfirmAction> }.into_any()
    });
    view! { {reboot}{stop}{start}{destroy} }.into_any()
}

/// In the browser (effects do not run on the server): calls `refresh`
/// every [`REFRESH`] and after each action `act` ends, so states change
/// without a reload.
pub fn keep_fresh(act: ServerAction<ActOnMachine>, refresh: impl Fn() + Copy + 'static) {
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(refresh, REFRESH) {
            on_cleanup(move || handle.clear());
        }
    });
    Effect::new(move |seen: Option<usize>| {
        let version = act.version().get();
        if seen.is_some() {
            refresh();
        }
        version
    });
}
