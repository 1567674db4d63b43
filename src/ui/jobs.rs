//! The one runner every view's computation goes through: it starts a [`Job`] whenever the view's
//! input memo changes, runs it in time slices with a yield to the browser between slices (so a large
//! N shows progress instead of freezing the tab), drops it when a newer input arrives, and publishes
//! the result, progress, timing and any refusal as one [`JobRun`].

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::attention::message::Message;
use crate::i18n::tf;
use crate::ui::browser::{next_frame, now_ms, record_metric, yield_to_browser};
use crate::ui::render::heatmap::last_paint_ms;
use crate::view_model::job::Job;

/// How long the runner works before it yields.
#[derive(Clone, Copy, Debug)]
pub struct Slicing {
    /// Work before the first yield, in ms: a result ready within it appears in the same frame (a
    /// yield costs a frame); anything longer shows progress after it.
    pub first_ms: f64,
    /// Longest stretch of work between two later yields, in ms.
    pub slice_ms: f64,
}

/// The default: 20 ms before the first yield, then 12 ms slices (a frame is 16.7 ms at 60 Hz). With
/// steps of a few ms, no task of the main thread reaches 50 ms (a "long task" to the browser).
pub const SLICED: Slicing = Slicing {
    first_ms: 20.0,
    slice_ms: 12.0,
};

/// For a job started by another one's result (the repaint it causes shares the task): 4 ms, then 12 ms.
pub const AFTER_RESULT: Slicing = Slicing {
    first_ms: 4.0,
    slice_ms: 12.0,
};

/// How long a run goes before it shows a partial result and its progress (a run that ends sooner
/// repaints once, at the end; the last result stays on screen meanwhile).
const PARTIAL_AFTER_MS: f64 = 80.0;

/// What a running view shows: the latest result (kept on screen while a newer one computes), the
/// progress, the time of the last run and the refusal of the last configuration.
///
/// Split signals, written only by the runner: a signal written through its write half forgets its
/// subscribers at every change, so the panels of a view that are rebuilt while it stays open (a
/// `Show`, a rebuilt list) leave nothing behind (an `RwSignal` would keep them; `ui::reactive`).
pub struct JobRun<T: Send + Sync + 'static> {
    pub result: ReadSignal<Option<Arc<T>>>,
    /// 0..1 while computing, None when idle.
    pub progress: ReadSignal<Option<f64>>,
    /// Recompute + repaint time of the last finished run, in ms.
    pub timing: ReadSignal<Option<f64>>,
    /// Why the engine refused the configuration (the result is cleared then).
    pub error: ReadSignal<Option<Message>>,
    set_result: WriteSignal<Option<Arc<T>>>,
    set_progress: WriteSignal<Option<f64>>,
    set_timing: WriteSignal<Option<f64>>,
    set_error: WriteSignal<Option<Message>>,
    generation: Generation,
}

impl<T: Send + Sync + 'static> Clone for JobRun<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for JobRun<T> {}

impl<T: Send + Sync + 'static> JobRun<T> {
    fn new(generation: Generation) -> Self {
        let (result, set_result) = signal(None);
        let (progress, set_progress) = signal(None);
        let (timing, set_timing) = signal(None);
        let (error, set_error) = signal(None);
        Self {
            result,
            progress,
            timing,
            error,
            set_result,
            set_progress,
            set_timing,
            set_error,
            generation,
        }
    }

    /// Stops the running job where it is: what it has published so far (a partial result, such as
    /// the tokens generated before Stop) stays on screen, and nothing more is computed until the
    /// input changes again.
    pub fn stop(&self) {
        self.generation.next();
        self.set_progress.set(None);
    }

    /// "Computing… 40%" while busy, None when idle: the busy text of every canvas.
    pub fn busy_text(&self) -> Signal<Option<String>> {
        let progress = self.progress;
        Signal::derive(move || {
            progress
                .get()
                .map(|p| tf("ui.computing", &[("pct", &format!("{:.0}", p * 100.0))]))
        })
    }
}

/// Cancels a run when a newer one starts: each run holds the generation it started at. A run whose
/// view was closed (its reactive values disposed) is never current again, so it stops at its next
/// check instead of touching a disposed signal.
#[derive(Clone, Copy)]
struct Generation(StoredValue<u64>);

impl Generation {
    fn next(self) -> u64 {
        self.0.update_value(|g| *g += 1);
        self.0.get_value()
    }

    fn is_current(self, gen: u64) -> bool {
        self.0.try_get_value() == Some(gen)
    }
}

/// Runs `make(input)` whenever `input` changes and publishes its result.
///
/// `name` prefixes the metrics recorded on `window.__atlas` for tests and benchmarks:
/// `{name}_runs` (the generation of the last finished run: it skips the runs a newer input cancelled),
/// `{name}_finished` (a count of finished runs), `{name}_compute_ms`, `{name}_work_ms` (start to last heatmap painted),
/// `{name}_total_ms` (to the next animation frame), `{name}_longest_step_ms` and the progress at which
/// that step started, `{name}_longest_step_at`.
/// `done` sees each finished result before it is shown (to keep a cache for the next run).
pub fn drive<K, J>(
    name: &'static str,
    input: Memo<K>,
    slicing: Slicing,
    make: impl Fn(&K) -> Result<J, Message> + 'static,
    done: impl Fn(&J::Output) + 'static,
) -> JobRun<J::Output>
where
    K: Clone + PartialEq + Send + Sync + 'static,
    J: Job + 'static,
    J::Output: Send + Sync + 'static,
{
    let generation = Generation(StoredValue::new(0));
    let finished = StoredValue::new(0u64);
    let run = JobRun::new(generation);
    let make = Rc::new(make);
    let done = Rc::new(done);
    Effect::new(move |_| {
        let key = input.get();
        let gen = generation.next();
        let (make, done) = (make.clone(), done.clone());
        spawn_local(async move {
            // The task starts after the effect returns: the view may have been closed, or a newer
            // input may have arrived, in between.
            if !generation.is_current(gen) {
                return;
            }
            let t0 = now_ms();
            let mut job = match make(&key) {
                Ok(job) => job,
                Err(message) => {
                    run.set_error.set(Some(message));
                    run.set_result.set(None);
                    run.set_progress.set(None);
                    return;
                }
            };
            run.set_error.set(None);
            let (mut longest, mut longest_at) = (0.0f64, 0.0f64);
            let mut budget = slicing.first_ms;
            let mut published = 0.0f64;
            loop {
                let slice = now_ms();
                while !job.is_done() && now_ms() - slice < budget {
                    let (t, at) = (now_ms(), job.progress());
                    job.step();
                    if now_ms() - t > longest {
                        longest = now_ms() - t;
                        longest_at = at;
                    }
                    if job.waiting() {
                        break;
                    }
                }
                if job.is_done() {
                    break;
                }
                budget = slicing.slice_ms;
                // A partial result costs a repaint of every figure, worth it only in a long run:
                // none before PARTIAL_AFTER_MS. While work is out on the Web Workers each answer
                // wakes the runner: what is shown is refreshed at most every 100 ms then.
                let long_run = now_ms() - t0 >= PARTIAL_AFTER_MS;
                if long_run && (!job.waiting() || now_ms() - published >= 100.0) {
                    published = now_ms();
                    if let Some(partial) = job.partial() {
                        run.set_result.set(Some(Arc::new(partial)));
                    }
                    run.set_progress.set(Some(job.progress()));
                }
                if job.waiting() {
                    // Sleep until a worker answers (no busy loop on the main thread).
                    crate::ui::workers::activity().await;
                } else {
                    yield_to_browser().await;
                }
                if !generation.is_current(gen) {
                    return;
                }
            }
            let compute_ms = now_ms() - t0;
            let result = job.finish();
            if !generation.is_current(gen) {
                return;
            }
            done(&result);
            run.set_result.set(Some(Arc::new(result)));
            run.set_progress.set(None);
            next_frame().await;
            if generation.is_current(gen) {
                // A run whose maps came out unchanged repaints nothing: its work ends with the compute.
                let work = last_paint_ms().max(t0 + compute_ms) - t0;
                run.set_timing.set(Some(work));
                record_metric(&format!("{name}_compute_ms"), compute_ms);
                record_metric(&format!("{name}_work_ms"), work);
                record_metric(&format!("{name}_total_ms"), now_ms() - t0);
                record_metric(&format!("{name}_longest_step_ms"), longest);
                record_metric(&format!("{name}_longest_step_at"), longest_at);
                record_metric(&format!("{name}_runs"), gen as f64);
                finished.update_value(|f| *f += 1);
                record_metric(&format!("{name}_finished"), finished.get_value() as f64);
            }
        });
    });
    run
}
