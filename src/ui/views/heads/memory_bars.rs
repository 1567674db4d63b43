//! The calculator's memory bars: one horizontal bar per variant (MHA, GQA, MQA, MLA) of the chosen
//! model, each the weights followed by the KV cache at the chosen context × batch, against vertical
//! lines at the memory of common GPUs.

use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::attention::heads::kv_cache::{to_gib, AttentionKind, ACCELERATORS};
use crate::attention::heads::variants::Variant;
use crate::i18n::{t, tf};
use crate::ui::render::plot::{ChartArea, PlotCanvas, FONT};
use crate::view_model::format::{bytes, sig3, tick};
use crate::view_model::heads::calculator::VariantRow;

/// Chart size in CSS pixels.
const BARS_W: u32 = 860;
const BARS_H: u32 = 370;
/// Colour of the weights segment (dark, so white text reads on it).
const WEIGHTS: RGBColor = RGBColor(105, 90, 75);

/// The colour of a variant's cache segment (and of its table row marker).
pub fn variant_color(v: Variant) -> RGBColor {
    match v {
        Variant::Mha => RGBColor(200, 55, 55),
        Variant::Gqa => RGBColor(123, 79, 201),
        Variant::Mqa => RGBColor(36, 138, 78),
        Variant::Mla | Variant::AsIs => RGBColor(15, 120, 140),
    }
}

/// CSS hex of a colour.
pub fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// A variant's short name: "MHA (32 K/V heads)", "MQA (1 K/V head)", "MLA (512 + 64)".
pub fn variant_label(row: &VariantRow) -> String {
    match row.kind {
        AttentionKind::Mla { d_c, d_r, .. } => tf(
            "heads.calc.bars.mla",
            &[("dc", &d_c.to_string()), ("dr", &d_r.to_string())],
        ),
        AttentionKind::Mqa => tf("heads.calc.bars.mqa", &[]),
        k => tf(
            "heads.calc.bars.std",
            &[("kind", k.label()), ("kv", &row.n_kv.to_string())],
        ),
    }
}

/// Text width in pixels as the canvas measures it (a rough estimate if it cannot).
fn text_width(root: &ChartArea, text: &str, size: u32) -> i32 {
    let style = TextStyle::from((FONT, size).into_font());
    root.estimate_text_size(text, &style)
        .map(|(w, _)| w as i32)
        .unwrap_or((text.chars().count() as f64 * size as f64 * 0.56) as i32)
}

/// Draws the bars.
fn draw_bars(root: &ChartArea, rows: &[VariantRow], weights_gib: f64) -> Result<(), String> {
    let n = rows.len().max(1) as f64;
    let totals: Vec<f64> = rows.iter().map(|r| weights_gib + to_gib(r.kv_bytes)).collect();
    let x_max = totals.iter().cloned().fold(152.0, f64::max) * 1.06;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .margin_top(52)
        .margin_right(26)
        .x_label_area_size(50)
        .y_label_area_size(190)
        .build_cartesian_2d(0.0..x_max, 0.0..n)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(8)
        .x_desc(t("heads.calc.bars.x"))
        .x_label_formatter(&|v| tick(*v))
        .label_style((FONT, 15).into_font().color(&crate::ui::theme::palette().text))
        .axis_desc_style((FONT, 16).into_font().color(&crate::ui::theme::palette().text))
        .light_line_style(RGBColor(238, 240, 245))
        .draw()
        .map_err(|e| e.to_string())?;
    // GPU lines, labelled above the plot on up to two rows; a label that would overlap both rows is
    // left out (the caption names every line).
    let grey = RGBColor(90, 90, 90);
    let mut row_ends = [i32::MIN, i32::MIN];
    for a in ACCELERATORS {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(a.memory_gb, 0.0), (a.memory_gb, n)],
                6,
                4,
                grey.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        let text = format!("{} GB", a.memory_gb);
        let (px, top) = chart.backend_coord(&(a.memory_gb, n));
        let w = text_width(root, &text, 14);
        let left = px - w / 2;
        if let Some(r) = (0..2).find(|r| left > row_ends[*r] + 6) {
            row_ends[r] = left + w;
            let style = (FONT, 14)
                .into_font()
                .color(&grey)
                .pos(Pos::new(HPos::Center, VPos::Bottom));
            root.draw(&Text::new(text, (px, top - 4 - 18 * (1 - r as i32)), style))
                .map_err(|e| e.to_string())?;
        }
    }
    let white = (FONT, 15).into_font().color(&WHITE);
    for (i, (row, total)) in rows.iter().zip(&totals).enumerate() {
        let (y0, y1) = (n - i as f64 - 0.82, n - i as f64 - 0.18);
        let color = variant_color(row.variant);
        chart
            .draw_series([
                Rectangle::new([(0.0, y0), (weights_gib, y1)], WEIGHTS.filled()),
                Rectangle::new([(weights_gib, y0), (*total, y1)], color.filled()),
            ])
            .map_err(|e| e.to_string())?;
        let (px0, py) = chart.backend_coord(&(0.0, (y0 + y1) / 2.0));
        let name = variant_label(row);
        let right = Pos::new(HPos::Right, VPos::Center);
        let label = (FONT, 16)
            .into_font()
            .style(FontStyle::Bold)
            .color(&crate::ui::theme::palette().text)
            .pos(right);
        if row.as_built {
            root.draw(&Text::new(name, (px0 - 10, py - 10), label))
                .map_err(|e| e.to_string())?;
            let note = (FONT, 14).into_font().color(&RGBColor(44, 95, 212)).pos(right);
            root.draw(&Text::new(
                t("heads.calc.bars.asbuilt").to_string(),
                (px0 - 10, py + 11),
                note,
            ))
            .map_err(|e| e.to_string())?;
        } else {
            root.draw(&Text::new(name, (px0 - 10, py), label))
                .map_err(|e| e.to_string())?;
        }
        let value = tf(
            "heads.calc.bars.value",
            &[("kv", &bytes(row.kv_bytes)), ("total", &sig3(*total))],
        );
        let (bar_end, _) = chart.backend_coord(&(*total, 0.0));
        let (plot_end, _) = chart.backend_coord(&(x_max, 0.0));
        let w = text_width(root, &value, 15);
        if bar_end + 8 + w <= plot_end {
            // A white box behind the text hides the GPU lines it crosses.
            root.draw(&Rectangle::new(
                [(bar_end + 4, py - 11), (bar_end + 12 + w, py + 11)],
                crate::ui::theme::palette().background.filled(),
            ))
            .map_err(|e| e.to_string())?;
            let style = (FONT, 15)
                .into_font()
                .color(&crate::ui::theme::palette().text)
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(value, (bar_end + 8, py), style))
                .map_err(|e| e.to_string())?;
        } else {
            root.draw(&Text::new(value, (bar_end - 8, py), white.clone().pos(right)))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// The bars with their legend and caption.
#[component]
pub fn MemoryBars(rows: Memo<Vec<VariantRow>>, weights_gib: Memo<f64>) -> impl IntoView {
    let legend = move || {
        rows.get()
            .into_iter()
            .map(|r| {
                view! {
                    <span class="bars-swatch" style:background=css(variant_color(r.variant))></span>
                    <span>{variant_label(&r)}</span>
                }
            })
            .collect_view()
    };
    view! {
        <div data-testid="memory-bars-panel">
            <h4 class="subhead">{t("heads.calc.bars.title")}</h4>
            <p class="bars-legend">
                <span class="bars-swatch" style:background=css(WEIGHTS)></span>
                <span>{t("heads.calc.bars.weights")}</span>
                {legend}
            </p>
            <PlotCanvas
                width=BARS_W
                height=BARS_H
                test_id="memory-bars"
                draw=move |root| rows.with(|r| draw_bars(root, r, weights_gib.get()))
            />
            <p class="caption">{t("heads.calc.bars.caption")}</p>
        </div>
    }
}
