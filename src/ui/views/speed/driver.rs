//! Runs the benchmark plan one (kernel, N) measurement at a time: prepare the inputs (untimed), one
//! timed warm-up call, then timed samples until the [`Sampler`] is satisfied, yielding to the
//! browser at least every 12 ms (between calls; one call is never interrupted). A parameter change
//! or Stop bumps a generation counter, which cancels the running measurement loop.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ui::browser::{now_ms, record_metric, yield_to_browser};
use crate::view_model::speed_view::{BenchJob, Kernel, Outcome, Prepared, Sampler, SpeedParams, Task, Timing};

/// Longest stretch of work between two yields to the browser, in milliseconds.
const SLICE_MS: f64 = 12.0;

/// Where the benchmark stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Status {
    /// Nothing requested yet.
    Idle,
    /// Measuring `kernel` at `n`; `done` of `total` tasks handled.
    Running {
        kernel: Kernel,
        n: usize,
        done: usize,
        total: usize,
    },
    /// Finished `count` measurements in `secs` seconds.
    Finished { count: usize, secs: f64 },
    /// Stopped by the user before the end.
    Stopped,
}

/// The reactive outputs of the benchmark.
#[derive(Clone, Copy)]
pub struct SpeedRun {
    /// Results so far, in plan order (measured or skipped).
    pub results: RwSignal<Vec<(Task, Outcome)>>,
    pub status: RwSignal<Status>,
}

/// Starts a run whenever `params.run` is set and the parameters (or `again`) change.
pub fn start(params: Memo<SpeedParams>, again: RwSignal<u64>) -> SpeedRun {
    let run = SpeedRun {
        results: RwSignal::new(Vec::new()),
        status: RwSignal::new(Status::Idle),
    };
    let generation = StoredValue::new(0u64);
    let finished_runs = StoredValue::new(0u64);
    let last_plan = StoredValue::new(None::<(usize, usize, bool)>);
    Effect::new(move |_| {
        let p = params.get();
        again.track();
        generation.update_value(|g| *g += 1);
        let gen = generation.get_value();
        if last_plan.get_value() != Some(p.plan_key()) {
            last_plan.set_value(Some(p.plan_key()));
            run.results.set(Vec::new());
        }
        if !p.run {
            let stopped = matches!(run.status.get_untracked(), Status::Running { .. });
            run.status.set(if stopped { Status::Stopped } else { Status::Idle });
            return;
        }
        run.results.set(Vec::new());
        spawn_local(async move {
            let mut job = BenchJob::new(&p);
            let total = p.lengths().len() * Kernel::ALL.len();
            let t0 = now_ms();
            let mut measured = 0;
            while let Some(task) = job.next_task() {
                run.results.set(job.results().to_vec());
                run.status.set(Status::Running {
                    kernel: task.kernel,
                    n: task.n,
                    done: job.results().len(),
                    total,
                });
                yield_to_browser().await;
                if generation.get_value() != gen {
                    return;
                }
                let Some(timing) = measure(&p, task, gen, generation).await else {
                    return;
                };
                job.record(task, timing);
                measured += 1;
                record_metric(&format!("speed_{}_{}", task.kernel.id(), task.n), timing.best_ms);
            }
            if generation.get_value() != gen {
                return;
            }
            run.results.set(job.results().to_vec());
            run.status.set(Status::Finished {
                count: measured,
                secs: (now_ms() - t0) / 1000.0,
            });
            finished_runs.update_value(|c| *c += 1);
            record_metric("speed_runs", finished_runs.get_value() as f64);
        });
    });
    run
}

/// Times one task; None when a newer generation cancelled it.
async fn measure(p: &SpeedParams, task: Task, gen: u64, generation: StoredValue<u64>) -> Option<Timing> {
    let prepared = Prepared::new(task.kernel, task.n, p.d, p.causal);
    let mut sampler = Sampler::default();
    let t = now_ms();
    std::hint::black_box(prepared.run());
    sampler.warm_up(now_ms() - t);
    let mut last_yield = now_ms();
    while !sampler.is_done() {
        if now_ms() - last_yield > SLICE_MS {
            yield_to_browser().await;
            if generation.get_value() != gen {
                return None;
            }
            last_yield = now_ms();
        }
        let batch = sampler.batch();
        let t = now_ms();
        for _ in 0..batch {
            std::hint::black_box(prepared.run());
        }
        sampler.add_sample(now_ms() - t);
    }
    let (best_ms, median_ms) = sampler.summary()?;
    Some(Timing {
        best_ms,
        median_ms,
        samples: sampler.samples(),
        flops: prepared.flops(),
    })
}
