//! The attention weights a sparse pattern gives, laid out as the full N_q × N_k matrix for drawing:
//! W = softmax(Q·Kᵀ·scale + M) with M_ij = 0 for kept pairs and −∞ elsewhere (Child et al. 2019,
//! eq. 1 with the pattern as the connectivity set). Row i is computed over the kept keys only (the
//! sparse kernel's [`sparse_weights_row`]); the cells outside the pattern are NaN rather than 0, so a
//! picture can draw them as "masked" instead of "tiny".

use crate::attention::matrix::{MatRef, Matrix};
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::kernel::sparse_weights_row;

/// Masked attention weights (module doc), N_q × N_k, NaN outside the pattern. Shapes that do not fit
/// the pattern give an all-NaN matrix.
pub fn masked_weights(q: MatRef<'_>, k: MatRef<'_>, scale: f32, pattern: &SparsePattern) -> Matrix {
    let mut w = Matrix::from_fn(pattern.n_queries, pattern.n_keys, |_, _| f32::NAN);
    for i in 0..pattern.n_queries {
        let Ok(row) = sparse_weights_row(q, k, scale, pattern, i) else {
            break;
        };
        let out = w.row_mut(i);
        pattern.row(i).iter().zip(row).for_each(|(&j, x)| out[j] = x);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::exact::attention_weights;
    use crate::attention::mask::Full;
    use crate::attention::rng::{normal_matrix, stream};
    use crate::attention::sparse::window::{local_window, Direction};

    #[test]
    fn masked_weights_are_nan_outside_the_pattern_and_renormalise_the_exact_weights() {
        let mut rng = stream(3, "masked-test");
        let (n, d) = (24, 16);
        let q = normal_matrix(&mut rng, n, d, 1.0);
        let k = normal_matrix(&mut rng, n, d, 1.0);
        let scale = 1.0 / (d as f32).sqrt();
        let p = local_window(n, 2, Direction::Symmetric).value;
        let w = masked_weights(q.view(), k.view(), scale, &p);
        let exact = attention_weights(q.view(), k.view(), scale, &Full);
        for i in 0..n {
            for (j, x) in w.row(i).iter().enumerate() {
                assert_eq!(x.is_nan(), !p.contains(i, j), "({i}, {j})");
            }
            let sum: f32 = w.row(i).iter().filter(|x| !x.is_nan()).sum();
            assert!((sum - 1.0).abs() < 1e-5);
            // Kept weights are the exact weights renormalised over the kept keys.
            let kept: f32 = p.row(i).iter().map(|&j| exact.get(i, j)).sum();
            for &j in p.row(i) {
                assert!((w.get(i, j) - exact.get(i, j) / kept).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn a_pattern_of_the_wrong_shape_gives_nan_everywhere() {
        let q = Matrix::zeros(4, 2);
        let p = local_window(6, 1, Direction::Symmetric).value;
        let w = masked_weights(q.view(), q.view(), 1.0, &p);
        assert_eq!((w.rows, w.cols), (6, 6));
        assert!(w.data.iter().all(|x| x.is_nan()));
    }
}
