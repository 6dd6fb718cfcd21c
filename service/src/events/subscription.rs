//! One subscriber's view of the events: what it missed since the position
//! it gave, then what happens, only the events its caller may see, until
//! the caller may no longer see anything (signed out, disabled, token
//! revoked) or goes away.

use std::{collections::VecDeque, sync::Arc, time::Duration};

use domain::{
    events::{Event, EventKind},
    resource, ErrorKind,
};
use tokio::{sync::broadcast::error::RecvError, time::Instant};

use super::from_row;
use crate::{authz, internal, machines::ACTION_RIGHTS, session, Actor, Services};

/// How often a subscriber's rights are read again.
pub const RECHECK: Duration = Duration::from_secs(5);

/// The most missed events replayed to a subscriber; one that missed more
/// is told to reload.
const MAX_REPLAY: i64 = 5_000;

/// Whether `actor` may see some event of `topics` (all when `None`)
/// somewhere.
pub fn may_see_any(actor: &Actor, topics: Option<&[&'static str]>) -> bool {
    domain::events::EventKind::ALL
        .iter()
        .filter(|k| topics.is_none_or(|t| t.contains(&k.topic())))
        .any(|k| authz::authorize_listing(actor, k.view_action()).is_ok())
}

/// What a subscriber gets next.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// An event it may see.
    Event(Arc<Event>),
    /// What it missed is no longer kept (or is too much): read the pages
    /// again; events follow from the current position.
    Reload,
}

/// A subscriber.
#[derive(Debug)]
pub struct Subscription {
    actor: Actor,
    topics: Option<Vec<&'static str>>,
    receiver: tokio::sync::broadcast::Receiver<Arc<Event>>,
    pending: VecDeque<Delivery>,
    /// The newest sequence number this subscriber has been given or
    /// skipped.
    position: i64,
    recheck_at: Instant,
}

impl Subscription {
    /// Subscribes `actor` to `topics` (all when `None`), from just after
    /// `since` when given (what was missed is replayed first), else from
    /// now.
    pub async fn start(
        services: &Services,
        actor: Actor,
        since: Option<i64>,
        topics: Option<Vec<&'static str>>,
    ) -> Result<Self, ErrorKind> {
        if !may_see_any(&actor, topics.as_deref()) {
            return Err(ErrorKind::Forbidden {
                action: Some("view:*".into()),
            });
        }
        // Listen first, so nothing falls between the replay and the bus.
        let receiver = services.events.subscribe();
        let mut sub = Self {
            actor,
            topics,
            receiver,
            pending: VecDeque::new(),
            position: services.events.forwarded(),
            recheck_at: Instant::now() + RECHECK,
        };
        if let Some(since) = since {
            sub.replay(services, since).await?;
        }
        Ok(sub)
    }

    /// The newest sequence number given or skipped.
    pub fn position(&self) -> i64 {
        self.position
    }

    /// Reads the table from `since` into `pending`, or queues a reload
    /// when the table no longer reaches back that far.
    async fn replay(&mut self, services: &Services, since: i64) -> Result<(), ErrorKind> {
        let bounds = services.db.event_bounds().await.map_err(internal)?;
        let newest = bounds
            .map_or(0, |(_, hi)| hi)
            .max(services.events.forwarded());
        let reachable = match bounds {
            _ if since == newest => true,
            // Ahead of the installation (its database was replaced).
            _ if since > newest => false,
            // Events happened, none is kept.
            None => false,
            Some((oldest, hi)) => since >= oldest - 1 && hi - since <= MAX_REPLAY,
        };
        if !reachable {
            self.pending.push_back(Delivery::Reload);
            self.position = newest;
            return Ok(());
        }
        let mut after = since;
        loop {
            let rows = services
                .db
                .events_after(after, 500)
                .await
                .map_err(internal)?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                break;
            };
            after = last;
            for event in rows.into_iter().filter_map(from_row) {
                self.offer(Arc::new(event));
            }
        }
        self.position = self.position.max(after);
        Ok(())
    }

    /// Queues `event` if this subscriber may see it.
    fn offer(&mut self, event: Arc<Event>) {
        if self.sees(&event) {
            let event = narrowed(&self.actor, event);
            self.pending.push_back(Delivery::Event(event));
        }
    }

    fn sees(&self, event: &Event) -> bool {
        let topic_wanted = self
            .topics
            .as_ref()
            .is_none_or(|t| t.contains(&event.kind.topic()));
        topic_wanted
            && authz::decide(&self.actor, event.kind.view_action(), &event.resource).is_allowed()
    }

    /// The next delivery; `Ok(None)` once the caller may no longer
    /// subscribe (signed out, disabled, token revoked) or the bus closed.
    pub async fn next(&mut self, services: &Services) -> Result<Option<Delivery>, ErrorKind> {
        loop {
            if let Some(delivery) = self.pending.pop_front() {
                return Ok(Some(delivery));
            }
            tokio::select! {
                received = self.receiver.recv() => match received {
                    Ok(event) => {
                        if event.seq > self.position {
                            self.position = event.seq;
                            if self.sees(&event) {
                                return Ok(Some(Delivery::Event(narrowed(&self.actor, event))));
                            }
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        // Fell behind the bus: the table has the rest.
                        let from = self.position;
                        self.replay(services, from).await?;
                    }
                    Err(RecvError::Closed) => return Ok(None),
                },
                () = tokio::time::sleep_until(self.recheck_at) => {
                    self.recheck_at = Instant::now() + RECHECK;
                    match session::refresh(services, &self.actor).await? {
                        Some(fresh) if may_see_any(&fresh, self.topics.as_deref()) => {
                            self.actor = fresh;
                        }
                        _ => return Ok(None),
                    }
                }
            }
        }
    }
}

/// `event` as `actor` may see it: a machine's summary (appeared, changed)
/// offers only the actions the caller may do, as every list does
/// ([`crate::machines::narrow`]: one decision per action offered); the
/// event is copied only when that takes something away.
pub fn narrowed(actor: &Actor, event: Arc<Event>) -> Arc<Event> {
    if !matches!(
        event.kind,
        EventKind::MachineAppeared | EventKind::MachineChanged
    ) {
        return event;
    }
    let data = &event.data;
    let (Some(backend), Some(id)) = (data["backend"].as_str(), data["id"].as_str()) else {
        return event;
    };
    let target = resource::machine(backend, id);
    let taken: Vec<&str> = OFFERS
        .into_iter()
        .zip(ACTION_RIGHTS)
        .filter(|(name, action)| {
            data[*name].as_bool() == Some(true)
                && !authz::decide(actor, action, &target).is_allowed()
        })
        .map(|(name, _)| name)
        .collect();
    if taken.is_empty() {
        return event;
    }
    let mut copy = (*event).clone();
    for name in taken {
        copy.data[name] = serde_json::Value::Bool(false);
    }
    Arc::new(copy)
}

/// A machine summary's `can_*`, in the order of [`ACTION_RIGHTS`].
const OFFERS: [&str; 5] = [
    "can_reboot",
    "can_stop",
    "can_start",
    "can_destroy",
    "can_tag",
];

#[cfg(test)]
mod tests {
    use domain::rbac::{Effect, Policy};

    use super::*;
    use crate::session::Credential;

    fn actor(master: bool, actions: &[&str]) -> Actor {
        Actor {
            account_id: "a".into(),
            email: "a@example.com".into(),
            is_master: master,
            address: "127.0.0.1".into(),
            roles: Arc::new(vec![Policy::single(Effect::Allow, actions, &["*"])]),
            rights_generation: 0,
            token_scope: None,
            via: Credential::Session,
        }
    }

    fn changed(all: bool) -> Arc<Event> {
        Arc::new(Event {
            seq: 1,
            at: 0,
            kind: EventKind::MachineChanged,
            resource: resource::machine("b", "m"),
            data: serde_json::json!({
                "id": "m", "backend": "b", "can_reboot": all, "can_stop": true,
                "can_start": false, "can_destroy": all, "can_tag": all,
            }),
        })
    }

    fn flags(event: &Event) -> Vec<bool> {
        OFFERS.iter().map(|n| event.data[*n] == true).collect()
    }

    #[test]
    fn a_machine_event_offers_only_what_its_subscriber_may_do() {
        let event = changed(true);
        let master = narrowed(&actor(true, &[]), event.clone());
        assert!(
            Arc::ptr_eq(&master, &event),
            "nothing taken, nothing copied"
        );
        let read_only = narrowed(&actor(false, &["view:*"]), event.clone());
        assert_eq!(flags(&read_only), [false; 5]);
        let stopper = narrowed(&actor(false, &["view:*", "stop:machine"]), event.clone());
        assert_eq!(flags(&stopper), [false, true, false, false, false]);
        // What the state did not offer stays off, whatever the rights.
        let all = narrowed(&actor(false, &["*"]), changed(false));
        assert_eq!(flags(&all), [false, true, false, false, false]);
        assert_eq!(
            flags(&event),
            [true, true, false, true, true],
            "the bus's copy is untouched"
        );
    }
}
