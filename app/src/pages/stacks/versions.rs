//! A stack's versions, newest first, and the comparison of two of them:
//! a GET form on the stack's page (`?source=&target=`), so it works
//! without JavaScript and can be bookmarked.

use leptos::prelude::*;

use super::compare::ComparisonView;
use crate::components::get_form::GetForm;
use crate::components::post_form::PostAction;
use crate::loaded::{load, Loaded};
use crate::{
    api::stacks::{compare_versions, list_versions, Comparison, UpdateStack, Version},
    components::format::utc,
    error::AppError,
    paths::stack_href,
};

/// The versions of a stack, read again after an update from the page.
pub type VersionsResource = Loaded<Result<Vec<Version>, AppError>>;

/// The comparison the address asks for: (source, target, answer).
pub type ComparedResource = Loaded<Option<(String, String, Result<Comparison, AppError>)>>;

/// Made at the page's top level (resources hydrate reliably there).
pub fn resources(
    id: Signal<String>,
    update: PostAction<UpdateStack>,
) -> (VersionsResource, ComparedResource) {
    let query = crate::address::query();
    let pick = move |k: &str| query.with(|q| q.get(k).unwrap_or_default());
    let versions = load(
        move || (id.get(), update.version().get()),
        |(id, _)| list_versions(id),
    );
    let compared = load(
        move || (id.get(), pick("source"), pick("target")),
        |(id, source, target)| async move {
            if source.is_empty() || target.is_empty() {
                return None;
            }
            let answer = compare_versions(id, source.clone(), target.clone()).await;
            Some((source, target, answer))
        },
    );
    (versions, compared)
}

/// The versions and the comparison the address asks for.
#[component]
pub fn Versions(
    stack_id: String,
    versions: VersionsResource,
    compared: ComparedResource,
) -> impl IntoView {
    let query = crate::address::query();
    let pick = move |k: &str| query.with(|q| q.get(k).unwrap_or_default());
    let href = stack_href(&stack_id);
    view! {
        <h2 id="versions">"Versions"</h2>
        <Transition fallback=|| view! { <p>"Loading versions…"</p> }>
            {move || {
                let href = href.clone();
                Suspend::new(async move {
                    let list = match versions.await {
                        Ok(list) => list,
                        Err(e) => return view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    };
                    // By default the newest against the one before it.
                    let (chosen_source, chosen_target) = (pick("source"), pick("target"));
                    let default_target = list.first().map(|v| v.version_id.clone()).unwrap_or_default();
                    let default_source = list.get(1).map(|v| v.version_id.clone()).unwrap_or_default();
                    let source = if chosen_source.is_empty() { default_source } else { chosen_source };
                    let target = if chosen_target.is_empty() { default_target } else { chosen_target };
                    let count = list.len();
                    let choices: Vec<(String, String)> = list.iter().enumerate().map(|(i, v)| {
                        let label = format!("v{} · {}{}", count - i, utc(v.last_modified), if v.latest { " (latest)" } else { "" });
                        (v.version_id.clone(), label)
                    }).collect();
                    let options = move |chosen: String| choices.clone().into_iter().map(|(id, label)| {
                        let selected = id == chosen;
                        view! { <option value=id selected=selected>{label}</option> }
                    }).collect_view();
                    view! {
                        <table class="grid" data-testid="versions">
                            <thead><tr><th>"Version"</th><th>"Id"</th><th>"Saved (UTC)"</th><th>"Size"</th></tr></thead>
                            <tbody>
                                {list.iter().enumerate().map(|(i, v)| view! {
                                    <tr data-version=v.version_id.clone()>
                                        <td>{format!("v{}", list.len() - i)} {v.latest.then(|| view! { " " <span class="chip">"latest"</span> })}</td>
                                        <td class="mono" data-label="Id">{v.version_id.clone()}</td>
                                        <td data-label="Saved (UTC)">{utc(v.last_modified)}</td>
                                        <td data-label="Size">{format!("{} bytes", v.size)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {(count > 1).then(|| view! {
                            <GetForm action=href attr:class="filters" attr:data-testid="compare-form">
                                <label>"Compare " <select name="source">{options(source)}</select></label>
                                <label>"with " <select name="target">{options(target)}</select></label>
                                <button type="submit" class="secondary">"Compare"</button>
                            </GetForm>
                        })}
                    }.into_any()
                })
            }}
        </Transition>
        <Transition fallback=|| view! { <p>"Comparing…"</p> }>
            {move || Suspend::new(async move {
                compared.await.map(|(source, target, answer)| match answer {
                    Ok(compared) => view! { <ComparisonView compared source target/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })
            })}
        </Transition>
    }
}
