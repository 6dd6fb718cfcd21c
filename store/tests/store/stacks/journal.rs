//! The journal of an operation's steps: written, marked, and what is unfinished.

use store::{
    stacks::{NewStep, STEP_DONE, STEP_FAILED},
    Db,
};

use super::create_s1;
use crate::on_each_engine;

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
async fn the_journal_is_written_marked_and_lists_what_is_unfinished() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            create_s1(&db).await;
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
