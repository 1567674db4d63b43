//! The curves the approximations view plots: error against Linformer's k and the Performer's m, and
//! the singular-value spectrum of the exact attention matrix (why a low-rank projection can work).
//!
//! All sweeps compare with exact softmax attention at the standard scale 1/√d (the scale the
//! Performer's features estimate), non-causal (Linformer has no causal form). They are sized for the
//! browser: for N ≤ 256 and a handful of points each runs in tens of milliseconds natively.

use crate::attention::approx::implied::linformer_implied;
use crate::attention::approx::linear::{feature_attend, normalised_kernel_matrix};
use crate::attention::approx::linformer::{linformer_attend, LinformerProjections, ProjectionKind};
use crate::attention::approx::metrics::{error_metrics, ErrorMetrics};
use crate::attention::approx::performer::{FeatureKind, PerformerConfig, RandomFeatures};
use crate::attention::exact::{attend, attention_weights};
use crate::attention::mask::causal_or_full;
use crate::attention::matrix::{MatRef, Matrix};

/// Exact attention on the same input: O* = softmax(QKᵀ/√d + M)·V and A* = softmax(QKᵀ/√d + M).
/// The sweeps take the non-causal one.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactReference {
    /// O*, N × d_v.
    pub output: Matrix,
    /// A*, N × N.
    pub weights: Matrix,
}

impl ExactReference {
    /// Computes O* and A* with scale 1/√d, d = q.cols, under the causal mask when `causal`.
    pub fn compute(q: MatRef<'_>, k: MatRef<'_>, v: MatRef<'_>, causal: bool) -> Self {
        let scale = standard_scale(q.cols);
        let mask = causal_or_full(causal);
        Self {
            output: attend(q, k, v, scale, mask),
            weights: attention_weights(q, k, scale, mask),
        }
    }
}

/// The standard softmax scale 1/√d (1 for d = 0).
pub fn standard_scale(d: usize) -> f32 {
    1.0 / (d.max(1) as f32).sqrt()
}

/// One point of an error curve: the parameter value and the errors averaged over seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SweepPoint {
    /// k (Linformer) or m (Performer).
    pub x: usize,
    /// Mean of each metric over the seeds.
    pub mean: ErrorMetrics,
    /// Smallest and largest output error over the seeds (the band a chart can shade).
    pub output_range: (f32, f32),
}

/// Averages metrics over seeds into a point.
fn summarise(x: usize, runs: &[ErrorMetrics]) -> SweepPoint {
    let n = runs.len().max(1) as f32;
    let mean = |f: fn(&ErrorMetrics) -> f32| runs.iter().map(f).sum::<f32>() / n;
    let outputs = runs.iter().map(|r| r.output);
    SweepPoint {
        x,
        mean: ErrorMetrics {
            output: mean(|r| r.output),
            matrix: mean(|r| r.matrix),
            mean_kl: mean(|r| r.mean_kl),
        },
        output_range: (
            outputs.clone().fold(f32::INFINITY, f32::min),
            outputs.fold(f32::NEG_INFINITY, f32::max),
        ),
    }
}

/// Linformer error for each k in `ks` (each clamped to 1 ..= N), averaged over `seeds` (mean pooling
/// is deterministic, so one run suffices for it). An empty `seeds` is treated as `[0]`.
pub fn linformer_sweep(
    q: MatRef<'_>,
    k: MatRef<'_>,
    v: MatRef<'_>,
    exact: &ExactReference,
    kind: ProjectionKind,
    ks: &[usize],
    seeds: &[u64],
) -> Vec<SweepPoint> {
    let seeds = match (kind, seeds) {
        (ProjectionKind::MeanPool, s) => &s[..s.len().min(1)],
        (_, s) => s,
    };
    let seeds: &[u64] = if seeds.is_empty() { &[0] } else { seeds };
    let n = k.rows;
    let scale = standard_scale(q.cols);
    ks.iter()
        .map(|&kk| {
            let kk = kk.clamp(1, n.max(1));
            let runs: Vec<ErrorMetrics> = seeds
                .iter()
                .map(|&seed| {
                    let proj = LinformerProjections::new(kind, n, kk, seed);
                    let out = linformer_attend(q, k, v, scale, &proj);
                    let implied = linformer_implied(&out.weights, &proj);
                    error_metrics(&exact.output, &exact.weights, &out.attended.output, &implied)
                })
                .collect();
            summarise(kk, &runs)
        })
        .collect()
}

/// Performer error for each m in `ms` (clamped to ≥ 1), averaged over `seeds` (each a redraw of W).
/// An empty `seeds` is treated as `[0]`.
pub fn performer_sweep(
    q: MatRef<'_>,
    k: MatRef<'_>,
    v: MatRef<'_>,
    exact: &ExactReference,
    kind: FeatureKind,
    ms: &[usize],
    seeds: &[u64],
) -> Vec<SweepPoint> {
    let seeds: &[u64] = if seeds.is_empty() { &[0] } else { seeds };
    ms.iter()
        .map(|&m| {
            let m = m.max(1);
            let runs: Vec<ErrorMetrics> = seeds
                .iter()
                .map(|&seed| {
                    let f = RandomFeatures::draw(
                        q.cols,
                        PerformerConfig {
                            features: m,
                            kind,
                            seed,
                        },
                    );
                    // performer_attend and performer_implied, sharing one computation of the features.
                    let (phi_q, phi_k) = (f.queries(q), f.keys(k));
                    let out = feature_attend(&phi_q, &phi_k, v);
                    let implied = normalised_kernel_matrix(&phi_q, &phi_k, false);
                    error_metrics(&exact.output, &exact.weights, &out.output, &implied)
                })
                .collect();
            summarise(m, &runs)
        })
        .collect()
}

/// Singular values σ₁ ≥ σ₂ ≥ … of a matrix and the cumulative energy Σ_{i≤r} σ_i² / Σ_i σ_i².
#[derive(Clone, Debug, PartialEq)]
pub struct Spectrum {
    /// σ₁ ≥ σ₂ ≥ … ≥ 0.
    pub singular_values: Vec<f32>,
    /// Entry r − 1 is the fraction of ‖A‖_F² captured by the best rank-r approximation
    /// (Eckart–Young); the last entry is 1 (or 0 for a zero matrix).
    pub cumulative_energy: Vec<f32>,
}

impl Spectrum {
    /// The smallest rank r whose cumulative energy reaches `fraction` (clamped to 0 ..= 1).
    pub fn rank_for_energy(&self, fraction: f32) -> usize {
        let f = fraction.clamp(0.0, 1.0);
        self.cumulative_energy
            .iter()
            .position(|e| *e >= f - 1e-6)
            .map_or(self.cumulative_energy.len(), |i| i + 1)
    }
}

/// The spectrum of `a` by nalgebra's SVD (values only), sorted descending.
pub fn spectrum(a: &Matrix) -> Spectrum {
    if a.rows == 0 || a.cols == 0 {
        return Spectrum {
            singular_values: Vec::new(),
            cumulative_energy: Vec::new(),
        };
    }
    let mut sv: Vec<f32> = a.to_nalgebra().singular_values().iter().copied().collect();
    sv.sort_by(|x, y| y.total_cmp(x));
    let total: f64 = sv.iter().map(|s| (*s as f64).powi(2)).sum();
    let mut acc = 0.0f64;
    let cumulative_energy = sv
        .iter()
        .map(|s| {
            acc += (*s as f64).powi(2);
            if total > 0.0 {
                (acc / total) as f32
            } else {
                0.0
            }
        })
        .collect();
    Spectrum {
        singular_values: sv,
        cumulative_energy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::rng::{normal_matrix, stream};

    #[test]
    fn spectrum_of_a_diagonal_matrix_by_hand() {
        // diag(1, 3, 2): σ = (3, 2, 1), energy 9/14, 13/14, 1; 90% needs rank 2.
        let a = Matrix::from_fn(3, 3, |i, j| if i == j { [1.0, 3.0, 2.0][i] } else { 0.0 });
        let s = spectrum(&a);
        for (got, want) in s.singular_values.iter().zip([3.0, 2.0, 1.0]) {
            assert!((got - want).abs() < 1e-5);
        }
        for (got, want) in s.cumulative_energy.iter().zip([9.0 / 14.0, 13.0 / 14.0, 1.0]) {
            assert!((got - want).abs() < 1e-5);
        }
        assert_eq!(s.rank_for_energy(0.9), 2);
        assert_eq!(s.rank_for_energy(0.5), 1);
        assert_eq!(s.rank_for_energy(1.0), 3);
    }

    #[test]
    fn linformer_error_vanishes_at_k_equal_n_for_mean_pooling_and_falls_with_k() {
        // Mean pooling with k = N is the identity, so the error is zero up to rounding.
        let mut rng = stream(1, "sweep-linformer");
        let (n, d) = (48, 8);
        let q = normal_matrix(&mut rng, n, d, 1.0);
        let k = normal_matrix(&mut rng, n, d, 1.0);
        let v = normal_matrix(&mut rng, n, d, 1.0);
        let exact = ExactReference::compute(q.view(), k.view(), v.view(), false);
        let pts = linformer_sweep(
            q.view(),
            k.view(),
            v.view(),
            &exact,
            ProjectionKind::MeanPool,
            &[4, 48, 99],
            &[5, 6],
        );
        assert_eq!(pts.iter().map(|p| p.x).collect::<Vec<_>>(), vec![4, 48, 48]);
        assert!(pts[1].mean.output < 1e-5 && pts[1].mean.matrix < 1e-5 && pts[1].mean.mean_kl < 1e-5);
        assert!(pts[0].mean.output > 0.05);
        let g = linformer_sweep(
            q.view(),
            k.view(),
            v.view(),
            &exact,
            ProjectionKind::Gaussian,
            &[4, 16, 48],
            &[0, 1, 2, 3],
        );
        assert!(g[2].mean.output < g[0].mean.output, "{g:?}");
        assert!(g[0].output_range.0 <= g[0].mean.output && g[0].mean.output <= g[0].output_range.1);
    }

    #[test]
    fn performer_positive_features_beat_trigonometric_ones_on_average() {
        let mut rng = stream(2, "sweep-performer");
        let (n, d) = (64, 16);
        let q = normal_matrix(&mut rng, n, d, 1.0);
        let k = normal_matrix(&mut rng, n, d, 1.0);
        let v = normal_matrix(&mut rng, n, d, 1.0);
        let exact = ExactReference::compute(q.view(), k.view(), v.view(), false);
        let seeds = [0, 1, 2, 3];
        let pos = performer_sweep(
            q.view(),
            k.view(),
            v.view(),
            &exact,
            FeatureKind::Positive,
            &[16, 256],
            &seeds,
        );
        let trig = performer_sweep(
            q.view(),
            k.view(),
            v.view(),
            &exact,
            FeatureKind::Trigonometric,
            &[16, 256],
            &seeds,
        );
        assert!(pos[1].mean.output < pos[0].mean.output);
        assert!(pos[1].mean.matrix < pos[0].mean.matrix);
        assert!(pos[0].mean.output < trig[0].mean.output, "{pos:?} {trig:?}");
    }
}
