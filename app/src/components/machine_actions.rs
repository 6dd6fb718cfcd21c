//! A machine's actions as its provider, its state and the caller's rights
//! allow them (its `can_*` flags): reboot, stop, start, and destroy behind
//! a confirmation. The Machines page's rows and the machine's own page both
//! show them, and both follow their machines' events while they are open
//! (`crate::live`).

use domain::inventory::MachineSummary;
use leptos::prelude::*;
use server_fn::ServerFn;

use crate::components::post_form::{PostAction, PostForm};
use crate::{
    api::machines::{parse_act, row_act, ActOnMachine},
    components::{
        confirm::ConfirmAction,
        form::{kept, Csrf, KeepFields},
    },
};

/// What a failed plain post of an action brings back
/// ([`KeepFields`]): which machine it was, and the action.
const KEPT: &[&str] = &["backend", "machine", "action"];

/// The machine (its backend's id and its own) whose action a plain form
/// (no JavaScript) just posted and the server refused, from the address
/// the browser was sent back to; `None` after any other load.
pub fn refused_machine() -> Option<(String, String)> {
    if let Some(posted) = kept::<ActOnMachine>("act") {
        let (_, backend, machine) = parse_act(&posted)?;
        return Some((backend.to_owned(), machine.to_owned()));
    }
    Some((
        kept::<ActOnMachine>("backend")?,
        kept::<ActOnMachine>("machine")?,
    ))
}

/// Whether the machine offers any action at all.
pub fn any_action(m: &MachineSummary) -> bool {
    m.can_reboot || m.can_stop || m.can_start || m.can_destroy
}

/// The buttons of the actions `machine` offers, posting to `machines/act`
/// (so they work without JavaScript): given `act` (the machine's page),
/// each its own form, dispatching `act` once hydrated; otherwise (a list
/// row) buttons posting the list's one form ([`row_form`]), each handing its action
/// (`"stop"`) to `on_act` once hydrated (the Machines page runs it and
/// shows its progress and result beside the row).
#[component]
pub fn MachineActions(
    machine: MachineSummary,
    /// Dispatched by the buttons, unless `on_act` is given.
    #[prop(optional)]
    act: Option<PostAction<ActOnMachine>>,
    /// Takes the action instead of `act`.
    #[prop(optional)]
    on_act: Option<Callback<&'static str>>,
    /// An action on this machine is under way: the buttons wait for it.
    #[prop(optional, into)]
    busy: Signal<bool>,
) -> impl IntoView {
    let (backend, id) = (machine.backend.clone(), machine.id.clone());
    if act.is_none() {
        return row_form(machine, on_act, busy);
    }
    let form = |action: &'static str, label: &'static str, class: &'static str| {
        let (backend, id) = (backend.clone(), id.clone());
        let fields = view! {
            <Csrf/>
            <KeepFields fields=KEPT/>
            <input type="hidden" name="backend" value=backend/>
            <input type="hidden" name="machine" value=id/>
            <input type="hidden" name="action" value=action/>
            <button type="submit" class=class data-action=action disabled=move || busy.get()>{label}</button>
        };
        match (on_act, act) {
            (None, Some(act)) => view! {
                <PostForm action=act attr:class="inline">{fields}</PostForm>
            }
            // Boxed: a Machines row's full type is too deep for the release build.
            .into_any(),
            (on_act, _) => view! {
                <form method="post" action=ActOnMachine::url() class="inline" on:submit=move |ev| {
                    if let Some(on_act) = on_act {
                        ev.prevent_default();
                        on_act.run(action);
                    }
                }>{fields}</form>
            }
            .into_any(),
        }
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

/// The id of the one form every row of a list posts its action through
/// ([`RowActionsForm`]): its buttons name it in their `form` attribute.
pub const ROW_FORM: &str = "acts";

/// What the list's form brings back when its plain post fails.
const ROW_KEPT: &[&str] = &["act"];

/// The form a list's row buttons post without JavaScript (one per page,
/// outside the table): the session's CSRF token and what a failed post
/// brings back, once instead of once per row.
#[component]
pub fn RowActionsForm() -> impl IntoView {
    view! {
        <form id=ROW_FORM method="post" action=ActOnMachine::url() hidden>
            <Csrf/>
            <KeepFields fields=ROW_KEPT/>
        </form>
    }
}

/// A list row's actions: a button per action, each posting
/// [`ROW_FORM`] with its `act`. Hydrated, a click runs `on_act` instead.
/// The buttons but Destroy look secondary by the style sheet
/// (`td.actions button`).
fn row_form(
    machine: MachineSummary,
    on_act: Option<Callback<&'static str>>,
    busy: Signal<bool>,
) -> AnyView {
    if !any_action(&machine) {
        return ().into_any();
    }
    let target = |action: &str| row_act(action, &machine.backend, &machine.id);
    let click = move |action: &'static str| {
        move |ev: leptos::ev::MouseEvent| {
            if let Some(on_act) = on_act {
                ev.prevent_default();
                on_act.run(action);
            }
        }
    };
    let waiting = move || busy.get();
    let button = |action: &'static str, label: &'static str| {
        view! {
            <button form=ROW_FORM name="act" value=target(action)
                disabled=waiting on:click=click(action)>{label}</button>
        }
    };
    let reboot = machine.can_reboot.then(|| button("reboot", "Reboot"));
    let stop = machine.can_stop.then(|| button("stop", "Stop"));
    let start = machine.can_start.then(|| button("start", "Start"));
    // Written out rather than a `ConfirmAction`: a static summary and
    // warning carry no hydration markers, in every row. The row names the
    // machine; its own page's warning does too.
    let destroy = machine.can_destroy.then(|| {
        view! {
            <details class="confirm">
                <summary>"Destroy"</summary>
                <p class="muted">"Deletes it and its disks. This cannot be undone."</p>
                <button form=ROW_FORM name="act" value=target("destroy") class="danger"
                    disabled=waiting on:click=click("destroy")>"Destroy this machine"</button>
            </details>
        }
    });
    view! { {reboot}{stop}{start}{destroy} }.into_any()
}
