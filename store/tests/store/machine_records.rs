//! A machine's audit entries read by resource (its own and those under it,
//! never a machine whose id merely starts the same, `%` and `_` taken
//! literally), and one machine removed with its host key and key
//! associations.

use store::{
    audit::AuditEntry,
    keys::{KeyMachine, StoredKey},
    Db,
};

use crate::{
    on_each_engine,
    rows::{backend, machine},
};

fn entry(at: i64, resource: &str) -> AuditEntry {
    AuditEntry {
        at,
        actor: "ann@example.com".into(),
        address: "127.0.0.1".into(),
        action: "reboot:machine".into(),
        resource: resource.into(),
        outcome: "success".into(),
        detail: String::new(),
    }
}

#[tokio::test]
async fn a_machines_entries_are_read_by_resource_newest_first() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            for (at, resource) in [
                (1, "backend/b/machine/m_1"),
                (2, "backend/b/machine/m_10"),
                (3, "backend/b/machine/mx1"),
                (4, "backend/b/machine/m_1/script/r"),
                (5, "backend/b"),
                (6, "backend/b/machine/m_1"),
            ] {
                db.record_audit(&entry(at, resource)).await.unwrap();
            }
            let found = db
                .audit_entries_of("backend/b/machine/m_1", 20)
                .await
                .unwrap();
            let ats: Vec<i64> = found.iter().map(|e| e.at).collect();
            assert_eq!(ats, [6, 4, 1], "{engine}");
            let limited = db
                .audit_entries_of("backend/b/machine/m_1", 2)
                .await
                .unwrap();
            assert_eq!(limited.len(), 2, "{engine}");
            assert!(db
                .audit_entries_of("backend/b/machine/m%", 20)
                .await
                .unwrap()
                .is_empty());
        }
    });
}

#[tokio::test]
async fn one_machine_goes_with_its_host_key_and_associations() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            db.insert_key(&StoredKey {
                id: "k1".into(),
                name: "ops".into(),
                algorithm: "ssh-ed25519".into(),
                public_key: "ssh-ed25519 AAAAk1".into(),
                fingerprint: "SHA256:k1".into(),
                private_sealed: "v1.sealed".into(),
                is_default: false,
                created_at: 1,
            })
            .await
            .unwrap();
            db.insert_backend(
                &backend("b1", "rack"),
                &[machine("b1", "m1"), machine("b1", "m2")],
            )
            .await
            .unwrap();
            for m in ["m1", "m2"] {
                db.associate_key(&KeyMachine {
                    key_id: "k1".into(),
                    backend_id: "b1".into(),
                    machine_id: m.into(),
                    ssh_user: "root".into(),
                    sudo: true,
                    last_used_at: 5,
                })
                .await
                .unwrap();
                db.pin_host_key("b1", m, "ssh-ed25519 A", "SHA256:A", 1)
                    .await
                    .unwrap();
            }
            assert!(db.delete_machine("b1", "m1").await.unwrap(), "{engine}");
            assert!(!db.delete_machine("b1", "m1").await.unwrap(), "{engine}");
            assert!(db.machine("b1", "m1").await.unwrap().is_none());
            assert!(db.host_key("b1", "m1").await.unwrap().is_none());
            assert!(db.keys_of_machine("b1", "m1").await.unwrap().is_empty());
            // Its neighbour keeps everything.
            assert!(db.machine("b1", "m2").await.unwrap().is_some());
            assert!(db.host_key("b1", "m2").await.unwrap().is_some());
            assert_eq!(db.keys_of_machine("b1", "m2").await.unwrap().len(), 1);
        }
    });
}
