//! A figure of a chapter — heatmap, chart, bar panel or table with its legend and caption — under a
//! stable id (`view_model::figures`): a card with Share, Embed and Export buttons, which renders alone
//! in an embed (`embed=1&fig=<id>`, see [`focus`]). Heatmaps and charts inside it register what they
//! draw ([`FigureCtx`]) so the exports can re-render and serialise it.

pub mod download;
pub mod focus;
pub mod png;
pub mod sources;
pub mod svg;
pub mod toolbar;

use leptos::html::Div;
use leptos::prelude::*;

pub use focus::{needs_control, provide_focus, FigFocus};
pub use sources::{FigureCtx, Source};

/// A figure: `id` is its stable id (one of its chapter's `FIGURES`); `children` is the panel that
/// draws its card. The toolbar sits above the card.
#[component]
pub fn Figure(id: &'static str, children: Children) -> impl IntoView {
    // The figure's context lives on an owner of its own, as `leptos::context::Provider` does it: a
    // component has no owner, so `provide_context` here would leave the context on the enclosing
    // view switch, where the next view's heatmaps would find this (disposed) figure.
    let owner = Owner::current().expect("a figure is built inside the app").child();
    let ctx = owner.with(|| FigureCtx::new(id));
    let view = owner.with(|| {
        provide_context(ctx);
        card(id, ctx, children)
    });
    leptos::tachys::reactive_graph::OwnedView::new_with_owner(view, owner)
}

fn card(id: &'static str, ctx: FigureCtx, children: Children) -> impl IntoView {
    let root = NodeRef::<Div>::new();
    let selected = use_context::<FigFocus>()
        .map(|f| f.selected(id))
        .unwrap_or_else(|| Signal::derive(|| false));
    view! {
        <div
            node_ref=root
            class="figure"
            class:fig-selected=move || selected.get()
            id=format!("fig-{id}")
            data-fig=id
            data-testid=format!("fig-{id}")
        >
            <toolbar::Toolbar ctx=ctx root=root />
            {children()}
        </div>
    }
}
