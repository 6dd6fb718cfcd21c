//! What the fleet table says in words: an action's progress and result,
//! a machine's age, a price, a column's heading, an error.

use domain::fleet::FleetSort;

use crate::error::AppError;

/// An action the table can take on one or many machines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bulk {
    /// `reboot`, `stop`, `start` or `destroy` (`machines/act`).
    Act(&'static str),
    /// Adds this tag to each machine's tags (`machines/tags`).
    Tag(String),
}

impl Bulk {
    /// "Stop", "Tag".
    pub fn title(&self) -> &'static str {
        match self {
            Bulk::Act("reboot") => "Reboot",
            Bulk::Act("stop") => "Stop",
            Bulk::Act("start") => "Start",
            Bulk::Act("destroy") => "Destroy",
            Bulk::Act(_) => "Act on",
            Bulk::Tag(_) => "Tag",
        }
    }

    /// "stopping".
    pub fn doing(&self) -> &'static str {
        match self {
            Bulk::Act("reboot") => "rebooting",
            Bulk::Act("stop") => "stopping",
            Bulk::Act("start") => "starting",
            Bulk::Act("destroy") => "destroying",
            Bulk::Act(_) => "acting on",
            Bulk::Tag(_) => "tagging",
        }
    }

    /// "stopped".
    pub fn done(&self) -> &'static str {
        match self {
            Bulk::Act("reboot") => "rebooted",
            Bulk::Act("stop") => "stopped",
            Bulk::Act("start") => "started",
            Bulk::Act("destroy") => "destroyed",
            Bulk::Act(_) => "done",
            Bulk::Tag(_) => "tagged",
        }
    }

    /// The question asked once before acting on `n` machines:
    /// "Stop 3 machines?", "Tag 1 machine with env=prod?".
    pub fn question(&self, n: usize) -> String {
        let what = machines(n);
        match self {
            Bulk::Tag(tag) => format!("Tag {what} with {tag}?"),
            _ => format!("{} {what}?", self.title()),
        }
    }
}

/// "1 machine", "3 machines".
pub fn machines(n: usize) -> String {
    if n == 1 {
        "1 machine".to_owned()
    } else {
        format!("{n} machines")
    }
}

/// How long ago `first_seen` was, shortly: "40 s", "5 min", "3 h", "3 d"
/// (empty when unknown).
pub fn age(first_seen: Option<i64>, now: i64) -> String {
    let Some(seen) = first_seen else {
        return String::new();
    };
    let s = (now - seen).max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3_600 => format!("{} min", s / 60),
        3_600..86_400 => format!("{} h", s / 3_600),
        _ => format!("{} d", s / 86_400),
    }
}

/// "$0.0116/h" (empty when the provider reports no price).
pub fn price(hourly: Option<f64>) -> String {
    match hourly {
        Some(p) if p >= 1.0 => format!("${p:.2}/h"),
        Some(p) => format!("${p:.4}/h"),
        None => String::new(),
    }
}

/// The heading of a column of [`domain::fleet::COLUMNS`].
pub fn heading(column: &str) -> &'static str {
    match column {
        "backend" => "Backend",
        "state" => "State",
        "size" => "Size",
        "image" => "Image",
        "location" => "Location",
        "address" => "Public address",
        "age" => "Age",
        "tags" => "Tags",
        "price" => "Price per hour",
        "stack" => "Stack",
        _ => "",
    }
}

/// The sort a column's heading links to, where it sorts.
pub fn sort_of(column: &str) -> Option<FleetSort> {
    match column {
        "name" => Some(FleetSort::Name),
        "backend" => Some(FleetSort::Backend),
        "state" => Some(FleetSort::State),
        "size" => Some(FleetSort::Size),
        "location" => Some(FleetSort::Location),
        "age" => Some(FleetSort::Age),
        _ => None,
    }
}

/// An error in plain words (its field named by its label).
pub fn error_words(e: &AppError) -> String {
    e.general().unwrap_or_else(|| e.plain(&[]))
}

/// Seconds since the Unix epoch, by this side's clock.
pub fn now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `Date.now()`: milliseconds since the Unix epoch.
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn js_now() -> f64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_as_words() {
        let stop = Bulk::Act("stop");
        assert_eq!(stop.question(3), "Stop 3 machines?");
        assert_eq!(stop.question(1), "Stop 1 machine?");
        assert_eq!((stop.doing(), stop.done()), ("stopping", "stopped"));
        let tag = Bulk::Tag("env=prod".into());
        assert_eq!(tag.question(2), "Tag 2 machines with env=prod?");
        assert_eq!(Bulk::Act("destroy").done(), "destroyed");
    }

    #[test]
    fn ages_and_prices_are_short() {
        let now = 1_000_000;
        assert_eq!(age(None, now), "");
        assert_eq!(age(Some(now - 5), now), "5 s");
        assert_eq!(age(Some(now - 300), now), "5 min");
        assert_eq!(age(Some(now - 7_200), now), "2 h");
        assert_eq!(age(Some(now - 3 * 86_400 - 5), now), "3 d");
        assert_eq!(age(Some(now + 50), now), "0 s");
        assert_eq!(price(Some(0.0116)), "$0.0116/h");
        assert_eq!(price(Some(2.5)), "$2.50/h");
        assert_eq!(price(None), "");
    }
}
