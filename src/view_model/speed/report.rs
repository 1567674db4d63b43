//! What a benchmark shows at any moment: its plan, the results so far and where it stands.

use crate::view_model::schema::UrlChoice;
use crate::view_model::speed::params::Plan;
use crate::view_model::speed::sampling::{Outcome, Task};

/// Where a benchmark stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BenchState {
    /// Nothing requested yet.
    Idle,
    /// Measuring `current` (None between two tasks); `done` of `total` tasks handled.
    Running {
        current: Option<Task>,
        done: usize,
        total: usize,
    },
    /// Finished `measured` measurements in `secs` seconds.
    Finished { measured: usize, secs: f64 },
    /// Stopped by the user before the end.
    Stopped,
}

/// What the view shows: the plan, the results so far in plan order, and the state.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchReport {
    pub plan: Plan,
    pub results: Vec<(Task, Outcome)>,
    pub state: BenchState,
}

impl BenchReport {
    pub fn is_running(&self) -> bool {
        matches!(self.state, BenchState::Running { .. })
    }

    /// The best time of every measurement, named `speed_<kernel>_<n>` (for `window.__atlas`).
    pub fn metrics(&self) -> Vec<(String, f64)> {
        self.results
            .iter()
            .filter_map(|(t, o)| match o {
                Outcome::Measured(m) => Some((format!("speed_{}_{}", t.kernel.word(), t.n), m.best_ms)),
                Outcome::Skipped { .. } | Outcome::Unavailable => None,
            })
            .collect()
    }
}
