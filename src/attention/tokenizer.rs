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

/// Splits `text` into word and punctuation tokens.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (idx, &c) in chars.iter().enumerate() {
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
