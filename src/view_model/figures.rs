//! Every figure of every chapter, by a stable id: what `fig=<id>` renders alone in an embed, which
//! URL keys its controls are (shown beside it unless `controls=0`), and which keys name its exports
//! (`atlas-sdpa-weights-head0-n24.png`). Each chapter's list lives beside its schema, in
//! `view_model/<chapter>/params.rs`, as `FIGURES`.

use crate::view_model::params::{NoticeReason, ParamReader};
use crate::view_model::schema::{ParamSpec, UrlChoice};
use crate::view_model::shell::ViewId;
use crate::view_model::{approx, heads, model, sdpa, sparse, speed};

/// One figure: a heatmap, chart, bar panel or table with its legend and caption.
#[derive(Debug, PartialEq, Eq)]
pub struct FigureDef {
    /// The stable id (`sdpa-weights`), unique across chapters and prefixed by the chapter's word.
    pub id: &'static str,
    /// URL keys of the controls the figure needs when embedded alone.
    pub controls: &'static [&'static str],
    /// URL keys whose values go into export file names, in order.
    pub name_keys: &'static [&'static str],
}

/// The figures of chapter `view`, in page order.
pub fn of(view: ViewId) -> &'static [FigureDef] {
    match view {
        ViewId::Home => &[],
        ViewId::Sdpa => sdpa::params::FIGURES,
        ViewId::Heads => heads::params::FIGURES,
        ViewId::Sparse => sparse::params::FIGURES,
        ViewId::Approx => approx::params::FIGURES,
        ViewId::Speed => speed::params::FIGURES,
        ViewId::Model => model::params::FIGURES,
    }
}

/// The figure `id` of chapter `view`.
pub fn find(view: ViewId, id: &str) -> Option<&'static FigureDef> {
    of(view).iter().find(|f| f.id.eq_ignore_ascii_case(id.trim()))
}

/// The export file name of figure `fig` without extension: `atlas-<id>-<key><value>…` from its
/// name keys (values read by `get`, missing ones skipped; only `[A-Za-z0-9.]` kept), plus `extra`.
pub fn file_stem(fig: &FigureDef, get: &dyn Fn(&str) -> Option<String>, extra: &str) -> String {
    let mut s = format!("atlas-{}", fig.id);
    for key in fig.name_keys {
        if let Some(v) = get(key) {
            let v: String = v
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
                .take(24)
                .collect();
            if !v.is_empty() {
                s += &format!("-{key}{v}");
            }
        }
    }
    if !extra.is_empty() {
        s += &format!("-{extra}");
    }
    s
}

/// The `fig` key: a figure id of the page's chapter (unknown ids show the whole chapter, with a notice).
pub struct FigParam {
    pub key: &'static str,
    pub label: &'static str,
    pub doc: &'static str,
}

impl FigParam {
    /// The figure named in the query, if it belongs to chapter `view`.
    pub fn read(&self, r: &mut ParamReader<'_>, view: ViewId) -> Option<&'static FigureDef> {
        let raw = r.raw(self.key)?;
        if raw.trim().is_empty() {
            return None;
        }
        let found = find(view, &raw);
        if found.is_none() {
            let allowed = of(view).iter().map(|f| f.id).collect();
            // Shown as "… used none": the whole chapter is shown instead.
            r.note(self.key, raw, "none".into(), NoticeReason::UnknownChoice { allowed });
        }
        found
    }
}

impl ParamSpec for FigParam {
    fn key(&self) -> &'static str {
        self.key
    }
    fn doc(&self) -> &'static str {
        self.doc
    }
    fn values(&self) -> String {
        ViewId::CHAPTERS
            .iter()
            .map(|v| {
                let ids: Vec<String> = of(*v).iter().map(|f| format!("`{}`", f.id)).collect();
                format!("{}: {}", v.word(), ids.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
    fn default_text(&self) -> String {
        "none (the whole chapter)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_ids_are_unique_prefixed_by_their_chapter_and_name_known_keys() {
        let mut seen = Vec::new();
        for v in ViewId::CHAPTERS.iter() {
            assert!(!of(*v).is_empty(), "{v:?} has no figures");
            let keys = crate::view_model::permalink::schema_of(*v).keys();
            for f in of(*v) {
                assert!(f.id.starts_with(&format!("{}-", v.word())), "{}", f.id);
                assert!(!seen.contains(&f.id), "duplicate {}", f.id);
                seen.push(f.id);
                for k in f.controls.iter().chain(f.name_keys) {
                    assert!(keys.contains(k), "{}: unknown key {k}", f.id);
                }
            }
        }
    }

    #[test]
    fn file_stems_say_what_the_file_is() {
        let fig = find(ViewId::Sdpa, "sdpa-weights").expect("sdpa-weights");
        let get = |k: &str| match k {
            "head" => Some("0".to_string()),
            "n" => Some("24".to_string()),
            _ => None,
        };
        assert_eq!(file_stem(fig, &get, ""), "atlas-sdpa-weights-head0-n24");
        assert_eq!(file_stem(fig, &get, "2x"), "atlas-sdpa-weights-head0-n24-2x");
        assert!(find(ViewId::Sdpa, "heads-memory").is_none());
    }
}
