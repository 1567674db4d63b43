//! The MLA panel: what each design caches per token (bars), the selected head's MLA weights, the check
//! that the absorbed form equals the naive one, and the low-rank curve of the toy layer's [K V].

use std::sync::Arc;

use leptos::prelude::*;
use plotters::style::RGBColor;

use crate::attention::heads::presets::preset_by_id;
use crate::i18n::{t, tf};
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::render::plot::{LineChart, LineChartSpec, Series};
use crate::view_model::format::sig3;
use crate::view_model::heads::HeadsParams;

use super::HeadsRun;

/// CSS size of the MLA heatmap.
const MAP_PX: u32 = 300;

/// One horizontal bar: label, numbers per token, share of the longest bar.
fn bar(label: String, value: usize, max: usize, color: &'static str, test_id: &'static str) -> impl IntoView {
    let pct = 100.0 * value as f64 / max.max(1) as f64;
    view! {
        <div class="bar-row" data-testid=test_id>
            <span class="bar-label">{label}</span>
            <div class="bar-track">
                <div class="bar-fill" style:width=format!("{pct:.1}%") style:background=color></div>
            </div>
            <span class="bar-value">{value}</span>
        </div>
    }
}

/// The panel.
#[component]
pub fn Latent(params: ReadSignal<HeadsParams>, run: HeadsRun) -> impl IntoView {
    let bars = move || {
        run.mla.with(|m| {
            m.as_ref().map(|m| {
                let max = m.cache_mha.max(m.cache_gqa).max(m.cache_mla);
                let kv = params.with(|p| p.n_kv_heads);
                view! {
                    {bar(t("heads.mla.bar.mha").to_string(), m.cache_mha, max, "#d64545", "bar-mha")}
                    {bar(tf("heads.mla.bar.gqa", &[("kv", &kv.to_string())]), m.cache_gqa, max, "#b7791f", "bar-gqa")}
                    {bar(t("heads.mla.bar.mla").to_string(), m.cache_mla, max, "#2c5fd4", "bar-mla")}
                }
            })
        })
    };
    let formula = move || {
        let p = params.get();
        tf(
            "heads.mla.cache",
            &[
                ("h", &p.n_heads.to_string()),
                ("dh", &p.d_head().to_string()),
                ("mha", &(2 * p.n_heads * p.d_head()).to_string()),
                ("dc", &p.d_c.to_string()),
                ("dr", &p.d_r.to_string()),
                ("mla", &(p.d_c + p.d_r).to_string()),
            ],
        )
    };
    let deepseek = move || {
        preset_by_id("deepseek-v3").map(|ds| {
            let s = ds.shape;
            let mla = s.kv_elements_per_token_per_layer();
            let mha = s.with_kv_heads(s.n_heads).kv_elements_per_token_per_layer();
            tf(
                "heads.mla.deepseek",
                &[("mla", &sig3(mla)), ("mha", &sig3(mha)), ("x", &sig3(mha / mla))],
            )
        })
    };
    let map = Signal::derive(move || {
        run.mla.with(|m| {
            m.as_ref().map(|m| {
                let n = m.head_map.rows;
                HeatmapSpec::weights(Arc::new(m.head_map.clone()), (n, n))
            })
        })
    });
    let check = move || {
        run.mla.with(|m| {
            m.as_ref()
                .map(|m| tf("heads.mla.check", &[("diff", &format!("{:.1e}", m.absorbed_diff))]))
        })
    };
    let curve = Signal::derive(move || {
        run.low_rank.with(|c| {
            let pts = c.as_ref().map(|c| c.points.clone()).unwrap_or_default();
            let at = c.as_ref().map(|c| c.at_d_c.rank).unwrap_or(0);
            LineChartSpec {
                legend_outside: false,
                x_label: t("heads.lr.x").into(),
                y_label: t("heads.lr.y").into(),
                x_log: false,
                y_log: false,
                series: vec![
                    Series {
                        label: t("heads.lr.error").into(),
                        points: pts.iter().map(|p| (p.rank as f64, p.relative_error)).collect(),
                        color: RGBColor(214, 69, 69),
                        dashed: false,
                    },
                    Series {
                        label: t("heads.lr.energy").into(),
                        points: pts.iter().map(|p| (p.rank as f64, p.energy)).collect(),
                        color: RGBColor(44, 95, 212),
                        dashed: true,
                    },
                ],
                markers: vec![(at as f64, tf("heads.lr.marker.dc", &[("dc", &at.to_string())]))],
            }
        })
    });
    let lr_stats = move || {
        run.low_rank.with(|c| {
            c.as_ref().map(|c| {
                let a = c.at_d_c;
                tf(
                    "heads.lr.stats",
                    &[
                        ("dc", &a.rank.to_string()),
                        ("w", &c.width.to_string()),
                        ("err", &sig3(100.0 * a.relative_error)),
                        ("energy", &sig3(100.0 * a.energy)),
                        ("saved", &sig3(100.0 * a.memory_saved)),
                        ("bound", &params.with(|p| p.n.min(p.d_model)).to_string()),
                    ],
                )
            })
        })
    };
    view! {
        <div class="card" data-testid="mla">
            <h3>{t("heads.mla.title")}</h3>
            <p class="caption">{t("heads.mla.caption")}</p>
            <div class="row-wrap">
                <div class="figures mla-numbers">
                    <h4 class="fig-title">{t("heads.mla.bars")}</h4>
                    <div class="bar-list" data-testid="cache-bars">{bars}</div>
                    <p class="derived">{formula}</p>
                    <p class="stats" data-testid="deepseek-line">{deepseek}</p>
                    <p class="stats" data-testid="absorbed-check">{check}</p>
                    <p class="caption">{t("heads.mla.absorbed")}</p>
                </div>
                <div>
                    <h4 class="fig-title">{move || tf("heads.mla.map", &[("h", &params.with(|p| p.selected_head).to_string())])}</h4>
                    <Heatmap spec=map width=MAP_PX height=MAP_PX busy=run.busy_text() aria_label=t("heads.mla.map.aria").to_string() test_id="mla-heatmap" />
                </div>
            </div>
            <h4 class="subhead section">{t("heads.lr.title")}</h4>
            <p class="caption">{t("heads.lr.caption")}</p>
            <LineChart spec=curve width=640 height=320 test_id="low-rank-chart" />
            <p class="stats" data-testid="low-rank-stats">{lr_stats}</p>
        </div>
    }
}
