//! The home page's thumbnails: one tiny matrix per chapter, computed by the engine once (N ≤ 16, a
//! few microseconds each).

use crate::attention::approx::linear::{elu_features, normalised_kernel_matrix};
use crate::attention::cost::ExactCost;
use crate::attention::embedding::embed;
use crate::attention::exact::attention_weights;
use crate::attention::mask::causal_or_full;
use crate::attention::matrix::Matrix;
use crate::attention::sparse::zoo::{build, PatternKind, PatternSettings};
use crate::view_model::shell::ViewId;

/// The home page reads no key of its own.
pub const SCHEMA: crate::view_model::schema::Schema = crate::view_model::schema::Schema {
    view: "home",
    params: &[],
};

/// Tokens of every thumbnail.
pub const N: usize = 16;
const D: usize = 16;

fn tokens() -> Vec<String> {
    "the cat sat on the mat because it was warm and the dog lay by the door"
        .split(' ')
        .take(N)
        .map(String::from)
        .collect()
}

fn toy_x(seed: u64) -> Matrix {
    embed(&tokens(), D, seed)
}

/// The thumbnail of chapter `v` (None for the home page and the model, which computes nothing here).
pub fn thumbnail(v: ViewId) -> Option<Matrix> {
    let scale = 1.0 / (D as f32).sqrt();
    match v {
        ViewId::Home | ViewId::Model => None,
        ViewId::Sdpa => {
            let x = toy_x(1);
            Some(attention_weights(x.view(), x.view(), scale, causal_or_full(false)))
        }
        ViewId::Heads => {
            let x = toy_x(2);
            Some(attention_weights(x.view(), x.view(), scale, causal_or_full(true)))
        }
        ViewId::Sparse => {
            let s = PatternSettings {
                causal: false,
                window: 4,
                stride: 4,
                summary: 1,
                dilation: 1,
                globals: 1,
                block: 2,
                global_blocks: 1,
                random_blocks: 1,
                buckets: 4,
                hashes: 1,
                chunk: 4,
                iterations: 4,
                temperature: 0.75,
                seed: 1,
            };
            let x = toy_x(3);
            let p = build(PatternKind::Longformer, N, &s, x.view(), N).pattern;
            let mut m = Matrix::zeros(N, N);
            for i in 0..N {
                for &j in p.row(i) {
                    m.set(i, j, 1.0);
                }
            }
            Some(m)
        }
        ViewId::Approx => {
            let x = toy_x(4);
            let phi = elu_features(x.view());
            Some(normalised_kernel_matrix(&phi, &phi, false))
        }
        ViewId::Speed => {
            // FLOPs of exact attention, rows d_model = 16 … 512, columns N = 16 … 16384 (log₁₀).
            Some(Matrix::from_fn(6, 11, |i, j| {
                let cost = ExactCost::new(16 << j, 16 << i, 1).total();
                cost.max(1.0).log10() as f32
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chapter_but_the_model_has_a_finite_thumbnail() {
        for v in ViewId::CHAPTERS {
            let t = thumbnail(v);
            assert_eq!(t.is_none(), v == ViewId::Model, "{v:?}");
            if let Some(m) = t {
                assert!(m.rows > 1 && m.cols > 1);
                let mut any = false;
                for i in 0..m.rows {
                    assert!(m.row(i).iter().all(|x| x.is_finite()), "{v:?}");
                    any |= m.row(i).iter().any(|x| *x > 0.0);
                }
                assert!(any, "{v:?}");
            }
        }
        assert!(thumbnail(ViewId::Home).is_none());
    }
}
