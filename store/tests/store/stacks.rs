//! Stacks: created with a first version, versions newest first, operations
//! begun by compare-and-set, the journal, the stack's own events, agents'
//! reports, soft deletion and live nicknames.

use store::{
    stacks::{BeginOperation, NewStack, NewStep, NewVersion, STEP_DONE, STEP_FAILED},
    Db,
};

use crate::on_each_engine;

pub fn new_stack(id: &str, nickname: &str) -> NewStack {
    NewStack {
        id: id.into(),
        nickname: nickname.into(),
        owner_id: "u1".into(),
        backend_id: "b1".into(),
        status: "CREATE_IN_PROGRESS".into(),
        auth_token_sealed: "sealed:token".into(),
        now: 1_000,
    }
}

pub fn new_version(id: &str, at: i64) -> NewVersion {
    let template = format!(r#"{{"version":"2017-03-03","label":"{id}"}}"#);
    NewVersion {
        version_id: id.into(),
        template,
        computed: "{}".into(),
        created_at: at,
    }
}

fn step(op: &str, flag: &str, n: u32) -> NewStep {
    NewStep {
        operation_id: op.into(),
        flag: flag.into(),
        action: "create_machine".into(),
        machine_name: format!("brave-blue-otter-{flag}-{n}"),
        machine_id: None,
        now: 2_000,
    }
}

#[tokio::test]
async fn a_stack_is_created_with_its_first_version_and_versions_list_newest_first() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            assert_eq!(db.stack("s1").await.unwrap(), None);
            db.create_stack(
                &new_stack("s1", "brave-blue-otter"),
                &new_version("v1", 1_000),
            )
            .await
            .unwrap();
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

#[tokio::test]
async fn status_and_operations_are_compare_and_set() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            db.create_stack(
                &new_stack("s1", "brave-blue-otter"),
                &new_version("v1", 1_000),
            )
            .await
            .unwrap();
            // Status CAS.
            assert!(!db
                .set_stack_status("s1", &["UPDATE_COMPLETE"], "CREATE_COMPLETE", 1_100)
                .await
                .unwrap());
            assert!(!db
                .set_stack_status("s1", &[], "CREATE_COMPLETE", 1_100)
                .await
                .unwrap());
            assert!(db
                .set_stack_status(
                    "s1",
                    &["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS"],
                    "CREATE_COMPLETE",
                    1_100
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
                .end_operation("s1", "op2", "UPDATE_COMPLETE", false, 2_500)
                .await
                .unwrap());
            assert!(db
                .end_operation("s1", "op1", "UPDATE_COMPLETE", false, 2_500)
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
                .end_operation("s1", "op2", "UPDATE_COMPLETE", false, 2_600)
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
            };
            assert!(!db.begin_operation("s1", &delete).await.unwrap());
            assert!(!db.begin_operation("nope", &delete).await.unwrap());
            let delete = BeginOperation {
                from: &["UPDATE_COMPLETE"],
                ..delete
            };
            assert!(db.begin_operation("s1", &delete).await.unwrap());
            assert!(db
                .end_operation("s1", "op3", "DELETE_COMPLETE", true, 3_500)
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
                .set_stack_status("s1", &["DELETE_COMPLETE"], "CREATE_COMPLETE", 4_000)
                .await
                .unwrap());
        }
    });
}

#[tokio::test]
async fn the_journal_is_written_marked_and_lists_what_is_unfinished() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            db.create_stack(
                &new_stack("s1", "brave-blue-otter"),
                &new_version("v1", 1_000),
            )
            .await
            .unwrap();
            let mut seqs = Vec::new();
            for n in 1..=4 {
                let s = db
                    .append_step("s1", &step("op1", "Web01", n))
                    .await
                    .unwrap();
                assert_eq!(
                    (s.state.as_str(), s.machine_id.as_deref()),
                    ("pending", None)
                );
                seqs.push(s.seq);
            }
            assert_eq!(seqs, [1, 2, 3, 4]);
            // Another operation's step continues the stack's sequence.
            let other = db.append_step("s1", &step("op0", "Db01", 1)).await.unwrap();
            assert_eq!(other.seq, 5);

            // Step 1 done, step 2's id known but not done, step 3 failed.
            assert!(db
                .mark_step("s1", 1, STEP_DONE, Some("i-1"), None, 2_100)
                .await
                .unwrap());
            assert!(db.set_step_machine_id("s1", 2, "i-2", 2_200).await.unwrap());
            assert!(db
                .mark_step("s1", 3, STEP_FAILED, None, Some("quota exceeded"), 2_300)
                .await
                .unwrap());
            // A finished step stays as it ended.
            assert!(!db
                .mark_step("s1", 1, STEP_FAILED, None, Some("late"), 2_400)
                .await
                .unwrap());
            assert!(!db.set_step_machine_id("s1", 1, "i-x", 2_400).await.unwrap());
            assert!(!db
                .mark_step("s1", 99, STEP_DONE, None, None, 2_400)
                .await
                .unwrap());

            let all = db.operation_steps("s1", "op1").await.unwrap();
            let got: Vec<_> = all
                .iter()
                .map(|s| {
                    (
                        s.seq,
                        s.state.as_str(),
                        s.machine_id.as_deref(),
                        s.message.as_deref(),
                    )
                })
                .collect();
            assert_eq!(
                got,
                [
                    (1, "done", Some("i-1"), None),
                    (2, "pending", Some("i-2"), None),
                    (3, "failed", None, Some("quota exceeded")),
                    (4, "pending", None, None),
                ]
            );
            assert_eq!(all[0].machine_name, "brave-blue-otter-Web01-1");
            assert_eq!((all[0].created_at, all[0].updated_at), (2_000, 2_100));

            let unfinished = db.unfinished_steps("s1", "op1").await.unwrap();
            let names: Vec<_> = unfinished.iter().map(|s| s.machine_name.as_str()).collect();
            assert_eq!(
                names,
                ["brave-blue-otter-Web01-2", "brave-blue-otter-Web01-4"]
            );
            // Marking done keeps the id noted earlier.
            assert!(db
                .mark_step("s1", 2, STEP_DONE, None, None, 2_500)
                .await
                .unwrap());
            let s2 = &db.operation_steps("s1", "op1").await.unwrap()[1];
            assert_eq!(
                (s2.state.as_str(), s2.machine_id.as_deref()),
                ("done", Some("i-2"))
            );
            assert_eq!(db.unfinished_steps("s1", "op1").await.unwrap().len(), 1);
            assert_eq!(db.unfinished_steps("s1", "op0").await.unwrap().len(), 1);
        }
    });
}

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

#[tokio::test]
async fn deleted_stacks_are_kept_and_free_their_nickname() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            db.create_stack(
                &new_stack("s1", "brave-blue-otter"),
                &new_version("v1", 1_000),
            )
            .await
            .unwrap();
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
