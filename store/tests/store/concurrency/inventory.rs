//! Backends, their machines and the machines' pinned host keys.

use store::{keys::KeyMachine, keys::StoredKey, Db};

use super::{backend, machine, Races, N};
use crate::on_each_engine;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backends() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            r.run("insert_backend", |db, i| async move {
                let b = backend(i);
                let machines = [machine(&b.id, "m0"), machine(&b.id, "m1")];
                db.insert_backend(&b, &machines).await
            })
            .await;
            r.check_eq(
                "insert_backend: backends",
                db.backends().await.unwrap().len(),
                N,
            );
            r.check_eq(
                "insert_backend: machines",
                db.machines().await.unwrap().len(),
                2 * N,
            );

            let found = r
                .run("rename_backend", |db, i| async move {
                    db.rename_backend(&format!("b{i}"), &format!("renamed {i}"))
                        .await
                })
                .await;
            r.check_all("rename_backend", &found);
            let backends = db.backends().await.unwrap();
            let renamed = backends
                .iter()
                .filter(|b| b.title == format!("renamed {}", &b.id[1..]));
            r.check_eq("rename_backend: renamed", renamed.count(), N);

            r.run("set_backend_state", |db, i| async move {
                db.set_backend_state(&format!("b{i}"), "error", Some("no answer"), 100)
                    .await
            })
            .await;
            let backends = db.backends().await.unwrap();
            let polled = backends
                .iter()
                .filter(|b| b.state == "error" && b.polled_at == Some(100));
            r.check_eq("set_backend_state: recorded", polled.count(), N);

            r.run("poll_soon", |db, i| async move {
                db.poll_soon(&format!("b{i}")).await
            })
            .await;
            let backends = db.backends().await.unwrap();
            let due = backends.iter().filter(|b| b.polled_at == Some(0));
            r.check_eq("poll_soon: due", due.count(), N);

            r.run("poll_started", |db, i| async move {
                db.poll_started(&format!("b{i}"), 200).await
            })
            .await;
            let backends = db.backends().await.unwrap();
            let stamped = backends.iter().filter(|b| b.polled_at == Some(200));
            r.check_eq("poll_started: stamped", stamped.count(), N);
            // Many instances claiming one backend's poll: exactly one wins.
            let claimed = r
                .run("claim_lease (one poll)", |db, i| async move {
                    db.claim_lease("poll", "b0", &format!("instance {i}"), 300, 60_000)
                        .await
                })
                .await;
            let won = claimed.iter().filter(|c| **c).count();
            r.check_eq("claim_lease (one poll): winners", won, 1);

            let found = r
                .run("set_backend_enabled", |db, i| async move {
                    db.set_backend_enabled(&format!("b{i}"), false).await
                })
                .await;
            r.check_all("set_backend_enabled", &found);
            let backends = db.backends().await.unwrap();
            let disabled = backends
                .iter()
                .filter(|b| !b.enabled && b.state == "disabled");
            r.check_eq("set_backend_enabled: disabled", disabled.count(), N);

            // Creates recorded on every backend at once, then answered.
            r.run("insert_provision", |db, i| async move {
                db.insert_provision(&store::provisions::Provision {
                    id: format!("p{i}"),
                    backend_id: format!("b{i}"),
                    name: format!("web-{i}"),
                    size: "s".into(),
                    image: "i".into(),
                    location: "l".into(),
                    key_id: None,
                    requested_by: "owner".into(),
                    state: "requested".into(),
                    machine_id: None,
                    detail: None,
                    created_at: 1,
                    updated_at: 1,
                })
                .await
            })
            .await;
            r.run("provision_created", |db, i| async move {
                db.provision_created(&format!("p{i}"), &format!("m-{i}"), 2)
                    .await
            })
            .await;
            let mut created = 0;
            for i in 0..N {
                let p = db.provision(&format!("p{i}")).await.unwrap();
                created += usize::from(p.is_some_and(|p| {
                    p.state == "created" && p.machine_id == Some(format!("m-{i}"))
                }));
            }
            r.check_eq("provision_created: created", created, N);

            let found = r
                .run("delete_backend", |db, i| async move {
                    db.delete_backend(&format!("b{i}")).await
                })
                .await;
            r.check_all("delete_backend", &found);
            r.check_eq(
                "delete_backend: backends left",
                db.backends().await.unwrap().len(),
                0,
            );
            r.check_eq(
                "delete_backend: machines left",
                db.machines().await.unwrap().len(),
                0,
            );
            r.finish();
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn machines_and_host_keys() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            for i in 0..N {
                db.insert_backend(&backend(i), &[machine(&format!("b{i}"), "old")])
                    .await
                    .unwrap();
            }
            r.run("replace_machines", |db, i| async move {
                let b = format!("b{i}");
                let machines = [machine(&b, "m0"), machine(&b, "m1"), machine(&b, "m2")];
                db.replace_machines(&b, &machines).await
            })
            .await;
            let machines = db.machines().await.unwrap();
            r.check_eq("replace_machines: machines", machines.len(), 3 * N);
            let old = machines.iter().filter(|m| m.id == "old").count();
            r.check_eq("replace_machines: old machines left", old, 0);

            r.run("set_machine_state", |db, i| async move {
                db.set_machine_state(&format!("b{i}"), "m0", "stopped")
                    .await
            })
            .await;
            let machines = db.machines().await.unwrap();
            let stopped = machines.iter().filter(|m| m.state == "stopped").count();
            r.check_eq("set_machine_state: stopped", stopped, N);

            r.run("upsert_machine (new)", |db, i| async move {
                db.upsert_machine(&machine(&format!("b{i}"), "m3")).await
            })
            .await;
            r.run("upsert_machine (existing)", |db, i| async move {
                let m = machine(&format!("b{i}"), "m1");
                db.upsert_machine(&store::backends::StoredMachine {
                    name: "changed".into(),
                    ..m
                })
                .await
            })
            .await;
            let machines = db.machines().await.unwrap();
            r.check_eq("upsert_machine: machines", machines.len(), 4 * N);
            let changed = machines.iter().filter(|m| m.name == "changed").count();
            r.check_eq("upsert_machine (existing): changed", changed, N);

            let pinned = r
                .run("pin_host_key", |db, i| async move {
                    db.pin_host_key(&format!("b{i}"), "m0", "ssh-ed25519 A", "SHA256:A", 1)
                        .await
                })
                .await;
            r.check_all("pin_host_key", &pinned);
            // Many first connections to one machine: the first key wins.
            let pinned = r
                .run("pin_host_key (one machine)", |db, i| async move {
                    let fp = format!("SHA256:{i}");
                    db.pin_host_key("b0", "m1", "ssh-ed25519 X", &fp, 1).await
                })
                .await;
            let won = pinned.iter().filter(|p| **p).count();
            r.check_eq("pin_host_key (one machine): winners", won, 1);

            r.run("note_changed_host_key", |db, i| async move {
                db.note_changed_host_key(&format!("b{i}"), "m0", "ssh-ed25519 B", "SHA256:B")
                    .await
            })
            .await;
            let mut pending = 0;
            for i in 0..N {
                let pin = db.host_key(&format!("b{i}"), "m0").await.unwrap();
                pending += usize::from(pin.is_some_and(|p| p.pending.is_some()));
            }
            r.check_eq("note_changed_host_key: pending", pending, N);

            let accepted = r
                .run("accept_host_key", |db, i| async move {
                    db.accept_host_key(&format!("b{i}"), "m0", "SHA256:B", 2)
                        .await
                })
                .await;
            r.check_all("accept_host_key", &accepted);
            let mut pinned_b = 0;
            for i in 0..N {
                let pin = db.host_key(&format!("b{i}"), "m0").await.unwrap();
                pinned_b += usize::from(pin.is_some_and(|p| p.fingerprint == "SHA256:B"));
            }
            r.check_eq("accept_host_key: pinned", pinned_b, N);

            // A backend goes with its machines, host keys and key associations.
            let key = StoredKey {
                id: "k".into(),
                name: "ops".into(),
                algorithm: "ssh-ed25519".into(),
                public_key: "ssh-ed25519 AAAA".into(),
                fingerprint: "SHA256:k".into(),
                private_sealed: "v1.sealed".into(),
                is_default: true,
                created_at: 1,
            };
            db.insert_key(&key).await.unwrap();
            for i in 0..N {
                let a = KeyMachine {
                    key_id: "k".into(),
                    backend_id: format!("b{i}"),
                    machine_id: "m0".into(),
                    ssh_user: "root".into(),
                    sudo: false,
                    last_used_at: 1,
                };
                db.associate_key(&a).await.unwrap();
            }
            let found = r
                .run("delete_backend (with machines)", |db, i| async move {
                    db.delete_backend(&format!("b{i}")).await
                })
                .await;
            r.check_all("delete_backend (with machines)", &found);
            r.check_eq(
                "delete_backend: machines left",
                db.machines().await.unwrap().len(),
                0,
            );
            let kms = db.key_machines().await.unwrap();
            r.check_eq("delete_backend: associations left", kms.len(), 0);
            let mut pins = 0;
            for i in 0..N {
                pins += usize::from(db.host_key(&format!("b{i}"), "m0").await.unwrap().is_some());
            }
            r.check_eq("delete_backend: host keys left", pins, 0);
            r.finish();
        }
    });
}
