//! A write whose caller gives up midway (a browser aborts a request, and its
//! server function's future is dropped) must leave no transaction open.
//! One left open on a pooled connection holds SQLite's write lock, or
//! PostgreSQL's write lock, for good: every later writer on another
//! connection waits and fails ("database is locked").

use std::{future::Future, pin::pin, task::Poll, time::Duration};

use store::Db;

use crate::{
    harness::TestDb,
    rows::{backend, machine},
};

/// Polls `write` until it has been woken `polls` times, then drops it
/// (finished or not).
async fn give_up_after(polls: usize, write: impl Future) {
    let mut write = pin!(write);
    let mut woken = 0;
    std::future::poll_fn(|cx| {
        woken += 1;
        if write.as_mut().poll(cx).is_ready() || woken > polls {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
}

async fn cancelled_writes_leave_the_lock_free(t: TestDb) {
    let engine = t.engine;
    let db = t.db.clone();
    db.insert_backend(&backend("b", "rack"), &[machine("b", "m")])
        .await
        .unwrap();
    // Writes given up at every point they wait at, on every connection.
    for round in 0..600 {
        let polls = round % 30;
        let state = format!("state-{round}");
        give_up_after(polls, db.set_machine_state("b", "m", &state)).await;
    }
    // What a dropped write left behind settles.
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Another pool on the same database writes (SQLite's busy timeout is
    // 5 s; PostgreSQL's lock would be waited on for good).
    let other = Db::connect(&t.url).await.unwrap();
    let wrote = tokio::time::timeout(
        Duration::from_secs(15),
        other.set_machine_state("b", "m", "after"),
    )
    .await;
    assert!(
        matches!(wrote, Ok(Ok(()))),
        "{engine}: a write on another connection after cancelled writes: {wrote:?}"
    );
    other.close().await;
    // And every connection of the first pool still writes.
    for n in 0..20 {
        let wrote = tokio::time::timeout(
            Duration::from_secs(15),
            db.set_machine_state("b", "m", &format!("again-{n}")),
        )
        .await;
        assert!(
            matches!(wrote, Ok(Ok(()))),
            "{engine}: write {n}: {wrote:?}"
        );
    }
    let m = db.machine("b", "m").await.unwrap().unwrap();
    assert_eq!(m.state, "again-19", "{engine}");
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_given_up_midway_leave_no_transaction_open() {
    cancelled_writes_leave_the_lock_free(TestDb::sqlite().await).await;
    if let Some(t) = TestDb::postgres().await {
        cancelled_writes_leave_the_lock_free(t).await;
    }
}
