//! The RoPE panel: every pair's rotation across positions (cos φ as stripes), the decay of the score
//! with distance for both LLaMA bases, and two live checks — relative position and layout equivalence.

use std::sync::Arc;

use leptos::prelude::*;
use plotters::style::RGBColor;

use crate::attention::heads::rope::RopeLayout;
use crate::attention::matrix::Matrix;
use crate::i18n::{t, tf};
use crate::ui::components::param_controls::ChoiceSelect;
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::render::legend::Legend;
use crate::ui::render::plot::{LineChart, LineChartSpec, Series};
use crate::view_model::colormap::Colormap;
use crate::view_model::format::{fixed4, si};
use crate::view_model::heads::params::{RopeBase, LAYOUT, THETA};
use crate::view_model::heads::rope::{decay_curve, rope_demo, ROPE_DIM, ROPE_POSITIONS};
use crate::view_model::heads::HeadsParams;

/// A small difference as "0" or "3.1e-7".
fn tiny(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v:.1e}")
    }
}

/// The panel.
#[component]
pub fn Rotary(params: ReadSignal<HeadsParams>) -> impl IntoView {
    let demo =
        Memo::new(move |_| params.with(|p| rope_demo(p.rope_base.theta(), p.rope_layout, p.seed).ok().map(Arc::new)));
    let stripes = Signal::derive(move || {
        demo.with(|d| {
            d.as_ref().map(|d| {
                let a = &d.angles;
                let cos = Matrix::from_fn(a.rows, a.cols, |i, j| a.get(i, j).cos());
                HeatmapSpec {
                    matrix: Arc::new(cos),
                    source: (a.rows, a.cols),
                    lo: -1.0,
                    hi: 1.0,
                    cmap: Colormap::Diverging,
                }
            })
        })
    });
    let checks = move || {
        demo.with(|d| {
            d.as_ref().map(|d| {
                view! {
                    <p data-testid="rope-relative">
                        {tf("heads.rope.relative", &[("a", &fixed4(d.score as f32)), ("b", &fixed4(d.score_shifted as f32))])}
                    </p>
                    <p data-testid="rope-layouts">{tf("heads.rope.layouts", &[("gap", &tiny(d.layout_gap))])}</p>
                    <p>{tf("heads.rope.wavelengths", &[("fast", &format!("{:.2}", d.fastest)), ("slow", &si(d.slowest))])}</p>
                }
            })
        })
    };
    let decay = Signal::derive(move || LineChartSpec {
        legend_outside: false,
        x_label: t("heads.rope.decay.x").into(),
        y_label: t("heads.rope.decay.y").into(),
        x_log: true,
        y_log: false,
        series: vec![
            Series {
                label: t("heads.rope.theta.llama2").into(),
                points: decay_curve(RopeBase::Llama2.theta()),
                color: RGBColor(44, 95, 212),
                dashed: false,
            },
            Series {
                label: t("heads.rope.theta.llama3").into(),
                points: decay_curve(RopeBase::Llama3.theta()),
                color: RGBColor(214, 69, 69),
                dashed: false,
            },
        ],
        markers: vec![],
    });
    let pairs_text = move || {
        let id = match params.with(|p| p.rope_layout) {
            RopeLayout::RotateHalf => "heads.rope.pairs.half",
            RopeLayout::Interleaved => "heads.rope.pairs.interleaved",
        };
        t(id)
    };
    view! {
        <div class="card" data-testid="rope">
            <h3>{t("heads.rope.title")}</h3>
            <p class="caption">{t("heads.rope.caption")}</p>
            <div class="row-wrap rope-choices">
                <ChoiceSelect spec=&THETA value=Signal::derive(move || params.with(|p| p.rope_base)) />
                <ChoiceSelect spec=&LAYOUT value=Signal::derive(move || params.with(|p| p.rope_layout)) />
            </div>
            <p class="derived" data-testid="rope-pairs">{pairs_text}</p>
            <h4 class="subhead">
                {tf("heads.rope.stripes", &[("d", &ROPE_DIM.to_string()), ("n", &(ROPE_POSITIONS - 1).to_string())])}
            </h4>
            <div class="row-wrap">
                <Heatmap spec=stripes width=640 height=220 aria_label=t("heads.rope.stripes.aria").to_string() test_id="rope-heatmap" />
                <div class="figures rope-side">
                    <Legend cmap=Colormap::Diverging lo=-1.0 hi=1.0 label=t("heads.rope.legend").to_string() />
                    <div class="stats">{checks}</div>
                </div>
            </div>
            <h4 class="subhead">{t("heads.rope.decay.title")}</h4>
            <p class="caption">{t("heads.rope.decay.caption")}</p>
            <LineChart spec=decay width=640 height=300 test_id="rope-decay-chart" />
        </div>
    }
}
