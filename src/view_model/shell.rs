//! The keys every page reads whatever its chapter: `view`, `embed` and `lang`, with their schema.

use crate::i18n::Lang;
use crate::view_model::figures::{FigParam, FigureDef};
use crate::view_model::look::{CmapChoice, ThemeChoice, CMAP, THEME};
use crate::view_model::params::{Notice, ParamReader};
use crate::view_model::schema::{ChoiceParam, FlagParam, Schema};
use crate::view_model::tour;

/// The chapters of the atlas, as named by `view=` in the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewId {
    /// The home page: what the atlas is and one card per chapter.
    Home,
    Sdpa,
    Heads,
    Sparse,
    Approx,
    Speed,
    Model,
}

crate::url_choice!(ViewId {
    ViewId::Home => ("home", "nav.home"),
    ViewId::Sdpa => ("sdpa", "nav.sdpa"),
    ViewId::Heads => ("heads", "nav.heads"),
    ViewId::Sparse => ("sparse", "nav.sparse"),
    ViewId::Approx => ("approx", "nav.approx"),
    ViewId::Speed => ("speed", "nav.speed"),
    ViewId::Model => ("model", "nav.model"),
});

impl ViewId {
    /// The chapters, in reading order (every view but the home page).
    pub const CHAPTERS: [ViewId; 6] = [
        ViewId::Sdpa,
        ViewId::Heads,
        ViewId::Sparse,
        ViewId::Approx,
        ViewId::Speed,
        ViewId::Model,
    ];
}

crate::url_choice!(Lang {
    Lang::En => ("en", "lang.en"),
    Lang::Zh => ("zh", "lang.zh"),
});

pub const VIEW: ChoiceParam<ViewId> = ChoiceParam {
    key: "view",
    label: "nav.aria",
    doc: "the chapter (`home`, the default, is the home page with one card per chapter)",
    default: ViewId::Home,
};
pub const EMBED: FlagParam = FlagParam {
    key: "embed",
    label: "ui.embed",
    doc: "render the view alone (no header/footer) for an `<iframe>`",
    default: false,
};
pub const LANG: ChoiceParam<Lang> = ChoiceParam {
    key: "lang",
    label: "ui.lang",
    doc: "interface language: `en` English, `zh` Simplified Chinese (a message without Chinese would fall back to English)",
    default: Lang::En,
};

pub const FIG: FigParam = FigParam {
    key: "fig",
    label: "ui.fig",
    doc: "with `embed=1`: one figure of the chapter alone (its controls, legend, caption and a link to the full page)",
};
/// `class=1`: classroom mode (projector layout: large type, thick lines, big cells, compact controls).
pub const CLASS: FlagParam = FlagParam {
    key: "class",
    label: "class.toggle",
    doc: "classroom mode: large type, thick lines and bigger cells for a projector; F shows one figure full-screen",
    default: false,
};
pub const CONTROLS: FlagParam = FlagParam {
    key: "controls",
    label: "ui.controls",
    doc: "with `fig`: show the controls the figure needs (`0` = the figure only)",
    default: true,
};

/// The keys shared by every view.
pub const SCHEMA: Schema = Schema {
    view: "shared",
    params: &[
        &VIEW,
        &EMBED,
        &FIG,
        &CONTROLS,
        &LANG,
        &THEME,
        &CMAP,
        &CLASS,
        &tour::TOUR,
        &tour::STEP,
    ],
};

/// What the shell reads from the query.
#[derive(Clone, Debug, PartialEq)]
pub struct ShellParams {
    pub view: ViewId,
    pub embed: bool,
    /// The figure shown alone (`fig=`; only in embed mode).
    pub fig: Option<&'static FigureDef>,
    /// Whether the lone figure keeps its controls (`controls=`).
    pub controls: bool,
    /// `theme=`.
    pub theme: ThemeChoice,
    /// `cmap=`.
    pub cmap: CmapChoice,
    /// `class=1`.
    pub classroom: bool,
    /// The running tour's chapter and its step, 0-based (`tour=`, `step=`; the tour opens its chapter).
    pub tour: Option<(ViewId, usize)>,
    pub notices: Vec<Notice>,
}

/// Parses `view`, `embed`, `fig` and `controls` (`lang` is read once at start-up, before anything renders).
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ShellParams {
    let mut r = ParamReader::new(get);
    let mut view = VIEW.read(&mut r);
    let tour = tour::read(&mut r).map(|(t, k)| (t.view, k));
    if let Some((chapter, _)) = tour {
        view = chapter;
    }
    let classroom = CLASS.read(&mut r);
    let embed = EMBED.read(&mut r);
    let fig = FIG.read(&mut r, view).filter(|_| embed);
    // An embed shows its figure, never a tour's panel.
    let tour = tour.filter(|_| !embed);
    let controls = CONTROLS.read(&mut r);
    let theme = THEME.read(&mut r);
    let cmap = CMAP.read(&mut r);
    ShellParams {
        classroom,
        tour,
        theme,
        cmap,
        view,
        embed,
        fig,
        controls,
        notices: r.notices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::params::pairs_lookup;
    use crate::view_model::schema::UrlChoice;

    #[test]
    fn an_unknown_view_opens_the_home_page_with_a_notice() {
        let s = parse(&pairs_lookup(&[("view", "nope"), ("embed", "1")]));
        assert_eq!((s.view, s.embed), (ViewId::Home, true));
        assert_eq!(parse(&pairs_lookup(&[])).view, ViewId::Home);
        assert_eq!(s.notices.len(), 1);
        let f = parse(&pairs_lookup(&[
            ("view", "heads"),
            ("embed", "1"),
            ("fig", "heads-memory"),
            ("controls", "0"),
        ]));
        assert_eq!((f.fig.map(|f| f.id), f.controls), (Some("heads-memory"), false));
        let wrong = parse(&pairs_lookup(&[
            ("view", "heads"),
            ("embed", "1"),
            ("fig", "sdpa-weights"),
        ]));
        assert_eq!((wrong.fig, wrong.notices.len()), (None, 1));
        assert_eq!(
            parse(&pairs_lookup(&[("fig", "sdpa-weights")])).fig,
            None,
            "fig needs embed=1"
        );
        assert_eq!(parse(&pairs_lookup(&[("view", "Sparse")])).view, ViewId::Sparse);
        assert_eq!(
            ViewId::words(),
            vec!["home", "sdpa", "heads", "sparse", "approx", "speed", "model"]
        );
        assert_eq!(ViewId::CHAPTERS.len(), 6);
        assert!(!ViewId::CHAPTERS.contains(&ViewId::Home));
    }
}
