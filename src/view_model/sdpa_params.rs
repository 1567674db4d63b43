//! The "Scaled dot-product attention" view's parameters: one struct, parsed from and written to the
//! URL query (`text`, `n`, `d_model`, `heads`, `seed`, `causal`, `scale`, `head`, `pool`).

use std::sync::Arc;

use crate::attention::pooling::PoolMode;
use crate::attention::scale::Scale;
use crate::attention::tokenizer::{example_tokens, tokenize, MAX_TOKENS};
use crate::view_model::params::{Notice, NoticeReason, ParamReader};
use crate::view_model::sdpa::{scale_from_param, scale_to_param};

/// Longest `text` accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Default N: the first two sentences of the built-in passage.
pub const DEFAULT_N: usize = 24;
/// Largest d_model the view accepts.
pub const MAX_D_MODEL: usize = 1024;
/// Largest head count the view accepts.
pub const MAX_HEADS: usize = 64;

/// Every setting of the view.
#[derive(Clone, Debug, PartialEq)]
pub struct SdpaParams {
    /// User text, or None for the built-in passage cycled to `n` tokens.
    pub text: Option<String>,
    /// Number of tokens (derived from `text` when it is set).
    pub n: usize,
    pub d_model: usize,
    pub heads: usize,
    pub seed: u64,
    pub causal: bool,
    pub scale: Scale,
    /// Selected head, 0-based.
    pub head: usize,
    pub pool: PoolMode,
}

/// Parameters, the tokens they imply, and what had to be corrected.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedSdpa {
    pub params: SdpaParams,
    pub tokens: Arc<Vec<String>>,
    pub notices: Vec<Notice>,
}

/// The divisor of `d_model` closest to `heads` (ties go to the smaller).
pub fn nearest_divisor(d_model: usize, heads: usize) -> usize {
    (1..=d_model.min(MAX_HEADS))
        .filter(|h| d_model.is_multiple_of(*h))
        .min_by_key(|h| (h.abs_diff(heads), *h))
        .unwrap_or(1)
}

/// Parses the view's query (see the module doc); never fails, records corrections as notices.
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ParsedSdpa {
    let mut r = ParamReader::new(get);
    let text = r.text("text", MAX_TEXT_CHARS);
    let mut tokens = match &text {
        Some(t) => tokenize(t),
        None => Vec::new(),
    };
    let text = if text.is_some() && tokens.is_empty() {
        r.rule("text", "…", "—", "sdpa.rule.text");
        None
    } else {
        text
    };
    let n_param = r.size("n", DEFAULT_N, 1, MAX_TOKENS);
    if text.is_some() {
        if tokens.len() > MAX_TOKENS {
            r.notices.push(Notice {
                key: "text".into(),
                given: format!("{} tokens", tokens.len()),
                used: format!("{MAX_TOKENS}"),
                reason: NoticeReason::TooLong { max: MAX_TOKENS },
            });
            tokens.truncate(MAX_TOKENS);
        }
    } else {
        tokens = example_tokens(n_param);
    }
    let d_model = r.size("d_model", 64, 1, MAX_D_MODEL);
    let heads_given = r.size("heads", 4, 1, MAX_HEADS);
    let heads = nearest_divisor(d_model, heads_given);
    if heads != heads_given {
        r.rule("heads", heads_given, heads, "sdpa.rule.heads");
    }
    let seed = r.int("seed", 1, 0, u32::MAX as i64) as u64;
    let causal = r.flag("causal", false);
    let scale = match r.raw("scale") {
        None => Scale::InvSqrtDHead,
        Some(s) => scale_from_param(&s.to_ascii_lowercase()).unwrap_or_else(|| {
            r.notices.push(Notice {
                key: "scale".into(),
                given: s.clone(),
                used: "sqrt".into(),
                reason: NoticeReason::UnknownChoice {
                    allowed: vec!["sqrt", "none", "τ (0.01…1000)"],
                },
            });
            Scale::InvSqrtDHead
        }),
    };
    let head_given = r.size("head", 0, 0, 1 << 30);
    let head = head_given.min(heads - 1);
    if head != head_given {
        r.rule("head", head_given, head, "sdpa.rule.head");
    }
    let pool = match r.choice("pool", &["max", "mean"], "max") {
        "mean" => PoolMode::Mean,
        _ => PoolMode::Max,
    };
    let params = SdpaParams {
        n: tokens.len(),
        text,
        d_model,
        heads,
        seed,
        causal,
        scale,
        head,
        pool,
    };
    ParsedSdpa {
        params,
        tokens: Arc::new(tokens),
        notices: r.notices,
    }
}

/// The query pairs that reproduce `p` (all keys, so a permalink is complete).
pub fn to_pairs(p: &SdpaParams) -> Vec<(&'static str, String)> {
    let mut v = vec![("view", "sdpa".to_string())];
    match &p.text {
        Some(t) => v.push(("text", t.clone())),
        None => v.push(("n", p.n.to_string())),
    }
    v.extend([
        ("d_model", p.d_model.to_string()),
        ("heads", p.heads.to_string()),
        ("seed", p.seed.to_string()),
        ("causal", if p.causal { "1" } else { "0" }.to_string()),
        ("scale", scale_to_param(p.scale)),
        ("head", p.head.to_string()),
        (
            "pool",
            if p.pool == PoolMode::Mean { "mean" } else { "max" }.to_string(),
        ),
    ]);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::params::pairs_lookup;

    fn parse_pairs(pairs: &[(&str, &str)]) -> ParsedSdpa {
        parse(&pairs_lookup(pairs))
    }

    #[test]
    fn defaults_need_no_notice() {
        let p = parse_pairs(&[]);
        assert!(p.notices.is_empty());
        assert_eq!((p.params.n, p.params.d_model, p.params.heads), (DEFAULT_N, 64, 4));
        assert_eq!(p.tokens.len(), DEFAULT_N);
    }

    #[test]
    fn garbage_query_is_clamped_with_notices() {
        let p = parse_pairs(&[("n", "-5"), ("heads", "abc"), ("scale", "hot"), ("head", "99")]);
        assert_eq!(p.params.n, 1);
        assert_eq!(p.params.heads, 4);
        assert_eq!(p.params.scale, Scale::InvSqrtDHead);
        assert_eq!(p.params.head, 3);
        let keys: Vec<&str> = p.notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, vec!["n", "heads", "scale", "head"]);
    }

    #[test]
    fn heads_that_do_not_divide_d_model_become_the_nearest_divisor() {
        let p = parse_pairs(&[("d_model", "64"), ("heads", "3")]);
        assert_eq!(p.params.heads, 2);
        assert!(matches!(
            p.notices[0].reason,
            NoticeReason::Rule {
                message_id: "sdpa.rule.heads"
            }
        ));
        assert_eq!(nearest_divisor(48, 5), 4);
        assert_eq!(nearest_divisor(7, 3), 1);
    }

    #[test]
    fn text_sets_the_tokens_and_round_trips() {
        let p = parse_pairs(&[
            ("text", "Hello, world!"),
            ("n", "100"),
            ("causal", "1"),
            ("scale", "2.5"),
        ]);
        assert_eq!(*p.tokens, vec!["Hello", ",", "world", "!"]);
        assert_eq!(p.params.n, 4);
        let pairs = to_pairs(&p.params);
        let again = parse_pairs(&pairs.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
        assert_eq!(again.params, p.params);
        assert!(again.notices.is_empty());
    }
}
