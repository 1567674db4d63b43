//! Linear attention (Katharopoulos, Vyas, Pappas & Fleuret 2020, "Transformers are RNNs: Fast
//! Autoregressive Transformers with Linear Attention", ICML).
//!
//! Replace the softmax similarity exp(q·k) by a kernel φ(q)·φ(k) with a positive feature map
//! φ(x) = elu(x) + 1 (x + 1 for x > 0, eˣ otherwise). Then
//!
//!   O = φ(Q)·(φ(K)ᵀ·V) / (φ(Q)·(φ(K)ᵀ·1))            (row-wise division)
//!
//! and, because matrix products associate, φ(K)ᵀV (m × d_v) and φ(K)ᵀ1 (m) are computed first: cost
//! O(N·m·d_v), memory O(N·m), no N×N matrix. The quadratic order (φ(Q)φ(K)ᵀ)·V, normalised by row
//! sums, gives the same numbers and is kept for comparison. Causally, row i only sums over j ≤ i, so
//! the two summaries become running prefix sums — an RNN whose state is (S_i, z_i):
//!
//!   S_i = S_{i−1} + φ(k_i)·v_iᵀ,   z_i = z_{i−1} + φ(k_i),   o_i = S_iᵀφ(q_i) / (z_i·φ(q_i)).
//!
//! The `feature_*` kernels take any feature matrices, so the Performer reuses them with its random
//! features. The paper applies φ to raw q and k (no 1/√d scale); so do we.

use crate::attention::approx::output::ApproxOutput;
use crate::attention::matrix::{matmul, matmul_transa, matmul_transb, MatRef, Matrix};

/// φ(x) = elu(x) + 1: x + 1 for x > 0, eˣ otherwise (always > 0).
#[inline]
pub fn elu_plus_one(x: f32) -> f32 {
    if x > 0.0 {
        x + 1.0
    } else {
        x.exp()
    }
}

/// φ applied element-wise: N × d → N × d.
pub fn elu_features(x: MatRef<'_>) -> Matrix {
    Matrix::from_fn(x.rows, x.cols, |i, j| elu_plus_one(x.get(i, j)))
}

/// Divides `row` by `den`; a zero or non-finite denominator gives a zero row. Each entry is divided
/// (not multiplied by 1/den): with φ(q) ≈ e^(−100) the denominator is subnormal, 1/den overflows to
/// ∞, while numerator/denominator is an ordinary number.
fn divide_row(row: &mut [f32], den: f32) {
    if den != 0.0 && den.is_finite() {
        row.iter_mut().for_each(|o| *o /= den);
    } else {
        row.fill(0.0);
    }
}

/// O = Φ_Q·(Φ_Kᵀ·V) / (Φ_Q·(Φ_Kᵀ·1)) in the linear order: Φ_Q, Φ_K are N × m feature matrices.
/// The largest buffer it creates is the m × d_v summary Φ_KᵀV.
pub fn feature_attend(phi_q: &Matrix, phi_k: &Matrix, v: MatRef<'_>) -> ApproxOutput {
    assert_eq!(phi_q.cols, phi_k.cols, "feature widths differ");
    assert_eq!(phi_k.rows, v.rows, "keys and values differ in length");
    let kv = matmul_transa(phi_k.view(), v); // m × d_v
    let mut z = vec![0.0f32; phi_k.cols]; // Φ_Kᵀ·1
    for j in 0..phi_k.rows {
        z.iter_mut().zip(phi_k.row(j)).for_each(|(s, x)| *s += x);
    }
    let mut output = matmul(phi_q.view(), kv.view());
    for i in 0..phi_q.rows {
        let den: f32 = phi_q.row(i).iter().zip(&z).map(|(a, b)| a * b).sum();
        divide_row(output.row_mut(i), den);
    }
    ApproxOutput {
        output,
        peak_intermediate_len: kv.data.len().max(z.len()),
    }
}

/// The normalised kernel matrix A_ij = φ(q_i)·φ(k_j) / Σ_j′ φ(q_i)·φ(k_j′) (j, j′ ≤ i when causal),
/// N × N: the attention matrix a kernel method implies. A row with zero sum stays zero.
pub fn normalised_kernel_matrix(phi_q: &Matrix, phi_k: &Matrix, causal: bool) -> Matrix {
    let mut a = matmul_transb(phi_q.view(), phi_k.view());
    for i in 0..a.rows {
        let row = a.row_mut(i);
        if causal {
            row.iter_mut().skip(i + 1).for_each(|x| *x = 0.0);
        }
        let den: f32 = row.iter().sum();
        divide_row(row, den);
    }
    a
}

/// O = A·V with the N × N matrix A of [`normalised_kernel_matrix`]: the quadratic order, same numbers
/// as [`feature_attend`] / [`causal_feature_attend`] up to rounding. Its largest buffer is A (N²).
pub fn feature_attend_quadratic(phi_q: &Matrix, phi_k: &Matrix, v: MatRef<'_>, causal: bool) -> ApproxOutput {
    let a = normalised_kernel_matrix(phi_q, phi_k, causal);
    ApproxOutput {
        output: matmul(a.view(), v),
        peak_intermediate_len: a.data.len(),
    }
}

/// Causal O by the prefix-sum recurrence S_i = S_{i−1} + φ(k_i)v_iᵀ, z_i = z_{i−1} + φ(k_i),
/// o_i = φ(q_i)ᵀS_i / φ(q_i)·z_i. State: one m × d_v matrix and one m-vector, whatever N is.
pub fn causal_feature_attend(phi_q: &Matrix, phi_k: &Matrix, v: MatRef<'_>) -> ApproxOutput {
    assert_eq!(phi_q.cols, phi_k.cols, "feature widths differ");
    assert_eq!(phi_k.rows, v.rows, "keys and values differ in length");
    assert!(phi_q.rows <= phi_k.rows, "causal attention needs a key for every query");
    let (m, d_v) = (phi_k.cols, v.cols);
    let mut s = vec![0.0f32; m * d_v];
    let mut z = vec![0.0f32; m];
    let mut output = Matrix::zeros(phi_q.rows, d_v);
    for i in 0..phi_q.rows {
        let (k_i, v_i) = (phi_k.row(i), v.row(i));
        for (f, &a) in k_i.iter().enumerate() {
            z[f] += a;
            s[f * d_v..(f + 1) * d_v]
                .iter_mut()
                .zip(v_i)
                .for_each(|(acc, x)| *acc += a * x);
        }
        let q_i = phi_q.row(i);
        let out = output.row_mut(i);
        let mut den = 0.0f32;
        for (f, &a) in q_i.iter().enumerate() {
            den += a * z[f];
            out.iter_mut()
                .zip(&s[f * d_v..(f + 1) * d_v])
                .for_each(|(o, x)| *o += a * x);
        }
        divide_row(out, den);
    }
    ApproxOutput {
        output,
        peak_intermediate_len: s.len().max(z.len()),
    }
}

/// Adds the feature matrices a wrapper allocated to a kernel's peak.
fn with_features(mut out: ApproxOutput, phi_q: &Matrix, phi_k: &Matrix) -> ApproxOutput {
    out.peak_intermediate_len = out.peak_intermediate_len.max(phi_q.data.len()).max(phi_k.data.len());
    out
}

/// Linear attention O = φ(Q)(φ(K)ᵀV) / φ(Q)(φ(K)ᵀ1) with φ = elu + 1, in O(N·d·d_v) time and O(N·d)
/// memory; `causal` uses the prefix-sum recurrence.
pub fn linear_attend(q: MatRef<'_>, k: MatRef<'_>, v: MatRef<'_>, causal: bool) -> ApproxOutput {
    let (phi_q, phi_k) = (elu_features(q), elu_features(k));
    let out = if causal {
        causal_feature_attend(&phi_q, &phi_k, v)
    } else {
        feature_attend(&phi_q, &phi_k, v)
    };
    with_features(out, &phi_q, &phi_k)
}

/// The same attention in the quadratic order (φ(Q)φ(K)ᵀ)V with row normalisation (and the causal
/// mask when `causal`): O(N²·d) time, an N × N buffer. For comparison and tests.
pub fn linear_attend_quadratic(q: MatRef<'_>, k: MatRef<'_>, v: MatRef<'_>, causal: bool) -> ApproxOutput {
    let (phi_q, phi_k) = (elu_features(q), elu_features(k));
    with_features(feature_attend_quadratic(&phi_q, &phi_k, v, causal), &phi_q, &phi_k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::rng::{normal_matrix, stream};

    #[test]
    fn a_subnormal_denominator_still_gives_the_weighted_mean() {
        // q = −100: φ(q) = e^(−100) ≈ 3.7e-44 (subnormal); 1/(φ(q)·Σφ(k)) would be ∞.
        let q = Matrix::from_vec(1, 1, vec![-100.0]);
        let k = Matrix::from_vec(2, 1, vec![50.0, 150.0]);
        let v = Matrix::from_vec(2, 1, vec![1.0, 3.0]);
        let o = linear_attend(q.view(), k.view(), v.view(), false).output;
        // Weights ∝ φ(k) = 51, 151: (51·1 + 151·3)/202.
        assert!((o.get(0, 0) - (51.0 + 453.0) / 202.0).abs() < 1e-3, "{:?}", o.data);
    }

    #[test]
    fn elu_plus_one_by_hand() {
        // elu(0.5) + 1 = 1.5; elu(−1) + 1 = e^(−1) ≈ 0.367879; continuous at 0 with value 1.
        assert_eq!(elu_plus_one(0.5), 1.5);
        assert!((elu_plus_one(-1.0) - 0.367_879_44).abs() < 1e-6);
        assert_eq!(elu_plus_one(0.0), 1.0);
    }

    #[test]
    fn linear_and_quadratic_orders_agree_and_causal_prefix_sums_equal_the_masked_quadratic_form() {
        let mut rng = stream(3, "linear-test");
        for &(n, d, dv) in &[(1, 2, 3), (17, 8, 5), (64, 16, 16)] {
            let q = normal_matrix(&mut rng, n, d, 1.0);
            let k = normal_matrix(&mut rng, n, d, 1.0);
            let v = normal_matrix(&mut rng, n, dv, 1.0);
            for causal in [false, true] {
                let a = linear_attend(q.view(), k.view(), v.view(), causal);
                let b = linear_attend_quadratic(q.view(), k.view(), v.view(), causal);
                let diff = a.output.max_abs_diff(&b.output);
                assert!(diff < 1e-4, "n={n} causal={causal}: {diff}");
            }
        }
    }

    #[test]
    fn causal_rows_ignore_later_positions_and_row_zero_returns_its_own_value() {
        // Row i of the causal output must only depend on positions ≤ i: changing the last key and
        // value leaves every earlier row unchanged.
        let mut rng = stream(4, "causal-test");
        let q = normal_matrix(&mut rng, 12, 4, 1.0);
        let mut k = normal_matrix(&mut rng, 12, 4, 1.0);
        let mut v = normal_matrix(&mut rng, 12, 3, 1.0);
        let before = linear_attend(q.view(), k.view(), v.view(), true).output;
        k.row_mut(11).iter_mut().for_each(|x| *x += 5.0);
        v.row_mut(11).iter_mut().for_each(|x| *x -= 5.0);
        let after = linear_attend(q.view(), k.view(), v.view(), true).output;
        for i in 0..11 {
            assert_eq!(before.row(i), after.row(i));
        }
        // Row 0 attends only to itself: o_0 = v_0 exactly (one term in numerator and denominator).
        for c in 0..3 {
            assert!((after.get(0, c) - v.get(0, c)).abs() < 1e-6);
        }
    }

    #[test]
    fn one_key_gives_its_value_to_every_query() {
        // With a single key, numerator/denominator = φ(q)·φ(k) v / φ(q)·φ(k) = v.
        let q = Matrix::from_vec(3, 2, vec![0.3, -1.0, 2.0, 0.0, -0.5, -0.5]);
        let k = Matrix::from_vec(1, 2, vec![0.7, -0.2]);
        let v = Matrix::from_vec(1, 2, vec![4.0, -2.0]);
        let o = linear_attend(q.view(), k.view(), v.view(), false).output;
        for i in 0..3 {
            assert!((o.get(i, 0) - 4.0).abs() < 1e-5 && (o.get(i, 1) + 2.0).abs() < 1e-5);
        }
    }

    #[test]
    fn linear_order_keeps_memory_linear_in_n_while_quadratic_order_holds_n_squared() {
        let mut rng = stream(5, "memory-test");
        let (n, d) = (512, 16);
        let q = normal_matrix(&mut rng, n, d, 1.0);
        let k = normal_matrix(&mut rng, n, d, 1.0);
        let v = normal_matrix(&mut rng, n, d, 1.0);
        for causal in [false, true] {
            let lin = linear_attend(q.view(), k.view(), v.view(), causal);
            // Largest buffers: φ(Q), φ(K) (N·d = 8192) and the d × d summary (256).
            assert_eq!(lin.peak_intermediate_len, n * d);
            let quad = linear_attend_quadratic(q.view(), k.view(), v.view(), causal);
            assert_eq!(quad.peak_intermediate_len, n * n);
        }
    }
}
