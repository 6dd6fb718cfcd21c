//! One row of the backends table, with only the buttons the caller may use.

use domain::providers;
use leptos::prelude::*;

use crate::components::post_form::{PostAction, PostForm};
use crate::{
    api::backends::{
        BackendRow as Row, DeleteBackend, RenameBackend, SetBackendDefaultImage, SetBackendEnabled,
    },
    components::{action_button::ActionButton, confirm::ConfirmAction, form::Csrf},
    paths::encode_segment,
};

/// The actions of the backends table's rows.
#[derive(Clone, Copy)]
pub(super) struct RowActions {
    pub rename: PostAction<RenameBackend>,
    pub image: PostAction<SetBackendDefaultImage>,
    pub enable: PostAction<SetBackendEnabled>,
    pub delete: PostAction<DeleteBackend>,
}

/// One backend and what the caller may do to it.
#[component]
pub(super) fn BackendRow(row: Row, actions: RowActions) -> impl IntoView {
    let (b, may) = (row.backend, row.may);
    let provider =
        providers::find(&b.provider).map_or_else(|| b.provider.clone(), |p| p.title.to_owned());
    let title = b.title.clone();
    let create = (b.can_create && may.create_machine).then(|| {
        view! {
            <a href=format!("/backends/{}/create", encode_segment(&b.id)) class="button secondary">"Create machine"</a>
        }
    });
    let edit = may.edit.then(|| {
        let title = title.clone();
        let next = (!b.enabled).to_string();
        let (id_rename, id_image, id_enable) = (b.id.clone(), b.id.clone(), b.id.clone());
        let rename_label = format!("New title for {title}");
        let image_label = format!("Default image of {title} (an image id; empty removes it)");
        let default_image = b.default_image.clone().unwrap_or_default();
        let disable_label = format!("Disable {title}");
        let toggle = if b.enabled {
            let warning = "Overcast stops polling it and creates no machines on it until it is enabled again.";
            view! {
                <ConfirmAction summary="Disable" warning>
                    <ActionButton action=actions.enable fields=vec![("id", id_enable), ("enabled", next)] class="danger">{disable_label}</ActionButton>
                </ConfirmAction>
            }
            .into_any()
        } else {
            view! { <ActionButton action=actions.enable fields=vec![("id", id_enable), ("enabled", next)] class="secondary">"Enable"</ActionButton> }.into_any()
        };
        view! {
            <details class="edit">
                <summary>"Rename"</summary>
                <PostForm action=actions.rename attr:class="inline">
                    <Csrf/>
                    <input type="hidden" name="id" value=id_rename/>
                    <input name="new_name" required value=title.clone() aria-label=rename_label/>
                    <button type="submit" class="secondary">"Rename"</button>
                </PostForm>
            </details>
            <details class="edit">
                <summary>"Default image"</summary>
                <p class="muted">"What a stack template's " <code>"\"image\": \"${computed}\""</code> " takes here."</p>
                <PostForm action=actions.image attr:class="inline">
                    <Csrf/>
                    <input type="hidden" name="id" value=id_image/>
                    <input name="default_image" value=default_image aria-label=image_label placeholder="image id"/>
                    <button type="submit" class="secondary">"Save"</button>
                </PostForm>
            </details>
            {toggle}
        }
        .into_any()
    });
    let id_delete = b.id.clone();
    let delete_label =
        format!("Forget {title} and its machines (nothing is destroyed at the provider)");
    let delete = may.delete.then(|| {
        view! {
            <ConfirmAction summary="Delete">
                <ActionButton action=actions.delete fields=vec![("id", id_delete)] class="danger">{delete_label}</ActionButton>
            </ConfirmAction>
        }
    });
    view! {
        <tr data-backend=b.id.clone()>
            <td data-label="Title"><strong>{b.title.clone()}</strong></td>
            <td data-label="Provider">
                {provider}{b.region.clone().map(|r| format!(" ({r})"))}
                {b.default_image.clone().map(|i| view! { <br/><span class="muted">"default image: " {i}</span> })}
            </td>
            <td data-label="State">
                <span class=format!("state {}", b.state)>{b.state.as_str()}</span>
                {b.state_reason.clone().map(|r| view! { <br/><span class="muted">{r}</span> })}
            </td>
            <td data-label="Enabled">{if b.enabled { "yes" } else { "no" }}</td>
            <td class="actions"><div class="backend-actions">{create}{edit}{delete}</div></td>
        </tr>
    }
}
