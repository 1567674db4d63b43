//! The home page (`?` or `view=home`): what the atlas is, one card per chapter with a tiny thumbnail
//! computed by the engine (the model card computes nothing) and its typeset formula, and the
//! language switch.

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::{lang, t, tf, Lang};
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::render::math::MathFormula;
use crate::view_model::colormap::Colormap;
use crate::view_model::formulas;
use crate::view_model::home::{thumbnail, N};
use crate::view_model::schema::UrlChoice;
use crate::view_model::shell::ViewId;

const THUMB: u32 = 128;

fn blurb(v: ViewId) -> &'static str {
    match v {
        ViewId::Home => "home.title",
        ViewId::Sdpa => "home.card.sdpa",
        ViewId::Heads => "home.card.heads",
        ViewId::Sparse => "home.card.sparse",
        ViewId::Approx => "home.card.approx",
        ViewId::Speed => "home.card.speed",
        ViewId::Model => "home.card.model",
    }
}

/// The engine's thumbnail of chapter `v` as a small heatmap (a note for the model card).
fn thumb(v: ViewId) -> AnyView {
    let Some(m) = thumbnail(v) else {
        return view! { <div class="home-thumb home-thumb-none" data-testid="thumb-none">"135M · 98 MB"</div> }
            .into_any();
    };
    let source = (m.rows, m.cols);
    let (spec, label, w, h) = if v == ViewId::Speed {
        let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
        for i in 0..m.rows {
            for x in m.row(i) {
                lo = lo.min(*x);
                hi = hi.max(*x);
            }
        }
        let spec = HeatmapSpec {
            matrix: Arc::new(m),
            source,
            lo,
            hi,
            cmap: Colormap::Magma,
        };
        (spec, t("home.thumb.speed").to_string(), THUMB * 11 / 6, THUMB)
    } else {
        let spec = HeatmapSpec::weights(Arc::new(m), source);
        (spec, tf("home.thumb", &[("n", &N.to_string())]), THUMB, THUMB)
    };
    let spec = Signal::derive(move || Some(spec.clone()));
    view! {
        <div class="home-thumb">
            <Heatmap spec=spec width=w height=h aria_label=label test_id="thumb" words=false />
        </div>
    }
    .into_any()
}

/// The home page.
#[component]
pub fn HomeView() -> impl IntoView {
    let suffix = if lang() == Lang::En {
        String::new()
    } else {
        format!("&lang={}", lang().code())
    };
    let cards = ViewId::CHAPTERS
        .iter()
        .map(|v| {
            let v = *v;
            let formula = formulas::for_view(v).map(|src| {
                view! { <MathFormula source=src display="inline" class="card-formula" test_id="card-formula" /> }
            });
            view! {
                <a class="home-card" href=format!("?view={}{}", v.word(), suffix) data-testid=format!("card-{}", v.word())>
                    <h3>{t(v.label_id())}</h3>
                    {thumb(v)}
                    <p class="card-text">{t(blurb(v))}</p>
                    {formula}
                    <span class="card-open">{t("home.open")}</span>
                </a>
            }
        })
        .collect_view();
    let lang_link = |l: Lang| {
        let href = if l == Lang::En {
            // Written out: without it, a browser that prefers Chinese would open Chinese again.
            "?view=home&lang=en".to_string()
        } else {
            format!("?view=home&lang={}", l.code())
        };
        view! {
            <a href=href rel="external" hreflang=l.code() data-testid=format!("lang-{}", l.code())
                aria-current=(lang() == l).then_some("true")>
                {t(l.label_id())}
            </a>
        }
    };
    view! {
        <section class="view home" data-testid="view-home">
            <div class="view-head">
                <h2>{t("home.title")}</h2>
                <p class="lede">{t("home.intro1")} " " {t("home.intro2")} " " {t("home.intro3")}</p>
                <p class="home-start">
                    <a class="button primary" data-testid="home-tour"
                        href=crate::view_model::tour::start_href(crate::view_model::tour::TOURS[0], &suffix)>
                        {t("tour.start")}" →"
                    </a>
                </p>
                <p class="home-lang" data-testid="lang-switch">
                    {t("home.lang")} " " {lang_link(Lang::En)} " · " {lang_link(Lang::Zh)}
                </p>
            </div>
            <h2 class="home-chapters">{t("home.chapters")}</h2>
            <div class="home-cards" data-testid="home-cards">{cards}</div>
        </section>
    }
}
