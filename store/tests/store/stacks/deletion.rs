//! Soft deletion: deleted stacks are kept and free their live nickname.

use store::Db;

use super::{create_s1, new_stack, new_version};
use crate::on_each_engine;

#[tokio::test]
async fn deleted_stacks_are_kept_and_free_their_nickname() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            create_s1(&db).await;
            let mut later = new_stack("s2", "calm-red-fox");
            later.now = 2_000;
            db.create_stack(&later, &new_version("v1", 2_000))
                .await
                .unwrap();
            db.append_stack_event("s1", 1_500, "status", "{}")
                .await
                .unwrap();

            // A live nickname is taken.
            assert!(db.stack_nickname_taken("brave-blue-otter").await.unwrap());
            let taken = db
                .create_stack(
                    &new_stack("s3", "brave-blue-otter"),
                    &new_version("v1", 3_000),
                )
                .await
                .unwrap_err();
            assert!(taken.is_unique_violation(), "{taken}");
            assert!(taken.to_string().contains("brave-blue-otter"), "{taken}");
            assert_eq!(db.stack("s3").await.unwrap(), None);

            let live: Vec<_> = db
                .stacks(false)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .collect();
            assert_eq!(live, ["s2", "s1"], "newest first");

            assert!(db.mark_stack_deleted("s1", 4_000).await.unwrap());
            assert!(!db.mark_stack_deleted("s1", 4_100).await.unwrap());
            let live: Vec<_> = db
                .stacks(false)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .collect();
            assert_eq!(live, ["s2"]);
            let all = db.stacks(true).await.unwrap();
            let listed: Vec<_> = all.iter().map(|s| (s.id.as_str(), s.deleted_at)).collect();
            assert_eq!(listed, [("s2", None), ("s1", Some(4_000))]);
            // Kept: its versions and events.
            assert_eq!(db.stack_versions("s1").await.unwrap().len(), 1);
            assert_eq!(db.stack_events("s1", None).await.unwrap().len(), 1);

            // Its nickname is free again, for a live stack.
            assert!(!db.stack_nickname_taken("brave-blue-otter").await.unwrap());
            db.create_stack(
                &new_stack("s3", "brave-blue-otter"),
                &new_version("v1", 5_000),
            )
            .await
            .unwrap();
            assert_eq!(db.stacks(true).await.unwrap().len(), 3);
        }
    });
}
