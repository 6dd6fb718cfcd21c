//! The role form's statement rows: effect, actions picked from the
//! vocabulary, resources. Once the page is hydrated the rows write the scope
//! JSON into the form's textarea as they change; without JavaScript the
//! textarea alone is the form.

use domain::rbac::{Effect as RuleEffect, Policy, Statement, ACTIONS, POLICY_VERSION};
use leptos::prelude::*;

/// One row of the builder.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    allow: bool,
    actions: Vec<String>,
    resources: String,
}

impl Row {
    fn starter() -> Self {
        Self {
            allow: true,
            actions: vec!["view:*".into()],
            resources: "*".into(),
        }
    }
}

/// Patterns offered besides the single actions.
const PATTERNS: [&str; 2] = ["*", "view:*"];

fn scope_json(rows: &[Row]) -> String {
    let policy = Policy {
        version: POLICY_VERSION.into(),
        statements: rows
            .iter()
            .map(|r| Statement {
                effect: if r.allow {
                    RuleEffect::Allow
                } else {
                    RuleEffect::Deny
                },
                actions: r.actions.clone(),
                resources: r
                    .resources
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&policy).unwrap_or_default()
}

/// The builder; writes into `scope` (the textarea's content). Each change
/// of `restart` puts its rows back to the starter (its form started over).
#[component]
pub fn StatementBuilder(
    scope: RwSignal<String>,
    #[prop(optional)] restart: Option<RwSignal<u32>>,
) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let rows = RwSignal::new(vec![Row::starter()]);
    if let Some(restart) = restart {
        Effect::new(move |seen: Option<()>| {
            restart.track();
            if seen.is_some() {
                rows.set(vec![Row::starter()]);
            }
        });
    }
    let write = move || scope.set(scope_json(&rows.read()));

    let row_view = move |i: usize| {
        let toggle = move |name: &'static str| {
            rows.update(|rs| {
                if let Some(r) = rs.get_mut(i) {
                    if let Some(pos) = r.actions.iter().position(|a| a == name) {
                        r.actions.remove(pos);
                    } else {
                        r.actions.push(name.to_owned());
                    }
                }
            });
            write();
        };
        let checked = move |name: &'static str| {
            move || {
                rows.read()
                    .get(i)
                    .is_some_and(|r| r.actions.iter().any(|a| a == name))
            }
        };
        let names = PATTERNS
            .iter()
            .copied()
            .chain(ACTIONS.iter().map(|a| a.name));
        view! {
            <fieldset class="statement" data-testid="statement">
                <legend>{format!("Statement {}", i + 1)}</legend>
                <label>"Effect "
                    <select on:change=move |ev| {
                        let allow = event_target_value(&ev) == "Allow";
                        rows.update(|rs| if let Some(r) = rs.get_mut(i) { r.allow = allow });
                        write();
                    }>
                        <option value="Allow" selected=move || rows.read().get(i).is_some_and(|r| r.allow)>"Allow"</option>
                        <option value="Deny" selected=move || rows.read().get(i).is_some_and(|r| !r.allow)>"Deny"</option>
                    </select>
                </label>
                <div class="action-picks">
                    {names.map(|name| view! {
                        <label class="pick">
                            <input type="checkbox" prop:checked=checked(name) on:change=move |_| toggle(name)/>
                            <code>{name}</code>
                        </label>
                    }).collect_view()}
                </div>
                <label>"Resources (comma-separated, * and ? allowed) "
                    <input
                        prop:value=move || rows.read().get(i).map(|r| r.resources.clone()).unwrap_or_default()
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            rows.update(|rs| if let Some(r) = rs.get_mut(i) { r.resources = value });
                            write();
                        }
                    />
                </label>
                <button type="button" class="secondary" on:click=move |_| {
                    rows.update(|rs| if rs.len() > 1 { rs.remove(i); });
                    write();
                }>"Remove statement"</button>
            </fieldset>
        }
    };

    move || {
        hydrated.get().then(|| {
            view! {
                <div class="builder">
                    {move || (0..rows.read().len()).map(row_view).collect_view()}
                    <button type="button" class="secondary" on:click=move |_| {
                        rows.update(|rs| rs.push(Row::starter()));
                        write();
                    }>"Add statement"</button>
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rows_make_a_scope_the_parser_accepts() {
        let rows = vec![
            Row::starter(),
            Row {
                allow: false,
                actions: vec!["read_private:key".into()],
                resources: "backend/b1/*, *".into(),
            },
        ];
        let json: serde_json::Value = serde_json::from_str(&scope_json(&rows)).unwrap();
        let policy = Policy::parse(&json).unwrap();
        assert_eq!(policy.statements[1].effect, RuleEffect::Deny);
        assert_eq!(policy.statements[1].resources, vec!["backend/b1/*", "*"]);
    }
}
