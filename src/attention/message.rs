//! What the engine tells a person: a message id and its arguments, translated by the interface
//! (`i18n::tm`). Engine errors keep a `Display` for developers and logs; the page shows their
//! [`Explain::message`], so a refusal reads in the reader's language.

/// A message id with `{name}` arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub id: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Message {
    /// A message without arguments.
    pub fn new(id: &'static str) -> Self {
        Self { id, args: Vec::new() }
    }

    /// Adds the argument `{name}` = `value`.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}

/// An error that can say, as a [`Message`], why a configuration was refused.
pub trait Explain {
    fn message(&self) -> Message;
}
