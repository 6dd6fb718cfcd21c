//! Pages that follow what happens: one EventSource on `/events` (the
//! server's Server-Sent Events), opened once hydrated, closed with the
//! page. On the server, and without JavaScript, nothing is followed: the
//! page is as fresh as its last load.

use domain::events::EventKind;
use serde::{de::DeserializeOwned, Deserialize};

/// An event as a page hears it: its kind and resource, and its text, from
/// which the page reads the data as the type the kind defines
/// ([`Heard::data`]). Reading the data as a `serde_json::Value` first would
/// bring `Value`'s reader into every page that follows events.
#[derive(Debug, Clone)]
pub struct Heard {
    /// What happened.
    pub kind: EventKind,
    /// What it concerns (a resource path).
    pub resource: String,
    text: String,
}

/// The parts of an event's text a page always reads.
#[derive(Deserialize)]
struct Head {
    kind: EventKind,
    resource: String,
}

/// The data of an event's text, read as a `T`.
#[derive(Deserialize)]
struct DataOf<T> {
    data: T,
}

impl Heard {
    /// Reads an event's text (a `domain::events::Event` as JSON).
    pub fn read(text: String) -> Option<Self> {
        let head: Head = crate::loaded::from_text(&text).ok()?;
        Some(Self {
            kind: head.kind,
            resource: head.resource,
            text,
        })
    }

    /// The event's data as a `T`, if it reads as one.
    pub fn data<T: DeserializeOwned>(&self) -> Option<T> {
        crate::loaded::from_text::<DataOf<T>>(&self.text)
            .ok()
            .map(|d| d.data)
    }
}

/// What a page does with what it hears.
pub struct Listener {
    /// An event it may see.
    pub on_event: Box<dyn Fn(Heard)>,
    /// What it missed is gone: read everything again.
    pub on_reload: Box<dyn Fn()>,
}

/// The address to open for `topics` after `since`.
pub fn events_url(topics: &[&str], since: Option<i64>) -> String {
    let mut url = format!("/events?topics={}", topics.join(","));
    if let Some(since) = since {
        url.push_str(&format!("&since={since}"));
    }
    url
}

/// Follows the events of `topics` from just after `since` (the position
/// the page's data was read at), until the current reactive owner is
/// cleaned up. The browser reconnects by itself after a network failure,
/// sending the last id it saw, so nothing is missed in between.
#[cfg(feature = "hydrate")]
pub fn follow(topics: &'static [&'static str], since: Option<i64>, listener: Listener) {
    use domain::events::RELOAD;
    use futures::StreamExt;
    use gloo_net::eventsource::futures::EventSource;
    use leptos::prelude::on_cleanup;

    let Ok(mut source) = EventSource::new(&events_url(topics, since)) else {
        return;
    };
    let kinds = domain::events::EventKind::ALL
        .iter()
        .filter(|k| topics.contains(&k.topic()))
        .map(|k| k.as_str())
        .chain([RELOAD]);
    let streams: Vec<_> = kinds.filter_map(|k| source.subscribe(k).ok()).collect();
    let (stop, stopped) = futures::channel::oneshot::channel::<()>();
    leptos::task::spawn_local(async move {
        let mut all = futures::stream::select_all(streams).take_until(stopped);
        while let Some(Ok((kind, message))) = all.next().await {
            if kind == RELOAD {
                (listener.on_reload)();
                continue;
            }
            let Some(data) = message.data().as_string() else {
                continue;
            };
            if let Some(event) = Heard::read(data) {
                (listener.on_event)(event);
            }
        }
        drop(source);
    });
    let stop = std::sync::Mutex::new(Some(stop));
    on_cleanup(move || {
        if let Some(stop) = stop.lock().ok().and_then(|mut s| s.take()) {
            let _ = stop.send(());
        }
    });
}

/// On the server there is nothing to follow.
#[cfg(not(feature = "hydrate"))]
pub fn follow(_topics: &'static [&'static str], _since: Option<i64>, _listener: Listener) {}

/// Called in a page's body: once hydrated, reads the events' position,
/// lets the page read its data again (`catch_up`: what it rendered on the
/// server may be older), then follows `topics` from that position for as
/// long as the page is shown. Nothing happens on the server.
pub fn follow_after_catching_up(
    topics: &'static [&'static str],
    catch_up: impl Fn() + 'static,
    listener: Listener,
) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::prelude::Owner;
        let owner = Owner::current();
        leptos::task::spawn_local(async move {
            let Ok(since) = crate::api::events::events_position().await else {
                return;
            };
            catch_up();
            if let Some(owner) = owner {
                owner.with(|| follow(topics, Some(since), listener));
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (topics, catch_up, listener);
}

#[cfg(test)]
mod tests {
    use domain::events::{Event, EventKind};
    use serde::Deserialize;

    use super::Heard;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Titled {
        id: String,
        title: String,
    }

    #[test]
    fn an_event_is_heard_with_its_kind_resource_and_data() {
        let event = Event {
            seq: 7,
            at: 1,
            kind: EventKind::BackendChanged,
            resource: "backends/b1".into(),
            data: serde_json::json!({"id": "b1", "title": "Büro \"east\"", "extra": [1, {"x": null}]}),
        };
        let heard = Heard::read(serde_json::to_string(&event).unwrap()).unwrap();
        assert_eq!(heard.kind, EventKind::BackendChanged);
        assert_eq!(heard.resource, "backends/b1");
        assert_eq!(
            heard.data::<Titled>(),
            Some(Titled {
                id: "b1".into(),
                title: "Büro \"east\"".into()
            })
        );
        // Data of another shape does not read as it.
        assert_eq!(heard.data::<Vec<u32>>(), None);
        // Not an event at all.
        assert!(Heard::read("{\"kind\": \"nope\"}".into()).is_none());
        assert!(Heard::read("[".into()).is_none());
    }
}
