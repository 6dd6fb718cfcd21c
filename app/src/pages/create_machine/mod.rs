//! Creating machines on a backend, `/backends/:backend/create`: a wizard
//! over the backend's sizes (vCPU, memory, disk, price), images (searched
//! as one types, starred ones first) and locations, with sensible first
//! choices (the smallest general-purpose size, the newest Ubuntu or Debian
//! image, the first available location), the key to install, a script for
//! first boot, how many to create, and a summary beside Create.
//!
//! Without JavaScript it is a plain form: Search and Review come back to
//! the page with what was entered in its address (never the script), and
//! so does a refused post; the summary shows the choices as the page was
//! loaded. A caller who may not create machines there is told so, with no
//! form.

mod form;
mod pickers;
mod summary;

use leptos::prelude::*;

use crate::islands::{groups::InventoryIsland, page_island};
use leptos_router::hooks::use_params_map;

use crate::api::{
    backends::{self, get_wizard, GetWizard},
    keys::list_keys,
    machines::{CreateMachine, KeptFields},
};
use crate::components::post_form::PostAction;
use crate::components::title::PageTitle;
use crate::error::AppError;
use crate::loaded::load;

/// The provider asked again for images (Search, once hydrated). A plain
/// `Action`: Search is no form post, so there is no error in the address
/// to read back (a `ServerAction` would bring a base64 decoder for it).
pub(crate) type Search = Action<GetWizard, Result<backends::Wizard, AppError>>;

/// What the form holds as it is filled in: made once at the page's top,
/// so a search that reloads a list never loses it. An empty choice means
/// "the wizard's first choice".
#[derive(Clone, Copy)]
pub(crate) struct Entered {
    pub name: RwSignal<String>,
    pub size: RwSignal<String>,
    pub image: RwSignal<String>,
    pub location: RwSignal<String>,
    pub key: RwSignal<String>,
    pub count: RwSignal<String>,
    pub script: RwSignal<String>,
    /// What the image search box holds (filters the list as one types).
    pub search: RwSignal<String>,
    /// The size filter.
    pub size_filter: RwSignal<String>,
    /// The search the provider was last asked for, once hydrated (`None`:
    /// the page's own list).
    pub asked: RwSignal<Option<String>>,
    /// Whether the page runs with JavaScript.
    pub hydrated: RwSignal<bool>,
}

impl Entered {
    fn from(kept: &KeptFields) -> Self {
        let count = if kept.count.trim().is_empty() {
            "1".to_owned()
        } else {
            kept.count.clone()
        };
        Entered {
            name: RwSignal::new(kept.name.clone()),
            size: RwSignal::new(kept.size.clone()),
            image: RwSignal::new(kept.image.clone()),
            location: RwSignal::new(kept.location.clone()),
            key: RwSignal::new(kept.key.clone()),
            count: RwSignal::new(count),
            script: RwSignal::new(String::new()),
            search: RwSignal::new(kept.search.clone()),
            size_filter: RwSignal::new(String::new()),
            asked: RwSignal::new(None),
            hydrated: RwSignal::new(false),
        }
    }

    /// How many machines, as a number (1 when it does not read as one).
    pub fn how_many(&self) -> u32 {
        self.count.get().trim().parse().unwrap_or(1).max(1)
    }
}

/// The create page.
#[component]
pub fn CreateMachinePage() -> impl IntoView {
    let params = use_params_map();
    // Drawn again for another backend (the default build's router keeps
    // the page when only the parameters change).
    move || {
        let backend = params.with(|p| p.get("backend").unwrap_or_default());
        view! {
            <PageTitle text="Create machines"/>
            {page_island(InventoryIsland::Create { backend })}
        }
    }
}

/// Everything under the page's title (an island in islands mode).
#[component]
pub fn CreateMachineView(backend: String) -> impl IntoView {
    let query = crate::address::query();
    let backend = Signal::stored(backend);
    let kept = query.with_untracked(|q| {
        let get = |k: &str| q.get(k).unwrap_or_default();
        KeptFields {
            name: get("name"),
            size: get("size"),
            image: get("image"),
            location: get("location"),
            key: get("key"),
            count: get("count"),
            search: get("search"),
        }
    });
    let page_search = Signal::derive(move || query.read().get("search").unwrap_or_default());
    let entered = Entered::from(&kept);
    Effect::new(move |_| entered.hydrated.set(true));
    let wizard = load(
        move || (backend.get(), page_search.get()),
        |(backend, search)| get_wizard(backend, search),
    );
    // The provider asked again for images once hydrated (Search).
    let search: Search = Action::new(|args: &GetWizard| {
        use leptos::server_fn::ServerFn;
        args.clone().run_on_client()
    });
    let keys = load(|| (), |()| list_keys());
    let create = PostAction::<CreateMachine>::new();
    view! {
        <section class="page wizard-page" on:click=crate::address::follow_same_page_links>
            <p class="crumbs"><a href="/backends">"Backends"</a> " /"</p>
            <h1>"Create machines"</h1>
            <Transition fallback=|| view! { <p>"Asking the provider for sizes, images and locations…"</p> }>
                {move || Suspend::new(async move {
                    let keys = keys.await.unwrap_or_default();
                    match wizard.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(w) if !w.may_create => view! {
                            <p class="wizard-refused" data-testid="may-not-create">
                                "You may not create machines on " <strong>{w.title.clone()}</strong>
                                ": none of your roles allows it. An administrator can give you a role that does."
                            </p>
                        }.into_any(),
                        Ok(w) => view! {
                            <form::WizardForm wizard=w keys entered search create backend page_search/>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
