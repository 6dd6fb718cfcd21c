//! Overcast's own records' states: script runs and backends.

use serde::{Deserialize, Serialize};

named_states! {
    /// Where a script run is.
    RunState {
        /// Waiting for its machine to answer over SSH.
        Waiting => "waiting",
        /// Running on the machine.
        Running => "running",
        /// Ended with exit status 0.
        Succeeded => "succeeded",
        /// Ended with another exit status.
        Failed => "failed",
        /// Never ran to an exit status (no machine, no connection, stopped).
        Error => "error",
    }
}

impl RunState {
    /// Whether a run in this state has ended.
    pub fn finished(self) -> bool {
        !matches!(self, RunState::Waiting | RunState::Running)
    }
}

named_states! {
    /// A backend's state, as its poll last found it.
    BackendState {
        /// Not polled yet.
        Wait => "wait",
        /// The provider answered (or the host's SSH port did).
        Online => "online",
        /// The host did not answer (bare metal).
        Offline => "offline",
        /// The provider failed: an error status, garbage, no answer.
        Error => "error",
        /// Turned off by an operator; not polled.
        Disabled => "disabled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::MachineState;

    #[test]
    fn states_round_trip_through_their_names() {
        for s in RunState::ALL {
            assert_eq!(RunState::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in BackendState::ALL {
            assert_eq!(BackendState::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(MachineState::parse("stopped"), Some(MachineState::Stopped));
        assert_eq!(MachineState::parse("Stopped"), None);
        assert!(RunState::Failed.finished() && !RunState::Waiting.finished());
    }
}
