//! Every conversion to and from JavaScript values, in one place: errors become JS `Error`
//! objects with `code`, `rule`, `form`, `file`, `line` and `remedy`; times are milliseconds since
//! 1970 (`Date.now()`); byte arrays are `Uint8Array`s.

use js_sys::{Error, Reflect};
use samkoer_core::files::{Input, Made, OutputKind};
use samkoer_core::flow::Completed;
#[cfg(feature = "every-step")]
use time::OffsetDateTime;
use wasm_bindgen::JsValue;

/// A core error as a JS `Error` with its stable code and, where there is one, rule and place.
pub fn error(e: samkoer_core::Error) -> JsValue {
    let js = Error::new(&e.to_string());
    let (file, line) = match &e {
        samkoer_core::Error::Input { file, line, .. } => (Some(file.clone()), Some(*line)),
        samkoer_core::Error::Format { file, record, .. }
        | samkoer_core::Error::OpenFailedIn { file, record } => (Some(file.clone()), Some(*record)),
        samkoer_core::Error::Io { file, .. } | samkoer_core::Error::Refused { file, .. } => {
            (Some(file.clone()), None)
        }
        _ => (None, None),
    };
    let set = |key: &str, value: JsValue| {
        // Setting a property on a fresh Error object cannot fail.
        let _ = Reflect::set(&js, &JsValue::from_str(key), &value);
    };
    let text = |t: Option<&str>| t.map_or(JsValue::NULL, JsValue::from_str);
    set("code", JsValue::from(e.code()));
    set("rule", text(e.rule().map(|r| r.name())));
    set("form", text(e.form().map(|f| f.name())));
    set(
        "file",
        file.map_or(JsValue::NULL, |f| JsValue::from_str(&f)),
    );
    set(
        "line",
        line.map_or(JsValue::NULL, |l| JsValue::from(l as f64)),
    );
    // The export tool's module leaves the remedies out: its page says what to do itself.
    #[cfg(feature = "every-step")]
    set("remedy", JsValue::from_str(e.remedy()));
    js.into()
}

/// A core result with its error converted.
pub fn result<T>(r: samkoer_core::Result<T>) -> Result<T, JsValue> {
    r.map_err(error)
}

/// A date given as `YYYY-MM-DD`.
#[cfg_attr(not(feature = "every-step"), allow(dead_code))]
pub fn date(text: &str) -> Result<time::Date, JsValue> {
    result(samkoer_core::formats::export::parse_date(text))
}

/// A time given as milliseconds since 1970 (what `Date.now()` gives).
#[cfg(feature = "every-step")]
pub fn time(milliseconds: f64) -> Result<OffsetDateTime, JsValue> {
    let nanos = (milliseconds as i128) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| {
        error(samkoer_core::Error::parameter(
            samkoer_core::Rule::DateGiven,
        ))
    })
}

/// Bytes picked in the browser, as a step's input.
#[cfg_attr(not(feature = "every-step"), allow(dead_code))]
pub fn input(name: &str, bytes: &[u8]) -> Input {
    Input::bytes(name, bytes.to_vec())
}

/// Several named inputs.
#[cfg_attr(not(feature = "every-step"), allow(dead_code))]
pub fn inputs(bytes: Vec<js_sys::Uint8Array>, names: Vec<String>) -> Vec<Input> {
    bytes
        .iter()
        .zip(names)
        .map(|(b, n)| Input::bytes(n, b.to_vec()))
        .collect()
}

/// The bytes of a step's first output of `kind`.
pub fn output<S>(done: &Completed<S>, kind: OutputKind) -> Vec<u8> {
    done.bytes(kind).map(<[u8]>::to_vec).unwrap_or_default()
}

/// A step's output as text.
#[cfg_attr(not(feature = "every-step"), allow(dead_code))]
pub fn text_of(made: &Made) -> String {
    String::from_utf8_lossy(made.bytes.as_deref().unwrap_or_default()).into_owned()
}

/// A JSON value as text (strings, numbers and arrays only: serialising cannot fail).
#[cfg_attr(not(feature = "every-step"), allow(dead_code))]
pub fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
