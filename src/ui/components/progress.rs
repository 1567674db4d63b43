//! The "Computing… 40%" text shown over a canvas while a sliced job runs.

use leptos::prelude::*;

use crate::i18n::tf;

/// "Computing… {pct}%" while `progress` (0..1) is set, None when idle.
pub fn progress_text(progress: RwSignal<Option<f64>>) -> Signal<Option<String>> {
    Signal::derive(move || {
        progress
            .get()
            .map(|p| tf("ui.computing", &[("pct", &format!("{:.0}", p * 100.0))]))
    })
}
