//! Two versions side by side: each template's lines, the changed ones
//! marked (a longest-common-subsequence of lines), then the structured
//! diff (`new`, `removed`, `edited` by pointer) and the plan between them.

use leptos::prelude::*;

use super::editor::PlanView;
use crate::api::stacks::Comparison;

/// How a row of the side-by-side view differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The same on both sides.
    Same,
    /// Only on the left.
    Removed,
    /// Only on the right.
    Added,
    /// Different on each side.
    Changed,
}

/// One row: the left line and the right line (number, text), and the mark.
pub type Row = (Option<(usize, String)>, Option<(usize, String)>, Mark);

/// The rows of `a` against `b`: unchanged lines side by side, and between
/// them the lines only one side has, paired as changed where both do.
pub fn side_by_side(a: &str, b: &str) -> Vec<Row> {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut rows) = (0, 0, Vec::new());
    let (mut left, mut right): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    let flush = |rows: &mut Vec<Row>, left: &mut Vec<usize>, right: &mut Vec<usize>| {
        for k in 0..left.len().max(right.len()) {
            let l = left.get(k).map(|&n| (n + 1, a[n].to_owned()));
            let r = right.get(k).map(|&n| (n + 1, b[n].to_owned()));
            let mark = match (&l, &r) {
                (Some(_), Some(_)) => Mark::Changed,
                (Some(_), None) => Mark::Removed,
                _ => Mark::Added,
            };
            rows.push((l, r, mark));
        }
        left.clear();
        right.clear();
    };
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            flush(&mut rows, &mut left, &mut right);
            rows.push((
                Some((i + 1, a[i].to_owned())),
                Some((j + 1, b[j].to_owned())),
                Mark::Same,
            ));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            right.push(j);
            j += 1;
        } else {
            left.push(i);
            i += 1;
        }
    }
    flush(&mut rows, &mut left, &mut right);
    rows
}

/// The comparison of two versions.
#[component]
pub fn ComparisonView(compared: Comparison, source: String, target: String) -> impl IntoView {
    let rows = side_by_side(&compared.source_text, &compared.target_text);
    let cell = |side: Option<(usize, String)>| match side {
        Some((n, text)) => view! { <td class="n">{n}</td><td class="line">{text}</td> }.into_any(),
        None => view! { <td class="n"></td><td class="line"></td> }.into_any(),
    };
    let value = |v: &serde_json::Value| v.to_string();
    let diff = compared.diff;
    view! {
        <div class="comparison" data-testid="comparison">
            <div class="side-by-side-scroll">
                <table class="side-by-side" data-testid="side-by-side">
                    <thead><tr><th colspan="2" class="mono">{source}</th><th colspan="2" class="mono">{target}</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(l, r, mark)| {
                            let class = match mark {
                                Mark::Same => "same",
                                Mark::Removed => "removed",
                                Mark::Added => "added",
                                Mark::Changed => "changed",
                            };
                            view! { <tr class=class data-mark=class>{cell(l)}{cell(r)}</tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <h3>"What changed"</h3>
            <table class="grid" data-testid="structured-diff">
                <thead><tr><th>"Change"</th><th>"Pointer"</th><th>"Before"</th><th>"After"</th></tr></thead>
                <tbody>
                    {diff.edited.iter().map(|(p, e)| view! {
                        <tr data-change="edited"><td>"edited"</td><td class="mono" data-label="Pointer">{p.clone()}</td><td class="mono" data-label="Before">{value(&e.oldvalue)}</td><td class="mono" data-label="After">{value(&e.newvalue)}</td></tr>
                    }).collect_view()}
                    {diff.removed.iter().map(|(p, v)| view! {
                        <tr data-change="removed"><td>"removed"</td><td class="mono" data-label="Pointer">{p.clone()}</td><td class="mono" data-label="Before">{value(v)}</td><td></td></tr>
                    }).collect_view()}
                    {diff.new.iter().map(|(p, v)| view! {
                        <tr data-change="new"><td>"new"</td><td class="mono" data-label="Pointer">{p.clone()}</td><td></td><td class="mono" data-label="After">{value(v)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            {diff.is_empty().then(|| view! { <p class="muted">"The two versions are the same."</p> })}
            <h3>"Plan from the first to the second"</h3>
            <PlanView plan=compared.plan/>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_are_paired_and_the_rest_kept_side_by_side() {
        let rows = side_by_side("a\nb\nc\nd", "a\nB\nc\nd\ne");
        let marks: Vec<Mark> = rows.iter().map(|r| r.2).collect();
        use Mark::*;
        assert_eq!(marks, [Same, Changed, Same, Same, Added]);
        assert_eq!(rows[1].0, Some((2, "b".into())));
        assert_eq!(rows[1].1, Some((2, "B".into())));
        assert_eq!(rows[4].1, Some((5, "e".into())));
        let removed = side_by_side("x\ny", "y");
        assert_eq!(
            removed.iter().map(|r| r.2).collect::<Vec<_>>(),
            [Removed, Same]
        );
    }
}
