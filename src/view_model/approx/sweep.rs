//! The error-vs-size sweep of the current method as a resumable [`Job`], one point per step so the
//! points appear as they are computed ([`Job::partial`]). Linformer: k = 1, 2, 4, … N, Gaussian (mean
//! of [`SWEEP_SEEDS`]) and mean-pooled projections. Performer: m in [`SWEEP_MS`], positive and
//! trigonometric features (mean of the seeds). Other methods have no sweep. A sweep depends only on
//! the input head and on which of the two it is ([`SweepKey`]), not on the current k, m or redraw
//! seed, so changing those never restarts it.

use std::sync::Arc;

use crate::attention::approx::example_head::ExampleHead;
use crate::attention::approx::linformer::ProjectionKind;
use crate::attention::approx::performer::FeatureKind;
use crate::attention::approx::sweeps::{linformer_sweep, performer_sweep, ExactReference, SweepPoint};
use crate::attention::matrix::Matrix;
use crate::view_model::approx::params::{ApproxParams, InputKey, MethodChoice};
use crate::view_model::job::Job;

/// Seeds averaged in the random-projection sweeps.
pub const SWEEP_SEEDS: [u64; 4] = [0, 1, 2, 3];
/// Feature counts of the Performer sweep (capped at 512 so one point stays within a frame or two).
pub const SWEEP_MS: [usize; 8] = [4, 8, 16, 32, 64, 128, 256, 512];

/// Which sweep a method has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepKind {
    /// Error against Linformer's k.
    Linformer,
    /// Error against the Performer's m.
    Performer,
}

impl SweepKind {
    /// The sweep of `method`, if it has one.
    pub fn of(method: MethodChoice) -> Option<SweepKind> {
        match method {
            MethodChoice::Linformer => Some(SweepKind::Linformer),
            MethodChoice::Performer => Some(SweepKind::Performer),
            _ => None,
        }
    }
}

/// What a sweep depends on: the input head and the sweep kind.
pub type SweepKey = (InputKey, Option<SweepKind>);

/// The sweep key of `p`.
pub fn sweep_key(p: &ApproxParams) -> SweepKey {
    (p.input_key(), SweepKind::of(p.method))
}

/// One curve of the error sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSeries {
    /// Message id of the curve's label.
    pub label_id: &'static str,
    pub points: Vec<SweepPoint>,
}

/// One unit of sweep work: a parameter value of one curve, all seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
enum SweepUnit {
    Linformer {
        series: usize,
        kind: ProjectionKind,
        k: usize,
    },
    Performer {
        series: usize,
        kind: FeatureKind,
        m: usize,
    },
}

/// k = 1, 2, 4, … up to n, with n itself last.
pub fn sweep_ks(n: usize) -> Vec<usize> {
    let mut ks: Vec<usize> = std::iter::successors(Some(1usize), |k| Some(k * 2))
        .take_while(|k| *k < n)
        .collect();
    ks.push(n.max(1));
    ks
}

/// The sweep (module doc).
pub struct SweepJob {
    input: Arc<ExampleHead>,
    exact: ExactReference,
    units: Vec<SweepUnit>,
    next: usize,
    series: Vec<SweepSeries>,
}

impl SweepJob {
    /// Plans sweep `kind` on `input` (non-causal: Linformer has no causal form); None plans nothing.
    pub fn new(kind: Option<SweepKind>, input: Arc<ExampleHead>) -> Self {
        let mut units = Vec::new();
        let mut series = Vec::new();
        let n = input.q.rows;
        match kind {
            Some(SweepKind::Linformer) => {
                for (s, (kind, id)) in [
                    (ProjectionKind::Gaussian, "approx.sweep.gaussian"),
                    (ProjectionKind::MeanPool, "approx.sweep.mean"),
                ]
                .into_iter()
                .enumerate()
                {
                    series.push(SweepSeries {
                        label_id: id,
                        points: Vec::new(),
                    });
                    units.extend(
                        sweep_ks(n)
                            .into_iter()
                            .map(|k| SweepUnit::Linformer { series: s, kind, k }),
                    );
                }
            }
            Some(SweepKind::Performer) => {
                for (s, (kind, id)) in [
                    (FeatureKind::Positive, "approx.sweep.positive"),
                    (FeatureKind::Trigonometric, "approx.sweep.trig"),
                ]
                .into_iter()
                .enumerate()
                {
                    series.push(SweepSeries {
                        label_id: id,
                        points: Vec::new(),
                    });
                    units.extend(SWEEP_MS.iter().map(|&m| SweepUnit::Performer { series: s, kind, m }));
                }
            }
            None => {}
        }
        let exact = if units.is_empty() {
            ExactReference {
                output: Matrix::zeros(0, 0),
                weights: Matrix::zeros(0, 0),
            }
        } else {
            ExactReference::compute(input.q.view(), input.k.view(), input.v.view(), false)
        };
        Self {
            input,
            exact,
            units,
            next: 0,
            series,
        }
    }

    /// The curves computed so far.
    pub fn series(&self) -> &[SweepSeries] {
        &self.series
    }
}

impl Job for SweepJob {
    type Output = Vec<SweepSeries>;

    /// Computes the next point.
    fn step(&mut self) {
        let Some(unit) = self.units.get(self.next).copied() else {
            return;
        };
        let (q, k, v) = (self.input.q.view(), self.input.k.view(), self.input.v.view());
        let (s, pts) = match unit {
            SweepUnit::Linformer { series, kind, k: kk } => {
                (series, linformer_sweep(q, k, v, &self.exact, kind, &[kk], &SWEEP_SEEDS))
            }
            SweepUnit::Performer { series, kind, m } => {
                (series, performer_sweep(q, k, v, &self.exact, kind, &[m], &SWEEP_SEEDS))
            }
        };
        self.series[s].points.extend(pts);
        self.next += 1;
    }

    /// Fraction of points computed (1 for an empty sweep).
    fn progress(&self) -> f64 {
        if self.units.is_empty() {
            1.0
        } else {
            self.next as f64 / self.units.len() as f64
        }
    }

    fn is_done(&self) -> bool {
        self.next >= self.units.len()
    }

    fn finish(mut self) -> Vec<SweepSeries> {
        while !self.is_done() {
            self.step();
        }
        self.series
    }

    fn partial(&self) -> Option<Vec<SweepSeries>> {
        Some(self.series.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::approx::params::parse;
    use crate::view_model::job::run_to_end;
    use crate::view_model::params::pairs_lookup;

    fn head(n: usize) -> Arc<ExampleHead> {
        Arc::new(ExampleHead::build(n, 32, 1, 100))
    }

    #[test]
    fn sweep_jobs_plan_one_point_per_parameter_and_curve() {
        assert_eq!(sweep_ks(20), vec![1, 2, 4, 8, 16, 20]);
        assert_eq!(sweep_ks(16), vec![1, 2, 4, 8, 16]);
        assert_eq!(sweep_ks(1), vec![1]);
        let mut job = SweepJob::new(Some(SweepKind::Linformer), head(20));
        let mut steps = 0;
        while !job.is_done() {
            job.step();
            steps += 1;
            let partial = job.partial().expect("points so far");
            assert_eq!(partial.iter().map(|s| s.points.len()).sum::<usize>(), steps);
        }
        assert_eq!(steps, 12);
        let mean = &job.series()[1].points;
        assert_eq!(mean.last().map(|pt| pt.x), Some(20));
        assert!(
            mean.last().unwrap().mean.output < 1e-5,
            "mean pooling with k = N is exact"
        );
        let none = SweepJob::new(None, head(20));
        assert!(none.is_done() && none.series().is_empty());
        assert_eq!(none.progress(), 1.0);
    }

    #[test]
    fn finish_completes_the_sweep_and_the_key_ignores_k_m_and_the_redraw_seed() {
        let mut job = SweepJob::new(Some(SweepKind::Performer), head(16));
        job.step();
        let series = job.finish();
        assert_eq!(series.iter().map(|s| s.points.len()).collect::<Vec<_>>(), vec![8, 8]);
        assert_eq!(run_to_end(SweepJob::new(Some(SweepKind::Performer), head(16))), series);
        let key = |q: &[(&str, &str)]| sweep_key(&parse(&pairs_lookup(q)).params);
        assert_eq!(key(&[]), key(&[("m", "256"), ("fseed", "9"), ("k", "3")]));
        assert_ne!(key(&[]), key(&[("n", "64")]));
        assert_ne!(key(&[]), key(&[("method", "linformer")]));
        assert_eq!(key(&[("method", "mixer")]), key(&[("method", "synthesizer")]));
    }
}
