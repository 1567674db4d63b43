//! How far two attention maps are apart: the total-variation distance between their rows.
//!
//! For two probability rows a and b (each query's attention weights), TV(a, b) = ½·Σ_j |a_j − b_j|,
//! the largest difference in probability the two rows can give to any set of keys (0 = identical,
//! 1 = disjoint supports); see e.g. Levin, Peres & Wilmer, *Markov Chains and Mixing Times*, §4.1.
//! The view compares each query head's GQA map with its MHA map by the mean over query rows.

use crate::attention::matrix::Matrix;

/// Mean over rows of ½·Σ_j |a_ij − b_ij| (0 for matrices without rows). `a` and `b` have the same
/// shape.
pub fn mean_tv(a: &Matrix, b: &Matrix) -> f64 {
    if a.rows == 0 {
        return 0.0;
    }
    let total: f64 = (0..a.rows)
        .map(|i| {
            0.5 * a
                .row(i)
                .iter()
                .zip(b.row(i))
                .map(|(x, y)| (x - y).abs() as f64)
                .sum::<f64>()
        })
        .sum();
    total / a.rows as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_rows_are_zero_apart_and_disjoint_rows_one() {
        let a = Matrix::from_fn(2, 2, |i, j| if i == j { 1.0 } else { 0.0 });
        let b = Matrix::from_fn(2, 2, |i, j| if i != j { 1.0 } else { 0.0 });
        assert_eq!(mean_tv(&a, &a), 0.0);
        assert_eq!(mean_tv(&a, &b), 1.0);
        // Row 0: ½(|0.5 − 1| + |0.5 − 0|) = 0.5; row 1 identical: 0 → mean 0.25.
        let c = Matrix::from_fn(2, 2, |i, j| {
            if i == 0 {
                0.5
            } else if i == j {
                1.0
            } else {
                0.0
            }
        });
        assert_eq!(mean_tv(&c, &a), 0.25);
        assert_eq!(mean_tv(&Matrix::zeros(0, 3), &Matrix::zeros(0, 3)), 0.0);
    }
}
