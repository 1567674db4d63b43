//! How a token is shown on a chip or an axis: its bytes as text, with the invisible made visible.

use crate::attention::model::tokenizer::Tokenizer;

/// One token as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenChip {
    pub id: u32,
    /// The token's text: a leading space as `␣`, a newline as `↵`, a tab as `⇥`; bytes that are not
    /// whole UTF-8 (a CJK character split across tokens) as `⟨e4⟩`.
    pub text: String,
}

/// `id`'s display text.
pub fn display(tokenizer: &Tokenizer, id: u32) -> String {
    let bytes = tokenizer.token_bytes(id);
    let mut out = String::new();
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                push_visible(&mut out, s);
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                push_visible(&mut out, std::str::from_utf8(good).unwrap_or_default());
                let skip = e.error_len().unwrap_or(bad.len()).max(1);
                for b in &bad[..skip] {
                    out.push_str(&format!("⟨{b:02x}⟩"));
                }
                rest = &bad[skip..];
            }
        }
    }
    if out.is_empty() {
        out.push('∅');
    }
    out
}

fn push_visible(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            ' ' => out.push('␣'),
            '\n' => out.push('↵'),
            '\t' => out.push('⇥'),
            '\r' => out.push('␍'),
            c if c.is_control() => out.push_str(&format!("⟨{:02x}⟩", c as u32)),
            c => out.push(c),
        }
    }
}

/// Chips of `ids`.
pub fn chips(tokenizer: &Tokenizer, ids: &[u32]) -> Vec<TokenChip> {
    ids.iter()
        .map(|&id| TokenChip {
            id,
            text: display(tokenizer, id),
        })
        .collect()
}
