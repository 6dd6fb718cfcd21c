//! Status changes and operations begin and end by compare-and-set.

use store::{
    stacks::{BeginOperation, EndOperation},
    Db,
};

use super::{create_s1, new_version};
use crate::on_each_engine;

#[tokio::test]
async fn status_and_operations_are_compare_and_set() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            create_s1(&db).await;
            // Status CAS.
            assert!(!db
                .set_stack_status("s1", &["UPDATE_COMPLETE"], "CREATE_COMPLETE", 1_100, "{}")
                .await
                .unwrap());
            assert!(!db
                .set_stack_status("s1", &[], "CREATE_COMPLETE", 1_100, "{}")
                .await
                .unwrap());
            assert!(db
                .set_stack_status(
                    "s1",
                    &["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS"],
                    "CREATE_COMPLETE",
                    1_100,
                    "CREATE_COMPLETE"
                )
                .await
                .unwrap());
            let s = db.stack("s1").await.unwrap().unwrap();
            assert_eq!(
                (s.status.as_str(), s.updated_at),
                ("CREATE_COMPLETE", 1_100)
            );

            // An update begins with its new version, made current.
            let v2 = new_version("v2", 2_000);
            let update = BeginOperation {
                kind: "update",
                id: "op1",
                detail: r#"{"from":"v1","to":"v2"}"#,
                from: &["CREATE_COMPLETE", "UPDATE_COMPLETE"],
                to: "UPDATE_IN_PROGRESS",
                expected_version: Some("v1"),
                new_version: Some(&v2),
                now: 2_000,
                status_event: "UPDATE_IN_PROGRESS",
            };
            assert!(db.begin_operation("s1", &update).await.unwrap());
            let s = db.stack("s1").await.unwrap().unwrap();
            assert_eq!(
                (s.status.as_str(), s.version_id.as_str()),
                ("UPDATE_IN_PROGRESS", "v2")
            );
            let op = s.operation.unwrap();
            assert_eq!(
                (
                    op.kind.as_str(),
                    op.id.as_str(),
                    op.detail.as_str(),
                    op.started_at
                ),
                ("update", "op1", r#"{"from":"v1","to":"v2"}"#, 2_000)
            );
            assert_eq!(db.stacks_in_operation().await.unwrap().len(), 1);

            // Another while it runs: refused, its version not stored.
            let v3 = new_version("v3", 2_100);
            let second = BeginOperation {
                id: "op2",
                from: &["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_IN_PROGRESS"],
                expected_version: None,
                new_version: Some(&v3),
                ..update
            };
            assert!(!db.begin_operation("s1", &second).await.unwrap());
            assert_eq!(db.stack_versions("s1").await.unwrap().len(), 2);

            // Only the running operation ends it.
            assert!(!db
                .end_operation("s1", "op2", &ended("UPDATE_COMPLETE", false, 2_500))
                .await
                .unwrap());
            assert!(db
                .end_operation("s1", "op1", &ended("UPDATE_COMPLETE", false, 2_500))
                .await
                .unwrap());
            let s = db.stack("s1").await.unwrap().unwrap();
            assert_eq!(
                (s.status.as_str(), s.operation, s.deleted_at),
                ("UPDATE_COMPLETE", None, None)
            );
            assert!(db.stacks_in_operation().await.unwrap().is_empty());

            // A stale expected version is refused; the right one begins.
            let stale = BeginOperation {
                expected_version: Some("v1"),
                ..second
            };
            assert!(!db.begin_operation("s1", &stale).await.unwrap());
            let fresh = BeginOperation {
                expected_version: Some("v2"),
                ..second
            };
            assert!(db.begin_operation("s1", &fresh).await.unwrap());
            assert_eq!(
                db.latest_stack_version("s1")
                    .await
                    .unwrap()
                    .unwrap()
                    .version_id,
                "v3"
            );
            assert!(db
                .end_operation("s1", "op2", &ended("UPDATE_COMPLETE", false, 2_600))
                .await
                .unwrap());

            // A wrong status is refused; unknown stacks too.
            let delete = BeginOperation {
                kind: "delete",
                id: "op3",
                detail: "{}",
                from: &["CREATE_FAILED"],
                to: "DELETE_IN_PROGRESS",
                expected_version: None,
                new_version: None,
                now: 3_000,
                status_event: "DELETE_IN_PROGRESS",
            };
            assert!(!db.begin_operation("s1", &delete).await.unwrap());
            assert!(!db.begin_operation("nope", &delete).await.unwrap());
            let delete = BeginOperation {
                from: &["UPDATE_COMPLETE"],
                ..delete
            };
            assert!(db.begin_operation("s1", &delete).await.unwrap());
            assert!(db
                .end_operation("s1", "op3", &ended("DELETE_COMPLETE", true, 3_500))
                .await
                .unwrap());
            let s = db.stack("s1").await.unwrap().unwrap();
            assert_eq!(
                (s.status.as_str(), s.deleted_at),
                ("DELETE_COMPLETE", Some(3_500))
            );
            // A deleted stack begins nothing and changes status no more.
            let again = BeginOperation {
                id: "op4",
                from: &["DELETE_COMPLETE"],
                ..delete
            };
            assert!(!db.begin_operation("s1", &again).await.unwrap());
            assert!(!db
                .set_stack_status("s1", &["DELETE_COMPLETE"], "CREATE_COMPLETE", 4_000, "{}")
                .await
                .unwrap());

            // Each change made is logged with it (its event as given), and
            // only those.
            let logged: Vec<_> = db
                .stack_events("s1", None)
                .await
                .unwrap()
                .into_iter()
                .map(|e| (e.at, e.kind, e.detail))
                .collect();
            let status = |at: i64, s: &str| (at, "status".to_owned(), s.to_owned());
            assert_eq!(
                logged,
                vec![
                    status(1_100, "CREATE_COMPLETE"),
                    status(2_000, "UPDATE_IN_PROGRESS"),
                    status(2_500, "UPDATE_COMPLETE"),
                    status(2_000, "UPDATE_IN_PROGRESS"),
                    status(2_600, "UPDATE_COMPLETE"),
                    status(3_000, "DELETE_IN_PROGRESS"),
                    status(3_500, "DELETE_COMPLETE"),
                ]
            );
        }
    });
}

fn ended(to: &str, deleted: bool, now: i64) -> EndOperation<'_> {
    EndOperation {
        to,
        deleted,
        now,
        status_event: to,
    }
}
