//! Runs the benchmark through the one runner: a [`BenchJob`] per plan while `run=1` (one bounded
//! step at a time — preparing inputs, a warm-up call or one timed batch — with yields between, so a
//! kernel call is never interrupted and the page stays responsive), and a standing job while
//! `run=0`, which keeps the last results and reports "idle" or, after a running job was dropped,
//! "stopped". A parameter change or Stop is a newer input: the runner drops the older job.
//!
//! With `threads=workers` the job times exact attention on the Web Worker pool too (`ui::workers`;
//! "unavailable" in the table where no worker started).
//!
//! Metrics: `speed_runs` counts finished benchmarks, `speed_<kernel>_<n>` is each best time in ms;
//! the runner's own are `speed_bench_*`.

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::message::Message;
use crate::ui::browser::{now_ms, record_metric};
use crate::ui::jobs::{drive, JobRun, SLICED};
use crate::ui::workers::{warm, Workers};
use crate::view_model::speed::params::Threads;
use crate::view_model::speed::sampling::{Outcome, Task};
use crate::view_model::speed::{BenchJob, BenchReport, BenchState, SpeedParams};

/// The view's benchmark and what it shows.
#[derive(Clone, Copy)]
pub struct SpeedRun {
    pub job: JobRun<BenchReport>,
    /// Results so far, in plan order (measured or skipped).
    pub results: Signal<Vec<(Task, Outcome)>>,
    pub status: Signal<BenchState>,
}

/// Starts a benchmark whenever `params.run` is set and the parameters (or `again`) change.
pub fn start(params: ReadSignal<SpeedParams>, again: RwSignal<u64>) -> SpeedRun {
    // The Web Workers start in the background now, so they are ready when a run asks for them.
    warm();
    let input = Memo::new(move |_| (params.get(), again.get()));
    let shown = StoredValue::new(None::<Arc<BenchReport>>);
    let finished = StoredValue::new(0u64);
    let job = drive(
        "speed_bench",
        input,
        SLICED,
        move |(p, _): &(SpeedParams, u64)| {
            if p.run {
                p.plan.check_budget()?;
                // One call per (kernel, N) is measured for its peak bytes too.
                let job = BenchJob::new(p.plan, now_ms).with_probe(Rc::new(super::quality::HeapProbe::new()));
                return Ok::<BenchJob, Message>(if p.plan.threads == Threads::Workers {
                    job.with_offload(Rc::new(Workers))
                } else {
                    job
                });
            }
            let previous = shown.get_value();
            let state = if previous.as_ref().is_some_and(|r| r.is_running()) {
                BenchState::Stopped
            } else {
                BenchState::Idle
            };
            let kept = previous
                .filter(|r| r.plan == p.plan)
                .map(|r| r.results.clone())
                .unwrap_or_default();
            Ok(BenchJob::standing(p.plan, kept, state))
        },
        move |report: &BenchReport| {
            if matches!(report.state, BenchState::Finished { .. }) {
                for (name, ms) in report.metrics() {
                    record_metric(&name, ms);
                }
                finished.update_value(|c| *c += 1);
                record_metric("speed_runs", finished.get_value() as f64);
            }
        },
    );
    let result = job.result;
    Effect::new(move |_| shown.set_value(result.get()));
    SpeedRun {
        job,
        results: Signal::derive(move || result.with(|r| r.as_ref().map(|r| r.results.clone()).unwrap_or_default())),
        status: Signal::derive(move || result.with(|r| r.as_ref().map_or(BenchState::Idle, |r| r.state))),
    }
}
