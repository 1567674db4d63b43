//! A figure as SVG: a chart through its own draw function on `plotters-svg`'s backend, or a heatmap
//! with at most [`MAX_SVG_CELLS`] cells as one `<rect>` per cell with its token labels.

use std::fmt::Write;

use leptos::prelude::{GetUntracked, Signal};

use super::sources::{FigureCtx, Source};
use crate::ui::render::heatmap::{with_lut, HeatmapSpec, MAX_LABELS};
use crate::ui::render::plot::{ChartBackend, FONT};
use crate::ui::theme::palette;
use crate::view_model::colormap::MASKED_RGB;

/// Largest heatmap (rows × cols) exported as SVG.
pub const MAX_SVG_CELLS: usize = 96 * 96;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn chart_svg(size: (u32, u32), draw: &super::sources::DrawFn, measure: &web_sys::HtmlCanvasElement) -> Option<String> {
    let mut out = String::new();
    {
        let area = ChartBackend::svg(&mut out, size, measure)?;
        let _ = area.fill(&palette().background);
        if let Err(e) = draw(&area) {
            leptos::logging::warn!("svg not drawn: {e}");
        }
        let _ = area.present();
    }
    Some(out)
}

/// Cell size and label margin of a heatmap SVG.
const CELL: usize = 16;
const MARGIN: usize = 90;

fn heatmap_svg(spec: &HeatmapSpec, rows: &[String], cols: &[String], title: &str) -> String {
    let m = &spec.matrix;
    let labels = rows.len() == m.rows && cols.len() == m.cols && m.rows <= MAX_LABELS && m.cols <= MAX_LABELS;
    let margin = if labels { MARGIN } else { 0 };
    let (w, h) = (margin + m.cols * CELL, margin + m.rows * CELL);
    let pal = palette();
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\" font-size=\"12\">\n<title>{}</title>\n<rect width=\"{w}\" height=\"{h}\" fill=\"{}\"/>\n",
        escape(title),
        pal.background_css()
    );
    with_lut(spec.cmap, |lut| {
        for i in 0..m.rows {
            for j in 0..m.cols {
                let v = m.data[i * m.cols + j];
                let [r, g, b] = if v.is_finite() {
                    lut.color(v, spec.lo, spec.hi)
                } else {
                    MASKED_RGB
                };
                let _ = writeln!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"{CELL}\" height=\"{CELL}\" fill=\"rgb({r},{g},{b})\"><title>{}</title></rect>",
                    margin + j * CELL,
                    margin + i * CELL,
                    if v.is_finite() { format!("{v}") } else { "masked".into() }
                );
            }
        }
    });
    if labels {
        let fill = pal.text_css();
        for (i, l) in rows.iter().enumerate() {
            let _ = writeln!(
                s,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\" fill=\"{fill}\">{}</text>",
                margin - 4,
                margin + i * CELL + CELL / 2,
                escape(l)
            );
        }
        for (j, l) in cols.iter().enumerate() {
            let (x, y) = (margin + j * CELL + CELL / 2, margin - 4);
            let _ = writeln!(
                s,
                "<text x=\"{x}\" y=\"{y}\" transform=\"rotate(-60 {x} {y})\" fill=\"{fill}\">{}</text>",
                escape(l)
            );
        }
    }
    s += "</svg>\n";
    s
}

/// The SVG of figure `ctx`: its first chart, else its first heatmap small enough; None otherwise.
pub fn render(ctx: FigureCtx, measure: Option<web_sys::HtmlCanvasElement>) -> Option<String> {
    let sources = ctx.sources();
    let chart = sources.iter().find_map(|s| match s {
        Source::Chart { size, draw, canvas, .. } => Some((*size, draw.clone(), *canvas)),
        _ => None,
    });
    if let Some((size, draw, canvas)) = chart {
        let c = measure.or_else(|| canvas.get_untracked())?;
        return chart_svg(size, &draw, &c);
    }
    sources.iter().find_map(|s| match s {
        Source::Heatmap {
            spec, rows, cols, name, ..
        } => {
            let spec = spec.get_untracked()?;
            (spec.matrix.rows * spec.matrix.cols <= MAX_SVG_CELLS).then(|| {
                let get = |l: &Option<Signal<Vec<String>>>| l.map(|l| l.get_untracked()).unwrap_or_default();
                heatmap_svg(&spec, &get(rows), &get(cols), name)
            })
        }
        _ => None,
    })
}

/// Whether figure `ctx` can be exported as SVG now.
pub fn available(ctx: FigureCtx) -> bool {
    ctx.sources().iter().any(|s| match s {
        Source::Chart { .. } => true,
        Source::Heatmap { spec, .. } => spec
            .get_untracked()
            .is_some_and(|s| s.matrix.rows * s.matrix.cols <= MAX_SVG_CELLS),
        Source::Legend { .. } => false,
    })
}
