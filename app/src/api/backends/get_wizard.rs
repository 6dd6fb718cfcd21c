use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::GetUrl;

use super::Choice;
use crate::error::AppError;

/// A size as the create wizard shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeChoice {
    /// What the provider calls it.
    pub id: String,
    /// A name for people.
    pub name: String,
    /// Virtual CPUs, when the provider says.
    pub cpus: Option<u32>,
    /// Memory in MiB.
    pub ram_mb: Option<u64>,
    /// Disk in GB.
    pub disk_gb: Option<u64>,
    /// Price per hour (USD for most providers).
    pub price_hourly: Option<f64>,
}

impl SizeChoice {
    /// One line: `t2.micro · 1 vCPU · 1 GiB RAM · 8 GB disk · $0.0116/h`.
    pub fn label(&self) -> String {
        let mut parts = vec![if self.name.is_empty() || self.name == self.id {
            self.id.clone()
        } else {
            format!("{} ({})", self.name, self.id)
        }];
        if let Some(c) = self.cpus {
            parts.push(format!("{c} vCPU"));
        }
        if let Some(mb) = self.ram_mb {
            parts.push(format!("{} RAM", memory(mb)));
        }
        if let Some(gb) = self.disk_gb.filter(|gb| *gb > 0) {
            parts.push(format!("{gb} GB disk"));
        }
        if let Some(p) = self.price_hourly {
            parts.push(price(p));
        }
        parts.join(" · ")
    }
}

/// Memory in MiB for people: `512 MiB`, `1 GiB`, `1.5 GiB`.
pub fn memory(mb: u64) -> String {
    if mb < 1024 {
        format!("{mb} MiB")
    } else if mb.is_multiple_of(1024) {
        format!("{} GiB", mb / 1024)
    } else {
        format!("{:.1} GiB", mb as f64 / 1024.0)
    }
}

/// A price per hour: `$0.0116/h`.
pub fn price(hourly: f64) -> String {
    let text = format!("{hourly:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("${text}/h")
}

/// An image as the create wizard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageChoice {
    /// What the provider calls it.
    pub id: String,
    /// A name for people.
    pub name: String,
    /// Starred on this backend (listed first).
    pub star: bool,
}

impl ImageChoice {
    /// `★ name (id)`.
    pub fn label(&self) -> String {
        let base = if self.name.is_empty() || self.name == self.id {
            self.id.clone()
        } else {
            format!("{} ({})", self.name, self.id)
        };
        if self.star {
            format!("★ {base}")
        } else {
            base
        }
    }
}

/// Everything the create wizard offers on one backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wizard {
    /// The backend's title.
    pub title: String,
    /// Whether the caller may create machines here; when not, the lists
    /// are empty (the provider was not asked).
    pub may_create: bool,
    /// Sizes, smallest first.
    pub sizes: Vec<SizeChoice>,
    /// Images (those matching the search, if any), starred ones first.
    pub images: Vec<ImageChoice>,
    /// Locations.
    pub locations: Vec<Choice>,
    /// The smallest general-purpose size.
    pub default_size: Option<String>,
    /// The backend's default image, else the newest Ubuntu or Debian.
    pub default_image: Option<String>,
    /// The first available location.
    pub default_location: Option<String>,
}

/// Most images the wizard carries to the page (a search narrows them).
pub const MAX_IMAGES: usize = 500;

/// What machines of a backend can be created with, with the wizard's
/// first choices (needs `view:backend`; asks the provider only when the
/// caller may `create:machine` there).
#[server(endpoint = "backends/wizard", input = GetUrl)]
pub async fn get_wizard(
    #[server(default)] backend: String,
    #[server(default)] search: String,
) -> Result<Wizard, AppError> {
    use super::wizard_defaults::{default_image, default_location, default_size};
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let services = ssr::services()?;
    let summary = service::backends::get(&services, &actor, &backend).await?;
    let mut wizard = Wizard {
        title: summary.title,
        may_create: service::backends::may::may_create_machine(&actor, &backend),
        sizes: Vec::new(),
        images: Vec::new(),
        locations: Vec::new(),
        default_size: None,
        default_image: None,
        default_location: None,
    };
    if !wizard.may_create {
        return Ok(wizard);
    }
    let search = Some(search.as_str()).filter(|s| !s.trim().is_empty());
    let (sizes, images, locations) =
        service::machine_actions::catalogue(&services, &actor, &backend, search).await?;
    let plain: Vec<_> = images.iter().map(|i| i.image.clone()).collect();
    wizard.default_size = default_size(&sizes).map(|s| s.id.clone());
    wizard.default_image =
        default_image(&plain, summary.default_image.as_deref()).map(|i| i.id.clone());
    wizard.default_location = default_location(&locations).map(|l| l.id.clone());
    // Smallest first: fewest vCPUs, then least memory, then the lowest
    // price (what does not say comes last).
    let mut sizes = sizes;
    sizes.sort_by(|a, b| {
        let key =
            |s: &domain::compute::Size| (s.cpus.unwrap_or(u32::MAX), s.ram_mb.unwrap_or(u64::MAX));
        key(a).cmp(&key(b)).then_with(|| {
            let price = |s: &domain::compute::Size| s.price_hourly.unwrap_or(f64::MAX);
            price(a).total_cmp(&price(b))
        })
    });
    wizard.sizes = sizes
        .into_iter()
        .map(|s| SizeChoice {
            id: s.id,
            name: s.name,
            cpus: s.cpus,
            ram_mb: s.ram_mb,
            disk_gb: s.disk_gb,
            price_hourly: s.price_hourly,
        })
        .collect();
    let keep = wizard.default_image.clone();
    wizard.images = images
        .into_iter()
        .enumerate()
        .filter(|(n, i)| *n < MAX_IMAGES || keep.as_ref() == Some(&i.image.id))
        .map(|(_, i)| ImageChoice {
            id: i.image.id,
            name: i.image.name,
            star: i.star,
        })
        .collect();
    wizard.locations = locations
        .into_iter()
        .map(|l| Choice {
            label: if l.name.is_empty() || l.name == l.id {
                l.id.clone()
            } else {
                format!("{} ({})", l.name, l.id)
            },
            id: l.id,
        })
        .collect();
    Ok(wizard)
}
