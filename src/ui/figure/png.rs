//! A figure as one PNG at 1× or 2× its CSS size: every visible canvas at its place in the card
//! (charts re-rendered at the scale, so text stays crisp; heatmap cells scaled without smoothing),
//! on the page's background, with the colour legend drawn as a strip below.

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
        return None;
    }
    let legend = ctx.sources().into_iter().find(|s| matches!(s, Source::Legend { .. }));
    let (w, h) = (
        (x1 - x0).ceil(),
        (y1 - y0).ceil() + if legend.is_some() { LEGEND_PX } else { 0.0 },
    );
    let out = new_canvas()?;
    out.set_width((w * scale).round() as u32);
    out.set_height((h * scale).round() as u32);
    let g = context(&out)?;
    let pal = palette();
    g.set_fill_style_str(&pal.background_css());
    g.fill_rect(0.0, 0.0, w * scale, h * scale);
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
        let top = (h - LEGEND_PX) * scale;
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
    Some(out)
}
