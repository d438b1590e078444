//! Reading the JSON files that come from outside (verdict files, the match's result file,
//! one-citizen check requests and answers, commit journals): an object where the spec says
//! object, never an array in its place.
//!
//! serde reads a struct from a JSON array of its fields in order as readily as from an
//! object, so `["samkoer-verdicts", 1, "219", …]` would pass for a verdict file. The spec
//! (§10) allows objects only: before the typed parse, [`parse`] walks the text along the
//! file's [`Shape`] and refuses an array where an object is due, at the line it opens on.

use serde::de::DeserializeOwned;

use crate::error::{Error, Result, Rule};

/// Where a JSON file must hold objects: the parts of its structure that are objects, and the
/// arrays whose elements are.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// Any value: its own parse judges it.
    Any,
    /// An object; the named members have the given shapes, the others are [`Shape::Any`].
    Object(&'static [(&'static str, Shape)]),
    /// An array whose every element has the given shape.
    ArrayOf(&'static Shape),
}

/// Parses `text` (a byte-order mark already removed) as a `T`, refusing an array where
/// `shape` says object: any fault is `rule` at the line it is on (the line of the array's
/// opening `[`, or of the JSON error as the parser places it).
pub fn parse<T: DeserializeOwned>(text: &str, file: &str, rule: Rule, shape: &Shape) -> Result<T> {
    if let Some(line) = array_for_object(text, shape) {
        return Err(Error::input(file, line, rule));
    }
    serde_json::from_str(text).map_err(|e| Error::input(file, e.line() as u64, rule))
}

/// The line of the first array that stands where `shape` says object, if any. Text that is
/// not JSON gives `None`: the typed parse names its fault.
pub fn array_for_object(text: &str, shape: &Shape) -> Option<u64> {
    let mut walker = Walker {
        bytes: text.as_bytes(),
        at: 0,
    };
    match walker.value(shape) {
        Ok(()) | Err(Stop::NotJson) => None,
        Err(Stop::ArrayAt(at)) => Some(
            1 + text.as_bytes()[..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64,
        ),
    }
}

enum Stop {
    /// An array where an object is due, at this byte.
    ArrayAt(usize),
    /// The text is not JSON here: left to the typed parse.
    NotJson,
}

struct Walker<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Walker<'a> {
    fn peek(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), Stop> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(Stop::NotJson)
        }
    }

    fn value(&mut self, shape: &Shape) -> Result<(), Stop> {
        match (self.peek().ok_or(Stop::NotJson)?, shape) {
            (b'[', Shape::Object(_)) => Err(Stop::ArrayAt(self.at)),
            (b'{', Shape::Object(members)) => self.object(members),
            (b'{', _) => self.object(&[]),
            (b'[', Shape::ArrayOf(element)) => self.array(element),
            (b'[', _) => self.array(&Shape::Any),
            (b'"', _) => self.string().map(|_| ()),
            _ => self.scalar(),
        }
    }

    fn object(&mut self, members: &[(&str, Shape)]) -> Result<(), Stop> {
        self.expect(b'{')?;
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            let shape = members
                .iter()
                .find(|(name, _)| name.as_bytes() == key)
                .map_or(&Shape::Any, |(_, shape)| shape);
            self.value(shape)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(Stop::NotJson),
            }
        }
    }

    fn array(&mut self, element: &Shape) -> Result<(), Stop> {
        self.expect(b'[')?;
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.value(element)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(Stop::NotJson),
            }
        }
    }

    /// A string's raw bytes between its quotes (escapes left as they are).
    fn string(&mut self) -> Result<&'a [u8], Stop> {
        self.expect(b'"')?;
        let start = self.at;
        loop {
            match self.bytes.get(self.at) {
                None => return Err(Stop::NotJson),
                Some(b'"') => break,
                Some(b'\\') => self.at += 2,
                Some(_) => self.at += 1,
            }
        }
        self.at += 1;
        Ok(&self.bytes[start..self.at - 1])
    }

    /// A number, `true`, `false` or `null`: the bytes up to the next delimiter.
    fn scalar(&mut self) -> Result<(), Stop> {
        let start = self.at;
        while let Some(b) = self.bytes.get(self.at) {
            if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.at += 1;
        }
        if self.at == start {
            Err(Stop::NotJson)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPE: Shape = Shape::Object(&[
        ("run", Shape::Object(&[])),
        ("items", Shape::ArrayOf(&Shape::Object(&[]))),
    ]);

    #[test]
    fn an_array_where_an_object_is_due_is_found_at_its_line() {
        let at = |text: &str| array_for_object(text, &SHAPE);
        assert_eq!(
            at("{\"run\": {}, \"items\": [{}, {\"a\": [1, \"]\"]}]}"),
            None
        );
        assert_eq!(at("[\"samkoer-verdicts\", 1]"), Some(1));
        assert_eq!(at("\n\n  [1]"), Some(3));
        assert_eq!(at("{\n\"run\":\n[\"219\"]}"), Some(3));
        assert_eq!(at("{\"items\": [{},\n {}, \n[\"x\"]]}"), Some(3));
        // Arrays elsewhere, and text that is not JSON, are for the typed parse.
        assert_eq!(at("{\"other\": [[1]], \"s\": \"[\\\"\"}"), None);
        assert_eq!(at("{\"run\": "), None);
        assert_eq!(at("not json ["), None);
    }
}
