//! Exact attention next to the matrix the chosen method implies and their difference, with a hover
//! readout, the three error measures, and the method's measured memory and FLOPs.

use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::approx::implied::ImpliedKind;
use crate::attention::matrix::Matrix;
use crate::i18n::{t, tf};
use crate::ui::reactive::relay;
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::render::legend::Legend;
use crate::view_model::approx::params::{ApproxParams, MethodChoice};
use crate::view_model::approx::Comparison;
use crate::view_model::colormap::Colormap;
use crate::view_model::format::{fixed4, millis, quantile, si, sig3};
use crate::view_model::schema::UrlChoice;

use super::driver::ApproxRun;

/// CSS size of each of the three heatmaps.
const MAP_PX: u32 = 300;

/// Robust top of a colour scale: the 99.5th percentile of the values (at least 1e-6), so a few
/// extreme cells do not darken the rest (the atlas's convention for weight maps).
fn top_of(m: &Matrix) -> f32 {
    quantile(&m.data, 0.995).unwrap_or(1.0).max(1e-6)
}

/// The same for a symmetric scale: the 99.5th percentile of |value|.
fn abs_top_of(m: &Matrix) -> f32 {
    let abs: Vec<f32> = m.data.iter().map(|v| v.abs()).collect();
    quantile(&abs, 0.995).unwrap_or(1.0).max(1e-6)
}

/// Message id explaining what the implied matrix of the current method is.
fn implied_caption(p: &ApproxParams) -> &'static str {
    match p.method {
        MethodChoice::Linear => "approx.implied.linear",
        MethodChoice::Performer => "approx.implied.performer",
        MethodChoice::Linformer => "approx.implied.linformer",
        MethodChoice::Synthesizer => "approx.implied.synthesizer",
        MethodChoice::Mixer => "approx.implied.mixer",
    }
}

/// The three maps, legends, readout and numbers.
#[component]
pub fn Matrices(params: ReadSignal<ApproxParams>, run: ApproxRun) -> impl IntoView {
    let exact_hi = Memo::new(move |_| {
        run.compare
            .result
            .with(|c| c.as_ref().map(|c| top_of(&c.exact.weights)))
    });
    let kind = Memo::new(move |_| run.compare.result.with(|c| c.as_ref().map(|c| c.run.implied_kind)));
    let implied_range = Memo::new(move |_| {
        run.compare.result.with(|c| {
            c.as_ref().map(|c| match c.run.implied_kind {
                ImpliedKind::Probabilities => (0.0, top_of(&c.run.implied).max(top_of(&c.exact.weights))),
                _ => {
                    let m = abs_top_of(&c.run.implied);
                    (-m, m)
                }
            })
        })
    });
    let diff_hi = Memo::new(move |_| {
        run.compare
            .result
            .with(|c| c.as_ref().map(|c| abs_top_of(&c.difference)))
    });
    let spec_of = move |pick: fn(&Comparison) -> &Matrix, range: (f32, f32), cmap: Colormap| {
        run.compare.result.with(|c| {
            c.as_ref().map(|c| {
                let m = pick(c);
                HeatmapSpec {
                    matrix: Arc::new(m.clone()),
                    source: (m.rows, m.cols),
                    lo: range.0,
                    hi: range.1,
                    cmap,
                }
            })
        })
    };
    let exact_spec = Signal::derive(move || {
        let hi = exact_hi.get()?;
        let lo_hi = implied_range
            .get()
            .filter(|_| kind.get() == Some(ImpliedKind::Probabilities))
            .map(|r| r.1)
            .unwrap_or(hi);
        spec_of(|c| &c.exact.weights, (0.0, lo_hi), Colormap::Viridis)
    });
    let implied_spec = Signal::derive(move || {
        let range = implied_range.get()?;
        let cmap = if kind.get() == Some(ImpliedKind::Probabilities) {
            Colormap::Viridis
        } else {
            Colormap::Diverging
        };
        spec_of(|c| &c.run.implied, range, cmap)
    });
    let diff_spec = Signal::derive(move || {
        let m = diff_hi.get()?;
        spec_of(|c| &c.difference, (-m, m), Colormap::Diverging)
    });
    let labels = Signal::derive(move || {
        run.compare
            .result
            .with(|c| c.as_ref().map(|c| c.input.tokens.iter().cloned().collect::<Vec<_>>()))
            .unwrap_or_default()
    });
    // Row labels only while each row gets ≥ 12 px of the 300 px map (N ≤ 25); beyond, they are
    // unreadable and squeeze the map. The hover readout names the tokens at any N.
    let row_labels = Signal::derive(move || {
        let l = labels.get();
        if l.len() * 12 <= MAP_PX as usize {
            l
        } else {
            Vec::new()
        }
    });
    let hover = RwSignal::new(None::<(usize, usize)>);
    let on_hover = Callback::new(move |c| hover.set(c));
    let readout = move || {
        let (i, j) = hover.get()?;
        let toks = labels.get();
        run.compare.result.with(|c| {
            let c = c.as_ref()?;
            let n = c.exact.weights.rows;
            if i >= n || j >= n || toks.len() != n {
                return None;
            }
            let (e, a) = (c.exact.weights.get(i, j), c.run.implied.get(i, j));
            Some(view! {
                <div class="pair">
                    {tf("approx.hover.pair", &[("i", &i.to_string()), ("qi", &toks[i]), ("j", &j.to_string()), ("kj", &toks[j])])}
                </div>
                <table>
                    <tr><td>{t("approx.hover.exact")}</td><td data-testid="hover-exact">{fixed4(e)}</td></tr>
                    <tr><td>{t("approx.hover.approx")}</td><td data-testid="hover-approx">{fixed4(a)}</td></tr>
                    <tr><td>{t("approx.hover.diff")}</td><td>{fixed4(a - e)}</td></tr>
                </table>
            })
        })
    };
    let readout_view = move || match readout() {
        Some(v) => v.into_any(),
        None => view! { <p class="hint">{t("approx.hover.hint")}</p> }.into_any(),
    };
    let metrics = move || {
        run.compare.result.with(|c| {
            c.as_ref().map(|c| {
                tf(
                    "approx.metrics",
                    &[
                        ("out", &sig3(c.metrics.output as f64)),
                        ("mat", &sig3(c.metrics.matrix as f64)),
                        ("kl", &sig3(c.metrics.mean_kl as f64)),
                    ],
                )
            })
        })
    };
    let memory = move || {
        let p = params.get();
        run.compare.result.with(|c| {
            c.as_ref().map(|c| {
                tf(
                    "approx.memory",
                    &[
                        ("peak", &si(c.run.peak_intermediate_len as f64)),
                        ("nn", &si((p.n * p.n) as f64)),
                        ("flops", &si(c.run.cost.flops)),
                        ("exact", &si(c.exact_cost.flops)),
                    ],
                )
            })
        })
    };
    let timing = move || {
        run.compare
            .timing
            .get()
            .map(|ms| tf("approx.timing", &[("ms", &millis(ms))]))
    };
    let title = move || tf("approx.maps.title", &[("method", t(params.get().method.label_id()))]);
    let exact_hi_sig = Signal::derive(move || exact_spec.with(|s| s.as_ref().map(|s| s.hi).unwrap_or(1.0)));
    // Signals: the legend below is rebuilt when its colour map changes (`ui::reactive`).
    let implied_lo = relay(Memo::new(move |_| {
        implied_spec.with(|s| s.as_ref().map(|s| s.lo).unwrap_or(0.0))
    }));
    let implied_hi = relay(Memo::new(move |_| {
        implied_spec.with(|s| s.as_ref().map(|s| s.hi).unwrap_or(1.0))
    }));
    let diff_lo = Signal::derive(move || diff_spec.with(|s| s.as_ref().map(|s| s.lo).unwrap_or(-1.0)));
    let diff_hi_sig = Signal::derive(move || diff_spec.with(|s| s.as_ref().map(|s| s.hi).unwrap_or(1.0)));
    let signed_implied = Memo::new(move |_| kind.get().is_some_and(|k| k != ImpliedKind::Probabilities));
    view! {
        <div class="card">
            <h3>{title}</h3>
            <p class="caption">{move || t(implied_caption(&params.get()))}</p>
            <div class="row-wrap">
                <div class="figures approx-map">
                    <strong>{t("approx.maps.exact")}</strong>
                    <Heatmap
                        spec=exact_spec
                        width=MAP_PX
                        height=MAP_PX
                        row_labels=row_labels
                        on_hover=on_hover
                        aria_label=t("approx.maps.exact").to_string()
                        test_id="exact-heatmap"
                    />
                    <Legend cmap=Colormap::Viridis lo=0.0 hi=exact_hi_sig label=t("legend.weight").to_string() />
                </div>
                <div class="figures approx-map">
                    <strong>{t("approx.maps.implied")}</strong>
                    <Heatmap
                        spec=implied_spec
                        width=MAP_PX
                        height=MAP_PX
                        on_hover=on_hover
                        aria_label=t("approx.maps.implied").to_string()
                        test_id="implied-heatmap"
                    />
                    {move || {
                        if signed_implied.get() {
                            view! { <Legend cmap=Colormap::Diverging lo=implied_lo hi=implied_hi label=t("approx.legend.signed").to_string() /> }.into_any()
                        } else {
                            view! { <Legend cmap=Colormap::Viridis lo=implied_lo hi=implied_hi label=t("legend.weight").to_string() /> }.into_any()
                        }
                    }}
                </div>
                <div class="figures approx-map">
                    <strong>{t("approx.maps.diff")}</strong>
                    <Heatmap
                        spec=diff_spec
                        width=MAP_PX
                        height=MAP_PX
                        on_hover=on_hover
                        aria_label=t("approx.maps.diff").to_string()
                        test_id="diff-heatmap"
                    />
                    <Legend cmap=Colormap::Diverging lo=diff_lo hi=diff_hi_sig label=t("approx.legend.diff").to_string() />
                </div>
            </div>
            <div class="row-wrap">
                <div class="readout" data-testid="readout">{readout_view}</div>
                <div>
                    <p class="stats" data-testid="metrics">{metrics}</p>
                    <p class="stats" data-testid="memory">{memory}</p>
                    <p class="timing" data-testid="timing">{timing}</p>
                </div>
            </div>
        </div>
    }
}
