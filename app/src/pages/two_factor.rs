//! The Account page's two-factor sign-in: its state; enrolling (a QR code
//! and the secret as text, confirmed with a code, then the recovery codes
//! shown once); turning it off with a code. Every step is a form, so it
//! works without JavaScript too: a pending enrolment's secret shows again
//! from the server until it is confirmed, and the recovery codes come back
//! through [`shown_once`].

use leptos::prelude::*;

use crate::components::post_form::{PostAction, PostForm};
use crate::loaded::{load, LoadedOnce};
use crate::{
    api::account::{get_two_factor, BeginTwoFactor, ConfirmTwoFactor, RemoveTwoFactor},
    components::{
        action_button::ActionButton,
        form::{Csrf, FieldError, FormError},
    },
    shown_once,
};

/// The section. `taken_codes`: recovery codes a plain form post (no
/// JavaScript) confirmed, taken at the page's top level.
#[component]
pub fn TwoFactorSection(taken_codes: LoadedOnce<Option<Vec<String>>>) -> impl IntoView {
    let begin = PostAction::<BeginTwoFactor>::new();
    let confirm = PostAction::<ConfirmTwoFactor>::new();
    let remove = PostAction::<RemoveTwoFactor>::new();
    let status = load(
        move || {
            (
                begin.version().get(),
                confirm.version().get(),
                remove.version().get(),
            )
        },
        |_| get_two_factor(),
    );
    let begin_error = Signal::derive(move || begin.value().get().and_then(Result::err));
    let confirm_error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let remove_error = Signal::derive(move || remove.value().get().and_then(Result::err));
    let fresh_codes = move || confirm.value().get().and_then(Result::ok);
    let removed = move || matches!(remove.value().get(), Some(Ok(())));
    view! {
        <h2 id="two-factor">"Two-factor sign-in"</h2>
        {shown_once::show(taken_codes, fresh_codes, |codes| view! {
            <div class="notice recovery" data-testid="recovery-codes">
                <p>"Two-factor sign-in is on. Your recovery codes, shown only now: each signs in once in place of a code. Keep them somewhere safe."</p>
                <ul class="codes">
                    {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                </ul>
            </div>
        })}
        {move || removed().then(|| view! { <p class="notice">"Two-factor sign-in is off."</p> })}
        <FormError error=begin_error/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) if s.enabled => view! {
                        <p data-testid="two-factor-state">
                            "On: signing in asks for a code from your authenticator app after your password. "
                            {format!("{} recovery codes left.", s.recovery_codes_left)}
                        </p>
                        <PostForm action=remove attr:class="stacked narrow" attr:id="remove-two-factor">
                            <Csrf/>
                            <FormError error=remove_error fields=&["code"]/>
                            <label>"Code from your authenticator (or a recovery code)"
                                <input name="code" required autocomplete="one-time-code" spellcheck="false" autocapitalize="off"/>
                            </label>
                            <FieldError error=remove_error field="code"/>
                            <button type="submit" class="danger">"Turn off two-factor sign-in"</button>
                        </PostForm>
                    }.into_any(),
                    Ok(s) => match s.pending {
                        Some(e) => view! {
                            <p>"Scan this QR code with your authenticator app, or type the secret in; then enter the 6-digit code it shows."</p>
                            <div class="two-factor-enrol">
                                <img class="qr" src=e.qr_image alt="QR code of your two-factor secret" width="200" height="200"/>
                                <div>
                                    <p>"Secret: " <code data-testid="two-factor-secret">{e.secret}</code></p>
                                    <p class="muted">"As a link: " <code class="line">{e.uri}</code></p>
                                </div>
                            </div>
                            <PostForm action=confirm attr:class="stacked narrow" attr:id="confirm-two-factor">
                                <Csrf/>
                                <FormError error=confirm_error fields=&["code"]/>
                                <label>"Code from your authenticator"
                                    <input name="code" required inputmode="numeric" autocomplete="one-time-code"/>
                                </label>
                                <FieldError error=confirm_error field="code"/>
                                <button type="submit">"Confirm and turn on"</button>
                            </PostForm>
                            <ActionButton action=begin fields=vec![] class="secondary">"Start again with a new secret"</ActionButton>
                        }.into_any(),
                        None => view! {
                            <p data-testid="two-factor-state">"Off: signing in asks for your password only."</p>
                            {s.required.then(|| view! {
                                <p class="notice">"The administrator requires two-factor sign-in: set it up to use Overcast."</p>
                            })}
                            <ActionButton action=begin fields=vec![] class="">"Set up two-factor sign-in"</ActionButton>
                        }.into_any(),
                    },
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
