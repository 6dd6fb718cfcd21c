//! Leases and instances: claimed by one, renewed, released, taken over once
//! expired; and the script runs that no lease covers, ended.

use std::sync::Arc;

use store::{backends::StoredMachine, scripts::ScriptRun, Db};
use tokio::sync::Barrier;

use crate::on_each_engine;

const TTL: i64 = 45_000;

#[tokio::test]
async fn a_lease_is_claimed_renewed_released_and_taken_over_once_expired() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            assert_eq!(db.lease("poll", "b1").await.unwrap(), None);
            assert!(db.claim_lease("poll", "b1", "a", 1_000, TTL).await.unwrap());
            let held = db.lease("poll", "b1").await.unwrap().unwrap();
            assert_eq!(
                (held.owner.as_str(), held.expires_at, held.beat_at),
                ("a", 46_000, 1_000)
            );
            // Unexpired: nobody claims it, not even its owner a second time.
            assert!(!db.claim_lease("poll", "b1", "b", 2_000, TTL).await.unwrap());
            assert!(!db.claim_lease("poll", "b1", "a", 2_000, TTL).await.unwrap());
            // Another key, another kind: separate leases.
            assert!(db.claim_lease("poll", "b2", "b", 2_000, TTL).await.unwrap());
            assert!(db
                .claim_lease("script_run", "b1", "b", 2_000, TTL)
                .await
                .unwrap());

            // Its owner renews it; nobody else can.
            assert!(db
                .renew_lease("poll", "b1", "a", 40_000, TTL)
                .await
                .unwrap());
            assert!(!db
                .renew_lease("poll", "b1", "b", 40_000, TTL)
                .await
                .unwrap());
            let renewed = db.lease("poll", "b1").await.unwrap().unwrap();
            assert_eq!((renewed.expires_at, renewed.beat_at), (85_000, 40_000));
            assert!(
                !db.claim_lease("poll", "b1", "b", 60_000, TTL)
                    .await
                    .unwrap(),
                "renewed in time: still a's"
            );

            // Expired: taken over by the first claimant; its old owner's
            // renewal then says it is lost.
            assert!(db
                .claim_lease("poll", "b1", "b", 85_000, TTL)
                .await
                .unwrap());
            assert_eq!(db.lease("poll", "b1").await.unwrap().unwrap().owner, "b");
            assert!(!db
                .renew_lease("poll", "b1", "a", 85_001, TTL)
                .await
                .unwrap());
            // An owner whose lease expired unclaimed has lost it too.
            assert!(!db
                .renew_lease("poll", "b2", "b", 47_000, TTL)
                .await
                .unwrap());

            // Released: claimed again at once; only the owner releases.
            assert!(!db.release_lease("poll", "b1", "a").await.unwrap());
            assert!(db.release_lease("poll", "b1", "b").await.unwrap());
            assert_eq!(db.lease("poll", "b1").await.unwrap(), None);
            assert!(db
                .claim_lease("poll", "b1", "a", 86_000, TTL)
                .await
                .unwrap());

            // An instance shutting down releases all it holds.
            assert!(db
                .claim_lease("reaper", "x", "b", 86_000, TTL)
                .await
                .unwrap());
            assert_eq!(db.release_leases_of("b").await.unwrap(), 3);
            assert_eq!(db.lease("poll", "b2").await.unwrap(), None);
            assert_eq!(db.lease("poll", "b1").await.unwrap().unwrap().owner, "a");

            // Pruning removes only leases expired before the limit.
            assert!(db.claim_lease("poll", "b9", "c", 0, 10).await.unwrap());
            assert_eq!(db.prune_expired_leases(100).await.unwrap(), 1);
            assert!(db.lease("poll", "b1").await.unwrap().is_some());
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_fifty_instances_claiming_one_lease_exactly_one_wins() {
    const INSTANCES: usize = 50;
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            // Twice: for a lease nobody holds, and for one that expired.
            assert!(db.claim_lease("poll", "b1", "old", 0, 1_000).await.unwrap());
            for (round, now) in [("absent", 10_000), ("expired", 100_000)] {
                if round == "absent" {
                    db.release_lease("poll", "b1", "old").await.unwrap();
                } else {
                    let winner = db.lease("poll", "b1").await.unwrap().unwrap();
                    assert!(winner.expires_at <= now, "{winner:?}");
                }
                let gate = Arc::new(Barrier::new(INSTANCES));
                let tasks: Vec<_> = (0..INSTANCES)
                    .map(|i| {
                        let db = db.clone();
                        let gate = gate.clone();
                        tokio::spawn(async move {
                            gate.wait().await;
                            db.claim_lease("poll", "b1", &format!("i{i}"), now, TTL)
                                .await
                        })
                    })
                    .collect();
                let mut winners = Vec::new();
                for (i, task) in tasks.into_iter().enumerate() {
                    let won = task
                        .await
                        .unwrap()
                        .unwrap_or_else(|e| panic!("{engine}, {round}: claimant {i} failed: {e}"));
                    if won {
                        winners.push(format!("i{i}"));
                    }
                }
                assert_eq!(winners.len(), 1, "{engine}, {round}: {winners:?}");
                let held = db.lease("poll", "b1").await.unwrap().unwrap();
                assert_eq!(held.owner, winners[0], "{engine}, {round}");
                assert_eq!(held.expires_at, now + TTL);
            }
        }
    });
}

#[tokio::test]
async fn instances_say_they_are_alive_and_are_forgotten_when_gone() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            db.instance_alive("a", 1_000).await.unwrap();
            db.instance_alive("b", 2_000).await.unwrap();
            db.instance_alive("a", 11_000).await.unwrap();
            let seen: Vec<_> = db
                .instances()
                .await
                .unwrap()
                .into_iter()
                .map(|i| (i.id, i.started_at, i.seen_at))
                .collect();
            assert_eq!(
                seen,
                [
                    ("a".to_owned(), 1_000, 11_000),
                    ("b".to_owned(), 2_000, 2_000)
                ]
            );
            assert_eq!(db.forget_instances_older_than(5_000).await.unwrap(), 1);
            db.forget_instance("a").await.unwrap();
            assert!(db.instances().await.unwrap().is_empty());
        }
    });
}

fn run(id: &str, state: &str) -> ScriptRun {
    ScriptRun {
        id: id.into(),
        backend_id: "b1".into(),
        machine_id: "m1".into(),
        script: "sleep 60".into(),
        state: state.into(),
        detail: None,
        exit_code: None,
        ssh_user: None,
        ssh_key: None,
        ssh_host: None,
        created_by: "owner".into(),
        created_at: 1,
        started_at: None,
        finished_at: None,
        heartbeat_at: None,
    }
}

#[tokio::test]
async fn runs_no_lease_covers_are_ended_and_keep_their_output() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            let machine = StoredMachine {
                public_ips: "[]".into(),
                ..crate::rows::machine("b1", "m1")
            };
            db.insert_backend(&crate::rows::backend("b1", "rack"), &[machine])
                .await
                .unwrap();
            // carried: its lease is live; expired: its carrier stopped
            // renewing; orphan: no lease at all; done: ended already.
            for (id, state) in [
                ("carried", "running"),
                ("expired", "waiting"),
                ("orphan", "running"),
                ("done", "succeeded"),
            ] {
                db.insert_script_run(&run(id, state)).await.unwrap();
            }
            db.append_script_output(
                "orphan",
                &store::scripts::OutputChunk {
                    seq: 1,
                    stream: "stdout".into(),
                    data: "half\n".into(),
                },
            )
            .await
            .unwrap();
            assert!(db
                .claim_lease("script_run", "carried", "a", 1_000, TTL)
                .await
                .unwrap());
            assert!(db
                .claim_lease("script_run", "expired", "b", 1_000, 5_000)
                .await
                .unwrap());
            // A lease of another kind on the same key covers nothing.
            assert!(db
                .claim_lease("poll", "orphan", "a", 1_000, TTL)
                .await
                .unwrap());

            assert_eq!(
                db.end_unleased_script_runs("gone", 10_000).await.unwrap(),
                2
            );
            let state = |id: &'static str| {
                let db = db.clone();
                async move {
                    let r = db.script_run(id).await.unwrap().unwrap();
                    (r.state, r.detail, r.finished_at)
                }
            };
            assert_eq!(state("carried").await, ("running".into(), None, None));
            assert_eq!(
                state("expired").await,
                ("error".into(), Some("gone".into()), Some(10_000))
            );
            assert_eq!(
                state("orphan").await,
                ("error".into(), Some("gone".into()), Some(10_000))
            );
            assert_eq!(state("done").await, ("succeeded".into(), None, None));
            assert_eq!(db.script_output("orphan", 0).await.unwrap().len(), 1);
            // Once the carrier's lease expires too, its run is ended; the
            // second sweep finds nothing more.
            assert_eq!(
                db.end_unleased_script_runs("gone", 46_000).await.unwrap(),
                1
            );
            assert_eq!(
                db.end_unleased_script_runs("gone", 47_000).await.unwrap(),
                0
            );
        }
    });
}
