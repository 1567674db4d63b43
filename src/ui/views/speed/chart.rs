//! The benchmark's two log–log charts, one line per kernel with the legend in a column right of the
//! plot (13 rows would cover any corner): time per call against N, with dashed guides of slope 2
//! and 1, and the peak bytes one call allocated against N (the page's counting allocator).

use leptos::prelude::*;
use plotters::style::RGBColor;

use super::driver::SpeedRun;
use crate::attention::bench::BenchKernel;
use crate::i18n::t;
use crate::ui::render::plot::{LineChart, LineChartSpec, Series};
use crate::view_model::speed::kernels::LegendId;
use crate::view_model::speed::sampling::{peak_points, points, Outcome, Task};
use crate::view_model::speed::SpeedParams;

/// Line colour of each kernel (dense: reds and orange, sparse: greens, teal, brown and magenta,
/// linear-time: blues and purple, learned: gold and slate).
pub fn color(kernel: BenchKernel) -> RGBColor {
    match kernel {
        BenchKernel::Exact => RGBColor(214, 69, 69),
        BenchKernel::ExactWorkers => RGBColor(150, 30, 60),
        BenchKernel::Flash => RGBColor(230, 140, 30),
        BenchKernel::Window => RGBColor(40, 150, 90),
        BenchKernel::Strided => RGBColor(0, 140, 140),
        BenchKernel::BigBird => RGBColor(120, 170, 40),
        BenchKernel::Lsh => RGBColor(170, 110, 40),
        BenchKernel::Sinkhorn => RGBColor(200, 60, 160),
        BenchKernel::Linear => RGBColor(44, 95, 212),
        BenchKernel::Linformer => RGBColor(140, 80, 200),
        BenchKernel::Performer => RGBColor(30, 170, 200),
        BenchKernel::Synthesizer => RGBColor(190, 160, 0),
        BenchKernel::Mixer => RGBColor(95, 105, 135),
    }
}

/// Dashed lines for the kernels whose pattern or weights are computed from the data or learned
/// (LSH, Sinkhorn, Synthesizer, mixer) and for strided, so a line never shares both hue family and
/// dash with its neighbours in the legend.
pub fn dashed(kernel: BenchKernel) -> bool {
    matches!(
        kernel,
        BenchKernel::Strided | BenchKernel::Lsh | BenchKernel::Sinkhorn | BenchKernel::Synthesizer | BenchKernel::Mixer
    )
}

/// The CSS background of a kernel's swatch in the table: its colour, striped when its line is dashed.
pub fn swatch_css(kernel: BenchKernel) -> String {
    let RGBColor(r, g, b) = color(kernel);
    if dashed(kernel) {
        format!("repeating-linear-gradient(90deg, rgb({r}, {g}, {b}) 0 4px, transparent 4px 6px)")
    } else {
        format!("rgb({r}, {g}, {b})")
    }
}

/// Guides' grey: lighter than every kernel's line.
const GUIDE: RGBColor = RGBColor(165, 165, 165);

/// A dashed guide t = t₀·(N/N₀)^p through the first point of `pts`, out to the largest measured N.
fn guide(label: &str, pts: &[(f64, f64)], max_n: f64, p: i32) -> Option<Series> {
    let &(n0, t0) = pts.first()?;
    (max_n > n0).then(|| Series {
        label: label.to_string(),
        points: vec![(n0, t0), (max_n, t0 * (max_n / n0).powi(p))],
        color: GUIDE,
        dashed: true,
    })
}

/// A legend row without a line naming the run's settings (a series without points).
fn settings_note(params: ReadSignal<SpeedParams>) -> Series {
    let label = params.with(|p| {
        format!(
            "d = {}{}",
            p.plan.d,
            if p.plan.causal { t("speed.s.causal") } else { "" }
        )
    });
    Series {
        label,
        points: Vec::new(),
        color: GUIDE,
        dashed: false,
    }
}

/// Reads one kernel's (N, value) points out of the results (`points` or `peak_points`).
type PointsOf = fn(&[(Task, Outcome)], BenchKernel) -> Vec<(f64, f64)>;

/// One line per kernel of the plan with at least one point, `pts` reading a kernel's points.
fn kernel_lines(params: ReadSignal<SpeedParams>, results: &[(Task, Outcome)], pts: PointsOf) -> Vec<Series> {
    params
        .with(|p| p.plan.kernels())
        .into_iter()
        .map(|k| Series {
            label: t(k.legend_id()).to_string(),
            points: pts(results, k),
            color: color(k),
            dashed: dashed(k),
        })
        .filter(|s| !s.points.is_empty())
        .collect()
}

/// Chart width and height (the legend column takes ≈ 150 px of the width).
const W: u32 = 860;
const H: u32 = 460;

/// The time chart (drawn once two lengths of some kernel are measured).
#[component]
pub fn TimeChart(params: ReadSignal<SpeedParams>, run: SpeedRun) -> impl IntoView {
    let spec = Memo::new(move |_| {
        run.results.with(|results| {
            let mut series = kernel_lines(params, results, points);
            let max_n = series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0))
                .fold(0.0, f64::max);
            series.extend(guide("∝ N²", &points(results, BenchKernel::Exact), max_n, 2));
            series.extend(guide("∝ N", &points(results, BenchKernel::Linear), max_n, 1));
            series.push(settings_note(params));
            LineChartSpec {
                x_label: t("speed.chart.x").into(),
                y_label: t("speed.chart.y").into(),
                x_log: true,
                y_log: true,
                series,
                markers: Vec::new(),
                legend_outside: true,
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
                <LineChart spec=spec width=W height=H test_id="time-chart" />
            </Show>
        </div>
    }
}

/// A kernel's measured peaks in MiB (2²⁰ bytes), the memory chart's unit.
fn peak_mib(results: &[(Task, Outcome)], kernel: BenchKernel) -> Vec<(f64, f64)> {
    peak_points(results, kernel)
        .into_iter()
        .map(|(n, b)| (n, b / (1u64 << 20) as f64))
        .collect()
}

/// The memory chart: peak bytes of one call against N (drawn once two lengths are measured).
#[component]
pub fn MemoryChart(params: ReadSignal<SpeedParams>, run: SpeedRun) -> impl IntoView {
    let spec = Memo::new(move |_| {
        run.results.with(|results| {
            let mut series = kernel_lines(params, results, peak_mib);
            let max_n = series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0))
                .fold(0.0, f64::max);
            series.extend(guide("∝ N²", &peak_mib(results, BenchKernel::Synthesizer), max_n, 2));
            series.extend(guide("∝ N", &peak_mib(results, BenchKernel::Window), max_n, 1));
            series.push(settings_note(params));
            LineChartSpec {
                x_label: t("speed.chart.x").into(),
                y_label: t("speed.memory.y").into(),
                x_log: true,
                y_log: true,
                series,
                markers: Vec::new(),
                legend_outside: true,
            }
        })
    });
    let ready = move || spec.with(|s| s.series.iter().any(|s| s.points.len() >= 2));
    view! {
        <div class="card">
            <h3>{t("speed.memory.title")}</h3>
            <p class="caption">{t("speed.memory.caption")}</p>
            <Show
                when=ready
                fallback=|| view! { <p class="caption" data-testid="memory-empty">{t("speed.chart.empty")}</p> }
            >
                <LineChart spec=spec width=W height=H test_id="speed-memory-chart" />
            </Show>
        </div>
    }
}
