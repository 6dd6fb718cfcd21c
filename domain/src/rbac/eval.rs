//! Deciding one request against a set of policies.

use super::{
    glob::glob_match,
    policy::{Effect, Policy},
};

/// The outcome of an authorisation check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Some statement allows it and none denies it.
    Allow,
    /// A statement denies it (whatever else allows it).
    ExplicitDeny,
    /// Nothing allows it (the default).
    ImplicitDeny,
}

impl Decision {
    /// Whether the request may go ahead.
    pub fn is_allowed(self) -> bool {
        self == Self::Allow
    }
}

/// Decides whether `action` on `resource` is allowed by `policies`: default
/// deny, explicit deny wins, order irrelevant; actions compare
/// case-insensitively, resources exactly.
pub fn evaluate<'a>(
    policies: impl IntoIterator<Item = &'a Policy>,
    action: &str,
    resource: &str,
) -> Decision {
    let action = action.to_ascii_lowercase();
    let mut allowed = false;
    for policy in policies {
        for s in &policy.statements {
            let applies = s.actions.iter().any(|a| glob_match(a, &action))
                && s.resources.iter().any(|r| glob_match(r, resource));
            if applies {
                match s.effect {
                    Effect::Deny => return Decision::ExplicitDeny,
                    Effect::Allow => allowed = true,
                }
            }
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

/// Whether `policies` allow `action` on at least some resource: an Allow
/// statement names the action, and no Deny statement takes it away
/// everywhere (a Deny of the action on `*`). Lists use it to tell "you may
/// see none of these" (403) from "there is nothing you may see" (empty).
pub fn grants_somewhere<'a>(
    policies: impl IntoIterator<Item = &'a Policy> + Clone,
    action: &str,
) -> bool {
    let action = action.to_ascii_lowercase();
    let statements = || {
        policies
            .clone()
            .into_iter()
            .flat_map(|p| p.statements.iter())
    };
    let denied_everywhere = statements().any(|s| {
        s.effect == Effect::Deny
            && s.actions.iter().any(|a| glob_match(a, &action))
            && s.resources.iter().any(|r| r == "*")
    });
    !denied_everywhere
        && statements()
            .any(|s| s.effect == Effect::Allow && s.actions.iter().any(|a| glob_match(a, &action)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_allowed_by_default_and_deny_beats_allow() {
        let allow_all = Policy::single(Effect::Allow, &["*"], &["*"]);
        let no_destroy = Policy::single(Effect::Deny, &["destroy:machine"], &["backend/prod/*"]);
        assert_eq!(evaluate([], "view:machine", "x"), Decision::ImplicitDeny);
        assert_eq!(evaluate([&allow_all], "VIEW:Machine", "x"), Decision::Allow);
        let both = [&no_destroy, &allow_all];
        assert_eq!(
            evaluate(both, "destroy:machine", "backend/prod/machine/1"),
            Decision::ExplicitDeny
        );
        assert_eq!(
            evaluate(both, "destroy:machine", "backend/dev/machine/1"),
            Decision::Allow
        );
    }

    #[test]
    fn a_grant_on_some_resource_counts_somewhere_unless_denied_everywhere() {
        let one_backend =
            Policy::single(Effect::Allow, &["view:machine"], &["backend/b1/machine/*"]);
        let deny_all = Policy::single(Effect::Deny, &["view:*"], &["*"]);
        let deny_one = Policy::single(Effect::Deny, &["view:machine"], &["backend/b2/*"]);
        assert!(grants_somewhere([&one_backend], "VIEW:machine"));
        assert!(!grants_somewhere([&one_backend], "view:key"));
        assert!(!grants_somewhere([&one_backend, &deny_all], "view:machine"));
        assert!(grants_somewhere([&one_backend, &deny_one], "view:machine"));
        assert!(!grants_somewhere([], "view:machine"));
    }
}
