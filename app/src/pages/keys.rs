//! Keys: the SSH keys Overcast logs in to machines with. Import one you
//! have or generate one; make one the default; rename, delete; read the
//! public part, or (with `read_private:key`, audited) the private part.
//! Each action is shown only to a caller who may take it (the listing's
//! `may`, from `service::rights`); each machine a key opens says how that is
//! known: "opens as root (sudo)" only once a login proved it.

use std::sync::Arc;

use domain::{
    inventory::MachineSummary,
    rights::{ListedKey, Opening},
};
use leptos::prelude::*;

use crate::islands::{groups::InventoryIsland, page_island};

use crate::components::post_form::{PostAction, PostForm};
use crate::components::title::PageTitle;
use crate::loaded::{load, LoadedOnce};
use crate::{
    api::keys::{
        key_listing, public_key, DeleteKey, GenerateKey, ImportKey, RenameKey, RevealPrivateKey,
        SetDefaultKey,
    },
    api::machines::list_machines,
    components::{
        action_button::ActionButton,
        confirm::ConfirmAction,
        form::{kept, reset_on_success, Csrf, FieldError, FormError, KeepFields},
    },
    paths::{encode_segment, machine_href},
    shown_once,
};

/// The actions of the keys table's rows, shared by every row.
#[derive(Clone, Copy)]
struct RowActions {
    rename: PostAction<RenameKey>,
    set_default: PostAction<SetDefaultKey>,
    delete: PostAction<DeleteKey>,
    reveal: PostAction<RevealPrivateKey>,
}

/// The Keys page.
#[component]
pub fn KeysPage() -> impl IntoView {
    view! {
        <PageTitle text="Keys"/>
        {page_island(InventoryIsland::Keys)}
    }
}

/// Everything under the page's title: the list follows the forms' answers
/// (an island in islands mode).
#[component]
pub fn KeysView() -> impl IntoView {
    let import = PostAction::<ImportKey>::new();
    let generate = PostAction::<GenerateKey>::new();
    let actions = RowActions {
        rename: PostAction::<RenameKey>::new(),
        set_default: PostAction::<SetDefaultKey>::new(),
        delete: PostAction::<DeleteKey>::new(),
        reveal: PostAction::<RevealPrivateKey>::new(),
    };
    let keys = load(
        move || {
            (
                import.version().get(),
                generate.version().get(),
                actions.rename.version().get(),
                actions.set_default.version().get(),
                actions.delete.version().get(),
            )
        },
        |_| key_listing(),
    );
    // Whether the import and generate forms are offered: read once, so a
    // failed import does not redraw the form and lose what was typed.
    let may_create = load(
        || (),
        |()| async move { key_listing().await.is_ok_and(|l| l.may_create) },
    );
    // For naming the machines a key opens; ids stand in for what the user
    // may not list.
    let machines = load(
        move || actions.delete.version().get(),
        |_| async move { list_machines().await.unwrap_or_default() },
    );
    let import_error = Signal::derive(move || import.value().get().and_then(Result::err));
    // The pasted private key leaves the screen once it is imported.
    let import_form = NodeRef::new();
    reset_on_success(import, import_form);
    let generate_error = Signal::derive(move || generate.value().get().and_then(Result::err));
    // A generated key's name leaves the form with the answer (the key is
    // shown above it), so the next key starts from an empty form.
    let generate_form = NodeRef::new();
    reset_on_success(generate, generate_form);
    let rename_error = Signal::derive(move || actions.rename.value().get().and_then(Result::err));
    let default_error =
        Signal::derive(move || actions.set_default.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || actions.delete.value().get().and_then(Result::err));
    let reveal_error = Signal::derive(move || actions.reveal.value().get().and_then(Result::err));
    // What a plain form post (no JavaScript) revealed or generated.
    let revealed = shown_once::take(shown_once::PRIVATE_KEY);
    let generated = shown_once::take(shown_once::GENERATED_KEY);

    view! {
        <section class="page" on:click=crate::address::follow_same_page_links>
            <h1>"Keys"</h1>
            <p class="muted">
                "The SSH keys Overcast logs in to machines with. The default key is tried on machines that have no key of their own. Private parts are stored encrypted; reading one is recorded in the audit log."
            </p>
            <PublicKeyNotice/>
            {shown_once::show(
                revealed,
                move || actions.reveal.value().get().and_then(Result::ok),
                |k| view! {
                    <div class="notice secret" data-testid="private-key">
                        <p>"Private key of " <code>{k.name.clone()}</code> " (shown only now; whoever holds it can log in wherever the key opens):"</p>
                        <textarea readonly rows="8" spellcheck="false" aria-label="Private key">{k.private.clone()}</textarea>
                    </div>
                },
            )}
            <FormError error=reveal_error/>
            <FormError error=rename_error fields=&["new_id"]/>
            <FieldError error=rename_error field="new_id"/>
            <FormError error=default_error/>
            <FormError error=delete_error/>
            <Transition fallback=|| view! { <p>"Loading keys…"</p> }>
                {move || Suspend::new(async move {
                    let (keys, machines) = (keys.await, Arc::new(machines.await));
                    let may_create = keys.as_ref().is_ok_and(|l| l.may_create);
                    match keys.map(|l| l.keys) {
                        Ok(rows) if rows.is_empty() => view! {
                            <p class="muted" data-testid="no-keys">
                                "No keys yet."
                                {may_create.then_some(" Import a key you have, or generate one, below.")}
                            </p>
                        }.into_any(),
                        Ok(rows) => view! {
                            <table class="grid" data-testid="keys">
                                <thead><tr><th>"Name"</th><th>"Algorithm"</th><th>"Fingerprint"</th><th>"Opens"</th><th></th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|k| view! { <KeyRow listed=k actions machines=Arc::clone(&machines)/> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>

            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    may_create.await.then(|| view! { <NewKeyForms import import_form import_error generate generate_form generate_error generated/> })
                })}
            </Transition>
        </section>
    }
}

/// Importing and generating a key, for a caller who may make one.
#[component]
fn NewKeyForms(
    import: PostAction<ImportKey>,
    import_form: NodeRef<leptos::html::Form>,
    import_error: Signal<Option<crate::error::AppError>>,
    generate: PostAction<GenerateKey>,
    generate_form: NodeRef<leptos::html::Form>,
    generate_error: Signal<Option<crate::error::AppError>>,
    generated: LoadedOnce<Option<crate::api::keys::NewKey>>,
) -> impl IntoView {
    view! {
            <div class="two-forms" data-testid="new-key-forms">
                <div>
                    <h2>"Import a key"</h2>
                    <PostForm action=import node_ref=import_form attr:class="stacked" attr:id="import-key">
                        <Csrf/>
                        <FormError error=import_error fields=&["id", "priv", "passphrase"] labels=&[("id", "Name")]/>
                        <KeepFields fields=&["id"]/>
                        <label>"Name (letters, digits, . _ - @)" <input name="id" required autocomplete="off" value={kept::<ImportKey>("id")}/></label>
                        <FieldError error=import_error field="id"/>
                        <label>"Private key (OpenSSH or PEM: RSA, ECDSA or Ed25519)"
                            <textarea name="private_key" rows="8" required spellcheck="false" class="mono"></textarea>
                        </label>
                        <FieldError error=import_error field="priv"/>
                        <label>"Passphrase (only if the key has one; it is stored without it)"
                            <input type="password" name="passphrase" autocomplete="off"/>
                        </label>
                        <FieldError error=import_error field="passphrase"/>
                        <button type="submit">"Import key"</button>
                    </PostForm>
                </div>
                <div>
                    <h2>"Generate a key"</h2>
                    {shown_once::show(
                        generated,
                        move || generate.value().get().and_then(Result::ok),
                        |k| {
                            let name = k.key.as_ref().map(|s| s.name.clone()).unwrap_or_default();
                            view! {
                                <div class="notice secret" data-testid="generated-key">
                                    <p>"Key " <code>{name}</code> " is generated and stored. Its private part, shown only now:"</p>
                                    <textarea readonly rows="8" spellcheck="false" aria-label="Generated private key">{k.private.clone()}</textarea>
                                    <p>"Its public part, for " <code>"~/.ssh/authorized_keys"</code> ":"</p>
                                    <code class="line">{k.public.clone()}</code>
                                </div>
                            }
                        },
                    )}
                    <PostForm action=generate node_ref=generate_form attr:class="stacked" attr:id="generate-key">
                        <Csrf/>
                        <FormError error=generate_error fields=&["id", "algorithm"] labels=&[("id", "Name")]/>
                        <KeepFields fields=&["id"]/>
                        <label>"Name" <input name="id" required autocomplete="off" value={kept::<GenerateKey>("id")}/></label>
                        <FieldError error=generate_error field="id"/>
                        <label>"Algorithm"
                            <select name="algorithm">
                                <option value="ed25519" selected>"Ed25519 (recommended)"</option>
                                <option value="rsa">"RSA 4096"</option>
                            </select>
                        </label>
                        <FieldError error=generate_error field="algorithm"/>
                        <button type="submit">"Generate key"</button>
                    </PostForm>
                </div>
            </div>
    }
}

/// One key and what can be done to it.
#[component]
fn KeyRow(
    listed: ListedKey,
    actions: RowActions,
    machines: Arc<Vec<MachineSummary>>,
) -> impl IntoView {
    let ListedKey { key, opens, may } = listed;
    let name = key.name.clone();
    let public_href = format!("/keys?public={}", encode_segment(&name));
    let (n_default, n_reveal, n_rename, n_rename_value, n_delete) = (
        name.clone(),
        name.clone(),
        name.clone(),
        name.clone(),
        name.clone(),
    );
    let rename_label = format!("New name for {name}");
    let delete_label =
        format!("Delete {name} for good (machines it opens keep it in authorized_keys)");
    let opens: Vec<(String, String, String)> = opens
        .iter()
        .map(|m| {
            (
                machine_href(&m.backend_id, &m.machine_id),
                machine_label(m, &machines),
                format!(": {}", m.describe()),
            )
        })
        .collect();
    view! {
        <tr data-key=name.clone()>
            <td>
                <strong>{name.clone()}</strong>
                {key.default_key.then(|| view! { " " <span class="chip" data-testid="default-key">"default"</span> })}
            </td>
            <td data-label="Algorithm">{key.algorithm.clone()}</td>
            <td data-label="Fingerprint"><code class="fingerprint">{key.fingerprint.clone()}</code></td>
            <td data-label="Opens">
                {if opens.is_empty() {
                    view! { <span class="muted">"no machine yet"</span> }.into_any()
                } else {
                    view! {
                        <ul class="plain">
                            {opens.into_iter().map(|(href, label, user)| view! {
                                <li data-testid="opens"><a href=href>{label}</a>{user}</li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </td>
            <td class="actions">
                <a href=public_href class="button-link">"Public key"</a>
                {(!key.default_key && may.set_default).then(|| view! {
                    <ActionButton action=actions.set_default fields=vec![("id", n_default)] class="secondary">"Make default"</ActionButton>
                })}
                {may.read_private.then(|| view! {
                    <ActionButton action=actions.reveal fields=vec![("id", n_reveal)] class="secondary">"Reveal private key"</ActionButton>
                })}
                {may.rename.then(|| view! {
                    <details class="edit">
                        <summary>"Rename"</summary>
                        <PostForm action=actions.rename attr:class="inline">
                            <Csrf/>
                            <input type="hidden" name="id" value=n_rename/>
                            <input name="new_id" required value=n_rename_value aria-label=rename_label/>
                            <button type="submit" class="secondary">"Rename"</button>
                        </PostForm>
                    </details>
                })}
                {may.delete.then(|| view! {
                    <ConfirmAction summary="Delete">
                        <ActionButton action=actions.delete fields=vec![("id", n_delete)] class="danger">{delete_label}</ActionButton>
                    </ConfirmAction>
                })}
            </td>
        </tr>
    }
}

/// The public key asked for with `?public=<name>` (a plain link, so it
/// works with and without JavaScript).
#[component]
fn PublicKeyNotice() -> impl IntoView {
    let query = crate::address::query();
    let shown = load(
        move || query.read().get("public").filter(|n| !n.is_empty()),
        |name| async move {
            match name {
                None => Ok(None),
                Some(name) => public_key(name.clone())
                    .await
                    .map(|line| Some((name, line))),
            }
        },
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match shown.await {
                    Ok(None) => ().into_any(),
                    Ok(Some((name, line))) => view! {
                        <div class="notice" data-testid="public-key">
                            <p>"Public key of " <code>{name}</code> ", for " <code>"~/.ssh/authorized_keys"</code> ": "
                                <a href="/keys">"hide"</a>
                            </p>
                            <code class="line">{line}</code>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// "backend title/machine name" of a machine a key opens, or its ids when
/// the user may not list it.
fn machine_label(m: &Opening, machines: &[MachineSummary]) -> String {
    machines
        .iter()
        .find(|s| s.backend == m.backend_id && s.id == m.machine_id)
        .map_or_else(
            || format!("{}/{}", m.backend_id, m.machine_id),
            |s| format!("{}/{}", s.backend_title, s.name),
        )
}
