//! The head finder: for every head its previous-token, induction, first-token (attention sink) and
//! self scores, as a heads × layers heatmap of the chosen score and a table sortable by any of them;
//! and the per-token loss, which on the repeated run drops in the second half — in-context learning,
//! done by the induction heads.

use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::model::config::ModelConfig;
use crate::i18n::{t, tf};
use crate::ui::components::param_controls::ChoiceSelect;
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::url::{keys_setter, setter};
use crate::ui::views::model::loss_chart::{LossChart, Series};
use crate::ui::views::model::{store, Ctx};
use crate::view_model::colormap::Colormap;
use crate::view_model::format::{fixed4, sig3};
use crate::view_model::model::choices::{Input, Score};
use crate::view_model::model::finder::head_of_row;
use crate::view_model::model::params::{HEAD, INPUT, LAYER, SCORE};
use crate::view_model::schema::UrlChoice;

/// Rows the table shows.
const TABLE_ROWS: usize = 30;

/// The head finder card.
#[component]
pub fn FinderPanel(ctx: Ctx) -> impl IntoView {
    let run = ctx.analysis;
    let params = ctx.params;
    let score = Memo::new(move |_| params.with(|p| p.score));
    // Query heads per K/V head (SmolLM2-135M: 9 / 3), the bands of the grid.
    let group = store::model().map_or(ModelConfig::SMOLLM2_135M.group_size(), |m| m.config.group_size());
    let repeat = Memo::new(move |_| params.with(|p| p.input == Input::Repeat));
    let spec = Signal::derive(move || {
        run.result.get().map(|a| {
            let g = a.scores.grid(score.get(), group);
            HeatmapSpec {
                source: (g.rows, g.cols),
                matrix: Arc::new(g),
                lo: 0.0,
                hi: 1.0,
                cmap: Colormap::Viridis,
            }
        })
    });
    let set_keys = keys_setter();
    let select = {
        let set_keys = set_keys.clone();
        move |l: usize, h: usize| set_keys(&[(LAYER.key, Some(l.to_string())), (HEAD.key, Some(h.to_string()))])
    };
    let select_cell = {
        let select = select.clone();
        Callback::new(move |(r, l): (usize, usize)| {
            if let Some(h) = head_of_row(r, group) {
                select(l, h)
            }
        })
    };
    let hover = RwSignal::new(None::<(usize, usize)>);
    let readout = move || {
        let Some((h, l)) = hover.get().and_then(|(r, l)| Some((head_of_row(r, group)?, l))) else {
            return Some(t("model.finder.hint").to_string());
        };
        let a = run.result.get()?;
        let v = a.scores.values.get(l * a.scores.heads + h)?;
        Some(tf(
            "model.finder.readout",
            &[
                ("layer", &l.to_string()),
                ("head", &h.to_string()),
                ("prev", &fixed4(v[0])),
                ("induction", &fixed4(v[1])),
                ("first", &fixed4(v[2])),
                ("self", &fixed4(v[3])),
            ],
        ))
    };
    let set_score = setter(SCORE.key);
    let header = move |s: Score| {
        let on = move || score.get() == s;
        view! {
            <th class="num">
                <button
                    class=move || if on() { "sort on" } else { "sort" }
                    aria-pressed=move || on().to_string()
                    data-testid=format!("sort-{}", s.word())
                    on:click=move |_| set_score.set(Some(s.word().into()))
                >
                    {t(s.label_id())}
                    {move || if on() { " ↓" } else { "" }}
                </button>
            </th>
        }
    };
    let rows = move || {
        let a = run.result.get()?;
        let sel = params.with(|p| (p.layer, p.head));
        let select = select.clone();
        Some(
            a.scores
                .ranked(score.get())
                .into_iter()
                .take(TABLE_ROWS)
                .map(|(l, h, v)| {
                    let select = select.clone();
                    view! {
                        <tr class=if (l, h) == sel { "selected" } else { "" }>
                            <td>
                                <button class="link-button" on:click=move |_| select(l, h)>{format!("{l}.{h}")}</button>
                            </td>
                            <td class="num">{h / group}</td>
                            {v.iter().map(|x| view! { <td class="num">{fixed4(*x)}</td> }).collect_view()}
                        </tr>
                    }
                })
                .collect_view(),
        )
    };
    let losses = Signal::derive(move || {
        run.result
            .get()
            .map(|a| {
                vec![Series {
                    class: "trained",
                    losses: a.losses.clone(),
                }]
            })
            .unwrap_or_default()
    });
    let split = Signal::derive(move || run.result.get().and_then(|a| a.tokens.repeat_half));
    let halves = move || {
        let a = run.result.get()?;
        let half = a.tokens.repeat_half?;
        let n = a.chips.len();
        let first = a.mean_loss(1, half)?;
        let second = a.mean_loss(half, n)?;
        Some(tf(
            "model.finder.halves",
            &[("first", &sig3(first as f64)), ("second", &sig3(second as f64))],
        ))
    };
    let run_test = move |_| set_keys(&[(INPUT.key, Some(Input::Repeat.word().into()))]);
    view! {
        <div class="card" data-testid="model-finder">
            <h3>{t("model.finder.title")}</h3>
            <p class="caption">{t("model.finder.caption")}</p>
            <div class="row">
                <ChoiceSelect spec=&SCORE value=Signal::derive(move || score.get()) />
                <Show when=move || !repeat.get()>
                    <button class="button" data-testid="model-finder-repeat" on:click=run_test.clone()>{t("model.repeat.button")}</button>
                    <span class="caption">{t("model.finder.needs_repeat")}</span>
                </Show>
            </div>
            <div class="row-wrap">
                <div>
                    <Heatmap
                        spec=spec
                        width=600
                        height=180
                        on_click=select_cell
                        on_hover=Callback::new(move |c| hover.set(c))
                        aria_label=t("model.finder.aria").to_string()
                        test_id="model-finder-map"
                    />
                    <p class="caption">{t("model.thumbs.axis")}</p>
                    <p class="readout compact">{readout}</p>
                </div>
                <div class="table-scroll finder-table">
                    <table data-testid="model-finder-table">
                        <thead>
                            <tr>
                                <th>{t("model.finder.head")}</th>
                                <th class="num">{t("model.finder.kv")}</th>
                                {header(Score::Previous)}
                                {header(Score::Induction)}
                                {header(Score::First)}
                                {header(Score::Own)}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </div>
            <h4 class="fig-title">{t("model.finder.loss")}</h4>
            <LossChart series=losses split=split aria_label=t("model.finder.loss").to_string() test_id="model-loss" />
            <p class="stats" data-testid="model-halves">{halves}</p>
        </div>
    }
}
