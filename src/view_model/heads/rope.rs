//! The RoPE panel's data: the rotation angles, the relative-position check, the equality of the two
//! pair layouts, and RoFormer's long-range decay curve, at LLaMA's head width [`ROPE_DIM`].

use crate::attention::heads::error::HeadsError;
use crate::attention::heads::rope::{interleaved_to_half_order, Rope, RopeLayout};
use crate::attention::matrix::Matrix;
use crate::attention::rng::{normal_vec, stream};

/// Width of the RoPE pictures: LLaMA's head_dim.
pub const ROPE_DIM: usize = 128;
/// Positions in the RoPE angle picture.
pub const ROPE_POSITIONS: usize = 256;

/// RoPE pictures and checks for the view's θ and layout, at width [`ROPE_DIM`].
#[derive(Clone, Debug, PartialEq)]
pub struct RopeDemo {
    /// Angles φ_i(p) wrapped to [0, 2π): rows are pairs i, columns positions p.
    pub angles: Matrix,
    /// q·k with q at m = 3, k at n = 10, then both shifted by t = 1000.
    pub score: f64,
    pub score_shifted: f64,
    /// max |RotateHalf(P·v) − P·Interleaved(v)| for the HF permutation P.
    pub layout_gap: f64,
    /// Wavelengths of the fastest and slowest pairs, in positions.
    pub fastest: f64,
    pub slowest: f64,
}

/// Computes the RoPE panel's data for base `theta`, pair `layout` and the vectors of `seed`.
pub fn rope_demo(theta: f64, layout: RopeLayout, seed: u64) -> Result<RopeDemo, HeadsError> {
    let rope = Rope::new(ROPE_DIM, theta, layout)?;
    let angles = rope.angle_table(ROPE_POSITIONS).transpose();
    let q = normal_vec(&mut stream(seed, "rope_q"), ROPE_DIM, 1.0);
    let k = normal_vec(&mut stream(seed, "rope_k"), ROPE_DIM, 1.0);
    let score_at = |m: usize, n: usize| -> Result<f64, HeadsError> {
        let (mut a, mut b) = (q.clone(), k.clone());
        rope.rotate(&mut a, m)?;
        rope.rotate(&mut b, n)?;
        Ok(a.iter().zip(&b).map(|(x, y)| (*x as f64) * (*y as f64)).sum())
    };
    let order = interleaved_to_half_order(ROPE_DIM);
    let half = Rope::new(ROPE_DIM, theta, RopeLayout::RotateHalf)?;
    let inter = Rope::new(ROPE_DIM, theta, RopeLayout::Interleaved)?;
    let mut u: Vec<f32> = order.iter().map(|&j| q[j]).collect();
    half.rotate(&mut u, 77)?;
    let mut v = q.clone();
    inter.rotate(&mut v, 77)?;
    let layout_gap = order
        .iter()
        .zip(&u)
        .map(|(&j, a)| (a - v[j]).abs() as f64)
        .fold(0.0, f64::max);
    Ok(RopeDemo {
        angles,
        score: score_at(3, 10)?,
        score_shifted: score_at(1003, 1010)?,
        layout_gap,
        fastest: rope.wavelength(0),
        slowest: rope.wavelength(rope.pairs() - 1),
    })
}

/// RoFormer's decay curve (2/d)·Σ cos(Δ·θ_i) at distances 1, √2, 2, … 2¹⁷ (rounded) for base θ.
pub fn decay_curve(theta: f64) -> Vec<(f64, f64)> {
    match Rope::new(ROPE_DIM, theta, RopeLayout::RotateHalf) {
        Ok(rope) => (0..=34)
            .map(|k| {
                let d = 2f64.powf(k as f64 / 2.0).round() as usize;
                (d as f64, rope.ones_score(d))
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::heads::params::RopeBase;

    #[test]
    fn rope_demo_shows_relative_scores_and_equal_layouts() {
        for base in [RopeBase::Llama2, RopeBase::Llama3] {
            let r = rope_demo(base.theta(), RopeLayout::Interleaved, 1).unwrap();
            assert!((r.score - r.score_shifted).abs() < 1e-3);
            assert!(r.layout_gap < 1e-5);
            assert_eq!((r.angles.rows, r.angles.cols), (ROPE_DIM / 2, ROPE_POSITIONS));
            assert!((r.fastest - std::f64::consts::TAU).abs() < 1e-9);
            assert!(r.slowest > 1e4);
        }
        let curve = decay_curve(10_000.0);
        assert_eq!(curve.len(), 35);
        assert_eq!(curve[0].0, 1.0);
        assert_eq!(curve[34].0, 131_072.0);
    }
}
