//! Every conversion to and from JavaScript values, in one place: errors become JS `Error`
//! objects with `code`, `rule`, `file` and `line`.

use js_sys::{Error, Reflect};
use wasm_bindgen::JsValue;

/// A core error as a JS `Error` with its stable code and, where there is one, rule and place.
pub fn error(e: samkoer_core::Error) -> JsValue {
    let js = Error::new(&e.to_string());
    let (file, line) = match &e {
        samkoer_core::Error::Input { file, line, .. } => (Some(file.clone()), Some(*line)),
        samkoer_core::Error::Format { file, record, .. }
        | samkoer_core::Error::OpenFailedIn { file, record } => (Some(file.clone()), Some(*record)),
        samkoer_core::Error::Io { file, .. } => (Some(file.clone()), None),
        _ => (None, None),
    };
    let set = |key: &str, value: JsValue| {
        // Setting a property on a fresh Error object cannot fail.
        let _ = Reflect::set(&js, &JsValue::from_str(key), &value);
    };
    set("code", JsValue::from(e.code()));
    set(
        "rule",
        e.rule()
            .map_or(JsValue::NULL, |r| JsValue::from_str(r.name())),
    );
    set(
        "file",
        file.map_or(JsValue::NULL, |f| JsValue::from_str(&f)),
    );
    set(
        "line",
        line.map_or(JsValue::NULL, |l| JsValue::from(l as f64)),
    );
    js.into()
}

/// A core result with its error converted.
pub fn result<T>(r: samkoer_core::Result<T>) -> Result<T, JsValue> {
    r.map_err(error)
}

/// A date given as `YYYY-MM-DD`.
pub fn date(text: &str) -> Result<time::Date, JsValue> {
    samkoer_core::formats::export::parse_date(text).map_err(error)
}
