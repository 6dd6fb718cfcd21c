//! The Users page: create, disable or enable, delete; their roles,
//! attached and detached from each user's row.

use leptos::prelude::*;

#[cfg(feature = "islands")]
use crate::islands::{groups::HomeIsland, page_island};

use crate::components::post_form::{PostAction, PostForm};
use crate::loaded::{load, LoadedOnce};
use crate::{
    api::admin::{
        list_roles, list_users, AttachRole, CreateUser, DeleteUser, DetachRole, PasswordLink,
        ResetTwoFactor, SetUserDisabled,
    },
    components::{
        action_button::ActionButton,
        confirm::ConfirmAction,
        form::{kept, reset_on_success, Csrf, FieldError, FormError, KeepFields},
    },
    shown_once,
};

use super::AdminFrame;

/// The Users page (`/admin` and `/admin/users`).
#[component]
pub fn UsersPage() -> impl IntoView {
    // A password link a plain form post (no JavaScript) made; taken here, at
    // the page's top level, for the section inside the frame's Transition.
    #[cfg(not(feature = "islands"))]
    {
        let taken_link = shown_once::take(shown_once::PASSWORD_LINK);
        view! {
            <AdminFrame title="Users">
                <UsersSection taken_link/>
            </AdminFrame>
        }
    }
    #[cfg(feature = "islands")]
    view! {
        <AdminFrame title="Users">
            {page_island(HomeIsland::Users)}
        </AdminFrame>
    }
}

/// The Users section as an island (islands mode, where the frame has no
/// Transition): it takes the password link itself.
#[component]
pub fn UsersIsland() -> impl IntoView {
    let taken_link = shown_once::take(shown_once::PASSWORD_LINK);
    view! { <UsersSection taken_link/> }
}

/// The users table and the new-user form. `taken_link`: a password link
/// made by a plain form post (no JavaScript), see [`shown_once::take`].
#[component]
fn UsersSection(taken_link: LoadedOnce<Option<String>>) -> impl IntoView {
    let create = PostAction::<CreateUser>::new();
    let disable = PostAction::<SetUserDisabled>::new();
    let delete = PostAction::<DeleteUser>::new();
    let attach = PostAction::<AttachRole>::new();
    let detach = PostAction::<DetachRole>::new();
    let link = PostAction::<PasswordLink>::new();
    let reset = PostAction::<ResetTwoFactor>::new();
    let shown_link = move || {
        link.value()
            .get()
            .and_then(Result::ok)
            .or_else(|| create.value().get().and_then(Result::ok).flatten())
    };
    let users = load(
        move || {
            (
                create.version().get(),
                disable.version().get(),
                delete.version().get(),
                attach.version().get(),
                detach.version().get(),
                reset.version().get(),
            )
        },
        |_| list_users(),
    );
    let roles = load(|| (), |_| list_roles());
    let attach_error = Signal::derive(move || attach.value().get().and_then(Result::err));
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    // The new user's password leaves the form once the user is made.
    let create_form = NodeRef::new();
    reset_on_success(create, create_form);
    let detach_error = Signal::derive(move || detach.value().get().and_then(Result::err));
    let link_error = Signal::derive(move || link.value().get().and_then(Result::err));
    let disable_error = Signal::derive(move || disable.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let reset_error = Signal::derive(move || reset.value().get().and_then(Result::err));
    view! {
        <h2>"Users"</h2>
        {shown_once::show(taken_link, shown_link, |url| view! {
            <p class="notice" data-testid="password-link">
                "One-time link for setting a password (valid 72 hours, shown only now): " <code>{url}</code>
            </p>
        })}
        // The table's own forms (detach, password link, disable, delete).
        <FormError error=attach_error/>
        <FormError error=detach_error/>
        <FormError error=link_error/>
        <FormError error=disable_error/>
        <FormError error=delete_error/>
        <FormError error=reset_error/>
        <Transition fallback=|| view! { <p>"Loading users…"</p> }>
            {move || Suspend::new(async move {
                let all_roles = roles.await.unwrap_or_default();
                match users.await {
                    Ok(rows) => view! {
                        <table class="grid" data-testid="users">
                            <thead><tr><th>"Username"</th><th>"Email"</th><th>"Status"</th><th>"2FA"</th><th>"Roles"</th><th></th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|u| {
                                    let name = u.username.clone();
                                    let status = if u.is_master { "master" } else if u.disabled { "disabled" } else { "active" };
                                    view! {
                                        <tr>
                                            <td data-label="Username">{if u.is_master { "(master)".to_owned() } else { u.username.clone() }}</td>
                                            <td data-label="Email">{u.email.clone()}</td>
                                            <td data-label="Status">{status}</td>
                                            <td data-label="2FA" data-testid="two-factor">{if u.two_factor { "on" } else { "off" }}</td>
                                            <td data-label="Roles">
                                                {u.roles.iter().map(|(id, role)| {
                                                    let (id, role, name) = (id.clone(), role.clone(), name.clone());
                                                    view! {
                                                        <PostForm action=detach attr:class="inline">
                                                            <Csrf/>
                                                            <input type="hidden" name="username" value=name/>
                                                            <input type="hidden" name="role_id" value=id/>
                                                            <span class="chip">{role}</span>
                                                            <button type="submit" class="link" title="Detach">"×"</button>
                                                        </PostForm>
                                                    }
                                                }).collect_view()}
                                                {(!u.is_master).then(|| view! {
                                                    <AttachForm action=attach username=name.clone() attached=u.roles.iter().map(|(id, _)| id.clone()).collect() roles=all_roles.clone()/>
                                                })}
                                            </td>
                                            <td class="actions">
                                                {(!u.is_master).then(|| {
                                                    let (n0, n1, n2) = (name.clone(), name.clone(), name.clone());
                                                    let next = (!u.disabled).to_string();
                                                    let label = if u.disabled { "Enable" } else { "Disable" };
                                                    view! {
                                                        <ActionButton action=link fields=vec![("username", n0)] class="secondary">"Password link"</ActionButton>
                                                        {if u.disabled {
                                                            view! {
                                                                <ActionButton action=disable fields=vec![("username", n1), ("disabled", next)] class="secondary">{label}</ActionButton>
                                                            }.into_any()
                                                        } else {
                                                            let warning = format!(
                                                                "Disabling {n1} ends their sessions and revokes their API tokens at once; \
                                                                 enabling them again does not bring the tokens back."
                                                            );
                                                            view! {
                                                                <ConfirmAction summary="Disable" warning>
                                                                    <ActionButton action=disable fields=vec![("username", n1.clone()), ("disabled", next)] class="danger">{format!("Disable {n1}")}</ActionButton>
                                                                </ConfirmAction>
                                                            }.into_any()
                                                        }}
                                                        {u.two_factor.then(|| {
                                                            let n3 = name.clone();
                                                            let warning = format!(
                                                                "{n3} then signs in with their password alone (and enrols again if two-factor sign-in is required)."
                                                            );
                                                            view! {
                                                                <ConfirmAction summary="Reset two-factor" warning>
                                                                    <ActionButton action=reset fields=vec![("username", n3.clone())] class="danger">{format!("Reset two-factor sign-in of {n3}")}</ActionButton>
                                                                </ConfirmAction>
                                                            }
                                                        })}
                                                        <ConfirmAction summary="Delete">
                                                            <ActionButton action=delete fields=vec![("username", n2.clone())] class="danger">{format!("Delete {n2} for good")}</ActionButton>
                                                        </ConfirmAction>
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
        <PostForm action=create node_ref=create_form attr:class="stacked narrow" attr:id="new-user">
            <Csrf/>
            <FormError error fields=&["username", "email", "password"]/>
            <KeepFields fields=&["username", "email"]/>
            <label>"Username" <input name="username" required autocomplete="off" value={kept::<CreateUser>("username")}/></label>
            <FieldError error field="username"/>
            <label>"Email" <input type="email" name="email" required autocomplete="off" value={kept::<CreateUser>("email")}/></label>
            <FieldError error field="email"/>
            <label>"Password (at least 10 characters; leave empty to give the user a one-time link instead)" <input type="password" name="password" autocomplete="new-password"/></label>
            <FieldError error field="password"/>
            <button type="submit">"Create user"</button>
        </PostForm>
    }
}

/// The attach form in a user's row: the roles not yet attached, and Attach.
#[component]
fn AttachForm(
    action: PostAction<AttachRole>,
    username: String,
    /// Ids of the roles the user has.
    attached: Vec<String>,
    roles: Vec<crate::api::admin::RoleRow>,
) -> impl IntoView {
    let offered: Vec<_> = roles
        .into_iter()
        .filter(|r| !attached.contains(&r.id))
        .collect();
    (!offered.is_empty()).then(|| {
        let label = format!("Role to attach to {username}");
        view! {
            <PostForm action attr:class="inline attach" attr:data-testid="attach-role">
                <Csrf/>
                <input type="hidden" name="username" value=username/>
                <select name="role_id" aria-label=label required>
                    {offered.into_iter().map(|r| view! { <option value=r.id>{r.name}</option> }).collect_view()}
                </select>
                <button type="submit" class="secondary">"Attach"</button>
            </PostForm>
        }
    })
}
