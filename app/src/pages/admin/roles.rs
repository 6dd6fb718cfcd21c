//! The Roles page: their scopes, a new-role form with the action
//! vocabulary beside it, and attaching roles to users by username.

use domain::rbac::ACTIONS;
use leptos::prelude::*;

use crate::islands::{groups::HomeIsland, page_island};

use crate::components::post_form::{PostAction, PostForm};
use crate::loaded::load;
use crate::{
    api::admin::{list_roles, AttachRole, CreateRole, DeleteRole},
    components::{
        action_button::ActionButton,
        confirm::ConfirmAction,
        form::{kept, on_success, reset_on_success, Csrf, FieldError, FormError, KeepFields},
        statement_builder::StatementBuilder,
    },
};

use super::AdminFrame;

/// The Roles page (`/admin/roles`).
#[component]
pub fn RolesPage() -> impl IntoView {
    view! {
        <AdminFrame title="Roles">
            {page_island(HomeIsland::Roles)}
        </AdminFrame>
    }
}

const STARTER_SCOPE: &str = r#"{
  "version": "2017-05-05",
  "Statement": [
    {"Effect": "Allow", "Action": ["view:*"], "Resource": ["*"]}
  ]
}"#;

/// The roles list, the new-role form and the attach form.
#[component]
pub fn RolesSection() -> impl IntoView {
    let create = PostAction::<CreateRole>::new();
    let delete = PostAction::<DeleteRole>::new();
    let attach = PostAction::<AttachRole>::new();
    let roles = load(
        move || (create.version().get(), delete.version().get()),
        |_| list_roles(),
    );
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let attach_error = Signal::derive(move || attach.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    // A refused plain post (no JavaScript) comes back with its scope.
    let first_scope = kept::<CreateRole>("scope").unwrap_or_else(|| STARTER_SCOPE.to_owned());
    let scope = RwSignal::new(first_scope.clone());
    // Once a role is made, the form starts over: its name emptied, the
    // scope and the statement rows (the builder's own state) back to the
    // starter.
    let new_role = NodeRef::<leptos::html::Form>::new();
    let made = RwSignal::new(0_u32);
    reset_on_success(create, new_role);
    on_success(create, move || {
        scope.set(STARTER_SCOPE.to_owned());
        made.update(|n| *n += 1);
    });
    view! {
        <h2>"Roles"</h2>
        <FormError error=delete_error/>
        <Transition fallback=|| view! { <p>"Loading roles…"</p> }>
            {move || Suspend::new(async move {
                match roles.await {
                    Ok(rows) => view! {
                        <div class="roles" data-testid="roles">
                            {rows.iter().map(|r| {
                                let id = r.id.clone();
                                view! {
                                    <article class="role">
                                        <header>
                                            <strong>{r.name.clone()}</strong>
                                            <code class="muted">{r.id.clone()}</code>
                                            <ConfirmAction summary="Delete">
                                                <ActionButton action=delete fields=vec![("role_id", id)] class="danger">"Delete this role and detach it from everyone"</ActionButton>
                                            </ConfirmAction>
                                        </header>
                                        <pre>{r.scope.clone()}</pre>
                                    </article>
                                }
                            }).collect_view()}
                        </div>
                        {if rows.is_empty() {
                            view! {
                                <p class="muted" data-testid="no-roles">
                                    "No role yet: create one below, then attach it to a user here or on the Users page."
                                </p>
                            }.into_any()
                        } else {
                            view! {
                                <h3>"Attach a role"</h3>
                                <PostForm action=attach attr:class="stacked narrow" attr:id="attach-role">
                                    <Csrf/>
                                    <FormError error=attach_error/>
                                    <KeepFields fields=&["username"]/>
                                    <label>"Username" <input name="username" required value={kept::<AttachRole>("username")}/></label>
                                    <label>"Role"
                                        <select name="role_id" required>
                                            {rows.iter().map(|r| view! { <option value=r.id.clone()>{r.name.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <button type="submit">"Attach"</button>
                                </PostForm>
                            }.into_any()
                        }}
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        <h3>"New role"</h3>
        <div class="role-editor">
            <PostForm action=create node_ref=new_role attr:class="stacked" attr:id="new-role">
                <Csrf/>
                <FormError error fields=&["name", "scope"]/>
                <KeepFields fields=&["name", "scope"]/>
                <label>"Name" <input name="name" required value={kept::<CreateRole>("name")}/></label>
                <FieldError error field="name"/>
                <StatementBuilder scope restart=made/>
                <label>"Scope (JSON: Effect Allow or Deny, Action, Resource; * and ? match anything)"
                    <textarea
                        name="scope"
                        rows="10"
                        spellcheck="false"
                        prop:value=move || scope.get()
                        on:input=move |ev| scope.set(event_target_value(&ev))
                    >
                        {first_scope}
                    </textarea>
                </label>
                <FieldError error field="scope"/>
                <button type="submit">"Create role"</button>
            </PostForm>
            <aside class="vocabulary">
                <h4>"Actions"</h4>
                <dl>
                    {ACTIONS.iter().map(|a| view! { <dt><code>{a.name}</code></dt><dd>{a.description}</dd> }).collect_view()}
                </dl>
            </aside>
        </div>
    }
}
