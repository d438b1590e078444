//! What the subcommands share: the audit log option, reading keys and the catalogue, dates,
//! and a spinner for long work. Reading and writing belong to the core's steps; this only
//! turns arguments into their inputs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use samkoer_core::files::{Input, Place};
use samkoer_core::flow::Audit;
use samkoer_core::formats::catalogue::Catalogue;
use samkoer_core::formats::export::ExportOptions;
use samkoer_core::{KeyFileFormat, MunicipalityCode, Result};

/// A spinner with a message and the elapsed time, for work that can take more than a second.
pub fn spinner(message: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(message.into());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A bar for reading an input of known length: bytes read, rate and time left, drawn only on a
/// terminal (indicatif draws nothing when standard error is not one).
pub fn reading_bar(message: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::new(0).with_message(message.into());
    let template = "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}, {eta} left";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Runs `work` with a spinner showing.
pub fn with_spinner<T>(message: impl Into<String>, work: impl FnOnce() -> T) -> T {
    let bar = spinner(message);
    let done = work();
    bar.finish_and_clear();
    done
}

/// The one audit log of this command — the one `--audit-log` names, or none — which also keeps
/// the step's summary for `--json`.
static AUDIT: OnceLock<Audit> = OnceLock::new();

/// Whether `--json` was given: the step's summary instead of the text.
static JSON: AtomicBool = AtomicBool::new(false);

/// Sets up the command's audit log and output form, once, before the command runs.
pub fn set_up(log: Option<&Path>, json: bool) {
    JSON.store(json, Ordering::Relaxed);
    let _ = AUDIT.set(log.map_or_else(Audit::none, Audit::file));
}

/// The audit log named by `--audit-log`, if any (see [`set_up`]).
pub fn audit(log: Option<&Path>) -> &'static Audit {
    AUDIT.get_or_init(|| log.map_or_else(Audit::none, Audit::file))
}

/// The summary of the command's step for machines, if a step ran: its audit entry (party,
/// action, run, what it made with digests, counts, outcome).
pub fn last_step() -> Option<samkoer_core::audit::Step> {
    AUDIT.get().and_then(Audit::last_step)
}

/// Whether the text is left out for `--json`.
pub fn json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// A key read from its key file.
pub fn key<K: KeyFileFormat>(path: &Path) -> Result<K> {
    K::read(path)
}

/// The built-in catalogue, or the one in `path`.
pub fn catalogue(path: Option<&Path>) -> Result<Catalogue> {
    match path {
        None => Ok(Catalogue::builtin().clone()),
        Some(path) => Catalogue::from_input(&Input::path(path)),
    }
}

/// The export options of a mapping file, or the defaults.
pub fn options(mapping: Option<&Path>) -> Result<ExportOptions> {
    match mapping {
        None => Ok(ExportOptions::default()),
        Some(path) => ExportOptions::from_mapping_input(&Input::path(path)),
    }
}

/// The municipality code given.
pub fn municipality(text: &str) -> Result<MunicipalityCode> {
    MunicipalityCode::parse(text)
}

/// Files as inputs.
pub fn inputs(paths: &[PathBuf]) -> Vec<Input> {
    paths.iter().map(Input::path).collect()
}

/// A file as an output place.
pub fn place(path: &Path) -> Place {
    Place::file(path)
}

/// Prints a line on standard output, as `println!` does, except that a reader who has gone (a
/// closed pipe: `samkoer catalogue | head -1`) ends the command quietly instead of in a panic.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::common::write_out(format_args!($($arg)*), true)
    };
}
pub(crate) use say;

/// Writes `text` (and a line end) to standard output, unless `--json` asks for the summary
/// alone; see [`say!`].
pub fn write_out(text: std::fmt::Arguments<'_>, line: bool) {
    if json() {
        return;
    }
    write_any(text, line);
}

/// Writes `text` (and a line end) to standard output whatever the form asked for.
pub fn write_any(text: std::fmt::Arguments<'_>, line: bool) {
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(text).and_then(|()| match line {
        true => out.write_all(b"\n"),
        false => Ok(()),
    });
    if let Err(error) = written.and_then(|()| out.flush()) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            // Everything the command was for is done: only its report has no reader.
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {error}");
        std::process::exit(3);
    }
}
