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
    position_row(pos, &wavelengths(d))
}

/// The divisors 10000^(2k/d) of the position code, one per column (columns 2k and 2k + 1 share one).
fn wavelengths(d: usize) -> Vec<f64> {
    (0..d).map(|c| 10000f64.powf(2.0 * (c / 2) as f64 / d as f64)).collect()
}

fn position_row(pos: usize, wavelengths: &[f64]) -> Vec<f32> {
    wavelengths
        .iter()
        .enumerate()
        .map(|(c, w)| {
            let angle = pos as f64 / w;
            (if c % 2 == 0 { angle.sin() } else { angle.cos() }) as f32
        })
        .collect()
}

/// Every position code of an N-token sequence, P (N × d) with row i = p(i). It depends on N and d
/// only, so a view can keep it while the seed or the text changes.
pub fn position_codes(n: usize, d: usize) -> Matrix {
    let w = wavelengths(d);
    let mut p = Matrix::zeros(n, d);
    for i in 0..n {
        p.row_mut(i).copy_from_slice(&position_row(i, &w));
    }
    p
}

/// The content vector e(token) of width `d`, seeded by `seed` and the lower-cased token text.
pub fn token_vector(token: &str, d: usize, seed: u64) -> Vec<f32> {
    normal_vec(&mut stream(seed, &format!("tok:{}", token.to_lowercase())), d, 1.0)
}

/// X for `tokens`: row i is (e(token_i) + p(i)) / √1.5.
pub fn embed(tokens: &[String], d_model: usize, seed: u64) -> Matrix {
    embed_with_positions(tokens, d_model, seed, &position_codes(tokens.len(), d_model))
}

/// [`embed`] with the position codes P = [`position_codes`] (N × d_model) given.
pub fn embed_with_positions(tokens: &[String], d_model: usize, seed: u64, positions: &Matrix) -> Matrix {
    assert_eq!(
        (positions.rows, positions.cols),
        (tokens.len(), d_model),
        "position codes must be N × d_model"
    );
    let mut x = Vec::with_capacity(tokens.len() * d_model);
    Embedder::new(d_model, seed).extend(tokens, 0, positions, &mut x);
    Matrix::from_vec(tokens.len(), d_model, x)
}

/// Builds X a range of rows at a time (a job's steps) with the numbers of [`embed_with_positions`]:
/// row i = (e(token_i) + p(i)) / √1.5, each distinct (lower-cased) token's e drawn once.
pub struct Embedder {
    d_model: usize,
    seed: u64,
    cache: std::collections::HashMap<String, Vec<f32>>,
}

impl Embedder {
    /// An embedder of width `d_model` under `seed`.
    pub fn new(d_model: usize, seed: u64) -> Self {
        Self {
            d_model,
            seed,
            cache: std::collections::HashMap::new(),
        }
    }

    /// Appends the rows of `tokens`, the tokens at positions `first_row ..`, to `out` (row-major);
    /// `positions` holds P for every position.
    pub fn extend(&mut self, tokens: &[String], first_row: usize, positions: &Matrix, out: &mut Vec<f32>) {
        let norm = 1.0 / 1.5f32.sqrt();
        let (d, seed) = (self.d_model, self.seed);
        for (i, tok) in tokens.iter().enumerate() {
            let e = self
                .cache
                .entry(tok.to_lowercase())
                .or_insert_with(|| token_vector(tok, d, seed));
            let p = positions.row(first_row + i);
            out.extend(e.iter().zip(p).map(|(e, p)| (e + p) * norm));
        }
    }
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
    fn position_codes_are_the_formula_bit_for_bit() {
        let d = 6;
        let p = position_codes(5, d);
        for i in 0..5 {
            for c in 0..d {
                let angle = i as f64 / 10000f64.powf(2.0 * (c / 2) as f64 / d as f64);
                let want = if c % 2 == 0 { angle.sin() } else { angle.cos() } as f32;
                assert_eq!(p.get(i, c), want);
            }
        }
        let toks: Vec<String> = ["a", "b", "a", "c", "."].iter().map(|s| s.to_string()).collect();
        assert_eq!(embed_with_positions(&toks, d, 9, &p), embed(&toks, d, 9));
    }

    #[test]
    fn position_code_starts_with_sin0_cos0() {
        let p = sinusoidal_position(0, 4);
        assert_eq!(p, vec![0.0, 1.0, 0.0, 1.0]);
    }
}
