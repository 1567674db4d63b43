//! Numerically stable softmax and the statistics the views read off its rows.

use crate::attention::reduce::{max_of, sum_of};

/// e^x for x ≤ 0 (softmax arguments are shifted by the row max), written so the compiler can
/// vectorise it (wasm `simd128`, SSE/AVX): e^x = 2^n · e^r with n = ⌊x·log₂e + ½⌋ and
/// r = x − n·ln 2 ∈ [−ln2/2, ln2/2], e^r by its degree-6 Taylor polynomial (relative error < 2e-7,
/// about one float32 ulp). Arguments below −87.3 (including −∞, masked scores) give exactly 0.
#[inline(always)]
pub fn exp_nonpositive(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split in a high part exact in float32 and a low correction (Cody–Waite reduction).
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // A compare-and-select, not f32::max, whose NaN rules have no single wasm SIMD instruction.
    let xc = if x > -87.3 { x } else { -87.3 };
    let n = (xc * LOG2E + 0.5).floor();
    let r = xc - n * LN2_HI - n * LN2_LO;
    let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // 2^n without a float→int conversion (which blocks vectorisation): adding 1.5·2²³ puts the
    // integer n + 127 in the low mantissa bits, and shifting them into the exponent field gives 2^n.
    let biased = n + (127.0 + 12_582_912.0);
    let scale = f32::from_bits(biased.to_bits() << 23);
    if x < -87.3 {
        0.0
    } else {
        p * scale
    }
}

/// What a softmax row leaves behind besides its weights: the largest logit m and the normaliser
/// Z = Σ_j e^(s_j − m) (Z ≥ 1 when any key is allowed, 0 when none is). The largest weight is 1/Z.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SoftmaxStats {
    pub max_logit: f32,
    pub sum: f32,
}

impl SoftmaxStats {
    /// The largest weight of the row, 1/Z (0 for a row with no allowed key).
    pub fn max_weight(&self) -> f32 {
        if self.sum > 0.0 {
            1.0 / self.sum
        } else {
            0.0
        }
    }

    /// Entropy H = −Σ_j w_j ln w_j of the row from its logits' weighted mean:
    /// ln w_j = s_j − m − ln Z, so H = ln Z + m − Σ_j w_j s_j. `weighted_logit` is Σ_j w_j s_j over
    /// allowed keys. A row with no allowed key has entropy 0.
    pub fn entropy(&self, weighted_logit: f32) -> f32 {
        if self.sum > 0.0 {
            (self.sum.ln() + self.max_logit - weighted_logit).max(0.0)
        } else {
            0.0
        }
    }
}

/// In-place softmax of one row: w_j = exp(s_j − m) / Σ_k exp(s_k − m) with m = max_j s_j.
///
/// Entries equal to −∞ (masked) become exactly 0. A row that is entirely −∞ (nothing allowed)
/// becomes all zeros instead of NaN. Returns m and the normaliser (see [`SoftmaxStats`]).
pub fn softmax_in_place(row: &mut [f32]) -> SoftmaxStats {
    let m = max_of(row);
    if m == f32::NEG_INFINITY || m.is_nan() {
        row.fill(0.0);
        return SoftmaxStats { max_logit: m, sum: 0.0 };
    }
    // Separate simple loops: each one vectorises, a fused one does not.
    for v in row.iter_mut() {
        *v = exp_nonpositive(*v - m);
    }
    let sum = sum_of(row);
    let inv = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inv;
    }
    SoftmaxStats { max_logit: m, sum }
}

/// Shannon entropy H = −Σ w_j ln w_j of a probability row, in nats (0·ln 0 = 0).
pub fn entropy(row: &[f32]) -> f32 {
    row.iter().filter(|w| **w > 0.0).map(|w| -w * w.ln()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::reduce::dot;

    #[test]
    fn fast_exp_is_within_two_ulp_of_std_exp_and_zero_for_masked() {
        let mut worst = 0.0f64;
        let mut x = -87.0f32;
        while x <= 0.0 {
            let want = (x as f64).exp();
            let got = exp_nonpositive(x) as f64;
            worst = worst.max(((got - want) / want).abs());
            x += 0.000_37;
        }
        assert!(worst < 2.5e-7, "worst relative error {worst:e}");
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_nonpositive(-1000.0), 0.0);
    }

    #[test]
    fn rows_sum_to_one_and_keep_order() {
        let mut r = vec![1.0, 2.0, 3.0, 1000.0, -1000.0];
        softmax_in_place(&mut r);
        assert!((r.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(r.iter().all(|v| v.is_finite()));
        assert!(r[3] > 0.999);
    }

    #[test]
    fn masked_entries_are_zero_and_an_empty_row_is_zero_not_nan() {
        let mut r = vec![0.5, f32::NEG_INFINITY, 0.5];
        softmax_in_place(&mut r);
        assert_eq!(r, vec![0.5, 0.0, 0.5]);
        let mut empty = vec![f32::NEG_INFINITY; 4];
        softmax_in_place(&mut empty);
        assert_eq!(empty, vec![0.0; 4]);
    }

    #[test]
    fn row_stats_give_the_max_weight_and_the_entropy() {
        let raw = [0.6f32, -2.4, 5.0, 9.0, 0.0, 1.5, -0.5, 2.0, 3.0, 0.25];
        let scale = 0.5;
        // The fourth key is masked.
        let logits: Vec<f32> = raw
            .iter()
            .enumerate()
            .map(|(j, r)| if j == 3 { f32::NEG_INFINITY } else { r * scale })
            .collect();
        let mut w = logits.clone();
        let stats = softmax_in_place(&mut w);
        assert_eq!(stats.max_logit, 2.5);
        let w_max = w.iter().copied().fold(0.0, f32::max);
        assert!((stats.max_weight() - w_max).abs() < 1e-7);
        let weighted = scale * dot(&w, &raw);
        assert!((stats.entropy(weighted) - entropy(&w)).abs() < 1e-5);
        let mut empty = [f32::NEG_INFINITY; 3];
        let none = softmax_in_place(&mut empty);
        assert_eq!((none.max_weight(), none.entropy(0.0)), (0.0, 0.0));
    }

    #[test]
    fn uniform_row_has_entropy_ln_n() {
        let r = vec![0.25; 4];
        assert!((entropy(&r) - 4f32.ln()).abs() < 1e-6);
        assert_eq!(entropy(&[1.0, 0.0]), 0.0);
    }
}
