//! Amazon EC2 (Query API 2016-11-15, SigV4), every region of the catalogue,
//! and EC2-compatible endpoints (Eucalyptus, moto) through `apiurl`.

mod client;
mod convert;
mod errors;
mod keys;
mod params;
pub mod regions;
pub mod sigv4;
mod tags;
mod xml;

use async_trait::async_trait;

use crate::error::DriverError;
use crate::http::HttpConfig;
use crate::rules::{dedupe_by_id, filter_images};
use crate::secret::Secret;
use crate::types::{Action, Capabilities, CreateMachine, Image, Location, Machine, Size};
use crate::CloudDriver;
use client::{list_param, Api, Params};
use params::instance_id;
use xml::items;

pub use client::VERSION;
pub use convert::map_state;
pub use keys::{key_digest, KEY_TAG};
pub use regions::{region_of, Region, REGIONS};

/// One region of an AWS account (or of an EC2-compatible cloud), reached
/// with an access key.
#[derive(Clone, Debug)]
pub struct Ec2 {
    api: Api,
    provider: &'static str,
}

impl Ec2 {
    /// A driver for the region's public endpoint with the default timeout
    /// and retries. `region` is a catalogue id (`ec2_us_east`) or an AWS
    /// region (`us-east-1`).
    pub fn new(access_key: String, secret: Secret, region: &str) -> Result<Self, DriverError> {
        Self::with_config(access_key, secret, region, &HttpConfig::default())
    }

    /// A driver with its own endpoint (`apiurl`), timeout or retries. The
    /// region names the signature's scope even when the endpoint is
    /// overridden (moto takes the region from it).
    pub fn with_config(
        access_key: String,
        secret: Secret,
        region: &str,
        config: &HttpConfig,
    ) -> Result<Self, DriverError> {
        let region = region.trim();
        let (provider, aws_region) = if let Some(r) = REGIONS.iter().find(|r| r.provider == region)
        {
            (r.provider, r.region)
        } else if regions::well_formed(region) {
            (
                regions::by_region(region).map_or("ec2", |r| r.provider),
                region,
            )
        } else {
            return Err(DriverError::InvalidRequest(format!(
                "{region:?} is neither an EC2 provider of the catalogue nor an AWS region"
            )));
        };
        if access_key.trim().is_empty() || secret.expose().is_empty() {
            return Err(DriverError::BadCredentials(
                "give the access key id and the secret access key".into(),
            ));
        }
        Ok(Ec2 {
            api: Api::new(access_key, secret, aws_region, config)?,
            provider,
        })
    }

    /// The AWS region requests are signed for.
    pub fn region(&self) -> &str {
        &self.api.region
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &str {
        self.api.endpoint().as_str()
    }
}

/// What this driver can do (also answered without a driver, by
/// [`crate::capabilities_of`]).
pub const CAPABILITIES: Capabilities = Capabilities::ALL;

#[async_trait]
impl CloudDriver for Ec2 {
    fn provider(&self) -> &'static str {
        self.provider
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn check_credentials(&self) -> Result<(), DriverError> {
        let body = self
            .api
            .call("DescribeAccountAttributes", &Params::new())
            .await?;
        xml::parse(&body).map(|_| ())
    }

    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
        let mut machines = Vec::new();
        let each = |root: roxmltree::Node<'_, '_>| {
            for r in items(root, "reservationSet") {
                machines.extend(items(r, "instancesSet").map(|i| convert::machine(i, Some(r))));
            }
            Ok(())
        };
        self.api
            .pages("DescribeInstances", &Params::new(), Some(1000), each)
            .await?;
        Ok(dedupe_by_id(machines))
    }

    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
        let mut sizes = Vec::new();
        let each = |root: roxmltree::Node<'_, '_>| {
            let aws = items(root, "instanceTypeSet");
            let eucalyptus = items(root, "instanceTypeDetails");
            sizes.extend(aws.chain(eucalyptus).filter_map(convert::size));
            Ok(())
        };
        self.api
            .pages("DescribeInstanceTypes", &Params::new(), Some(100), each)
            .await?;
        let mut sizes = dedupe_by_id(sizes);
        sizes.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(sizes)
    }

    async fn list_images(&self, search: Option<&str>) -> Result<Vec<Image>, DriverError> {
        let params = params::images(search);
        let mut images = Vec::new();
        let each = |root: roxmltree::Node<'_, '_>| {
            images.extend(items(root, "imagesSet").filter_map(convert::image));
            Ok(())
        };
        self.api
            .pages("DescribeImages", &params, Some(1000), each)
            .await?;
        Ok(dedupe_by_id(filter_images(images, search)))
    }

    async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
        let body = self
            .api
            .call("DescribeAvailabilityZones", &Params::new())
            .await?;
        let doc = xml::parse(&body)?;
        let zones = items(doc.root_element(), "availabilityZoneInfo")
            .filter_map(convert::location)
            .collect();
        Ok(dedupe_by_id(zones))
    }

    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine, DriverError> {
        let mut params = params::run_instances(request)?;
        if let Some(key) = &request.key {
            params.push(("KeyName".into(), keys::key_name(&self.api, key).await?));
        }
        let body = self.api.call("RunInstances", &params).await?;
        let doc = xml::parse(&body)?;
        let root = doc.root_element();
        let Some(instance) = items(root, "instancesSet").next() else {
            return Err(DriverError::Protocol(
                "RunInstances answered without an instance".into(),
            ));
        };
        let mut machine = convert::machine(instance, Some(root));
        if machine.name == machine.id {
            machine.name = request.name.clone();
        }
        Ok(machine)
    }

    async fn machine_action(&self, id: &str, action: Action) -> Result<(), DriverError> {
        let id = instance_id(id)?;
        let call = match action {
            Action::Reboot => "RebootInstances",
            Action::Start => "StartInstances",
            Action::Stop => "StopInstances",
            Action::Destroy => "TerminateInstances",
        };
        let mut params = Params::new();
        list_param(&mut params, "InstanceId", &[id]);
        self.api.call(call, &params).await?;
        Ok(())
    }

    async fn set_tags(&self, id: &str, tags: &[String]) -> Result<(), DriverError> {
        tags::set(&self.api, instance_id(id)?, tags).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drivers_name_their_catalogue_entry_and_never_print_the_secret() {
        let d = Ec2::new(
            "AKIAEXAMPLE".into(),
            Secret::new("wJalr-secret"),
            "ec2_eu_west",
        )
        .unwrap();
        assert_eq!((d.provider(), d.region()), ("ec2_eu_west", "eu-west-1"));
        assert_eq!(d.endpoint(), "https://ec2.eu-west-1.amazonaws.com/");
        assert!(!format!("{d:?}").contains("wJalr-secret"));
        let none = Ec2::new("AKIAEXAMPLE".into(), Secret::new(""), "us-east-1");
        assert!(matches!(none, Err(DriverError::BadCredentials(_))));
    }
}
