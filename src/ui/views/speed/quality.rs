//! The speed-against-quality chart (`quality=1`): every kernel at N = 4096 timed, compared with exact
//! attention and its peak memory measured (`view_model::speed::quality`), as bubbles on a log
//! speed-up axis, with the published Long Range Arena results as a second, labelled layer; and the
//! numbers as a table.

use std::rc::Rc;

use leptos::prelude::*;
use plotters::prelude::*;

use super::chart::color;
use crate::i18n::{t, tf};
use crate::ui::browser::{now_ms, record_metric};
use crate::ui::jobs::{drive, JobRun, SLICED};
use crate::ui::render::chart_legend::{draw_legend, LegendRow, LegendStyle};
use crate::ui::render::plot::{legend_size, ChartArea, PlotCanvas, FONT};
use crate::ui::url::setter;
use crate::view_model::export::TableData;
use crate::view_model::format::{bytes, millis, sig3};
use crate::view_model::legend_box::LegendPlace;
use crate::view_model::schema::{FlagParam, UrlChoice};
use crate::view_model::speed::kernels::LegendId;
use crate::view_model::speed::lra::LRA;
use crate::view_model::speed::params::QUALITY;
use crate::view_model::speed::quality::{MemoryProbe, QualityJob, QualityReport, QUALITY_N};
use crate::view_model::speed::SpeedParams;
use plotters::style::TextStyle;

/// The wasm heap's counting allocator (`ui::alloc`) as the jobs' probe (this chart's and the
/// benchmark's, `driver`).
pub(super) struct HeapProbe(std::cell::Cell<f64>);

impl HeapProbe {
    pub(super) fn new() -> Self {
        Self(std::cell::Cell::new(0.0))
    }
}

impl MemoryProbe for HeapProbe {
    fn reset(&self) {
        crate::ui::alloc::atlas_reset_peak();
        self.0.set(crate::ui::alloc::atlas_live_bytes());
    }
    fn peak_above_start(&self) -> f64 {
        (crate::ui::alloc::atlas_peak_bytes() - self.0.get()).max(0.0)
    }
}

/// Runs the measurement while `quality=1` (a job with nothing to measure otherwise).
fn start(params: ReadSignal<SpeedParams>, again: RwSignal<u64>) -> JobRun<QualityReport> {
    let input = Memo::new(move |_| {
        let p = params.get();
        (p.quality, p.plan.d, p.plan.causal, again.get())
    });
    drive(
        "speed_quality",
        input,
        SLICED,
        move |&(on, d, causal, _): &(bool, usize, bool, u64)| {
            let probe = Rc::new(HeapProbe::new());
            Ok(if on {
                QualityJob::new(QUALITY_N, d, causal, now_ms, probe)
            } else {
                QualityJob::idle(d, causal, now_ms, probe)
            })
        },
        |r: &QualityReport| {
            if r.done && !r.points.is_empty() {
                for p in &r.points {
                    record_metric(&format!("quality_{}_speedup", p.kernel.word()), p.speedup);
                }
            }
        },
    )
}

const W: u32 = 860;
const H: u32 = 460;

/// x range of the chart (speed-up, log).
fn x_range(r: &QualityReport) -> (f64, f64) {
    let xs = r
        .points
        .iter()
        .map(|p| p.speedup)
        .chain(LRA.iter().map(|l| l.speedup_4k));
    let (lo, hi) = xs.fold((1.0f64, 1.0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
    (lo / 1.8, hi * 1.8)
}

fn draw(root: &ChartArea<'_>, r: &QualityReport) -> Result<(), String> {
    let pal = crate::ui::theme::palette();
    let (x0, x1) = x_range(r);
    let grey = RGBColor(118, 118, 118);
    let mut rows: Vec<LegendRow> = r
        .points
        .iter()
        .map(|p| LegendRow {
            label: t(p.kernel.legend_id()).to_string(),
            color: color(p.kernel),
            stroke: 8,
            dashed: false,
        })
        .collect();
    rows.push(LegendRow {
        // Short: the column beside the plot stays narrow (the caption and the y axis say the rest).
        label: t("quality.lra.legend").to_string(),
        color: grey,
        stroke: 2,
        dashed: false,
    });
    let style = LegendStyle::CHART;
    let legend_w = legend_size(root, &rows, style)?.0 + 10;
    let mut chart = ChartBuilder::on(root)
        .margin(14)
        .margin_right(30 + legend_w)
        .x_label_area_size(46)
        .y_label_area_size(64)
        .build_cartesian_2d((x0..x1).log_scale(), 0.0..1.15f64)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(t("quality.x"))
        .y_desc(t("quality.y"))
        .label_style((FONT, 15).into_font().color(&pal.text))
        .axis_desc_style((FONT, 16).into_font().color(&pal.text))
        .axis_style(pal.axis)
        .bold_line_style(pal.grid)
        .light_line_style(pal.grid.mix(0.5))
        .x_label_formatter(&|x| format!("{}×", sig3(*x)))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .draw()
        .map_err(|e| e.to_string())?;
    let mut placed: Vec<Rect> = Vec::new();
    // The measured layer: filled bubbles, area ∝ peak bytes relative to exact attention's.
    let exact_peak = r.points.first().map(|p| p.peak_bytes.max(1.0)).unwrap_or(1.0);
    for p in &r.points {
        let rel = (p.peak_bytes / exact_peak).clamp(0.0, 4.0);
        let r_px = (5.0 + 16.0 * rel.sqrt()) as i32;
        let c = color(p.kernel);
        let at = (p.speedup.clamp(x0, x1), p.fidelity());
        chart
            .draw_series(std::iter::once(Circle::new(at, r_px, c.mix(0.55).filled())))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(std::iter::once(Circle::new(at, r_px, c.stroke_width(2))))
            .map_err(|e| e.to_string())?;
        let centre = chart.backend_coord(&at);
        placed.push((centre.0 - r_px, centre.1 - r_px, centre.0 + r_px, centre.1 + r_px));
    }
    // The published layer: hollow grey diamonds, area ∝ memory relative to the Transformer's.
    let lra_font = (FONT, 13).into_font().color(&grey);
    for l in LRA {
        let (x, y) = (l.speedup_4k, l.score_ratio());
        let r_px = (4.0 + 12.0 * l.memory_ratio().sqrt()) as i32;
        let centre = chart.backend_coord(&(x, y));
        let diamond = vec![
            (centre.0, centre.1 - r_px),
            (centre.0 + r_px, centre.1),
            (centre.0, centre.1 + r_px),
            (centre.0 - r_px, centre.1),
            (centre.0, centre.1 - r_px),
        ];
        root.draw(&PathElement::new(diamond, grey.stroke_width(2)))
            .map_err(|e| e.to_string())?;
        place(root, &mut placed, l.model, centre, r_px, &lra_font)?;
    }
    // Right of the plot: 13 rows would cover the slow, low-fidelity corner where bubbles sit.
    let (root_w, _) = root.dim_in_pixel();
    draw_legend(root, &rows, LegendPlace::At(root_w as i32 - legend_w - 8, 14), style)
}

/// A label's box in pixels (left, top, right, bottom).
type Rect = (i32, i32, i32, i32);

/// Draws `text` right of its marker (radius `r` at `centre`), or below, above or left of it when
/// that place overlaps a box in `placed`; records where it went.
fn place(
    root: &ChartArea<'_>,
    placed: &mut Vec<Rect>,
    text: &str,
    centre: (i32, i32),
    r: i32,
    font: &TextStyle,
) -> Result<(), String> {
    let (w, h) = root.estimate_text_size(text, font).map_err(|e| e.to_string())?;
    let (w, h) = (w as i32, h as i32);
    let candidates = [
        (centre.0 + r + 3, centre.1 - h / 2),
        (centre.0 - w / 2, centre.1 + r + 2),
        (centre.0 - w / 2, centre.1 - r - h - 2),
        (centre.0 - r - w - 3, centre.1 - h / 2),
    ];
    let free = |x: i32, y: i32| {
        placed
            .iter()
            .all(|&(a, b, c, d)| x + w < a || x > c || y + h < b || y > d)
    };
    let (x, y) = candidates
        .iter()
        .copied()
        .find(|&(x, y)| free(x, y))
        .unwrap_or(candidates[0]);
    placed.push((x, y, x + w, y + h));
    root.draw(&Text::new(text.to_string(), (x, y), font.clone()))
        .map_err(|e| e.to_string())
}

/// The figure's numbers as a table (shown, and exported).
fn table(r: &QualityReport) -> TableData {
    TableData {
        header: vec![
            t("quality.col.method").into(),
            t("quality.col.ms").into(),
            t("quality.col.speedup").into(),
            t("quality.col.error").into(),
            t("quality.col.fidelity").into(),
            t("quality.col.memory").into(),
        ],
        rows: r
            .points
            .iter()
            .map(|p| {
                vec![
                    t(p.kernel.label_id()).to_string(),
                    format!("{:.2}", p.ms),
                    format!("{:.2}", p.speedup),
                    format!("{:.4}", p.rel_error),
                    format!("{:.3}", p.fidelity()),
                    format!("{:.0}", p.peak_bytes),
                ]
            })
            .collect(),
    }
}

/// The card.
#[component]
pub fn QualityPanel(params: ReadSignal<SpeedParams>) -> impl IntoView {
    let again = RwSignal::new(0u64);
    let run = start(params, again);
    let result = run.result;
    let report = Signal::derive(move || {
        result
            .with(|r| r.as_ref().map(|r| (**r).clone()))
            .filter(|r: &QualityReport| !r.points.is_empty())
    });
    let set_quality = setter(QUALITY.key);
    let on = move || params.get().quality;
    let busy = run.busy_text();
    let running = move || run.progress.get().is_some();
    let on_click = move |_| {
        if !on() {
            set_quality.set(Some(FlagParam::word(true).to_string()));
        } else if running() {
            set_quality.set(Some(FlagParam::word(false).to_string()));
        } else {
            again.update(|a| *a += 1);
        }
    };
    let rows = move || {
        report.get().map(|r| {
            r.points
                .iter()
                .map(|p| {
                    view! {
                        <tr data-testid=format!("quality-{}", p.kernel.word())>
                            <td>{t(p.kernel.label_id())}</td>
                            <td class="num">{millis(p.ms)}</td>
                            <td class="num">{format!("{}×", sig3(p.speedup))}</td>
                            <td class="num">{format!("{:.2}%", 100.0 * p.rel_error)}</td>
                            <td class="num">{format!("{:.3}", p.fidelity())}</td>
                            <td class="num">{bytes(p.peak_bytes)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let export = Signal::derive(move || report.get().map(|r| table(&r)).unwrap_or_default());
    let paint = move |root: &ChartArea<'_>| match report.get() {
        Some(r) => draw(root, &r),
        None => Ok(()),
    };
    view! {
        <div class="card" data-testid="quality">
            <h3>{tf("quality.title", &[("n", &QUALITY_N.to_string())])}</h3>
            <p class="caption">{t("quality.caption")}</p>
            <p>
                <button class="button" data-testid="quality-run" on:click=on_click>
                    {move || t(if !on() { "quality.button" } else if running() { "quality.stop" } else { "quality.again" })}
                </button>
                " "
                <span class="caption" data-testid="quality-status">{move || busy.get()}</span>
            </p>
            <Show
                when=move || report.get().is_some()
                fallback=|| view! { <p class="caption" data-testid="quality-empty">{t("quality.empty")}</p> }
            >
                <PlotCanvas
                    width=W
                    height=H
                    test_id="quality-chart"
                    table=export
                    draw=paint
                />
                <table class="speed-table" data-testid="quality-table">
                    <thead>
                        <tr>
                            <th>{t("quality.col.method")}</th>
                            <th class="num">{t("quality.col.ms")}</th>
                            <th class="num">{t("quality.col.speedup")}</th>
                            <th class="num">{t("quality.col.error")}</th>
                            <th class="num">{t("quality.col.fidelity")}</th>
                            <th class="num">{t("quality.col.memory")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                <p class="caption">{t("quality.lra_note")}</p>
            </Show>
        </div>
    }
}
