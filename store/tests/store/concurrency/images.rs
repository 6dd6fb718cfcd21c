//! Starred images.

use store::Db;

use super::{backend, Races, N};
use crate::on_each_engine;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn starred_images() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            let b = backend(0);
            db.insert_backend(&b, &[]).await.unwrap();
            // Every writer stars its own image at once.
            let starred = r
                .run("toggle_star (on)", |db, i| async move {
                    db.toggle_star("b0", &format!("img-{i}"), 1).await
                })
                .await;
            r.check_all("toggle_star (on)", &starred);
            r.check_eq(
                "toggle_star: rows",
                db.starred_images("b0").await.unwrap().len(),
                N,
            );
            // Everyone toggles one image: it ends starred exactly when an
            // odd number of toggles ran, and no toggle is lost.
            let now: Vec<bool> = r
                .run("toggle_star (one image)", |db, _| async move {
                    db.toggle_star("b0", "shared", 2).await
                })
                .await;
            let on = now.iter().filter(|s| **s).count();
            r.check_eq("toggle_star: alternated", on, N / 2);
            let shared = db
                .starred_images("b0")
                .await
                .unwrap()
                .contains(&"shared".to_owned());
            r.check_eq("toggle_star: shared starred", shared, N % 2 == 1);
            // Forgotten with the backend.
            db.delete_backend("b0").await.unwrap();
            r.check_eq(
                "delete_backend: stars",
                db.starred_images("b0").await.unwrap().len(),
                0,
            );
            r.finish();
        }
    });
}
