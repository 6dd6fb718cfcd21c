//! Stacks: created with a first version, versions newest first, operations
//! begun by compare-and-set, the journal, the stack's own events, agents'
//! reports, soft deletion and live nicknames. Here: the rows the tests share.

mod deletion;
mod journal;
mod operations;
mod reports;
mod versions;

use store::{
    stacks::{NewStack, NewVersion},
    Db,
};

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

/// Creates stack `s1` (`brave-blue-otter`) with its first version `v1` at 1000.
async fn create_s1(db: &Db) {
    db.create_stack(
        &new_stack("s1", "brave-blue-otter"),
        &new_version("v1", 1_000),
    )
    .await
    .unwrap();
}
