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
    /// counted: the packing buffers of the matrix products (in the browser a packed copy of the right
    /// operand, k × n rounded up to 8 columns: at most K's N × d floats; natively `matrixmultiply`'s).
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
#[path = "bench_tests.rs"]
mod tests;
