//! The input: the prompt box (or the repeated random run), the tokens as chips with their ids, and
//! the model's next-token top 10 with probabilities.

use leptos::prelude::*;

use crate::i18n::{t, tf};
use crate::ui::components::controls::TextBox;
use crate::ui::components::param_controls::{IntSlider, SeedInput};
use crate::ui::url::{keys_setter, setter};
use crate::ui::views::model::Ctx;
use crate::view_model::format::sig3;
use crate::view_model::model::analysis::Candidate;
use crate::view_model::model::params::{Input, HALF, INPUT, MAX_TOKENS, PROMPT, RSEED};
use crate::view_model::schema::UrlChoice;

/// A ranked list of next-token candidates, each with its probability as a bar.
#[component]
pub fn CandidateList(#[prop(into)] items: Signal<Vec<Candidate>>, test_id: &'static str) -> impl IntoView {
    let rows = move || {
        items
            .get()
            .into_iter()
            .enumerate()
            .map(|(rank, c)| {
                let pct = (c.prob * 100.0).clamp(0.0, 100.0);
                view! {
                    <li class="cand" data-id=c.id data-prob=c.prob.to_string()>
                        <span class="cand-rank">{rank + 1}</span>
                        <code class="chip-text">{c.text.clone()}</code>
                        <span class="bar-track"><span class="bar-fill accent" style:width=format!("{pct:.1}%")></span></span>
                        <span class="cand-p">{format!("{}%", sig3(pct as f64))}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! { <ol class="cand-list" data-testid=test_id>{rows}</ol> }
}

/// The prompt card.
#[component]
pub fn PromptPanel(ctx: Ctx) -> impl IntoView {
    let params = ctx.params;
    let run = ctx.analysis;
    let set_prompt = setter(PROMPT.key);
    let set_keys = keys_setter();
    let input = Memo::new(move |_| params.with(|p| p.input));
    let use_repeat = {
        let set_keys = set_keys.clone();
        move |_| set_keys(&[(INPUT.key, Some(Input::Repeat.word().into()))])
    };
    let use_prompt = move |_| set_keys(&[(INPUT.key, Some(Input::Prompt.word().into()))]);
    let chips = move || {
        run.result.get().map(|a| {
            a.chips
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    view! {
                        <span class="chip" data-id=c.id title=tf("model.tokens.chip", &[("i", &i.to_string()), ("id", &c.id.to_string())])>
                            <code class="chip-text">{c.text.clone()}</code>
                            <sub class="chip-id">{c.id}</sub>
                        </span>
                    }
                })
                .collect_view()
        })
    };
    let token_note = move || {
        run.result.get().map(|a| match a.tokens.cut_from {
            Some(from) => tf(
                "model.tokens.cut",
                &[("n", &from.to_string()), ("max", &MAX_TOKENS.to_string())],
            ),
            None => tf(
                "model.tokens.count",
                &[("n", &a.chips.len().to_string()), ("max", &MAX_TOKENS.to_string())],
            ),
        })
    };
    let next = Signal::derive(move || run.result.get().map(|a| a.next.clone()).unwrap_or_default());
    let busy = run.busy_text();
    let loss = Memo::new(move |_| run.result.get().and_then(|a| a.mean_loss(1, a.chips.len())));
    let mean_loss = move || {
        loss.get().map(|l| {
            tf(
                "model.loss.mean",
                &[("loss", &sig3(l as f64)), ("ppl", &sig3((l as f64).exp()))],
            )
        })
    };
    view! {
        <div class="card" data-testid="model-prompt">
            <h3>{t("model.prompt.title")}</h3>
            <div class="row-wrap">
                <div class="prompt-side">
                    <Show
                        when=move || input.get() == Input::Prompt
                        fallback=move || {
                            view! {
                                <div class="controls inline-controls">
                                    <p class="caption">{t("model.repeat.caption")}</p>
                                    <IntSlider spec=&HALF value=Signal::derive(move || params.with(|p| p.repeat_half as i64)) />
                                    <SeedInput spec=&RSEED value=Signal::derive(move || params.with(|p| p.repeat_seed as i64)) />
                                    <button class="button" data-testid="model-use-prompt" on:click=use_prompt.clone()>
                                        {t("model.input.back")}
                                    </button>
                                </div>
                            }
                        }
                    >
                        <TextBox
                            label=t("model.prompt").to_string()
                            placeholder=t("model.prompt.placeholder").to_string()
                            value=Signal::derive(move || params.with(|p| p.prompt.clone()))
                            on_change=Callback::new(move |s: String| set_prompt.set(Some(s)))
                            test_id="model-prompt-text"
                            hint=tf("model.prompt.hint", &[("max", &MAX_TOKENS.to_string())])
                        />
                        <button class="button" data-testid="model-repeat" on:click=use_repeat.clone()>
                            {t("model.repeat.button")}
                        </button>
                    </Show>
                    <p class="caption" data-testid="model-token-note">{token_note}</p>
                    <div class="chips" data-testid="model-chips">{chips}</div>
                </div>
                <div class="next-side">
                    <h4 class="fig-title">{t("model.next.title")}</h4>
                    <p class="busy-line">{move || busy.get()}</p>
                    <CandidateList items=next test_id="model-next" />
                    <p class="stats" data-testid="model-mean-loss" data-loss=move || loss.get().map(|l| l.to_string())>{mean_loss}</p>
                </div>
            </div>
        </div>
    }
}
