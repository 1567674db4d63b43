//! The kernels the Speed chapter times, ready to run on seeded inputs: each [`BenchKernel`] with the
//! settings the benchmark uses (the published defaults or the nearest that keeps the cost visible),
//! its inputs prepared untimed ([`Prepared`]), and the FLOPs of one call by the engine's cost
//! formulas (`approx::cost`), from which the view derives achieved GFLOP/s.

use crate::attention::approx::cost::{exact_cost, linear_cost, linformer_cost, performer_cost};
use crate::attention::approx::linear::linear_attend;
use crate::attention::approx::linformer::{linformer_attend, LinformerProjections};
use crate::attention::approx::performer::{performer_attend, FeatureKind, PerformerConfig, RandomFeatures};
use crate::attention::budget::Estimate;
use crate::attention::exact::attend;
use crate::attention::flash::{flash_attend, Tiles};
use crate::attention::mask::causal_or_full;
use crate::attention::matrix::Matrix;
use crate::attention::rng::{normal_matrix, stream};
use crate::attention::sparse::bigbird::{bigbird, BigBirdConfig};
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::kernel::sparse_attend;
use crate::attention::sparse::window::{local_window, Direction};

/// Local window one-sided width w (Longformer uses 256 per side in base; 64 keeps the cost visible).
pub const WINDOW: usize = 64;
/// BigBird block size b = 64 (bigbird-roberta-base `config.json`), 2 global and 3 random blocks.
pub const BIGBIRD_BLOCK: usize = 64;
/// Linformer projected length k = 256 (Wang et al. 2020 report k = 128–256).
pub const LINFORMER_K: usize = 256;
/// Performer random features m = 256 (Choromanski et al. 2021 use m = 256 in most experiments).
pub const PERFORMER_M: usize = 256;
/// The seed of Q, K, V and of the random parts (BigBird blocks, Linformer E/F, Performer W).
pub const SEED: u64 = 7;

/// The kernels the benchmark times, in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BenchKernel {
    /// `exact::attend`: blocked softmax(QKᵀ/√d)·V, 64 query rows per block.
    Exact,
    /// The same exact attention cut into parts for several threads (`split`: causal-balanced row
    /// ranges of the one head); not in [`BenchKernel::ALL`] — the Speed chapter adds it when the
    /// app's Web Workers run the parts ([`Prepared::run`] computes them in turn on one thread).
    ExactWorkers,
    /// `flash::flash_attend`: online softmax over 64 × 64 tiles.
    Flash,
    /// `sparse::kernel::sparse_attend` over a local window of one-sided width w = 64.
    Window,
    /// `sparse::kernel::sparse_attend` over BigBird (b = 64, 2 global, 3 random blocks).
    BigBird,
    /// `approx::linear::linear_attend`, φ = elu + 1, linear order φ(Q)(φ(K)ᵀV).
    Linear,
    /// `approx::linformer::linformer_attend`, Gaussian E, F with k = 256.
    Linformer,
    /// `approx::performer::performer_attend`, FAVOR+ positive orthogonal features, m = 256.
    Performer,
}

impl BenchKernel {
    /// Every kernel, in table order.
    pub const ALL: [BenchKernel; 7] = [
        BenchKernel::Exact,
        BenchKernel::Flash,
        BenchKernel::Window,
        BenchKernel::BigBird,
        BenchKernel::Linear,
        BenchKernel::Linformer,
        BenchKernel::Performer,
    ];

    /// What one call holds and does at length `n`, width `d`: Q, K, V and the output (4·N·d floats),
    /// one 64-row block of scores for the dense kernels (64·N), the pattern's column indices for the
    /// sparse ones (at most N·(2w+1) or N·7b), the projections or features of the others; FLOPs as
    /// [`pair_flops`] over the pairs each computes (N² for the dense kernels).
    pub fn estimate(self, n: usize, d: usize) -> Estimate {
        let (nf, df) = (n as f64, d as f64);
        let (extra, pairs) = match self {
            BenchKernel::Exact | BenchKernel::ExactWorkers | BenchKernel::Flash => (64.0 * nf, nf * nf),
            BenchKernel::Window => (nf * (2 * WINDOW + 1) as f64, nf * (2 * WINDOW + 1) as f64),
            BenchKernel::BigBird => (nf * 7.0 * BIGBIRD_BLOCK as f64, nf * 7.0 * BIGBIRD_BLOCK as f64),
            BenchKernel::Linear => (2.0 * nf * df + df * df, nf * df),
            BenchKernel::Linformer => (2.0 * LINFORMER_K as f64 * (nf + df), nf * LINFORMER_K as f64),
            BenchKernel::Performer => (
                2.0 * nf * PERFORMER_M as f64 + PERFORMER_M as f64 * df,
                nf * PERFORMER_M as f64,
            ),
        };
        Estimate::new(4.0 * nf * df + extra, pair_flops(pairs as usize, d, d))
    }

    /// Whether the kernel has a causal form (Linformer's summary positions mix future tokens: none).
    pub fn supports_causal(self) -> bool {
        self != BenchKernel::Linformer
    }
}

/// FLOPs of softmax attention restricted to `pairs` allowed (query, key) pairs, with the convention
/// of `approx::cost::exact_cost`: per pair 2d (score) + 5 (softmax) + 2d_v (weights·V), so
/// `pair_flops(N², d, d_v)` equals `exact_cost(N, d, d_v).flops`.
pub fn pair_flops(pairs: usize, d: usize, d_v: usize) -> f64 {
    pairs as f64 * (2.0 * (d + d_v) as f64 + 5.0)
}

/// Inputs with the locality of language: query and key i carry a code of position i, random Fourier
/// features of a Gaussian kernel of width `width` tokens (Rahimi & Recht 2007: cos and sin of ω_r·i,
/// ω_r ~ N(0, 1/width²)) scaled by `a`, plus N(0, σ²) noise. Then q_i·k_j ≈ a²·(d/2)·exp(−(i − j)² /
/// (2·width²)) + noise: attention falls off with the distance |i − j|, as most heads of trained
/// models do. V is N(0, 1). Seeded like the benchmark's inputs (`stream(SEED, …)`).
pub fn local_inputs(n: usize, d: usize, width: f32, a: f32, sigma: f32) -> [Matrix; 3] {
    let omega = crate::attention::rng::normal_vec(&mut stream(SEED, "local_omega"), d.div_ceil(2), 1.0 / width);
    let code = |i: usize, c: usize| {
        let angle = i as f32 * omega[c / 2];
        a * if c % 2 == 0 { angle.cos() } else { angle.sin() }
    };
    let mut q = normal_matrix(&mut stream(SEED, "local_q"), n, d, sigma);
    let mut k = normal_matrix(&mut stream(SEED, "local_k"), n, d, sigma);
    for i in 0..n {
        for c in 0..d {
            q.data[i * d + c] += code(i, c);
            k.data[i * d + c] += code(i, c);
        }
    }
    let v = normal_matrix(&mut stream(SEED, "local_v"), n, d, 1.0);
    [q, k, v]
}

/// What one kernel needs besides Q, K, V (built before timing starts, never timed).
enum Setup {
    Dense,
    Sparse(SparsePattern),
    Linear,
    Linformer(LinformerProjections),
    Performer(RandomFeatures),
}

/// One kernel ready to run on seeded inputs of length N: Q, K, V (N × d, N(0, 1) entries from
/// `stream(SEED, "speed_q" | "speed_k" | "speed_v")`) and its pattern or projections.
pub struct Prepared {
    pub kernel: BenchKernel,
    pub n: usize,
    pub d: usize,
    /// Causal form in use (false for Linformer whatever was asked).
    pub causal: bool,
    q: Matrix,
    k: Matrix,
    v: Matrix,
    setup: Setup,
}

impl Prepared {
    /// Draws the inputs and builds the pattern / projections / features of `kernel` at length `n`.
    pub fn new(kernel: BenchKernel, n: usize, d: usize, causal: bool) -> Self {
        let q = normal_matrix(&mut stream(SEED, "speed_q"), n, d, 1.0);
        let k = normal_matrix(&mut stream(SEED, "speed_k"), n, d, 1.0);
        let v = normal_matrix(&mut stream(SEED, "speed_v"), n, d, 1.0);
        Self::with_inputs(kernel, [q, k, v], causal)
    }

    /// `kernel` on given Q, K, V (N × d each, as from [`local_inputs`]).
    pub fn with_inputs(kernel: BenchKernel, [q, k, v]: [Matrix; 3], causal: bool) -> Self {
        let (n, d) = (q.rows, q.cols);
        let causal = causal && kernel.supports_causal();
        let direction = if causal {
            Direction::Causal
        } else {
            Direction::Symmetric
        };
        let setup = match kernel {
            BenchKernel::Exact | BenchKernel::ExactWorkers | BenchKernel::Flash => Setup::Dense,
            BenchKernel::Window => Setup::Sparse(local_window(n, WINDOW, direction).value),
            BenchKernel::BigBird => {
                let config = BigBirdConfig {
                    block: BIGBIRD_BLOCK,
                    ..BigBirdConfig::default()
                };
                let pattern = bigbird(n, &config, SEED, 0).value.pattern;
                Setup::Sparse(if causal { pattern.causal_part() } else { pattern })
            }
            BenchKernel::Linear => Setup::Linear,
            BenchKernel::Linformer => Setup::Linformer(LinformerProjections::gaussian(n, LINFORMER_K.min(n), SEED)),
            BenchKernel::Performer => Setup::Performer(RandomFeatures::draw(
                d,
                PerformerConfig {
                    features: PERFORMER_M,
                    kind: FeatureKind::Positive,
                    seed: SEED,
                },
            )),
        };
        Self {
            kernel,
            n,
            d,
            causal,
            q,
            k,
            v,
            setup,
        }
    }

    /// Q, K, V (N × d each), for a caller that runs the kernel elsewhere (the app's workers).
    pub fn inputs(&self) -> [&Matrix; 3] {
        [&self.q, &self.k, &self.v]
    }

    /// Runs the kernel once and returns its N × d output (what the benchmark times).
    pub fn run(&self) -> Matrix {
        let (q, k, v) = (self.q.view(), self.k.view(), self.v.view());
        let scale = 1.0 / (self.d as f32).sqrt();
        match &self.setup {
            Setup::Dense if self.kernel == BenchKernel::Flash => {
                flash_attend(q, k, v, scale, causal_or_full(self.causal), Tiles::default())
            }
            Setup::Dense if self.kernel == BenchKernel::ExactWorkers => {
                let o = crate::attention::split::attend_split(
                    &self.q.data,
                    &self.k.data,
                    &self.v.data,
                    1,
                    self.d,
                    self.causal,
                    2,
                );
                Matrix {
                    rows: self.n,
                    cols: self.d,
                    data: o,
                }
            }
            Setup::Dense => attend(q, k, v, scale, causal_or_full(self.causal)),
            // The pattern was built for these very Q, K, V, so the shapes always agree.
            Setup::Sparse(p) => sparse_attend(q, k, v, scale, p).unwrap_or_else(|_| Matrix::zeros(self.n, self.d)),
            Setup::Linear => linear_attend(q, k, v, self.causal).output,
            Setup::Linformer(proj) => linformer_attend(q, k, v, scale, proj).attended.output,
            Setup::Performer(features) => performer_attend(q, k, v, features, self.causal).output,
        }
    }

    /// FLOPs of one call by the engine's cost formulas: dense kernels `pair_flops` of the allowed
    /// pairs (N² or N(N+1)/2 causal — the useful work), sparse kernels `pair_flops(nnz)`, linear
    /// attention `linear_cost`, Linformer `linformer_cost` with k = min(256, N), Performer
    /// `performer_cost` (positive features, m = 256).
    pub fn flops(&self) -> f64 {
        let (n, d) = (self.n, self.d);
        match &self.setup {
            Setup::Dense if self.causal => pair_flops(n * (n + 1) / 2, d, d),
            Setup::Dense => exact_cost(n, d, d).flops,
            Setup::Sparse(p) => pair_flops(p.nnz(), d, d),
            Setup::Linear => linear_cost(n, d, d).flops,
            Setup::Linformer(proj) => linformer_cost(n, d, d, proj.k()).flops,
            Setup::Performer(_) => performer_cost(n, d, d, PERFORMER_M, FeatureKind::Positive).flops,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_inputs_make_attention_fall_off_with_distance() {
        let [q, k, _] = local_inputs(64, 64, 4.0, 1.5, 0.0);
        let score = |i: usize, j: usize| (0..64).map(|c| q.get(i, c) * k.get(j, c)).sum::<f32>() / 8.0;
        // Without noise, q_i·k_j depends only on i − j, peaks at 0 and is far lower 30 tokens away.
        assert!((score(10, 13) - score(40, 43)).abs() < 1e-3);
        assert!(
            (score(20, 20) - 1.5f32.powi(2) * 32.0 / 8.0).abs() < 1e-3,
            "a²·(d/2)/√d at i = j"
        );
        assert!(score(20, 20) > score(20, 22) && score(20, 22) > score(20, 50));
        assert!(score(20, 50).abs() < 0.35 * score(20, 20), "far apart: little left");
    }

    #[test]
    fn every_kernel_at_the_largest_benchmark_size_fits_the_budget() {
        for kernel in BenchKernel::ALL {
            let e = kernel.estimate(8192, 128);
            assert!(e.check(String::new).is_ok(), "{kernel:?}: {e:?}");
        }
        assert!(BenchKernel::Exact
            .estimate(1 << 20, 128)
            .check(|| "N ≤ 8192".into())
            .is_err());
    }

    #[test]
    fn pair_flops_of_all_pairs_is_the_exact_cost() {
        // N = 4, d = 2: 16 pairs × (2·(2 + 2) + 5) = 16 × 13 = 208.
        assert_eq!(pair_flops(16, 2, 2), 208.0);
        assert_eq!(pair_flops(1024 * 1024, 64, 64), exact_cost(1024, 64, 64).flops);
    }

    #[test]
    fn prepared_flops_follow_the_cost_formulas() {
        let (n, d) = (256, 16);
        // Window w = 64 symmetric: nnz = N(2w + 1) − w(w + 1) = 256·129 − 64·65 = 33024 − 4160 = 28864.
        let w = Prepared::new(BenchKernel::Window, n, d, false);
        assert_eq!(w.flops(), pair_flops(28_864, d, d));
        // Causal window: N(w + 1) − w(w + 1)/2 = 256·65 − 2080 = 14560.
        assert_eq!(
            Prepared::new(BenchKernel::Window, n, d, true).flops(),
            pair_flops(14_560, d, d)
        );
        // Causal exact: N(N + 1)/2 = 32896 pairs.
        assert_eq!(
            Prepared::new(BenchKernel::Exact, n, d, true).flops(),
            pair_flops(32_896, d, d)
        );
        assert_eq!(
            Prepared::new(BenchKernel::Flash, n, d, false).flops(),
            exact_cost(n, d, d).flops
        );
        assert_eq!(
            Prepared::new(BenchKernel::Linear, n, d, false).flops(),
            linear_cost(n, d, d).flops
        );
        // Linformer at N = 128 < k = 256 uses k = N.
        let lf = Prepared::new(BenchKernel::Linformer, 128, d, true);
        assert!(!lf.causal, "Linformer has no causal form");
        assert_eq!(lf.flops(), linformer_cost(128, d, d, 128).flops);
    }

    #[test]
    fn every_kernel_returns_a_finite_n_by_d_output_and_dense_kernels_agree() {
        let (n, d) = (96, 8);
        for causal in [false, true] {
            let exact = Prepared::new(BenchKernel::Exact, n, d, causal).run();
            for kernel in BenchKernel::ALL {
                let out = Prepared::new(kernel, n, d, causal).run();
                assert_eq!((out.rows, out.cols), (n, d), "{kernel:?}");
                assert!(out.data.iter().all(|x| x.is_finite()), "{kernel:?}");
            }
            let flash = Prepared::new(BenchKernel::Flash, n, d, causal).run();
            assert!(exact.max_abs_diff(&flash) < 1e-5);
        }
    }
}
