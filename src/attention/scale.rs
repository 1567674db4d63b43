//! The factor applied to q·k before the softmax.

/// How raw scores q·k are scaled before the softmax.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// s = q·k / √d_head (Vaswani et al. 2017; LLaMA's `scores / math.sqrt(head_dim)`): keeps the
    /// score variance ≈ 1 when q and k have unit-variance entries.
    InvSqrtDHead,
    /// s = q·k: the variance grows like d_head and the softmax saturates to one-hot rows.
    None,
    /// s = q·k / τ for a user temperature τ > 0.
    Temperature(f32),
}

impl Scale {
    /// The multiplier applied to q·k for heads of width `d_head`.
    pub fn factor(self, d_head: usize) -> f32 {
        match self {
            Scale::InvSqrtDHead => 1.0 / (d_head.max(1) as f32).sqrt(),
            Scale::None => 1.0,
            Scale::Temperature(t) => 1.0 / t.max(1e-6),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors() {
        assert_eq!(Scale::InvSqrtDHead.factor(64), 0.125);
        assert_eq!(Scale::None.factor(64), 1.0);
        assert_eq!(Scale::Temperature(2.0).factor(64), 0.5);
    }
}
