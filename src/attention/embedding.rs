//! Deterministic token embeddings: the input X (N × d_model) every view starts from.
//!
//! x_i = (e(token_i) + p(i)) / √1.5, where
//! - e(t) ~ N(0, I) is drawn from the seeded stream labelled `"tok:" + lowercase(t)`, so equal
//!   tokens get equal content vectors (and visibly similar attention rows);
//! - p(i) is the sinusoidal position code of Vaswani et al. (2017):
//!   p(i)₂ₖ = sin(i / 10000^(2k/d)), p(i)₂ₖ₊₁ = cos(i / 10000^(2k/d)), whose entries have variance ½;
//! - dividing by √1.5 gives entries of unit variance, so Q·K scores have variance ≈ d_head and the
//!   1/√d_head scale brings them back to ≈ 1.

use crate::attention::matrix::Matrix;
use crate::attention::rng::{normal_vec, stream};

/// Sinusoidal position code p(pos) of width `d` (see the module doc).
pub fn sinusoidal_position(pos: usize, d: usize) -> Vec<f32> {
    (0..d)
        .map(|c| {
            let k = (c / 2) as f64;
            let angle = pos as f64 / 10000f64.powf(2.0 * k / d as f64);
            if c % 2 == 0 {
                angle.sin() as f32
            } else {
                angle.cos() as f32
            }
        })
        .collect()
}

/// The content vector e(token) of width `d`, seeded by `seed` and the lower-cased token text.
pub fn token_vector(token: &str, d: usize, seed: u64) -> Vec<f32> {
    normal_vec(&mut stream(seed, &format!("tok:{}", token.to_lowercase())), d, 1.0)
}

/// X for `tokens`: row i is (e(token_i) + p(i)) / √1.5.
pub fn embed(tokens: &[String], d_model: usize, seed: u64) -> Matrix {
    let norm = 1.0 / 1.5f32.sqrt();
    let mut x = Matrix::zeros(tokens.len(), d_model);
    let mut cache: std::collections::HashMap<String, Vec<f32>> = std::collections::HashMap::new();
    for (i, tok) in tokens.iter().enumerate() {
        let e = cache
            .entry(tok.to_lowercase())
            .or_insert_with(|| token_vector(tok, d_model, seed));
        let p = sinusoidal_position(i, d_model);
        for (c, out) in x.row_mut(i).iter_mut().enumerate() {
            *out = (e[c] + p[c]) * norm;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_tokens_share_content_and_differ_only_by_position() {
        let toks: Vec<String> = ["the", "cat", "The"].iter().map(|s| s.to_string()).collect();
        let x = embed(&toks, 16, 3);
        let norm = 1.5f32.sqrt();
        for c in 0..16 {
            let e0 = x.get(0, c) * norm - sinusoidal_position(0, 16)[c];
            let e2 = x.get(2, c) * norm - sinusoidal_position(2, 16)[c];
            assert!((e0 - e2).abs() < 1e-5);
        }
        assert_eq!(embed(&toks, 16, 3), x, "embedding is deterministic");
        assert_ne!(embed(&toks, 16, 4), x, "seed changes the embedding");
    }

    #[test]
    fn position_code_starts_with_sin0_cos0() {
        let p = sinusoidal_position(0, 4);
        assert_eq!(p, vec![0.0, 1.0, 0.0, 1.0]);
    }
}
