//! The benchmark as a [`Job`]: tasks ordered by N then kernel, each measured in bounded steps —
//! prepare the inputs (untimed), one timed warm-up call, then one timed batch of calls per step until
//! the [`Sampler`] is satisfied. With a [`MemoryProbe`] the warm-up call's peak allocation is
//! measured too (the probe is reset right before it and read right after it). One kernel call is never interrupted; the runner yields between steps,
//! shows [`Job::partial`] reports as the table fills, and drops the job when the settings change or
//! the user presses Stop.
//!
//! Time comes from an injected [`Clock`] (`performance.now()` in the browser, where
//! `std::time::Instant` panics; a fake clock in tests).

use std::hint::black_box;
use std::rc::Rc;
use std::task::Poll;

use crate::attention::bench::{BenchKernel, Prepared};
use crate::view_model::job::Job;
use crate::view_model::offload::{Offload, PendingCall};
use crate::view_model::speed::params::Plan;
use crate::view_model::speed::quality::MemoryProbe;
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
        /// The warm-up call's peak bytes.
        peak: Option<f64>,
    },
    /// Exact attention on the workers: a warm-up call, then batches of calls, each call started,
    /// then polled until its parts are back (the runner sleeps between polls, [`Job::waiting`]).
    Remote {
        task: Task,
        prepared: Prepared,
        sampler: Sampler,
        /// The call in flight.
        call: Option<Box<dyn PendingCall>>,
        /// Clock reading at the start of the batch (or of the warm-up call).
        started: f64,
        /// Calls of the batch still to finish.
        left: usize,
        /// This batch is the warm-up call.
        warm_up: bool,
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
    /// Where [`BenchKernel::ExactWorkers`] runs (None: it is reported unavailable).
    offload: Option<Rc<dyn Offload>>,
    /// Measures each warm-up call's peak allocation (None: no peak recorded).
    probe: Option<Rc<dyn MemoryProbe>>,
}

impl BenchJob {
    /// The benchmark of `plan`: every kernel at every N of `plan.lengths()`, timed by `clock`.
    pub fn new(plan: Plan, clock: Clock) -> Self {
        let kernels = plan.kernels();
        let tasks = plan
            .lengths()
            .into_iter()
            .flat_map(|n| kernels.iter().map(move |&kernel| Task { kernel, n }))
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
            offload: None,
            probe: None,
        }
    }

    /// The same job, measuring the peak bytes of one call per (kernel, N) with `probe` (the page's
    /// counting allocator).
    pub fn with_probe(mut self, probe: Rc<dyn MemoryProbe>) -> Self {
        self.probe = Some(probe);
        self
    }

    /// The same job, running [`BenchKernel::ExactWorkers`] on `offload` (the app's workers).
    pub fn with_offload(mut self, offload: Rc<dyn Offload>) -> Self {
        self.offload = Some(offload);
        self
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
            offload: None,
            probe: None,
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
                Outcome::Skipped { .. } | Outcome::Unavailable => None,
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

    /// The next phase once `sampler` has taken another sample of `task` (`peak`: the warm-up call's
    /// peak bytes).
    fn after_sample(&mut self, task: Task, prepared: Prepared, sampler: Sampler, peak: Option<f64>) -> Phase {
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
                        peak_bytes: peak,
                    },
                );
                return Phase::Next;
            }
        }
        Phase::Sampling {
            task,
            prepared,
            sampler,
            peak,
        }
    }

    /// Starts one call of `prepared` on the workers; None when they cannot take it.
    fn start_remote(&self, prepared: &Prepared) -> Option<Box<dyn PendingCall>> {
        let offload = self.offload.as_ref().filter(|o| o.threads() > 0)?;
        let [q, k, v] = prepared.inputs();
        offload.start(&q.data, &k.data, &v.data, 1, prepared.d, prepared.causal)
    }

    /// One step of a [`Phase::Remote`] measurement: poll the call in flight, start the next one, or
    /// close the batch (recording the sample) — or give the task up as unavailable.
    #[allow(clippy::too_many_arguments)]
    fn step_remote(
        &mut self,
        task: Task,
        prepared: Prepared,
        mut sampler: Sampler,
        call: Option<Box<dyn PendingCall>>,
        mut started: f64,
        mut left: usize,
        warm_up: bool,
    ) -> Phase {
        let clock = self.clock;
        let unavailable = |job: &mut Self| {
            job.results.push((task, Outcome::Unavailable));
            job.next += 1;
            Phase::Next
        };
        let mut call = match call {
            Some(c) => c,
            None => {
                // The batch's clock starts with its first call.
                started = clock();
                match self.start_remote(&prepared) {
                    Some(c) => c,
                    // The workers are still starting (a permalink with run=1): wait for them.
                    None if self.offload.as_ref().is_some_and(|o| o.starting()) => {
                        return Phase::Remote {
                            task,
                            prepared,
                            sampler,
                            call: None,
                            started,
                            left,
                            warm_up,
                        }
                    }
                    None => return unavailable(self),
                }
            }
        };
        match call.poll() {
            Poll::Pending => {
                return Phase::Remote {
                    task,
                    prepared,
                    sampler,
                    call: Some(call),
                    started,
                    left,
                    warm_up,
                }
            }
            Poll::Ready(None) => return unavailable(self),
            Poll::Ready(Some(out)) => drop(black_box(out)),
        }
        left -= 1;
        if left > 0 {
            let Some(next) = self.start_remote(&prepared) else {
                return unavailable(self);
            };
            return Phase::Remote {
                task,
                prepared,
                sampler,
                call: Some(next),
                started,
                left,
                warm_up,
            };
        }
        let ms = clock() - started;
        if warm_up {
            sampler.warm_up(ms);
        } else {
            sampler.add_sample(ms);
        }
        // The workers' heaps are their own: no peak is measured on this thread.
        match self.after_sample(task, prepared, sampler, None) {
            Phase::Sampling {
                task,
                prepared,
                sampler,
                ..
            } => Phase::Remote {
                left: sampler.batch(),
                task,
                prepared,
                sampler,
                call: None,
                started: clock(),
                warm_up: false,
            },
            next => next,
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
                Some(task) if task.kernel == BenchKernel::ExactWorkers => Phase::Remote {
                    task,
                    prepared: Prepared::new(task.kernel, task.n, self.plan.d, self.plan.causal),
                    sampler: Sampler::default(),
                    call: None,
                    started: clock(),
                    left: 1,
                    warm_up: true,
                },
                Some(task) => Phase::WarmUp {
                    task,
                    prepared: Prepared::new(task.kernel, task.n, self.plan.d, self.plan.causal),
                },
            },
            Phase::Remote {
                task,
                prepared,
                sampler,
                call,
                started,
                left,
                warm_up,
            } => self.step_remote(task, prepared, sampler, call, started, left, warm_up),
            Phase::WarmUp { task, prepared } => {
                let mut sampler = Sampler::default();
                if let Some(p) = &self.probe {
                    p.reset();
                }
                let t = clock();
                let out = black_box(prepared.run());
                let ms = clock() - t;
                // Read with the output still alive: it is part of what the call allocated.
                let peak = self.probe.as_ref().map(|p| p.peak_above_start());
                drop(out);
                sampler.warm_up(ms);
                self.after_sample(task, prepared, sampler, peak)
            }
            Phase::Sampling {
                task,
                prepared,
                mut sampler,
                peak,
            } => {
                let batch = sampler.batch();
                let t = clock();
                for _ in 0..batch {
                    black_box(prepared.run());
                }
                sampler.add_sample(clock() - t);
                self.after_sample(task, prepared, sampler, peak)
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

    fn waiting(&self) -> bool {
        match &self.phase {
            Phase::Remote { call: Some(_), .. } => true,
            Phase::Remote { call: None, .. } => self.offload.as_ref().is_some_and(|o| o.starting()),
            _ => false,
        }
    }

    fn finish(mut self) -> BenchReport {
        while !self.is_done() {
            if let Phase::Remote { task, .. } = &self.phase {
                // Parts on other threads cannot come back while this thread loops: given up.
                let task = *task;
                self.results.push((task, Outcome::Unavailable));
                self.next += 1;
                self.phase = Phase::Next;
            }
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
            Phase::WarmUp { task, .. } | Phase::Sampling { task, .. } | Phase::Remote { task, .. } => Some(*task),
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
#[path = "job_tests.rs"]
mod tests;
