//! The message catalogue: every user-visible string, keyed by id.
//!
//! Components never hard-code text; they call [`t`] (or [`tf`] with `{name}` placeholders). English is
//! complete, and so is Simplified Chinese (a test checks it); a missing message would fall back to
//! English, so a new message never shows blank.
//! Each view owns one section file (`en_<view>.rs`) so chapters can grow without touching each other.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::attention::message::Message;

mod en_approx;
mod en_common;
mod en_errors;
mod en_figures;
mod en_heads;
mod en_home;
mod en_model;
mod en_model_view;
mod en_quality;
mod en_sdpa;
mod en_sparse;
mod en_speed;
mod en_tour;
mod en_workers;
mod zh;
mod zh_approx;
mod zh_figures;
mod zh_heads;
mod zh_home;
mod zh_model;
mod zh_model_errors;
mod zh_quality;
mod zh_sdpa;
mod zh_sparse;
mod zh_speed;
mod zh_tour;
mod zh_workers;

/// A language of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    /// Simplified Chinese (complete: a test requires every English id to have its Chinese text).
    Zh,
}

impl Lang {
    /// The `lang` URL value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The BCP 47 tag for `<html lang>`: it picks the fonts (Simplified, not Japanese or Traditional,
    /// Han glyphs) and the screen reader's voice.
    pub fn html_tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// Parses a `lang` URL value.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "zh" | "zh-CN" | "zh-Hans" => Some(Lang::Zh),
            _ => None,
        }
    }
}

/// The interface language for a browser whose preferred languages are `languages`
/// (`navigator.languages`, most preferred first) or, without a list, `language`: the first that is
/// English or Chinese (`zh`, `zh-CN`, `zh-TW`, … all read as Simplified Chinese, the only Chinese).
pub fn from_browser(languages: &[String], language: Option<&str>) -> Option<Lang> {
    let primary = |tag: &str| tag.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    languages
        .iter()
        .map(String::as_str)
        .chain(language)
        .find_map(|tag| match primary(tag).as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        })
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// Sets the interface language (read once at start-up from `lang=`).
pub fn set_lang(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
}

/// The interface language.
pub fn lang() -> Lang {
    CURRENT.with(|c| c.get())
}

/// Every English section, in one list.
pub fn english_sections() -> [&'static [(&'static str, &'static str)]; 14] {
    [
        en_common::MESSAGES,
        en_figures::MESSAGES,
        en_errors::MESSAGES,
        en_sdpa::MESSAGES,
        en_heads::MESSAGES,
        en_sparse::MESSAGES,
        en_approx::MESSAGES,
        en_speed::MESSAGES,
        en_model::MESSAGES,
        en_model_view::MESSAGES,
        en_home::MESSAGES,
        en_workers::MESSAGES,
        en_tour::MESSAGES,
        en_quality::MESSAGES,
    ]
}

/// Every Simplified Chinese section, in one list.
pub fn chinese_sections() -> [&'static [(&'static str, &'static str)]; 13] {
    [
        zh::MESSAGES,
        zh_sdpa::MESSAGES,
        zh_heads::MESSAGES,
        zh_sparse::MESSAGES,
        zh_approx::MESSAGES,
        zh_speed::MESSAGES,
        zh_model_errors::MESSAGES,
        zh_model::MESSAGES,
        zh_figures::MESSAGES,
        zh_home::MESSAGES,
        zh_workers::MESSAGES,
        zh_tour::MESSAGES,
        zh_quality::MESSAGES,
    ]
}

fn table(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static EN: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    static ZH: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    match lang {
        Lang::En => EN.get_or_init(|| english_sections().iter().flat_map(|s| s.iter().copied()).collect()),
        Lang::Zh => ZH.get_or_init(|| chinese_sections().iter().flat_map(|s| s.iter().copied()).collect()),
    }
}

/// The message `id` in the current language (English fallback; the id itself if unknown, so a
/// missing message is visible rather than blank). Ids are `'static` (literals, or a choice's
/// `label_id()`), so nothing is allocated or leaked, whatever the id.
pub fn t(id: &'static str) -> &'static str {
    let l = lang();
    if l != Lang::En {
        if let Some(m) = table(l).get(id) {
            return m;
        }
    }
    table(Lang::En).get(id).copied().unwrap_or(id)
}

/// The message `id` with `{name}` placeholders replaced by `args`.
pub fn tf(id: &'static str, args: &[(&str, &str)]) -> String {
    let mut s = t(id).to_string();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// An engine message ([`Message`]) in the current language.
pub fn tm(m: &Message) -> String {
    let args: Vec<(&str, &str)> = m.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    tf(m.id, &args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn message_ids_are_unique_across_sections() {
        let mut seen = HashSet::new();
        for section in english_sections() {
            for (id, text) in section {
                assert!(seen.insert(*id), "duplicate message id {id}");
                assert!(!text.trim().is_empty(), "empty message {id}");
            }
        }
    }

    #[test]
    fn translations_keep_the_english_placeholders() {
        let en = table(Lang::En);
        for (id, text) in chinese_sections().iter().flat_map(|s| s.iter()) {
            let english = en
                .get(id)
                .unwrap_or_else(|| panic!("zh message {id} has no English original"));
            let holes = |s: &str| {
                s.split('{')
                    .skip(1)
                    .filter_map(|p| p.split('}').next())
                    .map(String::from)
                    .collect::<HashSet<_>>()
            };
            assert_eq!(holes(english), holes(text), "placeholders of {id}");
        }
    }

    /// Every English message has its Chinese text: a new English id without Chinese fails here.
    #[test]
    fn the_bilingual_tables_are_complete_in_chinese() {
        let zh = table(Lang::Zh);
        let missing: Vec<&str> = english_sections()
            .iter()
            .flat_map(|s| s.iter())
            .map(|(id, _)| *id)
            .filter(|id| !zh.contains_key(id))
            .collect();
        assert!(missing.is_empty(), "untranslated into Chinese: {missing:?}");
    }

    #[test]
    fn chinese_ids_are_unique_across_sections() {
        let mut seen = HashSet::new();
        for (id, text) in chinese_sections().iter().flat_map(|s| s.iter()) {
            assert!(seen.insert(*id), "duplicate zh message id {id}");
            assert!(!text.trim().is_empty(), "empty zh message {id}");
        }
    }

    #[test]
    fn the_browser_language_picks_the_first_of_english_or_chinese() {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(from_browser(&list(&["zh-CN", "en-US"]), None), Some(Lang::Zh));
        assert_eq!(from_browser(&list(&["fr-FR", "zh-TW", "en"]), None), Some(Lang::Zh));
        assert_eq!(from_browser(&list(&["de", "en-GB", "zh"]), None), Some(Lang::En));
        assert_eq!(from_browser(&[], Some("zh_Hans")), Some(Lang::Zh));
        assert_eq!(from_browser(&list(&["fr", "ja"]), Some("ko")), None);
    }

    #[test]
    fn lookups_fall_back_to_english_then_to_the_id() {
        set_lang(Lang::Zh);
        assert_eq!(t("nav.sparse"), "稀疏注意力");
        assert_eq!(
            t("sdpa.map.axes"),
            "行是查询 i（谁在看），列是键 j（被看的是什么）。每一行的和为 1。"
        );
        let (en, zh) = (table(Lang::En), table(Lang::Zh));
        if let Some(id) = en.keys().find(|id| !zh.contains_key(*id)) {
            assert_eq!(t(id), en[id], "an untranslated id falls back to English");
        }
        set_lang(Lang::En);
        assert_eq!(t("no.such.message"), "no.such.message");
        let args = [("key", "n"), ("given", "-5"), ("used", "1"), ("min", "1"), ("max", "9")];
        assert_eq!(tf("notice.range", &args), "n=-5 is outside 1…9; using 1.");
    }
}
