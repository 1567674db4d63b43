//! Recomputes the view when its parameters change: first the input, exact attention and the
//! method (≈ 10–20 ms at N = 256), a yield, then the errors and the spectrum, painted at once; then
//! the error sweep one point at a time in slices of ≈ 12 ms with a yield to the browser between
//! slices. A newer parameter set cancels an older run; the input is reused, and a sweep (finished or
//! not) is continued, when their inputs did not change.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::attention::message::{Explain, Message};
use crate::i18n::tf;
use crate::ui::browser::{next_frame, now_ms, record_metric, yield_to_browser};
use crate::view_model::approx_view::{
    build_input, complete, run_method, ApproxInput, ApproxParams, Comparison, MethodChoice, SweepJob, SweepSeries,
};

/// Longest slice of sweep work between two yields to the browser, in milliseconds.
const SLICE_MS: f64 = 12.0;

/// What the input depends on: (N, d, seed, qk).
type InputKey = (usize, usize, u64, u32);
/// What a sweep depends on: the input and the method (not m, k or the feature seed).
type SweepKey = (InputKey, MethodChoice);

/// The reactive outputs of the running computation.
#[derive(Clone, Copy)]
pub struct ApproxRun {
    /// Tokens, X, Q, K, V of the latest run.
    pub input: RwSignal<Option<Arc<ApproxInput>>>,
    /// Exact attention, the method's run and the errors.
    pub comparison: RwSignal<Option<Arc<Comparison>>>,
    /// Error curves (points appear as they are computed).
    pub sweep: RwSignal<Vec<SweepSeries>>,
    /// Sweep progress 0..1 while computing, None when idle.
    pub sweep_progress: RwSignal<Option<f64>>,
    /// Recompute + repaint time of the comparison, in ms.
    pub timing: RwSignal<Option<f64>>,
    /// A configuration the engine refused.
    pub error: RwSignal<Option<Message>>,
}

impl ApproxRun {
    /// "Computing… 40%" while the sweep runs.
    pub fn sweep_busy(&self) -> Signal<Option<String>> {
        let progress = self.sweep_progress;
        Signal::derive(move || {
            progress
                .get()
                .map(|p| tf("ui.computing", &[("pct", &format!("{:.0}", p * 100.0))]))
        })
    }
}

/// Starts recomputing whenever the parameters change.
pub fn start(params: Memo<ApproxParams>) -> ApproxRun {
    let run = ApproxRun {
        input: RwSignal::new(None),
        comparison: RwSignal::new(None),
        sweep: RwSignal::new(Vec::new()),
        sweep_progress: RwSignal::new(None),
        timing: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    let generation = StoredValue::new(0u64);
    let sweeps = StoredValue::new(None::<(SweepKey, SweepJob)>);
    // Sweep points computed since the page opened (tests check that a reused sweep adds none).
    let steps = StoredValue::new(0u64);
    let input_cache = StoredValue::new(None::<(InputKey, Arc<ApproxInput>)>);
    Effect::new(move |_| {
        let p = params.get();
        generation.update_value(|g| *g += 1);
        let gen = generation.get_value();
        spawn_local(async move {
            let t0 = now_ms();
            let input = match input_cache.get_value() {
                Some((key, i)) if key == p.input_key() => i,
                _ => {
                    let i = Arc::new(build_input(&p));
                    input_cache.set_value(Some((p.input_key(), i.clone())));
                    i
                }
            };
            match run_method(&p, &input) {
                Ok((exact, method_run)) => {
                    yield_to_browser().await;
                    if generation.get_value() != gen {
                        return;
                    }
                    run.error.set(None);
                    run.comparison.set(Some(Arc::new(complete(&p, exact, method_run))));
                }
                Err(e) => {
                    run.error.set(Some(e.message()));
                    run.comparison.set(None);
                }
            }
            run.input.set(Some(input.clone()));
            next_frame().await;
            if generation.get_value() != gen {
                return;
            }
            run.timing.set(Some(now_ms() - t0));
            record_metric("approx_compare_ms", now_ms() - t0);

            // The sweep job lives in `sweeps` whenever this task is suspended, so a newer run with the
            // same key (only m, k or the redraw seed changed) continues it instead of starting over.
            let key: SweepKey = (p.input_key(), p.method);
            if sweeps.with_value(|s| s.as_ref().map(|(k, _)| *k)) != Some(key) {
                sweeps.set_value(Some((key, SweepJob::new(&p, input))));
            }
            loop {
                let (done, progress) = sweeps.with_value(|s| {
                    let job = &s.as_ref().expect("stored above").1;
                    run.sweep.set(job.series().to_vec());
                    (job.is_done(), job.progress())
                });
                if done {
                    break;
                }
                run.sweep_progress.set(Some(progress));
                yield_to_browser().await;
                if generation.get_value() != gen {
                    return;
                }
                sweeps.update_value(|s| {
                    if let Some((_, job)) = s {
                        let slice = now_ms();
                        while !job.is_done() && now_ms() - slice < SLICE_MS {
                            job.step();
                            steps.update_value(|n| *n += 1);
                        }
                    }
                });
                record_metric("approx_sweep_steps", steps.get_value() as f64);
            }
            run.sweep_progress.set(None);
            record_metric("approx_total_ms", now_ms() - t0);
            record_metric("approx_runs", gen as f64);
        });
    });
    run
}
