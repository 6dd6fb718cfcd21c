//! A machine's Activity: the audit log's newest entries about it, for a
//! caller who may read the audit log.

use domain::ErrorKind;
use leptos::prelude::*;

use crate::loaded::Loaded;
use crate::{api::admin::AuditRow, components::format::utc, error::AppError};

/// The entries, or why they are not shown.
pub(super) type ActivityResource = Loaded<Result<Vec<AuditRow>, AppError>>;

/// The Activity section: who did what to the machine, newest first.
#[component]
pub(super) fn Activity(activity: ActivityResource) -> impl IntoView {
    view! {
        <section id="activity" class="machine-section" aria-labelledby="activity-heading">
            <h2 id="activity-heading">"Activity"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading the activity…"</p> }>
                {move || Suspend::new(async move {
                    match activity.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <p class="muted" data-testid="machine-activity-empty">"Nothing has been recorded about this machine yet."</p>
                        }.into_any(),
                        Ok(rows) => view! { <Rows rows/> }.into_any(),
                        Err(AppError(ErrorKind::Forbidden { .. })) => view! {
                            <p class="muted" data-testid="machine-activity-hidden">"Reading the activity needs the right to view the audit log."</p>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The entries as a table (stacked rows on a phone, as the audit log's).
#[component]
fn Rows(rows: Vec<AuditRow>) -> impl IntoView {
    view! {
        <table class="grid audit" data-testid="machine-activity">
            <thead><tr><th>"When (UTC)"</th><th>"Who"</th><th>"Action"</th><th>"Outcome"</th><th>"Detail"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|e| {
                    let class = e.outcome.clone();
                    view! {
                        <tr class=class>
                            <td data-label="When">{utc(e.at)}</td>
                            <td data-label="Who">{e.actor}</td>
                            <td data-label="Action">{action_words(&e.action)}</td>
                            <td data-label="Outcome">{e.outcome}</td>
                            <td data-label="Detail">{e.detail}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// An audit action in words: `reboot:machine` reads "reboot".
fn action_words(action: &str) -> String {
    match action.strip_suffix(":machine") {
        Some("shell") => "shell (command or terminal)".to_owned(),
        Some("tag") => "set tags".to_owned(),
        Some("edit") => "edit".to_owned(),
        Some("forget") => "remove from list".to_owned(),
        Some(verb) => verb.to_owned(),
        None => action.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::action_words;

    #[test]
    fn machine_actions_read_as_words() {
        assert_eq!(action_words("reboot:machine"), "reboot");
        assert_eq!(action_words("tag:machine"), "set tags");
        assert_eq!(action_words("run_script"), "run_script");
    }
}
