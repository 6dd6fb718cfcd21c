//! The fleet table: which machines a page of the Machines list shows
//! (search, filters, sort and page, all carried in the address), and what
//! one page of it carries. The same query serves the page, its server
//! function and the REST list (`?page=&per_page=`), so a bookmarked address,
//! a hydrated page and a script all see the same rows.

use serde::{Deserialize, Serialize};

use crate::{compute::MachineState, inventory::MachineSummary};

/// Rows per page when the address does not say.
pub const DEFAULT_PER_PAGE: u32 = 50;
/// The most rows one page may hold.
pub const MAX_PER_PAGE: u32 = 500;

/// What a fleet column is sorted by.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FleetSort {
    /// By name (then backend), the default.
    #[default]
    Name,
    /// By backend title, then name.
    Backend,
    /// By state, then name.
    State,
    /// By size id, then name.
    Size,
    /// By location id, then name.
    Location,
    /// Newest first when descending: by when Overcast first saw it.
    Age,
}

impl FleetSort {
    /// Every sort, in the order the page offers them.
    pub const ALL: &'static [FleetSort] = &[
        FleetSort::Name,
        FleetSort::Backend,
        FleetSort::State,
        FleetSort::Size,
        FleetSort::Location,
        FleetSort::Age,
    ];

    /// Its name in the address.
    pub fn as_str(self) -> &'static str {
        match self {
            FleetSort::Name => "name",
            FleetSort::Backend => "backend",
            FleetSort::State => "state",
            FleetSort::Size => "size",
            FleetSort::Location => "location",
            FleetSort::Age => "age",
        }
    }

    /// The sort named `text` (unknown names fall back to by name).
    pub fn parse(text: &str) -> FleetSort {
        FleetSort::ALL
            .iter()
            .copied()
            .find(|s| s.as_str() == text)
            .unwrap_or_default()
    }
}

/// One page of the fleet, as the address asks for it:
/// `?q=&backend=&state=&tag=&stack=&sort=&desc=1&page=&per_page=`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetQuery {
    /// Searched in name, id and addresses (case-insensitive).
    pub q: String,
    /// One backend's id, or empty for all.
    pub backend: String,
    /// One state (`running`), or `None` for all.
    pub state: Option<MachineState>,
    /// One tag (`env=prod`, case-insensitive), or empty.
    pub tag: String,
    /// One stack's id, or empty.
    pub stack: String,
    /// The column sorted by.
    pub sort: FleetSort,
    /// Descending.
    pub desc: bool,
    /// 1-based page number.
    pub page: u32,
    /// Rows per page (1..=[`MAX_PER_PAGE`]).
    pub per_page: u32,
}

impl Default for FleetQuery {
    fn default() -> Self {
        FleetQuery {
            q: String::new(),
            backend: String::new(),
            state: None,
            tag: String::new(),
            stack: String::new(),
            sort: FleetSort::Name,
            desc: false,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl FleetQuery {
    /// Reads the address's parameters; what is missing or unreadable takes
    /// its default, and numbers are clamped (`page` at least 1, `per_page`
    /// 1..=[`MAX_PER_PAGE`]), so any address shows a page.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> FleetQuery {
        let mut q = FleetQuery::default();
        for (name, value) in pairs {
            let value = value.trim();
            match name {
                "q" => q.q = value.to_owned(),
                "backend" => q.backend = value.to_owned(),
                "state" => q.state = MachineState::parse(value),
                "tag" => q.tag = value.to_owned(),
                "stack" => q.stack = value.to_owned(),
                "sort" => q.sort = FleetSort::parse(value),
                "desc" => q.desc = matches!(value, "1" | "true" | "yes"),
                "page" => q.page = value.parse().unwrap_or(1),
                "per_page" => q.per_page = value.parse().unwrap_or(DEFAULT_PER_PAGE),
                _ => {}
            }
        }
        q.page = q.page.max(1);
        q.per_page = q.per_page.clamp(1, MAX_PER_PAGE);
        q
    }

    /// The address's query string (without `?`), naming only what differs
    /// from the defaults, in a fixed order.
    pub fn to_query_string(&self) -> String {
        let d = FleetQuery::default();
        let mut parts: Vec<(&str, String)> = Vec::new();
        for (name, value) in [
            ("q", &self.q),
            ("backend", &self.backend),
            ("tag", &self.tag),
            ("stack", &self.stack),
        ] {
            if !value.is_empty() {
                parts.push((name, value.clone()));
            }
        }
        if let Some(state) = self.state {
            parts.push(("state", state.as_str().to_owned()));
        }
        if self.sort != d.sort {
            parts.push(("sort", self.sort.as_str().to_owned()));
        }
        if self.desc {
            parts.push(("desc", "1".to_owned()));
        }
        if self.page != d.page {
            parts.push(("page", self.page.to_string()));
        }
        if self.per_page != d.per_page {
            parts.push(("per_page", self.per_page.to_string()));
        }
        parts
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The same query on another page.
    pub fn on_page(&self, page: u32) -> FleetQuery {
        FleetQuery {
            page: page.max(1),
            ..self.clone()
        }
    }

    /// Index of the first row of this page in the matched list.
    pub fn offset(&self) -> usize {
        (self.page.max(1) as usize - 1) * self.per_page as usize
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One row of the fleet table: the machine (its `can_*` already narrowed
/// by the caller's rights) and the columns beyond the mist.io summary.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetRow {
    /// The machine as every list shows it.
    pub machine: MachineSummary,
    /// Its size's id, when the provider says.
    pub size: Option<String>,
    /// Its image's id, when the provider says.
    pub image: Option<String>,
    /// Its location's id (region, zone), when the provider says.
    pub location: Option<String>,
    /// When Overcast first saw it (Unix seconds).
    pub first_seen: Option<i64>,
    /// The provider's price per hour for its size, where it reports one.
    pub price_hourly: Option<f64>,
    /// The stack that made it.
    pub stack: Option<Choice>,
}

/// How many machines are in one state.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCount {
    /// The state.
    pub state: MachineState,
    /// Machines in it.
    pub count: u64,
}

/// One page of the fleet and what the filters can offer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetPage {
    /// The query answered (clamped: a page past the end is the last page).
    pub query: FleetQuery,
    /// This page's rows.
    pub rows: Vec<FleetRow>,
    /// Machines matching the query (all pages).
    pub matched: u64,
    /// Machines the caller may see at all.
    pub total: u64,
    /// Per state, the machines matching every filter but the state: the
    /// counters above the table, each a link to its state.
    pub counts: Vec<StateCount>,
    /// Backends with machines the caller may see, by title.
    pub backends: Vec<Choice>,
    /// Stacks with machines the caller may see, by nickname.
    pub stacks: Vec<Choice>,
    /// Backends the caller may create machines on (enabled, their provider
    /// creates machines, `create:machine` allowed), by title.
    #[serde(default)]
    pub create_on: Vec<Choice>,
    /// The columns the caller chose to see (their saved choice, or
    /// [`DEFAULT_COLUMNS`]), each one of [`COLUMNS`].
    pub columns: Vec<String>,
}

/// A thing a filter can choose: its id and what people call it (a
/// backend's title, a stack's nickname).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// The id the address carries.
    pub id: String,
    /// The label shown.
    pub label: String,
}

impl FleetPage {
    /// Pages in all (at least 1).
    pub fn pages(&self) -> u32 {
        let per = u64::from(self.query.per_page.max(1));
        u32::try_from(self.matched.div_ceil(per))
            .unwrap_or(u32::MAX)
            .max(1)
    }

    /// "1–50 of 10,214" (or "0 of 0").
    pub fn range_label(&self) -> String {
        if self.rows.is_empty() {
            return format!("0 of {}", thousands(self.matched));
        }
        let first = self.query.offset() as u64 + 1;
        let last = first + self.rows.len() as u64 - 1;
        format!(
            "{}–{} of {}",
            thousands(first),
            thousands(last),
            thousands(self.matched)
        )
    }
}

/// `10214` as `10,214`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The columns a user may show or hide (name and actions always show).
pub const COLUMNS: &[&str] = &[
    "backend", "state", "size", "image", "location", "address", "age", "tags", "price", "stack",
];
/// The columns shown until a user chooses.
pub const DEFAULT_COLUMNS: &[&str] = &[
    "backend", "state", "size", "location", "address", "age", "tags", "stack",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_reads_back_as_it_was_written() {
        let q = FleetQuery::from_pairs([
            ("q", " web 1 "),
            ("state", "running"),
            ("sort", "age"),
            ("desc", "1"),
            ("page", "3"),
            ("per_page", "20"),
            ("tag", "env=prod&x"),
        ]);
        assert_eq!(q.q, "web 1");
        assert_eq!(q.state, Some(MachineState::Running));
        assert_eq!(q.offset(), 40);
        let text = q.to_query_string();
        assert_eq!(
            text,
            "q=web%201&tag=env%3Dprod%26x&state=running&sort=age&desc=1&page=3&per_page=20"
        );
        assert_eq!(FleetQuery::default().to_query_string(), "");
    }

    #[test]
    fn nonsense_takes_the_defaults_and_numbers_are_clamped() {
        let q = FleetQuery::from_pairs([
            ("state", "sideways"),
            ("sort", "colour"),
            ("page", "0"),
            ("per_page", "100000"),
        ]);
        assert_eq!(q.state, None);
        assert_eq!(q.sort, FleetSort::Name);
        assert_eq!(q.page, 1);
        assert_eq!(q.per_page, MAX_PER_PAGE);
        assert_eq!(
            FleetQuery::from_pairs([("per_page", "x")]).per_page,
            DEFAULT_PER_PAGE
        );
    }

    #[test]
    fn the_range_label_counts_from_one_with_thousands() {
        let page = |page: u32, rows: usize, matched: u64| FleetPage {
            query: FleetQuery::default().on_page(page),
            rows: vec![
                FleetRow {
                    machine: MachineSummary::default(),
                    size: None,
                    image: None,
                    location: None,
                    first_seen: None,
                    price_hourly: None,
                    stack: None,
                };
                rows
            ],
            matched,
            total: matched,
            counts: vec![],
            backends: vec![],
            stacks: vec![],
            create_on: vec![],
            columns: vec![],
        };
        assert_eq!(page(1, 50, 10_214).range_label(), "1–50 of 10,214");
        assert_eq!(
            page(205, 14, 10_214).range_label(),
            "10,201–10,214 of 10,214"
        );
        assert_eq!(page(205, 14, 10_214).pages(), 205);
        assert_eq!(page(1, 0, 0).range_label(), "0 of 0");
        assert_eq!(page(1, 0, 0).pages(), 1);
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
