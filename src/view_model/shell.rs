//! The keys every page reads whatever its chapter: `view`, `embed` and `lang`, with their schema.

use crate::i18n::Lang;
use crate::view_model::params::{Notice, ParamReader};
use crate::view_model::schema::{ChoiceParam, FlagParam, Schema};

/// The chapters of the atlas, as named by `view=` in the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewId {
    Sdpa,
    Heads,
    Sparse,
    Approx,
    Speed,
    Model,
}

crate::url_choice!(ViewId {
    ViewId::Sdpa => ("sdpa", "nav.sdpa"),
    ViewId::Heads => ("heads", "nav.heads"),
    ViewId::Sparse => ("sparse", "nav.sparse"),
    ViewId::Approx => ("approx", "nav.approx"),
    ViewId::Speed => ("speed", "nav.speed"),
    ViewId::Model => ("model", "nav.model"),
});

crate::url_choice!(Lang {
    Lang::En => ("en", "lang.en"),
    Lang::Zh => ("zh", "lang.zh"),
});

pub const VIEW: ChoiceParam<ViewId> = ChoiceParam {
    key: "view",
    label: "nav.aria",
    doc: "the chapter",
    default: ViewId::Sdpa,
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
    doc: "interface language (untranslated messages fall back to English)",
    default: Lang::En,
};

/// The keys shared by every view.
pub const SCHEMA: Schema = Schema {
    view: "shared",
    params: &[&VIEW, &EMBED, &LANG],
};

/// What the shell reads from the query.
#[derive(Clone, Debug, PartialEq)]
pub struct ShellParams {
    pub view: ViewId,
    pub embed: bool,
    pub notices: Vec<Notice>,
}

/// Parses `view` and `embed` (`lang` is read once at start-up, before anything renders).
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ShellParams {
    let mut r = ParamReader::new(get);
    let view = VIEW.read(&mut r);
    let embed = EMBED.read(&mut r);
    ShellParams {
        view,
        embed,
        notices: r.notices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::params::pairs_lookup;
    use crate::view_model::schema::UrlChoice;

    #[test]
    fn an_unknown_view_opens_the_first_chapter_with_a_notice() {
        let s = parse(&pairs_lookup(&[("view", "nope"), ("embed", "1")]));
        assert_eq!((s.view, s.embed), (ViewId::Sdpa, true));
        assert_eq!(s.notices.len(), 1);
        assert_eq!(parse(&pairs_lookup(&[("view", "Sparse")])).view, ViewId::Sparse);
        assert_eq!(
            ViewId::words(),
            vec!["sdpa", "heads", "sparse", "approx", "speed", "model"]
        );
    }
}
