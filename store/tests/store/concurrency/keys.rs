//! SSH keys and the machines they open.

use store::{
    keys::{KeyMachine, StoredKey},
    Db,
};

use super::{Races, N};
use crate::on_each_engine;

fn key(i: usize) -> StoredKey {
    StoredKey {
        id: format!("k{i}"),
        name: format!("key {i}"),
        algorithm: "ssh-ed25519".into(),
        public_key: format!("ssh-ed25519 AAAA{i}"),
        fingerprint: format!("SHA256:{i}"),
        private_sealed: "v1.sealed".into(),
        is_default: false,
        created_at: i as i64,
    }
}

/// Key `k<i>` opens machine `m<i>` of backend `b`.
fn association(i: usize) -> KeyMachine {
    KeyMachine {
        key_id: format!("k{i}"),
        backend_id: "b".into(),
        machine_id: format!("m{i}"),
        ssh_user: "root".into(),
        sudo: true,
        last_used_at: i as i64,
    }
}

/// The names of the default keys.
async fn defaults(db: &Db) -> Vec<String> {
    let keys = db.keys().await.unwrap();
    keys.into_iter()
        .filter(|k| k.is_default)
        .map(|k| k.name)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn keys_and_key_machines() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            // insert_key counts the keys (the first becomes the default),
            // then inserts: a read then a write in one transaction.
            let inserted = r
                .run(
                    "insert_key",
                    |db, i| async move { db.insert_key(&key(i)).await },
                )
                .await;
            r.check_eq("insert_key: keys", db.keys().await.unwrap().len(), N);
            let said_default = inserted.iter().filter(|k| k.is_default).count();
            r.check_eq("insert_key: calls answering default", said_default, 1);
            r.check_eq("insert_key: default keys", defaults(&db).await.len(), 1);
            // The keys a failed round left out, added one by one, so that
            // the next rounds still race over all of them.
            for i in 0..N {
                if db.key_by_id(&format!("k{i}")).await.unwrap().is_none() {
                    db.insert_key(&key(i)).await.unwrap();
                }
            }

            let found = r
                .run("set_default_key", |db, i| async move {
                    db.set_default_key(&format!("key {i}")).await
                })
                .await;
            r.check_all("set_default_key", &found);
            r.check_eq(
                "set_default_key: default keys",
                defaults(&db).await.len(),
                1,
            );

            let found = r
                .run("rename_key", |db, i| async move {
                    db.rename_key(&format!("key {i}"), &format!("renamed {i}"))
                        .await
                })
                .await;
            r.check_all("rename_key", &found);
            let keys = db.keys().await.unwrap();
            let renamed = keys
                .iter()
                .filter(|k| k.name == format!("renamed {}", &k.id[1..]));
            r.check_eq("rename_key: renamed", renamed.count(), N);

            r.run("associate_key", |db, i| async move {
                db.associate_key(&association(i)).await
            })
            .await;
            r.check_eq(
                "associate_key: associations",
                db.key_machines().await.unwrap().len(),
                N,
            );
            // Associating again updates the row, never duplicates it.
            r.run("associate_key (update)", |db, i| async move {
                let a = KeyMachine {
                    ssh_user: "admin".into(),
                    ..association(i)
                };
                db.associate_key(&a).await
            })
            .await;
            let kms = db.key_machines().await.unwrap();
            r.check_eq("associate_key (update): associations", kms.len(), N);
            let updated = kms.iter().filter(|a| a.ssh_user == "admin").count();
            r.check_eq("associate_key (update): updated", updated, N);

            let found = r
                .run("disassociate_key", |db, i| async move {
                    db.disassociate_key(&format!("k{i}"), "b", &format!("m{i}"))
                        .await
                })
                .await;
            r.check_all("disassociate_key", &found);
            r.check_eq(
                "disassociate_key: left",
                db.key_machines().await.unwrap().len(),
                0,
            );

            // Deleting keys deletes their associations too.
            r.run("associate_key (again)", |db, i| async move {
                db.associate_key(&association(i)).await
            })
            .await;
            let found = r
                .run("delete_key", |db, i| async move {
                    db.delete_key(&format!("renamed {i}")).await
                })
                .await;
            r.check_all("delete_key", &found);
            r.check_eq("delete_key: keys left", db.keys().await.unwrap().len(), 0);
            let kms = db.key_machines().await.unwrap();
            r.check_eq("delete_key: associations left", kms.len(), 0);
            r.finish();
        }
    });
}
