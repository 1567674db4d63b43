//! What the browser tells about the machine: logical cores, browser and platform, wasm SIMD, and
//! the Web Workers with the build they run.

use leptos::prelude::*;

use crate::i18n::{t, tf};
use crate::view_model::speed::machine::short_user_agent;

/// The machine card.
#[component]
pub fn Machine() -> impl IntoView {
    let navigator = web_sys::window().map(|w| w.navigator());
    let cores = navigator
        .as_ref()
        .map(|n| n.hardware_concurrency())
        .filter(|c| c.is_finite() && *c > 0.0)
        .map(|c| format!("{c:.0}"))
        .unwrap_or_else(|| t("speed.machine.unknown").to_string());
    let ua = navigator
        .as_ref()
        .and_then(|n| n.user_agent().ok())
        .map(|ua| short_user_agent(&ua))
        .unwrap_or_else(|| t("speed.machine.unknown").to_string());
    let simd = if cfg!(target_feature = "simd128") {
        t("speed.machine.simd")
    } else {
        t("speed.machine.no_simd")
    };
    // The workers start in the background: the line follows them until they are ready or gone.
    let workers = RwSignal::new((crate::ui::workers::threads(), crate::ui::workers::relaxed_simd()));
    leptos::task::spawn_local(async move {
        crate::ui::workers::warm();
        while crate::ui::workers::starting() {
            crate::ui::workers::activity().await;
        }
        workers.try_set((crate::ui::workers::threads(), crate::ui::workers::relaxed_simd()));
    });
    let workers_line = move || {
        let (count, relaxed) = workers.get();
        let id = match (count, relaxed) {
            (0, _) => "speed.machine.workers_none",
            (_, Some(true)) => "speed.machine.workers_relaxed",
            _ => "speed.machine.workers_simd",
        };
        tf(id, &[("count", &count.to_string())])
    };
    view! {
        <div class="card stats" data-testid="machine">
            <h3>{t("speed.machine.title")}</h3>
            <p data-testid="machine-cores">{tf("speed.machine.cores", &[("cores", &cores)])}</p>
            <p data-testid="machine-ua">{tf("speed.machine.ua", &[("ua", &ua)])}</p>
            <p data-testid="machine-simd">{simd}</p>
            <p data-testid="machine-workers">{workers_line}</p>
            <p class="caption">{t("speed.machine.note")}</p>
        </div>
    }
}
