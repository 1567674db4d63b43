//! Attention over a sparse pattern that touches only the allowed pairs.
//!
//! For query i with allowed keys J(i) (one CSR row):
//!   s_j = q_i·k_j·scale (j ∈ J(i)),  w = softmax(s),  o_i = Σ_{j ∈ J(i)} w_j·v_j,
//! which equals dense masked attention softmax(Q·Kᵀ·scale + M)·V because a masked entry's weight is
//! exactly 0. Work is 2·nnz·d (scores) + 2·nnz·d_v (values): proportional to the allowed pairs, not N².
//! A query with no allowed key gets a zero output row.

use crate::attention::message::{Explain, Message};
use std::fmt;

use crate::attention::matrix::{MatRef, Matrix};
use crate::attention::reduce::dot;
use crate::attention::softmax::softmax_in_place;
use crate::attention::sparse::csr::SparsePattern;

/// Why the kernel could not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelError {
    /// Q and K widths differ.
    QueryKeyWidth { q: usize, k: usize },
    /// K and V have different numbers of rows.
    KeyValueLength { k: usize, v: usize },
    /// The pattern is not n_queries × n_keys.
    PatternShape {
        pattern: (usize, usize),
        expected: (usize, usize),
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::QueryKeyWidth { q, k } => write!(f, "queries have width {q} but keys have width {k}"),
            KernelError::KeyValueLength { k, v } => write!(f, "{k} keys but {v} values"),
            KernelError::PatternShape { pattern, expected } => write!(
                f,
                "pattern is {}×{} but attention is {}×{}",
                pattern.0, pattern.1, expected.0, expected.1
            ),
        }
    }
}

impl Explain for KernelError {
    fn message(&self) -> Message {
        match self {
            KernelError::QueryKeyWidth { q, k } => Message::new("error.qk_width").arg("q", q).arg("k", k),
            KernelError::KeyValueLength { k, v } => Message::new("error.kv_length").arg("k", k).arg("v", v),
            KernelError::PatternShape { pattern, expected } => Message::new("error.pattern_shape")
                .arg("shape", format!("{}×{}", pattern.0, pattern.1))
                .arg("expected", format!("{}×{}", expected.0, expected.1)),
        }
    }
}

impl std::error::Error for KernelError {}

fn check(q: MatRef<'_>, k: MatRef<'_>, v: Option<MatRef<'_>>, pattern: &SparsePattern) -> Result<(), KernelError> {
    if q.cols != k.cols {
        return Err(KernelError::QueryKeyWidth { q: q.cols, k: k.cols });
    }
    if let Some(v) = v {
        if v.rows != k.rows {
            return Err(KernelError::KeyValueLength { k: k.rows, v: v.rows });
        }
    }
    if (pattern.n_queries, pattern.n_keys) != (q.rows, k.rows) {
        return Err(KernelError::PatternShape {
            pattern: (pattern.n_queries, pattern.n_keys),
            expected: (q.rows, k.rows),
        });
    }
    Ok(())
}

/// Softmax weights of query i over its allowed keys: w = softmax_j(q_i·k_j·scale), j ∈ row i
/// (the hover readout; same order as `pattern.row(i)`).
pub fn sparse_weights_row(
    q: MatRef<'_>,
    k: MatRef<'_>,
    scale: f32,
    pattern: &SparsePattern,
    i: usize,
) -> Result<Vec<f32>, KernelError> {
    check(q, k, None, pattern)?;
    if i >= q.rows {
        return Ok(Vec::new());
    }
    let qi = q.row(i);
    let mut w: Vec<f32> = pattern.row(i).iter().map(|&j| dot(qi, k.row(j)) * scale).collect();
    softmax_in_place(&mut w);
    Ok(w)
}

/// O = softmax(Q·Kᵀ·scale + M)·V evaluated on the allowed pairs only (module doc).
pub fn sparse_attend(
    q: MatRef<'_>,
    k: MatRef<'_>,
    v: MatRef<'_>,
    scale: f32,
    pattern: &SparsePattern,
) -> Result<Matrix, KernelError> {
    check(q, k, Some(v), pattern)?;
    let mut out = Matrix::zeros(q.rows, v.cols);
    let mut w = Vec::new();
    for i in 0..q.rows {
        let keys = pattern.row(i);
        let qi = q.row(i);
        w.clear();
        w.extend(keys.iter().map(|&j| dot(qi, k.row(j)) * scale));
        softmax_in_place(&mut w);
        let oi = out.row_mut(i);
        for (&j, &wj) in keys.iter().zip(&w) {
            oi.iter_mut().zip(v.row(j)).for_each(|(o, x)| *o += wj * x);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::exact::attend;
    use crate::attention::rng::{normal_matrix, stream};
    use crate::attention::sparse::strided::strided;
    use crate::attention::sparse::window::{local_window, Direction};

    #[test]
    fn sparse_kernel_equals_dense_masked_attention() {
        let mut rng = stream(4, "kernel");
        let (n, d) = (45, 11);
        let q = normal_matrix(&mut rng, n, d, 1.0);
        let k = normal_matrix(&mut rng, n, d, 1.0);
        let v = normal_matrix(&mut rng, n, 6, 1.0);
        for p in [
            local_window(n, 3, Direction::Causal).value,
            strided(n, 5, false).value,
            SparsePattern::empty(n, n),
        ] {
            let sparse = sparse_attend(q.view(), k.view(), v.view(), 0.3, &p).unwrap();
            let dense = attend(q.view(), k.view(), v.view(), 0.3, &p.to_dense());
            assert!(sparse.max_abs_diff(&dense) < 1e-5, "{}", sparse.max_abs_diff(&dense));
        }
    }

    #[test]
    fn an_empty_row_gives_zeros_and_bad_shapes_are_errors() {
        let q = Matrix::from_vec(2, 1, vec![1.0, 2.0]);
        let v = Matrix::from_vec(2, 2, vec![1.0, 2.0, 3.0, 4.0]);
        let p = SparsePattern::from_row_fn(2, 2, |i, out| {
            if i == 1 {
                out.extend([0, 1])
            }
        });
        let o = sparse_attend(q.view(), q.view(), v.view(), 1.0, &p).unwrap();
        assert_eq!(o.row(0), &[0.0, 0.0]);
        // Row 1: scores 2·1 = 2 and 2·2 = 4 → weights 1/(1+e²) and e²/(1+e²) ≈ 0.1192, 0.8808.
        assert!((o.get(1, 0) - (0.1192 * 1.0 + 0.8808 * 3.0)).abs() < 1e-3);
        let w = sparse_weights_row(q.view(), q.view(), 1.0, &p, 1).unwrap();
        assert!((w[0] - 0.11920292).abs() < 1e-6);
        let wide = Matrix::zeros(2, 3);
        assert_eq!(
            sparse_attend(q.view(), wide.view(), v.view(), 1.0, &p),
            Err(KernelError::QueryKeyWidth { q: 1, k: 3 })
        );
        let small = SparsePattern::empty(1, 2);
        assert!(matches!(
            sparse_attend(q.view(), q.view(), v.view(), 1.0, &small),
            Err(KernelError::PatternShape { .. })
        ));
    }
}
