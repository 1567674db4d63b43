//! One entry point for the view: run any approximation on one head and get its output, its implied
//! N × N matrix, its measured peak buffer and its cost formula.
//!
//! Inputs follow the exact head: Q, K (N × d), V (N × d_v) and the token representations X
//! (N × d_model, read only by the Synthesizer's dense variants). Scales: Linformer uses 1/√d like
//! exact attention, the Performer's features estimate exp(q·k/√d), linear attention applies elu + 1 to
//! raw q and k as in its paper. The token mixer is applied to V (Y = W2·gelu(W1·V)), so its output is
//! comparable with O = A·V.

use crate::attention::message::{Explain, Message};
use std::fmt;

use crate::attention::approx::cost::{
    linear_cost, linformer_cost, mixer_cost, performer_cost, synthesizer_cost, MethodCost,
};
use crate::attention::approx::fixed_length::SequenceTooLong;
use crate::attention::approx::implied::{linear_implied, linformer_implied, performer_implied, ImpliedKind};
use crate::attention::approx::linear::linear_attend;
use crate::attention::approx::linformer::{linformer_attend, LinformerProjections, ProjectionKind};
use crate::attention::approx::mixer::TokenMixer;
use crate::attention::approx::performer::{performer_attend, FeatureKind, PerformerConfig, RandomFeatures};
use crate::attention::approx::sweeps::standard_scale;
use crate::attention::approx::synthesizer::{Synthesizer, SynthesizerConfig};
use crate::attention::matrix::{MatRef, Matrix};

/// An approximation and its settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApproxMethod {
    /// Linear attention, φ = elu + 1.
    Linear,
    /// Performer with m random features.
    Performer(PerformerConfig),
    /// Linformer with k summary positions (k clamped to 1 ..= N).
    Linformer { kind: ProjectionKind, k: usize, seed: u64 },
    /// Synthesizer logits; sequences longer than `max_len` are rejected.
    Synthesizer(SynthesizerConfig),
    /// MLP-Mixer token mixing with hidden width `hidden`, weights drawn for `max_len` positions.
    Mixer { hidden: usize, max_len: usize, seed: u64 },
}

/// One head's inputs.
#[derive(Clone, Copy, Debug)]
pub struct HeadInput<'a> {
    /// Token representations, N × d_model (for the Synthesizer).
    pub x: MatRef<'a>,
    /// Queries, N × d.
    pub q: MatRef<'a>,
    /// Keys, N × d.
    pub k: MatRef<'a>,
    /// Values, N × d_v.
    pub v: MatRef<'a>,
    /// Query i sees only keys j ≤ i.
    pub causal: bool,
}

/// Why a method cannot run on this input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodError {
    /// The method has no causal form (Linformer's summaries mix future tokens; the Synthesizer and
    /// mixer as built here are bidirectional).
    CausalUnsupported { method: &'static str },
    /// Position-indexed weights cover fewer positions than N.
    TooLong(SequenceTooLong),
}

impl fmt::Display for MethodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MethodError::CausalUnsupported { method } => write!(f, "{method} has no causal form"),
            MethodError::TooLong(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for MethodError {}

impl Explain for MethodError {
    fn message(&self) -> Message {
        match self {
            MethodError::CausalUnsupported { method } => Message::new("error.no_causal").arg("method", method),
            MethodError::TooLong(e) => e.message(),
        }
    }
}

impl From<SequenceTooLong> for MethodError {
    fn from(e: SequenceTooLong) -> Self {
        MethodError::TooLong(e)
    }
}

/// Everything the view shows about one run.
#[derive(Clone, Debug, PartialEq)]
pub struct MethodRun {
    /// N × d_v.
    pub output: Matrix,
    /// The N × N matrix A with O = A·V (the mixer: its mean Jacobian), see `implied`.
    pub implied: Matrix,
    /// Whether `implied` is a probability matrix, signed-normalised or a signed map.
    pub implied_kind: ImpliedKind,
    /// Largest intermediate the kernel allocated, in f32 values.
    pub peak_intermediate_len: usize,
    /// FLOP and buffer formulas at this N, d, d_v.
    pub cost: MethodCost,
}

impl ApproxMethod {
    /// A short English name (the view translates through its catalogue; this is for errors and logs).
    pub fn name(&self) -> &'static str {
        match self {
            ApproxMethod::Linear => "linear attention",
            ApproxMethod::Performer(_) => "Performer",
            ApproxMethod::Linformer { .. } => "Linformer",
            ApproxMethod::Synthesizer(_) => "Synthesizer",
            ApproxMethod::Mixer { .. } => "token mixer",
        }
    }

    /// Whether the method has a causal form here (linear attention and the Performer do).
    pub fn supports_causal(&self) -> bool {
        matches!(self, ApproxMethod::Linear | ApproxMethod::Performer(_))
    }

    /// Runs the method on one head (see the module doc for scales and inputs).
    pub fn run(&self, input: &HeadInput<'_>) -> Result<MethodRun, MethodError> {
        if input.causal && !self.supports_causal() {
            return Err(MethodError::CausalUnsupported { method: self.name() });
        }
        let HeadInput { x, q, k, v, causal } = *input;
        let (n, d, d_v) = (k.rows, q.cols, v.cols);
        Ok(match *self {
            ApproxMethod::Linear => {
                let out = linear_attend(q, k, v, causal);
                MethodRun {
                    output: out.output,
                    implied: linear_implied(q, k, causal),
                    implied_kind: ImpliedKind::Probabilities,
                    peak_intermediate_len: out.peak_intermediate_len,
                    cost: linear_cost(n, d, d_v),
                }
            }
            ApproxMethod::Performer(config) => {
                let features = RandomFeatures::draw(d, config);
                let out = performer_attend(q, k, v, &features, causal);
                MethodRun {
                    output: out.output,
                    implied: performer_implied(q, k, &features, causal),
                    implied_kind: match config.kind {
                        FeatureKind::Positive => ImpliedKind::Probabilities,
                        FeatureKind::Trigonometric => ImpliedKind::SignedNormalised,
                    },
                    peak_intermediate_len: out.peak_intermediate_len,
                    cost: performer_cost(n, d, d_v, features.projection.rows, config.kind),
                }
            }
            ApproxMethod::Linformer { kind, k: k_proj, seed } => {
                let proj = LinformerProjections::new(kind, n, k_proj, seed);
                let out = linformer_attend(q, k, v, standard_scale(d), &proj);
                MethodRun {
                    implied: linformer_implied(&out.weights, &proj),
                    implied_kind: match kind {
                        ProjectionKind::MeanPool => ImpliedKind::Probabilities,
                        ProjectionKind::Gaussian => ImpliedKind::SignedMap,
                    },
                    output: out.attended.output,
                    peak_intermediate_len: out.attended.peak_intermediate_len,
                    cost: linformer_cost(n, d, d_v, proj.k()),
                }
            }
            ApproxMethod::Synthesizer(config) => {
                let synth = Synthesizer::draw(x.cols, config);
                let out = synth.attend(x, v)?;
                MethodRun {
                    output: out.attended.output,
                    implied: out.weights,
                    implied_kind: ImpliedKind::Probabilities,
                    peak_intermediate_len: out.attended.peak_intermediate_len,
                    cost: synthesizer_cost(n, x.cols, d_v, config.kind, config.hidden, config.rank, synth.max_len),
                }
            }
            ApproxMethod::Mixer { hidden, max_len, seed } => {
                let mixer = TokenMixer::draw(max_len, hidden, seed);
                let out = mixer.mix(v)?;
                MethodRun {
                    output: out.output,
                    implied: mixer.mean_jacobian(v)?,
                    implied_kind: ImpliedKind::SignedMap,
                    peak_intermediate_len: out.peak_intermediate_len,
                    cost: mixer_cost(n, d_v, mixer.w1.rows),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::approx::synthesizer::SynthesizerKind;
    use crate::attention::rng::{normal_matrix, stream};

    fn all_methods(max_len: usize) -> Vec<ApproxMethod> {
        vec![
            ApproxMethod::Linear,
            ApproxMethod::Performer(PerformerConfig {
                features: 64,
                kind: FeatureKind::Positive,
                seed: 1,
            }),
            ApproxMethod::Performer(PerformerConfig {
                features: 64,
                kind: FeatureKind::Trigonometric,
                seed: 1,
            }),
            ApproxMethod::Linformer {
                kind: ProjectionKind::Gaussian,
                k: 8,
                seed: 2,
            },
            ApproxMethod::Linformer {
                kind: ProjectionKind::MeanPool,
                k: 8,
                seed: 2,
            },
            ApproxMethod::Synthesizer(SynthesizerConfig {
                kind: SynthesizerKind::Dense,
                max_len,
                hidden: 16,
                rank: 4,
                seed: 3,
            }),
            ApproxMethod::Mixer {
                hidden: 16,
                max_len,
                seed: 4,
            },
        ]
    }

    #[test]
    fn every_method_runs_and_its_implied_matrix_reproduces_its_output() {
        let mut rng = stream(1, "method-test");
        let (n, d) = (24, 8);
        let x = normal_matrix(&mut rng, n, 16, 1.0);
        let q = normal_matrix(&mut rng, n, d, 0.5);
        let k = normal_matrix(&mut rng, n, d, 0.5);
        let v = normal_matrix(&mut rng, n, d, 1.0);
        for causal in [false, true] {
            let input = HeadInput {
                x: x.view(),
                q: q.view(),
                k: k.view(),
                v: v.view(),
                causal,
            };
            for m in all_methods(32) {
                let run = match m.run(&input) {
                    Ok(run) => run,
                    Err(e) => {
                        assert!(causal && !m.supports_causal(), "{}: {e}", m.name());
                        assert_eq!(e, MethodError::CausalUnsupported { method: m.name() });
                        continue;
                    }
                };
                assert_eq!((run.implied.rows, run.implied.cols), (n, n));
                assert_eq!((run.output.rows, run.output.cols), (n, d));
                // Every method but the (non-linear) mixer computes O = A·V.
                if !matches!(m, ApproxMethod::Mixer { .. }) {
                    let diff = run.implied.matmul(&v).max_abs_diff(&run.output);
                    assert!(diff < 1e-3, "{} causal={causal}: {diff}", m.name());
                }
                if run.implied_kind != ImpliedKind::SignedMap {
                    for i in 0..n {
                        assert!(
                            (run.implied.row(i).iter().sum::<f32>() - 1.0).abs() < 1e-3,
                            "{}",
                            m.name()
                        );
                    }
                }
                if run.implied_kind == ImpliedKind::Probabilities {
                    assert!(run.implied.data.iter().all(|a| *a >= 0.0), "{}", m.name());
                }
                assert_eq!(
                    run.peak_intermediate_len as f64,
                    run.cost.largest_buffer,
                    "{}",
                    m.name()
                );
            }
        }
    }

    #[test]
    fn an_empty_sequence_or_zero_width_head_gives_empty_outputs_not_a_panic() {
        for (n, d) in [(0, 8), (5, 0)] {
            let x = Matrix::zeros(n, 4);
            let q = Matrix::zeros(n, d);
            let input = HeadInput {
                x: x.view(),
                q: q.view(),
                k: q.view(),
                v: q.view(),
                causal: false,
            };
            for m in all_methods(32) {
                let run = m.run(&input).expect("small input");
                assert_eq!((run.output.rows, run.output.cols), (n, d), "{}", m.name());
                assert!(run.output.data.iter().all(|o| o.is_finite()), "{}", m.name());
            }
        }
    }

    #[test]
    fn position_indexed_methods_reject_sequences_longer_than_their_weights() {
        let x = Matrix::zeros(40, 16);
        let q = Matrix::zeros(40, 8);
        let input = HeadInput {
            x: x.view(),
            q: q.view(),
            k: q.view(),
            v: q.view(),
            causal: false,
        };
        for m in all_methods(32) {
            let r = m.run(&input);
            match m {
                ApproxMethod::Synthesizer(_) | ApproxMethod::Mixer { .. } => assert_eq!(
                    r.err(),
                    Some(MethodError::TooLong(SequenceTooLong { n: 40, max_len: 32 }))
                ),
                _ => assert!(r.is_ok(), "{}", m.name()),
            }
        }
    }
}
