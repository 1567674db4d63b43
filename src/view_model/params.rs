//! Reading view parameters from a URL query with clamping and notices, never a panic.
//!
//! Every view parses its query through a [`ParamReader`]: a missing key takes its default silently;
//! a present but unusable value (not a number, out of range, unknown choice, too long) is replaced by
//! the nearest valid value and recorded as a [`Notice`] the view shows to the user.

/// Why a parameter value was not used as given.
#[derive(Clone, Debug, PartialEq)]
pub enum NoticeReason {
    /// Not parseable as the expected kind of value.
    NotANumber,
    /// A number outside `min..=max`.
    OutOfRange { min: String, max: String },
    /// Not one of the allowed words.
    UnknownChoice { allowed: Vec<&'static str> },
    /// Longer than allowed (characters or tokens).
    TooLong { max: usize },
    /// Not one of a fixed list of numbers (snapped to the nearest).
    NotAllowed { allowed: String },
    /// A view-specific rule (the message id explains it).
    Rule { message_id: &'static str },
}

/// One parameter the view could not use as given, and what it used instead.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub key: String,
    pub given: String,
    pub used: String,
    pub reason: NoticeReason,
}

/// A lookup from query key to raw value.
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// Reads typed values out of a query-parameter lookup, collecting notices.
pub struct ParamReader<'a> {
    get: Lookup<'a>,
    pub notices: Vec<Notice>,
}

impl<'a> ParamReader<'a> {
    /// A reader over any lookup `key → raw value` (the URL query in the browser, a map in tests).
    pub fn new(get: impl Fn(&str) -> Option<String> + 'a) -> Self {
        Self {
            get: Box::new(get),
            notices: Vec::new(),
        }
    }

    /// The raw value of `key`, trimmed, if present and non-empty.
    pub fn raw(&self, key: &str) -> Option<String> {
        (self.get)(key).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
    }

    /// Records that `key=given` was replaced by `used`.
    pub fn note(&mut self, key: &str, given: String, used: String, reason: NoticeReason) {
        self.notices.push(Notice {
            key: key.to_string(),
            given,
            used,
            reason,
        });
    }

    /// An integer in `min..=max` (default when absent; clamped with a notice otherwise).
    pub fn int(&mut self, key: &str, default: i64, min: i64, max: i64) -> i64 {
        let Some(raw) = self.raw(key) else { return default };
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                let r = v.round().clamp(min as f64, max as f64) as i64;
                if r as f64 != v {
                    let reason = NoticeReason::OutOfRange {
                        min: min.to_string(),
                        max: max.to_string(),
                    };
                    self.note(key, raw, r.to_string(), reason);
                }
                r
            }
            _ => {
                self.note(key, raw, default.to_string(), NoticeReason::NotANumber);
                default
            }
        }
    }

    /// A non-negative size in `min..=max` as `usize`.
    pub fn size(&mut self, key: &str, default: usize, min: usize, max: usize) -> usize {
        self.int(key, default as i64, min as i64, max as i64) as usize
    }

    /// A real number in `min..=max`.
    pub fn float(&mut self, key: &str, default: f64, min: f64, max: f64) -> f64 {
        let Some(raw) = self.raw(key) else { return default };
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                let c = v.clamp(min, max);
                if c != v {
                    let reason = NoticeReason::OutOfRange {
                        min: min.to_string(),
                        max: max.to_string(),
                    };
                    self.note(key, raw, c.to_string(), reason);
                }
                c
            }
            _ => {
                self.note(key, raw, default.to_string(), NoticeReason::NotANumber);
                default
            }
        }
    }

    /// A flag: `1/true/yes/on` or `0/false/no/off`.
    pub fn flag(&mut self, key: &str, default: bool) -> bool {
        let Some(raw) = self.raw(key) else { return default };
        match raw.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => {
                let allowed = vec!["0", "1"];
                self.note(
                    key,
                    raw,
                    if default { "1" } else { "0" }.into(),
                    NoticeReason::UnknownChoice { allowed },
                );
                default
            }
        }
    }

    /// One of `allowed` (case-insensitive); the default is `allowed[0]`'s position `default`.
    pub fn choice(&mut self, key: &str, allowed: &[&'static str], default: &'static str) -> &'static str {
        let Some(raw) = self.raw(key) else { return default };
        if let Some(hit) = allowed.iter().find(|a| a.eq_ignore_ascii_case(&raw)) {
            return hit;
        }
        self.note(
            key,
            raw,
            default.into(),
            NoticeReason::UnknownChoice {
                allowed: allowed.to_vec(),
            },
        );
        default
    }

    /// Free text of at most `max_chars` characters (truncated with a notice).
    pub fn text(&mut self, key: &str, max_chars: usize) -> Option<String> {
        let raw = (self.get)(key).filter(|s| !s.trim().is_empty())?;
        if raw.chars().count() > max_chars {
            let cut: String = raw.chars().take(max_chars).collect();
            self.note(
                key,
                format!("{}…", raw.chars().take(24).collect::<String>()),
                format!("{max_chars} chars"),
                NoticeReason::TooLong { max: max_chars },
            );
            return Some(cut);
        }
        Some(raw)
    }

    /// Records a view-specific correction (e.g. heads not dividing d_model).
    pub fn rule(&mut self, key: &str, given: impl ToString, used: impl ToString, message_id: &'static str) {
        self.note(
            key,
            given.to_string(),
            used.to_string(),
            NoticeReason::Rule { message_id },
        );
    }
}

/// Parses the pairs a canonical writer produced: what a copied permalink reads back as.
pub fn parse_written<T>(pairs: &[(&'static str, String)], parse: impl Fn(&dyn Fn(&str) -> Option<String>) -> T) -> T {
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    parse(&pairs_lookup(&borrowed))
}

/// A lookup over literal (key, value) pairs — a query without a browser (tests, presets, docs).
pub fn pairs_lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let owned: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |key: &str| owned.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn reader(pairs: &[(&str, &str)]) -> ParamReader<'static> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ParamReader::new(move |k| map.get(k).cloned())
    }

    #[test]
    fn garbage_is_clamped_with_a_notice_and_absent_keys_are_silent() {
        let mut r = reader(&[("n", "-5"), ("heads", "abc"), ("seed", "42")]);
        assert_eq!(r.size("n", 12, 1, 4096), 1);
        assert_eq!(r.size("heads", 4, 1, 64), 4);
        assert_eq!(r.int("seed", 0, 0, 1 << 40), 42);
        assert_eq!(r.size("d_model", 64, 8, 1024), 64);
        assert_eq!(r.notices.len(), 2);
        assert_eq!(r.notices[0].key, "n");
        assert_eq!(r.notices[0].used, "1");
        assert!(matches!(r.notices[1].reason, NoticeReason::NotANumber));
    }

    #[test]
    fn floats_flags_choices_and_text() {
        let mut r = reader(&[
            ("t", "1e9"),
            ("causal", "yes"),
            ("scale", "NONE"),
            ("x", "maybe"),
            ("text", "abcdef"),
        ]);
        assert_eq!(r.float("t", 1.0, 0.01, 100.0), 100.0);
        assert!(r.flag("causal", false));
        assert_eq!(r.choice("scale", &["sqrt", "none"], "sqrt"), "none");
        assert!(!r.flag("x", false));
        assert_eq!(r.text("text", 3).as_deref(), Some("abc"));
        assert_eq!(r.notices.len(), 3);
        assert!(r.float("nan", 2.0, 0.0, 3.0) == 2.0);
    }
}
