//! Backends: the cloud accounts (and bare-metal hosts) Overcast manages.
//! Add one (its credentials are checked first), rename, enable or disable,
//! delete (Overcast forgets it; nothing is destroyed at the provider).

use domain::{
    inventory::BackendSummary,
    providers::{self, Need, ProviderKind},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::{
        backends::{
            list_backends, AddBackend, DeleteBackend, RenameBackend, SetBackendDefaultImage,
            SetBackendEnabled,
        },
        keys::list_keys,
    },
    components::{
        action_button::ActionButton,
        confirm::ConfirmAction,
        form::{reset_on_success, Csrf, FieldError, FormError},
    },
    paths::encode_segment,
};

/// The actions of the backends table's rows.
#[derive(Clone, Copy)]
struct RowActions {
    rename: ServerAction<RenameBackend>,
    image: ServerAction<SetBackendDefaultImage>,
    enable: ServerAction<SetBackendEnabled>,
    delete: ServerAction<DeleteBackend>,
}

/// The Backends page.
#[component]
pub fn BackendsPage() -> impl IntoView {
    let add = ServerAction::<AddBackend>::new();
    let actions = RowActions {
        rename: ServerAction::<RenameBackend>::new(),
        image: ServerAction::<SetBackendDefaultImage>::new(),
        enable: ServerAction::<SetBackendEnabled>::new(),
        delete: ServerAction::<DeleteBackend>::new(),
    };
    // Bumped by every backend event once hydrated: the list is read again.
    let news = RwSignal::new(0_u64);
    crate::live::follow_after_catching_up(
        &["backend"],
        move || news.update(|n| *n += 1),
        crate::live::Listener {
            on_event: Box::new(move |_| news.update(|n| *n += 1)),
            on_reload: Box::new(move || news.update(|n| *n += 1)),
        },
    );
    let backends = Resource::new(
        move || {
            (
                news.get(),
                add.version().get(),
                actions.rename.version().get(),
                actions.image.version().get(),
                actions.enable.version().get(),
                actions.delete.version().get(),
            )
        },
        |_| list_backends(),
    );
    let rename_error = Signal::derive(move || actions.rename.value().get().and_then(Result::err));
    let image_error = Signal::derive(move || actions.image.value().get().and_then(Result::err));
    let enable_error = Signal::derive(move || actions.enable.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || actions.delete.value().get().and_then(Result::err));
    view! {
        <Title text="Backends"/>
        <section class="page">
            <h1>"Backends"</h1>
            <p class="muted">"Cloud accounts and hosts Overcast manages machines in. A bare-metal server is a backend whose one machine is that server, reached over SSH."</p>
            <FormError error=rename_error fields=&["new_name"]/>
            <FieldError error=rename_error field="new_name"/>
            <FormError error=image_error fields=&["default_image"]/>
            <FieldError error=image_error field="default_image"/>
            <FormError error=enable_error/>
            <FormError error=delete_error/>
            <Transition fallback=|| view! { <p>"Loading backends…"</p> }>
                {move || Suspend::new(async move {
                    match backends.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <p class="muted" data-testid="no-backends">"No backends yet. Add one below."</p>
                        }.into_any(),
                        Ok(rows) => view! {
                            <table class="grid" data-testid="backends">
                                <thead><tr><th>"Title"</th><th>"Provider"</th><th>"State"</th><th>"Enabled"</th><th></th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|b| view! { <BackendRow backend=b actions/> }).collect_view()}
                                </tbody>
                            </table>
                            <p class="muted">"Their machines are on the " <A href="/machines">"Machines"</A> " page."</p>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <h2>"Add a backend"</h2>
            <AddBackendForm add/>
        </section>
    }
}

/// One backend and what can be done to it.
#[component]
fn BackendRow(backend: BackendSummary, actions: RowActions) -> impl IntoView {
    let b = backend;
    let provider =
        providers::find(&b.provider).map_or_else(|| b.provider.clone(), |p| p.title.to_owned());
    let next = (!b.enabled).to_string();
    let toggle = if b.enabled { "Disable" } else { "Enable" };
    let title = b.title.clone();
    let (id_rename, id_enable, id_delete) = (b.id.clone(), b.id.clone(), b.id.clone());
    let id_image = b.id.clone();
    let rename_label = format!("New title for {title}");
    let image_label = format!("Default image of {title} (an image id; empty removes it)");
    let default_image = b.default_image.clone().unwrap_or_default();
    let delete_label =
        format!("Forget {title} and its machines (nothing is destroyed at the provider)");
    view! {
        <tr data-backend=b.id.clone()>
            <td><strong>{b.title.clone()}</strong></td>
            <td>
                {provider}{b.region.clone().map(|r| format!(" ({r})"))}
                {b.default_image.clone().map(|i| view! { <br/><span class="muted">"default image: " {i}</span> })}
            </td>
            <td>
                <span class=format!("state {}", b.state)>{b.state.as_str()}</span>
                {b.state_reason.clone().map(|r| view! { <br/><span class="muted">{r}</span> })}
            </td>
            <td>{if b.enabled { "yes" } else { "no" }}</td>
            <td class="actions">
                {b.can_create.then(|| view! {
                    <A href=format!("/backends/{}/create", encode_segment(&b.id)) attr:class="button secondary">"Create machine"</A>
                })}
                <details class="edit">
                    <summary>"Rename"</summary>
                    <ActionForm action=actions.rename attr:class="inline">
                        <Csrf/>
                        <input type="hidden" name="id" value=id_rename/>
                        <input name="new_name" required value=title aria-label=rename_label/>
                        <button type="submit" class="secondary">"Rename"</button>
                    </ActionForm>
                </details>
                <details class="edit">
                    <summary>"Default image"</summary>
                    <p class="muted">"What a stack template's " <code>"\"image\": \"${computed}\""</code> " takes here."</p>
                    <ActionForm action=actions.image attr:class="inline">
                        <Csrf/>
                        <input type="hidden" name="id" value=id_image/>
                        <input name="default_image" value=default_image aria-label=image_label placeholder="image id"/>
                        <button type="submit" class="secondary">"Save"</button>
                    </ActionForm>
                </details>
                {if b.enabled {
                    let warning = "Overcast stops polling it and creates no machines on it until it is enabled again.";
                    view! {
                        <ConfirmAction summary="Disable" warning>
                            <ActionButton action=actions.enable fields=vec![("id", id_enable), ("enabled", next)] class="danger">{format!("Disable {}", b.title)}</ActionButton>
                        </ConfirmAction>
                    }.into_any()
                } else {
                    view! { <ActionButton action=actions.enable fields=vec![("id", id_enable), ("enabled", next)] class="secondary">{toggle}</ActionButton> }.into_any()
                }}
                <ConfirmAction summary="Delete">
                    <ActionButton action=actions.delete fields=vec![("id", id_delete)] class="danger">{delete_label}</ActionButton>
                </ConfirmAction>
            </td>
        </tr>
    }
}

/// The add form: every provider of the catalogue. Once hydrated it shows
/// only the fields the chosen provider takes; without JavaScript it shows
/// them all, each group saying whose it is.
#[component]
fn AddBackendForm(add: ServerAction<AddBackend>) -> impl IntoView {
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let keys = Resource::new(|| (), |()| list_keys());
    // The form opens on the catalogue's first entry (bare metal).
    let first = providers::CATALOGUE[0].provider;
    let provider = RwSignal::new(first.to_owned());
    let hydrated = RwSignal::new(false);
    let chosen = NodeRef::<leptos::html::Select>::new();
    Effect::new(move |_| {
        // A choice made before the page came alive (a slow connection)
        // is the one the fields follow.
        if let Some(select) = chosen.get() {
            provider.set(select.value());
        }
        hydrated.set(true);
    });
    let kind = move || {
        providers::Provider::parse(&provider.get()).map_or(ProviderKind::BareMetal, |p| p.kind)
    };
    let bare_metal = move || kind() == ProviderKind::BareMetal;
    let fields = move || kind().fields();
    // The API secret leaves the form once the backend is added; the form
    // (reset to the catalogue's first entry) shows that entry's fields.
    let add_form = NodeRef::new();
    reset_on_success(add, add_form);
    Effect::new(move |_| {
        if add.value().with(|v| matches!(v, Some(Ok(_)))) {
            provider.set(first.to_owned());
        }
    });
    view! {
        <ActionForm action=add node_ref=add_form attr:class="stacked narrow" attr:id="add-backend">
            <Csrf/>
            <FormError error fields=&["title", "provider", "machine_ip", "machine_key", "machine_user", "machine_port", "apikey", "apisecret", "apiurl", "region", "tenant_name", "poll_interval"]/>
            <label>"Title" <input name="title" required autocomplete="off"/></label>
            <FieldError error field="title"/>
            <label>"Provider"
                <select name="provider" node_ref=chosen on:change=move |ev| provider.set(event_target_value(&ev))>
                    {providers::CATALOGUE.iter().map(|p| view! {
                        <option value=p.provider selected=p.provider == first>{p.title}</option>
                    }).collect_view()}
                </select>
            </label>
            <FieldError error field="provider"/>
            <fieldset class="provider-fields" data-testid="bare-metal-fields" hidden=move || hydrated.get() && !bare_metal()>
                <legend>"Bare Metal Server only"</legend>
                <label>"Host address (name or IP)" <input name="machine_ip" autocomplete="off"/></label>
                <FieldError error field="machine_ip"/>
                <label>"Key that opens it"
                    <Transition fallback=|| view! { <select name="machine_key" disabled></select> }>
                        {move || Suspend::new(async move {
                            let names: Vec<String> = keys.await.map(|k| k.into_iter().map(|k| k.name).collect()).unwrap_or_default();
                            if names.is_empty() {
                                view! {
                                    <select name="machine_key" disabled><option>"no keys"</option></select>
                                    <span class="muted">"Import or generate a key on the " <A href="/keys">"Keys"</A> " page first."</span>
                                }.into_any()
                            } else {
                                view! {
                                    <select name="machine_key">
                                        {names.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                                    </select>
                                }.into_any()
                            }
                        })}
                    </Transition>
                </label>
                <FieldError error field="machine_key"/>
                <label>"User to log in as" <input name="machine_user" value="root" autocomplete="off"/></label>
                <FieldError error field="machine_user"/>
                <label>"SSH port" <input name="machine_port" value="22" inputmode="numeric" autocomplete="off"/></label>
                <FieldError error field="machine_port"/>
                <label>"Reboot command (run as root, or with sudo -n)" <input name="machine_reboot_command" value="reboot" autocomplete="off" class="mono"/></label>
            </fieldset>
            <fieldset class="provider-fields" data-testid="cloud-fields" hidden=move || hydrated.get() && bare_metal()>
                <legend>"Cloud providers only (every provider but Bare Metal Server)"</legend>
                <CloudField hydrated need=move || fields().apikey field="apikey" generic="API key, access key or user name"/>
                <FieldError error field="apikey"/>
                <CloudField hydrated need=move || fields().apisecret field="apisecret" generic="API secret, secret key or password"/>
                <FieldError error field="apisecret"/>
                <CloudField hydrated need=move || fields().apiurl field="apiurl" generic="API URL (OpenStack, libvirt; empty for the usual endpoint)"/>
                <FieldError error field="apiurl"/>
                <CloudField hydrated need=move || (fields().region, "Region") field="region" generic="Region (OpenStack)"/>
                <FieldError error field="region"/>
                <CloudField hydrated need=move || (fields().tenant, "Tenant (project)") field="tenant_name" generic="Tenant (OpenStack)"/>
                <FieldError error field="tenant_name"/>
            </fieldset>
            <label>"Poll every (ms)" <input name="poll_interval" value="10000" inputmode="numeric" autocomplete="off"/></label>
            <FieldError error field="poll_interval"/>
            <button type="submit" disabled=move || add.pending().get()>
                {move || if add.pending().get() { "Checking the credentials…" } else { "Add backend" }}
            </button>
        </ActionForm>
    }
}

/// One field of the cloud group. Without JavaScript every field shows with
/// a label saying whose it is; once hydrated, only the fields the chosen
/// provider asks for show, named as that provider names them.
#[component]
fn CloudField(
    hydrated: RwSignal<bool>,
    need: impl Fn() -> (Need, &'static str) + Copy + Send + Sync + 'static,
    field: &'static str,
    generic: &'static str,
) -> impl IntoView {
    let label = move || {
        let (need, label) = need();
        match (hydrated.get(), need) {
            (false, _) => generic.to_owned(),
            (true, Need::Required) => label.to_owned(),
            (true, _) => format!("{label} (optional)"),
        }
    };
    let secret = field == "apisecret";
    view! {
        <label hidden=move || hydrated.get() && !need().0.asked()>
            {label}
            <input
                name=field
                type=if secret { "password" } else { "text" }
                autocomplete=if secret { "new-password" } else { "off" }
                required=move || hydrated.get() && need().0 == Need::Required
            />
        </label>
    }
}
