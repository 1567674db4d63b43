//! The selected head's attention weights (large, with labels, legend and hover readout) and every
//! head as a clickable small multiple.

use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::exact::attention_row;
use crate::attention::mask::causal_or_full;
use crate::attention::pooling::{pool, PoolMode};
use crate::i18n::{t, tf};
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::render::legend::Legend;
use crate::ui::url::setter;
use crate::view_model::colormap::Colormap;
use crate::view_model::format::{fixed4, sig3};
use crate::view_model::sdpa::params::SdpaParams;

use super::SdpaRun;

/// CSS size of the main heatmap.
const MAIN_PX: u32 = 520;
/// CSS size of each small multiple.
const SMALL_PX: u32 = 100;

/// The numbers of one (query, key) cell, computed on demand from Q and K.
struct CellReadout {
    i: usize,
    j: usize,
    qi: String,
    kj: String,
    raw: f32,
    scaled: f32,
    weight: f32,
    masked: bool,
}

/// The selected head's map, legend, statistics and hover readout.
#[component]
pub fn MainMap(params: ReadSignal<SdpaParams>, tokens: Memo<Arc<Vec<String>>>, run: SdpaRun) -> impl IntoView {
    let head = Memo::new(move |_| params.with(|p| p.head));
    let spec = Memo::new(move |_| {
        let h = head.get();
        run.result.with(|r| {
            r.as_ref().and_then(|r| {
                r.heads
                    .get(h)
                    .map(|m| HeatmapSpec::weights(Arc::new(m.weights.clone()), (r.n(), r.n())))
            })
        })
    });
    let hover = RwSignal::new(None::<(usize, usize)>);
    let labels = Signal::derive(move || tokens.get().iter().cloned().collect::<Vec<_>>());
    let readout = move || {
        let (i, j) = hover.get()?;
        let h = head.get();
        run.result.with(|r| {
            let r = r.as_ref()?;
            if i >= r.n() || j >= r.n() || h >= r.heads.len() {
                return None;
            }
            let p = r.projections();
            let (q, k, _) = p.head(h);
            let factor = r.cfg.scale.factor(r.d_head);
            let raw: f32 = q.row(i).iter().zip(k.row(j)).map(|(a, b)| a * b).sum();
            let mask = causal_or_full(r.cfg.causal);
            let row = attention_row(q, k, i, factor, mask);
            let toks = &r.projected.key.tokens;
            Some(CellReadout {
                i,
                j,
                qi: toks[i].clone(),
                kj: toks[j].clone(),
                raw,
                scaled: raw * factor,
                weight: row[j],
                masked: !mask.allows(i, j),
            })
        })
    };
    let readout_view = move || match readout() {
        None => view! { <p class="hint">{t("sdpa.hover.hint")}</p> }.into_any(),
        Some(c) => {
            let pair = tf(
                "sdpa.hover.pair",
                &[
                    ("i", &c.i.to_string()),
                    ("qi", &c.qi),
                    ("j", &c.j.to_string()),
                    ("kj", &c.kj),
                ],
            );
            let masked = c.masked.then(|| {
                view! { <p>{tf("sdpa.hover.masked", &[("i", &c.i.to_string()), ("j", &c.j.to_string())])}</p> }
            });
            view! {
                <div class="pair">{pair}</div>
                <table>
                    <tr><td>{t("sdpa.hover.raw")}</td><td data-testid="hover-raw">{fixed4(c.raw)}</td></tr>
                    <tr><td>{t("sdpa.hover.scaled")}</td><td>{if c.masked { "−∞".to_string() } else { fixed4(c.scaled) }}</td></tr>
                    <tr><td>{t("sdpa.hover.weight")}</td><td data-testid="hover-weight">{fixed4(c.weight)}</td></tr>
                </table>
                {masked}
            }
            .into_any()
        }
    };
    let pool_note = move || {
        let p = params.get();
        spec.with(|s| {
            s.as_ref().map(|s| {
                let px = s.matrix.rows;
                if px >= p.n {
                    t("pool.none").to_string()
                } else {
                    let id = if p.pool == PoolMode::Mean {
                        "pool.mean"
                    } else {
                        "pool.max"
                    };
                    tf(id, &[("n", &p.n.to_string()), ("px", &px.to_string())])
                }
            })
        })
    };
    let stats = move || {
        let h = head.get();
        let n = params.with(|p| p.n);
        run.result.with(|r| {
            r.as_ref().and_then(|r| r.heads.get(h)).map(|m| {
                tf(
                    "sdpa.stats",
                    &[
                        ("h", &h.to_string()),
                        ("e", &sig3(m.mean_entropy as f64)),
                        ("u", &sig3((n as f64).ln())),
                        ("w", &sig3(m.mean_max_weight as f64)),
                    ],
                )
            })
        })
    };
    let hi = Signal::derive(move || spec.with(|s| s.as_ref().map(|s| s.hi).unwrap_or(1.0)));
    view! {
        <div class="card">
            <h3>{move || tf("sdpa.map.title", &[("h", &head.get().to_string())])}</h3>
            <p class="caption">{t("sdpa.map.axes")}</p>
            <div class="row-wrap">
                <Heatmap
                    spec=spec
                    width=MAIN_PX
                    height=MAIN_PX
                    row_labels=labels
                    col_labels=labels
                    on_hover=Callback::new(move |c| hover.set(c))
                    busy=run.busy_text()
                    aria_label=t("sdpa.map.axes").to_string()
                    test_id="main-heatmap"
                />
                <div class="figures">
                    <Legend cmap=Colormap::Viridis lo=0.0 hi=hi label=t("legend.weight").to_string() masked=true />
                    <div class="readout" data-testid="readout">{readout_view}</div>
                    <p class="stats" data-testid="stats">{stats}</p>
                    <p class="caption" data-testid="pool-note">{pool_note}</p>
                </div>
            </div>
        </div>
    }
}

/// Every head's map, small; clicking one selects it.
#[component]
pub fn Multiples(params: ReadSignal<SdpaParams>, run: SdpaRun) -> impl IntoView {
    let set_head = setter("head");
    let smalls = Memo::new(move |_| {
        run.result.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.heads
                        .iter()
                        .map(|m| {
                            let small = pool(&m.weights, SMALL_PX as usize, SMALL_PX as usize, r.pool);
                            HeatmapSpec::weights(Arc::new(small), (r.n(), r.n()))
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let selected = Memo::new(move |_| params.with(|p| p.head));
    view! {
        <div class="card">
            <h3>{t("sdpa.heads.title")}</h3>
            <div class="multiples" data-testid="multiples">
                <For
                    each={move || (0..smalls.with(|s| s.len())).collect::<Vec<usize>>()}
                    key={|h: &usize| *h}
                    children={move |h: usize| {
                        let spec = Signal::derive(move || smalls.with(|s| s.get(h).cloned()));
                        view! {
                            <button
                                class="multiple"
                                class:selected=move || selected.get() == h
                                data-testid=format!("head-{h}")
                                on:click=move |_| set_head.set(Some(h.to_string()))
                            >
                                <Heatmap spec=spec width=SMALL_PX height=SMALL_PX words=false aria_label=tf("sdpa.head.n", &[("h", &h.to_string())]) />
                                <span>{tf("sdpa.head.n", &[("h", &h.to_string())])}</span>
                            </button>
                        }
                    }}
                />
            </div>
        </div>
    }
}
