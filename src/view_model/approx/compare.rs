//! Exact attention next to the chosen method on one head, as a resumable [`Job`]:
//! [`ComparisonJob::new`] runs the method (the one step that can refuse a configuration, so the
//! refusal shows before anything else is computed); the steps then compute exact attention, the
//! errors with the difference map, and the exact matrix's spectrum.

use std::sync::Arc;

use crate::attention::approx::cost::{exact_cost, MethodCost};
use crate::attention::approx::example_head::ExampleHead;
use crate::attention::approx::method::{HeadInput, MethodError, MethodRun};
use crate::attention::approx::metrics::{error_metrics, ErrorMetrics};
use crate::attention::approx::sweeps::{spectrum, ExactReference, Spectrum};
use crate::attention::matrix::Matrix;
use crate::view_model::approx::params::ApproxParams;
use crate::view_model::job::Job;

/// Exact attention, the method's run, the errors and the exact matrix's spectrum.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The head both ran on.
    pub input: Arc<ExampleHead>,
    pub exact: ExactReference,
    pub run: MethodRun,
    pub metrics: ErrorMetrics,
    /// implied − exact, N × N.
    pub difference: Matrix,
    pub exact_cost: MethodCost,
    pub spectrum: Spectrum,
}

/// Where the job stands, with the data that stage works on.
enum Stage {
    Exact,
    Errors {
        exact: ExactReference,
    },
    Spectrum {
        exact: ExactReference,
        metrics: ErrorMetrics,
        difference: Matrix,
    },
    Done {
        exact: ExactReference,
        metrics: ErrorMetrics,
        difference: Matrix,
        spectrum: Spectrum,
    },
}

/// The comparison of one head (module doc).
pub struct ComparisonJob {
    input: Arc<ExampleHead>,
    causal: bool,
    exact_cost: MethodCost,
    run: MethodRun,
    stage: Stage,
}

impl ComparisonJob {
    /// Runs the chosen method of `p` on `input` (module doc).
    pub fn new(p: &ApproxParams, input: Arc<ExampleHead>) -> Result<Self, MethodError> {
        let head = HeadInput {
            x: input.x.view(),
            q: input.q.view(),
            k: input.k.view(),
            v: input.v.view(),
            causal: p.causal,
        };
        let run = p.method().run(&head)?;
        Ok(Self {
            exact_cost: exact_cost(p.n, p.d(), p.d()),
            causal: p.causal,
            input,
            run,
            stage: Stage::Exact,
        })
    }

    /// The stage after `stage` (Done stays Done).
    fn advance(&self, stage: Stage) -> Stage {
        let i = &self.input;
        match stage {
            Stage::Exact => Stage::Errors {
                exact: ExactReference::compute(i.q.view(), i.k.view(), i.v.view(), self.causal),
            },
            Stage::Errors { exact } => {
                let run = &self.run;
                let metrics = error_metrics(&exact.output, &exact.weights, &run.output, &run.implied);
                let w = &exact.weights;
                let difference = Matrix::from_vec(
                    w.rows,
                    w.cols,
                    run.implied.data.iter().zip(&w.data).map(|(a, b)| a - b).collect(),
                );
                Stage::Spectrum {
                    exact,
                    metrics,
                    difference,
                }
            }
            Stage::Spectrum {
                exact,
                metrics,
                difference,
            } => Stage::Done {
                spectrum: spectrum(&exact.weights),
                exact,
                metrics,
                difference,
            },
            done @ Stage::Done { .. } => done,
        }
    }
}

impl Job for ComparisonJob {
    type Output = Comparison;

    fn step(&mut self) {
        // `Exact` holds nothing: a placeholder for the length of this synchronous step.
        let stage = std::mem::replace(&mut self.stage, Stage::Exact);
        self.stage = self.advance(stage);
    }

    fn progress(&self) -> f64 {
        match self.stage {
            Stage::Exact => 0.0,
            Stage::Errors { .. } => 0.5,
            Stage::Spectrum { .. } => 0.75,
            Stage::Done { .. } => 1.0,
        }
    }

    fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done { .. })
    }

    fn finish(mut self) -> Comparison {
        let mut stage = std::mem::replace(&mut self.stage, Stage::Exact);
        loop {
            match stage {
                Stage::Done {
                    exact,
                    metrics,
                    difference,
                    spectrum,
                } => {
                    return Comparison {
                        input: self.input,
                        exact,
                        run: self.run,
                        metrics,
                        difference,
                        exact_cost: self.exact_cost,
                        spectrum,
                    }
                }
                other => stage = self.advance(other),
            }
        }
    }
}
