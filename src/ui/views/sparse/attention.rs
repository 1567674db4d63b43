//! The attention the pattern computes on the view's own Q, K — softmax(QKᵀ/√d + M), masked cells
//! grey — beside the exact attention of the same input, so the user sees what the pattern throws away.

use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::matrix::Matrix;
use crate::i18n::{t, tf};
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::render::legend::Legend;
use crate::view_model::colormap::Colormap;
use crate::view_model::format::fixed4;

use super::SparseRun;

/// CSS size of each attention map.
const ATTN_PX: u32 = 360;

/// Weight specs (`HeatmapSpec::weights`) sharing one colour range: 0 … the largest of their
/// 99.5th percentiles, so equal colours mean equal weights across the maps.
pub fn shared_weights(ms: &[Arc<Matrix>]) -> Vec<HeatmapSpec> {
    let mut specs: Vec<HeatmapSpec> = ms
        .iter()
        .map(|m| HeatmapSpec::weights(m.clone(), (m.rows, m.cols)))
        .collect();
    let hi = specs.iter().fold(1e-6f32, |a, s| a.max(s.hi));
    specs.iter_mut().for_each(|s| s.hi = hi);
    specs
}

/// "causal" or "full": the reference attention of the pattern.
pub fn reference_name(causal: bool) -> &'static str {
    t(if causal {
        "sparse.mass.ref.causal"
    } else {
        "sparse.mass.ref.full"
    })
}

/// A weight for the readout ("masked (0)" for NaN).
fn weight_line(id: &'static str, w: f32) -> String {
    if w.is_nan() {
        t("sparse.attn.masked_cell").to_string()
    } else {
        tf(id, &[("w", &fixed4(w))])
    }
}

/// Masked and exact attention side by side, with a shared hover readout.
#[component]
pub fn AttentionMaps(run: SparseRun) -> impl IntoView {
    // Each map on its own 0 … 99.5th-percentile scale: exact weights spread over N keys are far
    // smaller than weights renormalised over the kept keys, and would be flat on a shared scale.
    let specs = Memo::new(move |_| {
        run.result.with(|r| {
            r.as_ref()
                .map(|r| [&r.weights, &r.reference].map(|m| HeatmapSpec::weights(m.clone(), (m.rows, m.cols))))
        })
    });
    let spec = move |k: usize| Signal::derive(move || specs.with(|s| s.as_ref().map(|s| s[k].clone())));
    let hi = move |k: usize| Signal::derive(move || specs.with(|s| s.as_ref().map_or(1.0, |s| s[k].hi)));
    let reference = move || {
        run.result
            .with(|r| reference_name(r.as_ref().is_some_and(|r| r.pattern.is_causal())))
    };
    let hover = RwSignal::new(None::<(usize, usize)>);
    let readout =
        move || {
            let (i, j) = hover.get()?;
            run.result.with(|r| {
                let r = r.as_ref()?;
                if i >= r.weights.rows || j >= r.weights.cols {
                    return None;
                }
                Some(view! {
                <div class="pair">{tf("sparse.attn.pair", &[("i", &i.to_string()), ("j", &j.to_string())])}</div>
                <p data-testid="attn-kept">{weight_line("sparse.attn.kept", r.weights.get(i, j))}</p>
                <p>{tf("sparse.attn.exact", &[("w", &fixed4(r.reference.get(i, j)))])}</p>
            }
            .into_any())
            })
        };
    let on_hover = Callback::new(move |c| hover.set(c));
    view! {
        <div class="card">
            <h3>{t("sparse.attn.title")}</h3>
            <p class="caption">{move || tf("sparse.attn.caption", &[("reference", reference())])}</p>
            <div class="row-wrap">
                <div class="multiple">
                    <Heatmap spec=spec(0) width=ATTN_PX height=ATTN_PX on_hover=on_hover busy=run.busy_text()
                        aria_label=t("sparse.attn.masked").to_string() test_id="masked-attention" />
                    <span>{t("sparse.attn.masked")}</span>
                </div>
                <div class="multiple">
                    <Heatmap spec=spec(1) width=ATTN_PX height=ATTN_PX on_hover=on_hover
                        aria_label=t("sparse.attn.title").to_string() test_id="full-attention" />
                    <span>{move || tf("sparse.attn.reference", &[("reference", reference())])}</span>
                </div>
                <div class="figures">
                    <Legend cmap=Colormap::Viridis lo=0.0 hi=hi(0) label=t("sparse.attn.legend").to_string() masked=true />
                    <Legend cmap=Colormap::Viridis lo=0.0 hi=hi(1) label=t("sparse.attn.legend.exact").to_string() />
                    <div class="readout" data-testid="attn-readout">
                        {move || readout().unwrap_or_else(|| view! { <p class="hint">{t("sparse.attn.hint")}</p> }.into_any())}
                    </div>
                </div>
            </div>
        </div>
    }
}
