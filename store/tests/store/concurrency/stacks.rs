//! Stacks: operations begun and ended at once on one stack (one wins, and
//! only its status event is logged), journal steps
//! and events appended at once (all kept, distinct seqs), agents' reports
//! upserted at once (one row per agent).

use std::collections::BTreeSet;

use store::{
    stacks::{BeginOperation, EndOperation, NewStep, STATUS_EVENT, STEP_DONE},
    Db,
};

use super::{Races, N};
use crate::{
    on_each_engine,
    stacks::{new_stack, new_version},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stack_operations_journal_events_and_agents() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            db.create_stack(&new_stack("s1", "brave-blue-otter"), &new_version("v1", 1))
                .await
                .unwrap();
            db.set_stack_status("s1", &["CREATE_IN_PROGRESS"], "CREATE_COMPLETE", 2, "{}")
                .await
                .unwrap();

            // Every writer tries to begin an update with its own version.
            let begun = r
                .run("begin_operation", |db, i| async move {
                    let version = new_version(&format!("v-{i}"), 10);
                    let op_id = format!("op{i}");
                    let event = format!(r#"{{"op":"{op_id}"}}"#);
                    let op = BeginOperation {
                        kind: "update",
                        id: &op_id,
                        detail: "{}",
                        from: &["CREATE_COMPLETE", "UPDATE_COMPLETE"],
                        to: "UPDATE_IN_PROGRESS",
                        expected_version: Some("v1"),
                        new_version: Some(&version),
                        now: 10,
                        status_event: &event,
                    };
                    db.begin_operation("s1", &op).await
                })
                .await;
            r.check_eq(
                "begin_operation: winners",
                begun.iter().filter(|b| **b).count(),
                1,
            );
            let winner = begun.iter().position(|b| *b);
            let s = db.stack("s1").await.unwrap().unwrap();
            r.check_eq(
                "begin_operation: the winner's operation and version",
                (
                    s.operation.map(|o| o.id),
                    Some(s.version_id),
                    s.status.as_str(),
                ),
                (
                    winner.map(|i| format!("op{i}")),
                    winner.map(|i| format!("v-{i}")),
                    "UPDATE_IN_PROGRESS",
                ),
            );
            r.check_eq(
                "begin_operation: versions stored",
                db.stack_versions("s1").await.unwrap().len(),
                2,
            );
            let op = winner.map_or_else(|| "none".to_owned(), |i| format!("op{i}"));
            r.check_eq(
                "begin_operation: the winner's status event, alone",
                status_events(&db).await,
                vec!["{}".to_owned(), format!(r#"{{"op":"{op}"}}"#)],
            );

            // Every writer journals a step, then marks it done.
            let steps = r
                .run("append_step", |db, i| {
                    let op = op.clone();
                    async move {
                        let step = NewStep {
                            operation_id: op,
                            flag: "Web01".into(),
                            action: "create_machine".into(),
                            machine_name: format!("brave-blue-otter-Web01-{i}"),
                            machine_id: None,
                            now: 20,
                        };
                        let s = db.append_step("s1", &step).await?;
                        db.mark_step("s1", s.seq, STEP_DONE, Some(&format!("i-{i}")), None, 21)
                            .await
                    }
                })
                .await;
            r.check_all("append_step: marked done", &steps);
            let journal = db.operation_steps("s1", &op).await.unwrap();
            let seqs: BTreeSet<_> = journal.iter().map(|s| s.seq).collect();
            r.check_eq("append_step: steps kept", journal.len(), N);
            r.check_eq("append_step: distinct seqs", seqs.len(), N);
            r.check_eq(
                "append_step: done with their ids",
                journal
                    .iter()
                    .filter(|s| {
                        s.state == "done"
                            && s.machine_id.as_deref()
                                == s.machine_name
                                    .rsplit('-')
                                    .next()
                                    .map(|n| format!("i-{n}"))
                                    .as_deref()
                    })
                    .count(),
                N,
            );
            r.check_eq(
                "append_step: unfinished",
                db.unfinished_steps("s1", &op).await.unwrap().len(),
                0,
            );

            // Every writer tries to end the operation, with its own event.
            let ended = r
                .run("end_operation", |db, i| {
                    let op = op.clone();
                    async move {
                        let event = format!(r#"{{"end":{i}}}"#);
                        let end = EndOperation {
                            to: "UPDATE_COMPLETE",
                            deleted: false,
                            now: 25,
                            status_event: &event,
                        };
                        db.end_operation("s1", &op, &end).await.map(|won| (i, won))
                    }
                })
                .await;
            let enders: Vec<_> = ended
                .iter()
                .filter(|(_, won)| *won)
                .map(|(i, _)| i)
                .collect();
            r.check_eq("end_operation: winners", enders.len(), 1);
            r.check_eq(
                "end_operation: the winner's status event, alone",
                status_events(&db).await.get(2..).map(<[String]>::to_vec),
                Some(enders.iter().map(|i| format!(r#"{{"end":{i}}}"#)).collect()),
            );

            // Every writer appends an event.
            let seqs = r
                .run("append_stack_event", |db, i| async move {
                    db.append_stack_event("s1", 30, "step", &format!(r#"{{"i":{i}}}"#))
                        .await
                })
                .await;
            let distinct: BTreeSet<_> = seqs.iter().copied().collect();
            r.check_eq("append_stack_event: distinct seqs", distinct.len(), N);
            let events = db.stack_events("s1", None).await.unwrap();
            r.check_eq("append_stack_event: events kept", events.len(), N + 3);
            r.check_eq(
                "append_stack_event: seqs 1..=N + 3",
                events.iter().map(|e| e.seq).collect::<Vec<_>>(),
                (1..=N as i64 + 3).collect(),
            );

            // Five agents, ten writers each, agent and container reports mixed.
            r.run("upsert agent reports", |db, i| async move {
                let agent = format!("agent-{}", i % 5);
                if i % 2 == 0 {
                    db.upsert_agent_status("s1", &agent, Some("i-1"), "uptodate", None, 40)
                        .await
                } else {
                    db.upsert_container_status("s1", &agent, None, "c-1", "complete", 40)
                        .await
                }
            })
            .await;
            let agents = db.stack_agents("s1").await.unwrap();
            r.check_eq("upsert agent reports: rows", agents.len(), 5);
            r.check_eq(
                "upsert agent reports: both reports on each row",
                agents
                    .iter()
                    .filter(|a| {
                        a.status.as_deref() == Some("uptodate")
                            && a.container_status.as_deref() == Some("complete")
                            && a.instance_id == "i-1"
                    })
                    .count(),
                5,
            );
            r.finish();
        }
    });
}

/// The details of stack `s1`'s status events, oldest first.
async fn status_events(db: &Db) -> Vec<String> {
    db.stack_events("s1", None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == STATUS_EVENT)
        .map(|e| e.detail)
        .collect()
}
