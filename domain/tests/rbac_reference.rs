//! The policy evaluator agrees with a small, obviously-correct reference on
//! random policies and requests, and its answer does not depend on order.

use domain::rbac::{evaluate, Decision, Effect, Policy, Statement, POLICY_VERSION};
use proptest::prelude::*;

/// Reference wildcard match: the textbook recursive definition.
fn ref_match(p: &[char], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some(('*', rest)) => (0..=t.len()).any(|i| ref_match(rest, &t[i..])),
        Some(('?', rest)) => !t.is_empty() && ref_match(rest, &t[1..]),
        Some((c, rest)) => t.first() == Some(c) && ref_match(rest, &t[1..]),
    }
}

fn m(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    ref_match(&p, &t)
}

/// Reference decision: gather the effects of every statement that applies.
fn reference(policies: &[Policy], action: &str, resource: &str) -> Decision {
    let action = action.to_lowercase();
    let effects: Vec<Effect> = policies
        .iter()
        .flat_map(|p| &p.statements)
        .filter(|s| s.actions.iter().any(|a| m(&a.to_lowercase(), &action)))
        .filter(|s| s.resources.iter().any(|r| m(r, resource)))
        .map(|s| s.effect)
        .collect();
    if effects.contains(&Effect::Deny) {
        Decision::ExplicitDeny
    } else if effects.contains(&Effect::Allow) {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

// Small alphabets so that random patterns and requests often meet.
fn pattern() -> impl Strategy<Value = String> {
    "[ab:*?]{0,6}"
}
fn text() -> impl Strategy<Value = String> {
    "[abAB:]{0,6}"
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        prop_oneof![Just(Effect::Allow), Just(Effect::Deny)],
        prop::collection::vec(pattern(), 1..3),
        prop::collection::vec(pattern(), 1..3),
    )
        .prop_map(|(effect, actions, resources)| Statement {
            effect,
            // Policies store actions lower-cased, as `Policy::parse` does.
            actions: actions.into_iter().map(|a| a.to_lowercase()).collect(),
            resources,
        })
}

fn policies() -> impl Strategy<Value = Vec<Policy>> {
    prop::collection::vec(
        prop::collection::vec(statement(), 1..4).prop_map(|statements| Policy {
            version: POLICY_VERSION.into(),
            statements,
        }),
        0..4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_evaluator_agrees_with_the_reference(ps in policies(), action in text(), resource in text()) {
        prop_assert_eq!(evaluate(&ps, &action, &resource), reference(&ps, &action, &resource));
    }

    #[test]
    fn order_of_policies_and_statements_does_not_matter(ps in policies(), action in text(), resource in text()) {
        let mut reversed: Vec<Policy> = ps.iter().rev().cloned().collect();
        for p in &mut reversed {
            p.statements.reverse();
        }
        prop_assert_eq!(evaluate(&ps, &action, &resource), evaluate(&reversed, &action, &resource));
    }

    #[test]
    fn glob_agrees_with_the_reference_match(p in pattern(), t in text()) {
        prop_assert_eq!(domain::rbac::glob_match(&p, &t), m(&p, &t));
    }
}
