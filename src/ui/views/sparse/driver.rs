//! Runs the view's [`SparseJob`] through the one runner (`ui::jobs::drive`) whenever the parameters
//! change: stage by stage, yielding to the browser between slices; a newer parameter set drops an
//! older run. Metrics: `sparse_runs`, `sparse_compute_ms`, `sparse_work_ms`, `sparse_total_ms`,
//! `sparse_longest_step_ms`.

use std::sync::Arc;

use leptos::prelude::*;

use crate::ui::jobs::{drive, JobRun, SLICED};
use crate::view_model::sparse::params::SparseParams;
use crate::view_model::sparse::{SparseJob, SparseResult};

/// The view's running computation.
pub type SparseRun = JobRun<SparseResult>;

/// Starts recomputing whenever the parameters change.
pub fn start(params: ReadSignal<SparseParams>, tokens: Memo<Arc<Vec<String>>>) -> SparseRun {
    let key = Memo::new(move |_| (params.get(), tokens.get()));
    drive(
        "sparse",
        key,
        SLICED,
        |(p, tokens): &(SparseParams, Arc<Vec<String>>)| Ok(SparseJob::new(p.clone(), tokens)),
        |_: &SparseResult| {},
    )
}
