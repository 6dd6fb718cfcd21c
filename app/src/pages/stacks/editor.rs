//! The template editor the New stack and Update forms share: a textarea
//! whose text `domain::stacks::Template::parse` judges as it changes (in
//! the browser once hydrated; on the server for the text a plain form post
//! brought back), each fault's pointer and message beside it; the plan of a
//! dry run, per layer; and the starting template the picker fills in.

use domain::stacks::{Action, Plan, Template};
use leptos::prelude::*;
use serde_json::{json, Value};

/// The textarea (`name="text"`) and, beside it, what is wrong with its
/// text, or that it is a valid template.
#[component]
pub fn TemplateEditor(
    /// The text, as typed.
    text: RwSignal<String>,
) -> impl IntoView {
    let initial = text.get_untracked();
    let faults = Memo::new(move |_| Template::parse(&text.get()).err().unwrap_or_default());
    view! {
        <div class="template-editor">
            <label>"Template (JSON, ALM 2017-03-03)"
                <textarea
                    name="text"
                    rows="22"
                    class="mono"
                    spellcheck="false"
                    data-testid="template-text"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                >
                    {initial}
                </textarea>
            </label>
            <aside class="template-faults" data-testid="template-faults" aria-live="polite">
                {move || {
                    let faults = faults.get();
                    if faults.is_empty() {
                        view! { <p class="valid" data-testid="template-valid">"The template is valid."</p> }.into_any()
                    } else {
                        view! {
                            <p class="form-error">{format!("{} fault(s):", faults.len())}</p>
                            <ul class="faults">
                                {faults.into_iter().map(|f| view! {
                                    <li data-testid="template-fault">
                                        <code>{if f.pointer.is_empty() { "/".to_owned() } else { f.pointer }}</code>
                                        " " {f.message}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }}
            </aside>
        </div>
    }
}

/// What applying does, per layer: action, machines from -> to, why, and
/// the machines created and destroyed by name.
#[component]
pub fn PlanView(plan: Plan) -> impl IntoView {
    let names = |list: Vec<String>| {
        if list.is_empty() {
            "none".to_owned()
        } else {
            list.join(", ")
        }
    };
    view! {
        <div class="plan" data-testid="plan">
            {plan.vendor_changed.then(|| view! {
                <p class="muted">"The template names another vendor: ignored, a stack never moves clouds."</p>
            })}
            {plan.is_no_op().then(|| view! { <p class="muted">"Nothing changes."</p> })}
            <table class="grid">
                <thead><tr><th>"Layer"</th><th>"Action"</th><th>"Machines"</th><th>"Why"</th><th>"Creates"</th><th>"Destroys"</th></tr></thead>
                <tbody>
                    {plan.layers.into_iter().map(|l| view! {
                        <tr data-flag=l.flag.clone()>
                            <td><strong>{l.flag.clone()}</strong> " " <span class="muted">{l.role.clone()}</span></td>
                            <td data-label="Action"><span class=format!("plan-action {}", action_name(l.action)) data-testid="plan-action">{action_name(l.action)}</span>
                                {l.redeploy.then_some(" + redeploy")}</td>
                            <td data-label="Machines" data-testid="plan-count">{format!("{} → {}", l.from, l.to)}</td>
                            <td class="mono" data-label="Why">{l.why.join(", ")}</td>
                            <td class="mono" data-label="Creates" data-testid="plan-create">{names(l.create)}</td>
                            <td class="mono" data-label="Destroys" data-testid="plan-destroy">{names(l.destroy)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The name an action has in the plan's JSON.
pub fn action_name(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Delete => "delete",
        Action::Scale => "scale",
        Action::Replace => "replace",
        Action::Redeploy => "redeploy",
        Action::NoOp => "no-op",
    }
}

/// A template to start from: one web layer of one machine.
pub fn starter() -> String {
    let value = json!({
        "version": "2017-03-03",
        "label": "first version",
        "description": "",
        "vendor": {"aws": {"cred": "the backend's title"}},
        "configurations": [{
            "role": "web",
            "flag": "Web01",
            "provision": {
                "image": "${computed}",
                "instance_type": "t2.micro",
                "instance_count": 1,
                "keypair": true
            }
        }]
    });
    crate::api::stacks::pretty(&value)
}

/// What the picker chose: the `vendor` key and the backend, and the first
/// layer's size, image and zone (empty: left as it is).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picked {
    /// The vendor key (`aws`, `libvirt`, ...).
    pub cloud: String,
    /// The backend's id (`cred`).
    pub backend: String,
    /// A size id.
    pub instance_type: String,
    /// An image id.
    pub image: String,
    /// A location id.
    pub availability_zone: String,
}

/// `text` with the picker's choices filled in: `vendor` names the backend,
/// and the first layer (made if there is none) gets the size, image and
/// zone chosen. Text that is not a JSON object starts from [`starter`].
pub fn fill(text: &str, picked: &Picked) -> String {
    let mut value = match crate::loaded::from_text::<Value>(text) {
        Ok(v @ Value::Object(_)) => v,
        _ => crate::loaded::from_text(&starter()).unwrap_or_default(),
    };
    if !picked.cloud.is_empty() && !picked.backend.is_empty() {
        value["vendor"] = json!({ picked.cloud.clone(): {"cred": picked.backend} });
    }
    if !value["configurations"].is_array() {
        value["configurations"] = json!([]);
    }
    if let Some(layers) = value["configurations"].as_array_mut() {
        if layers.is_empty() {
            layers.push(json!({"role": "web", "flag": "Web01", "provision": {}}));
        }
        let layer = &mut layers[0];
        if !layer["provision"].is_object() {
            layer["provision"] = json!({});
        }
        for (key, chosen) in [
            ("instance_type", &picked.instance_type),
            ("image", &picked.image),
            ("availability_zone", &picked.availability_zone),
        ] {
            if !chosen.is_empty() {
                layer["provision"][key] = json!(chosen);
            }
        }
    }
    crate::api::stacks::pretty(&value)
}

/// The `vendor` key of a provider id, if a template can name it.
pub fn cloud_of(provider: &str) -> Option<&'static str> {
    let kind = domain::providers::Provider::parse(provider)?.kind;
    domain::stacks::VENDORS
        .iter()
        .find(|(_, k)| *k == kind)
        .map(|(key, _)| *key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picker_fills_vendor_and_the_first_layer() {
        let picked = Picked {
            cloud: "aws".into(),
            backend: "b1".into(),
            instance_type: "m3.medium".into(),
            image: String::new(),
            availability_zone: "ap-northeast-1a".into(),
        };
        let filled: Value = serde_json::from_str(&fill(&starter(), &picked)).unwrap();
        assert_eq!(filled["vendor"], json!({"aws": {"cred": "b1"}}));
        let p = &filled["configurations"][0]["provision"];
        assert_eq!(p["instance_type"], "m3.medium");
        assert_eq!(p["image"], "${computed}");
        assert_eq!(p["availability_zone"], "ap-northeast-1a");
        // Garbage starts over from the starter, filled.
        let again: Value = serde_json::from_str(&fill("{oops", &picked)).unwrap();
        assert_eq!(again["configurations"][0]["flag"], "Web01");
        assert!(Template::parse(&fill(&starter(), &picked)).is_ok());
    }

    #[test]
    fn clouds_are_named_as_templates_name_them() {
        assert_eq!(cloud_of("ec2_ap_northeast"), Some("aws"));
        assert_eq!(cloud_of("libvirt"), Some("libvirt"));
        assert_eq!(cloud_of("no such provider"), None);
    }
}
