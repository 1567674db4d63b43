//! The atlas tokenizer: words and punctuation, nothing learned.
//!
//! A token is a maximal run of letters/digits (apostrophes inside a word stay with it, as in
//! "don't"), or a single punctuation or symbol character. Whitespace separates tokens and is
//! dropped. This keeps labels readable on the heatmap axes; real models use sub-word BPE.

/// Maximum number of tokens any view computes with.
pub const MAX_TOKENS: usize = 4096;

/// The built-in example passage used when the user gives no text (cycled to reach N tokens).
pub const EXAMPLE_TEXT: &str = "The cat sat on the mat because it was warm. \
The animal did not cross the street because it was too tired. \
Attention lets every token look at every other token, weigh what it finds, and mix the values it needs.";

/// True for characters that never start a token but extend the previous one: combining marks
/// (accents typed as e + U+0301, Hebrew and Arabic points), the zero-width joiner, variation
/// selectors and emoji skin-tone modifiers — so "é", "👍🏽" and "👨‍👩‍👧" each stay one token.
fn extends_previous(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2 | 0x05C4..=0x05C5
        | 0x05C7 | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4
        | 0x06E7..=0x06E8 | 0x06EA..=0x06ED | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200D | 0x20D0..=0x20FF
        | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F)
}

/// Invisible format characters (zero-width space and non-joiner, word joiner, byte-order mark,
/// bidirectional controls): they separate tokens like white space, so no token is invisible.
fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x200B | 0x200C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFEFF)
}

/// Splits `text` into word and punctuation tokens (see the module doc); marks that extend a
/// character ([`extends_previous`]) stay with it, and a character after a zero-width joiner joins too.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let mut word = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut after_joiner = false;
    for (idx, &c) in chars.iter().enumerate() {
        let c = if is_invisible(c) { ' ' } else { c };
        let extends = extends_previous(c) || (after_joiner && !c.is_whitespace());
        after_joiner = c == '\u{200D}';
        if extends {
            match tokens.last_mut() {
                Some(last) if word.is_empty() => last.push(c),
                _ if !word.is_empty() => word.push(c),
                // A mark with nothing before it stands alone.
                _ => tokens.push(c.to_string()),
            }
            continue;
        }
        let joins_word = c == '\'' && !word.is_empty() && chars.get(idx + 1).is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() || joins_word {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
        }
        if !c.is_whitespace() {
            tokens.push(c.to_string());
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    tokens
}

/// `n` tokens of the example passage, repeating it as often as needed (n is clamped to 1..=MAX_TOKENS).
pub fn example_tokens(n: usize) -> Vec<String> {
    let base = tokenize(EXAMPLE_TEXT);
    base.iter().cycle().take(n.clamp(1, MAX_TOKENS)).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_and_international_text_tokenizes_into_whole_visible_tokens() {
        assert!(tokenize("").is_empty());
        assert!(tokenize(" \n\t ").is_empty());
        assert!(
            tokenize("\u{200B}\u{FEFF}\u{202E}").is_empty(),
            "invisible characters are no tokens"
        );
        assert_eq!(tokenize("a\u{200B}b"), vec!["a", "b"]);
        // e + combining acute stays one token, as does a thumbs-up with a skin tone, a family (ZWJ)
        // and a flag-free keycap with its variation selector.
        assert_eq!(tokenize("cafe\u{301} ok"), vec!["cafe\u{301}", "ok"]);
        assert_eq!(tokenize("👍🏽 hi"), vec!["👍🏽", "hi"]);
        assert_eq!(tokenize("👨\u{200D}👩\u{200D}👧!"), vec!["👨\u{200D}👩\u{200D}👧", "!"]);
        assert_eq!(tokenize("❤\u{FE0F}❤"), vec!["❤\u{FE0F}", "❤"]);
        // Right-to-left scripts with their points: words, in logical order.
        assert_eq!(tokenize("שָׁלוֹם עולם"), vec!["שָׁלוֹם", "עולם"]);
        assert_eq!(tokenize("مَرْحَبًا بالعالم"), vec!["مَرْحَبًا", "بالعالم"]);
        // Markup is text: angle brackets are punctuation tokens, never tags.
        assert_eq!(tokenize("<b>x</b>"), vec!["<", "b", ">", "x", "<", "/", "b", ">"]);
        // A lone mark at the start stands alone rather than vanishing.
        assert_eq!(tokenize("\u{301}a"), vec!["\u{301}", "a"]);
        // Ten thousand tokens come back as ten thousand (the views cut to MAX_TOKENS with a notice).
        assert_eq!(tokenize(&"a ".repeat(10_000)).len(), 10_000);
    }

    #[test]
    fn words_and_punctuation_are_separate_tokens() {
        assert_eq!(
            tokenize("Don't panic, Marvin!"),
            vec!["Don't", "panic", ",", "Marvin", "!"]
        );
        assert_eq!(tokenize("  a+b=3.5 "), vec!["a", "+", "b", "=", "3", ".", "5"]);
        assert!(tokenize("   ").is_empty());
        assert_eq!(tokenize("猫が座った。"), vec!["猫が座った", "。"]);
    }

    #[test]
    fn example_tokens_cycle_to_the_requested_length() {
        let t = example_tokens(100);
        assert_eq!(t.len(), 100);
        assert_eq!(t[0], "The");
        assert_eq!(example_tokens(0).len(), 1);
        assert_eq!(example_tokens(1_000_000).len(), MAX_TOKENS);
    }
}
