//! Helpers shared by the cos-rs integration tests: where the shared test data lives, a
//! tally that prints the one summary line each data-driven runner ends with, and running a
//! child program under a time limit ([`process`]).

use std::fmt::Display;
use std::path::PathBuf;

pub mod process;

/// The path of a file under `../shared/` next to the repository, or the value of the
/// environment variable `override_var` when it is set.
pub fn shared_path(override_var: &str, relative: &str) -> PathBuf {
    match std::env::var_os(override_var) {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared")
            .join(relative),
    }
}

/// Reads a shared file as text; a missing or unreadable file is an error naming the path and
/// the variable that overrides it (runners turn it into a failure, never a skip).
pub fn read_shared(override_var: &str, relative: &str) -> Result<String, String> {
    let path = shared_path(override_var, relative);
    std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read {} ({e}); set {override_var} to its location",
            path.display()
        )
    })
}

/// Counts the cases of a data-driven runner and remembers what each failure was.
#[derive(Debug, Default)]
pub struct Tally {
    passed: usize,
    failures: Vec<String>,
}

impl Tally {
    /// Records one case: passed when `expected == actual`, otherwise a failure naming the
    /// case with both values.
    pub fn check<T: PartialEq + Display>(&mut self, case: &str, expected: T, actual: T) {
        if expected == actual {
            self.passed += 1;
        } else {
            self.failures.push(format!(
                "{case}:\n  expected: {expected}\n  actual:   {actual}"
            ));
        }
    }

    /// Records a case that passed (for runners that judge cases elsewhere, such as the
    /// interop scripts).
    pub fn pass(&mut self) {
        self.passed += 1;
    }

    /// Records `n` cases that passed (for runners that count another runner's results).
    pub fn pass_many(&mut self, n: usize) {
        self.passed += n;
    }

    /// Records a case that failed, or could not be run at all.
    pub fn fail(&mut self, case: &str, why: impl Display) {
        self.failures.push(format!("{case}: {why}"));
    }

    /// Prints every failure and then the single line `{what}: N passed, M failed`; true when
    /// no case failed and at least one ran.
    pub fn report(&self, what: &str) -> bool {
        for failure in &self.failures {
            eprintln!("FAILED {failure}");
        }
        println!(
            "{what}: {} passed, {} failed",
            self.passed,
            self.failures.len()
        );
        self.failures.is_empty() && self.passed > 0
    }

    /// [`Tally::report`], then exits non-zero when a case failed or none ran.
    pub fn finish(self, what: &str) -> ! {
        let ok = self.report(what);
        std::process::exit(if ok { 0 } else { 1 })
    }
}

/// The string pairs of a JSON object, in the file's order.
pub fn pairs(value: &serde_json::Value) -> Result<Vec<(String, String)>, String> {
    let Some(map) = value.as_object() else {
        return Err(format!("expected an object of strings, got {value}"));
    };
    map.iter()
        .map(|(k, v)| match v.as_str() {
            Some(s) => Ok((k.clone(), s.to_owned())),
            None => Err(format!("value of {k} is not a string")),
        })
        .collect()
}

/// One case of a vector file: its name, the expected string, and how to compute the actual
/// one.
pub trait VectorCase {
    /// The case's name, printed when it fails.
    fn name(&self) -> &str;
    /// The string the official SDKs produced.
    fn expected(&self) -> &str;
    /// The string cos-rs produces, or why it could not.
    fn actual(&self) -> Result<String, String>;
}

/// Runs the vector file `relative` under `../shared/` (or the path in `override_var`), a JSON
/// object whose `cases` array holds `C`s, and finishes with the `{what}: N passed, M failed`
/// line. A missing or malformed file is a failure, never a skip.
pub fn run_vector_file<C: VectorCase + serde::de::DeserializeOwned>(
    what: &str,
    override_var: &str,
    relative: &str,
) -> ! {
    #[derive(serde::Deserialize)]
    struct File<C> {
        cases: Vec<C>,
    }
    let mut tally = Tally::default();
    let file: File<C> = match read_shared(override_var, relative)
        .and_then(|text| serde_json::from_str(&text).map_err(|e| format!("not a vector file: {e}")))
    {
        Ok(file) => file,
        Err(e) => {
            tally.fail(relative, e);
            tally.finish(what);
        }
    };
    for case in &file.cases {
        match case.actual() {
            Ok(actual) => tally.check(case.name(), case.expected(), &actual),
            Err(e) => tally.fail(case.name(), e),
        }
    }
    tally.finish(what)
}
