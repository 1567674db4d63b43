//! FLOP and memory accounting for exact attention (one layer, one sequence).
//!
//! Counting a multiply-add as 2 FLOPs:
//! - projections Q, K, V, O: 4 · 2·N·d_model² ;
//! - scores Q·Kᵀ: 2·N²·d_head per head = 2·N²·d_model in all; weights·V: the same again;
//! - softmax: ≈ 5 FLOPs per score (max, subtract, exp, sum, divide) → 5·N²·n_heads.
//!
//! A causal mask halves the useful score work, but dense kernels still pay for it unless they skip
//! tiles. Memory of the materialised weights: n_heads·N² values; the online-softmax kernel keeps only tiles.

/// FLOPs of one exact multi-head attention layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExactCost {
    pub projections: f64,
    pub scores: f64,
    pub softmax: f64,
    pub weighted_values: f64,
}

impl ExactCost {
    /// Costs for sequence length n, width d_model and n_heads heads.
    pub fn new(n: usize, d_model: usize, n_heads: usize) -> Self {
        let (n, d, h) = (n as f64, d_model as f64, n_heads as f64);
        Self {
            projections: 8.0 * n * d * d,
            scores: 2.0 * n * n * d,
            softmax: 5.0 * n * n * h,
            weighted_values: 2.0 * n * n * d,
        }
    }

    /// All FLOPs.
    pub fn total(&self) -> f64 {
        self.projections + self.scores + self.softmax + self.weighted_values
    }

    /// FLOPs that grow with N² (the attention core).
    pub fn quadratic(&self) -> f64 {
        self.scores + self.softmax + self.weighted_values
    }
}

/// Bytes to hold every head's N×N weights at `bytes_per_value`.
pub fn score_matrix_bytes(n: usize, n_heads: usize, bytes_per_value: usize) -> f64 {
    n as f64 * n as f64 * n_heads as f64 * bytes_per_value as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_cost_by_hand() {
        // N=256, d=512, 8 heads: projections 8·256·512² = 536,870,912; scores 2·256²·512 = 67,108,864.
        let c = ExactCost::new(256, 512, 8);
        assert_eq!(c.projections, 536_870_912.0);
        assert_eq!(c.scores, 67_108_864.0);
        assert_eq!(c.weighted_values, 67_108_864.0);
        assert_eq!(c.softmax, 5.0 * 65_536.0 * 8.0);
        assert_eq!(score_matrix_bytes(4096, 8, 4), 536_870_912.0);
    }
}
