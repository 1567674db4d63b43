//! Typeset formulas: a [`crate::view_model::math`] source built into a native MathML `<math>` element
//! with DOM calls (no markup string is parsed), beside a visually hidden plain-text copy for
//! copy-paste and screen readers.

use leptos::html::Span;
use leptos::prelude::*;
use web_sys::{Document, Element};

use crate::i18n::t;
use crate::view_model::math::{parse, plain, Node};

const MATHML: &str = "http://www.w3.org/1998/Math/MathML";

fn el(doc: &Document, tag: &str, children: &[Element]) -> Option<Element> {
    let e = doc.create_element_ns(Some(MATHML), tag).ok()?;
    for c in children {
        e.append_child(c).ok()?;
    }
    Some(e)
}

fn leaf(doc: &Document, tag: &str, text: &str) -> Option<Element> {
    let e = el(doc, tag, &[])?;
    e.set_text_content(Some(text));
    Some(e)
}

/// The MathML element of `node` (words `\t{id}` are looked up with `t`).
fn build(doc: &Document, node: &Node<'static>) -> Option<Element> {
    let b = |n: &Node<'static>| build(doc, n);
    match node {
        Node::Row(items) => {
            let kids = items.iter().map(b).collect::<Option<Vec<_>>>()?;
            el(doc, "mrow", &kids)
        }
        Node::Ident(s) => leaf(doc, "mi", s),
        Node::Number(s) => leaf(doc, "mn", s),
        Node::Op(s) => leaf(doc, "mo", s),
        Node::Text(s) => leaf(doc, "mtext", &format!("\u{a0}{s}\u{a0}")),
        Node::Word(id) => leaf(doc, "mtext", &format!("\u{a0}{}\u{a0}", t(id))),
        Node::Space => {
            let e = el(doc, "mspace", &[])?;
            e.set_attribute("width", "1em").ok()?;
            Some(e)
        }
        Node::Sub(x, s) => el(doc, "msub", &[b(x)?, b(s)?]),
        Node::Sup(x, p) => el(doc, "msup", &[b(x)?, b(p)?]),
        Node::SubSup(x, s, p) => el(doc, "msubsup", &[b(x)?, b(s)?, b(p)?]),
        Node::Frac(n, d) => el(doc, "mfrac", &[b(n)?, b(d)?]),
        Node::Sqrt(x) => el(doc, "msqrt", &[b(x)?]),
    }
}

/// The plain-text line of a formula source, words translated.
pub fn plain_text(source: &'static str) -> String {
    parse(source)
        .map(|n| plain(&n, &|id| t(id).to_string()))
        .unwrap_or_else(|_| source.to_string())
}

/// A typeset formula: `<math>` for the eye, `fallback` (or the formula as plain text) in a visually
/// hidden span and the container's `title` for copy-paste and screen readers. A source that does not
/// parse shows the fallback as text.
#[component]
pub fn MathFormula(
    /// The formula in `view_model::math` notation.
    #[prop(into)]
    source: Signal<&'static str>,
    /// The plain-text version; None = the formula itself as one line of text.
    #[prop(optional, into)]
    fallback: Option<Signal<String>>,
    /// `block` (centred, display style) or `inline`.
    #[prop(default = "block")]
    display: &'static str,
    #[prop(default = "formula")] class: &'static str,
    #[prop(default = "formula")] test_id: &'static str,
) -> impl IntoView {
    let host = NodeRef::<Span>::new();
    let text = Signal::derive(move || match fallback {
        Some(f) => f.get(),
        None => plain_text(source.get()),
    });
    Effect::new(move |_| {
        let src = source.get();
        let (Some(host), Some(doc)) = (host.get(), web_sys::window().and_then(|w| w.document())) else {
            return;
        };
        host.set_text_content(None);
        let math = parse(src).ok().and_then(|tree| {
            let row = build(&doc, &tree)?;
            let m = el(&doc, "math", &[row])?;
            m.set_attribute("display", display).ok()?;
            m.set_attribute("aria-hidden", "true").ok()?;
            Some(m)
        });
        match math {
            Some(m) => {
                let _ = host.append_child(&m);
            }
            None => host.set_text_content(Some(&text.get_untracked())),
        }
    });
    view! {
        <div class=class data-testid=test_id title=move || text.get()>
            <span class="math-host" node_ref=host></span>
            <span class="visually-hidden" data-testid=format!("{test_id}-text")>{move || text.get()}</span>
        </div>
    }
}
