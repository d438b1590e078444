//! Reads the TOML files samkoer takes (catalogue, criteria, export mapping) key by key.
//!
//! The document is parsed once into spanned values (`toml`'s parser, without serde); each file's
//! reader then asks for the keys it knows. Every mistake — a syntax error, an unknown key, a
//! missing key, a value of the wrong type — is an error at its own line with the file's rule.
//! Reading by hand instead of deriving serde deserializers keeps the WebAssembly module small:
//! one parser instead of a deserializer per struct and format.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Error, Result, Rule};

/// A TOML file's text, name and the rule its syntax and shape errors are reported under.
#[derive(Clone, Copy)]
pub(crate) struct TomlFile<'a> {
    text: &'a str,
    file: &'a str,
    rule: Rule,
}

impl<'a> TomlFile<'a> {
    pub(crate) fn new(text: &'a str, file: &'a str, rule: Rule) -> TomlFile<'a> {
        TomlFile { text, file, rule }
    }

    /// The 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> u64 {
        let end = offset.min(self.text.len());
        1 + self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
    }

    /// An error under `rule` at the line where `value` starts.
    pub(crate) fn error<T>(&self, value: &Spanned<T>, rule: Rule) -> Error {
        self.error_at(value.span(), rule)
    }

    /// An error under `rule` at the line where `span` starts.
    pub(crate) fn error_at(&self, span: Range<usize>, rule: Rule) -> Error {
        Error::input(self.file, self.line(span.start), rule)
    }

    /// Parses the document.
    pub(crate) fn parse(&self) -> Result<Spanned<DeTable<'a>>> {
        DeTable::parse(self.text).map_err(|e| {
            let line = e.span().map_or(0, |span| self.line(span.start));
            Error::input(self.file, line, self.rule)
        })
    }

    /// The keys of a table, checked against the ones the format knows.
    pub(crate) fn fields<'t>(
        &self,
        table: &'t Spanned<DeTable<'a>>,
        known: &[&str],
    ) -> Result<Fields<'t, 'a>> {
        self.fields_of(table.get_ref(), table.span(), known)
    }

    fn fields_of<'t>(
        &self,
        table: &'t DeTable<'a>,
        span: Range<usize>,
        known: &[&str],
    ) -> Result<Fields<'t, 'a>> {
        // The table's keys come in key order, not file order: report the unknown key written
        // first, as a reader of the file would find it.
        if let Some((unknown, _)) = table
            .iter()
            .filter(|(key, _)| !known.contains(&key.get_ref().as_ref()))
            .min_by_key(|(key, _)| key.span().start)
        {
            return Err(self.error(unknown, self.rule));
        }
        Ok(Fields {
            file: *self,
            table,
            span,
        })
    }
}

/// The keys of one table of a [`TomlFile`].
pub(crate) struct Fields<'t, 'a> {
    file: TomlFile<'a>,
    table: &'t DeTable<'a>,
    span: Range<usize>,
}

impl<'t, 'a> Fields<'t, 'a> {
    fn get(&self, key: &str) -> Option<&'t Spanned<DeValue<'a>>> {
        self.table
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(_, value)| value)
    }

    fn wrong_type(&self, value: &Spanned<DeValue<'a>>) -> Error {
        self.file.error(value, self.file.rule)
    }

    /// An error at the line where this table starts.
    pub(crate) fn error(&self, rule: Rule) -> Error {
        self.file.error_at(self.span.clone(), rule)
    }

    /// A string value, if present.
    pub(crate) fn string(&self, key: &str) -> Result<Option<Spanned<String>>> {
        self.get(key).map(|value| self.as_string(value)).transpose()
    }

    /// A string value that must be present.
    pub(crate) fn required_string(&self, key: &str) -> Result<Spanned<String>> {
        self.string(key)?.ok_or_else(|| self.error(self.file.rule))
    }

    fn as_string(&self, value: &Spanned<DeValue<'a>>) -> Result<Spanned<String>> {
        match value.get_ref() {
            DeValue::String(text) => Ok(Spanned::new(value.span(), text.to_string())),
            _ => Err(self.wrong_type(value)),
        }
    }

    /// A non-negative integer value that fits `T`, if present.
    pub(crate) fn integer<T: TryFrom<u64>>(&self, key: &str) -> Result<Option<Spanned<T>>> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let number = match value.get_ref() {
            DeValue::Integer(integer) => u64::from_str_radix(integer.as_str(), integer.radix())
                .ok()
                .and_then(|n| T::try_from(n).ok()),
            _ => None,
        };
        number
            .map(|n| Some(Spanned::new(value.span(), n)))
            .ok_or_else(|| self.wrong_type(value))
    }

    /// A boolean value; `false` when absent.
    pub(crate) fn flag(&self, key: &str) -> Result<bool> {
        match self.get(key) {
            None => Ok(false),
            Some(value) => match value.get_ref() {
                DeValue::Boolean(flag) => Ok(*flag),
                _ => Err(self.wrong_type(value)),
            },
        }
    }

    /// A boolean value that must be present.
    pub(crate) fn required_flag(&self, key: &str) -> Result<bool> {
        match self.get(key) {
            None => Err(self.error(self.file.rule)),
            Some(_) => self.flag(key),
        }
    }

    /// An array of strings, if present.
    pub(crate) fn strings(&self, key: &str) -> Result<Option<Vec<Spanned<String>>>> {
        Ok(self.string_list(key)?.map(Spanned::into_inner))
    }

    /// An array of strings with the place of the array itself, if present: for a mistake of the
    /// list as a whole (an empty one), reported where the list starts.
    pub(crate) fn string_list(&self, key: &str) -> Result<Option<Spanned<Vec<Spanned<String>>>>> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .map(|item| self.as_string(item))
                .collect::<Result<_>>()
                .map(|items| Some(Spanned::new(value.span(), items))),
            _ => Err(self.wrong_type(value)),
        }
    }

    /// A sub-table with the keys it may have, if present.
    pub(crate) fn table(&self, key: &str, known: &[&str]) -> Result<Option<Fields<'t, 'a>>> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::Table(table) => self.file.fields_of(table, value.span(), known).map(Some),
            _ => Err(self.wrong_type(value)),
        }
    }

    /// The tables of an array of tables (`[[key]]`), each with the keys it may have; none when
    /// absent.
    pub(crate) fn tables(&self, key: &str, known: &[&str]) -> Result<Vec<Fields<'t, 'a>>> {
        let Some(value) = self.get(key) else {
            return Ok(Vec::new());
        };
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.wrong_type(value));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::Table(table) => self.file.fields_of(table, item.span(), known),
                _ => Err(self.wrong_type(item)),
            })
            .collect()
    }

    /// A table of free keys with string values (`[columns]`, `[statuses]`), in file order (so a
    /// value that clashes with an earlier one is the one reported); empty when absent.
    pub(crate) fn string_entries(&self, key: &str) -> Result<Vec<(String, Spanned<String>)>> {
        let Some(value) = self.get(key) else {
            return Ok(Vec::new());
        };
        let DeValue::Table(table) = value.get_ref() else {
            return Err(self.wrong_type(value));
        };
        let mut entries = table
            .iter()
            .map(|(name, value)| Ok((name.get_ref().to_string(), self.as_string(value)?)))
            .collect::<Result<Vec<_>>>()?;
        entries.sort_by_key(|(_, value)| value.span().start);
        Ok(entries)
    }

    /// Where this table starts, for errors about it as a whole.
    pub(crate) fn span(&self) -> Range<usize> {
        self.span.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"a\"\ncount = 3\n\n[part]\nflag = true\nwords = [\"x\", \"y\"]\n\n[[item]]\nname = \"one\"\n\n[[item]]\nname = 2\n";

    fn line_of(result: Result<impl Sized>) -> u64 {
        match result {
            Err(Error::Input { line, rule, .. }) => {
                assert_eq!(rule, Rule::CriteriaSyntax);
                line
            }
            _ => panic!("expected an input error"),
        }
    }

    #[test]
    fn values_are_read_with_their_lines() {
        let toml = TomlFile::new(TEXT, "t.toml", Rule::CriteriaSyntax);
        let document = toml.parse().unwrap();
        let root = toml
            .fields(&document, &["name", "count", "part", "item"])
            .unwrap();
        assert_eq!(root.required_string("name").unwrap().get_ref(), "a");
        assert_eq!(*root.integer::<u8>("count").unwrap().unwrap().get_ref(), 3);
        assert_eq!(root.string("absent").unwrap(), None);
        let part = root.table("part", &["flag", "words"]).unwrap().unwrap();
        assert!(part.flag("flag").unwrap());
        let words = part.strings("words").unwrap().unwrap();
        assert_eq!(
            words
                .iter()
                .map(|w| w.get_ref().as_str())
                .collect::<Vec<_>>(),
            ["x", "y"]
        );
        // A list keeps its own place, the line where it starts.
        let list = part.string_list("words").unwrap().unwrap();
        assert_eq!(toml.line(list.span().start), 6);
        assert_eq!(part.string_list("absent").unwrap(), None);
        let items = root.tables("item", &["name"]).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].required_string("name").unwrap().get_ref(), "one");
        // The second item's name is a number: the error is at its line.
        assert_eq!(line_of(items[1].required_string("name")), 12);
    }

    #[test]
    fn mistakes_name_their_line() {
        let toml = TomlFile::new(TEXT, "t.toml", Rule::CriteriaSyntax);
        let document = toml.parse().unwrap();
        // An unknown key, at its own line; of several, the one written first.
        assert_eq!(
            line_of(toml.fields(&document, &["name", "part", "item"])),
            2
        );
        assert_eq!(line_of(toml.fields(&document, &["count"])), 1);
        let root = toml
            .fields(&document, &["name", "count", "part", "item"])
            .unwrap();
        // Wrong types and an integer too large for the wanted type.
        assert_eq!(line_of(root.integer::<u8>("name")), 1);
        assert_eq!(line_of(root.flag("count")), 2);
        assert_eq!(line_of(root.table("name", &[])), 1);
        let part = root.table("part", &["flag", "words"]).unwrap().unwrap();
        assert_eq!(line_of(part.required_string("missing")), 4);
        assert_eq!(line_of(part.required_flag("missing")), 4);
        let big = TomlFile::new("n = 300\nm = -1\n", "t.toml", Rule::CriteriaSyntax);
        let document = big.parse().unwrap();
        let root = big.fields(&document, &["n", "m"]).unwrap();
        assert_eq!(line_of(root.integer::<u8>("n")), 1);
        assert_eq!(line_of(root.integer::<u64>("m")), 2);
        // A syntax error, at its line.
        let broken = TomlFile::new("a = 1\nb = [\n", "t.toml", Rule::CriteriaSyntax);
        assert_eq!(line_of(broken.parse()), 2);
    }
}
