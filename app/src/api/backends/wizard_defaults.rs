//! The create wizard's first choices: the smallest general-purpose size,
//! the newest Ubuntu (else Debian) image, the first available location —
//! never merely the provider's first entry.

use domain::compute::{Image, Location, Size};

/// Words that mark a size as made for something special (GPUs, memory,
/// storage, dedicated hardware), not a first choice.
const SPECIAL: &[&str] = &[
    "gpu",
    "metal",
    "highmem",
    "high-mem",
    "memory",
    "storage",
    "dedicated",
    "hpc",
    "optimized",
    "premium",
];

/// EC2-style family letters (`c5.large`: `c`) that are not general purpose:
/// compute, memory, accelerated and storage families.
const SPECIAL_FAMILIES: &[&str] = &[
    "c", "r", "x", "z", "p", "g", "i", "d", "f", "h", "u", "inf", "vt", "trn", "dl", "hpc", "mac",
    "im", "is", "cc", "cg", "cr", "hi", "hs",
];

/// Whether a size looks made for a special purpose.
pub fn is_special(size: &Size) -> bool {
    let text = format!("{} {}", size.id, size.name).to_ascii_lowercase();
    if SPECIAL.iter().any(|w| text.contains(w)) {
        return true;
    }
    // `c5.large`, `r6gd.xlarge`, `inf1.xlarge`: the letters before the
    // generation's digit name the family.
    match size.id.split_once('.') {
        Some((family, _)) if family.chars().any(|c| c.is_ascii_digit()) => {
            let letters: String = family
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            SPECIAL_FAMILIES.contains(&letters.to_ascii_lowercase().as_str())
        }
        _ => false,
    }
}

/// The smallest general-purpose size: fewest vCPUs, then least memory,
/// then the lowest price; sizes that do not say come last. Special sizes
/// are skipped unless there is nothing else.
pub fn default_size(sizes: &[Size]) -> Option<&Size> {
    let general: Vec<&Size> = sizes.iter().filter(|s| !is_special(s)).collect();
    let pool: Vec<&Size> = if general.is_empty() {
        sizes.iter().collect()
    } else {
        general
    };
    pool.into_iter().min_by(|a, b| {
        let key = |s: &Size| (s.cpus.unwrap_or(u32::MAX), s.ram_mb.unwrap_or(u64::MAX));
        key(a).cmp(&key(b)).then_with(|| {
            let price = |s: &Size| s.price_hourly.unwrap_or(f64::MAX);
            price(a).total_cmp(&price(b))
        })
    })
}

/// The numbers in `text` after `word` (`"ubuntu-jammy-22.04-amd64-20240101"`
/// after `"ubuntu"`: `[[22, 4], [20240101]]`), to compare versions by.
fn numbers_after(text: &str, word: &str) -> Option<Vec<Vec<u64>>> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find(word)?;
    let rest = &lower[at + word.len()..];
    let tokens = rest
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|t| t.trim_matches('.'))
        .filter(|t| !t.is_empty())
        .map(|t| t.split('.').filter_map(|n| n.parse().ok()).collect())
        .collect();
    Some(tokens)
}

/// The newest image of `distro` by the version in its name (its id when
/// it has none); equal versions go to the later build date.
fn newest_of<'a>(images: &'a [Image], distro: &str) -> Option<&'a Image> {
    images
        .iter()
        .filter_map(|i| {
            let text = if i.name.is_empty() { &i.id } else { &i.name };
            numbers_after(text, distro)
                .or_else(|| numbers_after(&i.id, distro))
                .map(|v| (v, i))
        })
        .fold(None::<(Vec<Vec<u64>>, &Image)>, |best, (v, i)| match best {
            Some((bv, bi)) if bv >= v => Some((bv, bi)),
            _ => Some((v, i)),
        })
        .map(|(_, i)| i)
}

/// The image a new machine starts from: the backend's own default image
/// when it offers it, else the newest Ubuntu, else the newest Debian,
/// else the first (starred ones come first).
pub fn default_image<'a>(images: &'a [Image], backend_default: Option<&str>) -> Option<&'a Image> {
    backend_default
        .and_then(|d| images.iter().find(|i| i.id == d))
        .or_else(|| newest_of(images, "ubuntu"))
        .or_else(|| newest_of(images, "debian"))
        .or_else(|| images.first())
}

/// The first location machines can be created in now, else the first.
pub fn default_location(locations: &[Location]) -> Option<&Location> {
    locations
        .iter()
        .find(|l| l.available)
        .or_else(|| locations.first())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(id: &str, cpus: u32, ram: u64) -> Size {
        Size {
            id: id.into(),
            name: id.into(),
            ram_mb: Some(ram),
            disk_gb: None,
            cpus: Some(cpus),
            transfer_gb: None,
            price_hourly: None,
            price_monthly: None,
            extra: serde_json::json!({}),
        }
    }

    fn image(id: &str, name: &str) -> Image {
        Image {
            id: id.into(),
            name: name.into(),
            os: None,
            public: true,
            extra: serde_json::json!({}),
        }
    }

    #[test]
    fn the_smallest_general_purpose_size_wins() {
        let sizes = [
            size("m5.large", 2, 8192),
            size("c5.large", 2, 4096),
            size("t3.nano", 2, 512),
            size("t2.nano", 1, 512),
            size("g4dn.xlarge", 1, 256),
            size("x1.16xlarge", 1, 128),
        ];
        assert_eq!(default_size(&sizes).map(|s| s.id.as_str()), Some("t2.nano"));
        assert!(is_special(&size("r6gd.large", 2, 16384)));
        assert!(!is_special(&size("1cpu-512mb", 1, 512)));
        assert!(is_special(&size("gpu-h100x1", 8, 65536)));
        // Only special sizes: the smallest of them.
        let only = [size("c5.xlarge", 4, 8192), size("c5.large", 2, 4096)];
        assert_eq!(default_size(&only).map(|s| s.id.as_str()), Some("c5.large"));
        assert!(default_size(&[]).is_none());
    }

    #[test]
    fn the_newest_ubuntu_then_debian_image_wins() {
        let images = [
            image("ami-1", "amzn2-ami-hvm-2.0"),
            image(
                "ami-2",
                "ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-20230112",
            ),
            image(
                "ami-3",
                "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20230101",
            ),
            image(
                "ami-4",
                "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101",
            ),
            image("ami-5", "debian-12-amd64-20240101"),
        ];
        assert_eq!(
            default_image(&images, None).map(|i| i.id.as_str()),
            Some("ami-4")
        );
        assert_eq!(
            default_image(&images, Some("ami-1")).map(|i| i.id.as_str()),
            Some("ami-1")
        );
        let debian = [
            image("d11", "Debian 11"),
            image("d12", "Debian 12 bookworm"),
        ];
        assert_eq!(
            default_image(&debian, None).map(|i| i.id.as_str()),
            Some("d12")
        );
        let other = [image("a", "CentOS 7"), image("b", "Fedora 40")];
        assert_eq!(
            default_image(&other, Some("gone")).map(|i| i.id.as_str()),
            Some("a")
        );
    }

    #[test]
    fn the_first_available_location_wins() {
        let at = |id: &str, available| Location {
            id: id.into(),
            name: id.into(),
            country: None,
            available,
            extra: serde_json::json!({}),
        };
        let places = [at("a", false), at("b", true), at("c", true)];
        assert_eq!(default_location(&places).map(|l| l.id.as_str()), Some("b"));
        assert_eq!(
            default_location(&places[..1]).map(|l| l.id.as_str()),
            Some("a")
        );
    }
}
