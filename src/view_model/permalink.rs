//! The canonical permalink of a page: the shell's keys and every parameter of its view, written by
//! the view's schema (so a copied link keeps working when a default changes, and carries no junk).

use crate::i18n::Lang;
use crate::view_model::look::{CMAP, THEME};
use crate::view_model::schema::{query_string, FlagParam, Schema, UrlChoice};
use crate::view_model::shell::{self, ViewId, CLASS, CONTROLS, EMBED, FIG, LANG};
use crate::view_model::tour;
use crate::view_model::{approx, heads, model, sdpa, sparse, speed};

/// `?view=…&…` for the query `get`, in language `lang` (written only when it is not English).
pub fn canonical_query(get: &dyn Fn(&str) -> Option<String>, lang: Lang) -> String {
    let s = shell::parse(get);
    let mut pairs = match s.view {
        ViewId::Home => vec![(shell::VIEW.key, ViewId::Home.word().into())],
        ViewId::Sdpa => sdpa::params::to_query(&sdpa::params::parse(get).params),
        ViewId::Heads => heads::params::to_query(&heads::params::parse(get).params),
        ViewId::Sparse => sparse::params::to_query(&sparse::params::parse(get).params),
        ViewId::Approx => approx::params::to_query(&approx::params::parse(get).params),
        ViewId::Speed => speed::params::to_query(&speed::params::parse(get).params),
        ViewId::Model => model::params::to_query(&model::params::parse(get).params),
    };
    if s.embed {
        pairs.push((EMBED.key, FlagParam::word(true).into()));
        if let Some(fig) = s.fig {
            pairs.push((FIG.key, fig.id.into()));
            if !s.controls {
                pairs.push((CONTROLS.key, FlagParam::word(false).into()));
            }
        }
    }
    if let Some((chapter, step)) = s.tour {
        pairs.push((tour::TOUR.key, chapter.word().into()));
        pairs.push((tour::STEP.key, (step + 1).to_string()));
    }
    if s.classroom {
        pairs.push((CLASS.key, FlagParam::word(true).into()));
    }
    if lang != LANG.default {
        pairs.push((LANG.key, lang.word().into()));
    }
    if s.theme != THEME.default {
        pairs.push((THEME.key, s.theme.word().into()));
    }
    if s.cmap != CMAP.default {
        pairs.push((CMAP.key, s.cmap.word().into()));
    }
    query_string(&pairs)
}

/// The parameter schema of chapter `view`.
pub fn schema_of(view: ViewId) -> &'static Schema {
    match view {
        ViewId::Home => &crate::view_model::home::SCHEMA,
        ViewId::Sdpa => &sdpa::params::SCHEMA,
        ViewId::Heads => &heads::params::SCHEMA,
        ViewId::Sparse => &sparse::params::SCHEMA,
        ViewId::Approx => &approx::params::SCHEMA,
        ViewId::Speed => &speed::params::SCHEMA,
        ViewId::Model => &model::params::SCHEMA,
    }
}

/// The full-page permalink of a query (no `embed`, `fig` or `controls`): the "open in Attention
/// Atlas" and Share link.
pub fn page_query(get: &dyn Fn(&str) -> Option<String>, lang: Lang) -> String {
    let drop = [EMBED.key, FIG.key, CONTROLS.key];
    let without = |k: &str| if drop.contains(&k) { None } else { get(k) };
    canonical_query(&without, lang)
}

/// The embed query of figure `fig` of the page `get` describes.
pub fn embed_query(get: &dyn Fn(&str) -> Option<String>, lang: Lang, fig: &str) -> String {
    format!("{}&{}=1&{}={fig}", page_query(get, lang), EMBED.key, FIG.key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::params::pairs_lookup;

    #[test]
    fn a_permalink_drops_junk_keeps_every_parameter_and_parses_back_to_the_same_view() {
        let q = canonical_query(
            &pairs_lookup(&[("view", "sdpa"), ("n", "7"), ("zzz", "1"), ("embed", "1")]),
            Lang::Zh,
        );
        let dark = canonical_query(&pairs_lookup(&[("theme", "dark"), ("cmap", "cividis")]), Lang::En);
        assert!(dark.ends_with("&theme=dark&cmap=cividis"), "{dark}");
        assert!(q.starts_with("?view=sdpa&n=7&d_model=64"), "{q}");
        assert!(q.ends_with("&embed=1&lang=zh"), "{q}");
        assert!(!q.contains("zzz"));
        let pairs: Vec<(String, String)> = q[1..]
            .split('&')
            .map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).unwrap())
            .collect();
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let again = sdpa::params::parse(&pairs_lookup(&borrowed));
        assert!(again.notices.is_empty());
        assert_eq!(again.params.n, 7);
        let e = embed_query(
            &pairs_lookup(&[("view", "heads"), ("embed", "1")]),
            Lang::En,
            "heads-rope",
        );
        assert!(
            e.starts_with("?view=heads&") && e.ends_with("&embed=1&fig=heads-rope"),
            "{e}"
        );
        let back = shell::parse(&pairs_lookup(&[
            ("view", "heads"),
            ("embed", "1"),
            ("fig", "heads-rope"),
        ]));
        assert_eq!(back.fig.map(|f| f.id), Some("heads-rope"));
        assert!(!page_query(&pairs_lookup(&[("embed", "1"), ("fig", "sdpa-weights")]), Lang::En).contains("embed"));
        assert_eq!(
            canonical_query(&pairs_lookup(&[]), Lang::En),
            canonical_query(&pairs_lookup(&[("view", "home")]), Lang::En)
        );
        assert_eq!(
            canonical_query(&pairs_lookup(&[("view", "home"), ("n", "3")]), Lang::Zh),
            "?view=home&lang=zh"
        );
    }
}
