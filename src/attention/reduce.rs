//! Max, sum and dot product of f32 slices with lane-parallel accumulators, so they vectorise
//! (wasm simd128, SSE/AVX). Used by the softmax, the online-softmax and sparse kernels and the views.

/// Independent accumulators per reduction: they let the compiler use SIMD (a single running max or
/// sum is a serial dependency chain it may not reorder).
const LANES: usize = 8;

/// max_j x_j (−∞ for an empty slice; NaN entries are ignored).
pub fn max_of(xs: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for l in 0..LANES {
            acc[l] = if c[l] > acc[l] { c[l] } else { acc[l] };
        }
    }
    let mut m = rest.iter().fold(f32::NEG_INFINITY, |a, &x| if x > a { x } else { a });
    for a in acc {
        m = if a > m { a } else { m };
    }
    m
}

/// Σ_j x_j with lane-parallel accumulators.
pub fn sum_of(xs: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let chunks = xs.chunks_exact(LANES);
    let tail: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for l in 0..LANES {
            acc[l] += c[l];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Σ_j x_j·y_j with lane-parallel accumulators.
pub fn dot(xs: &[f32], ys: &[f32]) -> f32 {
    debug_assert_eq!(xs.len(), ys.len());
    let mut acc = [0.0f32; LANES];
    let (xc, yc) = (xs.chunks_exact(LANES), ys.chunks_exact(LANES));
    let tail: f32 = xc.remainder().iter().zip(yc.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in xc.zip(yc) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_parallel_reductions_match_serial_ones() {
        for n in [0usize, 1, 7, 8, 9, 33] {
            let xs: Vec<f32> = (0..n).map(|i| ((i * 37 % 11) as f32 - 5.0) * 0.7).collect();
            let ys: Vec<f32> = (0..n).map(|i| (i as f32 * 0.3).sin()).collect();
            let serial_max = xs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            assert_eq!(max_of(&xs), serial_max);
            let serial_dot: f32 = xs.iter().zip(&ys).map(|(x, y)| x * y).sum();
            assert!((dot(&xs, &ys) - serial_dot).abs() < 1e-5);
        }
    }
}
