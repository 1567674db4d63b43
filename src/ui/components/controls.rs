//! Labelled controls: a slider with a number box (linear or logarithmic), a select, a toggle and a
//! text area. Each shows its current value and reports changes through a callback; none holds state.

use leptos::prelude::*;

use crate::view_model::slider::{from_position as from_pos, to_position as to_pos};

/// An integer slider with a typed-in number box; `log` spaces the slider logarithmically.
#[component]
pub fn Slider(
    /// Visible label.
    label: String,
    /// Current value.
    #[prop(into)]
    value: Signal<i64>,
    min: i64,
    max: i64,
    /// Step of the slider and the number box.
    #[prop(default = 1)]
    step: i64,
    /// Logarithmic slider spacing (useful for N = 1 … 4096).
    #[prop(optional)]
    log: bool,
    /// Called with the new value (already clamped to min..=max).
    #[prop(into)]
    on_change: Callback<i64>,
    /// `data-testid` of the range input (the number box gets the same id + "-number").
    #[prop(optional)]
    test_id: &'static str,
    /// Extra line under the control.
    #[prop(optional, into)]
    hint: Option<Signal<String>>,
) -> impl IntoView {
    let number_id = format!("{test_id}-number");
    view! {
        <div class="control" class:fig-needed=crate::ui::figure::needs_control(test_id)>
            <label>
                <span>{label.clone()}</span>
                <span class="value">{move || value.get()}</span>
            </label>
            <div class="row">
                <input
                    type="range"
                    min="0"
                    max="1000"
                    step=move || if log { 1 } else { (1000 / (max - min).max(1) * step).max(1) }
                    aria-label=label.clone()
                    data-testid=test_id
                    prop:value=move || to_pos(value.get(), min, max, log).to_string()
                    on:input=move |ev| {
                        if let Ok(p) = event_target_value(&ev).parse::<i64>() {
                            let v = from_pos(p, min, max, log, step);
                            if v != value.get_untracked() {
                                on_change.run(v);
                            }
                        }
                    }
                />
                <input
                    type="number"
                    min=min
                    max=max
                    step=step
                    aria-label=label
                    data-testid=number_id
                    prop:value=move || value.get().to_string()
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                            if v.is_finite() {
                                on_change.run((v.round() as i64).clamp(min, max));
                            }
                        }
                    }
                />
            </div>
            {hint.map(|h| view! { <div class="hint">{move || h.get()}</div> })}
        </div>
    }
}

/// A labelled drop-down of (value, label) options.
#[component]
pub fn Select(
    label: String,
    /// (URL value, visible label) pairs.
    options: Vec<(String, String)>,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_change: Callback<String>,
    #[prop(optional)] test_id: &'static str,
) -> impl IntoView {
    view! {
        <div class="control" class:fig-needed=crate::ui::figure::needs_control(test_id)>
            <label>
                <span>{label.clone()}</span>
            </label>
            <select
                aria-label=label
                data-testid=test_id
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let v2 = v.clone();
                        view! {
                            <option value=v selected=move || value.get() == v2>
                                {l}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// A labelled checkbox.
#[component]
pub fn Toggle(
    label: String,
    #[prop(into)] value: Signal<bool>,
    #[prop(into)] on_change: Callback<bool>,
    #[prop(optional)] test_id: &'static str,
) -> impl IntoView {
    view! {
        <div class="control toggle" class:fig-needed=crate::ui::figure::needs_control(test_id)>
            <label>
                <input
                    type="checkbox"
                    data-testid=test_id
                    prop:checked=move || value.get()
                    on:change=move |ev| on_change.run(event_target_checked(&ev))
                />
                <span>{label}</span>
            </label>
        </div>
    }
}

/// A labelled multi-line text box; reports on every input.
#[component]
pub fn TextBox(
    label: String,
    placeholder: String,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_change: Callback<String>,
    #[prop(optional)] test_id: &'static str,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    view! {
        <div class="control" class:fig-needed=crate::ui::figure::needs_control(test_id)>
            <label>
                <span>{label.clone()}</span>
            </label>
            <textarea
                aria-label=label
                placeholder=placeholder
                data-testid=test_id
                prop:value=move || value.get()
                on:input=move |ev| on_change.run(event_target_value(&ev))
            ></textarea>
            {hint.map(|h| view! { <div class="hint">{h}</div> })}
        </div>
    }
}
