//! My account: the signed-in user's password and API tokens.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::account::{list_tokens, ChangePassword, CreateToken, RevokeToken},
    components::form::{Csrf, FieldError, FormError},
    pages::admin::utc,
};

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    let pw_error = Signal::derive(move || change.value().get().and_then(Result::err));
    let token_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let new_token = move || create.value().get().and_then(Result::ok);
    view! {
        <Title text="My account"/>
        <section class="page">
            <h1>"My account"</h1>
            <h2>"API tokens"</h2>
            <p class="muted">"Use a token as " <code>"Authorization: Token <token>"</code> ". It can never do more than you can; a token unused for 90 days is removed."</p>
            {move || new_token().map(|t| view! {
                <p class="notice" data-testid="new-token">"Your new token (shown only now): " <code>{t}</code></p>
            })}
            <Transition fallback=|| view! { <p>"Loading tokens…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="muted">"No tokens yet."</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="grid" data-testid="tokens">
                                <thead><tr><th>"Name"</th><th>"Created"</th><th>"Expires"</th><th>"Last used"</th><th></th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|t| view! {
                                        <tr>
                                            <td>{t.name.clone()}</td>
                                            <td>{utc(t.created_at)}</td>
                                            <td>{t.expires_at.map(utc).unwrap_or_else(|| "never".into())}</td>
                                            <td>{utc(t.last_used_at)}</td>
                                            <td>
                                                <ActionForm action=revoke attr:class="inline">
                                                    <Csrf/>
                                                    <input type="hidden" name="id" value=t.id.clone()/>
                                                    <button type="submit" class="danger">"Revoke"</button>
                                                </ActionForm>
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
            <ActionForm action=create attr:class="stacked narrow" attr:id="new-token">
                <Csrf/>
                <FormError error=token_error/>
                <label>"Name" <input name="name" required/></label>
                <FieldError error=token_error field="name"/>
                <label>"Lifetime in days (empty: until unused for 90 days)" <input name="ttl_days" inputmode="numeric"/></label>
                <FieldError error=token_error field="ttl_days"/>
                <label>"Narrower scope (optional JSON, like a role's; the token gets what both you and it allow)"
                    <textarea name="scope" rows="4" spellcheck="false"></textarea>
                </label>
                {move || token_error.get().and_then(|e| {
                    e.0.field().filter(|f| f.starts_with("scope")).map(|f| {
                        view! { <p class="field-error" role="alert">{format!("{f}: {}", e.for_field(f).unwrap_or_default())}</p> }
                    })
                })}
                <button type="submit">"Create token"</button>
            </ActionForm>
            <h2>"Password"</h2>
            {move || matches!(change.value().get(), Some(Ok(()))).then(|| view! { <p class="notice">"Password changed."</p> })}
            <ActionForm action=change attr:class="stacked narrow" attr:id="change-password">
                <Csrf/>
                <FormError error=pw_error/>
                <label>"Current password" <input type="password" name="current_password" required autocomplete="current-password"/></label>
                <FieldError error=pw_error field="current_password"/>
                <label>"New password (at least 10 characters)" <input type="password" name="password" required autocomplete="new-password"/></label>
                <FieldError error=pw_error field="password"/>
                <button type="submit">"Change password"</button>
            </ActionForm>
        </section>
    }
}
