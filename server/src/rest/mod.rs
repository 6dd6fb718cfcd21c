//! The REST API. Every route is declared with `utoipa` through
//! `OpenApiRouter`, so a route cannot exist without its OpenAPI entry.

pub mod account;
pub mod alm;
pub mod alm_agent;
pub mod alm_update;
pub mod answers;
pub mod backends;
pub mod dashboard;
pub mod events;
pub mod extract;
pub mod health;
pub mod keys;
pub mod machine_record;
pub mod machines;
pub mod machines_fleet;
pub mod metrics;
pub mod oauth;
pub mod openapi;
pub mod roles;
pub mod scripts;
pub mod shell;
pub mod template_body;
pub mod terminal;
pub mod tokens;
pub mod two_factor;
pub mod users;

use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use self::openapi::Security;
use crate::AppState;

/// The API's top-level description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Overcast API",
        description = "Self-hosted multi-cloud control panel. Authenticate with a session \
                       cookie (plus X-CSRFToken on writes), or with API credentials."
    ),
    tags(
        (name = "system", description = "Health, readiness and metrics"),
        (name = "tokens", description = "The caller's API tokens"),
        (name = "roles", description = "Roles (IAM-style scopes) and their attachment to users"),
        (name = "users", description = "Users of this installation"),
        (name = "auth", description = "OAuth2 tokens, mist.io sign-in, OAuth clients"),
        (name = "audit", description = "Who did what, when, from where"),
        (name = "keys", description = "SSH keys (mist.io v1 shapes)"),
        (name = "backends", description = "The provider catalogue and cloud accounts (mist.io v1 shapes)"),
        (name = "machines", description = "Machines, their host keys, the shell and the terminal"),
        (name = "events", description = "Changes as they happen (Server-Sent Events)"),
        (name = "stacks", description = "Stacks (Mobingi ALM v3): templates applied as machines"),
        (name = "dashboard", description = "The Home page's summary, as the caller may see it"),
    ),
    modifiers(&Security)
)]
pub struct ApiDoc;

/// Every REST route, with its documentation.
pub fn router() -> OpenApiRouter<AppState> {
    let mut router = routes();
    openapi::complete(router.get_openapi_mut());
    router
}

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics::metrics))
        .routes(routes!(openapi::openapi_json))
        .routes(routes!(tokens::create_token, tokens::list_tokens))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(roles::role_templates))
        .routes(routes!(roles::list_roles, roles::create_role))
        .routes(routes!(roles::update_role, roles::delete_role))
        .routes(routes!(roles::my_roles, roles::attach_role))
        .routes(routes!(roles::reattach_role, roles::detach_role))
        .routes(routes!(roles::user_roles))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::update_user, users::delete_user))
        .routes(routes!(users::password_link))
        .routes(routes!(account::change_password))
        .routes(routes!(
            two_factor::status,
            two_factor::begin,
            two_factor::remove
        ))
        .routes(routes!(two_factor::confirm))
        .routes(routes!(two_factor::reset))
        .routes(routes!(
            two_factor::requirement,
            two_factor::set_requirement
        ))
        .routes(routes!(account::audit))
        .routes(routes!(oauth::access_token))
        .routes(routes!(oauth::mist_auth))
        .routes(routes!(oauth::list_clients, oauth::create_client))
        .routes(routes!(oauth::delete_client))
        .routes(routes!(
            keys::list_keys,
            keys::import_key,
            keys::generate_key_mist
        ))
        .routes(routes!(keys::generate_key))
        .routes(routes!(
            keys::rename_key,
            keys::set_default_key,
            keys::delete_key
        ))
        .routes(routes!(keys::public_key))
        .routes(routes!(keys::private_key))
        .routes(routes!(keys::associate_key, keys::disassociate_key))
        .routes(routes!(keys::deploy_key))
        .routes(routes!(backends::providers))
        .routes(routes!(backends::list_backends, backends::add_backend))
        .routes(routes!(
            backends::rename_backend,
            backends::toggle_backend,
            backends::delete_backend
        ))
        .routes(routes!(
            machines_fleet::list_machines,
            machines::create_machine
        ))
        .routes(routes!(machines_fleet::fleet))
        .routes(routes!(
            machines_fleet::columns,
            machines_fleet::set_columns
        ))
        .routes(routes!(machines::machine_detail, machines::machine_action))
        .routes(routes!(machines::set_tags))
        .routes(routes!(machines::add_tag, machines::remove_tag_named))
        .routes(routes!(machines::remove_tag))
        .routes(routes!(machines::sizes))
        .routes(routes!(machines::images, machines::search_images))
        .routes(routes!(machines::star_image))
        .routes(routes!(machines::locations))
        .routes(routes!(machines::accept_host_key))
        .routes(routes!(machines::probe_machine))
        .routes(routes!(machine_record::forget_machine))
        .routes(routes!(shell::shell))
        .routes(routes!(scripts::start_script, scripts::list_scripts))
        .routes(routes!(scripts::script_run))
        .routes(routes!(scripts::follow_script))
        .routes(routes!(terminal::terminal))
        .routes(routes!(events::events))
        .routes(routes!(alm::apply_template, alm::list_versions))
        .routes(routes!(alm::list_stacks))
        .routes(routes!(alm::describe_stack, alm::delete_stack))
        .routes(routes!(alm::template_version, alm_update::update_template))
        .routes(routes!(alm::compare))
        .routes(routes!(alm_agent::agent_status))
        .routes(routes!(alm_agent::container_status))
        .routes(routes!(alm_agent::config))
        .routes(routes!(dashboard::dashboard))
}
