//! How far an approximation is from exact softmax attention on the same input.
//!
//! - Output error ‖O − O*‖_F / ‖O*‖_F, with O* = softmax(QKᵀ/√d)·V.
//! - Matrix error ‖A − A*‖_F / ‖A*‖_F between the implied and the exact N × N attention matrices.
//! - Mean row KL(A*_i ‖ A_i) = (1/N) Σ_i Σ_j a*_ij ln(a*_ij / ã_ij): how many nats the approximate row
//!   loses in describing the exact one. Approximate rows may contain zeros or (signed methods) negative
//!   entries, where the logarithm is undefined, so ã_ij = (max(a_ij, 0) + ε) / Σ_j (max(a_ij, 0) + ε)
//!   with ε = [`KL_EPSILON`]; terms with a*_ij = 0 contribute 0.
//!
//! Sums run in f64. All functions panic on shape mismatch (a programming error, not user input).

use crate::attention::matrix::Matrix;

/// ε added to every approximate probability before the KL logarithm (then rows are renormalised).
/// 1e-9 sits far below any weight a view can show yet keeps ln(ã) finite; it caps a single term at
/// about a*·ln(a*/1e-9) ≤ 21 nats.
pub const KL_EPSILON: f64 = 1e-9;

/// ‖A − B‖_F / ‖B‖_F (B the reference). 0 when both are zero; +∞ when only B is zero.
pub fn relative_frobenius(approx: &Matrix, reference: &Matrix) -> f32 {
    assert_eq!(
        (approx.rows, approx.cols),
        (reference.rows, reference.cols),
        "relative_frobenius: shape mismatch"
    );
    let (mut diff, mut norm) = (0.0f64, 0.0f64);
    for (a, b) in approx.data.iter().zip(&reference.data) {
        diff += ((a - b) as f64).powi(2);
        norm += (*b as f64).powi(2);
    }
    if diff == 0.0 {
        0.0
    } else if norm == 0.0 {
        f32::INFINITY
    } else {
        (diff / norm).sqrt() as f32
    }
}

/// (1/N) Σ_i KL(exact_i ‖ approx_i) in nats, with the ε-smoothing of the module doc. 0 for N = 0.
pub fn mean_row_kl(exact: &Matrix, approx: &Matrix) -> f32 {
    assert_eq!(
        (approx.rows, approx.cols),
        (exact.rows, exact.cols),
        "mean_row_kl: shape mismatch"
    );
    if exact.rows == 0 {
        return 0.0;
    }
    let mut total = 0.0f64;
    for i in 0..exact.rows {
        let smooth = |a: &f32| (*a as f64).max(0.0) + KL_EPSILON;
        let z: f64 = approx.row(i).iter().map(smooth).sum();
        for (p, a) in exact.row(i).iter().zip(approx.row(i)) {
            let p = *p as f64;
            if p > 0.0 {
                total += p * (p * z / smooth(a)).ln();
            }
        }
    }
    (total / exact.rows as f64) as f32
}

/// The three error measures of one approximation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErrorMetrics {
    /// ‖O − O*‖_F / ‖O*‖_F.
    pub output: f32,
    /// ‖A − A*‖_F / ‖A*‖_F.
    pub matrix: f32,
    /// Mean row KL(A* ‖ A), nats.
    pub mean_kl: f32,
}

/// All three measures from the exact output and matrix and the approximate ones.
pub fn error_metrics(exact_output: &Matrix, exact_matrix: &Matrix, output: &Matrix, matrix: &Matrix) -> ErrorMetrics {
    ErrorMetrics {
        output: relative_frobenius(output, exact_output),
        matrix: relative_frobenius(matrix, exact_matrix),
        mean_kl: mean_row_kl(exact_matrix, matrix),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_frobenius_by_hand() {
        // B = [3, 4] (‖B‖ = 5), A = [3, 5]: ‖A − B‖ = 1 → 0.2.
        let b = Matrix::from_vec(1, 2, vec![3.0, 4.0]);
        let a = Matrix::from_vec(1, 2, vec![3.0, 5.0]);
        assert!((relative_frobenius(&a, &b) - 0.2).abs() < 1e-7);
        assert_eq!(relative_frobenius(&b, &b), 0.0);
        assert_eq!(relative_frobenius(&b, &Matrix::zeros(1, 2)), f32::INFINITY);
    }

    #[test]
    fn kl_by_hand_and_zero_for_identical_rows() {
        // p = (1/2, 1/2), q = (1/4, 3/4): KL = ½ln 2 + ½ln(2/3) = ½ ln(4/3) ≈ 0.143841.
        let p = Matrix::from_vec(2, 2, vec![0.5, 0.5, 0.5, 0.5]);
        let q = Matrix::from_vec(2, 2, vec![0.25, 0.75, 0.5, 0.5]);
        let expect = 0.5 * 0.5 * (4.0f64 / 3.0).ln(); // second row contributes 0; mean over 2 rows
        assert!((mean_row_kl(&p, &q) as f64 - expect).abs() < 1e-6);
        assert!(mean_row_kl(&p, &p).abs() < 1e-7);
    }

    #[test]
    fn negative_or_zero_approximate_weights_give_a_finite_kl() {
        // q = (−0.2, 1.2) → max(q, 0) = (0, 1.2); the ε keeps ln finite: KL ≈ ½ln(½/ε′) + ½ln(½·1.2/1.2).
        let p = Matrix::from_vec(1, 2, vec![0.5, 0.5]);
        let q = Matrix::from_vec(1, 2, vec![-0.2, 1.2]);
        let kl = mean_row_kl(&p, &q) as f64;
        let z = 1.2 + 2.0 * KL_EPSILON;
        let expect = 0.5 * (0.5 / (KL_EPSILON / z)).ln() + 0.5 * (0.5 / ((1.2 + KL_EPSILON) / z)).ln();
        assert!(kl.is_finite() && (kl - expect).abs() < 1e-4, "{kl} vs {expect}");
    }
}
