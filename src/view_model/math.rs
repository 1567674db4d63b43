//! A tiny TeX-like formula notation parsed into a MathML tree (pure: the UI turns the tree into DOM
//! elements, `ui::render::math`).
//!
//! Syntax: letters form an identifier (`softmax`, `W`), digits a number, any other character is an
//! operator; `a_b`, `a^b` and `a_b^c` attach scripts to the previous atom; `{…}` groups;
//! `\frac{a}{b}`, `\sqrt{x}`, `\floor{x}` (⌊x⌋), `\quad` (a wide space), `\text{…}` (literal text) and
//! `\t{id}` (a message id of `i18n`, so words in a formula are translated). Spaces are ignored.

/// A node of the formula tree; `&str`s borrow the source.
#[derive(Clone, Debug, PartialEq)]
pub enum Node<'a> {
    /// A sequence (`<mrow>`).
    Row(Vec<Node<'a>>),
    /// An identifier (`<mi>`).
    Ident(&'a str),
    /// A number (`<mn>`).
    Number(&'a str),
    /// An operator or fence (`<mo>`).
    Op(&'a str),
    /// Literal text (`<mtext>`).
    Text(&'a str),
    /// A message id, shown translated (`<mtext>`).
    Word(&'a str),
    /// A wide space (`<mspace>`).
    Space,
    /// Base and subscript (`<msub>`).
    Sub(Box<Node<'a>>, Box<Node<'a>>),
    /// Base and superscript (`<msup>`).
    Sup(Box<Node<'a>>, Box<Node<'a>>),
    /// Base, subscript and superscript (`<msubsup>`).
    SubSup(Box<Node<'a>>, Box<Node<'a>>, Box<Node<'a>>),
    /// Numerator and denominator (`<mfrac>`).
    Frac(Box<Node<'a>>, Box<Node<'a>>),
    /// A square root (`<msqrt>`).
    Sqrt(Box<Node<'a>>),
}

/// Parses `src`; an error names what is wrong (unbalanced braces, an unknown command, a dangling script).
pub fn parse(src: &str) -> Result<Node<'_>, String> {
    let mut p = Parser { src, pos: 0 };
    let items = p.sequence()?;
    if p.pos < src.len() {
        return Err(format!("unexpected '}}' at byte {}", p.pos));
    }
    Ok(Node::Row(items))
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Atoms with their scripts until the end or a closing brace.
    fn sequence(&mut self) -> Result<Vec<Node<'a>>, String> {
        let mut items = Vec::new();
        loop {
            self.skip_spaces();
            match self.peek() {
                None | Some('}') => return Ok(items),
                Some('_') | Some('^') => {
                    let base = items
                        .pop()
                        .ok_or_else(|| format!("a script without a base at byte {}", self.pos))?;
                    items.push(self.scripts(base)?);
                }
                Some(_) => items.push(self.atom()?),
            }
        }
    }

    fn scripts(&mut self, base: Node<'a>) -> Result<Node<'a>, String> {
        let (mut sub, mut sup) = (None, None);
        loop {
            self.skip_spaces();
            match self.peek() {
                Some('_') if sub.is_none() => {
                    self.pos += 1;
                    sub = Some(self.argument()?);
                }
                Some('^') if sup.is_none() => {
                    self.pos += 1;
                    sup = Some(self.argument()?);
                }
                _ => break,
            }
        }
        let b = Box::new(base);
        Ok(match (sub, sup) {
            (Some(s), Some(p)) => Node::SubSup(b, Box::new(s), Box::new(p)),
            (Some(s), None) => Node::Sub(b, Box::new(s)),
            (None, Some(p)) => Node::Sup(b, Box::new(p)),
            (None, None) => *b,
        })
    }

    /// A `{group}` or a single atom.
    fn argument(&mut self) -> Result<Node<'a>, String> {
        self.skip_spaces();
        match self.peek() {
            Some('{') => self.group(),
            Some('}') | None => Err(format!("a missing argument at byte {}", self.pos)),
            Some(_) => self.atom(),
        }
    }

    fn group(&mut self) -> Result<Node<'a>, String> {
        self.expect('{')?;
        let mut items = self.sequence()?;
        self.expect('}')?;
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::Row(items)
        })
    }

    fn raw_group(&mut self) -> Result<&'a str, String> {
        self.expect('{')?;
        let start = self.pos;
        let len = self.src[start..].find('}').ok_or("an unclosed '{'")?;
        self.pos = start + len + 1;
        Ok(&self.src[start..start + len])
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        self.skip_spaces();
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            Ok(())
        } else {
            Err(format!("expected '{c}' at byte {}", self.pos))
        }
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek().filter(|c| f(*c)) {
            self.pos += c.len_utf8();
        }
        &self.src[start..self.pos]
    }

    fn atom(&mut self) -> Result<Node<'a>, String> {
        let Some(c) = self.peek() else {
            return Err("unexpected end".into());
        };
        if c == '{' {
            return self.group();
        }
        if c == '\\' {
            self.pos += 1;
            let name = self.take_while(|c| c.is_ascii_alphabetic());
            return match name {
                "frac" => {
                    let num = self.argument()?;
                    let den = self.argument()?;
                    Ok(Node::Frac(Box::new(num), Box::new(den)))
                }
                "sqrt" => Ok(Node::Sqrt(Box::new(self.argument()?))),
                "floor" => {
                    let inner = self.argument()?;
                    Ok(Node::Row(vec![Node::Op("⌊"), inner, Node::Op("⌋")]))
                }
                "quad" => Ok(Node::Space),
                "text" => Ok(Node::Text(self.raw_group()?)),
                "t" => Ok(Node::Word(self.raw_group()?)),
                other => Err(format!("unknown command \\{other}")),
            };
        }
        if c.is_alphabetic() {
            return Ok(Node::Ident(self.take_while(char::is_alphabetic)));
        }
        if c.is_ascii_digit() {
            return Ok(Node::Number(self.take_while(|c| c.is_ascii_digit() || c == '.')));
        }
        let start = self.pos;
        self.pos += c.len_utf8();
        Ok(Node::Op(&self.src[start..self.pos]))
    }
}

/// The message ids of the formula's words (`\t{id}`), in order: what must exist in every language.
pub fn message_ids<'a>(node: &Node<'a>, out: &mut Vec<&'a str>) {
    match node {
        Node::Word(id) => out.push(id),
        Node::Row(items) => items.iter().for_each(|i| message_ids(i, out)),
        Node::Sub(a, b) | Node::Sup(a, b) | Node::Frac(a, b) => {
            message_ids(a, out);
            message_ids(b, out);
        }
        Node::SubSup(a, b, c) => [a, b, c].iter().for_each(|i| message_ids(i, out)),
        Node::Sqrt(a) => message_ids(a, out),
        _ => {}
    }
}

/// The formula as one line of plain text (for copy-paste and screen readers); `word` resolves `\t{id}`.
pub fn plain<'a>(node: &Node<'a>, word: &dyn Fn(&'a str) -> String) -> String {
    let wrap = |n: &Node<'a>| {
        let s = plain(n, word);
        if s.chars().count() > 1 && matches!(n, Node::Row(_) | Node::Frac(..)) {
            format!("({s})")
        } else {
            s
        }
    };
    match node {
        Node::Row(items) => {
            let mut out = String::new();
            let mut prev: Option<&Node<'a>> = None;
            for n in items {
                let tight_after = matches!(
                    prev,
                    None | Some(Node::Op("(" | "[" | "⌊" | "/" | "·")) | Some(Node::Space)
                );
                let lead = match n {
                    Node::Sub(b, _) | Node::Sup(b, _) | Node::SubSup(b, _, _) => b,
                    other => other,
                };
                let tight_before = matches!(lead, Node::Op(")" | "]" | "," | ":" | "⌋" | "/" | "·") | Node::Space)
                    || (matches!(lead, Node::Op("("))
                        && matches!(prev, Some(Node::Ident(_) | Node::Sub(..) | Node::Sup(..))));
                if !tight_after && !tight_before {
                    out.push(' ');
                }
                out.push_str(&plain(n, word));
                prev = Some(n);
            }
            out
        }
        Node::Ident(s) | Node::Number(s) | Node::Op(s) | Node::Text(s) => s.to_string(),
        Node::Word(id) => word(id),
        Node::Space => "  ".into(),
        Node::Sub(b, s) => format!("{}_{}", plain(b, word), wrap(s)),
        Node::Sup(b, p) if **p == Node::Ident("T") => format!("{}ᵀ", plain(b, word)),
        Node::Sup(b, p) => format!("{}^{}", plain(b, word), wrap(p)),
        Node::SubSup(b, s, p) if **p == Node::Ident("T") => format!("{}_{}ᵀ", plain(b, word), wrap(s)),
        Node::SubSup(b, s, p) => format!("{}_{}^{}", plain(b, word), wrap(s), wrap(p)),
        Node::Frac(a, b) => format!("{}/{}", wrap(a), wrap(b)),
        Node::Sqrt(x) => format!("√{}", wrap(x)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_fractions_roots_and_words_parse_into_the_tree() {
        let n = parse(r"\frac{Q K^T}{\sqrt{d_{head}}} \t{x.y}").unwrap();
        let Node::Row(items) = &n else { panic!("{n:?}") };
        assert_eq!(items.len(), 2);
        assert_eq!(items[1], Node::Word("x.y"));
        let Node::Frac(num, den) = &items[0] else { panic!() };
        assert_eq!(
            **num,
            Node::Row(vec![
                Node::Ident("Q"),
                Node::Sup(Box::new(Node::Ident("K")), Box::new(Node::Ident("T")))
            ])
        );
        assert_eq!(
            **den,
            Node::Sqrt(Box::new(Node::Sub(
                Box::new(Node::Ident("d")),
                Box::new(Node::Ident("head"))
            )))
        );
        assert_eq!(plain(&n, &|id| id.to_uppercase()), "(Q Kᵀ)/√d_head X.Y");
    }

    #[test]
    fn malformed_sources_are_errors_not_panics() {
        for bad in ["{a", "a}", "_x", r"\nope", r"\frac{a}", r"\text{a", "x_", "x^}"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("").is_ok());
        assert_eq!(
            parse("x_1^2").unwrap(),
            Node::Row(vec![Node::SubSup(
                Box::new(Node::Ident("x")),
                Box::new(Node::Number("1")),
                Box::new(Node::Number("2"))
            )])
        );
    }
}
