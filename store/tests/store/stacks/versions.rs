//! A stack is created with its first version; versions list newest first,
//! and one is made current by setting it.

use store::Db;

use super::{create_s1, new_stack, new_version};
use crate::on_each_engine;

#[tokio::test]
async fn a_stack_is_created_with_its_first_version_and_versions_list_newest_first() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            assert_eq!(db.stack("s1").await.unwrap(), None);
            create_s1(&db).await;
            let s = db.stack("s1").await.unwrap().unwrap();
            assert_eq!(
                (
                    s.nickname.as_str(),
                    s.owner_id.as_str(),
                    s.backend_id.as_str(),
                    s.status.as_str(),
                    s.version_id.as_str(),
                    s.auth_token_sealed.as_str(),
                ),
                (
                    "brave-blue-otter",
                    "u1",
                    "b1",
                    "CREATE_IN_PROGRESS",
                    "v1",
                    "sealed:token"
                )
            );
            assert_eq!(
                (s.created_at, s.updated_at, s.deleted_at),
                (1_000, 1_000, None)
            );
            assert_eq!(s.operation, None);

            // Same id again: refused, nothing else stored.
            let again = db
                .create_stack(&new_stack("s1", "other-name-here"), &new_version("v9", 1))
                .await
                .unwrap_err();
            assert!(again.is_unique_violation(), "{again}");
            assert_eq!(db.stack_versions("s1").await.unwrap().len(), 1);

            assert_eq!(
                db.add_stack_version("s1", &new_version("v2", 2_000))
                    .await
                    .unwrap(),
                2
            );
            assert_eq!(
                db.add_stack_version("s1", &new_version("v3", 2_000))
                    .await
                    .unwrap(),
                3
            );
            let dup = db
                .add_stack_version("s1", &new_version("v2", 3_000))
                .await
                .unwrap_err();
            assert!(dup.is_unique_violation(), "{dup}");
            let versions = db.stack_versions("s1").await.unwrap();
            let ids: Vec<_> = versions.iter().map(|v| v.version_id.as_str()).collect();
            assert_eq!(
                ids,
                ["v3", "v2", "v1"],
                "newest first, ties by order stored"
            );
            let v1 = &versions[2];
            assert_eq!(v1.size, v1.template.len() as i64);
            assert_eq!(
                db.latest_stack_version("s1")
                    .await
                    .unwrap()
                    .unwrap()
                    .version_id,
                "v3"
            );
            assert_eq!(
                db.stack_version("s1", "v2")
                    .await
                    .unwrap()
                    .unwrap()
                    .template,
                new_version("v2", 0).template
            );
            assert_eq!(db.stack_version("s1", "v9").await.unwrap(), None);
            assert_eq!(db.latest_stack_version("nope").await.unwrap(), None);

            // Adding a version does not make it current; setting does.
            assert_eq!(db.stack("s1").await.unwrap().unwrap().version_id, "v1");
            assert!(db.set_stack_version("s1", "v2", 3_000).await.unwrap());
            assert!(!db.set_stack_version("s1", "v9", 3_000).await.unwrap());
            assert_eq!(db.stack("s1").await.unwrap().unwrap().version_id, "v2");
            assert!(db
                .set_version_computed("s1", "v2", r#"{"image":"img-1"}"#)
                .await
                .unwrap());
            assert_eq!(
                db.stack_version("s1", "v2")
                    .await
                    .unwrap()
                    .unwrap()
                    .computed,
                r#"{"image":"img-1"}"#
            );
        }
    });
}
