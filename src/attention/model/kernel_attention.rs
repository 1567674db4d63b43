//! Causal kernel attention on a block of queries inside the model: linear attention with φ = elu + 1
//! (Katharopoulos, Vyas, Pappas & Fleuret 2020, "Transformers are RNNs") and Performer FAVOR+ with
//! positive orthogonal random features (Choromanski et al. 2021, "Rethinking Attention with
//! Performers"), with the approximation chapter's own feature maps ([`elu_features`],
//! [`RandomFeatures::queries`] / [`RandomFeatures::keys`]).
//!
//! Queries sit at absolute positions p_i = first_pos + i, keys at 0 … n_keys−1 (the cache plus the new
//! tokens). Each query sums over the keys up to its own position:
//!
//!   o_i = Σ_{j ≤ p_i} (φ(q_i)·φ(k_j))·v_j / Σ_{j ≤ p_i} φ(q_i)·φ(k_j)
//!
//! and the weights it implies are A_ij = φ(q_i)·φ(k_j) / Σ_{j′ ≤ p_i} φ(q_i)·φ(k_j′), 0 for j > p_i
//! (rows sum to 1; a row whose sum is 0 or not finite stays 0). Two orders give the same numbers up to
//! rounding:
//! - **quadratic**, A then A·V (n_q·n_keys·(m + d_v)), used when the caller asks for the weights;
//! - **prefix sums**, the recurrent form with its state kept per (layer, K/V head) between calls
//!   ([`super::prefix_state`]), used otherwise: a prompt folds its keys once, and a decode step folds
//!   one key, O(m·d), instead of O(n·m·d).
//!
//! As in the chapter, φ is applied to the raw q and k for linear attention (no 1/√d), and FAVOR+
//! scales them by d^(−1/4) so that φ(q)·φ(k) estimates exp(q·k/√d). Its key stabiliser is the
//! reference's: one shift C = max over the call's keys and features of the projections, so a cached
//! decode step (keys up to its own position) and a full recompute (every key) differ only through
//! the weight of the additive ε = 1e-6 relative to the shifted features. One projection W serves every
//! layer and head.

use crate::attention::approx::linear::elu_features;
use crate::attention::approx::performer::{FeatureKind, PerformerConfig, RandomFeatures, FEATURE_EPSILON};
use crate::attention::matrix::{matmul, matmul_transb, MatRef, Matrix};
use crate::attention::model::hook::HeadCall;
use crate::attention::model::prefix_state::{fingerprint, PrefixState, PrefixStates};

/// Most Performer features (the approximation chapter's bound; the kept state is m·(d_v + 1) floats
/// per K/V head of each layer: 23 MB for SmolLM2's 90 K/V heads at m = 1024).
pub const MAX_FEATURES: usize = 1024;

/// The feature map φ of a kernel attention.
#[derive(Clone, Debug, PartialEq)]
pub enum FeatureMap {
    /// φ(x) = elu(x) + 1, m = d.
    Elu,
    /// FAVOR+ positive random features, m = the projection's rows.
    Favor(RandomFeatures),
}

impl FeatureMap {
    /// FAVOR+ for heads of width d: m features (clamped into 1 ..= [`MAX_FEATURES`]) drawn with `seed`
    /// by [`RandomFeatures::draw`].
    pub fn favor(d: usize, features: usize, seed: u64) -> Self {
        FeatureMap::Favor(RandomFeatures::draw(
            d,
            PerformerConfig {
                features: features.clamp(1, MAX_FEATURES),
                kind: FeatureKind::Positive,
                seed,
            },
        ))
    }

    /// m, the number of features for heads of width d.
    pub fn width(&self, d: usize) -> usize {
        match self {
            FeatureMap::Elu => d,
            FeatureMap::Favor(f) => f.projection.rows,
        }
    }

    /// φ(Q), one row per query (FAVOR+: stabilised per row).
    pub fn queries(&self, q: MatRef<'_>) -> Matrix {
        match self {
            FeatureMap::Elu => elu_features(q),
            FeatureMap::Favor(f) => f.queries(q),
        }
    }

    /// φ(K) over the given keys (FAVOR+: one shift for all of them).
    pub fn keys(&self, k: MatRef<'_>) -> Matrix {
        match self {
            FeatureMap::Elu => elu_features(k),
            FeatureMap::Favor(f) => f.keys(k),
        }
    }

    /// Additive ε inside the features (0 for elu + 1).
    fn epsilon(&self) -> f32 {
        match self {
            FeatureMap::Elu => 0.0,
            FeatureMap::Favor(_) => FEATURE_EPSILON,
        }
    }

    /// e^{a_j − C} of keys `k` (FAVOR+; C raised to cover them) or φ(k_j) (elu + 1; C = 0), one row
    /// per key, as the prefix state folds them. a_jr = d^(−1/4)·w_r·k_j − ½·d^(−1/2)·‖k_j‖² and
    /// C = d^(−1/4)·max w_r·k_j, the stabiliser of [`RandomFeatures::keys`].
    fn key_exponentials(&self, k: MatRef<'_>, state: &mut PrefixState) -> Matrix {
        match self {
            FeatureMap::Elu => {
                state.raise_shift(0.0);
                elu_features(k)
            }
            FeatureMap::Favor(f) => {
                let c = (k.cols as f32).powf(-0.25);
                let wx = matmul_transb(k, f.projection.view());
                let top = wx.data.iter().fold(f32::NEG_INFINITY, |a, b| a.max(*b)) * c;
                state.raise_shift(top);
                let shift = state.shift;
                let half_sq: Vec<f32> = (0..k.rows)
                    .map(|j| 0.5 * c * c * k.row(j).iter().map(|x| x * x).sum::<f32>())
                    .collect();
                Matrix::from_fn(wx.rows, wx.cols, |j, r| (c * wx.get(j, r) - half_sq[j] - shift).exp())
            }
        }
    }
}

/// The implied weights A (n_queries × n_keys) of a call, by the quadratic order (module doc).
pub fn implied_weights(map: &FeatureMap, call: &HeadCall<'_>) -> Matrix {
    let (phi_q, phi_k) = (map.queries(call.q), map.keys(call.k));
    let mut a = matmul_transb(phi_q.view(), phi_k.view());
    for i in 0..a.rows {
        let row = a.row_mut(i);
        row.iter_mut().skip(call.first_pos + i + 1).for_each(|x| *x = 0.0);
        let den: f32 = row.iter().sum();
        if den != 0.0 && den.is_finite() {
            row.iter_mut().for_each(|x| *x /= den);
        } else {
            row.fill(0.0);
        }
    }
    a
}

/// A kernel attention with its per-(layer, K/V head) prefix states.
#[derive(Debug)]
pub struct KernelAttention {
    map: FeatureMap,
    states: PrefixStates,
}

impl KernelAttention {
    /// Kernel attention with feature map `map` and no state yet.
    pub fn new(map: FeatureMap) -> Self {
        Self {
            map,
            states: PrefixStates::default(),
        }
    }

    /// The feature map.
    pub fn map(&self) -> &FeatureMap {
        &self.map
    }

    /// Forgets the kept states (they are rebuilt on the next call).
    pub fn clear_states(&self) {
        self.states.clear();
    }

    /// o_i for every query row into `out` (n_q × d_v); with `weights`, also A (n_q × n_keys).
    pub fn attend(&self, call: &HeadCall<'_>, out: &mut [f32], weights: Option<&mut [f32]>) {
        match weights {
            Some(w) => {
                let a = implied_weights(&self.map, call);
                out.copy_from_slice(&matmul(a.view(), call.v).data);
                w.copy_from_slice(&a.data);
            }
            None => self.attend_by_prefix_sums(call, out),
        }
    }

    /// The prefix-sum order: fold keys up to each query's position, read, fold the rest.
    fn attend_by_prefix_sums(&self, call: &HeadCall<'_>, out: &mut [f32]) {
        let (k, v) = (call.k, call.v);
        let (n_keys, d_v) = (k.rows, v.cols);
        out.fill(0.0);
        if n_keys == 0 {
            return;
        }
        let m = self.map.width(k.cols);
        let phi_q = self.map.queries(call.q);
        let eps = self.map.epsilon();
        // The first query may use keys 0 … first_pos, so a state that folded up to first_pos + 1 keys
        // serves it (the other query heads of a K/V group find the state their first head left).
        let usable = (call.first_pos + 1).min(n_keys);
        self.states
            .with_state((call.layer, call.kv_head), m, k, v, usable, |state| {
                let start = state.folded;
                let features = self.map.key_exponentials(k.rows_range(start, n_keys - start), state);
                let mut next = start;
                for (i, o) in out.chunks_exact_mut(d_v).enumerate() {
                    let last = (call.first_pos + i).min(n_keys - 1);
                    while next <= last {
                        state.fold(features.row(next - start), v.row(next));
                        next += 1;
                    }
                    state.read(phi_q.row(i), eps, o);
                }
                while next < n_keys {
                    state.fold(features.row(next - start), v.row(next));
                    next += 1;
                }
                state.hash = fingerprint(state.hash, k, v, start..n_keys);
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::approx::linear::linear_attend;
    use crate::attention::approx::performer::performer_attend;
    use crate::attention::rng::{normal_matrix, stream};

    fn call<'a>(q: &'a Matrix, k: &'a Matrix, v: &'a Matrix, first_pos: usize, rows: usize) -> HeadCall<'a> {
        HeadCall {
            layer: 0,
            head: 0,
            kv_head: 0,
            q: q.view().rows_range(first_pos, rows),
            k: k.view(),
            v: v.view(),
            first_pos,
            scale: 0.125,
        }
    }

    fn maps(d: usize) -> [FeatureMap; 2] {
        [FeatureMap::Elu, FeatureMap::favor(d, 128, 4)]
    }

    fn name(map: &FeatureMap) -> &'static str {
        match map {
            FeatureMap::Elu => "elu + 1",
            FeatureMap::Favor(_) => "FAVOR+",
        }
    }

    #[test]
    fn both_orders_equal_the_chapter_kernels_on_the_full_sequence() {
        let mut rng = stream(1, "kernel-full");
        let (n, d) = (33, 16);
        let q = normal_matrix(&mut rng, n, d, 0.5);
        let k = normal_matrix(&mut rng, n, d, 0.5);
        let v = normal_matrix(&mut rng, n, d, 1.0);
        for map in maps(d) {
            let want = match &map {
                FeatureMap::Elu => linear_attend(q.view(), k.view(), v.view(), true).output,
                FeatureMap::Favor(f) => performer_attend(q.view(), k.view(), v.view(), f, true).output,
            };
            let hook = KernelAttention::new(map);
            let (mut by_state, mut by_weights, mut w) = (vec![0.0; n * d], vec![0.0; n * d], vec![0.0; n * n]);
            hook.attend(&call(&q, &k, &v, 0, n), &mut by_state, None);
            hook.attend(&call(&q, &k, &v, 0, n), &mut by_weights, Some(&mut w));
            let diff = |a: &[f32]| a.iter().zip(&want.data).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
            assert!(
                diff(&by_state) < 1e-5,
                "{}: prefix sums {}",
                name(hook.map()),
                diff(&by_state)
            );
            assert!(
                diff(&by_weights) < 1e-5,
                "{}: quadratic {}",
                name(hook.map()),
                diff(&by_weights)
            );
            for i in 0..n {
                let row = &w[i * n..(i + 1) * n];
                assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
                assert!(row[i + 1..].iter().all(|x| *x == 0.0) && row[..=i].iter().all(|x| *x > 0.0));
            }
        }
    }

    #[test]
    fn a_block_starting_at_first_pos_gets_the_full_computations_rows() {
        let mut rng = stream(2, "kernel-block");
        let (n, d, p0) = (40, 8, 29);
        let q = normal_matrix(&mut rng, n, d, 0.7);
        let k = normal_matrix(&mut rng, n, d, 0.7);
        let v = normal_matrix(&mut rng, n, 5, 1.0);
        for map in maps(d) {
            let full_hook = KernelAttention::new(map.clone());
            let (mut full, mut wf) = (vec![0.0; n * 5], vec![0.0; n * n]);
            full_hook.attend(&call(&q, &k, &v, 0, n), &mut full, Some(&mut wf));
            // A fresh hook (no state: folds 0..p0 itself), then the same hook again (state reused).
            let hook = KernelAttention::new(map);
            for round in 0..2 {
                let (mut block, mut wb) = (vec![0.0; (n - p0) * 5], vec![0.0; (n - p0) * n]);
                hook.attend(&call(&q, &k, &v, p0, n - p0), &mut block, None);
                let worst = block
                    .iter()
                    .zip(&full[p0 * 5..])
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f32::max);
                assert!(worst < 1e-5, "{} round {round}: {worst}", name(hook.map()));
                hook.attend(&call(&q, &k, &v, p0, n - p0), &mut block, Some(&mut wb));
                let worst = wb
                    .iter()
                    .zip(&wf[p0 * n..])
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f32::max);
                assert!(worst < 1e-6, "implied weights of the block rows differ by {worst}");
            }
        }
    }

    #[test]
    fn decoding_one_query_at_a_time_reuses_the_state_and_matches_the_prompt_rows() {
        let mut rng = stream(3, "kernel-decode");
        let (n, d) = (24, 8);
        let q = normal_matrix(&mut rng, n, d, 0.7);
        let k = normal_matrix(&mut rng, n, d, 0.7);
        let v = normal_matrix(&mut rng, n, 4, 1.0);
        let hook = KernelAttention::new(FeatureMap::Elu);
        let mut full = vec![0.0; n * 4];
        hook.attend(&call(&q, &k, &v, 0, n), &mut full, None);
        let step_hook = KernelAttention::new(FeatureMap::Elu);
        let mut o = vec![0.0; 4];
        for t in 0..n {
            let (kt, vt) = (
                Matrix::from_view(k.rows_view(0, t + 1)),
                Matrix::from_view(v.rows_view(0, t + 1)),
            );
            let c = HeadCall {
                q: q.view().rows_range(t, 1),
                k: kt.view(),
                v: vt.view(),
                ..call(&q, &k, &v, t, 1)
            };
            // The three query heads of K/V head 0, as the forward pass calls them.
            for head in 0..3 {
                step_hook.attend(&HeadCall { head, ..c }, &mut o, None);
                for (a, b) in o.iter().zip(&full[t * 4..]) {
                    assert!((a - b).abs() < 1e-5, "step {t} head {head}: {a} vs {b}");
                }
            }
        }
        // One state, started once and folded one key per step: no head refolded the prefix.
        assert_eq!(step_hook.states.starts(), 1);
        step_hook
            .states
            .with_state((0, 0), d, k.view(), v.view(), n, |s| assert_eq!(s.folded, n));
        assert_eq!(step_hook.states.starts(), 1);
        // Row 0 sees only key 0: its output is v_0 exactly.
        assert!((full[0] - v.get(0, 0)).abs() < 1e-6);
    }
}
