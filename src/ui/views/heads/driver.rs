//! Recomputes the toy layer's panels (GQA sharing, MLA, low rank) through the one runner whenever the
//! toy layer's settings change: one [`ToyJob`] of three whole-panel stages, so the page repaints
//! between panels. A newer setting drops an older run.

use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::message::Message;
use crate::ui::jobs::{drive, JobRun, SLICED};
use crate::view_model::heads::toy::{LowRankCurve, MlaToy, Sharing, ToyLayer};
use crate::view_model::heads::{toy_job, HeadsParams, ToyJob, ToyOutput};

/// The toy layer's running computation and its panels.
#[derive(Clone, Copy)]
pub struct HeadsRun {
    pub job: JobRun<ToyOutput>,
    pub sharing: Signal<Option<Arc<Sharing>>>,
    pub mla: Signal<Option<Arc<MlaToy>>>,
    pub low_rank: Signal<Option<Arc<LowRankCurve>>>,
    /// Why the engine refused the layer, if it did.
    pub error: Signal<Option<Message>>,
}

impl HeadsRun {
    /// The busy overlay text for the heatmaps.
    pub fn busy_text(&self) -> Signal<Option<String>> {
        self.job.busy_text()
    }

    /// Recompute + repaint time of the last run, in ms.
    pub fn timing(&self) -> Option<f64> {
        self.job.timing.get()
    }
}

/// Starts recomputing whenever the toy layer's settings change (`heads_*` metrics).
pub fn start(params: ReadSignal<HeadsParams>) -> HeadsRun {
    let layer = Memo::new(move |_| params.with(HeadsParams::toy));
    let job = drive(
        "heads",
        layer,
        SLICED,
        |layer: &ToyLayer| Ok::<ToyJob, Message>(toy_job(*layer)),
        |_: &ToyOutput| {},
    );
    let result = job.result;
    HeadsRun {
        job,
        sharing: Signal::derive(move || result.with(|r| r.as_deref()?.as_ref().ok().map(|p| p.sharing.clone()))),
        mla: Signal::derive(move || result.with(|r| r.as_deref()?.as_ref().ok().map(|p| p.mla.clone()))),
        low_rank: Signal::derive(move || result.with(|r| r.as_deref()?.as_ref().ok().map(|p| p.low_rank.clone()))),
        error: Signal::derive(move || {
            job.error
                .get()
                .or_else(|| result.with(|r| r.as_deref()?.as_ref().err().cloned()))
        }),
    }
}
