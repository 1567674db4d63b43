//! Why 1/√d_head: the softmax saturation study behind the scaling lesson.
//!
//! With q, k ∈ R^d of independent unit-variance entries, q·k has variance d. Unscaled, the logits
//! spread like √d and the softmax collapses towards one-hot rows (entropy → 0, max weight → 1),
//! whose gradients vanish. Dividing by √d keeps the logit variance at 1 for every d.

use crate::attention::exact::attention_weights;
use crate::attention::mask::Full;
use crate::attention::rng::{normal_matrix, stream};
use crate::attention::softmax::entropy;

/// Mean row entropy and mean row max weight of softmax(Q·Kᵀ·scale) at one d_head.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SaturationPoint {
    pub d_head: usize,
    /// Mean entropy (nats) with the 1/√d scale.
    pub entropy_scaled: f32,
    /// Mean entropy (nats) without scaling.
    pub entropy_unscaled: f32,
    /// Mean largest weight per row with the 1/√d scale.
    pub max_weight_scaled: f32,
    /// Mean largest weight per row without scaling.
    pub max_weight_unscaled: f32,
}

/// The d_head values the lesson sweeps.
pub const SWEEP_D_HEAD: [usize; 8] = [2, 4, 8, 16, 32, 64, 128, 256];

/// Measures saturation for each d in `d_heads` over `n` queries and `n` keys of N(0, 1) entries.
pub fn saturation_curve(d_heads: &[usize], n: usize, seed: u64) -> Vec<SaturationPoint> {
    d_heads
        .iter()
        .map(|&d| {
            let mut rng = stream(seed, &format!("saturation:{d}"));
            let q = normal_matrix(&mut rng, n, d, 1.0);
            let k = normal_matrix(&mut rng, n, d, 1.0);
            let stats = |scale: f32| {
                let w = attention_weights(q.view(), k.view(), scale, &Full);
                let (mut h, mut mx) = (0.0, 0.0);
                for i in 0..n {
                    h += entropy(w.row(i));
                    mx += w.row(i).iter().copied().fold(0.0, f32::max);
                }
                (h / n as f32, mx / n as f32)
            };
            let (entropy_scaled, max_weight_scaled) = stats(1.0 / (d as f32).sqrt());
            let (entropy_unscaled, max_weight_unscaled) = stats(1.0);
            SaturationPoint {
                d_head: d,
                entropy_scaled,
                entropy_unscaled,
                max_weight_scaled,
                max_weight_unscaled,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_the_scale_softmax_saturates_as_d_grows() {
        let pts = saturation_curve(&SWEEP_D_HEAD, 64, 1);
        let first = pts.first().unwrap();
        let last = pts.last().unwrap();
        // Unscaled: entropy collapses and rows become nearly one-hot.
        assert!(
            last.entropy_unscaled < 0.5,
            "unscaled entropy at d=256: {}",
            last.entropy_unscaled
        );
        assert!(
            last.max_weight_unscaled > 0.8,
            "unscaled max weight at d=256: {}",
            last.max_weight_unscaled
        );
        assert!(last.entropy_unscaled < first.entropy_unscaled - 2.0);
        // Scaled: entropy stays near the same level for every d (ln 64 ≈ 4.16 is uniform).
        for p in &pts {
            assert!(
                (p.entropy_scaled - last.entropy_scaled).abs() < 0.35,
                "d={} scaled entropy {}",
                p.d_head,
                p.entropy_scaled
            );
            assert!(p.entropy_scaled > 3.0 && p.entropy_scaled < 64f32.ln());
            assert!(p.max_weight_scaled < 0.25);
        }
    }
}
