//! Geometry of a chart's series legend (drawn by `ui::render::chart_legend`): a box of rows, each a
//! swatch and a label, with 10 px padding, a 30 px swatch column and rows 1.25 em apart, placed 5 px
//! inside a corner of the plotting area. These are the proportions plotters' own series legend has,
//! so the charts look as they did when plotters drew it.

/// Padding inside the box, in pixels.
pub const PADDING: i32 = 10;
/// Width of the swatch column (swatch and the gap before the label).
pub const SWATCH_COLUMN: i32 = 30;
/// Length of a swatch line.
pub const SWATCH: i32 = 22;
/// Distance of a corner-placed box from the plotting area's edges.
const INSET: i32 = 5;
/// Row pitch in ems.
const LINE_HEIGHT: f64 = 1.25;

/// Where the box goes in the plotting area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendPlace {
    UpperLeft,
    UpperRight,
    LowerLeft,
    LowerRight,
    /// The box's upper-left corner, in pixels from the plotting area's upper left.
    At(i32, i32),
}

/// The upper-left corner of a `w` × `h` box placed at `place` in an area of `area_w` × `area_h`.
pub fn place_box(place: LegendPlace, (w, h): (i32, i32), (area_w, area_h): (i32, i32)) -> (i32, i32) {
    match place {
        LegendPlace::UpperLeft => (INSET, INSET),
        LegendPlace::UpperRight => (area_w - w - INSET, INSET),
        LegendPlace::LowerLeft => (INSET, area_h - h - INSET),
        LegendPlace::LowerRight => (area_w - w - INSET, area_h - h - INSET),
        LegendPlace::At(x, y) => (x, y),
    }
}

/// The top of row `i`'s text below the first row's, for a font of `font_px`.
pub fn row_top(i: usize, font_px: u32) -> i32 {
    (i as f64 * font_px as f64 * LINE_HEIGHT).round() as i32
}

/// Size of the box around rows whose labels measure `sizes` (width, height) each.
pub fn box_size(sizes: &[(i32, i32)], font_px: u32) -> (i32, i32) {
    let (w, h) = sizes.iter().enumerate().fold((0, 0), |(w, h), (i, (dx, dy))| {
        (w.max(*dx), h.max(row_top(i, font_px) + dy))
    });
    (w + SWATCH_COLUMN + 2 * PADDING, h + 2 * PADDING)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_a_rounded_em_and_a_quarter_apart() {
        assert_eq!((0..4).map(|i| row_top(i, 15)).collect::<Vec<_>>(), [0, 19, 38, 56]);
    }

    #[test]
    fn the_box_holds_the_widest_label_and_the_last_row() {
        // Three rows of 17-px-high text at 15 px: the last starts at 38 and ends at 55.
        assert_eq!(box_size(&[(40, 17), (90, 17), (60, 17)], 15), (90 + 30 + 20, 55 + 20));
        assert_eq!(box_size(&[], 15), (50, 20));
    }

    #[test]
    fn corner_boxes_sit_five_pixels_inside_the_area() {
        let (bw, bh, aw, ah) = (100, 50, 600, 300);
        assert_eq!(place_box(LegendPlace::UpperLeft, (bw, bh), (aw, ah)), (5, 5));
        assert_eq!(place_box(LegendPlace::UpperRight, (bw, bh), (aw, ah)), (495, 5));
        assert_eq!(place_box(LegendPlace::LowerLeft, (bw, bh), (aw, ah)), (5, 245));
        assert_eq!(place_box(LegendPlace::LowerRight, (bw, bh), (aw, ah)), (495, 245));
        assert_eq!(place_box(LegendPlace::At(7, 9), (bw, bh), (aw, ah)), (7, 9));
    }
}
