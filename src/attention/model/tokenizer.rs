//! The byte-level BPE tokenizer stored in a GGUF's metadata (`tokenizer.ggml.model` = "gpt2").
//!
//! Encoding a text (Radford et al. 2019, GPT-2 `encoder.py`; HF `tokenizers` ByteLevel + BPE):
//! 1. **Special tokens** (token type 3, "control": `<|endoftext|>`, `<|im_start|>`, `<|im_end|>`, …)
//!    are cut out first when the caller allows them, and map to their ids directly.
//! 2. **Pre-tokenizer** `tokenizer.ggml.pre` = "smollm" (llama.cpp `LLAMA_VOCAB_PRE_TYPE_SMOLLM`; HF
//!    SmolLM2 `tokenizer.json`: `Digits { individual_digits: true }` then `ByteLevel { use_regex: true }`):
//!    every numeric character (\p{N}) is a piece of its own, and each remaining piece is split by GPT-2's
//!    regex
//!    `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
//!    [`pre_tokenize`] implements that regex by hand (no regex engine in the wasm): a run of whitespace
//!    followed by a non-space gives back its last character, which then starts the next word (" b").
//!    \p{N} is `char::is_numeric` (Nd, Nl, No, exactly); \p{L} is `char::is_alphabetic` minus
//!    numerics, which also admits the few combining marks Unicode calls Other_Alphabetic (Mn/Mc vowel
//!    signs of Indic scripts) — for Latin, Greek, Cyrillic, CJK and emoji the two agree.
//! 3. **Bytes to symbols**: each UTF-8 byte becomes one printable character through GPT-2's
//!    `bytes_to_unicode` (bytes 33–126, 161–172 and 174–255 stand for themselves; the other 68 map, in
//!    order, to U+0100…U+0143 — so a space is "Ġ", a newline "Ċ").
//! 4. **Merges**: `tokenizer.ggml.merges` lists "A B" pairs by priority; repeatedly the adjacent pair with
//!    the lowest rank is merged, until none is listed. Each final symbol is a token of
//!    `tokenizer.ggml.tokens`, its index the id.
//!
//! Decoding concatenates the tokens' strings and maps the characters back to bytes (invalid UTF-8 is
//! replaced with U+FFFD, as a chip of one token of a multi-byte character must be).

use std::collections::HashMap;

use crate::attention::model::gguf::{Gguf, GgufError};

/// GGUF token type of control tokens (llama.cpp `LLAMA_TOKEN_TYPE_CONTROL`).
const TOKEN_TYPE_CONTROL: i64 = 3;

/// A byte-level BPE vocabulary with its merge table.
#[derive(Clone, Debug)]
pub struct Tokenizer {
    tokens: Vec<String>,
    ids: HashMap<String, u32>,
    /// (left id, right id) → (rank, merged id).
    merges: HashMap<(u32, u32), (u32, u32)>,
    /// Id of the symbol standing for byte b (SmolLM2's vocabulary lacks a few control bytes).
    byte_ids: [Option<u32>; 256],
    /// Emitted for a byte without a symbol (`tokenizer.ggml.unknown_token_id`, default 0).
    unknown: u32,
    /// Character of `bytes_to_unicode` → byte.
    char_bytes: HashMap<char, u8>,
    /// Control tokens, longest first (for splitting text).
    specials: Vec<(String, u32)>,
    pub bos: Option<u32>,
    pub eos: Option<u32>,
}

/// GPT-2's `bytes_to_unicode`: the character standing for each byte.
pub fn byte_to_char() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut extra = 0u32;
    for b in 0..256u32 {
        let printable = (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
        table[b as usize] = if printable {
            char::from_u32(b).expect("Latin-1")
        } else {
            extra += 1;
            char::from_u32(255 + extra).expect("U+0100..")
        };
    }
    table
}

/// \p{N}: the numeric characters (general categories Nd, Nl, No).
fn is_number(c: char) -> bool {
    c.is_numeric()
}

/// \p{L}, approximated by Unicode Alphabetic minus numerics (see the module doc).
fn is_letter(c: char) -> bool {
    c.is_alphabetic() && !c.is_numeric()
}

/// Neither whitespace nor letter nor number: GPT-2's `[^\s\p{L}\p{N}]`.
fn is_other(c: char) -> bool {
    !c.is_whitespace() && !is_letter(c) && !is_number(c)
}

/// Splits `text` into the SmolLM2 pre-tokenizer's pieces (byte ranges), in order.
pub fn pre_tokenize(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    // Digits { individual_digits }: every numeric character alone, the text between them as pieces.
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if is_number(c) {
            if start < i {
                split_gpt2(&text[start..i], &mut out);
            }
            let end = i + c.len_utf8();
            out.push(&text[i..end]);
            start = end;
        }
    }
    if start < text.len() {
        split_gpt2(&text[start..], &mut out);
    }
    out
}

/// GPT-2's regex, alternative by alternative, on one piece.
fn split_gpt2<'a>(piece: &'a str, out: &mut Vec<&'a str>) {
    let chars: Vec<(usize, char)> = piece.char_indices().collect();
    let n = chars.len();
    let at = |k: usize| if k < n { chars[k].0 } else { piece.len() };
    let run = |from: usize, pred: fn(char) -> bool| {
        let mut k = from;
        while k < n && pred(chars[k].1) {
            k += 1;
        }
        k
    };
    let mut i = 0;
    while i < n {
        let c = chars[i].1;
        let next = chars.get(i + 1).map(|p| p.1);
        // 's|'t|'re|'ve|'m|'ll|'d
        if c == '\'' {
            let rest = &piece[at(i + 1)..];
            if let Some(len) = ["s", "t", "re", "ve", "m", "ll", "d"]
                .iter()
                .find(|s| rest.starts_with(**s))
                .map(|s| s.len())
            {
                let end = at(i + 1) + len;
                out.push(&piece[at(i)..end]);
                i = chars.partition_point(|p| p.0 < end);
                continue;
            }
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
        let classes: [fn(char) -> bool; 3] = [is_letter, is_number, is_other];
        let mut matched = false;
        for class in classes {
            let first = if class(c) {
                Some(i)
            } else if c == ' ' && next.is_some_and(class) {
                Some(i + 1)
            } else {
                None
            };
            if let Some(f) = first {
                let end = run(f, class);
                out.push(&piece[at(i)..at(end)]);
                i = end;
                matched = true;
                break;
            }
        }
        if matched {
            continue;
        }
        // `\s+(?!\S)` then `\s+`: a whitespace run keeps its last character for the next word unless
        // it ends the piece (or is a single character, which `\s+` takes).
        let end = run(i, char::is_whitespace);
        let end = if end < n && end - i > 1 {
            end - 1
        } else {
            end.max(i + 1)
        };
        out.push(&piece[at(i)..at(end)]);
        i = end;
    }
}

impl Tokenizer {
    /// Builds the tokenizer from `tokenizer.ggml.*` metadata.
    pub fn from_gguf(g: &Gguf) -> Result<Self, GgufError> {
        let model = g.get_str("tokenizer.ggml.model")?;
        if model != "gpt2" {
            return Err(GgufError::Unsupported {
                what: "tokenizer.ggml.model".into(),
                expected: "gpt2 (byte-level BPE)".into(),
                got: model.into(),
            });
        }
        if let Ok(pre) = g.get_str("tokenizer.ggml.pre") {
            if pre != "smollm" {
                return Err(GgufError::Unsupported {
                    what: "tokenizer.ggml.pre".into(),
                    expected: "smollm".into(),
                    got: pre.into(),
                });
            }
        }
        let tokens: Vec<String> = g
            .get_strings("tokenizer.ggml.tokens")?
            .into_iter()
            .map(String::from)
            .collect();
        let merges = g.get_strings("tokenizer.ggml.merges")?;
        let types: Vec<i64> = match g.get("tokenizer.ggml.token_type") {
            Ok(v) => v
                .as_array()
                .map(|a| a.iter().map(|t| t.as_i64().unwrap_or(1)).collect())
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let bos = g.get_u64("tokenizer.ggml.bos_token_id").ok().map(|v| v as u32);
        let eos = g.get_u64("tokenizer.ggml.eos_token_id").ok().map(|v| v as u32);
        let unknown = g.get_u64("tokenizer.ggml.unknown_token_id").unwrap_or(0) as u32;
        let mut t = Self::new(tokens, &merges, &types, bos, eos)?;
        t.unknown = unknown;
        Ok(t)
    }

    /// Builds the tokenizer from its token strings, "A B" merges by rank and token types.
    pub fn new(
        tokens: Vec<String>,
        merges: &[&str],
        types: &[i64],
        bos: Option<u32>,
        eos: Option<u32>,
    ) -> Result<Self, GgufError> {
        let ids: HashMap<String, u32> = tokens.iter().enumerate().map(|(i, t)| (t.clone(), i as u32)).collect();
        let bad = |what: String| GgufError::Unsupported {
            what,
            expected: "a token of the vocabulary".into(),
            got: "none".into(),
        };
        let chars = byte_to_char();
        let byte_ids = chars.map(|c| ids.get(&c.to_string()).copied());
        let char_bytes = chars.iter().enumerate().map(|(b, c)| (*c, b as u8)).collect();
        let mut table = HashMap::with_capacity(merges.len());
        for (rank, m) in merges.iter().enumerate() {
            let (a, b) = m.split_once(' ').ok_or_else(|| bad(format!("merge {rank} ({m:?})")))?;
            let id = |s: &str| {
                ids.get(s)
                    .copied()
                    .ok_or_else(|| bad(format!("merge {rank} part {s:?}")))
            };
            let merged = id(&format!("{a}{b}"))?;
            table.entry((id(a)?, id(b)?)).or_insert((rank as u32, merged));
        }
        let mut specials: Vec<(String, u32)> = types
            .iter()
            .enumerate()
            .filter(|(_, t)| **t == TOKEN_TYPE_CONTROL)
            .map(|(i, _)| (tokens[i].clone(), i as u32))
            .filter(|(s, _)| !s.is_empty())
            .collect();
        specials.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        Ok(Self {
            tokens,
            ids,
            merges: table,
            byte_ids,
            unknown: 0,
            char_bytes,
            specials,
            bos,
            eos,
        })
    }

    /// Vocabulary size.
    pub fn vocab(&self) -> usize {
        self.tokens.len()
    }

    /// The id of an exact token string (e.g. "<|im_start|>").
    pub fn id_of(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }

    /// Token ids of `text`; control tokens written in the text (`<|im_start|>`) become their ids when
    /// `special` is set, and are tokenised as plain text otherwise.
    pub fn encode(&self, text: &str, special: bool) -> Vec<u32> {
        let mut out = Vec::new();
        let mut rest = text;
        if special && !self.specials.is_empty() {
            while !rest.is_empty() {
                // The earliest special token; the longest one at that position.
                let hit = self
                    .specials
                    .iter()
                    .filter_map(|(s, id)| rest.find(s.as_str()).map(|p| (p, s.len(), *id)))
                    .min_by_key(|(p, len, _)| (*p, std::cmp::Reverse(*len)));
                match hit {
                    Some((p, len, id)) => {
                        self.encode_plain(&rest[..p], &mut out);
                        out.push(id);
                        rest = &rest[p + len..];
                    }
                    None => break,
                }
            }
        }
        self.encode_plain(rest, &mut out);
        out
    }

    fn encode_plain(&self, text: &str, out: &mut Vec<u32>) {
        for piece in pre_tokenize(text) {
            self.bpe(piece.as_bytes(), out);
        }
    }

    /// Merges the byte symbols of one piece by rank (a byte without a symbol becomes the unknown token
    /// and merges with nothing).
    fn bpe(&self, bytes: &[u8], out: &mut Vec<u32>) {
        let mut syms: Vec<u32> = bytes
            .iter()
            .map(|b| self.byte_ids[*b as usize].unwrap_or(self.unknown))
            .collect();
        loop {
            let best = syms
                .windows(2)
                .enumerate()
                .filter_map(|(i, w)| self.merges.get(&(w[0], w[1])).map(|(rank, id)| (*rank, i, *id)))
                .min();
            match best {
                Some((_, i, id)) => {
                    syms[i] = id;
                    syms.remove(i + 1);
                }
                None => break,
            }
        }
        out.extend(syms);
    }

    /// The bytes token `id` stands for (empty for an unknown id).
    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        match self.tokens.get(id as usize) {
            Some(t) if self.specials.iter().any(|(_, s)| *s == id) => t.as_bytes().to_vec(),
            Some(t) => t
                .chars()
                .flat_map(|c| match self.char_bytes.get(&c) {
                    Some(b) => vec![*b],
                    None => c.to_string().into_bytes(),
                })
                .collect(),
            None => Vec::new(),
        }
    }

    /// The token's string as stored in the vocabulary ("Ġthe").
    pub fn token_str(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(String::as_str)
    }

    /// The text of a token sequence.
    pub fn decode(&self, ids: &[u32]) -> String {
        let bytes: Vec<u8> = ids.iter().flat_map(|id| self.token_bytes(*id)).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_to_unicode_maps_space_to_g_dot_and_newline_to_c_dot() {
        let t = byte_to_char();
        assert_eq!(t[b' ' as usize], 'Ġ');
        assert_eq!(t[b'\n' as usize], 'Ċ');
        assert_eq!(t[b'a' as usize], 'a');
        let distinct: std::collections::HashSet<char> = t.iter().copied().collect();
        assert_eq!(distinct.len(), 256);
    }

    #[test]
    fn the_pre_tokenizer_splits_digits_one_by_one_and_gives_spaces_to_the_next_word() {
        assert_eq!(pre_tokenize("Hello world"), vec!["Hello", " world"]);
        assert_eq!(
            pre_tokenize("abc 12345!"),
            vec!["abc", " ", "1", "2", "3", "4", "5", "!"]
        );
        assert_eq!(pre_tokenize("a   b"), vec!["a", "  ", " b"]);
        assert_eq!(pre_tokenize("it's 'quoted'"), vec!["it", "'s", " '", "quoted", "'"]);
        assert_eq!(pre_tokenize("x\n\ny  "), vec!["x", "\n", "\n", "y", "  "]);
        assert_eq!(pre_tokenize("café 東京 🙂!"), vec!["café", " 東京", " 🙂!"]);
        assert_eq!(pre_tokenize(""), Vec::<&str>::new());
    }

    #[test]
    fn merges_apply_by_rank_and_decode_inverts_encode() {
        let tokens: Vec<String> = byte_to_char()
            .iter()
            .map(|c| c.to_string())
            .chain(["ab", "abc", "Ġab", "<|x|>"].map(String::from))
            .collect();
        let mut types = vec![1i64; tokens.len()];
        *types.last_mut().unwrap() = 3;
        let t = Tokenizer::new(tokens, &["a b", "ab c", "Ġ ab"], &types, None, None).unwrap();
        let ab = t.id_of("ab").unwrap();
        let abc = t.id_of("abc").unwrap();
        let gab = t.id_of("Ġab").unwrap();
        assert_eq!(t.encode("abc ab", false), vec![abc, gab]);
        assert_eq!(t.encode("ab<|x|>", true), vec![ab, t.id_of("<|x|>").unwrap()]);
        assert_eq!(t.encode("ab<|x|>", false).len(), 1 + 5);
        for s in ["abc ab", "é東🙂 \n\n  1", "<|x|>"] {
            assert_eq!(t.decode(&t.encode(s, true)), s);
        }
    }
}
