//! How far an intervention moves the model's next-token distribution: the Kullback–Leibler divergence
//! of the intervened model's softmax from the unmodified one's (Kullback & Leibler 1951).
//!
//! For logit rows a (the unmodified model, p = softmax(a)) and b (the intervened one, q = softmax(b)):
//!
//!   KL(p‖q) = Σ_v p_v·(ln p_v − ln q_v),   ln p_v = a_v − logsumexp(a),   ln q_v = b_v − logsumexp(b)
//!
//! in nats, all in f64 through the log-softmax (ln p_v = (a_v − m) − ln Σ_u e^{a_u − m}, m = max a), so
//! no probability is ever divided or taken the log of. KL(p‖q) ≥ 0, with equality iff p = q; it is
//! the expected extra code length, per token, of describing the model's own predictions with the
//! intervened ones. It is finite for any finite logits — a term whose p_v underflows to 0 contributes
//! exactly 0, and ln q_v is at least −(max b − min b) − ln V — and rounding never makes it negative
//! (it is clamped at 0).

use crate::attention::matrix::Matrix;

/// ln softmax(x) in f64 as (x_v − m) − ln Σ_u e^{x_u − m}: subtracting m first keeps the small
/// ln Σ term, which x_v − logsumexp(x) would round away next to logits of 1e30.
fn log_softmax(x: &[f32]) -> Vec<f64> {
    let m = x.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b as f64));
    let ln_sum = x.iter().map(|&v| (v as f64 - m).exp()).sum::<f64>().ln();
    x.iter().map(|&v| (v as f64 - m) - ln_sum).collect()
}

/// KL(softmax(`reference`) ‖ softmax(`other`)) in nats (module doc). Rows of different lengths give NaN.
pub fn kl_divergence(reference: &[f32], other: &[f32]) -> f64 {
    if reference.len() != other.len() {
        return f64::NAN;
    }
    let (lp, lq) = (log_softmax(reference), log_softmax(other));
    let kl: f64 = lp
        .iter()
        .zip(&lq)
        .map(|(a, b)| {
            let p = a.exp();
            if p == 0.0 {
                0.0
            } else {
                p * (a - b)
            }
        })
        .sum();
    kl.max(0.0)
}

/// KL per position (row) of two logit matrices of the same shape (rows = positions); an empty list
/// when the shapes differ.
pub fn kl_per_position(reference: &Matrix, other: &Matrix) -> Vec<f64> {
    if (reference.rows, reference.cols) != (other.rows, other.cols) {
        return Vec::new();
    }
    (0..reference.rows)
        .map(|i| kl_divergence(reference.row(i), other.row(i)))
        .collect()
}

/// Mean KL over positions; 0 for no position.
pub fn mean_kl(reference: &Matrix, other: &Matrix) -> f64 {
    let per = kl_per_position(reference, other);
    if per.is_empty() {
        0.0
    } else {
        per.iter().sum::<f64>() / per.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_rows_give_zero_and_a_two_token_case_matches_the_closed_form() {
        let a = [0.3f32, -1.0, 2.5, 0.0];
        assert_eq!(kl_divergence(&a, &a), 0.0);
        // p = (½, ½) against q = softmax(0, ln 3) = (¼, ¾): ½ ln 2 + ½ ln(2/3) = ½ ln(4/3).
        let kl = kl_divergence(&[0.0, 0.0], &[0.0, 3f32.ln()]);
        assert!((kl - 0.5 * (4.0f64 / 3.0).ln()).abs() < 1e-7, "{kl}");
        // Shifting every logit by a constant does not change a softmax.
        assert!(kl_divergence(&a, &a.map(|x| x + 100.0)) < 1e-12);
        assert!(kl_divergence(&[1.0], &[1.0, 2.0]).is_nan());
    }

    #[test]
    fn extreme_logits_stay_finite() {
        let big = 1e30f32;
        let cases: [(&[f32], &[f32]); 4] = [
            (&[big, -big, 0.0], &[-big, big, 0.0]),
            (&[big, big], &[big, -big]),
            (&[f32::MAX, f32::MIN], &[f32::MIN, f32::MAX]),
            (&[0.0, -big], &[0.0, -big]),
        ];
        for (p, q) in cases {
            let kl = kl_divergence(p, q);
            assert!(kl.is_finite() && kl >= 0.0, "{p:?} ‖ {q:?}: {kl}");
        }
        // p puts all mass on token 0, where q's log-probability is −2e30: KL = 2e30.
        let kl = kl_divergence(&[big, -big, 0.0], &[-big, big, 0.0]);
        assert!((kl / 2e30 - 1.0).abs() < 1e-6, "{kl}");
        // (big, big) against (big, −big): p = (½, ½), q ≈ (1, e^(−2e30)) → ½·(ln ½ − 0) + ½·(ln ½ + 2e30).
        assert!((kl_divergence(&[big, big], &[big, -big]) / 1e30 - 1.0).abs() < 1e-6);
    }

    #[test]
    fn per_position_and_mean_divergence() {
        let a = Matrix::from_vec(2, 2, vec![0.0, 0.0, 1.0, 2.0]);
        let b = Matrix::from_vec(2, 2, vec![0.0, 3f32.ln(), 1.0, 2.0]);
        let per = kl_per_position(&a, &b);
        assert_eq!(per.len(), 2);
        assert_eq!(per[1], 0.0);
        assert!((mean_kl(&a, &b) - per[0] / 2.0).abs() < 1e-15);
        assert!(kl_per_position(&a, &Matrix::zeros(1, 2)).is_empty());
    }
}
