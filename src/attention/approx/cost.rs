//! FLOPs and memory of one attention head for each approximation, as functions of N.
//!
//! Conventions (shared with `attention::cost`): a multiply-add is 2 FLOPs, an element-wise function
//! (exp, elu, gelu, a division) is 1, a softmax is 5 per score (max, subtract, exp, sum, divide). N is
//! the sequence length, d the query/key width, d_v the value width. Only the attention core is
//! counted (the Q, K, V projections are the same for every method). `largest_buffer` is the length in
//! f32 values of the largest intermediate a kernel holds besides its inputs and output — the same
//! quantity the kernels report as `peak_intermediate_len`, so tests check formula against code.
//!
//! The associativity lesson: for A = QKᵀ (N × N), (Q·Kᵀ)·V costs 2N²d + 2N²d_v while Q·(Kᵀ·V) costs
//! 2Ndd_v + 2Ndd_v = 4Ndd_v. The right order wins when 2N²(d + d_v) > 4Ndd_v, i.e. beyond
//! N* = 2dd_v/(d + d_v), which is N* = d when d = d_v. Softmax forbids the regrouping (the exp sits
//! between the two products); kernel methods restore it by factorising exp(q·k) ≈ φ(q)·φ(k).

use crate::attention::approx::performer::FeatureKind;
use crate::attention::approx::synthesizer::{factor_widths, SynthesizerKind};

/// FLOPs and largest intermediate buffer (f32 values) of one head.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MethodCost {
    /// Floating-point operations (multiply-add = 2).
    pub flops: f64,
    /// Length in f32 values of the largest intermediate buffer.
    pub largest_buffer: f64,
}

/// Exact softmax attention: scores 2N²d + softmax 5N² + weights·V 2N²d_v = 2N²(d + d_v) + 5N².
/// Largest buffer: the materialised N × N weights (the blocked and flash kernels keep only
/// a block × N or tile × tile slice, at the same FLOPs).
pub fn exact_cost(n: usize, d: usize, d_v: usize) -> MethodCost {
    let (n, d, dv) = (n as f64, d as f64, d_v as f64);
    MethodCost {
        flops: 2.0 * n * n * (d + dv) + 5.0 * n * n,
        largest_buffer: n * n,
    }
}

/// Kernel attention with feature width w (w = d for linear attention) — the shared linear-order part:
/// features applied 2Nw (one function per entry of φ(Q) and φ(K)), φ(K)ᵀV 2Nwd_v, φ(K)ᵀ1 Nw,
/// φ(Q)·(φ(K)ᵀV) 2Nwd_v, φ(Q)·(φ(K)ᵀ1) 2Nw, division Nd_v: total 4Nwd_v + 5Nw + Nd_v.
/// The causal prefix-sum form does the same adds in another order. Largest buffer: max(Nw, wd_v).
fn kernel_cost(n: f64, w: f64, dv: f64) -> MethodCost {
    MethodCost {
        flops: 4.0 * n * w * dv + 5.0 * n * w + n * dv,
        largest_buffer: (n * w).max(w * dv),
    }
}

/// Linear attention (φ = elu + 1, feature width d): 4Ndd_v + 5Nd + Nd_v FLOPs, buffer max(Nd, dd_v).
pub fn linear_cost(n: usize, d: usize, d_v: usize) -> MethodCost {
    kernel_cost(n as f64, d as f64, d_v as f64)
}

/// Linformer with k summary positions: E·K 2kNd, F·V 2kNd_v, scores Q(EK)ᵀ 2Nkd, softmax 5Nk,
/// P·(FV) 2Nkd_v: total 4Nk(d + d_v) + 5Nk. Largest buffer: max(Nk, kd, kd_v) (P is N × k).
pub fn linformer_cost(n: usize, d: usize, d_v: usize, k: usize) -> MethodCost {
    let (n, d, dv, k) = (n as f64, d as f64, d_v as f64, k as f64);
    MethodCost {
        flops: 4.0 * n * k * (d + dv) + 5.0 * n * k,
        largest_buffer: (n * k).max(k * d).max(k * dv),
    }
}

/// Performer with m random projections: building the features costs, for Q and K each, W·x 2Nmd,
/// ‖x‖² 2Nd, and per feature 3 (shift, exp, scale; sin/cos count the same per output value), so
/// 2·(2Nmd + 2Nd + 3Nw) with w = m (positive) or 2m (trigonometric); then the kernel part with
/// feature width w (see `kernel_cost`). Largest buffer: max(Nm, Nw, wd_v) (the W·x products and features).
pub fn performer_cost(n: usize, d: usize, d_v: usize, m: usize, kind: FeatureKind) -> MethodCost {
    let (nf, df, dvf, mf) = (n as f64, d as f64, d_v as f64, m as f64);
    let w = match kind {
        FeatureKind::Positive => mf,
        FeatureKind::Trigonometric => 2.0 * mf,
    };
    let kernel = kernel_cost(nf, w, dvf);
    MethodCost {
        flops: 2.0 * (2.0 * nf * mf * df + 2.0 * nf * df + 3.0 * nf * w) + kernel.flops,
        largest_buffer: kernel.largest_buffer.max(nf * mf),
    }
}

/// Synthesizer logits then softmax 5N² and weights·V 2N²d_v. Logits: dense 2Ndh + 2NhN (relu Nh);
/// random 0 (a copy); factorised dense 2Nd(a + b) + N² with (a, b) from `factor_widths(max_len)`;
/// factorised random 2N²k. Largest buffer: the N × N logits.
pub fn synthesizer_cost(
    n: usize,
    d: usize,
    d_v: usize,
    kind: SynthesizerKind,
    hidden: usize,
    rank: usize,
    max_len: usize,
) -> MethodCost {
    let (nf, df, dvf, h, k) = (n as f64, d as f64, d_v as f64, hidden as f64, rank as f64);
    let logits = match kind {
        SynthesizerKind::Dense => 2.0 * nf * df * h + nf * h + 2.0 * nf * h * nf,
        SynthesizerKind::Random => 0.0,
        SynthesizerKind::FactorizedDense => {
            let (a, b) = factor_widths(max_len);
            2.0 * nf * df * (a + b) as f64 + nf * nf
        }
        SynthesizerKind::FactorizedRandom => 2.0 * nf * nf * k,
    };
    MethodCost {
        flops: logits + 5.0 * nf * nf + 2.0 * nf * nf * dvf,
        largest_buffer: nf * nf,
    }
}

/// Token-mixing MLP with hidden width h on d channels: W1·X 2hNd, gelu hd, W2·G 2Nhd:
/// 4Nhd + hd. Largest buffer: the h × d hidden layer. Linear in N for fixed h, but MLP-Mixer ties h
/// to the number of tokens, so in practice it grows like N².
pub fn mixer_cost(n: usize, d: usize, hidden: usize) -> MethodCost {
    let (n, d, h) = (n as f64, d as f64, hidden as f64);
    MethodCost {
        flops: 4.0 * n * h * d + h * d,
        largest_buffer: h * d,
    }
}

/// FLOPs of the two groupings of Q·Kᵀ·V (no softmax).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Associativity {
    /// (Q·Kᵀ)·V: 2N²d + 2N²d_v.
    pub left: f64,
    /// Q·(Kᵀ·V): 2Ndd_v (KᵀV, d × d_v) + 2Ndd_v (Q times it) = 4Ndd_v.
    pub right: f64,
}

/// Both groupings for length n and widths d, d_v.
pub fn associativity(n: usize, d: usize, d_v: usize) -> Associativity {
    let (n, d, dv) = (n as f64, d as f64, d_v as f64);
    Associativity {
        left: 2.0 * n * n * (d + dv),
        right: 4.0 * n * d * dv,
    }
}

/// N* = 2dd_v/(d + d_v): the length beyond which Q·(KᵀV) is cheaper (N* = d for d = d_v).
pub fn crossover_length(d: usize, d_v: usize) -> f64 {
    let (d, dv) = (d as f64, d_v as f64);
    if d + dv == 0.0 {
        0.0
    } else {
        2.0 * d * dv / (d + dv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::approx::linear::linear_attend;
    use crate::attention::approx::linformer::{linformer_attend, LinformerProjections};
    use crate::attention::approx::mixer::TokenMixer;
    use crate::attention::approx::performer::{performer_attend, PerformerConfig, RandomFeatures};
    use crate::attention::approx::synthesizer::{Synthesizer, SynthesizerConfig};
    use crate::attention::rng::{normal_matrix, stream};

    #[test]
    fn costs_by_hand() {
        // Exact, N = 1024, d = d_v = 64: 2·1024²·128 + 5·1024² = 268,435,456 + 5,242,880.
        assert_eq!(exact_cost(1024, 64, 64).flops, 273_678_336.0);
        // Linear: 4·1024·64·64 + 5·1024·64 + 1024·64 = 16,777,216 + 327,680 + 65,536.
        assert_eq!(linear_cost(1024, 64, 64).flops, 17_170_432.0);
        // Linformer k = 128: 4·1024·128·128 + 5·1024·128 = 67,108,864 + 655,360.
        assert_eq!(linformer_cost(1024, 64, 64, 128).flops, 67_764_224.0);
        // Performer m = 256: features 2·(2·1024·256·64 + 2·1024·64 + 3·1024·256) = 2·(33,554,432
        // + 131,072 + 786,432) = 68,943,872; kernel 4·1024·256·64 + 5·1024·256 + 1024·64 = 68,485,120.
        assert_eq!(
            performer_cost(1024, 64, 64, 256, FeatureKind::Positive).flops,
            137_428_992.0
        );
        assert_eq!(mixer_cost(10, 4, 8).flops, 4.0 * 10.0 * 8.0 * 4.0 + 32.0);
    }

    #[test]
    fn associativity_crossover_is_at_n_equal_d() {
        // d = d_v = 64: (QKᵀ)V = 2N²·128, Q(KᵀV) = 4N·4096; equal at N = 64.
        assert_eq!(crossover_length(64, 64), 64.0);
        let at = associativity(64, 64, 64);
        assert_eq!(at.left, at.right);
        let beyond = associativity(128, 64, 64);
        assert_eq!(beyond.left / beyond.right, 2.0);
        // d = 32, d_v = 96: N* = 2·32·96/128 = 48.
        assert_eq!(crossover_length(32, 96), 48.0);
    }

    #[test]
    fn doubling_n_doubles_linear_costs_and_quadruples_exact_ones() {
        let (a, b) = (exact_cost(2048, 64, 64), exact_cost(4096, 64, 64));
        assert_eq!(b.largest_buffer / a.largest_buffer, 4.0);
        assert!((b.flops / a.flops - 4.0).abs() < 1e-12);
        for (a, b) in [
            (linear_cost(2048, 64, 64), linear_cost(4096, 64, 64)),
            (linformer_cost(2048, 64, 64, 128), linformer_cost(4096, 64, 64, 128)),
            (
                performer_cost(2048, 64, 64, 128, FeatureKind::Positive),
                performer_cost(4096, 64, 64, 128, FeatureKind::Positive),
            ),
        ] {
            assert!((b.flops / a.flops - 2.0).abs() < 1e-12);
            assert_eq!(b.largest_buffer / a.largest_buffer, 2.0);
        }
    }

    #[test]
    fn largest_buffer_formulas_match_what_the_kernels_allocate() {
        let mut rng = stream(1, "cost-peak");
        let (n, d, dv) = (96, 8, 6);
        let q = normal_matrix(&mut rng, n, d, 1.0);
        let k = normal_matrix(&mut rng, n, d, 1.0);
        let v = normal_matrix(&mut rng, n, dv, 1.0);
        let peak = |len: usize| len as f64;
        assert_eq!(
            peak(linear_attend(q.view(), k.view(), v.view(), false).peak_intermediate_len),
            linear_cost(n, d, dv).largest_buffer
        );
        let p = LinformerProjections::gaussian(n, 12, 0);
        assert_eq!(
            peak(
                linformer_attend(q.view(), k.view(), v.view(), 0.3, &p)
                    .attended
                    .peak_intermediate_len
            ),
            linformer_cost(n, d, dv, 12).largest_buffer
        );
        for kind in [FeatureKind::Positive, FeatureKind::Trigonometric] {
            let f = RandomFeatures::draw(
                d,
                PerformerConfig {
                    features: 20,
                    kind,
                    seed: 1,
                },
            );
            assert_eq!(
                peak(performer_attend(q.view(), k.view(), v.view(), &f, false).peak_intermediate_len),
                performer_cost(n, d, dv, 20, kind).largest_buffer
            );
        }
        let s = Synthesizer::draw(
            d,
            SynthesizerConfig {
                kind: SynthesizerKind::Random,
                max_len: n,
                hidden: 4,
                rank: 2,
                seed: 0,
            },
        );
        assert_eq!(
            peak(s.attend(q.view(), v.view()).unwrap().attended.peak_intermediate_len),
            synthesizer_cost(n, d, dv, SynthesizerKind::Random, 4, 2, n).largest_buffer
        );
        let mixer = TokenMixer::draw(n, 16, 0);
        assert_eq!(
            peak(mixer.mix(v.view()).unwrap().peak_intermediate_len),
            mixer_cost(n, dv, 16).largest_buffer
        );
    }
}
