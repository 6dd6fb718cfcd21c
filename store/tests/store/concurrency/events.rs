//! Events appended by many writers at once.

use std::collections::BTreeSet;

use store::{events::NewEvent, Db};

use super::{Races, N};
use crate::on_each_engine;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn append_events() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            // Each writer appends two events in one call.
            let lasts = r
                .run("append_events", |db, i| async move {
                    let e = |n: usize| NewEvent {
                        at: 1,
                        kind: "machine.changed".into(),
                        resource: format!("backend/b/machine/m{i}"),
                        data: format!("{{\"n\":{n}}}"),
                    };
                    db.append_events(&[e(0), e(1)]).await
                })
                .await;
            let all = db.events_after(0, 10 * N as i64).await.unwrap();
            r.check_eq("append_events: rows", all.len(), 2 * N);
            let seqs: BTreeSet<i64> = all.iter().map(|e| e.seq).collect();
            r.check_eq("append_events: distinct numbers", seqs.len(), 2 * N);
            // A writer's two events are next to each other: one transaction
            // at a time takes numbers.
            let adjacent = all
                .chunks(2)
                .all(|pair| pair[0].resource == pair[1].resource && pair[0].data == "{\"n\":0}");
            r.check_eq("append_events: a call's events together", adjacent, true);
            let answered: BTreeSet<i64> = lasts.into_iter().flatten().collect();
            let second_of_each: BTreeSet<i64> =
                all.iter().skip(1).step_by(2).map(|e| e.seq).collect();
            r.check_eq("append_events: answered numbers", answered, second_of_each);
            r.finish();
        }
    });
}
