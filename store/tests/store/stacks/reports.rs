//! A stack's own events and its agents' reports.

use store::Db;

use super::{new_stack, new_version};
use crate::on_each_engine;

#[tokio::test]
async fn events_are_kept_per_stack_and_listed_latest_or_all() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            for (id, nick) in [("s1", "a-b-c"), ("s2", "d-e-f")] {
                db.create_stack(&new_stack(id, nick), &new_version("v1", 1_000))
                    .await
                    .unwrap();
            }
            for i in 1..=60 {
                let detail = format!(r#"{{"n":{i}}}"#);
                let seq = db
                    .append_stack_event("s1", 1_000 + i, "step", &detail)
                    .await
                    .unwrap();
                assert_eq!(seq, i);
            }
            assert_eq!(
                db.append_stack_event("s2", 5, "status", "{}")
                    .await
                    .unwrap(),
                1
            );

            let all = db.stack_events("s1", None).await.unwrap();
            assert_eq!(all.len(), 60);
            assert_eq!((all[0].seq, all[59].seq), (1, 60));
            let latest = db.stack_events("s1", Some(50)).await.unwrap();
            let seqs: Vec<_> = latest.iter().map(|e| e.seq).collect();
            assert_eq!(
                seqs,
                (11..=60).collect::<Vec<_>>(),
                "the latest 50, oldest first"
            );
            assert_eq!(
                (
                    latest[49].at,
                    latest[49].kind.as_str(),
                    latest[49].detail.as_str()
                ),
                (1_060, "step", r#"{"n":60}"#)
            );
            assert_eq!(db.stack_events("s2", Some(50)).await.unwrap().len(), 1);
            assert!(db.stack_events("s3", None).await.unwrap().is_empty());
        }
    });
}

#[tokio::test]
async fn agents_reports_are_upserted_one_row_per_agent() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            db.create_stack(&new_stack("s1", "a-b-c"), &new_version("v1", 1_000))
                .await
                .unwrap();
            db.upsert_agent_status("s1", "agent-1", None, "starting", None, 10)
                .await
                .unwrap();
            db.upsert_agent_status(
                "s1",
                "agent-1",
                Some("i-1"),
                "error",
                Some("pull failed"),
                20,
            )
            .await
            .unwrap();
            db.upsert_container_status("s1", "agent-1", Some(""), "c-1", "installing", 30)
                .await
                .unwrap();
            db.upsert_container_status("s1", "agent-2", None, "", "starting", 40)
                .await
                .unwrap();
            db.upsert_agent_status("s1", "agent-1", None, "uptodate", None, 50)
                .await
                .unwrap();
            let agents = db.stack_agents("s1").await.unwrap();
            assert_eq!(agents.len(), 2);
            let a = &agents[0];
            assert_eq!(
                (
                    a.agent_id.as_str(),
                    a.instance_id.as_str(),
                    a.status.as_deref(),
                    a.message.as_deref(),
                    a.container_id.as_deref(),
                    a.container_status.as_deref(),
                    a.updated_at
                ),
                (
                    "agent-1",
                    "i-1",
                    Some("uptodate"),
                    None,
                    Some("c-1"),
                    Some("installing"),
                    50
                )
            );
            let b = &agents[1];
            assert_eq!(
                (
                    b.agent_id.as_str(),
                    b.instance_id.as_str(),
                    b.status.as_deref(),
                    b.container_status.as_deref()
                ),
                ("agent-2", "", None, Some("starting"))
            );
        }
    });
}
