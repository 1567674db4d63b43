//! Numerically stable softmax and the statistics the views read off its rows.

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
    let xc = x.max(-87.3);
    let n = (xc * LOG2E + 0.5).floor();
    let r = xc - n * LN2_HI - n * LN2_LO;
    let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let scale = f32::from_bits(((n as i32 + 127) << 23) as u32);
    if x < -87.3 {
        0.0
    } else {
        p * scale
    }
}

/// In-place softmax of one row: w_j = exp(s_j − m) / Σ_k exp(s_k − m) with m = max_j s_j.
///
/// Entries equal to −∞ (masked) become exactly 0. A row that is entirely −∞ (nothing allowed)
/// becomes all zeros instead of NaN.
pub fn softmax_in_place(row: &mut [f32]) {
    let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if m == f32::NEG_INFINITY || m.is_nan() {
        row.fill(0.0);
        return;
    }
    for v in row.iter_mut() {
        *v = exp_nonpositive(*v - m);
    }
    let sum: f32 = row.iter().sum();
    let inv = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inv;
    }
}

/// Shannon entropy H = −Σ w_j ln w_j of a probability row, in nats (0·ln 0 = 0).
pub fn entropy(row: &[f32]) -> f32 {
    row.iter().filter(|w| **w > 0.0).map(|w| -w * w.ln()).sum()
}

/// Entropy of w = softmax(scale·raw + mask) with one logarithm per row instead of one per entry.
/// With logits s_j = scale·raw_j and m their max over allowed keys, ln w_j = (s_j − m) − ln Z and
/// ln Z = −ln w_max (the largest weight sits at the largest logit), so, using Σ_j w_j = 1 and
/// w_j = 0 for masked keys, H = −ln w_max − scale·(Σ_j w_j·raw_j − raw_{argmax w}). A row with no
/// allowed key has entropy 0.
pub fn entropy_from_scores(raw: &[f32], weights: &[f32], scale: f32) -> f32 {
    let (mut w_max, mut j_max, mut dot) = (0.0f32, 0usize, 0.0f32);
    for (j, (w, r)) in weights.iter().zip(raw).enumerate() {
        if *w > w_max {
            w_max = *w;
            j_max = j;
        }
        dot += w * r;
    }
    if w_max <= 0.0 {
        return 0.0;
    }
    (-w_max.ln() - scale * (dot - raw[j_max])).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn entropy_from_scores_equals_the_direct_sum() {
        let raw = [0.6, -2.4, 5.0, 9.0, 0.0];
        let scale = 0.5;
        // The fourth key is masked.
        let mut w: Vec<f32> = raw
            .iter()
            .enumerate()
            .map(|(j, r)| if j == 3 { f32::NEG_INFINITY } else { r * scale })
            .collect();
        softmax_in_place(&mut w);
        assert!((entropy_from_scores(&raw, &w, scale) - entropy(&w)).abs() < 1e-5);
        assert_eq!(entropy_from_scores(&raw, &[0.0; 5], scale), 0.0);
    }

    #[test]
    fn uniform_row_has_entropy_ln_n() {
        let r = vec![0.25; 4];
        assert!((entropy(&r) - 4f32.ln()).abs() < 1e-6);
        assert_eq!(entropy(&[1.0, 0.0]), 0.0);
    }
}
