//! The kernels the Speed chapter times, ready to run on seeded inputs: each [`BenchKernel`] with the
//! settings the benchmark uses (the published defaults or the nearest that keeps the cost visible),
//! its inputs prepared untimed ([`Prepared`]), and the FLOPs of one call by the engine's cost
//! formulas (`approx::cost`), from which the view derives achieved GFLOP/s.
//!
//! What is timed is one call of the method as a model would make it: a fixed pattern (window,
//! strided, BigBird) and drawn parameters (Linformer's E, F, Performer's W, the Synthesizer's and the
//! mixer's weights) are built beforehand, but the data-dependent patterns of Reformer LSH and Sinkhorn
//! are part of every call (hashing, sorting and the CSR build; block means, sort net, Sinkhorn
//! iterations and the CSR build), because a model builds them anew for every input.

use crate::attention::approx::cost::{
    exact_cost, linear_cost, linformer_cost, mixer_cost, performer_cost, synthesizer_cost,
};
use crate::attention::approx::linear::linear_attend;
use crate::attention::approx::linformer::{linformer_attend, LinformerProjections};
use crate::attention::approx::mixer::TokenMixer;
use crate::attention::approx::performer::{performer_attend, FeatureKind, PerformerConfig, RandomFeatures};
use crate::attention::approx::synthesizer::{Synthesizer, SynthesizerConfig, SynthesizerKind};
use crate::attention::budget::Estimate;
use crate::attention::exact::attend;
use crate::attention::flash::{flash_attend, Tiles};
use crate::attention::mask::causal_or_full;
use crate::attention::matrix::{MatRef, Matrix};
use crate::attention::rng::{normal_matrix, stream};
use crate::attention::sparse::bigbird::{bigbird, BigBirdConfig};
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::kernel::sparse_attend;
use crate::attention::sparse::lsh::{lsh_attention, unit_rows, LshConfig};
use crate::attention::sparse::sinkhorn::{sinkhorn_attention, SinkhornConfig};
use crate::attention::sparse::strided::strided;
use crate::attention::sparse::window::{local_window, Direction};

/// Local window one-sided width w (Longformer uses 256 per side in base; 64 keeps the cost visible).
pub const WINDOW: usize = 64;
/// Sparse Transformer stride s = 128 (Child et al. 2019 use ℓ = 128 for their long image and text
/// sequences and choose ℓ ≈ √N): row i sees the previous s − 1 tokens and every s-th one, so a row
/// holds ≈ 2s − 1 + N/s keys — about 2s at N ≤ 8192, with an N²/s term that grows.
pub const STRIDE: usize = 128;
/// BigBird block size b = 64 (bigbird-roberta-base `config.json`), 2 global and 3 random blocks.
pub const BIGBIRD_BLOCK: usize = 64;
/// Reformer LSH chunk length c = 64 (Kitaev et al. 2020, §5, enwik8: chunk 64; the engine's
/// `LshConfig`), with about N / c buckets ([`lsh_buckets`]) …
pub const LSH_CHUNK: usize = 64;
/// … and 2 hash rounds (the paper sweeps 1–8 rounds; 2 is its cheapest multi-round setting).
pub const LSH_HASHES: usize = 2;
/// Sinkhorn block size b = 64 (Tay et al. 2020 use blocks of 16–64 tokens; 64 as BigBird's), with
/// the engine's `SinkhornConfig` defaults otherwise: sort net h = 16, k = 5 iterations, τ = 0.75.
pub const SINKHORN_BLOCK: usize = 64;
/// Token-mixing hidden width h = 256 (MLP-Mixer S/16's D_S = 256, Tolstikhin et al. 2021, Table 1).
/// Held fixed, so the mixer is linear in N here (MLP-Mixer ties h to the token count).
pub const MIXER_HIDDEN: usize = 256;
/// Linformer projected length k = 256 (Wang et al. 2020 report k = 128–256).
pub const LINFORMER_K: usize = 256;
/// Performer random features m = 256 (Choromanski et al. 2021 use m = 256 in most experiments).
pub const PERFORMER_M: usize = 256;
/// The seed of Q, K, V and of the random parts (BigBird blocks, Linformer E/F, Performer W, LSH
/// rotations, the Sinkhorn sort net, the Synthesizer's and the mixer's weights).
pub const SEED: u64 = 7;

/// LSH buckets at length N: N / [`LSH_CHUNK`] rounded to an even number, at least 2 (about one
/// chunk per bucket, as `LshConfig` documents for Reformer).
pub fn lsh_buckets(n: usize) -> usize {
    (n / LSH_CHUNK).div_ceil(2).max(1) * 2
}

/// Synthesizer hidden width h = d: the dense Synthesizer's F(x) = W₂·relu(W₁x) has W₁ ∈ R^{d×d}
/// (Tay et al. 2021, §3.1).
pub fn synthesizer_hidden(d: usize) -> usize {
    d.max(1)
}

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
    /// `sparse::kernel::sparse_attend` over the Sparse Transformer's strided pattern, s = 128.
    Strided,
    /// `sparse::kernel::sparse_attend` over BigBird (b = 64, 2 global, 3 random blocks).
    BigBird,
    /// Reformer: `sparse::lsh::lsh_attention` (shared QK, c = 64, ≈ N/64 buckets, 2 rounds) then
    /// `sparse_attend` with the unit-normalised queries as keys; the hashing is timed.
    Lsh,
    /// Sparse Sinkhorn: `sparse::sinkhorn::sinkhorn_attention` (b = 64) then `sparse_attend`; the
    /// sort net and the Sinkhorn iterations are timed.
    Sinkhorn,
    /// `approx::linear::linear_attend`, φ = elu + 1, linear order φ(Q)(φ(K)ᵀV).
    Linear,
    /// `approx::linformer::linformer_attend`, Gaussian E, F with k = 256.
    Linformer,
    /// `approx::performer::performer_attend`, FAVOR+ positive orthogonal features, m = 256.
    Performer,
    /// `approx::synthesizer::Synthesizer::attend`, dense variant (h = d, X = Q): softmax(L)·V with
    /// an N × N logit matrix predicted token by token; seeded weights.
    Synthesizer,
    /// `approx::mixer::TokenMixer::mix` on V, h = 256: Y = W₂·gelu(W₁·V); seeded weights.
    Mixer,
}

impl BenchKernel {
    /// Every kernel, in table order (the lectures' order: dense, sparse, then linear-time and learned).
    pub const ALL: [BenchKernel; 12] = [
        BenchKernel::Exact,
        BenchKernel::Flash,
        BenchKernel::Window,
        BenchKernel::Strided,
        BenchKernel::BigBird,
        BenchKernel::Lsh,
        BenchKernel::Sinkhorn,
        BenchKernel::Linear,
        BenchKernel::Linformer,
        BenchKernel::Performer,
        BenchKernel::Synthesizer,
        BenchKernel::Mixer,
    ];

    /// Bytes one call allocates at length `n`, width `d` (inputs and prepared parts excluded; what
    /// the page's counting allocator measures), by the kernels' own buffers: the N × d output; exact
    /// attention one 64-row block of scores (64·N), flash one 64 × 64 tile and 64 (max, sum) pairs;
    /// the fixed sparse ones one row of weights;
    /// linear attention φ(Q), φ(K) (2Nd) and KᵀV (d²); Linformer EK, FV (2kd) and its N × k weights;
    /// Performer φ(Q), φ(K) and one W·x product at a time (3Nm) and φ(K)ᵀV (md); LSH per round the rotation (d·n_b/2),
    /// projections (N·n_b/2) and three index vectors (3N), the shared keys (Nd) and the CSR
    /// (≤ N·rounds·2c indices); Sinkhorn the block means, sort net and k + 2 N_b × N_b iterates
    /// (N_b = ⌈N/b⌉) and the CSR (≤ 2bN indices); the Synthesizer its N × N logits and N × h hidden
    /// layer; the mixer its two h × d hidden layers. An index is a `usize` (4 bytes on wasm32). Not
    /// counted: the packing buffers of the matrix products (`matrixmultiply`, up to a few hundred KiB).
    pub fn call_bytes(self, n: usize, d: usize) -> f64 {
        let (nf, df) = (n as f64, d as f64);
        let index = std::mem::size_of::<usize>() as f64;
        let out = nf * df;
        let floats = |f: f64| 4.0 * f;
        match self {
            BenchKernel::Exact | BenchKernel::ExactWorkers => floats(out + 64.0 * nf),
            // One 64 × 64 tile of scores and the 64 rows' running (max, sum).
            BenchKernel::Flash => floats(out + 64.0 * 64.0 + 2.0 * 64.0),
            BenchKernel::Window => floats(out + (2 * WINDOW + 1) as f64),
            BenchKernel::Strided => floats(out + (2 * STRIDE) as f64 + nf / STRIDE as f64),
            BenchKernel::BigBird => floats(out + 8.0 * BIGBIRD_BLOCK as f64),
            BenchKernel::Lsh => {
                let half = (lsh_buckets(n) / 2) as f64;
                let rounds = LSH_HASHES as f64;
                let csr = nf * rounds * 2.0 * LSH_CHUNK as f64 + nf + 1.0;
                floats(out + nf * df + rounds * (df * half + nf * half)) + index * (rounds * 3.0 * nf + csr)
            }
            BenchKernel::Sinkhorn => {
                let nb = n.div_ceil(SINKHORN_BLOCK) as f64;
                let cfg = SinkhornConfig::default();
                let (h, k) = (cfg.hidden as f64, cfg.iterations as f64);
                let net = nb * df + df * h + h * nb + nb * h + 3.0 * nb * nb;
                let iterates = (k + 1.0) * nb * nb + 2.0 * nb * nb;
                floats(out + net + iterates) + index * (2.0 * SINKHORN_BLOCK as f64 * nf + nf + 1.0)
            }
            BenchKernel::Linear => floats(out + 2.0 * nf * df + df * df),
            BenchKernel::Linformer => {
                let k = LINFORMER_K.min(n) as f64;
                floats(out + 2.0 * k * df + nf * k)
            }
            BenchKernel::Performer => {
                let m = PERFORMER_M as f64;
                floats(out + 3.0 * nf * m + m * df)
            }
            BenchKernel::Synthesizer => floats(out + nf * nf + nf * synthesizer_hidden(d) as f64),
            BenchKernel::Mixer => floats(out + 2.0 * MIXER_HIDDEN as f64 * df),
        }
    }

    /// Bytes the prepared kernel holds besides Q, K, V, built before timing: the fixed sparse
    /// patterns (their nnz indices and N + 1 row starts), Linformer's E, F (2kN), Performer's W
    /// (md), the Synthesizer's W₁, W₂ (d·h + h·N), the mixer's W₁, W₂ (2hN).
    pub fn prepared_bytes(self, n: usize, d: usize) -> f64 {
        let (nf, df) = (n as f64, d as f64);
        let index = std::mem::size_of::<usize>() as f64;
        let csr = |per_row: f64| index * (nf * per_row.min(nf) + nf + 1.0);
        match self {
            BenchKernel::Exact | BenchKernel::ExactWorkers | BenchKernel::Flash => 0.0,
            BenchKernel::Lsh | BenchKernel::Sinkhorn | BenchKernel::Linear => 0.0,
            BenchKernel::Window => csr((2 * WINDOW + 1) as f64),
            BenchKernel::Strided => csr((2 * STRIDE - 1) as f64 + nf / STRIDE as f64 + 1.0),
            BenchKernel::BigBird => csr(7.0 * BIGBIRD_BLOCK as f64),
            BenchKernel::Linformer => 4.0 * 2.0 * LINFORMER_K.min(n) as f64 * nf,
            BenchKernel::Performer => 4.0 * PERFORMER_M as f64 * df,
            BenchKernel::Synthesizer => {
                let h = synthesizer_hidden(d) as f64;
                4.0 * (df * h + h * nf)
            }
            BenchKernel::Mixer => 4.0 * 2.0 * MIXER_HIDDEN as f64 * nf,
        }
    }

    /// What one prepared kernel holds and does at length `n`, width `d`: Q, K, V (3·N·d floats),
    /// [`BenchKernel::prepared_bytes`] and [`BenchKernel::call_bytes`]; FLOPs as [`pair_flops`] over
    /// the pairs each computes (N² for the dense kernels, at most N(2w+1), N(2s + N/s), 7bN,
    /// 2·rounds·c·N or 2bN for the sparse ones), the cost formulas of `approx::cost` for the others.
    pub fn estimate(self, n: usize, d: usize) -> Estimate {
        let (nf, df) = (n as f64, d as f64);
        let flops = match self {
            BenchKernel::Exact | BenchKernel::ExactWorkers | BenchKernel::Flash => pair_flops(n * n, d, d),
            BenchKernel::Window => pair_flops(n * (2 * WINDOW + 1), d, d),
            BenchKernel::Strided => pair_flops(n * (2 * STRIDE + n / STRIDE), d, d),
            BenchKernel::BigBird => pair_flops(n * 7 * BIGBIRD_BLOCK, d, d),
            BenchKernel::Lsh => pair_flops(n * LSH_HASHES * 2 * LSH_CHUNK, d, d) + lsh_hash_flops(n, d),
            BenchKernel::Sinkhorn => pair_flops(n * 2 * SINKHORN_BLOCK, d, d) + sinkhorn_sort_flops(n, d),
            BenchKernel::Linear => linear_cost(n, d, d).flops,
            BenchKernel::Linformer => linformer_cost(n, d, d, LINFORMER_K.min(n)).flops,
            BenchKernel::Performer => performer_cost(n, d, d, PERFORMER_M, FeatureKind::Positive).flops,
            BenchKernel::Synthesizer => synthesizer_flops(n, d),
            BenchKernel::Mixer => mixer_cost(n, d, MIXER_HIDDEN).flops,
        };
        let bytes = 4.0 * 3.0 * nf * df + self.prepared_bytes(n, d) + self.call_bytes(n, d);
        Estimate::new(bytes / 4.0, flops)
    }

    /// Whether the kernel has a causal form: not Linformer (its summary positions mix future
    /// tokens), not Sinkhorn (a block's sorted partner may lie in the future; the engine builds the
    /// bidirectional form), not the Synthesizer or the mixer (bidirectional as built in `approx`).
    pub fn supports_causal(self) -> bool {
        !matches!(
            self,
            BenchKernel::Linformer | BenchKernel::Sinkhorn | BenchKernel::Synthesizer | BenchKernel::Mixer
        )
    }
}

/// FLOPs of LSH's hashing at length `n`, width `d`: the shared keys' norms and division (3Nd) and,
/// per round, the projection x·R (2·N·d·n_b/2) and the argmax over ±xR (n_b per token).
pub fn lsh_hash_flops(n: usize, d: usize) -> f64 {
    let (nf, df, nb) = (n as f64, d as f64, lsh_buckets(n) as f64);
    3.0 * nf * df + LSH_HASHES as f64 * (nf * df * nb + nf * nb)
}

/// FLOPs of Sinkhorn's sorting at length `n`, width `d` with N_b = ⌈N/b⌉ blocks: block means (Nd),
/// the sort net relu(M·W₁)·W₂ (2·N_b·d·h + N_b·h + 2·N_b·h·N_b), standardising (4·N_b²), S⁰ = R/τ
/// (N_b²) and k iterations of row and column log-sum-exp (each entry twice, ≈ 3 operations each:
/// 6·k·N_b²).
pub fn sinkhorn_sort_flops(n: usize, d: usize) -> f64 {
    let cfg = SinkhornConfig::default();
    let (nf, df, nb) = (n as f64, d as f64, n.div_ceil(SINKHORN_BLOCK) as f64);
    let (h, k) = (cfg.hidden as f64, cfg.iterations as f64);
    nf * df + 2.0 * nb * df * h + nb * h + 2.0 * nb * h * nb + 5.0 * nb * nb + 6.0 * k * nb * nb
}

/// FLOPs of the dense Synthesizer at length `n`, width `d`, h = d (`approx::cost::synthesizer_cost`).
pub fn synthesizer_flops(n: usize, d: usize) -> f64 {
    let h = synthesizer_hidden(d);
    synthesizer_cost(n, d, d, SynthesizerKind::Dense, h, 1, n).flops
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
    /// The LSH configuration at this N and the nnz of the pattern it builds (for the FLOPs; the
    /// pattern itself is rebuilt in every timed call).
    Lsh(LshConfig, usize),
    /// The nnz of the Sinkhorn pattern (rebuilt in every timed call).
    Sinkhorn(usize),
    Linear,
    Linformer(LinformerProjections),
    Performer(RandomFeatures),
    Synthesizer(Synthesizer),
    Mixer(TokenMixer),
}

/// The Sinkhorn configuration of the benchmark: b = [`SINKHORN_BLOCK`], the rest the engine's defaults.
fn sinkhorn_config() -> SinkhornConfig {
    SinkhornConfig {
        block: SINKHORN_BLOCK,
        ..SinkhornConfig::default()
    }
}

/// Reformer LSH attention as one call: hash the queries and build the pattern
/// (`sparse::lsh::lsh_attention`), then attend with the unit-normalised queries as keys (shared QK,
/// as the Sparse chapter does).
pub fn lsh_attend(q: MatRef<'_>, v: MatRef<'_>, scale: f32, config: &LshConfig) -> Matrix {
    let keys = unit_rows(q);
    let pattern = lsh_attention(q, config, SEED).value.pattern;
    sparse_attend(q, keys.view(), v, scale, &pattern).unwrap_or_else(|_| Matrix::zeros(q.rows, v.cols))
}

/// Sparse Sinkhorn attention as one call: the pattern from the queries (`sinkhorn_attention`, seeded
/// sort net), then `sparse_attend` over it.
pub fn sinkhorn_attend(q: MatRef<'_>, k: MatRef<'_>, v: MatRef<'_>, scale: f32) -> Matrix {
    let pattern = sinkhorn_attention(q, &sinkhorn_config(), SEED).value.pattern;
    sparse_attend(q, k, v, scale, &pattern).unwrap_or_else(|_| Matrix::zeros(q.rows, v.cols))
}

/// One kernel ready to run on seeded inputs of length N: Q, K, V (N × d, N(0, 1) entries from
/// `stream(SEED, "speed_q" | "speed_k" | "speed_v")`) and its pattern or projections.
pub struct Prepared {
    pub kernel: BenchKernel,
    pub n: usize,
    pub d: usize,
    /// Causal form in use (false for the kernels without one whatever was asked).
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
            BenchKernel::Strided => Setup::Sparse(strided(n, STRIDE, causal).value),
            BenchKernel::BigBird => {
                let config = BigBirdConfig {
                    block: BIGBIRD_BLOCK,
                    ..BigBirdConfig::default()
                };
                let pattern = bigbird(n, &config, SEED, 0).value.pattern;
                Setup::Sparse(if causal { pattern.causal_part() } else { pattern })
            }
            BenchKernel::Lsh => {
                let config = LshConfig {
                    n_buckets: lsh_buckets(n),
                    n_hashes: LSH_HASHES,
                    chunk: LSH_CHUNK,
                    causal,
                };
                let nnz = lsh_attention(q.view(), &config, SEED).value.pattern.nnz();
                Setup::Lsh(config, nnz)
            }
            BenchKernel::Sinkhorn => Setup::Sinkhorn(
                sinkhorn_attention(q.view(), &sinkhorn_config(), SEED)
                    .value
                    .pattern
                    .nnz(),
            ),
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
            BenchKernel::Synthesizer => Setup::Synthesizer(Synthesizer::draw(
                d,
                SynthesizerConfig {
                    kind: SynthesizerKind::Dense,
                    max_len: n,
                    hidden: synthesizer_hidden(d),
                    rank: 1,
                    seed: SEED,
                },
            )),
            BenchKernel::Mixer => Setup::Mixer(TokenMixer::draw(n, MIXER_HIDDEN, SEED)),
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
            Setup::Lsh(config, _) => lsh_attend(q, v, scale, config),
            Setup::Sinkhorn(_) => sinkhorn_attend(q, k, v, scale),
            // The weights were drawn for exactly N positions, so N never exceeds them.
            Setup::Synthesizer(synth) => synth
                .attend(q, v)
                .map(|o| o.attended.output)
                .unwrap_or_else(|_| Matrix::zeros(self.n, self.d)),
            Setup::Mixer(mixer) => mixer
                .mix(v)
                .map(|o| o.output)
                .unwrap_or_else(|_| Matrix::zeros(self.n, self.d)),
        }
    }

    /// FLOPs of one call by the engine's cost formulas: dense kernels `pair_flops` of the allowed
    /// pairs (N² or N(N+1)/2 causal — the useful work), sparse kernels `pair_flops(nnz)` (LSH plus
    /// [`lsh_hash_flops`], Sinkhorn plus [`sinkhorn_sort_flops`]: their pattern is built in the
    /// call), linear attention `linear_cost`, Linformer `linformer_cost` with k = min(256, N),
    /// Performer `performer_cost` (positive features, m = 256), the Synthesizer
    /// [`synthesizer_flops`], the mixer `mixer_cost` with h = 256.
    pub fn flops(&self) -> f64 {
        let (n, d) = (self.n, self.d);
        match &self.setup {
            Setup::Dense if self.causal => pair_flops(n * (n + 1) / 2, d, d),
            Setup::Dense => exact_cost(n, d, d).flops,
            Setup::Sparse(p) => pair_flops(p.nnz(), d, d),
            Setup::Lsh(_, nnz) => pair_flops(*nnz, d, d) + lsh_hash_flops(n, d),
            Setup::Sinkhorn(nnz) => pair_flops(*nnz, d, d) + sinkhorn_sort_flops(n, d),
            Setup::Linear => linear_cost(n, d, d).flops,
            Setup::Linformer(proj) => linformer_cost(n, d, d, proj.k()).flops,
            Setup::Performer(_) => performer_cost(n, d, d, PERFORMER_M, FeatureKind::Positive).flops,
            Setup::Synthesizer(_) => synthesizer_flops(n, d),
            Setup::Mixer(_) => mixer_cost(n, d, MIXER_HIDDEN).flops,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::approx::method::{ApproxMethod, HeadInput};
    use crate::attention::mask::DenseMask;

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
            assert_eq!(BenchKernel::ALL.len(), 12);
            for kernel in BenchKernel::ALL {
                let out = Prepared::new(kernel, n, d, causal).run();
                assert_eq!((out.rows, out.cols), (n, d), "{kernel:?}");
                assert!(out.data.iter().all(|x| x.is_finite()), "{kernel:?}");
            }
            let flash = Prepared::new(BenchKernel::Flash, n, d, causal).run();
            assert!(exact.max_abs_diff(&flash) < 1e-5);
        }
    }

    /// Dense masked attention softmax(QKᵀ/√d + M)·V over the pairs of `p`, computed by
    /// `exact::attend` (the independent path the sparse bench kernels are checked against).
    fn masked_exact(q: &Matrix, k: &Matrix, v: &Matrix, p: &SparsePattern) -> Matrix {
        let n = q.rows;
        let mask = DenseMask {
            n_queries: n,
            n_keys: n,
            allowed: (0..n * n).map(|t| p.contains(t / n, t % n)).collect(),
        };
        attend(q.view(), k.view(), v.view(), 1.0 / (q.cols as f32).sqrt(), &mask)
    }

    fn seeded(n: usize, d: usize) -> [Matrix; 3] {
        ["speed_q", "speed_k", "speed_v"].map(|label| normal_matrix(&mut stream(SEED, label), n, d, 1.0))
    }

    #[test]
    fn strided_bench_kernel_is_exact_attention_under_the_strided_mask() {
        let (n, d) = (300, 8);
        let [q, k, v] = seeded(n, d);
        for causal in [false, true] {
            let out = Prepared::new(BenchKernel::Strided, n, d, causal).run();
            // The mask by its predicate (Child et al. 2019 §4.2), not by the engine's generator.
            let mask = SparsePattern::from_row_fn(n, n, |i, row| {
                row.extend((0..n).filter(|&j| {
                    let gap = i.abs_diff(j);
                    (gap < STRIDE || gap % STRIDE == 0) && (!causal || j <= i)
                }))
            });
            let expect = masked_exact(&q, &k, &v, &mask);
            assert!(
                out.max_abs_diff(&expect) < 1e-5,
                "causal {causal}: {}",
                out.max_abs_diff(&expect)
            );
        }
    }

    #[test]
    fn lsh_and_sinkhorn_bench_kernels_are_exact_attention_under_their_own_patterns() {
        let (n, d) = (256, 8);
        let [q, k, v] = seeded(n, d);
        // LSH: shared QK, keys are the queries scaled to unit length.
        let keys = Matrix::from_fn(n, d, |i, c| {
            let norm = (0..d).map(|c| q.get(i, c).powi(2)).sum::<f32>().sqrt();
            q.get(i, c) / norm
        });
        for causal in [false, true] {
            let config = LshConfig {
                n_buckets: lsh_buckets(n),
                n_hashes: LSH_HASHES,
                chunk: LSH_CHUNK,
                causal,
            };
            let pattern = lsh_attention(q.view(), &config, SEED).value.pattern;
            assert_eq!(pattern.is_causal(), causal, "future keys only without the causal form");
            let out = Prepared::new(BenchKernel::Lsh, n, d, causal).run();
            let expect = masked_exact(&q, &keys, &v, &pattern);
            assert!(out.max_abs_diff(&expect) < 1e-5, "LSH causal {causal}");
        }
        let pattern = sinkhorn_attention(q.view(), &sinkhorn_config(), SEED).value.pattern;
        // 4 blocks of 64: each row sees its block and its partner's, 64 or 128 keys.
        assert!((0..n).all(|i| [64, 128].contains(&pattern.row_len(i))));
        let out = Prepared::new(BenchKernel::Sinkhorn, n, d, true).run();
        assert!(out.max_abs_diff(&masked_exact(&q, &k, &v, &pattern)) < 1e-5);
    }

    #[test]
    fn synthesizer_and_mixer_bench_kernels_are_the_approx_methods_on_the_same_weights() {
        let (n, d) = (64, 8);
        let [q, k, v] = seeded(n, d);
        let head = HeadInput {
            x: q.view(),
            q: q.view(),
            k: k.view(),
            v: v.view(),
            causal: false,
        };
        let synth = ApproxMethod::Synthesizer(SynthesizerConfig {
            kind: SynthesizerKind::Dense,
            max_len: n,
            hidden: d,
            rank: 1,
            seed: SEED,
        });
        let expect = synth.run(&head).unwrap().output;
        let out = Prepared::new(BenchKernel::Synthesizer, n, d, false).run();
        assert!(out.max_abs_diff(&expect) < 1e-6);
        let mixer = ApproxMethod::Mixer {
            hidden: MIXER_HIDDEN,
            max_len: n,
            seed: SEED,
        };
        let expect = mixer.run(&head).unwrap().output;
        let out = Prepared::new(BenchKernel::Mixer, n, d, false).run();
        assert!(out.max_abs_diff(&expect) < 1e-6);
        // Token mixing by hand for one entry: y_00 = Σ_r W2_0r·gelu(Σ_j W1_rj·v_j0).
        let m = TokenMixer::draw(n, MIXER_HIDDEN, SEED);
        let y00: f32 = (0..MIXER_HIDDEN)
            .map(|r| {
                let h: f32 = (0..n).map(|j| m.w1.get(r, j) * v.get(j, 0)).sum();
                m.w2.get(0, r) * crate::attention::approx::mixer::gelu(h)
            })
            .sum();
        assert!((out.get(0, 0) - y00).abs() < 1e-4, "{} vs {y00}", out.get(0, 0));
        // Neither has a causal form: asking for one runs the bidirectional form.
        for kernel in [BenchKernel::Synthesizer, BenchKernel::Mixer, BenchKernel::Sinkhorn] {
            assert!(!Prepared::new(kernel, n, d, true).causal, "{kernel:?}");
        }
        assert!(Prepared::new(BenchKernel::Lsh, n, d, true).causal);
        assert!(Prepared::new(BenchKernel::Strided, n, d, true).causal);
    }

    #[test]
    fn flops_of_the_new_kernels_follow_their_formulas_by_hand() {
        let (n, d) = (256, 16);
        // Strided s = 128, N = 256: band |i − j| < 128 has N(2s − 1) − s(s − 1) = 65280 − 16256 =
        // 49024 pairs, plus |i − j| = 128: 2·128 = 256 → 49280. Causal: Σ min(i + 1, 128) = 8256 +
        // 16384 = 24640, plus 128 pairs i − j = 128 → 24768.
        assert_eq!(
            Prepared::new(BenchKernel::Strided, n, d, false).flops(),
            pair_flops(49_280, d, d)
        );
        assert_eq!(
            Prepared::new(BenchKernel::Strided, n, d, true).flops(),
            pair_flops(24_768, d, d)
        );
        // Synthesizer h = d = 16: 2Ndh 131072 + Nh 4096 + 2N²h 2097152 + 5N² 327680 + 2N²d 2097152.
        assert_eq!(
            Prepared::new(BenchKernel::Synthesizer, n, d, false).flops(),
            4_657_152.0
        );
        // Mixer h = 256: 4Nhd + hd = 4194304 + 4096.
        assert_eq!(Prepared::new(BenchKernel::Mixer, n, d, false).flops(), 4_198_400.0);
        // LSH at N = 256: 4 buckets; hashing 3Nd 12288 + 2 rounds × (N·d·4 + N·4) = 34816 → 47104.
        assert_eq!(lsh_buckets(256), 4);
        assert_eq!(lsh_hash_flops(n, d), 47_104.0);
        let [q, ..] = seeded(n, d);
        let cfg = LshConfig {
            n_buckets: 4,
            n_hashes: 2,
            chunk: 64,
            causal: false,
        };
        let nnz = lsh_attention(q.view(), &cfg, SEED).value.pattern.nnz();
        assert!(nnz > n && nnz <= n * 2 * 2 * 64, "nnz {nnz}");
        assert_eq!(
            Prepared::new(BenchKernel::Lsh, n, d, false).flops(),
            pair_flops(nnz, d, d) + 47_104.0
        );
        // Sinkhorn N_b = 4, h = 16, k = 5: Nd 4096 + 2·4·16·16 2048 + 64 + 2·4·16·4 512 + 5·16 80
        // + 6·5·16 480 = 7280.
        assert_eq!(sinkhorn_sort_flops(n, d), 7280.0);
        let nnz = sinkhorn_attention(q.view(), &sinkhorn_config(), SEED)
            .value
            .pattern
            .nnz();
        assert_eq!(
            Prepared::new(BenchKernel::Sinkhorn, n, d, false).flops(),
            pair_flops(nnz, d, d) + 7280.0
        );
        assert_eq!(lsh_buckets(8192), 128);
        assert_eq!(lsh_buckets(100), 2);
    }

    #[test]
    fn estimated_call_bytes_grow_linearly_for_blocked_and_sparse_kernels_and_quadratically_for_the_synthesizer() {
        let d = 64;
        // Exact: N·d output + one 64-row score block 64·N → 4·128·N bytes: 524288 at N = 1024.
        assert_eq!(BenchKernel::Exact.call_bytes(1024, d), 524_288.0);
        assert_eq!(BenchKernel::Exact.call_bytes(2048, d), 2.0 * 524_288.0);
        // Window: N·d output plus one row of 2w + 1 = 129 weights: 4·(65536 + 129) at N = 1024.
        assert_eq!(BenchKernel::Window.call_bytes(1024, d), 262_660.0);
        let ratio = BenchKernel::Window.call_bytes(8192, d) / BenchKernel::Window.call_bytes(4096, d);
        assert!((ratio - 2.0).abs() < 1e-3, "window doubles with N: {ratio}");
        // Prepared window pattern: nnz ≤ 129·N indices and N + 1 row starts — linear too.
        let grow = |k: BenchKernel| k.estimate(8192, d).bytes / k.estimate(4096, d).bytes;
        assert!((grow(BenchKernel::Window) - 2.0).abs() < 1e-3);
        assert!(
            (grow(BenchKernel::Exact) - 2.0).abs() < 1e-9,
            "blocked: no N × N buffer"
        );
        // Flash: the output, one 64 × 64 tile and 64 (max, sum) pairs: 4·(65536 + 4096 + 128) =
        // 279040 bytes at N = 1024.
        assert_eq!(BenchKernel::Flash.call_bytes(1024, d), 279_040.0);
        // Synthesizer: N·d + N² + N·h: 4·(65536 + 1048576 + 65536) = 4718592 at N = 1024, and
        // almost ×4 per doubling by N = 8192.
        assert_eq!(BenchKernel::Synthesizer.call_bytes(1024, d), 4_718_592.0);
        let synth = BenchKernel::Synthesizer.call_bytes(8192, d) / BenchKernel::Synthesizer.call_bytes(4096, d);
        assert!(synth > 3.9 && synth < 4.0, "{synth}");
        // The mixer's buffers besides the output are h × d, independent of N.
        assert_eq!(
            BenchKernel::Mixer.call_bytes(1024, d) - 4.0 * 1024.0 * 64.0,
            4.0 * 2.0 * 256.0 * 64.0
        );
    }
}
