//! Choosing the next token from a row of logits.
//!
//! - **Greedy**: argmax_v ℓ_v (the first on ties; NaN logits never win).
//! - **Sampling** at temperature τ among the top k (Fan, Lewis & Dauphin 2018, "Hierarchical Neural
//!   Story Generation", top-k; the temperature as in Ackley, Hinton & Sejnowski 1985): keep the k
//!   largest logits (k = 0 keeps all), p_v = e^{(ℓ_v − ℓ_max)/τ} / Σ_u e^{(ℓ_u − ℓ_max)/τ} in f64, and
//!   take the first v (in decreasing-logit order) whose cumulative probability exceeds u ~ U[0, 1).
//!   τ is clamped into [`MIN_TEMPERATURE`] … [`MAX_TEMPERATURE`] (a NaN τ becomes the minimum, which is
//!   close to greedy); NaN logits count as −∞, and when a +∞ logit is present it is chosen.
//!
//! u for step t is the first draw of `stream(seed, "sampling")` at word position 2t (ChaCha8 allows
//! random access), so the same seed gives the same text, and step t does not depend on how many
//! steps were computed before it — a view can redo one step alone.

use rand::Rng;

use crate::attention::model::forward::top_k;
use crate::attention::rng::stream;

/// Smallest temperature: e^{(ℓ_u − ℓ_max)/τ} underflows to 0 for a logit gap above ~7 at τ = 0.01, so
/// sampling is greedy in all but near-ties.
pub const MIN_TEMPERATURE: f32 = 0.01;
/// Largest temperature (near-uniform over the kept tokens).
pub const MAX_TEMPERATURE: f32 = 100.0;

/// How the next token is chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sampling {
    Greedy,
    /// Seeded sampling at `temperature` among the `top_k` largest logits (0 = all).
    Sample {
        temperature: f32,
        top_k: usize,
        seed: u64,
    },
}

/// The index of the largest logit, the first on ties, ignoring NaN (0 for an all-NaN or empty row).
pub fn greedy(logits: &[f32]) -> usize {
    let mut best: Option<usize> = None;
    for (i, v) in logits.iter().enumerate() {
        if !v.is_nan() && best.is_none_or(|b| *v > logits[b]) {
            best = Some(i);
        }
    }
    best.unwrap_or(0)
}

/// τ clamped into [`MIN_TEMPERATURE`] … [`MAX_TEMPERATURE`]; NaN → the minimum.
pub fn clamp_temperature(t: f32) -> f32 {
    if t.is_nan() {
        MIN_TEMPERATURE
    } else {
        t.clamp(MIN_TEMPERATURE, MAX_TEMPERATURE)
    }
}

/// The probabilities sampling uses at temperature τ over the top `k` (0 = all): (id, p), by
/// decreasing logit, summing to 1 (empty for an empty row).
pub fn sampling_distribution(logits: &[f32], temperature: f32, k: usize) -> Vec<(usize, f64)> {
    let clean: Vec<f32> = logits
        .iter()
        .map(|v| if v.is_nan() { f32::NEG_INFINITY } else { *v })
        .collect();
    let kept = top_k(&clean, if k == 0 { clean.len() } else { k });
    let Some(&(_, top)) = kept.first() else {
        return Vec::new();
    };
    if top.is_infinite() {
        // +∞ wins outright; an all −∞ row falls back to the greedy choice.
        return vec![(greedy(logits), 1.0)];
    }
    let t = clamp_temperature(temperature) as f64;
    let e: Vec<f64> = kept.iter().map(|(_, v)| ((*v as f64 - top as f64) / t).exp()).collect();
    let total: f64 = e.iter().sum();
    kept.iter().zip(e).map(|((i, _), x)| (*i, x / total)).collect()
}

/// The uniform draw of step `step` under `seed` (module doc).
pub fn step_uniform(seed: u64, step: usize) -> f64 {
    let mut rng = stream(seed, "sampling");
    rng.set_word_pos(2 * step as u128);
    rng.random::<f64>()
}

/// The next token at step `step` (module doc).
pub fn choose(logits: &[f32], how: &Sampling, step: usize) -> u32 {
    match *how {
        Sampling::Greedy => greedy(logits) as u32,
        Sampling::Sample {
            temperature,
            top_k,
            seed,
        } => {
            let dist = sampling_distribution(logits, temperature, top_k);
            let u = step_uniform(seed, step);
            let mut acc = 0.0;
            for &(id, p) in &dist {
                acc += p;
                if u < acc {
                    return id as u32;
                }
            }
            // Rounding left the total just below u: the last kept token.
            dist.last().map_or(0, |(id, _)| *id as u32)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_takes_the_first_largest_and_ignores_nan() {
        assert_eq!(greedy(&[1.0, 3.0, 3.0, -1.0]), 1);
        assert_eq!(greedy(&[f32::NAN, 0.5, 2.0]), 2);
        assert_eq!(greedy(&[f32::NAN]), 0);
        assert_eq!(choose(&[0.0, 5.0, 1.0], &Sampling::Greedy, 3), 1);
    }

    #[test]
    fn top_k_sampling_follows_the_softmax_and_is_reproducible() {
        // Logits ln(1), ln(2), ln(3), ln(100): top-3 keeps 100, 3, 2 → p = 100/105, 3/105, 2/105.
        let logits = [0.0f32, 2f32.ln(), 3f32.ln(), 100f32.ln()];
        let d = sampling_distribution(&logits, 1.0, 3);
        let ids: Vec<usize> = d.iter().map(|(i, _)| *i).collect();
        assert_eq!(ids, vec![3, 2, 1]);
        assert!((d[0].1 - 100.0 / 105.0).abs() < 1e-6 && (d[2].1 - 2.0 / 105.0).abs() < 1e-6);
        let how = Sampling::Sample {
            temperature: 1.0,
            top_k: 3,
            seed: 5,
        };
        let draws: Vec<u32> = (0..2000).map(|t| choose(&logits, &how, t)).collect();
        assert!(draws.iter().all(|&id| id != 0), "token 0 is outside the top 3");
        let freq = |id| draws.iter().filter(|&&d| d == id).count() as f64 / 2000.0;
        // Binomial standard deviations at n = 2000: ≈ 0.0047 (p = 0.952) and ≈ 0.0038 (p = 0.029).
        assert!((freq(3) - 100.0 / 105.0).abs() < 0.02, "{}", freq(3));
        assert!((freq(2) - 3.0 / 105.0).abs() < 0.015, "{}", freq(2));
        assert_eq!(draws, (0..2000).map(|t| choose(&logits, &how, t)).collect::<Vec<_>>());
        assert_eq!(
            choose(&logits, &how, 17),
            draws[17],
            "step 17 alone equals step 17 of the run"
        );
        let other = Sampling::Sample {
            temperature: 1.0,
            top_k: 3,
            seed: 6,
        };
        assert_ne!(draws, (0..2000).map(|t| choose(&logits, &other, t)).collect::<Vec<_>>());
    }

    #[test]
    fn temperature_is_clamped_and_nothing_becomes_nan() {
        assert_eq!(clamp_temperature(0.0), MIN_TEMPERATURE);
        assert_eq!(clamp_temperature(f32::NAN), MIN_TEMPERATURE);
        assert_eq!(clamp_temperature(1e9), MAX_TEMPERATURE);
        // τ = 0 acts as τ = 0.01: a gap of 1 gives e^(−100) ≈ 3.7e-44, so the top logit is chosen.
        let d = sampling_distribution(&[1.0, 2.0], 0.0, 0);
        assert!(d[0].1 == 1.0 && d[1].1 < 1e-40, "{d:?}");
        // τ = 100 over two logits 1 apart: e^(−0.01) → p ≈ (0.5025, 0.4975).
        let d = sampling_distribution(&[1.0, 2.0], f32::INFINITY, 0);
        assert!((d[0].1 - 1.0 / (1.0 + (-0.01f64).exp())).abs() < 1e-6);
        for row in [
            vec![f32::NEG_INFINITY; 3],
            vec![f32::NAN, 1.0, f32::INFINITY],
            vec![f32::MAX, f32::MIN, 0.0],
        ] {
            let d = sampling_distribution(&row, 1.0, 0);
            assert!(d.iter().all(|(_, p)| p.is_finite()), "{row:?}: {d:?}");
            assert!((d.iter().map(|(_, p)| p).sum::<f64>() - 1.0).abs() < 1e-12);
        }
        assert_eq!(
            choose(
                &[f32::NAN, 1.0, f32::INFINITY],
                &Sampling::Sample {
                    temperature: 1.0,
                    top_k: 0,
                    seed: 0
                },
                0
            ),
            2
        );
        assert!(sampling_distribution(&[], 1.0, 5).is_empty());
    }
}
