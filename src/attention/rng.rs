//! Seeded, reproducible randomness for every stochastic piece of the engine.
//!
//! Every consumer draws from its own ChaCha8 stream, `stream(seed, label)`, so adding a new random
//! quantity never shifts the numbers of an existing one: the stream id is the FNV-1a hash of a fixed
//! label such as `"w_q"`. The same (seed, label) gives the same numbers on every platform.

use crate::attention::matrix::Matrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// The engine's random number generator: ChaCha8, seeded and portable.
pub type AtlasRng = ChaCha8Rng;

/// FNV-1a (64-bit) of a byte string: h ← (h ⊕ b)·0x100000001b3 from h₀ = 0xcbf29ce484222325.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// An independent stream for `label` under the user's `seed`.
pub fn stream(seed: u64, label: &str) -> AtlasRng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(fnv1a(label.as_bytes()));
    rng
}

/// A `rows × cols` matrix of independent N(0, std²) entries.
pub fn normal_matrix(rng: &mut AtlasRng, rows: usize, cols: usize, std: f32) -> Matrix {
    Matrix::from_vec(rows, cols, normal_vec(rng, rows * cols, std))
}

/// A vector of `len` independent N(0, std²) entries.
/// Drawn through [`crate::attention::chacha4`]: the same numbers, several times faster in wasm.
pub fn normal_vec(rng: &mut AtlasRng, len: usize, std: f32) -> Vec<f32> {
    crate::attention::chacha4::draw_from(rng, |fast| {
        (0..len)
            .map(|_| {
                let z: f32 = StandardNormal.sample(fast);
                std * z
            })
            .collect()
    })
}

/// One N(0, 1) draw.
pub fn standard_normal(rng: &mut AtlasRng) -> f32 {
    StandardNormal.sample(rng)
}

/// A uniform integer in `0..n` (n > 0).
pub fn below(rng: &mut AtlasRng, n: usize) -> usize {
    rng.random_range(0..n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_vec_gives_the_numbers_of_rand_chacha_itself_and_leaves_it_where_it_would_be() {
        for len in [0usize, 1, 31, 1000] {
            let mut slow = stream(11, "w_q");
            let mut fast = stream(11, "w_q");
            let want: Vec<f32> = (0..len).map(|_| 0.5 * standard_normal(&mut slow)).collect();
            assert_eq!(normal_vec(&mut fast, len, 0.5), want, "len {len}");
            assert_eq!(
                below(&mut fast, 1000),
                below(&mut slow, 1000),
                "len {len}: the draws after agree"
            );
        }
    }

    #[test]
    fn same_seed_and_label_give_the_same_numbers() {
        let a = normal_matrix(&mut stream(7, "w_q"), 3, 4, 1.0);
        let b = normal_matrix(&mut stream(7, "w_q"), 3, 4, 1.0);
        let c = normal_matrix(&mut stream(7, "w_k"), 3, 4, 1.0);
        let d = normal_matrix(&mut stream(8, "w_q"), 3, 4, 1.0);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn normal_samples_have_unit_variance() {
        let v = normal_vec(&mut stream(1, "var"), 20_000, 1.0);
        let mean = v.iter().sum::<f32>() / v.len() as f32;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / v.len() as f32;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }
}
