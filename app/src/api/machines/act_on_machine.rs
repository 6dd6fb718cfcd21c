use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Reboots, stops, starts or destroys a machine through its provider
/// (needs `<action>:machine` on it). A list row's plain button posts the
/// three as one `act` ("stop <backend> <machine>"), which then stands for
/// them.
#[server(endpoint = "machines/act", client = CsrfClient)]
pub async fn act_on_machine(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
    #[server(default)] action: String,
    #[server(default)] act: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let (backend, machine, action) = match parse_act(&act) {
        Some((action, backend, machine)) => {
            (backend.to_owned(), machine.to_owned(), action.to_owned())
        }
        None => (backend, machine, action),
    };
    let actor = ssr::require_actor()?;
    service::machine_actions::act(&ssr::services()?, &actor, &backend, &machine, &action).await?;
    Ok(())
}

/// What a row's button posts as `act`: the action, the machine's
/// backend and the machine, separated by spaces (a row carries no form of
/// its own, so its button says all three).
pub fn row_act(action: &str, backend: &str, machine: &str) -> String {
    format!("{action} {backend} {machine}")
}

/// The action, backend and machine of a posted `act`; `None` unless
/// it has all three (the machine is the rest, spaces and all).
pub fn parse_act(value: &str) -> Option<(&str, &str, &str)> {
    let mut words = value.splitn(3, ' ');
    Some((words.next()?, words.next()?, words.next()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_action_reads_back_as_it_was_written() {
        let value = row_act("stop", "5cd2", "vm 7/b");
        assert_eq!(parse_act(&value), Some(("stop", "5cd2", "vm 7/b")));
        assert_eq!(parse_act("stop 5cd2"), None);
        assert_eq!(parse_act(""), None);
    }
}
