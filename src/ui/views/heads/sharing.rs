//! Who shares keys and values: the group diagram (query heads inside the K/V head they read), every
//! query head's weights as small multiples, and the selected head under MHA and under GQA side by side.

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::{t, tf};
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::render::legend::Legend;
use crate::ui::url::setter;
use crate::view_model::colormap::Colormap;
use crate::view_model::format::{fixed4, quantile, sig3};
use crate::view_model::heads::HeadsParams;

use super::HeadsRun;

/// CSS size of the two large maps.
const MAIN_PX: u32 = 330;
/// CSS size of each small multiple.
const SMALL_PX: u32 = 96;
/// Group colours (K/V head g uses entry g mod 8).
pub const GROUP_COLORS: [&str; 8] = [
    "#2c5fd4", "#c53030", "#23784a", "#93601a", "#7b4fc9", "#0b6f7c", "#b0336f", "#5f6b7a",
];

/// The panel.
#[component]
pub fn Sharing(params: ReadSignal<HeadsParams>, run: HeadsRun) -> impl IntoView {
    let set_head = setter("head");
    let head = Memo::new(move |_| params.with(|p| p.selected_head));
    let groups = Memo::new(move |_| {
        run.sharing.with(|s| {
            s.as_ref()
                .map(|s| {
                    let cfg = s.cfg;
                    (0..cfg.n_kv_heads)
                        .map(|g| {
                            (
                                g,
                                (0..cfg.n_heads).filter(|h| cfg.kv_head_of(*h) == g).collect::<Vec<_>>(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let diagram = move || {
        let selected = head.get();
        groups
            .get()
            .into_iter()
            .map(|(g, hs)| {
                let color = GROUP_COLORS[g % GROUP_COLORS.len()];
                view! {
                    <div
                        class="kv-group"
                        data-testid=format!("kv-group-{g}")
                        style:border-color=color
                    >
                        <div class="q-heads">
                            {hs
                                .into_iter()
                                .map(|h| {
                                    let (background, text) = if h == selected { (color, "#fff") } else { ("#fff", color) };
                                    view! {
                                        <button
                                            class="button q-head"
                                            style:background=background
                                            style:color=text
                                            style:border-color=color
                                            data-testid=format!("q-head-{h}")
                                            on:click=move |_| set_head.set(Some(h.to_string()))
                                        >
                                            {tf("heads.q", &[("h", &h.to_string())])}
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </div>
                        <span class="kv-arrow">"↓"</span>
                        <strong class="mono-text" style:color=color>
                            {tf("heads.kvhead", &[("g", &g.to_string())])}
                        </strong>
                    </div>
                }
            })
            .collect_view()
    };
    let smalls = Memo::new(move |_| {
        run.sharing.with(|s| {
            s.as_ref()
                .map(|s| {
                    let n = s.tokens.len();
                    s.gqa_maps
                        .iter()
                        .map(|m| HeatmapSpec::weights(Arc::new(m.clone()), (n, n)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let kv_of = move |h: usize| {
        run.sharing
            .with(|s| s.as_ref().map(|s| s.cfg.kv_head_of(h)).unwrap_or(0))
    };
    // Both large maps share one colour scale, 0 … the 99.5th percentile of their cells together (the
    // convention of every weight map in the atlas).
    let hi = Memo::new(move |_| {
        let h = head.get();
        run.sharing.with(|s| {
            s.as_ref()
                .and_then(|s| {
                    let cells: Vec<f32> = s
                        .mha_maps
                        .get(h)
                        .into_iter()
                        .chain(s.gqa_maps.get(h))
                        .flat_map(|m| m.data.iter().copied())
                        .collect();
                    quantile(&cells, 0.995)
                })
                .unwrap_or(1.0)
                .max(1e-6)
        })
    });
    let big = move |mha: bool| {
        Signal::derive(move || {
            let h = head.get();
            run.sharing.with(|s| {
                s.as_ref().and_then(|s| {
                    let n = s.tokens.len();
                    let maps = if mha { &s.mha_maps } else { &s.gqa_maps };
                    maps.get(h).map(|m| HeatmapSpec {
                        matrix: Arc::new(m.clone()),
                        source: (n, n),
                        lo: 0.0,
                        hi: hi.get(),
                        cmap: Colormap::Viridis,
                    })
                })
            })
        })
    };
    let hover = RwSignal::new(None::<(usize, usize)>);
    let readout = move || {
        let h = head.get();
        let cell = hover.get().and_then(|(i, j)| {
            run.sharing.with(|s| {
                let s = s.as_ref()?;
                let (mha, gqa) = (s.mha_maps.get(h)?, s.gqa_maps.get(h)?);
                (i < mha.rows && j < mha.cols).then(|| {
                    (
                        tf(
                            "heads.hover.pair",
                            &[
                                ("i", &i.to_string()),
                                ("qi", &s.tokens[i]),
                                ("j", &j.to_string()),
                                ("kj", &s.tokens[j]),
                            ],
                        ),
                        fixed4(mha.get(i, j)),
                        fixed4(gqa.get(i, j)),
                    )
                })
            })
        });
        match cell {
            None => view! { <p class="hint">{t("heads.hover.hint")}</p> }.into_any(),
            Some((pair, a, b)) => view! {
                <div class="pair">{pair}</div>
                <table>
                    <tr><td>{t("heads.hover.mha")}</td><td data-testid="hover-mha">{a}</td></tr>
                    <tr><td>{t("heads.hover.gqa")}</td><td data-testid="hover-gqa">{b}</td></tr>
                </table>
            }
            .into_any(),
        }
    };
    let labels = Signal::derive(move || {
        run.sharing
            .with(|s| s.as_ref().map(|s| s.tokens.clone()).unwrap_or_default())
    });
    let stats = move || {
        let h = head.get();
        run.sharing.with(|s| {
            s.as_ref().map(|s| {
                tf(
                    "heads.sharing.stats",
                    &[
                        ("h", &h.to_string()),
                        ("g", &s.cfg.kv_head_of(h).to_string()),
                        ("tv", &sig3(s.tv.get(h).copied().unwrap_or(0.0))),
                        ("out", &sig3(100.0 * s.out_rel_diff)),
                    ],
                )
            })
        })
    };
    let gqa_title = move || {
        let p = params.get();
        tf(
            "heads.sharing.gqa",
            &[
                ("h", &p.selected_head.to_string()),
                ("kv", &p.n_kv_heads.to_string()),
                ("g", &kv_of(p.selected_head).to_string()),
            ],
        )
    };
    view! {
        <div class="card" data-testid="sharing">
            <h3>{t("heads.sharing.title")}</h3>
            <p class="caption">{t("heads.sharing.caption")}</p>
            <div class="row-wrap kv-diagram" data-testid="kv-diagram">{diagram}</div>
            <div class="row-wrap">
                <div>
                    <h4 class="fig-title">{move || tf("heads.sharing.mha", &[("h", &head.get().to_string())])}</h4>
                    <Heatmap
                        spec=big(true)
                        width=MAIN_PX
                        height=MAIN_PX
                        row_labels=labels
                        col_labels=labels
                        on_hover=Callback::new(move |c| hover.set(c))
                        busy=run.busy_text()
                        aria_label=t("heads.sharing.mha.aria").to_string()
                        test_id="mha-heatmap"
                    />
                </div>
                <div>
                    <h4 class="fig-title">{gqa_title}</h4>
                    <Heatmap
                        spec=big(false)
                        width=MAIN_PX
                        height=MAIN_PX
                        row_labels=labels
                        col_labels=labels
                        on_hover=Callback::new(move |c| hover.set(c))
                        busy=run.busy_text()
                        aria_label=t("heads.sharing.gqa.aria").to_string()
                        test_id="gqa-heatmap"
                    />
                </div>
                <div class="figures sharing-side">
                    <Legend cmap=Colormap::Viridis lo=0.0 hi=hi label=t("legend.weight").to_string() masked=true />
                    <div class="readout" data-testid="readout">{readout}</div>
                    <p class="stats" data-testid="sharing-stats">{stats}</p>
                    <p class="caption">{t("heads.sharing.pooling")}</p>
                </div>
            </div>
            <h4 class="multiples-title">{t("heads.sharing.all")}</h4>
            <div class="multiples" data-testid="multiples">
                <For
                    each={move || (0..smalls.with(|s| s.len())).collect::<Vec<usize>>()}
                    key={|h: &usize| *h}
                    children={move |h: usize| {
                        let spec = Signal::derive(move || smalls.with(|s| s.get(h).cloned()));
                        let color = move || GROUP_COLORS[kv_of(h) % GROUP_COLORS.len()];
                        view! {
                            <button
                                class="multiple"
                                class:selected=move || head.get() == h
                                data-testid=format!("head-{h}")
                                on:click=move |_| set_head.set(Some(h.to_string()))
                            >
                                <Heatmap spec=spec width=SMALL_PX height=SMALL_PX words=false aria_label=tf("heads.q", &[("h", &h.to_string())]) />
                                <span class="head-reads" style:color=color>
                                    {move || tf("heads.q.reads", &[("h", &h.to_string()), ("g", &kv_of(h).to_string())])}
                                </span>
                            </button>
                        }
                    }}
                />
            </div>
        </div>
    }
}
