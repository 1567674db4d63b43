//! One parameter schema per view: each URL key is declared once, as a typed constant that carries its
//! key, message id, bounds or choices, default and README text. The parser ([`ParamReader`]), the
//! canonical URL writer ([`QueryWriter`]), the widgets' ranges (`ui::components::param_controls`) and
//! the README's parameter tables ([`Schema::markdown_table`], checked by a test) all read it, so a slider
//! can never reach a value the parser would clamp.

use crate::view_model::params::{NoticeReason, ParamReader};

/// An enum whose variants are URL words (`pool=max`, `method=performer`, …).
///
/// Implement it with [`url_choice!`](crate::url_choice); parsing is case-insensitive.
pub trait UrlChoice: Copy + PartialEq + Send + Sync + 'static {
    /// Every variant, in display order.
    const ALL: &'static [Self];
    /// The URL word.
    fn word(self) -> &'static str;
    /// Message id of the visible label.
    fn label_id(self) -> &'static str;
    /// The variant named by `s` (case-insensitive, surrounding blanks ignored).
    fn from_word(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.iter().copied().find(|c| c.word().eq_ignore_ascii_case(s))
    }
    /// Every URL word, in display order.
    fn words() -> Vec<&'static str> {
        Self::ALL.iter().map(|c| c.word()).collect()
    }
}

/// Implements [`UrlChoice`] for an enum: `url_choice!(Pool { Pool::Max => ("max", "pool.max"), … });`
/// lists each variant once with its URL word and its label's message id.
#[macro_export]
macro_rules! url_choice {
    ($ty:ty { $($variant:path => ($word:literal, $label:literal)),+ $(,)? }) => {
        impl $crate::view_model::schema::UrlChoice for $ty {
            const ALL: &'static [Self] = &[$($variant),+];
            fn word(self) -> &'static str {
                match self { $($variant => $word),+ }
            }
            fn label_id(self) -> &'static str {
                match self { $($variant => $label),+ }
            }
        }
    };
}

/// What every schema row can say about itself (for the README table and the key list).
pub trait ParamSpec: Sync {
    /// The URL key.
    fn key(&self) -> &'static str;
    /// What the parameter means, in English, for the README.
    fn doc(&self) -> &'static str;
    /// The accepted values, as the README shows them.
    fn values(&self) -> String;
    /// The default, as the README shows it.
    fn default_text(&self) -> String;
}

/// The two [`ParamSpec`] methods every parameter type answers from its own fields.
macro_rules! key_and_doc {
    () => {
        fn key(&self) -> &'static str {
            self.key
        }
        fn doc(&self) -> &'static str {
            self.doc
        }
    };
}

/// A view's parameters, in the order its README table lists them.
pub struct Schema {
    /// The `view=` value (or `shared` for the shell's keys).
    pub view: &'static str,
    pub params: &'static [&'static dyn ParamSpec],
}

impl Schema {
    /// Every key, in order.
    pub fn keys(&self) -> Vec<&'static str> {
        self.params.iter().map(|p| p.key()).collect()
    }

    /// The README table of this schema: `| name | meaning | values | default |`.
    pub fn markdown_table(&self) -> String {
        let mut s = String::from("| name | meaning | values | default |\n| --- | --- | --- | --- |\n");
        for p in self.params {
            s += &format!(
                "| `{}` | {} | {} | {} |\n",
                p.key(),
                p.doc(),
                p.values(),
                p.default_text()
            );
        }
        s
    }
}

fn words_doc(words: &[&str]) -> String {
    words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")
}

/// An integer in `min..=max`; `log` spaces its slider logarithmically.
pub struct IntParam {
    pub key: &'static str,
    /// Message id of the widget's label.
    pub label: &'static str,
    pub doc: &'static str,
    pub default: i64,
    pub min: i64,
    pub max: i64,
    pub log: bool,
}

impl IntParam {
    /// An integer parameter with a linear slider.
    pub const fn new(
        key: &'static str,
        label: &'static str,
        doc: &'static str,
        default: i64,
        min: i64,
        max: i64,
    ) -> Self {
        Self {
            key,
            label,
            doc,
            default,
            min,
            max,
            log: false,
        }
    }

    /// The same parameter with a logarithmic slider.
    pub const fn log(self) -> Self {
        Self { log: true, ..self }
    }

    /// The value of the query (default when absent; clamped to the bounds with a notice).
    pub fn read(&self, r: &mut ParamReader<'_>) -> i64 {
        r.int(self.key, self.default, self.min, self.max)
    }

    /// [`IntParam::read`] with a live upper bound (the selected head is below the head count): one
    /// notice, naming the bound that applies.
    pub fn read_within(&self, r: &mut ParamReader<'_>, max: i64) -> i64 {
        r.int(self.key, self.default.min(max), self.min, max.clamp(self.min, self.max))
    }

    /// [`IntParam::read`] as a size (the bounds of a size parameter are never negative).
    pub fn read_usize(&self, r: &mut ParamReader<'_>) -> usize {
        self.read(r).max(0) as usize
    }

    /// `v` within the bounds.
    pub fn clamp(&self, v: i64) -> i64 {
        v.clamp(self.min, self.max)
    }
}

impl ParamSpec for IntParam {
    key_and_doc!();
    fn values(&self) -> String {
        format!("{} … {}", self.min, self.max)
    }
    fn default_text(&self) -> String {
        self.default.to_string()
    }
}

/// A real number in `min..=max`.
pub struct FloatParam {
    pub key: &'static str,
    pub label: &'static str,
    pub doc: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
}

impl FloatParam {
    pub fn read(&self, r: &mut ParamReader<'_>) -> f64 {
        r.float(self.key, self.default, self.min, self.max)
    }
}

impl ParamSpec for FloatParam {
    key_and_doc!();
    fn values(&self) -> String {
        format!("{} … {}", self.min, self.max)
    }
    fn default_text(&self) -> String {
        self.default.to_string()
    }
}

/// A flag written `0` / `1` (`true/yes/on`, `false/no/off` are read too).
pub struct FlagParam {
    pub key: &'static str,
    pub label: &'static str,
    pub doc: &'static str,
    pub default: bool,
}

impl FlagParam {
    pub fn read(&self, r: &mut ParamReader<'_>) -> bool {
        r.flag(self.key, self.default)
    }

    /// The URL word of `v`.
    pub fn word(v: bool) -> &'static str {
        if v {
            "1"
        } else {
            "0"
        }
    }
}

impl ParamSpec for FlagParam {
    key_and_doc!();
    fn values(&self) -> String {
        "`0`, `1`".into()
    }
    fn default_text(&self) -> String {
        format!("`{}`", Self::word(self.default))
    }
}

/// One of an enum's URL words.
pub struct ChoiceParam<T: UrlChoice> {
    pub key: &'static str,
    pub label: &'static str,
    pub doc: &'static str,
    pub default: T,
}

impl<T: UrlChoice> ChoiceParam<T> {
    /// The variant named in the query (default when absent; unknown words → default with a notice).
    pub fn read(&self, r: &mut ParamReader<'_>) -> T {
        let Some(raw) = r.raw(self.key) else {
            return self.default;
        };
        T::from_word(&raw).unwrap_or_else(|| {
            let reason = NoticeReason::UnknownChoice { allowed: T::words() };
            r.note(self.key, raw, self.default.word().into(), reason);
            self.default
        })
    }
}

impl<T: UrlChoice> ParamSpec for ChoiceParam<T> {
    key_and_doc!();
    fn values(&self) -> String {
        words_doc(&T::words())
    }
    fn default_text(&self) -> String {
        format!("`{}`", self.default.word())
    }
}

/// A size that snaps to the nearest of a fixed list (`d=48` → 32 or 64, with a notice).
pub struct SnapParam {
    pub key: &'static str,
    pub label: &'static str,
    pub doc: &'static str,
    pub default: usize,
    /// Ascending.
    pub allowed: &'static [usize],
}

impl SnapParam {
    /// The nearest allowed value to `v` (ties go to the smaller).
    pub fn nearest(&self, v: f64) -> usize {
        let mut best = self.default;
        let mut gap = f64::INFINITY;
        for &a in self.allowed {
            let g = (a as f64 - v).abs();
            if g < gap {
                (best, gap) = (a, g);
            }
        }
        best
    }

    pub fn read(&self, r: &mut ParamReader<'_>) -> usize {
        let Some(raw) = r.raw(self.key) else {
            return self.default;
        };
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                let used = self.nearest(v);
                if used as f64 != v {
                    let allowed = self.values();
                    r.note(self.key, raw, used.to_string(), NoticeReason::NotAllowed { allowed });
                }
                used
            }
            _ => {
                r.note(self.key, raw, self.default.to_string(), NoticeReason::NotANumber);
                self.default
            }
        }
    }
}

impl ParamSpec for SnapParam {
    key_and_doc!();
    fn values(&self) -> String {
        self.allowed
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn default_text(&self) -> String {
        self.default.to_string()
    }
}

/// Free text of at most `max_chars` characters.
pub struct TextParam {
    pub key: &'static str,
    pub label: &'static str,
    pub doc: &'static str,
    pub max_chars: usize,
    /// What the README says the default is.
    pub default_doc: &'static str,
}

impl TextParam {
    /// The text (None when absent or blank; cut to `max_chars` with a notice).
    pub fn read(&self, r: &mut ParamReader<'_>) -> Option<String> {
        r.text(self.key, self.max_chars)
    }
}

impl ParamSpec for TextParam {
    key_and_doc!();
    fn values(&self) -> String {
        format!("any text (≤ {} characters)", self.max_chars)
    }
    fn default_text(&self) -> String {
        self.default_doc.into()
    }
}

/// A key whose grammar the view parses itself (e.g. `scale=sqrt|none|τ`); the schema keeps its key and
/// README row so it is still declared once.
pub struct CustomParam {
    pub key: &'static str,
    pub label: &'static str,
    pub doc: &'static str,
    pub values: &'static str,
    pub default_doc: &'static str,
}

impl ParamSpec for CustomParam {
    key_and_doc!();
    fn values(&self) -> String {
        self.values.into()
    }
    fn default_text(&self) -> String {
        self.default_doc.into()
    }
}

/// Writes a view's canonical query: every key through its schema constant, in schema order.
pub struct QueryWriter {
    pairs: Vec<(&'static str, String)>,
}

impl QueryWriter {
    /// A query that starts with `view=<view>`.
    pub fn new(view: &'static str) -> Self {
        Self {
            pairs: vec![("view", view.to_string())],
        }
    }

    pub fn int(mut self, p: &IntParam, v: i64) -> Self {
        self.pairs.push((p.key, p.clamp(v).to_string()));
        self
    }

    pub fn size(self, p: &IntParam, v: usize) -> Self {
        let v = i64::try_from(v).unwrap_or(i64::MAX);
        self.int(p, v)
    }

    pub fn float(mut self, p: &FloatParam, v: f64) -> Self {
        self.pairs.push((p.key, v.clamp(p.min, p.max).to_string()));
        self
    }

    pub fn flag(mut self, p: &FlagParam, v: bool) -> Self {
        self.pairs.push((p.key, FlagParam::word(v).to_string()));
        self
    }

    pub fn choice<T: UrlChoice>(mut self, p: &ChoiceParam<T>, v: T) -> Self {
        self.pairs.push((p.key, v.word().to_string()));
        self
    }

    pub fn snap(mut self, p: &SnapParam, v: usize) -> Self {
        self.pairs.push((p.key, p.nearest(v as f64).to_string()));
        self
    }

    /// A text or custom value, written as given.
    pub fn raw(mut self, key: &'static str, v: impl Into<String>) -> Self {
        self.pairs.push((key, v.into()));
        self
    }

    pub fn finish(self) -> Vec<(&'static str, String)> {
        self.pairs
    }
}

/// Formats query pairs as `?k=v&…`, percent-encoding everything but unreserved characters.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    if body.is_empty() {
        String::new()
    } else {
        format!("?{}", body.join("&"))
    }
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
