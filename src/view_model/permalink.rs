//! The canonical permalink of a page: the shell's keys and every parameter of its view, written by
//! the view's schema (so a copied link keeps working when a default changes, and carries no junk).

use crate::i18n::Lang;
use crate::view_model::schema::{query_string, FlagParam, UrlChoice};
use crate::view_model::shell::{self, ViewId, EMBED, LANG};
use crate::view_model::{approx, heads, model, sdpa, sparse, speed};

/// `?view=…&…` for the query `get`, in language `lang` (written only when it is not English).
pub fn canonical_query(get: &dyn Fn(&str) -> Option<String>, lang: Lang) -> String {
    let s = shell::parse(get);
    let mut pairs = match s.view {
        ViewId::Sdpa => sdpa::params::to_query(&sdpa::params::parse(get).params),
        ViewId::Heads => heads::params::to_query(&heads::params::parse(get).params),
        ViewId::Sparse => sparse::params::to_query(&sparse::params::parse(get).params),
        ViewId::Approx => approx::params::to_query(&approx::params::parse(get).params),
        ViewId::Speed => speed::params::to_query(&speed::params::parse(get).params),
        ViewId::Model => model::params::to_query(&model::params::parse(get).params),
    };
    if s.embed {
        pairs.push((EMBED.key, FlagParam::word(true).into()));
    }
    if lang != LANG.default {
        pairs.push((LANG.key, lang.word().into()));
    }
    query_string(&pairs)
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
        assert_eq!(
            canonical_query(&pairs_lookup(&[]), Lang::En),
            canonical_query(&pairs_lookup(&[("view", "sdpa")]), Lang::En)
        );
    }
}
