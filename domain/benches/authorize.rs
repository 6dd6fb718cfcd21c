//! Prints the median cost of one authorisation check against 20 roles of 10
//! statements each (wildcards in both actions and resources; the request is
//! allowed by the last statement checked, the worst case for an allow).
//! Run: `cargo bench -p domain`.

use std::time::Instant;

use domain::rbac::{evaluate, Effect, Policy, Statement, POLICY_VERSION};

fn main() {
    let policies: Vec<Policy> = (0..20)
        .map(|r| Policy {
            version: POLICY_VERSION.into(),
            statements: (0..10)
                .map(|s| Statement {
                    effect: Effect::Allow,
                    actions: vec![format!("view:thing{r}_{s}"), format!("edit:*{s}")],
                    resources: vec![format!("backend/b{r}/machine/m{s}*")],
                })
                .collect(),
        })
        .collect();
    let mut last = policies.clone();
    last[19].statements[9] = Statement {
        effect: Effect::Allow,
        actions: vec!["reboot:machine".into()],
        resources: vec!["backend/*/machine/*".into()],
    };

    let mut samples = Vec::with_capacity(200);
    let mut allowed = 0usize;
    for _ in 0..200 {
        let started = Instant::now();
        for _ in 0..1000 {
            allowed += usize::from(
                evaluate(&last, "reboot:machine", "backend/b7/machine/m42").is_allowed(),
            );
        }
        samples.push(started.elapsed().as_nanos() as f64 / 1000.0);
    }
    assert_eq!(allowed, 200_000);
    samples.sort_by(f64::total_cmp);
    println!(
        "authorisation check, 20 roles x 10 statements: median {:.0} ns, p95 {:.0} ns",
        samples[samples.len() / 2],
        samples[samples.len() * 95 / 100]
    );
}
