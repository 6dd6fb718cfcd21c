//! A machine's health on its page: "Probe" asks whether its SSH port
//! answers and, for someone who may open a shell on it, reads its uptime,
//! load, processors and users (mist.io's probe). Without JavaScript the
//! form posts and the answer comes back on the page once.

use domain::inventory::MachineProbe;
use leptos::prelude::*;

use crate::components::post_form::{PostAction, PostForm};
use crate::loaded::LoadedOnce;
use crate::{
    api::machines::ProbeMachine,
    components::form::{Csrf, FormError},
    shown_once,
};

/// The Health section of a machine that is there. `taken` is what a plain
/// form post kept ([`shown_once::take`] of [`shown_once::PROBE`], made at
/// the page's top level).
#[component]
pub fn MachineHealth(
    backend: String,
    machine: String,
    taken: LoadedOnce<Option<MachineProbe>>,
) -> impl IntoView {
    let probe = PostAction::<ProbeMachine>::new();
    let error = Signal::derive(move || probe.value().get().and_then(Result::err));
    let fresh = move || probe.value().get().and_then(Result::ok);
    view! {
        <h2>"Health"</h2>
        <PostForm action=probe attr:class="inline" attr:data-testid="probe">
            <Csrf/>
            <FormError error/>
            <input type="hidden" name="backend" value=backend/>
            <input type="hidden" name="machine" value=machine/>
            <button type="submit" class="secondary" disabled=move || probe.pending().get()>
                {move || match (probe.pending().get(), fresh().is_some()) {
                    (true, _) => "Probing…",
                    (false, true) => "Probe again",
                    (false, false) => "Probe",
                }}
            </button>
            <span class="muted">" reachability over SSH's port, uptime, load"</span>
        </PostForm>
        {shown_once::show(taken, fresh, found)}
    }
}

/// What a probe found.
fn found(p: MachineProbe) -> impl IntoView {
    let reach = match p.rtt_avg {
        Some(avg) => format!(
            "{}: {} of {} connections answered, {avg:.1} ms on average ({:.0}% lost)",
            p.host, p.packets_rx, p.packets_tx, p.packets_loss
        ),
        None => format!("{}: no answer ({} tries)", p.host, p.packets_tx),
    };
    let load = p
        .loadavg
        .map(|[a, b, c]| format!("{a:.2} {b:.2} {c:.2} (1, 5, 15 minutes)"));
    view! {
        <dl class="facts" data-testid="probe-result">
            <dt>"Reachable"</dt><dd>{reach}</dd>
            {p.uptime.map(|s| view! { <dt>"Up"</dt><dd>{uptime(s)}</dd> })}
            {load.map(|l| view! { <dt>"Load"</dt><dd>{l}</dd> })}
            {p.cores.map(|c| view! { <dt>"Processors"</dt><dd>{c}</dd> })}
            {p.users.map(|u| view! { <dt>"Users logged in"</dt><dd>{u}</dd> })}
        </dl>
        {p.detail.map(|d| view! { <p class="muted" data-testid="probe-detail">{d}</p> })}
    }
}

/// Seconds as days, hours and minutes (`3 d 4 h 5 min`).
fn uptime(seconds: f64) -> String {
    let total = seconds.max(0.0) as u64 / 60;
    let (days, hours, minutes) = (total / 1440, total / 60 % 24, total % 60);
    match (days, hours) {
        (0, 0) => format!("{minutes} min"),
        (0, _) => format!("{hours} h {minutes} min"),
        _ => format!("{days} d {hours} h {minutes} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::uptime;

    #[test]
    fn uptime_reads_in_days_hours_and_minutes() {
        assert_eq!(uptime(59.0), "0 min");
        assert_eq!(uptime(3_660.0), "1 h 1 min");
        assert_eq!(uptime(93_784.0), "1 d 2 h 3 min");
    }
}
