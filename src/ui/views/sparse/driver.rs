//! Runs the view's [`SparseJob`] stage by stage, yielding to the browser between stages so the page
//! stays responsive; a newer parameter set cancels an older run.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ui::browser::{next_frame, now_ms, record_metric, yield_to_browser};
use crate::ui::components::progress::progress_text;
use crate::view_model::sparse_view::{SparseJob, SparseParams, SparseResult};

/// The reactive outputs of the running computation.
#[derive(Clone, Copy)]
pub struct SparseRun {
    /// The latest finished result (kept on screen while a newer one computes).
    pub result: RwSignal<Option<Arc<SparseResult>>>,
    /// Progress 0..1 while computing, None when idle.
    pub progress: RwSignal<Option<f64>>,
    /// Recompute + repaint time of the last run, in ms.
    pub timing: RwSignal<Option<f64>>,
}

impl SparseRun {
    /// "Computing… 40%" while busy.
    pub fn busy_text(&self) -> Signal<Option<String>> {
        progress_text(self.progress)
    }
}

/// Starts recomputing whenever the parameters change.
pub fn start(params: Memo<SparseParams>, tokens: Memo<Arc<Vec<String>>>) -> SparseRun {
    let run = SparseRun {
        result: RwSignal::new(None),
        progress: RwSignal::new(None),
        timing: RwSignal::new(None),
    };
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let p = params.get();
        let toks = tokens.get();
        generation.update_value(|g| *g += 1);
        let gen = generation.get_value();
        spawn_local(async move {
            let t0 = now_ms();
            run.progress.set(Some(0.0));
            yield_to_browser().await;
            if generation.get_value() != gen {
                return;
            }
            let stage_start = now_ms();
            let mut job = SparseJob::new(p, &toks);
            let mut longest = now_ms() - stage_start;
            while !job.is_done() {
                let stage_start = now_ms();
                job.step();
                longest = longest.max(now_ms() - stage_start);
                run.progress.set(Some(job.progress()));
                yield_to_browser().await;
                if generation.get_value() != gen {
                    return;
                }
            }
            let compute_ms = now_ms() - t0;
            run.result.set(Some(Arc::new(job.finish())));
            run.progress.set(None);
            next_frame().await;
            let total = now_ms() - t0;
            if generation.get_value() == gen {
                run.timing.set(Some(total));
                record_metric("sparse_compute_ms", compute_ms);
                record_metric("sparse_longest_stage_ms", longest);
                record_metric("sparse_runs", gen as f64);
            }
        });
    });
    run
}
