//! Compare mode (`vs=`): a second pattern on the same input, its kept pairs and masked attention
//! beside the first pattern's, with density, FLOPs and attention mass in a two-column table.

use leptos::prelude::*;

use crate::attention::sparse::zoo::PatternKind;
use crate::i18n::{t, tf};
use crate::ui::render::heatmap::Heatmap;
use crate::view_model::format::{si, sig3};
use crate::view_model::schema::UrlChoice;
use crate::view_model::sparse::params::SparseParams;

use super::attention::shared_weights;
use super::maps::blues;
use super::SparseRun;

/// CSS size of each compared map.
const CMP_PX: u32 = 240;

fn name(kind: PatternKind) -> &'static str {
    t(kind.label_id())
}

/// The comparison card (nothing when `vs` is off).
#[component]
pub fn Compare(params: ReadSignal<SparseParams>, run: SparseRun) -> impl IntoView {
    move || {
        let (d, kind) = params.with(|p| (p.d, p.pattern));
        run.result.with(|r| {
            let r = r.as_ref()?;
            let c = r.second.as_ref()?;
            let (a, b) = (name(kind), name(c.kind));
            let masks = [blues(&r.mask_map, r.n), blues(&c.mask_map, r.n)];
            let attn = shared_weights(&[r.weights.clone(), c.weights.clone()]);
            let column = |k: usize, label: &'static str| {
                let (mask, weights) = (masks[k].clone(), attn[k].clone());
                let tag = ["a", "b"][k];
                view! {
                    <div class="multiple" data-testid=format!("compare-{tag}")>
                        <span><b>{label}</b></span>
                        <Heatmap spec=Signal::derive(move || Some(mask.clone())) width=CMP_PX height=CMP_PX
                            aria_label=label.to_string() test_id=["compare-mask-a", "compare-mask-b"][k] />
                        <Heatmap spec=Signal::derive(move || Some(weights.clone())) width=CMP_PX height=CMP_PX
                            aria_label=label.to_string() test_id=["compare-attn-a", "compare-attn-b"][k] />
                    </div>
                }
            };
            let total = (r.n * r.n) as f64;
            let pct = |x: f64| format!("{} %", sig3(x));
            let density = |allowed: usize| format!("{} ({})", allowed, pct(100.0 * allowed as f64 / total.max(1.0)));
            let row = |label: String, x: String, y: String| view! { <tr><td>{label}</td><td>{x}</td><td>{y}</td></tr> };
            Some(view! {
                <div class="card" data-testid="compare">
                    <h3>{tf("sparse.compare.title", &[("a", a), ("b", b)])}</h3>
                    <p class="caption">{t("sparse.compare.caption")}</p>
                    <div class="row-wrap">
                        {column(0, a)}
                        {column(1, b)}
                        <table class="compare-table" data-testid="compare-table">
                            <tr><th>{t("sparse.compare.quantity")}</th><th>{a}</th><th>{b}</th></tr>
                            {row(t("sparse.compare.density").to_string(), density(r.stats.allowed), density(c.stats.allowed))}
                            {row(tf("sparse.compare.flops", &[("d", &d.to_string())]), format!("{}FLOP", si(r.stats.flops_sparse)), format!("{}FLOP", si(c.stats.flops_sparse)))}
                            {row(t("sparse.compare.mass").to_string(), pct(100.0 * r.mass), pct(100.0 * c.mass))}
                        </table>
                    </div>
                </div>
            })
        })
    }
}
