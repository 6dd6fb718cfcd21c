//! What the fleet page keeps while it is open, made once at its top level
//! (never inside a `Suspend` that can run again) and handed to its parts:
//! the page shown (its rows changed in place by events), the columns, the
//! selection, each row's last action and the toasts.

use std::collections::{HashMap, HashSet};

use domain::fleet::{FleetPage, FleetQuery, FleetRow};
use leptos::prelude::*;

use crate::error::AppError;

/// A machine: its backend's id and its own.
pub type Key = (String, String);

/// The key of a row.
pub fn key_of(row: &FleetRow) -> Key {
    (row.machine.backend.clone(), row.machine.id.clone())
}

/// What a row says about the last action taken on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowStatus {
    /// Under way: "stopping…".
    Busy(String),
    /// Done: "stopped".
    Done(String),
    /// Refused or failed, in plain words.
    Failed(String),
}

/// One line of the activity area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// Its number, to change or remove it.
    pub id: u64,
    /// "stopping web-1… stopped".
    pub text: String,
    /// Finished: fading away.
    pub done: bool,
}

/// How long a finished toast stays.
const TOAST_MS: u64 = 4_000;

/// The page's state; every field is a signal, so it is `Copy`.
#[derive(Clone, Copy)]
pub struct Fleet {
    /// The address, read as a query.
    pub query: Memo<FleetQuery>,
    /// The page shown.
    pub page: RwSignal<Option<FleetPage>>,
    /// The columns shown (the user's saved choice, then their clicks).
    pub columns: RwSignal<Vec<String>>,
    /// The rows selected for a bulk action.
    pub selected: RwSignal<HashSet<Key>>,
    /// Each row's last action.
    pub status: RwSignal<HashMap<Key, RowStatus>>,
    /// The activity area.
    pub toasts: RwSignal<Vec<Toast>>,
    /// Running in the browser (set by an effect, so never on the server).
    pub hydrated: RwSignal<bool>,
    /// A read of the page is under way.
    pub loading: RwSignal<bool>,
    /// The last read failed.
    pub error: RwSignal<Option<AppError>>,
    next_toast: StoredValue<u64>,
}

impl Fleet {
    /// A page with nothing shown yet, following `query`.
    pub fn new(query: Memo<FleetQuery>) -> Fleet {
        Fleet {
            query,
            page: RwSignal::new(None),
            columns: RwSignal::new(Vec::new()),
            selected: RwSignal::new(HashSet::new()),
            status: RwSignal::new(HashMap::new()),
            toasts: RwSignal::new(Vec::new()),
            hydrated: RwSignal::new(false),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            next_toast: StoredValue::new(0),
        }
    }

    /// Shows `page` (the first read also takes the user's columns); the
    /// selection keeps only rows still on it.
    pub fn show(&self, page: FleetPage) {
        if self.page.with_untracked(Option::is_none) {
            self.columns.set(page.columns.clone());
        }
        let here: HashSet<Key> = page.rows.iter().map(key_of).collect();
        self.selected.update(|s| s.retain(|k| here.contains(k)));
        self.error.set(None);
        self.page.set(Some(page));
    }

    /// The rows shown now.
    pub fn rows(&self) -> Vec<FleetRow> {
        self.page
            .with(|p| p.as_ref().map(|p| p.rows.clone()).unwrap_or_default())
    }

    /// Whether the column is shown.
    pub fn shows(&self, column: &str) -> bool {
        self.columns.with(|c| c.iter().any(|c| c == column))
    }

    /// Whether a row can be selected: it offers something to do.
    pub fn selectable(row: &FleetRow) -> bool {
        let m = &row.machine;
        m.can_reboot || m.can_stop || m.can_start || m.can_destroy || m.can_tag
    }

    /// Whether the selection column shows: hydrated, and a row offers
    /// something (a read-only user sees none).
    pub fn selecting(&self) -> bool {
        self.hydrated.get()
            && self.page.with(|p| {
                p.as_ref()
                    .is_some_and(|p| p.rows.iter().any(Fleet::selectable))
            })
    }

    /// Says `text` in the activity area; returns its number.
    pub fn toast(&self, text: String) -> u64 {
        let id = self.next_toast.get_value() + 1;
        self.next_toast.set_value(id);
        self.toasts.update(|t| {
            t.push(Toast {
                id,
                text,
                done: false,
            })
        });
        id
    }

    /// Ends toast `id` with `text`; it fades and goes a few seconds later.
    pub fn finish_toast(&self, id: u64, text: String) {
        self.toasts.try_update(|all| {
            if let Some(t) = all.iter_mut().find(|t| t.id == id) {
                t.text = text;
                t.done = true;
            }
        });
        let toasts = self.toasts;
        set_timeout(
            move || {
                toasts.try_update(|all| all.retain(|t| t.id != id));
            },
            std::time::Duration::from_millis(TOAST_MS),
        );
    }
}
