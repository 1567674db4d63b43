//! A chart's series legend drawn on the canvas: a framed box of rows, each a line in the series'
//! colour and its label. plotters' own legend (`configure_series_labels`) sizes its labels through
//! the DOM, which the page's CSP forbids (see [`super::chart_backend`]); this one measures them with
//! the canvas. The geometry is [`crate::view_model::legend_box`]'s.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::chart_backend::ChartArea;
use super::plot::FONT;
use crate::view_model::legend_box::{box_size, place_box, row_top, LegendPlace, PADDING, SWATCH, SWATCH_COLUMN};

/// One row of a legend.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendRow {
    pub label: String,
    pub color: RGBColor,
    /// The swatch's stroke width in pixels (0: no swatch, a note such as the run's settings).
    pub stroke: u32,
    /// A dashed swatch (for a dashed line).
    pub dashed: bool,
}

/// The box's look.
#[derive(Clone, Copy, Debug)]
pub struct LegendStyle {
    pub font_px: u32,
    /// Opacity of the white background (lines behind it show through a little).
    pub background_alpha: f64,
    pub border: RGBColor,
}

impl LegendStyle {
    /// The charts' legend box: 15 px text on a white box at 85% over a light grey border.
    pub const CHART: LegendStyle = LegendStyle {
        font_px: 15,
        background_alpha: 0.85,
        border: RGBColor(180, 180, 180),
    };
}

/// Draws the legend of `rows` at `place` on `plot`, a chart's plotting area in pixels
/// (`chart.plotting_area().strip_coord_spec()`). No rows, no box.
pub fn draw_legend(
    plot: &ChartArea<'_>,
    rows: &[LegendRow],
    place: LegendPlace,
    style: LegendStyle,
) -> Result<(), String> {
    if rows.is_empty() {
        return Ok(());
    }
    let pal = crate::ui::theme::palette();
    let font = TextStyle::from((FONT, style.font_px).into_font().color(&pal.text)).pos(Pos::new(HPos::Left, VPos::Top));
    let sizes: Vec<(i32, i32)> = rows
        .iter()
        .map(|r| {
            plot.estimate_text_size(&r.label, &font)
                .map(|(w, h)| (w as i32, h as i32))
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    let (w, h) = box_size(&sizes, style.font_px);
    let (area_w, area_h) = plot.dim_in_pixel();
    let (x, y) = place_box(place, (w, h), (area_w as i32, area_h as i32));
    let corners = [(x, y), (x + w, y + h)];
    plot.draw(&Rectangle::new(
        corners,
        pal.background.mix(style.background_alpha).filled(),
    ))
    .map_err(|e| e.to_string())?;
    plot.draw(&Rectangle::new(corners, style.border))
        .map_err(|e| e.to_string())?;
    for (i, (row, (_, text_h))) in rows.iter().zip(&sizes).enumerate() {
        let top = y + PADDING + row_top(i, style.font_px);
        plot.draw(&Text::new(
            row.label.as_str(),
            (x + PADDING + SWATCH_COLUMN, top),
            font.clone(),
        ))
        .map_err(|e| e.to_string())?;
        let mid = top + text_h / 2;
        if row.stroke == 0 {
            continue;
        }
        let (x0, x1) = (x + PADDING, x + PADDING + SWATCH);
        // A dashed swatch: two 8-px dashes with the lines' 5-px gap between them.
        let segments = if row.dashed {
            vec![(x0, x0 + 8), (x0 + 13, x0 + 21)]
        } else {
            vec![(x0, x1)]
        };
        for (a, b) in segments {
            plot.draw(&PathElement::new(
                vec![(a, mid), (b, mid)],
                row.color.stroke_width(row.stroke),
            ))
            .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
