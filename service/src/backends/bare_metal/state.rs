//! A bare-metal host's state, as a poll sees it: whether its SSH port
//! answers, and whether a reboot is under way.

use domain::compute::MachineState;

/// How long a rebooted host stays `rebooting` while it still answers: the
/// reboot starts a second after the command, and SSH stops a moment later.
pub const REBOOT_GRACE_MS: i64 = 5_000;
/// How long a rebooted host that does not answer stays `rebooting`; after
/// that it is `unknown` until it answers again.
pub const REBOOT_LIMIT_MS: i64 = 10 * 60_000;

/// A host's state: `running` when its SSH port answers, `rebooting` during
/// a reboot (while it still answers, for [`REBOOT_GRACE_MS`]; while it does
/// not, for [`REBOOT_LIMIT_MS`]), and `unknown` when it does not answer
/// otherwise.
pub fn host_state(
    current: MachineState,
    rebooted_at: Option<i64>,
    reachable: bool,
    now: i64,
) -> MachineState {
    let since = rebooted_at.map(|at| now.saturating_sub(at));
    let rebooting = current == MachineState::Rebooting;
    match (reachable, since) {
        (true, Some(ms)) if rebooting && ms < REBOOT_GRACE_MS => MachineState::Rebooting,
        (true, _) => MachineState::Running,
        (false, Some(ms)) if rebooting && ms < REBOOT_LIMIT_MS => MachineState::Rebooting,
        (false, _) => MachineState::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MachineState::{Rebooting, Running, Unknown};

    #[test]
    fn a_reboot_ends_when_the_host_answers_again_or_after_its_limit() {
        let at = Some(1_000_000);
        let t = |ms: i64| 1_000_000 + ms;
        // Still answering right after the command: the reboot is under way.
        assert_eq!(host_state(Rebooting, at, true, t(1_000)), Rebooting);
        // Down: rebooting, up to the limit.
        assert_eq!(host_state(Rebooting, at, false, t(30_000)), Rebooting);
        assert_eq!(
            host_state(Rebooting, at, false, t(REBOOT_LIMIT_MS)),
            Unknown
        );
        // Back: running.
        assert_eq!(host_state(Rebooting, at, true, t(60_000)), Running);
        // Not rebooting: what the port says.
        assert_eq!(host_state(Running, None, false, t(0)), Unknown);
        assert_eq!(host_state(Unknown, at, true, t(0)), Running);
    }
}
