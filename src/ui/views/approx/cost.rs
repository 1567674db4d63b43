//! The cost lesson: FLOPs and the largest buffer against N for exact attention and the linear-time
//! methods (formulas from `attention::approx::cost`), and the associativity crossover N* = d.

use leptos::prelude::*;
use plotters::style::RGBColor;

use crate::i18n::{t, tf};
use crate::ui::render::plot::{LineChart, LineChartSpec, Series};
use crate::view_model::approx::cost::{associativity_curves, cost_curves, CostSeries};
use crate::view_model::approx::params::ApproxParams;
use crate::view_model::format::sig3;

/// Colours: exact (grey-black), linear (blue), Linformer (green), Performer (red).
const COLORS: [RGBColor; 4] = [
    RGBColor(60, 60, 60),
    RGBColor(44, 95, 212),
    RGBColor(30, 140, 80),
    RGBColor(214, 69, 69),
];

fn series(curves: Vec<CostSeries>) -> Vec<Series> {
    curves
        .into_iter()
        .zip(COLORS)
        .map(|(c, color)| Series {
            label: t(c.label_id).into(),
            points: c.points,
            color,
            dashed: false,
        })
        .collect()
}

/// FLOPs, memory and associativity charts.
#[component]
pub fn CostCharts(params: ReadSignal<ApproxParams>) -> impl IntoView {
    let marker = move |p: &ApproxParams| vec![(p.n as f64, tf("approx.cost.current", &[("n", &p.n.to_string())]))];
    let flops = Signal::derive(move || {
        let p = params.get();
        LineChartSpec {
            legend_outside: false,
            x_label: t("approx.cost.x").into(),
            y_label: t("approx.cost.flops").into(),
            x_log: true,
            y_log: true,
            series: series(cost_curves(&p, true)),
            markers: marker(&p),
        }
    });
    let memory = Signal::derive(move || {
        let p = params.get();
        LineChartSpec {
            legend_outside: false,
            x_label: t("approx.cost.x").into(),
            y_label: t("approx.cost.memory").into(),
            x_log: true,
            y_log: true,
            series: series(cost_curves(&p, false)),
            markers: marker(&p),
        }
    });
    let assoc = Signal::derive(move || {
        let d = params.with(|p| p.d());
        let (curves, crossover) = associativity_curves(d);
        LineChartSpec {
            legend_outside: false,
            x_label: t("approx.cost.x").into(),
            y_label: t("approx.cost.flops").into(),
            x_log: true,
            y_log: true,
            series: series(curves),
            markers: vec![(crossover, tf("approx.assoc.marker", &[("n", &sig3(crossover))]))],
        }
    });
    let caption = move || {
        let p = params.get();
        tf(
            "approx.cost.caption",
            &[
                ("d", &p.d().to_string()),
                ("k", &p.projected_len.to_string()),
                ("m", &p.feature_count.to_string()),
            ],
        )
    };
    view! {
        <div class="card">
            <h3>{t("approx.cost.title")}</h3>
            <p class="caption">{caption}</p>
            <div class="row-wrap">
                <LineChart spec=flops width=460 height=320 test_id="cost-flops" />
                <LineChart spec=memory width=460 height=320 test_id="cost-memory" />
            </div>
            <h3>{t("approx.assoc.title")}</h3>
            <p class="caption">{move || tf("approx.assoc.caption", &[("d", &params.with(|p| p.d()).to_string())])}</p>
            <LineChart spec=assoc width=640 height=320 test_id="assoc-chart" />
        </div>
    }
}
