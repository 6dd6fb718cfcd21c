//! My account: the signed-in user's password, API tokens and two-factor
//! sign-in.

use leptos::prelude::*;

use crate::islands::{groups::HomeIsland, page_island};

use crate::components::post_form::{PostAction, PostForm};
use crate::components::title::PageTitle;
use crate::loaded::load;
use crate::{
    api::account::{list_tokens, ChangePassword, CreateToken, RevokeToken},
    components::{
        action_button::ActionButton,
        confirm::ConfirmAction,
        form::{kept, reset_on_success, Csrf, FieldError, FormError, KeepFields},
        format::utc,
    },
    pages::two_factor::TwoFactorSection,
    shown_once,
};

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <PageTitle text="My account"/>
        {page_island(HomeIsland::Account)}
    }
}

/// Everything under the page's title (an island in islands mode).
#[component]
pub fn AccountView() -> impl IntoView {
    let change = PostAction::<ChangePassword>::new();
    let create = PostAction::<CreateToken>::new();
    let revoke = PostAction::<RevokeToken>::new();
    let tokens = load(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    let pw_error = Signal::derive(move || change.value().get().and_then(Result::err));
    // The passwords leave the form once the change is made.
    let pw_form = NodeRef::new();
    reset_on_success(change, pw_form);
    let token_error = Signal::derive(move || create.value().get().and_then(Result::err));
    // The new token shows above the form, which is empty again for the next.
    let token_form = NodeRef::new();
    reset_on_success(create, token_form);
    let revoke_error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    let new_token = move || create.value().get().and_then(Result::ok);
    // What a plain form post (no JavaScript) created.
    let taken_token = shown_once::take(shown_once::TOKEN);
    let taken_codes = shown_once::take(shown_once::RECOVERY_CODES);
    // The master requires two-factor sign-in and this account has none:
    // only enrolling is open until it is done.
    // Read here, not from the page's session context: an island has none.
    let info = load(|| (), |()| crate::api::session::get_session_info());
    view! {
        <section class="page" on:click=crate::address::follow_same_page_links>
            <h1>"My account"</h1>
            <TwoFactorSection taken_codes/>
            <Transition fallback=|| ()>
            {move || Suspend::new(async move {
            let enrol_only = info.await.is_ok_and(|i| i.enrol_two_factor);
            (!enrol_only).then(|| view! {
            <h2>"API tokens"</h2>
            <p class="muted">"Use a token as " <code>"Authorization: Token <token>"</code> ". It can never do more than you can; a token unused for 90 days is removed."</p>
            {shown_once::show(taken_token, new_token, |t| view! {
                <p class="notice" data-testid="new-token">"Your new token (shown only now): " <code>{t}</code></p>
            })}
            <FormError error=revoke_error/>
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
                                            <td data-label="Name">{t.name.clone()}</td>
                                            <td data-label="Created">{utc(t.created_at)}</td>
                                            <td data-label="Expires">{t.expires_at.map(utc).unwrap_or_else(|| "never".into())}</td>
                                            <td data-label="Last used">{last_used(t.created_at, t.last_used_at)}</td>
                                            <td>
                                                <ConfirmAction summary="Revoke" warning="Whatever uses this token is refused from now on.">
                                                    <ActionButton action=revoke fields=vec![("id", t.id.clone())] class="danger">{format!("Revoke {}", t.name)}</ActionButton>
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
            <PostForm action=create node_ref=token_form attr:class="stacked narrow" attr:id="new-token">
                <Csrf/>
                <FormError error=token_error fields=&["name", "ttl_days", "scope"]/>
                <KeepFields fields=&["name", "ttl_days", "scope"]/>
                <label>"Name" <input name="name" required value={kept::<CreateToken>("name")}/></label>
                <FieldError error=token_error field="name"/>
                <label>"Lifetime in days (empty: until unused for 90 days)" <input name="ttl_days" inputmode="numeric" value={kept::<CreateToken>("ttl_days")}/></label>
                <FieldError error=token_error field="ttl_days"/>
                <label>"Narrower scope (optional JSON, like a role's; the token gets what both you and it allow)"
                    <textarea name="scope" rows="4" spellcheck="false">{kept::<CreateToken>("scope")}</textarea>
                </label>
                <FieldError error=token_error field="scope"/>
                <button type="submit">"Create token"</button>
            </PostForm>
            <h2>"Password"</h2>
            {move || matches!(change.value().get(), Some(Ok(()))).then(|| view! { <p class="notice">"Password changed; your other sessions have ended."</p> })}
            <PostForm action=change node_ref=pw_form attr:class="stacked narrow" attr:id="change-password">
                <Csrf/>
                <FormError error=pw_error fields=&["current_password", "password"]/>
                <label>"Current password" <input type="password" name="current_password" required autocomplete="current-password"/></label>
                <FieldError error=pw_error field="current_password"/>
                <label>"New password (at least 10 characters)" <input type="password" name="password" required autocomplete="new-password"/></label>
                <FieldError error=pw_error field="password"/>
                <label class="check"><input type="checkbox" name="revoke_tokens" value="on"/>" Also revoke all my API tokens"</label>
                <p class="muted">"Your other sessions end; this one stays."</p>
                <button type="submit">"Change password"</button>
            </PostForm>
            })
            })}
            </Transition>
        </section>
    }
}

/// A token's last use: a token's clock starts at its creation (the 90 days
/// count from there), and a use is recorded to the minute, so a token whose
/// last use is its creation has no use on record.
fn last_used(created_at: i64, last_used_at: i64) -> String {
    if last_used_at <= created_at {
        "no use recorded yet".into()
    } else {
        utc(last_used_at)
    }
}

#[cfg(test)]
mod tests {
    use super::last_used;

    #[test]
    fn a_token_used_since_its_creation_shows_when() {
        assert_eq!(last_used(1_000, 1_000), "no use recorded yet");
        assert_ne!(last_used(1_000, 61_000), "no use recorded yet");
        assert!(last_used(0, 1_796_457_600_000).starts_with("2026-12-05"));
    }
}
