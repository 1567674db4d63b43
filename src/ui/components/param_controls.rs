//! Widgets made from schema constants (`view_model::schema`): each takes its label, range, choices and
//! URL key from the one declaration the parser also reads, and writes its key on change. A view's
//! control panel is a list of these.

use leptos::prelude::*;

use crate::i18n::t;
use crate::ui::browser::now_ms;
use crate::ui::components::controls::{Select, Slider, Toggle};
use crate::ui::url::setter;
use crate::view_model::schema::{ChoiceParam, FlagParam, IntParam, SnapParam, UrlChoice};

/// A slider (with its number box) over an [`IntParam`]'s bounds; `max` lowers the upper bound live
/// (the selected head follows the head count) but never raises it past the schema's.
#[component]
pub fn IntSlider(
    spec: &'static IntParam,
    #[prop(into)] value: Signal<i64>,
    /// A live upper bound (at most `spec.max`).
    #[prop(optional, into)]
    max: Option<Signal<i64>>,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    /// Slider step (1 by default; 2 for a width that must stay even).
    #[prop(optional)]
    step: Option<i64>,
    /// Replaces the default action (write `spec.key`).
    #[prop(optional, into)]
    on_change: Option<Callback<i64>>,
    /// `data-testid`; the URL key by default.
    #[prop(optional)]
    test_id: Option<&'static str>,
) -> impl IntoView {
    let set = setter(spec.key);
    let on_change = on_change.unwrap_or_else(|| Callback::new(move |v: i64| set.set(Some(v.to_string()))));
    let test_id = test_id.unwrap_or(spec.key);
    // A memo, so the slider is rebuilt only when its bound really changes (a derived `max` signal
    // fires on every parameter change); the hint is made once, not per rebuild.
    let hi = Memo::new(move |_| max.map_or(spec.max, |m| m.get().clamp(spec.min, spec.max)));
    let hint = hint.unwrap_or_else(|| Signal::derive(String::new));
    move || {
        let hi = hi.get();
        view! {
            <Slider
                label=t(spec.label).to_string()
                value=value
                min=spec.min
                max=hi
                step=step.unwrap_or(1)
                log=spec.log
                on_change=on_change
                test_id=test_id
                hint=hint
            />
        }
    }
}

/// A slider over a [`SnapParam`]'s allowed values (one notch each).
#[component]
pub fn SnapSlider(spec: &'static SnapParam, #[prop(into)] value: Signal<usize>) -> impl IntoView {
    let set = setter(spec.key);
    let last = spec.allowed.len().saturating_sub(1) as i64;
    let index = Signal::derive(move || {
        let v = value.get();
        spec.allowed.iter().position(|a| *a == v).unwrap_or(0) as i64
    });
    view! {
        <Slider
            label=t(spec.label).to_string()
            value=index
            min=0
            max=last
            on_change=Callback::new(move |i: i64| {
                let v = spec.allowed[i.clamp(0, last) as usize];
                set.set(Some(v.to_string()));
            })
            test_id=spec.key
            hint=Signal::derive(move || value.get().to_string())
        />
    }
}

/// A drop-down of a [`SnapParam`]'s allowed values (for sizes read as numbers, such as `d_model`).
#[component]
pub fn SnapSelect(spec: &'static SnapParam, #[prop(into)] value: Signal<usize>) -> impl IntoView {
    let set = setter(spec.key);
    let options = spec.allowed.iter().map(|v| (v.to_string(), v.to_string())).collect();
    view! {
        <Select
            label=t(spec.label).to_string()
            options=options
            value=Signal::derive(move || value.get().to_string())
            on_change=Callback::new(move |v: String| set.set(Some(v)))
            test_id=spec.key
        />
    }
}

/// A drop-down of a [`ChoiceParam`]'s variants (or of `only`, a subset), labelled from the catalogue.
#[component]
pub fn ChoiceSelect<T: UrlChoice>(
    spec: &'static ChoiceParam<T>,
    #[prop(into)] value: Signal<T>,
    /// Offer only these variants.
    #[prop(optional)]
    only: Option<Vec<T>>,
    #[prop(optional)] test_id: Option<&'static str>,
) -> impl IntoView {
    let set = setter(spec.key);
    let options = only
        .unwrap_or_else(|| T::ALL.to_vec())
        .into_iter()
        .map(|c| (c.word().to_string(), t(c.label_id()).to_string()))
        .collect();
    view! {
        <Select
            label=t(spec.label).to_string()
            options=options
            value=Signal::derive(move || value.get().word().to_string())
            on_change=Callback::new(move |w: String| set.set(Some(w)))
            test_id=test_id.unwrap_or(spec.key)
        />
    }
}

/// A checkbox over a [`FlagParam`].
#[component]
pub fn FlagToggle(
    spec: &'static FlagParam,
    #[prop(into)] value: Signal<bool>,
    #[prop(optional)] test_id: Option<&'static str>,
) -> impl IntoView {
    let set = setter(spec.key);
    view! {
        <Toggle
            label=t(spec.label).to_string()
            value=value
            on_change=Callback::new(move |c: bool| set.set(Some(FlagParam::word(c).to_string())))
            test_id=test_id.unwrap_or(spec.key)
        />
    }
}

/// A seed: a number box over the whole range and a button that draws a new one.
#[component]
pub fn SeedInput(spec: &'static IntParam, #[prop(into)] value: Signal<i64>) -> impl IntoView {
    let set = setter(spec.key);
    let label = t(spec.label);
    let reroll = move |_| {
        // Any new value will do: the clock's sub-millisecond digits, kept inside the bounds.
        let fresh = (now_ms() * 7919.0) as i64 % (spec.max - spec.min + 1) + spec.min;
        let fresh = if fresh == value.get_untracked() {
            spec.clamp(fresh + 1)
        } else {
            fresh
        };
        set.set(Some(fresh.to_string()));
    };
    view! {
        <div class="control" class:fig-needed=crate::ui::figure::needs_control(spec.key)>
            <label>
                <span>{label}</span>
            </label>
            <div class="row">
                <input
                    type="number"
                    min=spec.min
                    max=spec.max
                    step=1
                    aria-label=label
                    data-testid=format!("{}-number", spec.key)
                    prop:value=move || value.get().to_string()
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                            if v.is_finite() {
                                set.set(Some(spec.clamp(v.round() as i64).to_string()));
                            }
                        }
                    }
                />
                <button class="button" data-testid=format!("{}-new", spec.key) on:click=reroll>
                    {t("ui.new_seed")}
                </button>
            </div>
        </div>
    }
}
