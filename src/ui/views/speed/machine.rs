//! What the browser tells about the machine: logical cores, browser and platform, wasm SIMD.

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
    view! {
        <div class="card stats" data-testid="machine">
            <h3>{t("speed.machine.title")}</h3>
            <p data-testid="machine-cores">{tf("speed.machine.cores", &[("cores", &cores)])}</p>
            <p data-testid="machine-ua">{tf("speed.machine.ua", &[("ua", &ua)])}</p>
            <p data-testid="machine-simd">{simd}</p>
            <p class="caption">{t("speed.machine.note")}</p>
        </div>
    }
}
