//! Generation: N tokens after the input, greedy or sampled, streamed as they come, with the prompt's
//! and the decode's tokens per second and the KV cache's bytes growing — the heads chapter's formula
//! 2 · layers · kv_heads · d_head · bytes per token, here at fp32.

use std::rc::Rc;

use leptos::prelude::*;

use crate::attention::message::Message;
use crate::i18n::{t, tf};
use crate::ui::browser::{now_ms, record_metric};
use crate::ui::components::param_controls::{ChoiceSelect, IntSlider, SeedInput};
use crate::ui::jobs::drive;
use crate::ui::url::setter;
use crate::ui::views::model::{store, Ctx, MODEL_SLICING};
use crate::view_model::format::{bytes, sig3};
use crate::view_model::model::analysis::tokens_of;
use crate::view_model::model::choices::Sampling;
use crate::view_model::model::generate::{GenerateJob, Generated, Pick};
use crate::view_model::model::hooks::hook_for;
use crate::view_model::model::params::{ChangeSpec, Source, GEN, SAMPLE, SEED, TEMP};

/// One press of Generate: what to generate from, frozen at the press.
#[derive(Clone, Debug, PartialEq)]
struct Request {
    press: u64,
    source: Source,
    want: usize,
    pick: Pick,
    change: ChangeSpec,
}

/// The generation card.
#[component]
pub fn GeneratePanel(ctx: Ctx) -> impl IntoView {
    let params = ctx.params;
    let request = RwSignal::new(None::<Request>);
    let presses = StoredValue::new(0u64);
    let key = Memo::new(move |_| request.get());
    let run = drive(
        "model_generate",
        key,
        MODEL_SLICING,
        move |req: &Option<Request>| {
            let req = req.as_ref().ok_or_else(|| Message::new("model.generate.idle"))?;
            let model = store::model().ok_or_else(|| Message::new("model.not_loaded"))?;
            let tokens = tokens_of(&model, &req.source);
            let hook = hook_for(&req.change, &model)?;
            Ok(GenerateJob::new(
                Rc::clone(&model),
                &tokens.ids,
                req.want,
                req.pick,
                hook,
                Rc::new(now_ms),
            ))
        },
        |g: &Generated| {
            record_metric("model_prefill_ms", g.prefill_ms);
            record_metric("model_prefill_tokens", g.prompt_tokens as f64);
            record_metric("model_decode_ms", g.decode_ms);
            record_metric("model_decode_tokens", g.decoded as f64);
        },
    );
    let press = move |_| {
        let p = params.get_untracked();
        presses.update_value(|n| *n += 1);
        request.set(Some(Request {
            press: presses.get_value(),
            source: p.source(),
            want: p.new_tokens,
            pick: Pick {
                sampling: p.sampling,
                temperature: p.temperature,
                seed: p.sample_seed,
            },
            change: p.change.clone(),
        }));
    };
    let stop = move |_| run.stop();
    let running = move || run.progress.get().is_some();
    let set_temp = setter(TEMP.key);
    let sampled = Memo::new(move |_| params.with(|p| p.sampling == Sampling::Sample));
    let out = move || run.result.get();
    let text = move || out().map(|g| g.text.clone());
    let stats = move || {
        out().map(|g| {
            let rate = |r: Option<f64>| r.map_or("—".to_string(), sig3);
            tf(
                "model.generate.stats",
                &[
                    ("prompt", &g.prompt_tokens.to_string()),
                    ("prefill", &rate(g.prefill_rate())),
                    ("new", &g.new_tokens.len().to_string()),
                    ("decode", &rate(g.decode_rate())),
                ],
            )
        })
    };
    let cache = move || {
        out().map(|g| {
            tf(
                "model.generate.cache",
                &[
                    ("bytes", &bytes(g.cache_bytes as f64)),
                    ("tokens", &g.cache_tokens.to_string()),
                ],
            )
        })
    };
    let changed = move || {
        request
            .get()
            .filter(|r| !r.change.is_identity())
            .map(|_| view! { <p class="caption warn-text">{t("model.generate.changed")}</p> })
    };
    view! {
        <div class="card" data-testid="model-generate-card">
            <h3>{t("model.generate.title")}</h3>
            <div class="row-wrap">
                <div class="controls inline-controls">
                    <IntSlider spec=&GEN value=Signal::derive(move || params.with(|p| p.new_tokens as i64)) />
                    <ChoiceSelect spec=&SAMPLE value=Signal::derive(move || params.with(|p| p.sampling)) />
                    <Show when=move || sampled.get()>
                        <div class="control">
                            <label>
                                <span>{t(TEMP.label)}</span>
                                <span class="value">{move || params.with(|p| sig3(p.temperature))}</span>
                            </label>
                            <input
                                type="range"
                                min=TEMP.min
                                max=TEMP.max
                                step="0.05"
                                aria-label=t(TEMP.label)
                                data-testid="temp"
                                prop:value=move || params.with(|p| p.temperature.to_string())
                                on:input=move |ev| set_temp.set(Some(event_target_value(&ev)))
                            />
                        </div>
                        <SeedInput spec=&SEED value=Signal::derive(move || params.with(|p| p.sample_seed as i64)) />
                    </Show>
                    <div class="row">
                        <button class="button primary" data-testid="model-generate" on:click=press>
                            {t("model.generate.button")}
                        </button>
                        <Show when=running>
                            <button class="button" data-testid="model-stop" on:click=stop>{t("model.generate.stop")}</button>
                        </Show>
                    </div>
                </div>
                <div class="gen-side">
                    {changed}
                    <p class="gen-text" data-testid="model-generated">{text}</p>
                    <p class="stats" data-testid="model-gen-stats">{stats}</p>
                    <p class="stats" data-testid="model-gen-cache">{cache}</p>
                    <p class="caption">{t("model.generate.formula")}</p>
                </div>
            </div>
        </div>
    }
}
