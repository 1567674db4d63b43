//! A figure as one PNG at 1× or 2× its CSS size: every visible canvas at its place in the card
//! (charts re-rendered at the scale, so text stays crisp; heatmap cells scaled without smoothing),
//! on the page's background, under the card's title and above its colour legend and caption, so a
//! slide or a printed page carries what the figure shows.

use leptos::prelude::GetUntracked;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, DomRect, Element, HtmlCanvasElement};

use super::sources::{FigureCtx, Source};
use crate::ui::render::heatmap::with_lut;
use crate::ui::render::plot::{ChartBackend, FONT};
use crate::ui::theme::palette;
use crate::view_model::format::sig3;

/// Height of the legend strip, CSS pixels.
pub const LEGEND_PX: f64 = 48.0;
/// Height of the title line above the canvases, CSS pixels.
pub const TITLE_PX: f64 = 28.0;
/// Height of one caption line below the legend, CSS pixels.
pub const CAPTION_LINE_PX: f64 = 18.0;
/// Text sizes of the title and caption, CSS pixels.
const TITLE_FONT_PX: f64 = 16.0;
const CAPTION_FONT_PX: f64 = 13.0;

/// The visible text of the first element under `root` that matches `selector`, trimmed.
fn text_of(root: &Element, selector: &str) -> Option<String> {
    let el = root.query_selector(selector).ok()??;
    let el: web_sys::HtmlElement = el.dyn_into().ok()?;
    let text = el.inner_text().split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// `text` broken into lines no wider than `width` as `g` measures them (its font set): at spaces,
/// or between any two characters of a word that alone is too wide (Chinese has no spaces).
pub fn wrap(g: &CanvasRenderingContext2d, text: &str, width: f64) -> Vec<String> {
    let fits = |s: &str| g.measure_text(s).map(|m| m.width() <= width).unwrap_or(true);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate) {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for ch in word.chars() {
            let next = format!("{line}{ch}");
            if !line.is_empty() && !fits(&next) {
                lines.push(std::mem::take(&mut line));
                line.push(ch);
            } else {
                line = next;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn new_canvas() -> Option<HtmlCanvasElement> {
    web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()
}

fn context(c: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    c.get_context("2d").ok()??.dyn_into().ok()
}

/// A new canvas of `w` × `h` CSS pixels at `scale`, filled with the page's background, and its context.
fn blank(w: f64, h: f64, scale: f64) -> Option<(HtmlCanvasElement, CanvasRenderingContext2d)> {
    let out = new_canvas()?;
    out.set_width((w * scale).round() as u32);
    out.set_height((h * scale).round() as u32);
    let g = context(&out)?;
    g.set_fill_style_str(&palette().background_css());
    g.fill_rect(0.0, 0.0, w * scale, h * scale);
    Some((out, g))
}

/// The visible canvases under `root` with their boxes.
pub fn visible_canvases(root: &Element) -> Vec<(HtmlCanvasElement, DomRect)> {
    let Ok(list) = root.query_selector_all("canvas") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlCanvasElement>().ok())
        .map(|c| {
            let r = c.get_bounding_client_rect();
            (c, r)
        })
        .filter(|(_, r)| r.width() >= 1.0 && r.height() >= 1.0)
        .collect()
}

/// Renders the figure `ctx` (card `root`) at `scale` into a new canvas.
pub fn render(ctx: FigureCtx, root: &Element, scale: f64) -> Option<HtmlCanvasElement> {
    let parts = visible_canvases(root);
    let (x0, y0) = parts
        .iter()
        .fold((f64::MAX, f64::MAX), |(x, y), (_, r)| (x.min(r.left()), y.min(r.top())));
    let (x1, y1) = parts.iter().fold((f64::MIN, f64::MIN), |(x, y), (_, r)| {
        (x.max(r.right()), y.max(r.bottom()))
    });
    if parts.is_empty() {
        return render_tables(root, scale);
    }
    let legend = ctx.sources().into_iter().find(|s| matches!(s, Source::Legend { .. }));
    let title = text_of(root, "h3, h4");
    let caption = text_of(root, ".caption");
    let w = (x1 - x0).ceil();
    let measure = new_canvas()?;
    let mg = context(&measure)?;
    mg.set_font(&format!("{CAPTION_FONT_PX}px {FONT}"));
    let caption_lines = caption.map(|c| wrap(&mg, &c, w - 16.0)).unwrap_or_default();
    let top = if title.is_some() { TITLE_PX } else { 0.0 };
    let body = (y1 - y0).ceil();
    let legend_px = if legend.is_some() { LEGEND_PX } else { 0.0 };
    let caption_px = if caption_lines.is_empty() {
        0.0
    } else {
        caption_lines.len() as f64 * CAPTION_LINE_PX + 8.0
    };
    let h = top + body + legend_px + caption_px;
    let (out, g) = blank(w, h, scale)?;
    let pal = palette();
    if let Some(title) = &title {
        g.set_fill_style_str(&pal.text_css());
        g.set_font(&format!("bold {}px {FONT}", (TITLE_FONT_PX * scale).round()));
        g.set_text_align("left");
        g.set_text_baseline("middle");
        let _ = g.fill_text(title, 8.0 * scale, TITLE_PX / 2.0 * scale);
        g.set_text_baseline("alphabetic");
    }
    let y0 = y0 - top;
    for (canvas, r) in &parts {
        let (dx, dy, dw, dh) = (
            (r.left() - x0) * scale,
            (r.top() - y0) * scale,
            r.width() * scale,
            r.height() * scale,
        );
        match ctx.source_of(canvas) {
            Some(Source::Chart { size, draw, .. }) if scale != 1.0 => {
                let Some(copy) = new_canvas() else { continue };
                if let Some(area) = ChartBackend::scaled(copy.clone(), size, scale) {
                    let _ = area.fill(&pal.background);
                    let _ = draw(&area);
                    let _ = area.present();
                }
                g.set_image_smoothing_enabled(true);
                let _ = g.draw_image_with_html_canvas_element_and_dw_and_dh(&copy, dx, dy, dw, dh);
            }
            Some(Source::Heatmap { .. }) => {
                g.set_image_smoothing_enabled(false);
                let _ = g.draw_image_with_html_canvas_element_and_dw_and_dh(canvas, dx, dy, dw, dh);
            }
            _ => {
                g.set_image_smoothing_enabled(true);
                let _ = g.draw_image_with_html_canvas_element_and_dw_and_dh(canvas, dx, dy, dw, dh);
            }
        }
    }
    if let Some(Source::Legend { cmap, lo, hi, label }) = legend {
        let top = (top + body) * scale;
        let bar_w = (w - 16.0).clamp(40.0, 320.0) * scale;
        let (lo, hi) = (lo.get_untracked(), hi.get_untracked());
        with_lut(cmap.get_untracked(), |lut| {
            let steps = 128;
            for k in 0..steps {
                let v = lo + (hi - lo) * k as f32 / (steps - 1) as f32;
                let [r, gg, b] = lut.color(v, lo, hi);
                g.set_fill_style_str(&format!("rgb({r},{gg},{b})"));
                let x = 8.0 * scale + bar_w * k as f64 / steps as f64;
                g.fill_rect(x, top + 20.0 * scale, bar_w / steps as f64 + 1.0, 10.0 * scale);
            }
        });
        g.set_fill_style_str(&pal.text_css());
        g.set_font(&format!("{}px {FONT}", (13.0 * scale).round()));
        let _ = g.fill_text(&label, 8.0 * scale, top + 14.0 * scale);
        for (i, v) in [lo, (lo + hi) / 2.0, hi].iter().enumerate() {
            let text = sig3(*v as f64);
            let x = 8.0 * scale + bar_w * i as f64 / 2.0;
            g.set_text_align(["left", "center", "right"][i]);
            let _ = g.fill_text(&text, x, top + 44.0 * scale);
        }
    }
    g.set_fill_style_str(&pal.text_css());
    g.set_font(&format!("{}px {FONT}", (CAPTION_FONT_PX * scale).round()));
    g.set_text_align("left");
    for (i, line) in caption_lines.iter().enumerate() {
        let y = top + body + legend_px + 4.0 + (i as f64 + 0.8) * CAPTION_LINE_PX;
        let _ = g.fill_text(line, 8.0 * scale, y * scale);
    }
    Some(out)
}

/// Row height and cell padding of a table drawn as an image, CSS pixels.
const TABLE_ROW_PX: f64 = 24.0;
const TABLE_PAD_PX: f64 = 10.0;

/// A figure without canvases (a table of measurements, of variants) as an image: its title and
/// its tables as shown, header in bold, columns as wide as their widest cell. None when the figure
/// has no table either (nothing measured yet).
fn render_tables(root: &Element, scale: f64) -> Option<HtmlCanvasElement> {
    let tables: Vec<_> = super::sources::tables_under(root)
        .into_iter()
        .filter(|t| !t.rows.is_empty() || !t.header.is_empty())
        .collect();
    if tables.is_empty() {
        return None;
    }
    let title = text_of(root, "h3, h4");
    let measure = new_canvas()?;
    let mg = context(&measure)?;
    let font = |bold: bool, s: f64| format!("{}{}px {FONT}", if bold { "bold " } else { "" }, (13.0 * s).round());
    // Column widths per table (at 1×).
    let widths: Vec<Vec<f64>> = tables
        .iter()
        .map(|t| {
            let cols = t.rows.iter().map(Vec::len).chain([t.header.len()]).max().unwrap_or(0);
            (0..cols)
                .map(|c| {
                    let mut w: f64 = 0.0;
                    mg.set_font(&font(true, 1.0));
                    if let Some(h) = t.header.get(c) {
                        w = w.max(mg.measure_text(h).map(|m| m.width()).unwrap_or(0.0));
                    }
                    mg.set_font(&font(false, 1.0));
                    for r in &t.rows {
                        if let Some(cell) = r.get(c) {
                            w = w.max(mg.measure_text(cell).map(|m| m.width()).unwrap_or(0.0));
                        }
                    }
                    w + 2.0 * TABLE_PAD_PX
                })
                .collect()
        })
        .collect();
    let top = if title.is_some() { TITLE_PX } else { 0.0 };
    let w = widths
        .iter()
        .map(|ws| ws.iter().sum::<f64>())
        .fold(0.0, f64::max)
        .max(120.0)
        + 16.0;
    let h = top
        + tables
            .iter()
            .map(|t| (t.rows.len() + usize::from(!t.header.is_empty())) as f64 * TABLE_ROW_PX + 12.0)
            .sum::<f64>();
    let (out, g) = blank(w, h, scale)?;
    let pal = palette();
    g.set_fill_style_str(&pal.text_css());
    g.set_text_baseline("middle");
    g.set_text_align("left");
    if let Some(title) = &title {
        g.set_font(&format!("bold {}px {FONT}", (TITLE_FONT_PX * scale).round()));
        let _ = g.fill_text(title, 8.0 * scale, TITLE_PX / 2.0 * scale);
    }
    let mut y = top;
    for (t, ws) in tables.iter().zip(&widths) {
        let mut rows: Vec<(bool, &Vec<String>)> = Vec::new();
        if !t.header.is_empty() {
            rows.push((true, &t.header));
        }
        rows.extend(t.rows.iter().map(|r| (false, r)));
        for (bold, row) in rows {
            g.set_font(&font(bold, scale));
            let mut x = 8.0;
            for (c, cell) in row.iter().enumerate() {
                let _ = g.fill_text(cell, (x + TABLE_PAD_PX) * scale, (y + TABLE_ROW_PX / 2.0) * scale);
                x += ws.get(c).copied().unwrap_or(0.0);
            }
            y += TABLE_ROW_PX;
            g.set_fill_style_str(&pal.background_css());
            g.set_stroke_style_str(&css_grid(&pal));
            g.begin_path();
            g.move_to(8.0 * scale, y * scale);
            g.line_to((w - 8.0) * scale, y * scale);
            g.stroke();
            g.set_fill_style_str(&pal.text_css());
        }
        y += 12.0;
    }
    Some(out)
}

fn css_grid(p: &crate::ui::theme::Palette) -> String {
    format!("rgb({},{},{})", p.grid.0, p.grid.1, p.grid.2)
}
