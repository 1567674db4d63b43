//! Charts with plotters on a canvas: a generic [`PlotCanvas`] that redraws whenever the signals its
//! draw function reads change, and a ready-made [`LineChart`]. Text is drawn and measured by the
//! canvas itself ([`ChartBackend`]), and series legends are [`draw_legend`]'s, so no chart touches
//! the DOM's style attributes (the CSP forbids them).

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use super::chart_backend::{ChartArea, ChartBackend};
use super::chart_legend::{draw_legend, LegendRow, LegendStyle};
use crate::view_model::legend_box::LegendPlace;

/// Font family for chart text (system fonts only: nothing is downloaded).
pub const FONT: &str = "sans-serif";

/// A canvas on which `draw` paints with plotters; `draw` re-runs when any signal it reads changes.
/// Errors from plotters are logged to the console, never panicked on.
#[component]
pub fn PlotCanvas<F>(
    width: u32,
    height: u32,
    draw: F,
    #[prop(optional)] test_id: &'static str,
    /// A line chart's data, for the figure's CSV and JSON export.
    #[prop(optional)]
    series: Option<Signal<LineChartSpec>>,
    /// Any other chart's data as a table (header with units, one row per point or bar), for the export.
    #[prop(optional)]
    table: Option<Signal<crate::view_model::export::TableData>>,
) -> impl IntoView
where
    F: Fn(&ChartArea<'_>) -> Result<(), String> + 'static,
{
    let canvas = NodeRef::<Canvas>::new();
    let draw: crate::ui::figure::sources::DrawFn = std::rc::Rc::new(draw);
    crate::ui::figure::FigureCtx::register_here(crate::ui::figure::Source::Chart {
        canvas,
        size: (width, height),
        draw: draw.clone(),
        series,
        table,
    });
    let look = crate::ui::theme::watch();
    Effect::new(move |_| {
        look.track();
        let Some(c) = canvas.get() else { return };
        // Classroom mode draws the same layout on a larger backing store: the canvas shows larger,
        // with thicker lines and larger text, and stays crisp.
        let scale = crate::ui::theme::chart_scale();
        // Resizing clears and reallocates the canvas: only when the scale asks for another size.
        let root = if c.width() == width && scale == 1.0 {
            ChartBackend::area(c)
        } else {
            ChartBackend::scaled(c, (width, height), scale)
        };
        let Some(root) = root else {
            return;
        };
        let _ = root.fill(&crate::ui::theme::palette().background);
        if let Err(e) = draw(&root) {
            leptos::logging::warn!("chart not drawn: {e}");
        }
        let _ = root.present();
    });
    view! {
        <div class="chart" data-testid=test_id>
            <canvas node_ref=canvas width=width height=height></canvas>
        </div>
    }
}

/// One line of a [`LineChart`].
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub dashed: bool,
}

/// A line chart's data.
#[derive(Clone, Debug, PartialEq)]
pub struct LineChartSpec {
    pub x_label: String,
    pub y_label: String,
    /// Logarithmic x axis (base 2 ticks).
    pub x_log: bool,
    /// Logarithmic y axis.
    pub y_log: bool,
    pub series: Vec<Series>,
    /// Vertical marker lines (x, label).
    pub markers: Vec<(f64, String)>,
    /// Put the legend in a column right of the plot instead of in its emptiest corner (for charts
    /// with many lines, where no corner is empty).
    pub legend_outside: bool,
}

/// Axis tick text: plain up to 9999, SI-prefixed above (`12.3 k`).
pub fn tick_label(v: f64) -> String {
    if v.abs() >= 1e4 {
        crate::view_model::format::si(v)
    } else {
        crate::view_model::format::tick(v)
    }
}

/// Where `x` lies across the plot, 0 (left edge) … 1 (right edge), on the chart's own x scale.
fn x_fraction(spec: &LineChartSpec, x: f64) -> f64 {
    let ((x0, x1), _) = bounds(spec);
    if spec.x_log {
        (x.max(1e-12).ln() - x0.max(1e-12).ln()) / (x1.max(1e-12).ln() - x0.max(1e-12).ln())
    } else {
        (x - x0) / (x1 - x0)
    }
}

/// The legend corner that the lines leave emptiest (fewest points in that corner of the plot).
fn legend_corner(spec: &LineChartSpec) -> LegendPlace {
    let (_, (y0, y1)) = bounds(spec);
    let fx = |x: f64| x_fraction(spec, x);
    let fy = |y: f64| {
        if spec.y_log {
            (y.max(1e-12).ln() - y0.max(1e-12).ln()) / (y1.max(1e-12).ln() - y0.max(1e-12).ln())
        } else {
            (y - y0) / (y1 - y0)
        }
    };
    let pts: Vec<(f64, f64)> = spec
        .series
        .iter()
        .flat_map(|s| {
            // Sample along each segment so a line crossing a corner counts, not only its vertices.
            s.points.windows(2).flat_map(|w| {
                (0..8).map(move |k| {
                    let t = k as f64 / 8.0;
                    (w[0].0 + (w[1].0 - w[0].0) * t, w[0].1 + (w[1].1 - w[0].1) * t)
                })
            })
        })
        .map(|(x, y)| (fx(x), fy(y)))
        // A marker is a vertical line with its label at the top: it occupies its whole column.
        .chain(
            spec.markers
                .iter()
                .flat_map(|(x, _)| (0..=20).map(move |k| (fx(*x), k as f64 / 20.0))),
        )
        .collect();
    let corners = [
        (LegendPlace::UpperRight, 0.55, 1.0, 0.65, 1.0),
        (LegendPlace::UpperLeft, 0.0, 0.45, 0.65, 1.0),
        (LegendPlace::LowerRight, 0.55, 1.0, 0.0, 0.35),
        (LegendPlace::LowerLeft, 0.0, 0.45, 0.0, 0.35),
    ];
    corners
        .into_iter()
        .min_by_key(|(_, xa, xb, ya, yb)| {
            pts.iter()
                .filter(|(x, y)| x >= xa && x <= xb && y >= ya && y <= yb)
                .count()
        })
        .map(|c| c.0)
        .unwrap_or(LegendPlace::UpperRight)
}

fn bounds(spec: &LineChartSpec) -> ((f64, f64), (f64, f64)) {
    let pts = spec
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|(x, y)| x.is_finite() && y.is_finite());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in pts {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y0 = y0.min(*y);
        y1 = y1.max(*y);
    }
    if x0 > x1 {
        return ((1.0, 2.0), (0.0, 1.0));
    }
    let pad = ((y1 - y0) * 0.08).max(1e-9);
    let (y0, y1) = if spec.y_log {
        (y0.max(1e-12) / 1.5, y1 * 1.5)
    } else {
        ((y0 - pad).min(0.0).max(y0 - pad), y1 + pad)
    };
    let x1 = if x1 <= x0 { x0 + 1.0 } else { x1 };
    ((x0, x1), (y0, y1))
}

macro_rules! draw_lines {
    ($root:expr, $spec:expr, $x:expr, $y:expr) => {{
        let spec = $spec;
        let pal = crate::ui::theme::palette();
        // Counts (layers, ranks) get whole-number ticks only.
        let integer_x = spec
            .series
            .iter()
            .flat_map(|s| s.points.iter())
            .all(|(x, _)| x.fract() == 0.0);
        let rows: Vec<LegendRow> = spec
            .series
            .iter()
            .map(|s| LegendRow {
                label: s.label.clone(),
                color: s.color,
                // A series without points is a note in the legend (no swatch).
                stroke: if s.points.is_empty() { 0 } else { 3 },
                dashed: s.dashed,
            })
            .collect();
        let style = LegendStyle::CHART;
        // Width of the legend column when it sits right of the plot (0 inside).
        let legend_w = if spec.legend_outside {
            legend_size($root, &rows, style)?.0 + 10
        } else {
            0
        };
        let mut chart = ChartBuilder::on($root)
            .margin(14)
            .margin_right(34 + legend_w)
            .x_label_area_size(46)
            // Room for a tick such as "10.0 G" and, left of it, the rotated axis title (a CJK title
            // is a full em wide): at 64 px the two overlapped.
            .y_label_area_size(80)
            .build_cartesian_2d($x, $y)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(spec.x_label.as_str())
            .y_desc(spec.y_label.as_str())
            .label_style((FONT, 15).into_font().color(&pal.text))
            .axis_desc_style((FONT, 16).into_font().color(&pal.text))
            .axis_style(pal.axis)
            .bold_line_style(pal.grid)
            .light_line_style(pal.grid.mix(0.5))
            .x_label_formatter(&|x| {
                if integer_x && x.fract() != 0.0 {
                    String::new()
                } else {
                    tick_label(*x)
                }
            })
            .y_label_formatter(&|y| tick_label(*y))
            .draw()
            .map_err(|e| e.to_string())?;
        let (_, (ylo, yhi)) = bounds(spec);
        for (x, label) in &spec.markers {
            let style = pal.muted.stroke_width(2);
            chart
                .draw_series(DashedLineSeries::new(vec![(*x, ylo), (*x, yhi)], 6, 4, style))
                .map_err(|e| e.to_string())?;
            // Right of its line, or left of it in the right quarter, so the label stays inside the plot.
            let (h, dx) = if x_fraction(spec, *x) > 0.75 {
                (HPos::Right, -4)
            } else {
                (HPos::Left, 0)
            };
            let font = (FONT, 14).into_font().color(&pal.text).pos(Pos::new(h, VPos::Top));
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((*x, yhi)) + Text::new(label.clone(), (dx, 0), font),
                ))
                .map_err(|e| e.to_string())?;
        }
        for s in &spec.series {
            let style = s.color.stroke_width(3);
            if s.dashed {
                chart
                    .draw_series(DashedLineSeries::new(s.points.clone(), 8, 5, style))
                    .map_err(|e| e.to_string())?;
            } else {
                chart
                    .draw_series(LineSeries::new(s.points.clone(), style))
                    .map_err(|e| e.to_string())?;
                chart
                    .draw_series(s.points.iter().map(|p| Circle::new(*p, 4, s.color.filled())))
                    .map_err(|e| e.to_string())?;
            }
        }
        if spec.legend_outside {
            let (root_w, _) = $root.dim_in_pixel();
            let x = root_w as i32 - legend_w - 8;
            draw_legend($root, &rows, LegendPlace::At(x, 14), style)?;
        } else {
            draw_legend(
                &chart.plotting_area().strip_coord_spec(),
                &rows,
                legend_corner(spec),
                style,
            )?;
        }
        Ok(())
    }};
}

/// The legend box's size for `rows` measured on `area`'s canvas (`view_model::legend_box`).
pub fn legend_size(area: &ChartArea<'_>, rows: &[LegendRow], style: LegendStyle) -> Result<(i32, i32), String> {
    let font = TextStyle::from((FONT, style.font_px).into_font());
    let sizes: Vec<(i32, i32)> = rows
        .iter()
        .map(|r| {
            area.estimate_text_size(&r.label, &font)
                .map(|(w, h)| (w as i32, h as i32))
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    Ok(crate::view_model::legend_box::box_size(&sizes, style.font_px))
}

/// Draws `spec` on `root` (linear or logarithmic axes).
pub fn draw_line_chart(root: &ChartArea<'_>, spec: &LineChartSpec) -> Result<(), String> {
    let ((x0, x1), (y0, y1)) = bounds(spec);
    match (spec.x_log, spec.y_log) {
        (false, false) => draw_lines!(root, spec, x0..x1, y0..y1),
        (true, false) => draw_lines!(root, spec, (x0..x1).log_scale().base(2.0), y0..y1),
        (false, true) => draw_lines!(root, spec, x0..x1, (y0..y1).log_scale()),
        (true, true) => draw_lines!(root, spec, (x0..x1).log_scale().base(2.0), (y0..y1).log_scale()),
    }
}

/// A line chart that redraws when `spec` changes.
#[component]
pub fn LineChart(
    #[prop(into)] spec: Signal<LineChartSpec>,
    width: u32,
    height: u32,
    #[prop(optional)] test_id: &'static str,
) -> impl IntoView {
    let draw = move |root: &ChartArea<'_>| spec.with(|s| draw_line_chart(root, s));
    view! { <PlotCanvas width height test_id series=spec draw=draw /> }
}
