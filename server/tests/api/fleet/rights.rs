//! Honest buttons: every machine summary handed out (the backend list, a
//! machine's page, the fleet, machine events) offers an action only when
//! the provider, the machine's state and the caller's rights all allow it.

use std::{sync::Arc, time::Duration};

use domain::events::EventKind;
use service::{
    events::{Delivery, Subscription},
    session::Credential,
    Actor,
};

use super::*;

/// `[reboot, stop, start, destroy, tag]` of a summary.
fn offered(m: &Value) -> [bool; 5] {
    [
        "can_reboot",
        "can_stop",
        "can_start",
        "can_destroy",
        "can_tag",
    ]
    .map(|name| m[name].as_bool().unwrap_or_else(|| panic!("{name} in {m}")))
}

/// What each door shows `caller` (the master's session when `None`) of
/// the running `do-a-m0000` and the stopped `do-a-m0001`.
async fn doors(app: &TestApp, caller: Option<&str>) -> Vec<(String, [bool; 5], [bool; 5])> {
    let get = |path: String| async move {
        let res = match caller {
            Some(auth) => app.as_caller(Method::GET, &path, auth, None).await,
            None => app.get_json(&path).await,
        };
        assert_eq!(res.status(), 200, "{path}");
        res.json::<Value>().await.unwrap()
    };
    let find = |list: &Value, id: &str| -> Value {
        list.as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap()
            .clone()
    };
    let list = get("/backends/do-a/machines".into()).await;
    let paged = get("/backends/do-a/machines?per_page=10".into()).await;
    let fleet = get("/machines?per_page=10".into()).await;
    let rows = Value::Array(
        fleet["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["machine"].clone())
            .collect(),
    );
    let running = get("/backends/do-a/machines/do-a-m0000".into()).await;
    let stopped = get("/backends/do-a/machines/do-a-m0001".into()).await;
    vec![
        (
            "list".into(),
            offered(&find(&list, "do-a-m0000")),
            offered(&find(&list, "do-a-m0001")),
        ),
        (
            "paged list".into(),
            offered(&find(&paged, "do-a-m0000")),
            offered(&find(&paged, "do-a-m0001")),
        ),
        (
            "fleet".into(),
            offered(&find(&rows, "do-a-m0000")),
            offered(&find(&rows, "do-a-m0001")),
        ),
        (
            "detail".into(),
            offered(&running["machine"]),
            offered(&stopped["machine"]),
        ),
    ]
}

/// The actor of the account with `email`, its roles read as a request's
/// would be.
async fn actor_of(app: &TestApp, email: &str) -> Actor {
    let account = app
        .services()
        .db
        .account_by_email(email)
        .await
        .unwrap()
        .unwrap();
    let guess = Actor {
        account_id: account.id,
        email: email.to_owned(),
        is_master: false,
        address: "127.0.0.1".into(),
        roles: Arc::new(vec![]),
        rights_generation: 0,
        token_scope: None,
        via: Credential::Session,
    };
    service::session::refresh(app.services(), &guess)
        .await
        .unwrap()
        .unwrap()
}

/// What `email`'s subscription is given of a change to `do-a-m0000`
/// (running) and `do-a-m0001` (stopped), announced as the operations do.
async fn events(app: &TestApp, email: &str) -> ([bool; 5], [bool; 5]) {
    let services = app.services();
    let actor = actor_of(app, email).await;
    let mut sub = Subscription::start(services, actor, None, None)
        .await
        .unwrap();
    for id in ["do-a-m0000", "do-a-m0001"] {
        service::events::changes::machine(services, EventKind::MachineChanged, "do-a", id).await;
    }
    let mut got = Vec::new();
    while got.len() < 2 {
        let next = tokio::time::timeout(Duration::from_secs(10), sub.next(services))
            .await
            .expect("an event within 10 s")
            .unwrap()
            .unwrap();
        if let Delivery::Event(e) = next {
            if e.kind == EventKind::MachineChanged {
                got.push(offered(&e.data));
            }
        }
    }
    (got[0], got[1])
}

#[tokio::test]
async fn every_door_offers_what_the_state_and_the_callers_rights_allow() {
    on_each_engine(|app, engine| async move {
        seed_backend(&app, "do-a", "Alpha", &[Seed::nth(0), Seed::nth(1)]).await;
        let (t, f) = (true, false);
        // DigitalOcean: running reboots, stops, is destroyed and tagged;
        // stopped starts, is destroyed and tagged.
        let running = [t, t, f, t, t];
        let stopped = [f, f, t, t, t];
        for (door, r, s) in doors(&app, None).await {
            assert_eq!((r, s), (running, stopped), "{engine}: the master's {door}");
        }
        assert_eq!(
            events(&app, MASTER_EMAIL).await,
            (running, stopped),
            "{engine}"
        );

        let reader = user_with(&app, "reader", &["view:*"]).await;
        for (door, r, s) in doors(&app, Some(&reader)).await {
            assert_eq!((r, s), ([f; 5], [f; 5]), "{engine}: a reader's {door}");
        }
        assert_eq!(
            events(&app, "reader@example.com").await,
            ([f; 5], [f; 5]),
            "{engine}: a reader's events"
        );

        let stopper = user_with(&app, "stopper", &["view:*", "stop:machine"]).await;
        let only_stop = [f, t, f, f, f];
        for (door, r, s) in doors(&app, Some(&stopper)).await {
            assert_eq!((r, s), (only_stop, [f; 5]), "{engine}: a stopper's {door}");
        }
        assert_eq!(
            events(&app, "stopper@example.com").await,
            (only_stop, [f; 5]),
            "{engine}: a stopper's events"
        );
    })
    .await;
}
