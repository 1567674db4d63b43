//! The scaling lesson: mean row entropy of softmax against d_head, with and without 1/√d_head,
//! measured now by the engine (`attention::saturation`).

use leptos::prelude::*;
use plotters::style::RGBColor;

use crate::attention::saturation::{saturation_curve, SWEEP_D_HEAD};
use crate::i18n::t;
use crate::ui::render::plot::{LineChart, LineChartSpec, Series};
use crate::view_model::sdpa::params::SdpaParams;

/// Keys (and queries) per sample in the sweep; the uniform entropy is ln of this.
const SWEEP_N: usize = 64;

/// Chart and explanation.
#[component]
pub fn ScalingLesson(params: ReadSignal<SdpaParams>) -> impl IntoView {
    let seed = Memo::new(move |_| params.with(|p| p.seed));
    let d_head = Memo::new(move |_| params.with(|p| p.d_model / p.heads));
    let curve = Memo::new(move |_| saturation_curve(&SWEEP_D_HEAD, SWEEP_N, seed.get()));
    let spec = Signal::derive(move || {
        let pts = curve.get();
        let uniform = (SWEEP_N as f64).ln();
        LineChartSpec {
            legend_outside: false,
            x_label: t("sdpa.scaling.x").into(),
            y_label: t("sdpa.scaling.y").into(),
            x_log: true,
            y_log: false,
            series: vec![
                Series {
                    label: t("sdpa.scaling.scaled").into(),
                    points: pts.iter().map(|p| (p.d_head as f64, p.entropy_scaled as f64)).collect(),
                    color: RGBColor(44, 95, 212),
                    dashed: false,
                },
                Series {
                    label: t("sdpa.scaling.unscaled").into(),
                    points: pts
                        .iter()
                        .map(|p| (p.d_head as f64, p.entropy_unscaled as f64))
                        .collect(),
                    color: RGBColor(214, 69, 69),
                    dashed: false,
                },
                Series {
                    label: t("sdpa.scaling.uniform").into(),
                    points: vec![
                        (SWEEP_D_HEAD[0] as f64, uniform),
                        (*SWEEP_D_HEAD.last().unwrap_or(&256) as f64, uniform),
                    ],
                    color: RGBColor(110, 110, 110),
                    dashed: true,
                },
            ],
            markers: vec![(
                d_head.get().clamp(SWEEP_D_HEAD[0], 256) as f64,
                t("sdpa.scaling.current").into(),
            )],
        }
    });
    view! {
        <div class="card">
            <h3>{t("sdpa.scaling.title")}</h3>
            <p class="caption">{t("sdpa.scaling.text")}</p>
            <LineChart spec=spec width=640 height=330 test_id="scaling-chart" />
        </div>
    }
}
