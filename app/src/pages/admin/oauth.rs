//! OAuth clients: the service accounts that stack agents and scripts use
//! through `POST /v3/access_token`.

use leptos::prelude::*;

use crate::islands::{groups::HomeIsland, page_island};

use crate::components::post_form::{PostAction, PostForm};
use crate::loaded::load;
use crate::{
    api::admin::{list_oauth_clients, CreateOauthClient, DeleteOauthClient},
    components::{
        action_button::ActionButton,
        confirm::ConfirmAction,
        form::{kept, reset_on_success, Csrf, FieldError, FormError, KeepFields},
    },
};

use super::AdminFrame;

/// The OAuth clients page (`/admin/oauth`).
#[component]
pub fn OAuthPage() -> impl IntoView {
    view! {
        <AdminFrame title="OAuth clients">
            {page_island(HomeIsland::OAuth)}
        </AdminFrame>
    }
}

/// The clients list and the new-client form.
#[component]
pub fn OAuthSection() -> impl IntoView {
    let create = PostAction::<CreateOauthClient>::new();
    let delete = PostAction::<DeleteOauthClient>::new();
    // The new client shows above the form, which is empty again for the next.
    let create_form = NodeRef::new();
    reset_on_success(create, create_form);
    let clients = load(
        move || (create.version().get(), delete.version().get()),
        |_| list_oauth_clients(),
    );
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    view! {
        <h2>"OAuth clients"</h2>
        <p class="muted">
            "A client acts with the roles attached to its username. Scripts get a token with "
            <code>"POST /v3/access_token"</code> " (grant_type client_credentials or password)."
        </p>
        {move || create.value().get().and_then(Result::ok).map(|c| view! {
            <p class="notice" data-testid="new-client">
                "Client " <code>{c.client_id}</code> " (username " <code>{c.username}</code> "), secret shown only now: "
                <code>{c.client_secret}</code>
            </p>
        })}
        <FormError error=delete_error/>
        <Transition fallback=|| view! { <p>"Loading clients…"</p> }>
            {move || Suspend::new(async move {
                match clients.await {
                    Ok(rows) if rows.is_empty() => view! { <p class="muted">"No OAuth clients."</p> }.into_any(),
                    Ok(rows) => view! {
                        <table class="grid" data-testid="oauth-clients">
                            <thead><tr><th>"Name"</th><th>"Client id"</th><th>"Username"</th><th></th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|c| view! {
                                    <tr>
                                        <td data-label="Name">{c.name.clone()}</td>
                                        <td data-label="Client id"><code>{c.client_id.clone()}</code></td>
                                        <td data-label="Username">{c.username.clone()}</td>
                                        <td>
                                            <ConfirmAction summary="Delete">
                                                <ActionButton action=delete fields=vec![("client_id", c.client_id.clone())] class="danger">"Delete the client and its tokens"</ActionButton>
                                            </ConfirmAction>
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        <PostForm action=create node_ref=create_form attr:class="stacked narrow" attr:id="new-client">
            <Csrf/>
            <FormError error fields=&["name"]/>
            <KeepFields fields=&["name"]/>
            <label>"Name" <input name="name" required value={kept::<CreateOauthClient>("name")}/></label>
            <FieldError error field="name"/>
            <button type="submit">"Create client"</button>
        </PostForm>
    }
}
