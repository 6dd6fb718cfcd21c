//! The suite run against an in-memory driver, until a DigitalOcean peer
//! with state exists: it proves the suite itself (that it passes a correct
//! driver, honours capabilities through the guard it runs the driver
//! behind, and catches a wrong one). The fake, like every driver, leaves
//! capability checks to the guard.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cloud::conformance::{self, Abilities, Wait};
use cloud::{
    Action, Capabilities, CloudDriver, CreateMachine, DriverError, Image, Location, Machine,
    MachineState, Size,
};
use serde_json::json;

#[derive(Debug, Default)]
struct Fake {
    caps: Capabilities,
    machines: Mutex<Vec<Machine>>,
    /// A bug to catch: destroy answers OK and keeps the machine.
    destroy_is_a_no_op: bool,
}

fn entry(id: &str) -> (String, String, serde_json::Value) {
    (id.to_owned(), format!("{id} name"), json!({}))
}

#[async_trait]
impl CloudDriver for Fake {
    fn provider(&self) -> &'static str {
        "fake"
    }
    fn capabilities(&self) -> Capabilities {
        self.caps
    }
    async fn check_credentials(&self) -> Result<(), DriverError> {
        Ok(())
    }
    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
        Ok(self.machines.lock().unwrap().clone())
    }
    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
        let (id, name, extra) = entry("small");
        let (ram_mb, disk_gb, cpus) = (Some(512), Some(10), Some(1));
        let (transfer_gb, price_hourly, price_monthly) = (None, None, None);
        Ok(vec![Size {
            id,
            name,
            ram_mb,
            disk_gb,
            cpus,
            transfer_gb,
            price_hourly,
            price_monthly,
            extra,
        }])
    }
    async fn list_images(&self, search: Option<&str>) -> Result<Vec<Image>, DriverError> {
        let (id, name, extra) = entry("debian-12");
        let image = Image {
            id,
            name,
            os: Some("Debian".into()),
            public: true,
            extra,
        };
        Ok(vec![image]
            .into_iter()
            .filter(|i| search.is_none_or(|s| i.name.contains(s)))
            .collect())
    }
    async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
        let (id, name, extra) = entry("here");
        Ok(vec![Location {
            id,
            name,
            country: None,
            available: true,
            extra,
        }])
    }
    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine, DriverError> {
        let mut machines = self.machines.lock().unwrap();
        let machine = Machine {
            id: format!("m-{}", machines.len() + 1),
            name: request.name.clone(),
            state: MachineState::Running,
            public_ips: vec!["192.0.2.1".into()],
            private_ips: vec![],
            size: Some(request.size.clone()),
            image: Some(request.image.clone()),
            location: Some(request.location.clone()),
            tags: vec![],
            extra: json!({}),
        };
        machines.push(machine.clone());
        Ok(machine)
    }
    async fn machine_action(&self, id: &str, action: Action) -> Result<(), DriverError> {
        let mut machines = self.machines.lock().unwrap();
        let at = machines.iter().position(|m| m.id == id);
        let at = at.ok_or_else(|| DriverError::NotFound(id.to_owned()))?;
        match action {
            Action::Destroy if self.destroy_is_a_no_op => {}
            Action::Destroy => drop(machines.remove(at)),
            Action::Stop => machines[at].state = MachineState::Stopped,
            Action::Start | Action::Reboot => machines[at].state = MachineState::Running,
        }
        Ok(())
    }
    async fn set_tags(&self, id: &str, tags: &[String]) -> Result<(), DriverError> {
        let mut machines = self.machines.lock().unwrap();
        let m = machines.iter_mut().find(|m| m.id == id);
        m.ok_or_else(|| DriverError::NotFound(id.to_owned()))?.tags = tags.to_vec();
        Ok(())
    }
}

const ALL: Capabilities = Capabilities {
    key_pairs: false,
    user_data: false,
    ..Capabilities::ALL
};

const WAIT: Wait = Wait {
    timeout: Duration::from_millis(300),
    interval: Duration::from_millis(10),
};

fn request() -> CreateMachine {
    CreateMachine {
        name: "conformance".into(),
        size: "small".into(),
        image: "debian-12".into(),
        location: "here".into(),
        key: None,
        user_data: None,
    }
}

#[tokio::test]
async fn a_correct_driver_passes_the_whole_lifecycle() {
    let fake = Arc::new(Fake {
        caps: ALL,
        ..Fake::default()
    });
    let peer_can = Abilities::stateful(request(), "m-404", WAIT);
    conformance::run(fake.clone(), &peer_can).await;
    assert!(fake.machines.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_driver_without_power_actions_or_tags_passes_by_refusing_them() {
    let caps = Capabilities {
        start: false,
        stop: false,
        tag: false,
        ..ALL
    };
    let fake = Arc::new(Fake {
        caps,
        ..Fake::default()
    });
    let peer_can = Abilities::stateful(request(), "m-404", WAIT);
    conformance::run(fake.clone(), &peer_can).await;
    conformance::run(fake, &Abilities::stateless(request())).await;
}

#[tokio::test]
#[should_panic(expected = "not gone")]
async fn a_destroy_that_keeps_the_machine_fails_the_suite() {
    let fake = Fake {
        caps: ALL,
        destroy_is_a_no_op: true,
        ..Fake::default()
    };
    let peer_can = Abilities::stateful(request(), "m-404", WAIT);
    conformance::run(Arc::new(fake), &peer_can).await;
}
