//! The interop suite: the official COS SDKs for Python (PyPI `cos-python-sdk-v5`) and Node
//! (npm `cos-nodejs-sdk-v5`), at the versions pinned in `interop/python/requirements.txt` and
//! `interop/node/package.json`, run their scripts (`interop/python/interop.py`,
//! `interop/node/interop.js`) against an in-process cos-emulator, one fresh emulator per SDK.
//!
//! The SDKs are installed under the target directory: a venv in `target/interop/venv` and a
//! copy of the node folder with its `node_modules` in `target/interop/node`, both reused for
//! as long as the pinned versions do not change. Each script prints `ok NAME` or
//! `FAIL NAME: reason` per check; this runner prints those lines as they come, then one line
//! per SDK, `python interop: N passed, M failed` and `node interop: N passed, M failed`, and
//! exits non-zero when a check failed.
//!
//! A missing `python3`, `node` or `npm`, or a registry that cannot be reached, is a failure,
//! never a silent skip. The environment variable `COS_INTEROP` chooses: `skip` skips the
//! suite (saying so), `python` or `node` runs one SDK only; unset runs both.
//! `COS_INTEROP_VERBOSE=1` makes the scripts print every request and response.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cos_emulator::Emulator;
use cos_tests::Tally;
use cos_tests::process::{describe_status, run_captured};

const SECRET_ID: &str = "AKIDinterop0000000000000000000000000";
const SECRET_KEY: &str = "interop-secret-key-0000000000000000";
/// How long creating a venv or installing a package may take (a slow registry on a first run).
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
/// How long one SDK's script may take.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(240);

/// Where the suite's sources and its installs live.
struct Dirs {
    /// `tests/interop` in the repository.
    source: PathBuf,
    /// `target/interop`.
    target: PathBuf,
}

impl Dirs {
    fn new() -> Dirs {
        let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        // CARGO_TARGET_TMPDIR is `<target>/tmp`.
        let target = tmp.parent().map_or(tmp.clone(), Path::to_path_buf);
        Dirs {
            source: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop"),
            target: target.join("interop"),
        }
    }
}

/// One SDK: how to install it and the command that runs its script.
struct Sdk {
    /// `python` or `node`: the summary line is `{name} interop: ...`.
    name: &'static str,
    /// Installs (or reuses) the SDK and returns the command that runs the script.
    prepare: fn(&Dirs) -> Result<Command, String>,
}

const SDKS: [Sdk; 2] = [
    Sdk {
        name: "python",
        prepare: prepare_python,
    },
    Sdk {
        name: "node",
        prepare: prepare_node,
    },
];

fn main() {
    let selection = std::env::var("COS_INTEROP").unwrap_or_default();
    let chosen: Vec<&Sdk> = match selection.as_str() {
        "skip" => {
            println!("interop: skipped, because COS_INTEROP=skip");
            return;
        }
        "" | "all" => SDKS.iter().collect(),
        one => SDKS.iter().filter(|s| s.name == one).collect(),
    };
    if chosen.is_empty() {
        let mut tally = Tally::default();
        tally.fail(
            "COS_INTEROP",
            format!("unknown value {selection:?}; use skip, python, node or all"),
        );
        tally.finish("interop");
    }
    let dirs = Dirs::new();
    let mut ok = true;
    for sdk in chosen {
        ok &= run_sdk(sdk, &dirs);
    }
    std::process::exit(if ok { 0 } else { 1 });
}

/// Installs one SDK, runs its script against a fresh emulator, prints its summary line.
fn run_sdk(sdk: &Sdk, dirs: &Dirs) -> bool {
    let what = format!("{} interop", sdk.name);
    let mut tally = Tally::default();
    let started = Instant::now();
    match (sdk.prepare)(dirs) {
        Err(e) => tally.fail("setup", e),
        Ok(command) => {
            let setup = started.elapsed();
            match run_script(sdk.name, command, dirs, &mut tally) {
                Ok(()) => println!(
                    "{what} took {:.1}s (setup {:.1}s)",
                    started.elapsed().as_secs_f64(),
                    setup.as_secs_f64()
                ),
                Err(e) => tally.fail("script", e),
            }
        }
    }
    tally.report(&what)
}

/// Starts an emulator, runs the script with its environment and records its checks.
fn run_script(
    name: &str,
    mut command: Command,
    dirs: &Dirs,
    tally: &mut Tally,
) -> Result<(), String> {
    let emulator = Emulator::builder()
        .credential(SECRET_ID, SECRET_KEY)
        .start()
        .map_err(|e| format!("the emulator did not start: {e}"))?;
    let workdir = dirs.target.join("work").join(name);
    let _ = fs::remove_dir_all(&workdir);
    fs::create_dir_all(&workdir)
        .map_err(|e| format!("cannot create {}: {e}", workdir.display()))?;
    command
        .env("COS_INTEROP_ADDRESS", emulator.address())
        .env("COS_INTEROP_SECRET_ID", SECRET_ID)
        .env("COS_INTEROP_SECRET_KEY", SECRET_KEY)
        .env("COS_INTEROP_BUCKET", format!("interop-{name}-1250000000"))
        .env("COS_INTEROP_REGION", emulator.region())
        .env("COS_INTEROP_WORKDIR", &workdir);

    let mut summary: Option<(usize, usize)> = None;
    let (mut passed, mut failed) = (0, 0);
    let run = run_captured(command, SCRIPT_TIMEOUT, |line| {
        println!("  {name} | {line}");
        if line.starts_with("ok ") {
            passed += 1;
            tally.pass();
        } else if let Some(rest) = line.strip_prefix("FAIL ") {
            failed += 1;
            let (check, reason) = rest.split_once(": ").unwrap_or((rest, "failed"));
            tally.fail(check, reason);
        } else {
            summary = parse_summary(line).or(summary);
        }
    })?;
    for line in run.stderr.lines() {
        eprintln!("  {name} stderr | {line}");
    }
    if failed > 0 {
        let counts: Vec<String> = emulator
            .counts()
            .iter()
            .map(|(op, n)| format!("{op}={n}"))
            .collect();
        eprintln!("  {name} | the emulator saw: {}", counts.join(" "));
    }
    if summary != Some((passed, failed)) {
        tally.fail(
            "script",
            format!(
                "printed {passed} ok and {failed} FAIL lines but the summary {summary:?} ({})",
                describe_status(run.status)
            ),
        );
    } else if run.success() == (failed > 0) {
        tally.fail(
            "script",
            format!(
                "{} although {failed} checks failed",
                describe_status(run.status)
            ),
        );
    }
    Ok(())
}

/// `N passed, M failed`.
fn parse_summary(line: &str) -> Option<(usize, usize)> {
    let (p, f) = line.strip_suffix(" failed")?.split_once(" passed, ")?;
    Some((p.parse().ok()?, f.parse().ok()?))
}

/// Runs a setup step; `Err` names the step, its status and the end of its output.
fn step(what: &str, command: Command, hint: &str) -> Result<(), String> {
    let mut out = Vec::new();
    let run = run_captured(command, INSTALL_TIMEOUT, |line| out.push(line.to_owned()))
        .map_err(|e| format!("{what}: {e}. {hint}"))?;
    if run.success() {
        return Ok(());
    }
    let text = format!("{}\n{}", out.join("\n"), run.stderr);
    let tail: Vec<&str> = text.trim().lines().rev().take(12).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(format!(
        "{what} failed ({}). {hint}\n{}",
        describe_status(run.status),
        tail.join("\n")
    ))
}

/// Checks that a program runs at all (`PROGRAM --version`).
fn require(program: &str, hint: &str) -> Result<(), String> {
    let mut command = Command::new(program);
    command.arg("--version");
    step(&format!("{program} --version"), command, hint)
}

/// Reads a file of the interop sources.
fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The venv `target/interop/venv` with the pinned SDK; the script runs with its python.
fn prepare_python(dirs: &Dirs) -> Result<Command, String> {
    let source = dirs.source.join("python");
    let requirements_path = source.join("requirements.txt");
    let requirements = read(&requirements_path)?;
    let venv = dirs.target.join("venv");
    let python = venv.join("bin").join("python");
    let stamp = venv.join("cos-rs-requirements.txt");
    if python.exists() && fs::read_to_string(&stamp).ok().as_deref() == Some(&requirements) {
        println!("python interop: reusing {}", venv.display());
    } else {
        let hint = "The interop suite needs Python 3 with venv and pip (Debian: python3-venv); \
                    set COS_INTEROP=skip to skip it";
        require("python3", hint)?;
        println!("python interop: creating {} ...", venv.display());
        fs::create_dir_all(&dirs.target)
            .map_err(|e| format!("cannot create {}: {e}", dirs.target.display()))?;
        let mut command = Command::new("python3");
        command.args(["-m", "venv", "--clear"]).arg(&venv);
        step("python3 -m venv", command, hint)?;
        let mut command = Command::new(&python);
        command
            .args(["-m", "pip", "install", "--disable-pip-version-check"])
            .args(["--no-input", "--timeout", "30", "--retries", "1", "-r"])
            .arg(&requirements_path);
        step(
            "pip install -r requirements.txt",
            command,
            "Is PyPI reachable? (Set COS_INTEROP=skip to skip the interop suite.)",
        )?;
        fs::write(&stamp, &requirements)
            .map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    }
    let mut command = Command::new(python);
    command.arg(source.join("interop.py"));
    Ok(command)
}

/// A copy of the node folder in `target/interop/node` with its `node_modules`; the script
/// runs from there.
fn prepare_node(dirs: &Dirs) -> Result<Command, String> {
    let source = dirs.source.join("node");
    let package = read(&source.join("package.json"))?;
    let script = read(&source.join("interop.js"))?;
    let dir = dirs.target.join("node");
    let stamp = dir.join("cos-rs-package.json");
    let hint = "The interop suite needs Node.js with npm; set COS_INTEROP=skip to skip it";
    require("node", hint)?;
    let installed = dir.join("node_modules").join("cos-nodejs-sdk-v5");
    if installed.exists() && fs::read_to_string(&stamp).ok().as_deref() == Some(&package) {
        println!(
            "node interop: reusing {}",
            dir.join("node_modules").display()
        );
    } else {
        require("npm", hint)?;
        println!("node interop: npm install in {} ...", dir.display());
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let _ = fs::remove_file(&stamp);
        fs::write(dir.join("package.json"), &package)
            .map_err(|e| format!("cannot write package.json in {}: {e}", dir.display()))?;
        let mut command = Command::new("npm");
        command
            .args(["install", "--no-audit", "--no-fund", "--no-update-notifier"])
            .args(["--fetch-timeout=60000", "--fetch-retries=1"])
            .current_dir(&dir);
        step(
            "npm install",
            command,
            "Is the npm registry reachable? (Set COS_INTEROP=skip to skip the interop suite.)",
        )?;
        fs::write(&stamp, &package)
            .map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    }
    let copy = dir.join("interop.js");
    fs::write(&copy, script).map_err(|e| format!("cannot write {}: {e}", copy.display()))?;
    let mut command = Command::new("node");
    command.arg(copy).current_dir(&dir);
    Ok(command)
}
