//! All 30 × 9 heads on one canvas: a column per layer, a row per query head, the three query heads
//! that read the same K/V head kept together in a band (GQA: head h reads K/V head ⌊h/3⌋). Each
//! thumbnail is its head's map pooled (max) to at most `thumb` pixels a side and scaled by its own
//! largest weight; the gaps are NaN, which the colour lookup paints grey. Painted with one
//! `putImageData`.

use crate::attention::matrix::Matrix;
use crate::attention::pooling::{pool, PoolMode};

/// Pixels between two thumbnails, and between two K/V bands.
pub const GAP: usize = 1;
pub const BAND_GAP: usize = 4;

/// The thumbnails' picture and how to find a head in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub image: Matrix,
    /// Thumbnail side in pixels.
    pub thumb: usize,
    pub layers: usize,
    pub heads: usize,
    /// Query heads per K/V head.
    pub group: usize,
}

impl Grid {
    /// Top-left pixel of head (layer, head).
    pub fn origin(&self, layer: usize, head: usize) -> (usize, usize) {
        let band = head / self.group.max(1);
        let y = head * (self.thumb + GAP) + band * BAND_GAP;
        let x = layer * (self.thumb + GAP);
        (y, x)
    }

    /// The head whose thumbnail holds pixel (y, x), if any (None on a gap).
    pub fn head_at(&self, y: usize, x: usize) -> Option<(usize, usize)> {
        let layer = x / (self.thumb + GAP);
        if layer >= self.layers || x % (self.thumb + GAP) >= self.thumb {
            return None;
        }
        (0..self.heads).find_map(|h| {
            let (y0, _) = self.origin(layer, h);
            (y >= y0 && y < y0 + self.thumb).then_some((layer, h))
        })
    }
}

/// Lays out `attention[layer][head]` (each `n × n`) with thumbnails of at most `thumb` pixels.
pub fn grid(attention: &[Vec<Matrix>], thumb: usize, group: usize) -> Grid {
    let layers = attention.len();
    let heads = attention.first().map_or(0, |l| l.len());
    let n = attention.first().and_then(|l| l.first()).map_or(1, |m| m.rows.max(1));
    let thumb = thumb.min(n).max(1);
    let bands = heads.div_ceil(group.max(1));
    let height = heads * (thumb + GAP) + bands.saturating_sub(1) * BAND_GAP;
    let width = layers * (thumb + GAP);
    let mut image = Matrix::from_fn(height.max(1), width.max(1), |_, _| f32::NAN);
    let mut g = Grid {
        image: Matrix::zeros(0, 0),
        thumb,
        layers,
        heads,
        group,
    };
    for (l, layer) in attention.iter().enumerate() {
        for (h, w) in layer.iter().enumerate() {
            let small = pool(w, thumb, thumb, PoolMode::Max);
            let top = small.data.iter().copied().fold(0.0f32, f32::max).max(1e-9);
            let (y0, x0) = g.origin(l, h);
            for i in 0..small.rows {
                for j in 0..small.cols {
                    // Above the diagonal is masked: leave it at 0, not NaN, so the map reads as a triangle.
                    image.set(y0 + i, x0 + j, small.get(i, j) / top);
                }
            }
        }
    }
    g.image = image;
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_thumbnail_is_found_where_it_was_put_and_gaps_are_empty() {
        // 4 layers × 6 heads in bands of 3, 5 tokens: head (l, h)'s map is constant l·10 + h + 1.
        let att: Vec<Vec<Matrix>> = (0..4)
            .map(|l| {
                (0..6)
                    .map(|h| Matrix::from_fn(5, 5, |_, _| (l * 10 + h + 1) as f32))
                    .collect()
            })
            .collect();
        let g = grid(&att, 8, 3);
        assert_eq!(g.thumb, 5, "no larger than the map");
        assert_eq!(g.image.rows, 6 * 6 + BAND_GAP);
        assert_eq!(g.image.cols, 4 * 6);
        for l in 0..4 {
            for h in 0..6 {
                let (y, x) = g.origin(l, h);
                assert_eq!(g.head_at(y + 2, x + 4), Some((l, h)));
                assert_eq!(g.image.get(y, x), 1.0, "scaled by its own largest weight");
            }
        }
        let (y, x) = g.origin(0, 2);
        assert_eq!(g.head_at(y + 5, x), None, "the gap under head 2 (band gap follows)");
        assert!(g.image.get(y + 5 + 1, x).is_nan());
        assert_eq!(g.head_at(0, 5), None, "the gap between layers 0 and 1");
    }
}
