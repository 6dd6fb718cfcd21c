//! Which machines an operation makes and destroys, by name: the plan's
//! actions turned into steps against the machines the stack has.
//!
//! Machines are named `<nickname>-<flag>-<n>`. A new machine takes the
//! next number never used by its layer (so a name is never reused, even
//! after a machine of that name was destroyed); scaling down destroys the
//! highest-numbered; a replaced layer's new machines are created first,
//! then the old destroyed. A layer whose machines differ in number from
//! what the stack's current template says (a create that failed and kept
//! what it made) is scaled to the new count, and its plan says so.

use domain::{
    stacks::{Action, Plan},
    ErrorKind,
};
use store::stacks::{NewStep, Step};

use super::status::{CREATE_MACHINE, DESTROY_MACHINE};
use crate::{internal, Services};

/// A machine of the stack: `(flag, name, provider id)`.
pub type Held = (String, String, String);

/// The steps an operation journals, creates first, then destroys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Steps {
    /// `(flag, name)` of each machine to create.
    pub create: Vec<(String, String)>,
    /// `(flag, name, provider id)` of each machine to destroy.
    pub destroy: Vec<Held>,
}

impl Steps {
    /// Whether nothing is made or destroyed.
    pub fn is_empty(&self) -> bool {
        self.create.is_empty() && self.destroy.is_empty()
    }

    /// Journals the steps as operation `op_id`'s, `pending`: the creates
    /// first, then the destroys (the order the runner takes them in).
    pub async fn journal(
        &self,
        services: &Services,
        stack_id: &str,
        op_id: &str,
        now: i64,
    ) -> Result<(), ErrorKind> {
        let creates = self
            .create
            .iter()
            .map(|(flag, name)| (flag, name, None, CREATE_MACHINE));
        let destroys = self
            .destroy
            .iter()
            .map(|(flag, name, id)| (flag, name, Some(id), DESTROY_MACHINE));
        for (flag, name, machine_id, action) in creates.chain(destroys) {
            let step = NewStep {
                operation_id: op_id.to_owned(),
                flag: flag.clone(),
                action: action.into(),
                machine_name: name.clone(),
                machine_id: machine_id.cloned(),
                now,
            };
            services
                .db
                .append_step(stack_id, &step)
                .await
                .map_err(internal)?;
        }
        Ok(())
    }
}

/// A machine's number within its layer, from its name.
pub fn number(nickname: &str, flag: &str, name: &str) -> Option<u32> {
    name.strip_prefix(nickname)?
        .strip_prefix('-')?
        .strip_prefix(flag)?
        .strip_prefix('-')?
        .parse()
        .ok()
}

/// The name of machine `n` of layer `flag`.
pub fn name(nickname: &str, flag: &str, n: u32) -> String {
    format!("{nickname}-{flag}-{n}")
}

/// Turns `plan` into steps, given the machines the stack `held` and every
/// step it ever journalled (`history`, for the numbers used); fills in the
/// plan's `create`/`destroy` names, and its `from` with the machines held.
pub fn steps(nickname: &str, plan: &mut Plan, held: &[Held], history: &[Step]) -> Steps {
    let mut out = Steps::default();
    for layer in &mut plan.layers {
        let mut mine: Vec<(u32, &Held)> = held
            .iter()
            .filter(|(flag, _, _)| *flag == layer.flag)
            .map(|h| (number(nickname, &layer.flag, &h.1).unwrap_or(0), h))
            .collect();
        mine.sort_by_key(|(n, _)| *n);
        let used = history
            .iter()
            .filter(|s| s.flag == layer.flag && s.action == CREATE_MACHINE)
            .filter_map(|s| number(nickname, &layer.flag, &s.machine_name))
            .chain(mine.iter().map(|(n, _)| *n))
            .max()
            .unwrap_or(0);
        let have = u32::try_from(mine.len()).unwrap_or(u32::MAX);
        if matches!(layer.action, Action::NoOp | Action::Redeploy) && have != layer.to {
            layer.redeploy = layer.action == Action::Redeploy;
            layer.action = Action::Scale;
            layer.why.push(format!(
                "the stack has {have} machine(s) of this layer, not {}",
                layer.from
            ));
        }
        layer.from = have;
        let (make, unmake): (u32, Vec<&Held>) = match layer.action {
            Action::Create => (layer.to, Vec::new()),
            Action::Delete => (0, mine.iter().map(|(_, h)| *h).collect()),
            Action::Replace => (layer.to, mine.iter().map(|(_, h)| *h).collect()),
            Action::Scale if layer.to >= have => (layer.to - have, Vec::new()),
            Action::Scale => {
                let surplus = (have - layer.to) as usize;
                (
                    0,
                    mine.iter().rev().take(surplus).map(|(_, h)| *h).collect(),
                )
            }
            Action::Redeploy | Action::NoOp => (0, Vec::new()),
        };
        for n in (used + 1)..=(used + make) {
            let made = name(nickname, &layer.flag, n);
            layer.create.push(made.clone());
            out.create.push((layer.flag.clone(), made));
        }
        for h in unmake {
            layer.destroy.push(h.1.clone());
            out.destroy.push(h.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use domain::stacks::{plan, Template};
    use serde_json::json;

    use super::*;

    fn template(layers: &[(&str, u32, &str)]) -> Template {
        let configurations: Vec<_> = layers
            .iter()
            .map(|(flag, count, size)| {
                json!({"role": "web", "flag": flag, "provision": {
                    "image": "img", "instance_type": size, "instance_count": count}})
            })
            .collect();
        let text = json!({"version": "2017-03-03", "vendor": {"aws": {"cred": "c"}},
            "configurations": configurations})
        .to_string();
        Template::parse(&text).expect("a valid template")
    }

    fn held(flag: &str, ns: &[u32]) -> Vec<Held> {
        ns.iter()
            .map(|n| (flag.into(), name("nick", flag, *n), format!("id-{n}")))
            .collect()
    }

    fn made(history: &[(&str, u32)]) -> Vec<Step> {
        history
            .iter()
            .enumerate()
            .map(|(i, (flag, n))| Step {
                stack_id: "s".into(),
                seq: i as i64 + 1,
                operation_id: "op".into(),
                flag: (*flag).into(),
                action: CREATE_MACHINE.into(),
                machine_name: name("nick", flag, *n),
                machine_id: None,
                state: "done".into(),
                message: None,
                created_at: 0,
                updated_at: 0,
            })
            .collect()
    }

    #[test]
    fn numbers_are_read_back_from_names() {
        assert_eq!(number("a-b-c", "Web01", "a-b-c-Web01-12"), Some(12));
        assert_eq!(number("a-b-c", "Web01", "a-b-c-Web02-1"), None);
        assert_eq!(number("a-b-c", "Web", "a-b-c-Web-x"), None);
    }

    #[test]
    fn scaling_up_continues_after_every_number_ever_used() {
        let before = template(&[("W", 1, "s")]);
        let after = template(&[("W", 3, "s")]);
        let mut p = plan(Some(&before), &after);
        let history = made(&[("W", 1), ("W", 2), ("W", 3)]);
        let s = steps("nick", &mut p, &held("W", &[1]), &history);
        assert_eq!(p.layers[0].create, ["nick-W-4", "nick-W-5"]);
        assert!(s.destroy.is_empty());
    }

    #[test]
    fn scaling_down_destroys_the_highest_numbered() {
        let before = template(&[("W", 3, "s")]);
        let after = template(&[("W", 1, "s")]);
        let mut p = plan(Some(&before), &after);
        let s = steps("nick", &mut p, &held("W", &[1, 2, 3]), &[]);
        assert_eq!(p.layers[0].destroy, ["nick-W-3", "nick-W-2"]);
        assert_eq!(s.destroy.len(), 2);
        assert!(s.create.is_empty());
    }

    #[test]
    fn replacing_creates_new_names_then_destroys_the_old() {
        let before = template(&[("W", 1, "small")]);
        let after = template(&[("W", 2, "large")]);
        let mut p = plan(Some(&before), &after);
        let s = steps("nick", &mut p, &held("W", &[1]), &[]);
        assert_eq!(p.layers[0].action, Action::Replace);
        assert_eq!(p.layers[0].create, ["nick-W-2", "nick-W-3"]);
        assert_eq!(p.layers[0].destroy, ["nick-W-1"]);
        assert_eq!(s.create.len(), 2);
        assert_eq!(s.destroy[0].2, "id-1");
    }

    #[test]
    fn a_layer_added_and_one_removed() {
        let before = template(&[("A", 2, "s")]);
        let after = template(&[("B", 1, "s")]);
        let mut p = plan(Some(&before), &after);
        let s = steps("nick", &mut p, &held("A", &[1, 2]), &[]);
        assert_eq!(s.create, [("B".to_owned(), "nick-B-1".to_owned())]);
        assert_eq!(s.destroy.len(), 2);
    }

    #[test]
    fn a_short_layer_is_scaled_to_its_count_and_the_plan_says_so() {
        let t = template(&[("W", 3, "s")]);
        let mut p = plan(Some(&t), &t);
        let s = steps(
            "nick",
            &mut p,
            &held("W", &[1]),
            &made(&[("W", 1), ("W", 2)]),
        );
        assert_eq!(p.layers[0].action, Action::Scale);
        assert_eq!((p.layers[0].from, p.layers[0].to), (1, 3));
        assert_eq!(s.create.len(), 2);
        assert_eq!(p.layers[0].create, ["nick-W-3", "nick-W-4"]);
    }

    #[test]
    fn nothing_changed_is_no_step() {
        let t = template(&[("W", 2, "s")]);
        let mut p = plan(Some(&t), &t);
        assert!(steps("nick", &mut p, &held("W", &[1, 2]), &[]).is_empty());
        assert!(p.is_no_op());
    }
}
