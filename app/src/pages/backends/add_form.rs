//! The add-backend form: the catalogue grouped by provider, then only the
//! fields the chosen provider asks for. Once hydrated the fields follow the
//! choice at once; without JavaScript "Show its fields" comes back to the
//! page for that provider (the title kept), and until then every field
//! shows, each saying whose it is. A bare-metal host may bring its key,
//! imported on the way. While the provider is asked the form shows how
//! long it has waited, and Cancel stops waiting.

use std::time::Duration;

use domain::{
    inventory::KeySummary,
    providers::{self, ProviderKind},
};
use leptos::{ev::SubmitEvent, prelude::*};
use server_fn::ServerFn;

use super::fields::{CloudField, ProviderSelect};
use crate::components::post_form::PostAction;
use crate::loaded::Loaded;
use crate::{
    api::backends::AddBackend,
    components::form::{kept, reset_on_success, Csrf, FieldError, FormError, KeepFields},
    error::AppError,
};

/// The fields whose errors show beside their inputs.
const FIELDS: &[&str] = &[
    "title",
    "provider",
    "machine_ip",
    "machine_key",
    "machine_user",
    "machine_port",
    "apikey",
    "apisecret",
    "apiurl",
    "region",
    "tenant_name",
    "poll_interval",
    "key_name",
    "private_key",
];

/// The fields a refused plain post brings back (none of them a secret).
const KEEP: &[&str] = &[
    "title",
    "provider",
    "machine_ip",
    "machine_key",
    "machine_user",
    "machine_port",
    "machine_reboot_command",
    "apiurl",
    "region",
    "tenant_name",
    "poll_interval",
    "key_name",
];

/// What a refused plain post brought back for `field`, else `default`.
fn again(field: &str, default: &str) -> String {
    kept::<AddBackend>(field).unwrap_or_else(|| default.to_owned())
}

/// The add form.
#[component]
pub(super) fn AddBackendForm(
    add: PostAction<AddBackend>,
    /// The keys a bare-metal host may be reached with (made by the page,
    /// outside the form's `Suspend`).
    keys: Loaded<Result<Vec<KeySummary>, AppError>>,
) -> impl IntoView {
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let query = crate::address::query();
    let (asked, title) = query.with_untracked(|q| {
        (
            q.get("provider")
                .or_else(|| kept::<AddBackend>("provider"))
                .filter(|p| providers::Provider::parse(p).is_some()),
            q.get("title")
                .or_else(|| kept::<AddBackend>("title"))
                .unwrap_or_default(),
        )
    });
    let first = providers::CATALOGUE[0].provider;
    let told = asked.is_some();
    let provider = RwSignal::new(asked.unwrap_or_else(|| first.to_owned()));
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
    let tailored = Signal::derive(move || told || hydrated.get());
    let kept_key = again("machine_key", "");
    let kind = move || {
        providers::Provider::parse(&provider.get()).map_or(ProviderKind::BareMetal, |p| p.kind)
    };
    let bare_metal = move || kind() == ProviderKind::BareMetal;
    let fields = move || kind().fields();
    // The secrets leave the form once the backend is added; the form
    // (reset to the catalogue's first entry) shows that entry's fields.
    let add_form = NodeRef::new();
    reset_on_success(add, add_form);
    Effect::new(move |_| {
        if add.value().with(|v| matches!(v, Some(Ok(_)))) {
            if let Some(select) = chosen.get_untracked() {
                select.set_value(first);
            }
            provider.set(first.to_owned());
        }
    });
    // How long the provider has been asked, and a way to stop waiting.
    let waited = RwSignal::new(0_u32);
    let abandoned = RwSignal::new(false);
    let abort = StoredValue::new(None::<leptos::prelude::ActionAbortHandle>);
    let ticker = StoredValue::new(None::<IntervalHandle>);
    Effect::new(move |_| {
        if add.pending().get() {
            waited.set(0);
            if let Ok(handle) =
                set_interval_with_handle(move || waited.update(|s| *s += 1), Duration::from_secs(1))
            {
                ticker.set_value(Some(handle));
            }
        } else if let Some(handle) = ticker.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    });
    let submit = move |ev: SubmitEvent| {
        abandoned.set(false);
        if let Some(handle) = add.dispatch_form(&ev) {
            abort.set_value(Some(handle));
        }
    };
    let cancel = move |_| {
        if let Some(handle) = abort.try_update_value(Option::take).flatten() {
            handle.abort();
            abandoned.set(true);
        }
    };
    view! {
        <form method="post" action=AddBackend::url() node_ref=add_form class="stacked narrow" id="add-backend" on:submit=submit>
            <Csrf/>
            <KeepFields fields=KEEP/>
            <FormError error fields=FIELDS/>
            <label>"Provider"
                <ProviderSelect provider node_ref=chosen/>
            </label>
            <button type=move || if hydrated.get() { "button" } else { "submit" }
                name="then" value="choose" class="secondary" formnovalidate=true
                hidden=move || hydrated.get()>"Show its fields"</button>
            <FieldError error field="provider"/>
            <label>"Title" <input name="title" required autocomplete="off" value=title/></label>
            <FieldError error field="title"/>
            <fieldset class="provider-fields" data-testid="bare-metal-fields" hidden=move || tailored.get() && !bare_metal()>
                <legend>{move || if tailored.get() { "Your server" } else { "Bare Metal Server only" }}</legend>
                <label>"Host address (name or IP)" <input name="machine_ip" value=again("machine_ip", "") autocomplete="off"/></label>
                <FieldError error field="machine_ip"/>
                <label>"Key that opens it"
                    <Transition fallback=|| view! { <select name="machine_key" disabled></select> }>
                        {move || Suspend::new({
                            let kept_key = kept_key.clone();
                            async move {
                            let names: Vec<String> = keys.await.map(|k| k.into_iter().map(|k| k.name).collect()).unwrap_or_default();
                            if names.is_empty() {
                                view! {
                                    <select name="machine_key" disabled><option>"no keys yet: import one below"</option></select>
                                }.into_any()
                            } else {
                                view! {
                                    <select name="machine_key">
                                        {names.into_iter().map(|n| view! { <option value=n.clone() selected=n == kept_key>{n.clone()}</option> }).collect_view()}
                                    </select>
                                }.into_any()
                            }
                        }})}
                    </Transition>
                </label>
                <FieldError error field="machine_key"/>
                <details class="inline-key" data-testid="inline-key">
                    <summary>"Or import a key for it now"</summary>
                    <p class="muted">"Pasted here, it is imported (as on the " <a href="/keys">"Keys"</a> " page) and used for this host; if the host refuses it, it is removed again."</p>
                    <label>"Key name" <input name="key_name" value=again("key_name", "") autocomplete="off"/></label>
                    <FieldError error field="key_name"/>
                    <label>"Private key (PEM or OpenSSH)"
                        <textarea name="private_key" rows="5" spellcheck="false" class="mono" autocomplete="off"></textarea>
                    </label>
                    <FieldError error field="private_key"/>
                </details>
                <label>"User to log in as" <input name="machine_user" value=again("machine_user", "root") autocomplete="off"/></label>
                <FieldError error field="machine_user"/>
                <label>"SSH port" <input name="machine_port" value=again("machine_port", "22") inputmode="numeric" autocomplete="off"/></label>
                <FieldError error field="machine_port"/>
                <label>"Reboot command (run as root, or with sudo -n)" <input name="machine_reboot_command" value=again("machine_reboot_command", "reboot") autocomplete="off" class="mono"/></label>
            </fieldset>
            <fieldset class="provider-fields" data-testid="cloud-fields" hidden=move || tailored.get() && bare_metal()>
                <legend>{move || if tailored.get() { "Credentials" } else { "Cloud providers only (every provider but Bare Metal Server)" }}</legend>
                <CloudField tailored need=move || fields().apikey field="apikey" generic="API key, access key or user name"/>
                <FieldError error field="apikey"/>
                <CloudField tailored need=move || fields().apisecret field="apisecret" generic="API secret, secret key or password"/>
                <FieldError error field="apisecret"/>
                <CloudField tailored need=move || fields().apiurl value=again("apiurl", "") field="apiurl" generic="API URL (OpenStack, libvirt; empty for the usual endpoint)"/>
                <FieldError error field="apiurl"/>
                <CloudField tailored need=move || (fields().region, "Region") value=again("region", "") field="region" generic="Region (OpenStack)"/>
                <FieldError error field="region"/>
                <CloudField tailored need=move || (fields().tenant, "Tenant (project)") value=again("tenant_name", "") field="tenant_name" generic="Tenant (OpenStack)"/>
                <FieldError error field="tenant_name"/>
            </fieldset>
            <label>"Poll every (ms)" <input name="poll_interval" value=again("poll_interval", "10000") inputmode="numeric" autocomplete="off"/></label>
            <FieldError error field="poll_interval"/>
            <div class="add-actions">
                <button type="submit" disabled=move || add.pending().get()>
                    {move || if add.pending().get() { "Checking the credentials…" } else { "Add backend" }}
                </button>
                <span class="muted" data-testid="add-waiting" role="status" hidden=move || !add.pending().get()>
                    {move || format!("Checking credentials… {} s", waited.get())}
                </span>
                <button type="button" class="secondary" hidden=move || !add.pending().get() on:click=cancel>"Cancel"</button>
            </div>
            <p class="muted" data-testid="add-abandoned" role="status" hidden=move || !abandoned.get() || add.pending().get()>
                "Stopped waiting. The provider may still answer: if the credentials work, the backend appears in the list by itself."
            </p>
        </form>
    }
}
