use store::{
    backends::StoredMachine,
    keys::{KeyMachine, StoredKey},
    scripts::{OutputChunk, ScriptRun},
    Db,
};

use crate::{
    on_each_engine,
    rows::{backend, machine},
};

fn key(id: &str, name: &str, at: i64) -> StoredKey {
    StoredKey {
        id: id.into(),
        name: name.into(),
        algorithm: "ssh-ed25519".into(),
        public_key: format!("ssh-ed25519 AAAA{id}"),
        fingerprint: format!("SHA256:{id}"),
        private_sealed: "v1.sealed".into(),
        is_default: false,
        created_at: at,
    }
}

#[tokio::test]
async fn one_default_key_at_a_time_and_the_oldest_takes_over_when_it_goes() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            assert!(
                db.insert_key(&key("k1", "first", 1))
                    .await
                    .unwrap()
                    .is_default
            );
            assert!(
                !db.insert_key(&key("k2", "second", 2))
                    .await
                    .unwrap()
                    .is_default
            );
            db.insert_key(&key("k3", "third", 3)).await.unwrap();
            assert!(db
                .insert_key(&key("k4", "first", 4))
                .await
                .unwrap_err()
                .is_unique_violation());
            assert!(db.set_default_key("third").await.unwrap());
            assert!(!db.set_default_key("nope").await.unwrap());
            let defaults: Vec<_> = db
                .keys()
                .await
                .unwrap()
                .into_iter()
                .filter(|k| k.is_default)
                .map(|k| k.name)
                .collect();
            assert_eq!(defaults, ["third"]);
            assert!(db
                .rename_key("third", "second")
                .await
                .unwrap_err()
                .is_unique_violation());
            assert!(db.rename_key("third", "3rd").await.unwrap());
            assert!(db.delete_key("3rd").await.unwrap());
            assert_eq!(db.default_key().await.unwrap().unwrap().name, "first");
            assert!(!db.delete_key("3rd").await.unwrap());
        }
    });
}

#[tokio::test]
async fn a_backend_goes_with_its_machines_associations_and_host_keys() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            db.insert_key(&key("k1", "ops", 1)).await.unwrap();
            db.insert_backend(&backend("b1", "rack"), &[machine("b1", "m1")])
                .await
                .unwrap();
            assert!(db
                .insert_backend(&backend("b2", "rack"), &[])
                .await
                .unwrap_err()
                .is_unique_violation());
            db.associate_key(&KeyMachine {
                key_id: "k1".into(),
                backend_id: "b1".into(),
                machine_id: "m1".into(),
                ssh_user: "root".into(),
                sudo: true,
                last_used_at: 5,
            })
            .await
            .unwrap();
            // Associating again updates, never duplicates.
            db.associate_key(&KeyMachine {
                key_id: "k1".into(),
                backend_id: "b1".into(),
                machine_id: "m1".into(),
                ssh_user: "admin".into(),
                sudo: false,
                last_used_at: 6,
            })
            .await
            .unwrap();
            let kms = db.key_machines().await.unwrap();
            assert_eq!(kms.len(), 1);
            assert_eq!((kms[0].ssh_user.as_str(), kms[0].sudo), ("admin", false));

            assert!(db
                .pin_host_key("b1", "m1", "ssh-ed25519 A", "SHA256:A", 1)
                .await
                .unwrap());
            assert!(
                !db.pin_host_key("b1", "m1", "ssh-ed25519 B", "SHA256:B", 2)
                    .await
                    .unwrap(),
                "first use wins"
            );
            db.note_changed_host_key("b1", "m1", "ssh-ed25519 B", "SHA256:B")
                .await
                .unwrap();
            assert!(!db.accept_host_key("b1", "m1", "SHA256:C", 3).await.unwrap());
            assert!(db.accept_host_key("b1", "m1", "SHA256:B", 3).await.unwrap());
            let pinned = db.host_key("b1", "m1").await.unwrap().unwrap();
            assert_eq!(
                (pinned.fingerprint.as_str(), pinned.pending),
                ("SHA256:B", None)
            );

            assert!(db.set_backend_enabled("b1", false).await.unwrap());
            assert_eq!(db.backend("b1").await.unwrap().unwrap().state, "disabled");
            assert!(db.delete_backend("b1").await.unwrap());
            assert!(db.machines().await.unwrap().is_empty());
            assert!(db.key_machines().await.unwrap().is_empty());
            assert!(db.host_key("b1", "m1").await.unwrap().is_none());
            assert!(!db.delete_backend("b1").await.unwrap());
        }
    });
}

#[tokio::test]
async fn script_runs_keep_their_output_in_order_and_go_with_their_backend() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            db.insert_backend(
                &backend("b1", "rack"),
                &[machine("b1", "m1"), machine("b1", "m2")],
            )
            .await
            .unwrap();
            db.insert_backend(&backend("b2", "other"), &[machine("b2", "m1")])
                .await
                .unwrap();
            let ids = |ms: Vec<StoredMachine>| ms.into_iter().map(|m| m.id).collect::<Vec<_>>();
            assert_eq!(ids(db.machines_of("b1").await.unwrap()), ["m1", "m2"]);
            assert_eq!(ids(db.machines_of("b2").await.unwrap()), ["m1"]);

            let run = |id: &str, at: i64| ScriptRun {
                id: id.into(),
                backend_id: "b1".into(),
                machine_id: "m1".into(),
                script: "echo hi".into(),
                state: "waiting".into(),
                detail: Some("waiting".into()),
                exit_code: None,
                ssh_user: None,
                ssh_key: None,
                ssh_host: None,
                created_by: "owner".into(),
                created_at: at,
                started_at: None,
                finished_at: None,
                heartbeat_at: Some(at),
            };
            db.insert_script_run(&run("r1", 1)).await.unwrap();
            db.insert_script_run(&run("r2", 2)).await.unwrap();
            db.insert_script_run(&run("r3", 3)).await.unwrap();
            // r3's instance carries it (a live lease); r2's is gone.
            assert!(db
                .claim_lease("script_run", "r3", "alive", 5, 45_000)
                .await
                .unwrap());
            db.script_run_waiting("r1", "cannot reach").await.unwrap();
            assert_eq!(
                db.script_run("r1")
                    .await
                    .unwrap()
                    .unwrap()
                    .detail
                    .as_deref(),
                Some("cannot reach")
            );
            db.script_run_started("r1", "root", "ops", "10.0.0.1:22", 3)
                .await
                .unwrap();
            for (seq, stream, data) in [
                (1, "stdout", "a\n"),
                (2, "stderr", "b\n"),
                (3, "stdout", "c\n"),
            ] {
                db.append_script_output(
                    "r1",
                    &OutputChunk {
                        seq,
                        stream: stream.into(),
                        data: data.into(),
                    },
                )
                .await
                .unwrap();
            }
            let after_one: Vec<_> = db
                .script_output("r1", 1)
                .await
                .unwrap()
                .into_iter()
                .map(|c| (c.seq, c.stream, c.data))
                .collect();
            assert_eq!(
                after_one,
                [
                    (2, "stderr".to_owned(), "b\n".to_owned()),
                    (3, "stdout".to_owned(), "c\n".to_owned())
                ]
            );
            db.script_run_finished("r1", "failed", Some(3), None, 4)
                .await
                .unwrap();
            let r1 = db.script_run("r1").await.unwrap().unwrap();
            assert_eq!(
                (
                    r1.state.as_str(),
                    r1.exit_code,
                    r1.ssh_host.as_deref(),
                    r1.finished_at
                ),
                ("failed", Some(3), Some("10.0.0.1:22"), Some(4))
            );
            // Only runs no live lease covers are ended: r3's instance is
            // alive, r1 has ended already.
            assert_eq!(db.end_unleased_script_runs("gone", 11).await.unwrap(), 1);
            let runs = db.script_runs("b1", "m1").await.unwrap();
            assert_eq!(
                runs.iter()
                    .map(|r| (r.id.as_str(), r.state.as_str()))
                    .collect::<Vec<_>>(),
                [("r3", "waiting"), ("r2", "error"), ("r1", "failed")]
            );
            assert!(db.delete_backend("b1").await.unwrap());
            assert!(db.script_run("r1").await.unwrap().is_none());
            assert!(db.script_output("r1", 0).await.unwrap().is_empty());
        }
    });
}

#[tokio::test]
async fn a_poll_start_makes_the_backend_due_again_after_its_interval() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            db.insert_backend(&backend("b1", "rack"), &[])
                .await
                .unwrap();
            db.poll_started("b1", 1_000).await.unwrap();
            assert_eq!(
                db.backend("b1").await.unwrap().unwrap().polled_at,
                Some(1_000)
            );
            db.poll_soon("b1").await.unwrap();
            assert_eq!(db.backend("b1").await.unwrap().unwrap().polled_at, Some(0));
            // A disabled backend is not polled: its stamp stays.
            db.set_backend_enabled("b1", false).await.unwrap();
            db.poll_started("b1", 2_000).await.unwrap();
            assert_eq!(db.backend("b1").await.unwrap().unwrap().polled_at, Some(0));
        }
    });
}

#[tokio::test]
async fn a_create_is_recorded_before_the_provider_is_asked_and_its_answer_after() {
    on_each_engine!(|db: &Db, engine: &'static str| {
        let db = db.clone();
        async move {
            db.insert_backend(&backend("b1", "rack"), &[])
                .await
                .unwrap();
            let asked = |id: &str, at: i64| store::provisions::Provision {
                id: id.into(),
                backend_id: "b1".into(),
                name: format!("web-{id}"),
                size: "s".into(),
                image: "i".into(),
                location: "l".into(),
                key_id: None,
                requested_by: "ops@example.com".into(),
                state: "requested".into(),
                machine_id: None,
                detail: None,
                created_at: at,
                updated_at: at,
            };
            for (id, at) in [("p1", 1_000), ("p2", 2_000), ("p3", 3_000)] {
                db.insert_provision(&asked(id, at)).await.unwrap();
            }
            db.provision_created("p1", "m-1", 4_000).await.unwrap();
            db.provision_failed("p2", "the provider said no", 4_000)
                .await
                .unwrap();
            let p1 = db.provision("p1").await.unwrap().unwrap();
            assert_eq!(
                (p1.state.as_str(), p1.machine_id.as_deref()),
                ("created", Some("m-1")),
                "{engine}"
            );
            let p2 = db.provision("p2").await.unwrap().unwrap();
            assert_eq!(p2.state, "failed", "{engine}");
            assert_eq!(p2.detail.as_deref(), Some("the provider said no"));
            // Asked, never answered (the instance stopped in between): found.
            let open = db.unanswered_provisions(3_500).await.unwrap();
            assert_eq!(
                open.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
                ["p3"],
                "{engine}"
            );
            assert!(db.unanswered_provisions(2_000).await.unwrap().is_empty());
            assert_eq!(db.provisions_of("b1").await.unwrap().len(), 3);
            // They go with their backend.
            db.delete_backend("b1").await.unwrap();
            assert!(db.provisions_of("b1").await.unwrap().is_empty(), "{engine}");
        }
    });
}
