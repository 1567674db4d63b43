//! Colour maps as 256-entry lookup tables, so a heatmap pixel costs one index, not a curve evaluation.

/// The colour scales the atlas uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colormap {
    /// Perceptually uniform, dark (0) to bright (1): attention weights.
    Viridis,
    /// Perceptually uniform, dark to bright: alternative for dense maps and reach.
    Magma,
    /// Diverging blue (negative) – white (0) – red (positive): signed scores and differences.
    Diverging,
    /// Light grey (0) to dark blue (1): masks and binary patterns.
    Blues,
    /// Perceptually uniform and colour-blind-safe, dark blue to yellow (`cmap=cividis`).
    Cividis,
    /// Diverging purple (negative) – white – orange (positive), colour-blind-safe.
    PurpleOrange,
    /// Diverging blue – yellow – red (`cmap=magma`'s signed scale).
    RedYellowBlue,
}

/// Grey used for cells that are masked out or undefined (−∞ or NaN).
pub const MASKED_RGB: [u8; 3] = [205, 205, 212];

/// A 256-entry RGB lookup table for a colour map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lut {
    pub colors: Vec<[u8; 3]>,
}

impl Lut {
    /// Samples `map` at 256 evenly spaced points in [0, 1].
    pub fn new(map: Colormap) -> Self {
        let grad = match map {
            Colormap::Viridis => colorous::VIRIDIS,
            Colormap::Magma => colorous::MAGMA,
            Colormap::Diverging => colorous::RED_BLUE,
            Colormap::Blues => colorous::BLUES,
            Colormap::Cividis => colorous::CIVIDIS,
            Colormap::PurpleOrange => colorous::PURPLE_ORANGE,
            Colormap::RedYellowBlue => colorous::RED_YELLOW_BLUE,
        };
        let colors = (0..256)
            .map(|i| {
                let t = i as f64 / 255.0;
                // RED_BLUE runs red → blue; flip it so negative is blue and positive is red.
                let t = if matches!(map, Colormap::Diverging | Colormap::RedYellowBlue) {
                    1.0 - t
                } else {
                    t
                };
                let c = grad.eval_continuous(t);
                [c.r, c.g, c.b]
            })
            .collect();
        Self { colors }
    }

    /// The colour of `v` on the scale `lo..hi` (clamped); non-finite values get [`MASKED_RGB`].
    #[inline]
    pub fn color(&self, v: f32, lo: f32, hi: f32) -> [u8; 3] {
        if !v.is_finite() {
            return MASKED_RGB;
        }
        let span = hi - lo;
        let t = if span > 0.0 {
            ((v - lo) / span).clamp(0.0, 1.0)
        } else {
            0.5
        };
        self.colors[(t * 255.0 + 0.5) as usize]
    }

    /// CSS `linear-gradient(...)` stops for a legend bar, left (lo) to right (hi).
    pub fn css_gradient(&self) -> String {
        let stops: Vec<String> = (0..=8)
            .map(|k| {
                let [r, g, b] = self.colors[k * 255 / 8];
                format!("rgb({r},{g},{b}) {}%", k * 100 / 8)
            })
            .collect();
        format!("linear-gradient(to right, {})", stops.join(", "))
    }
}

/// Paints `m` (row-major `rows × cols`) into an RGBA buffer of `width × height` pixels with nearest
/// neighbour sampling: pixel (x, y) shows cell (⌊y·rows/height⌋, ⌊x·cols/width⌋). `buf` is resized and
/// reused, so repeated paints allocate nothing.
#[allow(clippy::too_many_arguments)]
pub fn rasterize(
    data: &[f32],
    rows: usize,
    cols: usize,
    width: usize,
    height: usize,
    lut: &Lut,
    lo: f32,
    hi: f32,
    buf: &mut Vec<u8>,
) {
    buf.resize(width * height * 4, 255);
    if rows == 0 || cols == 0 {
        buf.fill(255);
        return;
    }
    let col_of: Vec<usize> = (0..width).map(|x| x * cols / width).collect();
    // The colours as whole RGBA pixels, so each pixel is one lookup and one 4-byte store; the
    // index is the one `Lut::color` computes (same operations), so the pictures are the same.
    let pixel = |[r, g, b]: [u8; 3]| [r, g, b, 255];
    let rgba: Vec<[u8; 4]> = lut.colors.iter().map(|&c| pixel(c)).collect();
    let (masked, span) = (pixel(MASKED_RGB), hi - lo);
    let mut row_rgba = vec![0u8; width * 4];
    let mut last_row = usize::MAX;
    for y in 0..height {
        let r = y * rows / height;
        if r != last_row {
            let src = &data[r * cols..(r + 1) * cols];
            for (px, &c) in row_rgba.chunks_exact_mut(4).zip(&col_of) {
                let v = src[c];
                let color = if !v.is_finite() {
                    masked
                } else {
                    let t = if span > 0.0 {
                        ((v - lo) / span).clamp(0.0, 1.0)
                    } else {
                        0.5
                    };
                    rgba[((t * 255.0 + 0.5) as usize).min(255)]
                };
                px.copy_from_slice(&color);
            }
            last_row = r;
        }
        buf[y * width * 4..(y + 1) * width * 4].copy_from_slice(&row_rgba);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lut_ends_are_the_maps_ends_and_non_finite_is_grey() {
        let v = Lut::new(Colormap::Viridis);
        assert_eq!(v.colors.len(), 256);
        assert_eq!(v.color(0.0, 0.0, 1.0), v.colors[0]);
        assert_eq!(v.color(1.0, 0.0, 1.0), v.colors[255]);
        assert_eq!(v.color(5.0, 0.0, 1.0), v.colors[255], "clamped above");
        assert_eq!(v.color(f32::NEG_INFINITY, 0.0, 1.0), MASKED_RGB);
        assert_eq!(v.color(f32::NAN, 0.0, 1.0), MASKED_RGB);
        // viridis starts dark purple and ends yellow
        assert!(v.colors[0][2] > v.colors[0][1] && v.colors[255][0] > 200);
    }

    #[test]
    fn diverging_is_blue_below_zero_and_red_above() {
        let d = Lut::new(Colormap::Diverging);
        let neg = d.color(-1.0, -1.0, 1.0);
        let pos = d.color(1.0, -1.0, 1.0);
        assert!(neg[2] > neg[0], "negative is blue: {neg:?}");
        assert!(pos[0] > pos[2], "positive is red: {pos:?}");
    }

    #[test]
    fn rasterize_paints_what_color_says_for_every_value() {
        let lut = Lut::new(Colormap::Viridis);
        let data: Vec<f32> = (0..300)
            .map(|i| match i % 37 {
                0 => f32::NAN,
                1 => f32::INFINITY,
                _ => ((i * 7919) % 1013) as f32 * 0.003 - 0.7,
            })
            .collect();
        for (lo, hi) in [(-0.5f32, 2.0f32), (0.3, 0.3), (0.0, 1.0)] {
            let mut buf = Vec::new();
            rasterize(&data, 15, 20, 20, 15, &lut, lo, hi, &mut buf);
            for (i, &v) in data.iter().enumerate() {
                let [r, g, b] = lut.color(v, lo, hi);
                assert_eq!(&buf[i * 4..i * 4 + 4], &[r, g, b, 255], "value {v} on {lo}..{hi}");
            }
        }
    }

    #[test]
    fn rasterize_upscales_with_nearest_neighbour() {
        let lut = Lut::new(Colormap::Blues);
        let mut buf = Vec::new();
        rasterize(&[0.0, 1.0], 1, 2, 4, 2, &lut, 0.0, 1.0, &mut buf);
        assert_eq!(buf.len(), 4 * 2 * 4);
        let px = |x: usize, y: usize| [buf[(y * 4 + x) * 4], buf[(y * 4 + x) * 4 + 1], buf[(y * 4 + x) * 4 + 2]];
        assert_eq!(px(0, 0), lut.colors[0]);
        assert_eq!(px(1, 1), lut.colors[0]);
        assert_eq!(px(2, 0), lut.colors[255]);
        assert_eq!(px(3, 1), lut.colors[255]);
    }
}
