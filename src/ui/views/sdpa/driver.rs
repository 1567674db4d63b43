//! Runs the view's [`SdpaJob`] in slices of ≈ 12 ms, yielding to the browser between slices so a
//! large N shows progress instead of freezing the tab. A newer parameter set cancels an older run;
//! projections are reused when only the head count, mask, scale or pooling changed, and the raw
//! scores too when the head count stayed.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::attention::multi_head::HeadConfig;
use crate::i18n::tf;
use crate::ui::browser::{next_frame, now_ms, record_metric, yield_to_browser};
use crate::ui::components::progress::progress_text;
use crate::ui::render::heatmap::last_paint_ms;
use crate::view_model::sdpa::{InputKey, Reuse, SdpaJob, SdpaResult};
use crate::view_model::sdpa_params::SdpaParams;

/// Work done before the first yield, in milliseconds: a result that is ready within it appears in
/// the same frame (a yield costs a frame, ~16 ms); anything longer shows progress after it.
const FIRST_SLICE_MS: f64 = 50.0;
/// Longest slice of work between two later yields to the browser, in milliseconds.
const SLICE_MS: f64 = 12.0;

/// The reactive outputs of the running computation.
#[derive(Clone, Copy)]
pub struct SdpaRun {
    /// The latest finished result (kept on screen while a newer one computes).
    pub result: RwSignal<Option<Arc<SdpaResult>>>,
    /// Progress 0..1 while computing, None when idle.
    pub progress: RwSignal<Option<f64>>,
    /// Recompute + repaint time of the last run, in ms.
    pub timing: RwSignal<Option<f64>>,
    /// A configuration the engine refused.
    pub error: RwSignal<Option<String>>,
}

impl SdpaRun {
    /// "Computing… 40%" while busy.
    pub fn busy_text(&self) -> Signal<Option<String>> {
        progress_text(self.progress)
    }
}

/// Starts recomputing whenever the parameters (other than the selected head) change.
pub fn start(params: Memo<SdpaParams>, tokens: Memo<Arc<Vec<String>>>) -> SdpaRun {
    let run = SdpaRun {
        result: RwSignal::new(None),
        progress: RwSignal::new(None),
        timing: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    let job_key = Memo::new(move |_| {
        let p = params.get();
        let key = InputKey {
            tokens: tokens.get(),
            d_model: p.d_model,
            seed: p.seed,
        };
        (
            key,
            HeadConfig {
                n_heads: p.heads,
                scale: p.scale,
                causal: p.causal,
            },
            p.pool,
        )
    });
    let cache = StoredValue::new(None::<Reuse>);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (key, cfg, pool) = job_key.get();
        generation.update_value(|g| *g += 1);
        let gen = generation.get_value();
        spawn_local(async move {
            let t0 = now_ms();
            let mut job = match SdpaJob::new(key, cfg, pool, cache.get_value()) {
                Ok(j) => j,
                Err(e) => {
                    run.error.set(Some(tf("ui.error", &[("msg", &e.to_string())])));
                    run.progress.set(None);
                    return;
                }
            };
            run.error.set(None);
            let mut budget = FIRST_SLICE_MS;
            loop {
                let slice = now_ms();
                while !job.is_done() && now_ms() - slice < budget {
                    job.step();
                }
                if job.is_done() {
                    break;
                }
                budget = SLICE_MS;
                run.progress.set(Some(job.progress()));
                yield_to_browser().await;
                if generation.get_value() != gen {
                    return;
                }
            }
            let compute_ms = now_ms() - t0;
            let result = Arc::new(job.finish());
            cache.set_value(Some(result.reuse()));
            run.result.set(Some(result));
            run.progress.set(None);
            next_frame().await;
            let total = now_ms() - t0;
            if generation.get_value() == gen {
                // From the start of the run to the last heatmap painted: for a run that finishes in
                // its first slice, the main-thread work that has to fit in a frame (16.7 ms at
                // 60 Hz) for the change to show in the next one.
                // A run whose maps came out unchanged repaints nothing: then the work ended with
                // the computation.
                let work = last_paint_ms().max(t0 + compute_ms) - t0;
                run.timing.set(Some(work));
                record_metric("sdpa_compute_ms", compute_ms);
                record_metric("sdpa_work_ms", work);
                // Until the next animation frame after the paint: includes waiting for the display.
                record_metric("sdpa_total_ms", total);
                record_metric("sdpa_runs", gen as f64);
            }
        });
    });
    run
}
