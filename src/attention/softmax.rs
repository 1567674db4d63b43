//! Numerically stable softmax and the statistics the views read off its rows.

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
    let mut sum = 0.0f32;
    for v in row.iter_mut() {
        *v = (*v - m).exp();
        sum += *v;
    }
    let inv = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inv;
    }
}

/// Shannon entropy H = −Σ w_j ln w_j of a probability row, in nats (0·ln 0 = 0).
pub fn entropy(row: &[f32]) -> f32 {
    row.iter().filter(|w| **w > 0.0).map(|w| -w * w.ln()).sum()
}

/// Entropy of the softmax row `weights` = softmax(`logits`) with one logarithm per row instead of
/// one per entry: since ln w_j = (s_j − m) − ln Z and ln Z = −ln w_max (the largest weight sits at
/// the largest logit m), H = −ln w_max − Σ_j w_j (s_j − m). Masked logits (−∞, weight 0) are skipped.
pub fn entropy_from_logits(logits: &[f32], weights: &[f32]) -> f32 {
    let m = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let w_max = weights.iter().copied().fold(0.0f32, f32::max);
    if w_max <= 0.0 || !m.is_finite() {
        return 0.0;
    }
    let spread: f32 = logits
        .iter()
        .zip(weights)
        .filter(|(_, w)| **w > 0.0)
        .map(|(s, w)| w * (s - m))
        .sum();
    (-w_max.ln() - spread).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn entropy_from_logits_equals_the_direct_sum() {
        let logits = vec![0.3, -1.2, 2.5, f32::NEG_INFINITY, 0.0];
        let mut w = logits.clone();
        softmax_in_place(&mut w);
        assert!((entropy_from_logits(&logits, &w) - entropy(&w)).abs() < 1e-5);
        assert_eq!(entropy_from_logits(&[f32::NEG_INFINITY; 3], &[0.0; 3]), 0.0);
    }

    #[test]
    fn uniform_row_has_entropy_ln_n() {
        let r = vec![0.25; 4];
        assert!((entropy(&r) - 4f32.ln()).abs() < 1e-6);
        assert_eq!(entropy(&[1.0, 0.0]), 0.0);
    }
}
