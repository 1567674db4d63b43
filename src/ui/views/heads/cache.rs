//! The KV-cache calculator: pick a real model, a number format, a context length and a batch; read the
//! cache and weight sizes, the decode step's cost, bars and a table comparing the model re-shaped as
//! MHA, GQA, MQA and MLA, and a chart of cache size against context, with GPU memory lines.

use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::attention::heads::kv_cache::{to_gib, weight_bytes, AttentionKind, ACCELERATORS};
use crate::attention::heads::presets::PRESETS;
use crate::attention::heads::variants::Variant;
use crate::i18n::{t, tf};
use crate::ui::components::controls::Select;
use crate::ui::components::param_controls::{ChoiceSelect, IntSlider};
use crate::ui::render::chart_legend::{draw_legend, LegendRow, LegendStyle};
use crate::ui::render::plot::{ChartArea, PlotCanvas, FONT};
use crate::ui::url::setter;
use crate::view_model::format::{bytes, si, sig3};
use crate::view_model::heads::calculator::{cache_numbers, cache_series, chart_contexts, variant_rows};
use crate::view_model::heads::params::{BATCH, CTX, DTYPE, MAX_CTX, MODEL};
use crate::view_model::heads::HeadsParams;
use crate::view_model::legend_box::LegendPlace;

use super::memory_bars::MemoryBars;
use super::variant_table::VariantTable;

/// Chart size in CSS pixels.
const CHART_W: u32 = 760;
const CHART_H: u32 = 400;

/// A token count in binary thousands: 4096 → "4k", 131072 → "128k", 1048576 → "1M", 5000 → "4.88k".
fn tokens_label(v: f64) -> String {
    let unit = |scale: f64, suffix: &str| {
        let x = v / scale;
        if x.fract() == 0.0 {
            format!("{x}{suffix}")
        } else {
            format!("{}{suffix}", sig3(x))
        }
    };
    if v >= 1_048_576.0 {
        unit(1_048_576.0, "M")
    } else if v >= 1024.0 {
        unit(1024.0, "k")
    } else {
        sig3(v)
    }
}

/// A parameter count as "6.74 B" or "124 M".
fn params_label(v: f64) -> String {
    if v >= 1e9 {
        format!("{} B", sig3(v / 1e9))
    } else {
        format!("{} M", sig3(v / 1e6))
    }
}

/// The series of the chart: (label, colour, points).
type Line = (String, RGBColor, Vec<(f64, f64)>);

/// Draws the memory chart (log–log) with GPU lines and the chosen context.
/// The memory chart's lines as a table: context, then each line's GiB at that context.
fn memory_table(lines: &[Line]) -> crate::view_model::export::TableData {
    let mut header = vec![t("heads.calc.chart.x").to_string()];
    header.extend(lines.iter().map(|l| format!("{} (GiB)", l.0)));
    let xs: Vec<f64> = lines
        .first()
        .map(|l| l.2.iter().map(|p| p.0).collect())
        .unwrap_or_default();
    let rows = xs
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let mut row = vec![format!("{x}")];
            row.extend(
                lines
                    .iter()
                    .map(|l| l.2.get(i).map(|p| format!("{}", p.1)).unwrap_or_default()),
            );
            row
        })
        .collect();
    crate::view_model::export::TableData { header, rows }
}

fn draw_memory(
    root: &ChartArea,
    lines: &[Line],
    weights_gib: f64,
    ctx: usize,
    window: Option<usize>,
) -> Result<(), String> {
    let xs = chart_contexts(ctx);
    let (x0, x1) = (xs[0] as f64, *xs.last().unwrap_or(&MAX_CTX) as f64);
    let ys = lines.iter().flat_map(|l| l.2.iter().map(|p| p.1)).filter(|y| *y > 0.0);
    let y_min = ys.clone().fold(f64::MAX, f64::min).min(weights_gib).max(1e-4);
    let y_max = ys.fold(0.0, f64::max).max(weights_gib).max(160.0);
    let mut chart = ChartBuilder::on(root)
        .margin(14)
        .margin_right(34)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d((x0..x1).log_scale().base(2.0), (y_min / 1.5..y_max * 1.5).log_scale())
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(t("heads.calc.chart.x"))
        .y_desc(t("heads.calc.chart.y"))
        .x_label_formatter(&|v| tokens_label(*v))
        .y_label_formatter(&|v| sig3(*v))
        .label_style((FONT, 15).into_font().color(&crate::ui::theme::palette().text))
        .axis_desc_style((FONT, 16).into_font().color(&crate::ui::theme::palette().text))
        .light_line_style(crate::ui::theme::palette().grid)
        .draw()
        .map_err(|e| e.to_string())?;
    let grey = RGBColor(120, 120, 120);
    for a in ACCELERATORS {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x0, a.memory_gb), (x1, a.memory_gb)],
                6,
                4,
                grey.stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(std::iter::once(Text::new(
                if a.name.contains("GB") {
                    a.name.to_string()
                } else {
                    format!("{} {} GB", a.name, a.memory_gb)
                },
                (x0 * 1.15, a.memory_gb * 1.12),
                (FONT, 14).into_font().color(&grey),
            )))
            .map_err(|e| e.to_string())?;
    }
    let brown = RGBColor(140, 90, 30);
    chart
        .draw_series(DashedLineSeries::new(
            vec![(x0, weights_gib), (x1, weights_gib)],
            10,
            5,
            brown.stroke_width(2),
        ))
        .map_err(|e| e.to_string())?;
    let mut markers = vec![(
        ctx as f64,
        tf("heads.calc.chart.ctx", &[("ctx", &tokens_label(ctx as f64))]),
    )];
    if let Some(w) = window {
        markers.push((
            w as f64,
            tf("heads.calc.chart.window", &[("w", &tokens_label(w as f64))]),
        ));
    }
    for (x, label) in markers {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, y_min / 1.5), (x, y_max * 1.5)],
                4,
                4,
                RGBColor(60, 60, 60).stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
        // Near the right edge the label goes to the left of its line, so it is never cut off.
        let (at, h_pos) = if x > x1 / 8.0 {
            (x / 1.05, HPos::Right)
        } else {
            (x * 1.05, HPos::Left)
        };
        let style = (FONT, 14)
            .into_font()
            .color(&crate::ui::theme::palette().text)
            .pos(Pos::new(h_pos, VPos::Top));
        chart
            .draw_series(std::iter::once(Text::new(label, (at, y_min), style)))
            .map_err(|e| e.to_string())?;
    }
    for (_, color, points) in lines {
        let color = *color;
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(3)))
            .map_err(|e| e.to_string())?;
    }
    // Lower right, raised above the context marker's label: about 20 px per entry, 170 px wide.
    let (plot_w, plot_h) = chart.plotting_area().dim_in_pixel();
    let legend_h = 20 * (lines.len() as i32 + 1) + 12;
    let weights = LegendRow {
        label: t("heads.calc.chart.weights").into(),
        color: brown,
        stroke: 2,
        dashed: false,
    };
    let rows: Vec<LegendRow> = std::iter::once(weights)
        .chain(lines.iter().map(|(label, color, _)| LegendRow {
            label: label.clone(),
            color: *color,
            stroke: 3,
            dashed: false,
        }))
        .collect();
    let place = LegendPlace::At(plot_w as i32 - 178, plot_h as i32 - legend_h - 30);
    let style = LegendStyle {
        font_px: 15,
        background_alpha: 0.9,
        border: RGBColor(180, 180, 180),
    };
    draw_legend(&chart.plotting_area().strip_coord_spec(), &rows, place, style)
}

/// The panel.
#[component]
pub fn Calculator(params: ReadSignal<HeadsParams>) -> impl IntoView {
    let set_model = setter(MODEL.key);
    let numbers = Memo::new(move |_| params.with(cache_numbers));
    let models: Vec<(String, String)> = PRESETS.iter().map(|p| (p.id.to_string(), p.name.to_string())).collect();
    let shape_line = move || {
        let p = params.get();
        let m = p.preset;
        let s = m.shape;
        let kind = match s.kind {
            AttentionKind::Mla { d_c, d_r, .. } => tf(
                "heads.calc.kind.mla",
                &[("dc", &d_c.to_string()), ("dr", &d_r.to_string())],
            ),
            _ => tf(
                "heads.calc.kind.std",
                &[
                    ("kind", s.kind.label()),
                    ("kv", &s.n_kv_heads.to_string()),
                    ("dh", &s.head_dim.to_string()),
                ],
            ),
        };
        let window = s
            .local
            .map(|l| {
                tf(
                    "heads.calc.window",
                    &[("count", &l.count.to_string()), ("w", &l.window.to_string())],
                )
            })
            .unwrap_or_default();
        tf(
            "heads.calc.shape",
            &[
                ("layers", &s.layers.to_string()),
                ("d", &s.d_model.to_string()),
                ("h", &s.n_heads.to_string()),
                ("kind", &kind),
                ("window", &window),
                ("ctx", &tokens_label(m.max_context as f64)),
                ("params", &params_label(m.params)),
            ],
        )
    };
    let source = move || params.with(|p| p.preset.source);
    let beyond = move || {
        let p = params.get();
        (p.context > p.preset.max_context).then(|| {
            view! {
                <p class="notices" data-testid="beyond-context">
                    {tf("heads.calc.beyond", &[("max", &p.preset.max_context.to_string())])}
                </p>
            }
        })
    };
    let readout = move || {
        let n = numbers.get();
        let p = params.get();
        let fits = if n.fits_on.is_empty() {
            t("heads.calc.fits.none").to_string()
        } else {
            tf("heads.calc.fits", &[("gpus", &n.fits_on.join(", "))])
        };
        let max_ctx = match n.max_ctx_80gb {
            None => t("heads.calc.max80.any").to_string(),
            Some(0) => t("heads.calc.max80.none").to_string(),
            Some(c) => tf("heads.calc.max80", &[("ctx", &si(c as f64))]),
        };
        view! {
            <table>
                <tr><td>{t("heads.calc.per_token")}</td><td data-testid="per-token">{bytes(n.bytes_per_token)}</td></tr>
                <tr><td>{tf("heads.calc.kv", &[("ctx", &p.context.to_string()), ("batch", &p.batch.to_string())])}</td><td data-testid="kv-total">{bytes(n.kv_bytes)}</td></tr>
                <tr><td>{t("heads.calc.weights")}</td><td data-testid="weights">{bytes(n.weight_bytes)}</td></tr>
                <tr><td>{t("heads.calc.total")}</td><td data-testid="total">{bytes(n.kv_bytes + n.weight_bytes)}</td></tr>
                <tr><td>{t("heads.calc.decode.flops")}</td><td data-testid="decode-flops">{si(n.decode_flops)}</td></tr>
                <tr><td>{t("heads.calc.decode.bytes")}</td><td data-testid="decode-bytes">{bytes(n.decode_bytes)}</td></tr>
                <tr><td>{t("heads.calc.intensity")}</td><td data-testid="intensity">{sig3(n.intensity)}</td></tr>
            </table>
            <p data-testid="fits">{fits}</p>
            <p data-testid="max-ctx-80">{max_ctx}</p>
        }
    };
    let lines = Memo::new(move |_| {
        params.with(|p| {
            let as_is = p.preset.shape.kind;
            let mut v: Vec<Line> = vec![(
                tf("heads.calc.chart.asis", &[("kind", as_is.label())]),
                RGBColor(44, 95, 212),
                cache_series(p, Variant::AsIs),
            )];
            if as_is != AttentionKind::Mha {
                v.push((
                    t("heads.calc.chart.mha").into(),
                    RGBColor(214, 69, 69),
                    cache_series(p, Variant::Mha),
                ));
            }
            if as_is != AttentionKind::Mqa {
                v.push((
                    t("heads.calc.chart.mqa").into(),
                    RGBColor(46, 158, 91),
                    cache_series(p, Variant::Mqa),
                ));
            }
            v
        })
    });
    let weights_gib = Memo::new(move |_| params.with(|p| to_gib(weight_bytes(p.preset.params, p.dtype))));
    let rows = Memo::new(move |_| params.with(variant_rows));
    view! {
        <div class="card" data-testid="calculator">
            <h3>{t("heads.calc.title")}</h3>
            <p class="caption">{t("heads.calc.caption")}</p>
            <div class="row-wrap">
                <div class="controls calc-controls">
                    <Select
                        label=t(MODEL.label).to_string()
                        options=models
                        value=Signal::derive(move || params.with(|p| p.preset.id.to_string()))
                        on_change=Callback::new(move |v: String| set_model.set(Some(v)))
                        test_id=MODEL.key
                    />
                    <ChoiceSelect spec=&DTYPE value=Signal::derive(move || params.with(|p| p.dtype)) />
                    <IntSlider spec=&CTX value=Signal::derive(move || params.with(|p| p.context as i64)) />
                    <IntSlider spec=&BATCH value=Signal::derive(move || params.with(|p| p.batch as i64)) />
                </div>
                <div class="figures calc-results">
                    <p class="stats" data-testid="model-shape">{shape_line}</p>
                    <p class="caption" data-testid="model-source">{move || tf("heads.calc.source", &[("src", source())])}</p>
                    {beyond}
                    <div class="readout" data-testid="calc-readout">{readout}</div>
                </div>
            </div>
            <MemoryBars rows=rows weights_gib=weights_gib />
            <VariantTable rows=rows />
            <h4 class="subhead section">{t("heads.calc.chart.title")}</h4>
            <PlotCanvas
                width=CHART_W
                height=CHART_H
                test_id="memory-chart"
                table=Signal::derive(move || lines.with(|l| memory_table(l)))
                draw=move |root| {
                    let ctx = params.with(|p| p.context);
                    let window = params.with(|p| p.preset.shape.local.map(|l| l.window));
                    lines.with(|l| draw_memory(root, l, weights_gib.get(), ctx, window))
                }
            />
            <p class="caption">{t("heads.calc.chart.caption")}</p>
        </div>
    }
}
