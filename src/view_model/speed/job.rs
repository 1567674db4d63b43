//! The benchmark as a [`Job`]: tasks ordered by N then kernel, each measured in bounded steps —
//! prepare the inputs (untimed), one timed warm-up call, then one timed batch of calls per step until
//! the [`Sampler`] is satisfied. One kernel call is never interrupted; the runner yields between steps,
//! shows [`Job::partial`] reports as the table fills, and drops the job when the settings change or
//! the user presses Stop.
//!
//! Time comes from an injected [`Clock`] (`performance.now()` in the browser, where
//! `std::time::Instant` panics; a fake clock in tests).

use std::hint::black_box;

use crate::attention::bench::{BenchKernel, Prepared};
use crate::view_model::job::Job;
use crate::view_model::speed::params::Plan;
pub use crate::view_model::speed::report::{BenchReport, BenchState};
use crate::view_model::speed::sampling::{Outcome, Sampler, Task, Timing};

/// A measurement predicted to take longer than this (ms) is skipped rather than freezing the page.
pub const SKIP_ABOVE_MS: f64 = 10_000.0;

/// A clock in milliseconds.
pub type Clock = fn() -> f64;

/// Where the task at hand stands, with the data that step works on.
enum Phase {
    /// Pick the next task (passing over skipped ones) and prepare its inputs.
    Next,
    /// Time one warm-up call.
    WarmUp {
        task: Task,
        prepared: Prepared,
    },
    /// Time one batch of calls.
    Sampling {
        task: Task,
        prepared: Prepared,
        sampler: Sampler,
    },
    Done,
}

/// The benchmark of one plan.
pub struct BenchJob {
    plan: Plan,
    tasks: Vec<Task>,
    next: usize,
    results: Vec<(Task, Outcome)>,
    phase: Phase,
    clock: Clock,
    started_ms: f64,
    measured: usize,
    /// Set for a job that measures nothing and reports this state (idle or stopped).
    standing: Option<BenchState>,
}

impl BenchJob {
    /// The benchmark of `plan`: every kernel at every N of `plan.lengths()`, timed by `clock`.
    pub fn new(plan: Plan, clock: Clock) -> Self {
        let tasks = plan
            .lengths()
            .into_iter()
            .flat_map(|n| BenchKernel::ALL.into_iter().map(move |kernel| Task { kernel, n }))
            .collect();
        Self {
            plan,
            tasks,
            next: 0,
            results: Vec::new(),
            phase: Phase::Next,
            clock,
            started_ms: clock(),
            measured: 0,
            standing: None,
        }
    }

    /// A job with nothing to measure that reports `state` (idle, or stopped by the user) and keeps
    /// `results` on screen.
    pub fn standing(plan: Plan, results: Vec<(Task, Outcome)>, state: BenchState) -> Self {
        Self {
            plan,
            tasks: Vec::new(),
            next: 0,
            results,
            phase: Phase::Done,
            clock: || 0.0,
            started_ms: 0.0,
            measured: 0,
            standing: Some(state),
        }
    }

    /// Predicted duration (ms) of measuring `task`: the kernel's best time at the previous length
    /// times (N / N_prev)² (quadratic growth, the worst case of these kernels), times 2 calls
    /// (warm-up and one sample). None without a previous measurement.
    pub fn predicted_ms(&self, task: Task) -> Option<f64> {
        self.results
            .iter()
            .filter(|(t, _)| t.kernel == task.kernel && t.n < task.n)
            .filter_map(|(t, o)| match o {
                Outcome::Measured(m) => Some((t.n, m.best_ms)),
                Outcome::Skipped { .. } => None,
            })
            .max_by_key(|(n, _)| *n)
            .map(|(n, ms)| 2.0 * ms * (task.n as f64 / n as f64).powi(2))
    }

    /// The next task to time, recording as skipped (and passing over) any predicted above
    /// [`SKIP_ABOVE_MS`] or following a skip of the same kernel. None when the plan is finished.
    pub fn next_task(&mut self) -> Option<Task> {
        while let Some(&task) = self.tasks.get(self.next) {
            let after_skip = self
                .results
                .iter()
                .any(|(t, o)| t.kernel == task.kernel && matches!(o, Outcome::Skipped { .. }));
            match self.predicted_ms(task) {
                Some(p) if p > SKIP_ABOVE_MS || after_skip => {
                    self.results.push((task, Outcome::Skipped { predicted_ms: p }));
                    self.next += 1;
                }
                _ => return Some(task),
            }
        }
        None
    }

    /// Records the timing of the task last returned by [`BenchJob::next_task`] and moves on.
    pub fn record(&mut self, task: Task, timing: Timing) {
        self.results.push((task, Outcome::Measured(timing)));
        self.next += 1;
        self.measured += 1;
    }

    /// Results so far, in plan order.
    pub fn results(&self) -> &[(Task, Outcome)] {
        &self.results
    }

    /// The next phase once `sampler` has taken another sample of `task`.
    fn after_sample(&mut self, task: Task, prepared: Prepared, sampler: Sampler) -> Phase {
        if sampler.is_done() {
            if let Some((best_ms, median_ms)) = sampler.summary() {
                let flops = prepared.flops();
                let samples = sampler.samples();
                self.record(
                    task,
                    Timing {
                        best_ms,
                        median_ms,
                        samples,
                        flops,
                    },
                );
                return Phase::Next;
            }
        }
        Phase::Sampling {
            task,
            prepared,
            sampler,
        }
    }

    fn report(&self, state: BenchState) -> BenchReport {
        BenchReport {
            plan: self.plan,
            results: self.results.clone(),
            state,
        }
    }
}

impl Job for BenchJob {
    type Output = BenchReport;

    /// Prepares a task's inputs, or times its warm-up call, or times one batch of calls.
    fn step(&mut self) {
        let clock = self.clock;
        self.phase = match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Next => match self.next_task() {
                None => Phase::Done,
                Some(task) => Phase::WarmUp {
                    task,
                    prepared: Prepared::new(task.kernel, task.n, self.plan.d, self.plan.causal),
                },
            },
            Phase::WarmUp { task, prepared } => {
                let mut sampler = Sampler::default();
                let t = clock();
                black_box(prepared.run());
                sampler.warm_up(clock() - t);
                self.after_sample(task, prepared, sampler)
            }
            Phase::Sampling {
                task,
                prepared,
                mut sampler,
            } => {
                let batch = sampler.batch();
                let t = clock();
                for _ in 0..batch {
                    black_box(prepared.run());
                }
                sampler.add_sample(clock() - t);
                self.after_sample(task, prepared, sampler)
            }
            Phase::Done => Phase::Done,
        };
    }

    fn progress(&self) -> f64 {
        if self.tasks.is_empty() {
            1.0
        } else {
            self.results.len() as f64 / self.tasks.len() as f64
        }
    }

    fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done)
    }

    fn finish(mut self) -> BenchReport {
        while !self.is_done() {
            self.step();
        }
        let state = self.standing.unwrap_or(BenchState::Finished {
            measured: self.measured,
            secs: ((self.clock)() - self.started_ms) / 1000.0,
        });
        self.report(state)
    }

    fn partial(&self) -> Option<BenchReport> {
        let current = match &self.phase {
            Phase::WarmUp { task, .. } | Phase::Sampling { task, .. } => Some(*task),
            Phase::Next => self.tasks.get(self.next).copied(),
            Phase::Done => None,
        };
        Some(self.report(BenchState::Running {
            current,
            done: self.results.len(),
            total: self.tasks.len(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::job::run_to_end;
    use std::cell::Cell;

    thread_local! {
        static NOW: Cell<f64> = const { Cell::new(0.0) };
    }

    /// A clock that advances 1 ms per reading: a warm-up lasts 1 ms, so batches are of 2 calls.
    fn fake_clock() -> f64 {
        NOW.with(|t| {
            t.set(t.get() + 1.0);
            t.get()
        })
    }

    fn plan(max_n: usize) -> Plan {
        Plan {
            max_n,
            d: 16,
            causal: false,
        }
    }

    #[test]
    fn job_visits_every_kernel_at_every_length_then_finishes() {
        let mut job = BenchJob::new(plan(512), fake_clock);
        let mut seen = Vec::new();
        while let Some(task) = job.next_task() {
            seen.push((task.n, task.kernel));
            job.record(task, Timing::single_call(1.0));
        }
        assert_eq!(seen.len(), 2 * BenchKernel::ALL.len());
        assert_eq!(seen[0], (256, BenchKernel::Exact));
        assert_eq!(seen[7], (512, BenchKernel::Exact));
        assert_eq!(job.progress(), 1.0);
        job.step();
        assert!(job.is_done());
        assert_eq!(
            crate::view_model::speed::sampling::points(job.results(), BenchKernel::Linear),
            vec![(256.0, 1.0), (512.0, 1.0)]
        );
    }

    #[test]
    fn job_skips_a_measurement_predicted_over_ten_seconds() {
        let mut job = BenchJob::new(plan(8192), fake_clock);
        while let Some(task) = job.next_task() {
            // Exact at 4096 took 1.5 s: at 8192 predicted 2 calls × 1.5 s × 4 = 12 s > 10 s → skipped.
            let ms = if task.kernel == BenchKernel::Exact && task.n == 4096 {
                1500.0
            } else {
                1.0
            };
            job.record(task, Timing::single_call(ms));
        }
        let last_exact = job
            .results()
            .iter()
            .find(|(t, _)| t.kernel == BenchKernel::Exact && t.n == 8192);
        assert_eq!(
            last_exact.map(|r| r.1),
            Some(Outcome::Skipped { predicted_ms: 12_000.0 })
        );
        // Flash at 8192: predicted 2 × 1 ms × 4 = 8 ms, measured.
        assert!(matches!(
            job.results()
                .iter()
                .find(|(t, _)| t.kernel == BenchKernel::Flash && t.n == 8192),
            Some((_, Outcome::Measured(_)))
        ));
        assert_eq!(job.results().len(), 6 * BenchKernel::ALL.len());
    }

    #[test]
    fn each_step_prepares_or_times_one_call_or_one_batch_and_partials_show_the_task_at_hand() {
        let mut job = BenchJob::new(plan(256), fake_clock);
        let first = Task {
            kernel: BenchKernel::Exact,
            n: 256,
        };
        let running = |job: &BenchJob| job.partial().map(|r| r.state);
        assert_eq!(
            running(&job),
            Some(BenchState::Running {
                current: Some(first),
                done: 0,
                total: 7
            })
        );
        job.step(); // prepare
        assert!(matches!(job.phase, Phase::WarmUp { .. }));
        job.step(); // warm-up: 1 ms → batches of 2 calls
        assert!(matches!(&job.phase, Phase::Sampling { sampler, .. } if sampler.batch() == 2));
        for _ in 0..5 {
            job.step(); // five batches of 1 ms
        }
        assert!(matches!(job.phase, Phase::Next));
        assert_eq!(job.results().len(), 1);
        let Outcome::Measured(t) = job.results()[0].1 else {
            panic!("measured")
        };
        // 1 ms per batch of 2 calls: 0.5 ms per call, five samples.
        assert_eq!((t.best_ms, t.median_ms, t.samples), (0.5, 0.5, 5));
        assert_eq!(t.flops, Prepared::new(BenchKernel::Exact, 256, 16, false).flops());
        assert_eq!(job.progress(), 1.0 / 7.0);
    }

    #[test]
    fn finish_completes_the_plan_and_reports_every_measurement() {
        let mut job = BenchJob::new(plan(256), fake_clock);
        job.step();
        let report = job.finish();
        assert_eq!(report.results.len(), 7);
        assert!(matches!(report.state, BenchState::Finished { measured: 7, secs } if secs > 0.0));
        let names: Vec<String> = report.metrics().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names[0], "speed_exact_256");
        assert_eq!(names[6], "speed_performer_256");
        assert!(!report.is_running());
        assert_eq!(run_to_end(BenchJob::new(plan(256), fake_clock)).results.len(), 7);
    }

    #[test]
    fn a_standing_job_keeps_the_results_and_reports_its_state_at_once() {
        let task = Task {
            kernel: BenchKernel::Linear,
            n: 256,
        };
        let kept = vec![(task, Outcome::Measured(Timing::single_call(2.0)))];
        let job = BenchJob::standing(plan(256), kept.clone(), BenchState::Stopped);
        assert!(job.is_done());
        assert_eq!(job.progress(), 1.0);
        let report = job.finish();
        assert_eq!((report.results, report.state), (kept, BenchState::Stopped));
    }
}
