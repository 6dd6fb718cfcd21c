//! The capability guard: one wrapper around every driver (as object_store
//! wraps its stores) that refuses what the driver's [`Capabilities`] leave
//! out before the driver sees it, so no driver repeats those checks.
//!
//! Refused, as `DriverError::Unsupported` and without a request:
//! - `machine_action` whose action is off (`"stop"`),
//! - `create_machine` when `create` is off (`"create"`), or with user data
//!   when `user_data` is off (`"user data"`: a script the machine would
//!   never run is refused rather than lost),
//! - `set_tags` when `tag` is off (`"tags"`).
//!
//! A key in a create without `key_pairs` is let through (the driver says
//! what it does with it), and a search without `image_search` filters the
//! default list (the drivers apply [`crate::rules::filter_images`]).

use std::sync::Arc;

use async_trait::async_trait;

use crate::types::{Action, Capabilities, CreateMachine, Image, Location, Machine, Size};
use crate::{CloudDriver, DriverError};

/// `inner` behind the capability guard. The service wraps every driver it
/// builds with [`guarded`]; tests and the conformance suite do the same.
#[derive(Debug)]
pub struct Guarded {
    inner: Arc<dyn CloudDriver>,
    /// What the guard lets through, when narrower than the driver's own.
    only: Option<Capabilities>,
}

impl Guarded {
    /// `inner` guarded by its own capabilities.
    pub fn new(inner: Arc<dyn CloudDriver>) -> Self {
        Guarded { inner, only: None }
    }

    /// `inner` guarded by what both its capabilities and `only` allow: a
    /// deployment known to lack some of what the driver can do (an
    /// OpenStack cloud without `os-start`/`os-stop`).
    pub fn narrowed(inner: Arc<dyn CloudDriver>, only: Capabilities) -> Self {
        Guarded {
            inner,
            only: Some(only),
        }
    }

    /// The driver behind the guard.
    pub fn inner(&self) -> &Arc<dyn CloudDriver> {
        &self.inner
    }

    fn unsupported(&self, what: &str) -> DriverError {
        DriverError::Unsupported {
            provider: self.inner.provider(),
            what: what.to_owned(),
        }
    }
}

/// `driver` behind the capability guard ([`Guarded`]). The service wraps
/// every driver it builds with it (`service::drivers::build`), so a driver
/// may leave capability checks out: an action, create, user data or tag
/// call its capabilities refuse never reaches it.
pub fn guarded(driver: Arc<dyn CloudDriver>) -> Arc<dyn CloudDriver> {
    Arc::new(Guarded::new(driver))
}

/// What both allow.
fn both(a: Capabilities, b: Capabilities) -> Capabilities {
    Capabilities {
        reboot: a.reboot && b.reboot,
        start: a.start && b.start,
        stop: a.stop && b.stop,
        destroy: a.destroy && b.destroy,
        create: a.create && b.create,
        tag: a.tag && b.tag,
        key_pairs: a.key_pairs && b.key_pairs,
        user_data: a.user_data && b.user_data,
        image_search: a.image_search && b.image_search,
    }
}

#[async_trait]
impl CloudDriver for Guarded {
    fn provider(&self) -> &'static str {
        self.inner.provider()
    }

    fn capabilities(&self) -> Capabilities {
        let own = self.inner.capabilities();
        self.only.map_or(own, |only| both(own, only))
    }

    async fn check_credentials(&self) -> Result<(), DriverError> {
        self.inner.check_credentials().await
    }

    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
        self.inner.list_machines().await
    }

    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
        self.inner.list_sizes().await
    }

    async fn list_images(&self, search: Option<&str>) -> Result<Vec<Image>, DriverError> {
        self.inner.list_images(search).await
    }

    async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
        self.inner.list_locations().await
    }

    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine, DriverError> {
        let caps = self.capabilities();
        if !caps.create {
            return Err(self.unsupported("create"));
        }
        if request.user_data.is_some() && !caps.user_data {
            return Err(self.unsupported("user data"));
        }
        self.inner.create_machine(request).await
    }

    async fn machine_action(&self, id: &str, action: Action) -> Result<(), DriverError> {
        if !self.capabilities().supports(action) {
            return Err(DriverError::unsupported_action(self.provider(), action));
        }
        self.inner.machine_action(id, action).await
    }

    async fn set_tags(&self, id: &str, tags: &[String]) -> Result<(), DriverError> {
        if !self.capabilities().tag {
            return Err(self.unsupported("tags"));
        }
        self.inner.set_tags(id, tags).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts the calls that reach it; can do nothing but reboot and list.
    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);

    impl Counting {
        fn hit<T: Default>(&self) -> Result<T, DriverError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(T::default())
        }
    }

    #[async_trait]
    impl CloudDriver for Counting {
        fn provider(&self) -> &'static str {
            "counting"
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities {
                reboot: true,
                ..Capabilities::default()
            }
        }
        async fn check_credentials(&self) -> Result<(), DriverError> {
            self.hit()
        }
        async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
            self.hit()
        }
        async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
            self.hit()
        }
        async fn list_images(&self, _: Option<&str>) -> Result<Vec<Image>, DriverError> {
            self.hit()
        }
        async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
            self.hit()
        }
        async fn create_machine(&self, _: &CreateMachine) -> Result<Machine, DriverError> {
            Err(DriverError::Protocol("reached the driver".into()))
        }
        async fn machine_action(&self, _: &str, _: Action) -> Result<(), DriverError> {
            self.hit()
        }
        async fn set_tags(&self, _: &str, _: &[String]) -> Result<(), DriverError> {
            self.hit()
        }
    }

    /// `provider: what` of an `Unsupported`, else the result as debugged.
    fn what<T: std::fmt::Debug>(result: Result<T, DriverError>) -> String {
        match result {
            Err(DriverError::Unsupported { provider, what }) => format!("{provider}: {what}"),
            other => format!("{other:?}"),
        }
    }

    fn request() -> CreateMachine {
        CreateMachine {
            name: "web".into(),
            size: "s".into(),
            image: "i".into(),
            location: "l".into(),
            key: None,
            user_data: Some("#!/bin/sh\n".into()),
        }
    }

    #[tokio::test]
    async fn what_the_capabilities_leave_out_never_reaches_the_driver() {
        let inner = Arc::new(Counting::default());
        let d = guarded(inner.clone());
        assert_eq!(
            what(d.machine_action("1", Action::Stop).await),
            "counting: stop"
        );
        assert_eq!(what(d.set_tags("1", &[]).await), "counting: tags");
        assert_eq!(what(d.create_machine(&request()).await), "counting: create");
        assert_eq!(inner.0.load(Ordering::SeqCst), 0);
        d.machine_action("1", Action::Reboot).await.unwrap();
        d.list_machines().await.unwrap();
        assert_eq!(inner.0.load(Ordering::SeqCst), 2);
        assert!(format!("{d:?}").contains("Counting"));
    }

    #[tokio::test]
    async fn a_narrowed_guard_refuses_what_either_side_leaves_out() {
        let inner: Arc<dyn CloudDriver> = Arc::new(Counting::default());
        let narrow = Capabilities {
            create: true,
            ..Capabilities::default()
        };
        let d = Guarded::narrowed(inner, narrow);
        assert_eq!(d.capabilities(), Capabilities::default());
        let err = d.machine_action("1", Action::Reboot).await.unwrap_err();
        assert_eq!(
            err,
            DriverError::unsupported_action("counting", Action::Reboot)
        );
    }
}
