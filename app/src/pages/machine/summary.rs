//! What Overcast knows of a machine (its facts, host key, the keys that
//! open it), and the forms that change it: tags, deploying a key.

use domain::inventory::{MachineDetail, MachineSummary};
use leptos::prelude::*;

use crate::components::post_form::{PostAction, PostForm};
use crate::loaded::Loaded;
use crate::{
    api::{
        keys::DeployKey,
        machines::{AcceptHostKey, SetMachineTags},
    },
    components::{
        form::{Csrf, FieldError, FormError},
        format::utc,
    },
};

/// What Overcast knows of the machine.
#[component]
pub(super) fn Summary(
    detail: MachineDetail,
    current: Memo<MachineSummary>,
    accept: PostAction<AcceptHostKey>,
    /// The stack that made it: (id, nickname).
    stack: Option<(String, String)>,
) -> impl IntoView {
    let m = detail.machine;
    let accept_error = Signal::derive(move || accept.value().get().and_then(Result::err));
    let list = |ips: &[String]| {
        if ips.is_empty() {
            "none".to_owned()
        } else {
            ips.join(", ")
        }
    };
    view! {
        <dl class="facts" data-testid="machine">
            <dt>"Backend"</dt><dd><a href="/backends">{m.backend_title.clone()}</a></dd>
            <dt>"State"</dt><dd><span class=move || format!("state {}", current.with(|c| c.state)) data-testid="machine-state">{move || current.with(|c| c.state.as_str())}</span></dd>
            <dt>"Public addresses"</dt><dd>{list(&m.public_ips)}</dd>
            <dt>"Private addresses"</dt><dd>{list(&m.private_ips)}</dd>
            <dt>"SSH port"</dt><dd>{m.ssh_port}</dd>
            {stack.map(|(id, nickname)| view! {
                <dt>"Stack"</dt><dd><a href=crate::paths::stack_href(&id) data-testid="machine-stack">{nickname}</a></dd>
            })}
            <dt>"Host key"</dt>
            <dd>{match detail.host_key.clone() {
                Some(fp) => view! { <code class="fingerprint" data-testid="host-key">{fp}</code> }.into_any(),
                None => view! { <span class="muted">"not known yet (pinned at the first connection)"</span> }.into_any(),
            }}</dd>
        </dl>
        {detail.changed_host_key.clone().map(|changed| {
            let may_accept = detail.may.accept_host_key;
            view! {
            <div class="warning" role="alert" data-testid="host-key-changed">
                <p><strong>"The machine presented a different host key."</strong>
                    " Overcast refuses to connect until it is accepted. If nobody reinstalled the machine or replaced its SSH keys, someone may be in between: check the fingerprint on the machine's console first."</p>
                <p>"Pinned: " <code>{detail.host_key.clone().unwrap_or_default()}</code></p>
                <p>"Presented: " <code>{changed.clone()}</code></p>
                {may_accept.then(|| view! {
                    <PostForm action=accept attr:class="inline">
                        <Csrf/>
                        <FormError error=accept_error/>
                        <input type="hidden" name="backend" value=m.backend.clone()/>
                        <input type="hidden" name="machine" value=m.id.clone()/>
                        <input type="hidden" name="fingerprint" value=changed/>
                        <button type="submit" class="danger">"Accept new host key"</button>
                    </PostForm>
                })}
            </div>
        }})}
        <h2>"Keys that open it"</h2>
        {if detail.keys.is_empty() {
            view! { <p class="muted">"No key is associated with this machine; the default key is tried."</p> }.into_any()
        } else {
            view! {
                <table class="grid" data-testid="machine-keys">
                    <thead><tr><th>"Key"</th><th>"User"</th><th>"Sudo"</th><th>"Last used (UTC)"</th></tr></thead>
                    <tbody>
                        {detail.keys.into_iter().map(|k| view! {
                            <tr>
                                <td><a href="/keys">{k.key.clone()}</a></td>
                                <td data-label="User">{k.ssh_user.clone()}</td>
                                // Known once a login proved it.
                                <td data-label="Sudo">{match (k.last_used > 0, k.sudo) {
                                    (false, _) => "not known yet",
                                    (true, true) => "yes",
                                    (true, false) => "no",
                                }}</td>
                                <td data-label="Last used (UTC)">{if k.last_used > 0 { utc(k.last_used) } else { "not yet used".to_owned() }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

/// The machine's tags, edited as one comma-separated line.
#[component]
pub(super) fn TagsForm(machine: MachineSummary, tag: PostAction<SetMachineTags>) -> impl IntoView {
    let error = Signal::derive(move || tag.value().get().and_then(Result::err));
    let current = machine.tags.join(", ");
    machine.can_tag.then(|| {
        view! {
            <PostForm action=tag attr:class="inline" attr:data-testid="machine-tags">
                <Csrf/>
                <FormError error fields=&["tags"]/>
                <input type="hidden" name="backend" value=machine.backend.clone()/>
                <input type="hidden" name="machine" value=machine.id.clone()/>
                <label>"Tags " <input name="tags" value=current placeholder="env=prod, web" autocomplete="off"/></label>
                <button type="submit" class="secondary">"Save tags"</button>
                <FieldError error field="tags"/>
            </PostForm>
        }
    })
}

/// Deploys one of Overcast's keys to the machine through a key that works.
#[component]
pub(super) fn DeployKeyForm(
    machine: MachineSummary,
    deploy: PostAction<DeployKey>,
    keys: Loaded<Result<Vec<domain::inventory::KeySummary>, crate::error::AppError>>,
) -> impl IntoView {
    let error = Signal::derive(move || deploy.value().get().and_then(Result::err));
    let done = move || {
        deploy
            .value()
            .get()
            .and_then(Result::ok)
            .map(|user| format!("Deployed: the key now opens the machine as {user}."))
    };
    view! {
        <Transition fallback=|| ()>
            {move || {
                let machine = machine.clone();
                Suspend::new(async move {
                    let names: Vec<String> = keys.await.map(|k| k.into_iter().map(|k| k.id).collect()).unwrap_or_default();
                    (!names.is_empty()).then(|| view! {
                        <PostForm action=deploy attr:class="inline" attr:data-testid="deploy-key">
                            <Csrf/>
                            <FormError error fields=&["key"]/>
                            <input type="hidden" name="backend" value=machine.backend.clone()/>
                            <input type="hidden" name="machine" value=machine.id.clone()/>
                            <label>"Deploy key "
                                <select name="key">
                                    {names.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <FieldError error field="key"/>
                            <button type="submit" class="secondary">"Deploy to this machine"</button>
                            {move || done().map(|d| view! { <span class="muted" role="status">{d}</span> })}
                        </PostForm>
                    })
                })
            }}
        </Transition>
    }
}
