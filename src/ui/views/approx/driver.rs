//! Two runs through the one runner (`ui::jobs::drive`): the comparison of exact attention with the
//! chosen method ([`ComparisonJob`], restarted by any parameter) and the error sweep ([`SweepJob`],
//! keyed only by the input head and the sweep kind, so a new k, m or redraw seed never restarts it;
//! its points appear as they are computed). Both share one cache of the input head.
//!
//! Metrics: `approx_runs`, `approx_compute_ms`, … of the comparison; `approx_sweep_runs`,
//! `approx_sweep_compute_ms`, … of the sweep; `approx_sweep_steps` counts the sweep points computed
//! since the page opened (a sweep that is not restarted adds none).

use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::approx::example_head::ExampleHead;
use crate::attention::message::Explain;
use crate::ui::browser::record_metric;
use crate::ui::jobs::{drive, JobRun, SLICED};
use crate::view_model::approx::params::{ApproxParams, InputKey};
use crate::view_model::approx::{sweep_key, Comparison, ComparisonJob, SweepJob, SweepKey, SweepSeries};
use crate::view_model::job::Job;

/// The view's two running computations.
#[derive(Clone, Copy)]
pub struct ApproxRun {
    /// Exact attention, the method's run and the errors.
    pub compare: JobRun<Comparison>,
    /// The error curves (points appear as they are computed).
    pub sweep: JobRun<Vec<SweepSeries>>,
}

/// A job whose steps are counted in the `approx_sweep_steps` metric.
struct Counted<J> {
    job: J,
    steps: StoredValue<u64>,
}

impl<J: Job> Job for Counted<J> {
    type Output = J::Output;

    fn step(&mut self) {
        if self.job.is_done() {
            return;
        }
        self.job.step();
        self.steps.update_value(|n| *n += 1);
        record_metric("approx_sweep_steps", self.steps.get_value() as f64);
    }

    fn progress(&self) -> f64 {
        self.job.progress()
    }

    fn is_done(&self) -> bool {
        self.job.is_done()
    }

    fn finish(mut self) -> J::Output {
        while !self.is_done() {
            self.step();
        }
        self.job.finish()
    }

    fn partial(&self) -> Option<J::Output> {
        self.job.partial()
    }
}

/// Starts recomputing whenever the parameters change.
pub fn start(params: ReadSignal<ApproxParams>) -> ApproxRun {
    let cache = StoredValue::new(None::<(InputKey, Arc<ExampleHead>)>);
    let input_for = move |key: InputKey| {
        if let Some((k, head)) = cache.get_value() {
            if k == key {
                return head;
            }
        }
        let (n, d, seed, qk) = key;
        let head = Arc::new(ExampleHead::build(n, d, seed, qk));
        cache.set_value(Some((key, head.clone())));
        head
    };
    let compare = drive(
        "approx",
        Memo::new(move |_| params.get()),
        SLICED,
        move |p: &ApproxParams| ComparisonJob::new(p, input_for(p.input_key())).map_err(|e| e.message()),
        |_: &Comparison| {},
    );
    let key = Memo::new(move |_| params.with(sweep_key));
    // Sweep points computed since the page opened.
    let steps = StoredValue::new(0u64);
    let sweep = drive(
        "approx_sweep",
        key,
        SLICED,
        move |&(input, kind): &SweepKey| {
            Ok(Counted {
                job: SweepJob::new(kind, input_for(input)),
                steps,
            })
        },
        |_: &Vec<SweepSeries>| {},
    );
    ApproxRun { compare, sweep }
}
