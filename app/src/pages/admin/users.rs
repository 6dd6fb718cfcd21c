//! Users: create, disable or enable, delete; their roles.

use leptos::prelude::*;

use crate::{
    api::admin::{
        list_users, AttachRole, CreateUser, DeleteUser, DetachRole, PasswordLink, SetUserDisabled,
    },
    components::form::{Csrf, FieldError, FormError},
};

/// The users table and the new-user form.
#[component]
pub fn UsersSection() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let disable = ServerAction::<SetUserDisabled>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let attach = expect_context::<ServerAction<AttachRole>>();
    let detach = ServerAction::<DetachRole>::new();
    let link = ServerAction::<PasswordLink>::new();
    let shown_link = move || {
        link.value()
            .get()
            .and_then(Result::ok)
            .or_else(|| create.value().get().and_then(Result::ok).flatten())
    };
    let users = Resource::new(
        move || {
            (
                create.version().get(),
                disable.version().get(),
                delete.version().get(),
                attach.version().get(),
                detach.version().get(),
            )
        },
        |_| list_users(),
    );
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <h2>"Users"</h2>
        {move || shown_link().map(|url| view! {
            <p class="notice" data-testid="password-link">
                "One-time link for setting a password (valid 72 hours, shown only now): " <code>{url}</code>
            </p>
        })}
        <Transition fallback=|| view! { <p>"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(rows) => view! {
                        <table class="grid" data-testid="users">
                            <thead><tr><th>"Username"</th><th>"Email"</th><th>"Status"</th><th>"Roles"</th><th></th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|u| {
                                    let name = u.username.clone();
                                    let status = if u.is_master { "master" } else if u.disabled { "disabled" } else { "active" };
                                    view! {
                                        <tr>
                                            <td>{if u.is_master { "(master)".to_owned() } else { u.username.clone() }}</td>
                                            <td>{u.email.clone()}</td>
                                            <td>{status}</td>
                                            <td>
                                                {u.roles.iter().map(|(id, role)| {
                                                    let (id, role, name) = (id.clone(), role.clone(), name.clone());
                                                    view! {
                                                        <ActionForm action=detach attr:class="inline">
                                                            <Csrf/>
                                                            <input type="hidden" name="username" value=name/>
                                                            <input type="hidden" name="role_id" value=id/>
                                                            <span class="chip">{role}</span>
                                                            <button type="submit" class="link" title="Detach">"×"</button>
                                                        </ActionForm>
                                                    }
                                                }).collect_view()}
                                            </td>
                                            <td class="actions">
                                                {(!u.is_master).then(|| {
                                                    let (n0, n1, n2) = (name.clone(), name.clone(), name.clone());
                                                    let next = (!u.disabled).to_string();
                                                    let label = if u.disabled { "Enable" } else { "Disable" };
                                                    view! {
                                                        <ActionForm action=link attr:class="inline">
                                                            <Csrf/>
                                                            <input type="hidden" name="username" value=n0/>
                                                            <button type="submit" class="secondary">"Password link"</button>
                                                        </ActionForm>
                                                        <ActionForm action=disable attr:class="inline">
                                                            <Csrf/>
                                                            <input type="hidden" name="username" value=n1/>
                                                            <input type="hidden" name="disabled" value=next/>
                                                            <button type="submit" class="secondary">{label}</button>
                                                        </ActionForm>
                                                        <details class="confirm">
                                                            <summary>"Delete"</summary>
                                                            <ActionForm action=delete attr:class="inline">
                                                                <Csrf/>
                                                                <input type="hidden" name="username" value=n2.clone()/>
                                                                <button type="submit" class="danger">{format!("Delete {n2} for good")}</button>
                                                            </ActionForm>
                                                        </details>
                                                    }
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        <h3>"New user"</h3>
        <ActionForm action=create attr:class="stacked narrow" attr:id="new-user">
            <Csrf/>
            <FormError error/>
            <label>"Username" <input name="username" required autocomplete="off"/></label>
            <FieldError error field="username"/>
            <label>"Email" <input type="email" name="email" required autocomplete="off"/></label>
            <FieldError error field="email"/>
            <label>"Password (at least 10 characters; leave empty to give the user a one-time link instead)" <input type="password" name="password" autocomplete="new-password"/></label>
            <FieldError error field="password"/>
            <button type="submit">"Create user"</button>
        </ActionForm>
    }
}
