//! Instances and their leases.

use store::Db;

use super::{Races, N};
use crate::on_each_engine;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_and_leases() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            r.run("instance_alive", |db, i| async move {
                db.instance_alive(&format!("i{i}"), 100).await
            })
            .await;
            // Every instance renews its row at once.
            r.run("instance_alive (again)", |db, i| async move {
                db.instance_alive(&format!("i{i}"), 200).await
            })
            .await;
            let seen = db.instances().await.unwrap();
            r.check_eq("instance_alive: rows", seen.len(), N);
            r.check_eq(
                "instance_alive: renewed",
                seen.iter().filter(|i| i.seen_at == 200).count(),
                N,
            );

            // Each instance holds two leases; all give them back at once.
            let claimed = r
                .run("claim_lease (two each)", |db, i| async move {
                    let owner = format!("i{i}");
                    let a = db
                        .claim_lease("job", &format!("a{i}"), &owner, 300, 1_000)
                        .await?;
                    let b = db
                        .claim_lease("job", &format!("b{i}"), &owner, 300, 1_000)
                        .await?;
                    Ok::<_, store::StoreError>(a && b)
                })
                .await;
            r.check_all("claim_lease (two each)", &claimed);
            let released = r
                .run("release_leases_of", |db, i| async move {
                    db.release_leases_of(&format!("i{i}")).await
                })
                .await;
            r.check_eq(
                "release_leases_of: released",
                released.iter().sum::<u64>(),
                2 * N as u64,
            );

            // Leases that expired, pruned by every instance at once.
            r.run("claim_lease (short)", |db, i| async move {
                db.claim_lease("job", &format!("c{i}"), "gone", 400, 10)
                    .await
            })
            .await;
            let pruned = r
                .run("prune_expired_leases", |db, _| async move {
                    db.prune_expired_leases(1_000).await
                })
                .await;
            r.check_eq(
                "prune_expired_leases: pruned",
                pruned.iter().sum::<u64>(),
                N as u64,
            );

            r.run("forget_instance", |db, i| async move {
                db.forget_instance(&format!("i{i}")).await
            })
            .await;
            r.check_eq(
                "forget_instance: left",
                db.instances().await.unwrap().len(),
                0,
            );
            r.finish();
        }
    });
}
