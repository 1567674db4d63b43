//! Time per call against N on log–log axes, one line per kernel, with dashed guides of slope 2 and 1.

use leptos::prelude::*;
use plotters::style::RGBColor;

use super::driver::SpeedRun;
use crate::attention::bench::BenchKernel;
use crate::i18n::t;
use crate::ui::render::plot::{LineChart, LineChartSpec, Series};
use crate::view_model::speed::kernels::LegendId;
use crate::view_model::speed::sampling::points;
use crate::view_model::speed::SpeedParams;

/// Line colour of each kernel (dense: reds, sparse: greens, linear-time: blues/purple).
pub fn color(kernel: BenchKernel) -> RGBColor {
    match kernel {
        BenchKernel::Exact => RGBColor(214, 69, 69),
        BenchKernel::ExactWorkers => RGBColor(150, 30, 60),
        BenchKernel::Flash => RGBColor(230, 140, 30),
        BenchKernel::Window => RGBColor(40, 150, 90),
        BenchKernel::BigBird => RGBColor(120, 170, 40),
        BenchKernel::Linear => RGBColor(44, 95, 212),
        BenchKernel::Linformer => RGBColor(140, 80, 200),
        BenchKernel::Performer => RGBColor(30, 170, 200),
    }
}

/// A dashed guide t = t₀·(N/N₀)^p through the first point of `pts`, out to the largest measured N.
fn guide(label: &str, pts: &[(f64, f64)], max_n: f64, p: i32) -> Option<Series> {
    let &(n0, t0) = pts.first()?;
    (max_n > n0).then(|| Series {
        label: label.to_string(),
        points: vec![(n0, t0), (max_n, t0 * (max_n / n0).powi(p))],
        color: RGBColor(120, 120, 120),
        dashed: true,
    })
}

/// An invisible (white) dot high above the right end of the lines, so the log y axis leaves the
/// upper-left quarter empty for the legend; its legend row names the run's settings.
fn headroom(series: &[Series], label: String) -> Option<Series> {
    let ys = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (lo, hi) = ys.fold((f64::INFINITY, 0.0f64), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let x = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(0.0, f64::max);
    let top = hi * (hi / lo).max(4.0).powf(1.2);
    (hi > 0.0 && lo.is_finite()).then(|| Series {
        label,
        // Two coincident-looking points: the legend placement samples segments, not single points,
        // so this claims the upper-right corner and the legend goes to the empty upper left.
        points: vec![(x * 0.999, top), (x, top)],
        color: RGBColor(255, 255, 255),
        dashed: false,
    })
}

/// The chart (drawn once two lengths of some kernel are measured).
#[component]
pub fn TimeChart(params: ReadSignal<SpeedParams>, run: SpeedRun) -> impl IntoView {
    let spec = Memo::new(move |_| {
        let kernels = params.with(|p| p.plan.kernels());
        run.results.with(|results| {
            let mut series: Vec<Series> = kernels
                .into_iter()
                .map(|k| Series {
                    label: t(k.legend_id()).to_string(),
                    points: points(results, k),
                    color: color(k),
                    dashed: false,
                })
                .filter(|s| !s.points.is_empty())
                .collect();
            let max_n = series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0))
                .fold(0.0, f64::max);
            series.extend(guide("∝ N²", &points(results, BenchKernel::Exact), max_n, 2));
            series.extend(guide("∝ N", &points(results, BenchKernel::Linear), max_n, 1));
            let settings = params.with(|p| {
                format!(
                    "d = {}{}",
                    p.plan.d,
                    if p.plan.causal { t("speed.s.causal") } else { "" }
                )
            });
            series.extend(headroom(&series, settings));
            LineChartSpec {
                x_label: t("speed.chart.x").into(),
                y_label: t("speed.chart.y").into(),
                x_log: true,
                y_log: true,
                series,
                markers: Vec::new(),
            }
        })
    });
    let ready = move || spec.with(|s| s.series.iter().any(|s| s.points.len() >= 2));
    view! {
        <div class="card">
            <h3>{t("speed.chart.title")}</h3>
            <Show
                when=ready
                fallback=|| view! { <p class="caption" data-testid="chart-empty">{t("speed.chart.empty")}</p> }
            >
                <LineChart spec=spec width=760 height=440 test_id="time-chart" />
            </Show>
        </div>
    }
}
