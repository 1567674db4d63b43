//! Performer / FAVOR+ (Choromanski et al. 2021, "Rethinking Attention with Performers", ICLR).
//!
//! The softmax kernel is an expectation over Gaussian w ~ N(0, I_d):
//!
//!   exp(x·y) = E_w[ exp(w·x − ‖x‖²/2) · exp(w·y − ‖y‖²/2) ]
//!
//! so with m samples w_1..w_m (rows of W) the positive random features
//!
//!   φ(x) = exp(W·x − ‖x‖²/2) / √m   (m values, all > 0)
//!
//! give an unbiased estimate φ(x)·φ(y) ≈ exp(x·y). Inputs are first scaled by d^(−1/4), so that
//! φ(q)·φ(k) estimates exp(q·k/√d), the scaled softmax kernel; attention is then the linear-order
//! kernel of [`crate::attention::approx::linear`] with these features: O(N·m·d) time, O(N·m) memory.
//!
//! FAVOR+ details, as in the reference implementation (google-research `performer/fast_attention`):
//! - Orthogonal random features: W is built from ⌈m/d⌉ blocks, each the Q factor of the QR
//!   decomposition of a d × d Gaussian matrix (rows exactly orthogonal within a block), then each row
//!   is rescaled by the norm of an independent Gaussian d-vector (χ_d distributed) so every row still
//!   has the length distribution of a Gaussian sample. Orthogonality lowers the estimator's variance.
//! - Stabilisation: before exp, subtract a max of W·x — per row for queries, one global max over all
//!   keys and features for keys — and add ε = 1e-6 (the reference's `numerical_stabilizer`). A per-query
//!   constant multiplies a whole numerator and its denominator, and a single key constant multiplies
//!   every key, so both cancel in the normalisation; a per-key max would not cancel (it reweights keys).
//!
//! Trigonometric features φ(x) = e^(‖x‖²/2)/√m · [sin(W·x), cos(W·x)] (2m values) estimate the same
//! kernel through Bochner's theorem for the Gaussian kernel (Rahimi & Recht 2007) but can be negative,
//! so the estimated row sums can approach 0 and the normalised attention becomes unstable — the reason
//! FAVOR+ uses positive features. Their query factor e^(‖q‖²/2) cancels per row, and the key factor is
//! stabilised by dividing by its maximum over keys.

use nalgebra::DMatrix;

use crate::attention::approx::linear::{causal_feature_attend, feature_attend};
use crate::attention::approx::output::ApproxOutput;
use crate::attention::matrix::{matmul_transb, MatRef, Matrix};
use crate::attention::rng::{normal_vec, stream, AtlasRng};

/// The reference implementation's additive `numerical_stabilizer` inside the positive features.
pub const FEATURE_EPSILON: f32 = 1e-6;

/// Which random-feature map estimates the softmax kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureKind {
    /// φ(x) = exp(W·x − ‖x‖²/2)/√m: positive, FAVOR+.
    Positive,
    /// φ(x) = e^(‖x‖²/2)/√m · [sin(W·x), cos(W·x)]: signed, for comparison.
    Trigonometric,
}

/// Number of features, their kind and the redraw seed of a Performer head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PerformerConfig {
    /// m, the number of random projections (clamped to ≥ 1).
    pub features: usize,
    /// Positive (FAVOR+) or trigonometric features.
    pub kind: FeatureKind,
    /// Seed of the projection draw (stream "performer_w"); a new seed redraws W.
    pub seed: u64,
}

/// A drawn feature map: the m × d projection W (rows w_r) and the feature kind.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomFeatures {
    /// W, m × d, one random direction w_r per row.
    pub projection: Matrix,
    /// How W·x becomes features.
    pub kind: FeatureKind,
}

/// Which side of the kernel a feature matrix is for (they are stabilised differently).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Query,
    Key,
}

/// m × d matrix of orthogonal random features: ⌈m/d⌉ blocks of rows of the Q factor of a d × d
/// Gaussian QR, truncated to m rows, each row scaled by the norm of a fresh N(0, I_d) vector.
/// (d = 0 gives an m × 0 matrix.)
pub fn orthogonal_gaussian(rng: &mut AtlasRng, m: usize, d: usize) -> Matrix {
    let mut w = Matrix::zeros(m, d);
    if d == 0 {
        return w;
    }
    let mut row = 0;
    while row < m {
        let g = DMatrix::from_column_slice(d, d, &normal_vec(rng, d * d, 1.0));
        let q = g.qr().q(); // d × d orthogonal; its columns are orthonormal
        for c in 0..d.min(m - row) {
            for j in 0..d {
                w.set(row + c, j, q[(j, c)]);
            }
        }
        row += d;
    }
    for r in 0..m {
        let norm = normal_vec(rng, d, 1.0).iter().map(|x| x * x).sum::<f32>().sqrt();
        w.row_mut(r).iter_mut().for_each(|x| *x *= norm);
    }
    w
}

impl RandomFeatures {
    /// Draws W (m × d) for head width `d` from stream "performer_w" under `config.seed`.
    pub fn draw(d: usize, config: PerformerConfig) -> Self {
        let m = config.features.max(1);
        Self {
            projection: orthogonal_gaussian(&mut stream(config.seed, "performer_w"), m, d),
            kind: config.kind,
        }
    }

    /// Number of feature columns: m (positive) or 2m (sin and cos).
    pub fn width(&self) -> usize {
        match self.kind {
            FeatureKind::Positive => self.projection.rows,
            FeatureKind::Trigonometric => 2 * self.projection.rows,
        }
    }

    /// φ(Q) for queries (N × width), stabilised per row.
    pub fn queries(&self, q: MatRef<'_>) -> Matrix {
        self.features(q, Side::Query)
    }

    /// φ(K) for keys (N × width), stabilised by one global constant.
    pub fn keys(&self, k: MatRef<'_>) -> Matrix {
        self.features(k, Side::Key)
    }

    fn features(&self, x: MatRef<'_>, side: Side) -> Matrix {
        let (m, d) = (self.projection.rows, self.projection.cols);
        assert_eq!(x.cols, d, "features were drawn for another head width");
        // x' = x·d^(−1/4), so φ(q')·φ(k') estimates exp(q·k/√d).
        let c = (d as f32).powf(-0.25);
        let wx = matmul_transb(x, self.projection.view()); // N × m, entries w_r·x (unscaled)
        let half_sq: Vec<f32> = (0..x.rows)
            .map(|i| 0.5 * c * c * x.row(i).iter().map(|v| v * v).sum::<f32>())
            .collect();
        let ratio = 1.0 / (m as f32).sqrt();
        match self.kind {
            FeatureKind::Positive => {
                let max_of = |v: &[f32]| v.iter().fold(f32::NEG_INFINITY, |a, b| a.max(*b)) * c;
                let shift: Vec<f32> = match side {
                    Side::Query => (0..x.rows).map(|i| max_of(wx.row(i))).collect(),
                    Side::Key => vec![max_of(&wx.data); x.rows],
                };
                Matrix::from_fn(x.rows, m, |i, r| {
                    ratio * ((c * wx.get(i, r) - half_sq[i] - shift[i]).exp() + FEATURE_EPSILON)
                })
            }
            FeatureKind::Trigonometric => {
                // e^(‖x'‖²/2): a per-query constant (cancels, so 1) or e^(h_j − max_j h_j) for keys.
                let key_max = half_sq.iter().fold(f32::NEG_INFINITY, |a, b| a.max(*b));
                Matrix::from_fn(x.rows, 2 * m, |i, r| {
                    let h = match side {
                        Side::Query => 1.0,
                        Side::Key => (half_sq[i] - key_max).exp(),
                    };
                    let angle = c * wx.get(i, r % m);
                    ratio * h * if r < m { angle.sin() } else { angle.cos() }
                })
            }
        }
    }
}

/// Performer attention: O = φ(Q)(φ(K)ᵀV) / φ(Q)(φ(K)ᵀ1) with the drawn features (prefix sums when
/// `causal`). Estimates softmax(QKᵀ/√d)·V; its largest buffers are the N × width feature matrices.
pub fn performer_attend(
    q: MatRef<'_>,
    k: MatRef<'_>,
    v: MatRef<'_>,
    features: &RandomFeatures,
    causal: bool,
) -> ApproxOutput {
    let (phi_q, phi_k) = (features.queries(q), features.keys(k));
    let mut out = if causal {
        causal_feature_attend(&phi_q, &phi_k, v)
    } else {
        feature_attend(&phi_q, &phi_k, v)
    };
    out.peak_intermediate_len = out.peak_intermediate_len.max(phi_q.data.len()).max(phi_k.data.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::approx::metrics::relative_frobenius;
    use crate::attention::exact::attend;
    use crate::attention::mask::{causal_or_full, Full};
    use crate::attention::rng::normal_matrix;

    #[test]
    fn projection_blocks_are_orthogonal_and_rows_have_chi_norms() {
        let (m, d) = (20, 8);
        let w = orthogonal_gaussian(&mut stream(1, "orf"), m, d);
        // Rows within a block are orthogonal: (W_b W_bᵀ) is diagonal for rows 0..8 and 8..16.
        for block in [0, 8] {
            let b = Matrix::from_view(w.rows_view(block, d));
            let gram = matmul_transb(b.view(), b.view());
            for i in 0..d {
                for j in 0..d {
                    if i != j {
                        let cos = gram.get(i, j) / (gram.get(i, i) * gram.get(j, j)).sqrt();
                        assert!(cos.abs() < 1e-5, "rows {i},{j} of block {block}: cos {cos}");
                    }
                }
            }
        }
        // Mean squared row norm estimates E[χ²_d] = d = 8 (loosely, over 4000 rows).
        let big = orthogonal_gaussian(&mut stream(2, "orf"), 4000, d);
        let mean_sq = big.data.iter().map(|x| x * x).sum::<f32>() / 4000.0;
        assert!((mean_sq - 8.0).abs() < 0.3, "mean squared norm {mean_sq}");
    }

    #[test]
    fn stabiliser_cancels_so_unstabilised_features_give_the_same_attention() {
        // Without the max shifts (and ε), φ(q)·φ(k) is the raw estimate; normalised rows must agree.
        let mut rng = stream(3, "performer-cancel");
        let (n, d) = (16, 4);
        let q = normal_matrix(&mut rng, n, d, 0.5);
        let k = normal_matrix(&mut rng, n, d, 0.5);
        let v = normal_matrix(&mut rng, n, 3, 1.0);
        let f = RandomFeatures::draw(
            d,
            PerformerConfig {
                features: 32,
                kind: FeatureKind::Positive,
                seed: 9,
            },
        );
        let c = (d as f32).powf(-0.25);
        let raw = |x: &Matrix| {
            Matrix::from_fn(n, 32, |i, r| {
                let wx: f32 = f.projection.row(r).iter().zip(x.row(i)).map(|(a, b)| a * b * c).sum();
                let h: f32 = x.row(i).iter().map(|v| 0.5 * c * c * v * v).sum();
                (wx - h).exp() / 32f32.sqrt()
            })
        };
        let expect = feature_attend(&raw(&q), &raw(&k), v.view()).output;
        let got = performer_attend(q.view(), k.view(), v.view(), &f, false).output;
        assert!(got.max_abs_diff(&expect) < 1e-4, "{}", got.max_abs_diff(&expect));
    }

    #[test]
    fn kernel_estimate_is_close_to_exp_of_scaled_dot_product_with_many_features() {
        // Raw (unstabilised) estimate of Σ_j exp(q·k_j/√d) for one query against 8 keys, m = 8192.
        let mut rng = stream(4, "performer-kernel");
        let d = 8;
        let q = normal_matrix(&mut rng, 1, d, 0.4);
        let k = normal_matrix(&mut rng, 8, d, 0.4);
        let f = RandomFeatures::draw(
            d,
            PerformerConfig {
                features: 8192,
                kind: FeatureKind::Positive,
                seed: 5,
            },
        );
        let phi_q = f.queries(q.view());
        let phi_k = f.keys(k.view());
        let est = matmul_transb(phi_q.view(), phi_k.view());
        let exact: Vec<f32> = (0..8)
            .map(|j| (q.row(0).iter().zip(k.row(j)).map(|(a, b)| a * b).sum::<f32>() / (d as f32).sqrt()).exp())
            .collect();
        // Ratios est_j / exact_j share the (cancelling) stabiliser constant: compare normalised rows.
        // Relative std of one estimate ≈ √(e^(‖q′+k′‖²)/m) ≈ √(e^0.9/8192) ≈ 1.7%; allow 5%.
        let (se, sx): (f32, f32) = (est.row(0).iter().sum(), exact.iter().sum());
        for (j, e) in exact.iter().enumerate() {
            let (a, b) = (est.get(0, j) / se, e / sx);
            assert!((a - b).abs() < 0.05 * b, "key {j}: {a} vs {b}");
        }
    }

    #[test]
    fn error_decreases_as_the_number_of_features_grows() {
        // Inputs of std 0.5 (‖q′‖² = 16·0.25/4 = 1): the estimator's relative variance grows like
        // e^(‖q′ + k′‖²)/m, so unit-variance inputs in d = 16 would need far more features.
        let mut rng = stream(6, "performer-m");
        let (n, d) = (64, 16);
        let q = normal_matrix(&mut rng, n, d, 0.5);
        let k = normal_matrix(&mut rng, n, d, 0.5);
        let v = normal_matrix(&mut rng, n, d, 1.0);
        let scale = 1.0 / (d as f32).sqrt();
        for causal in [false, true] {
            let exact = attend(q.view(), k.view(), v.view(), scale, causal_or_full(causal));
            let mean_err: Vec<f32> = [16, 64, 256, 1024]
                .iter()
                .map(|&m| {
                    (0..8)
                        .map(|seed| {
                            let cfg = PerformerConfig {
                                features: m,
                                kind: FeatureKind::Positive,
                                seed,
                            };
                            let f = RandomFeatures::draw(d, cfg);
                            relative_frobenius(
                                &performer_attend(q.view(), k.view(), v.view(), &f, causal).output,
                                &exact,
                            )
                        })
                        .sum::<f32>()
                        / 8.0
                })
                .collect();
            // Monte-Carlo error ∝ 1/√m: each 4× more features should roughly halve it; require 0.75×.
            for w in mean_err.windows(2) {
                assert!(w[1] < 0.75 * w[0], "causal={causal}: errors {mean_err:?}");
            }
        }
    }

    #[test]
    fn trigonometric_features_also_converge_but_from_a_larger_error() {
        let mut rng = stream(7, "performer-trig");
        let (n, d) = (64, 16);
        let q = normal_matrix(&mut rng, n, d, 1.0);
        let k = normal_matrix(&mut rng, n, d, 1.0);
        let v = normal_matrix(&mut rng, n, d, 1.0);
        let exact = attend(q.view(), k.view(), v.view(), 0.25, &Full);
        let err = |kind, m| {
            (0..8)
                .map(|seed| {
                    let f = RandomFeatures::draw(
                        d,
                        PerformerConfig {
                            features: m,
                            kind,
                            seed,
                        },
                    );
                    relative_frobenius(
                        &performer_attend(q.view(), k.view(), v.view(), &f, false).output,
                        &exact,
                    )
                })
                .sum::<f32>()
                / 8.0
        };
        let (trig_small, trig_big) = (
            err(FeatureKind::Trigonometric, 64),
            err(FeatureKind::Trigonometric, 1024),
        );
        let pos_small = err(FeatureKind::Positive, 64);
        assert!(trig_big < trig_small, "trig {trig_small} → {trig_big}");
        assert!(pos_small < trig_small, "positive {pos_small} vs trig {trig_small}");
    }

    #[test]
    fn feature_matrices_are_the_largest_buffers_so_memory_is_n_times_m() {
        let mut rng = stream(8, "performer-mem");
        let (n, d, m) = (300, 8, 32);
        let q = normal_matrix(&mut rng, n, d, 1.0);
        let v = normal_matrix(&mut rng, n, d, 1.0);
        let f = RandomFeatures::draw(
            d,
            PerformerConfig {
                features: m,
                kind: FeatureKind::Positive,
                seed: 0,
            },
        );
        let out = performer_attend(q.view(), q.view(), v.view(), &f, false);
        // φ(Q), φ(K): 300 × 32 = 9600 values; the summary φ(K)ᵀV is only 32 × 8 = 256.
        assert_eq!(out.peak_intermediate_len, n * m);
    }
}
