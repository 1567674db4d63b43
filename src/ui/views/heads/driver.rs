//! Recomputes the toy layer's panels (GQA sharing, MLA, low rank) when their parameters change, one
//! panel per slice with a yield to the browser in between, so no single step blocks a frame for long.
//! A newer parameter set cancels an older run.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::attention::heads::error::HeadsError;
use crate::attention::message::{Explain, Message};
use crate::i18n::tf;
use crate::ui::browser::{next_frame, now_ms, record_metric, yield_to_browser};
use crate::view_model::heads_view::{low_rank_curve, mla_toy, sharing, HeadsParams, LowRankCurve, MlaToy, Sharing};

/// The reactive outputs of the toy-layer computation.
#[derive(Clone, Copy)]
pub struct HeadsRun {
    pub sharing: RwSignal<Option<Arc<Sharing>>>,
    pub mla: RwSignal<Option<Arc<MlaToy>>>,
    pub low_rank: RwSignal<Option<Arc<LowRankCurve>>>,
    /// True while a run is in progress.
    pub busy: RwSignal<bool>,
    /// Recompute + repaint time of the last run, in ms.
    pub timing: RwSignal<Option<f64>>,
    /// A configuration the engine refused.
    pub error: RwSignal<Option<Message>>,
}

impl HeadsRun {
    /// The busy overlay text for the heatmaps.
    pub fn busy_text(&self) -> Signal<Option<String>> {
        let busy = self.busy;
        Signal::derive(move || busy.get().then(|| tf("ui.computing", &[("pct", "…")])))
    }
}

/// The parameters the toy layer depends on (the calculator and RoPE settings and `part` are excluded).
fn toy_key(p: &HeadsParams) -> HeadsParams {
    HeadsParams {
        model: "",
        ctx: 0,
        batch: 0,
        dtype: crate::attention::heads::kv_cache::Dtype::F16,
        layout: crate::attention::heads::rope::RopeLayout::RotateHalf,
        part: crate::view_model::heads_view::Part::All,
        ..p.clone()
    }
}

/// Starts recomputing whenever the toy layer's parameters change.
pub fn start(params: Memo<HeadsParams>) -> HeadsRun {
    let run = HeadsRun {
        sharing: RwSignal::new(None),
        mla: RwSignal::new(None),
        low_rank: RwSignal::new(None),
        busy: RwSignal::new(false),
        timing: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    let key = Memo::new(move |_| params.with(toy_key));
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let p = key.get();
        generation.update_value(|g| *g += 1);
        let gen = generation.get_value();
        run.busy.set(true);
        spawn_local(async move {
            let t0 = now_ms();
            let fail = |e: HeadsError| {
                run.error.set(Some(e.message()));
                run.busy.set(false);
            };
            let t = now_ms();
            match sharing(&p) {
                Ok(s) => run.sharing.set(Some(Arc::new(s))),
                Err(e) => return fail(e),
            }
            record_metric("heads_sharing_ms", now_ms() - t);
            yield_to_browser().await;
            if generation.get_value() != gen {
                return;
            }
            let t = now_ms();
            match mla_toy(&p) {
                Ok(m) => run.mla.set(Some(Arc::new(m))),
                Err(e) => return fail(e),
            }
            record_metric("heads_mla_ms", now_ms() - t);
            yield_to_browser().await;
            if generation.get_value() != gen {
                return;
            }
            let t = now_ms();
            match low_rank_curve(&p) {
                Ok(c) => run.low_rank.set(Some(Arc::new(c))),
                Err(e) => return fail(e),
            }
            record_metric("heads_low_rank_ms", now_ms() - t);
            run.error.set(None);
            run.busy.set(false);
            next_frame().await;
            if generation.get_value() == gen {
                let total = now_ms() - t0;
                run.timing.set(Some(total));
                record_metric("heads_total_ms", total);
                record_metric("heads_runs", gen as f64);
            }
        });
    });
    run
}
