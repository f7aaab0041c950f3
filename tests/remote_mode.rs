//! Remote mode, exercised: the cos-blocking suites run against a `cos-emulator` started as a
//! separate process and reached only through the `COS_TEST_*` variables, as they would
//! reach a bucket shared with other users.
//!
//! 1. Cargo names the programs: `cargo test --workspace --no-run --message-format=json`, in
//!    this run's profile and target directory (nothing left to build after `cargo test
//!    --workspace`), gives the path of the `cos-emulator` binary and of every `blocking_*`
//!    suite.
//! 2. The emulator starts on a free loopback port with one bucket and one key, named and
//!    placed (`remote-1250000000` in `ap-chengdu`) unlike anything an embedded emulator
//!    has.
//! 3. Another user's data goes in first, outside `cos-rs-test/`: an object and a multipart
//!    upload. The suites share a bucket that is not empty.
//! 4. Every suite runs at once, each in its own process, with the variables set; tests that
//!    need fault injection or a second credential still start embedded emulators.
//! 5. The bucket must then hold exactly what it held before: the other user's object (same
//!    bytes) and upload, and nothing else; the same ACL; no CORS configuration.
//! 6. A control: `blocking_bucket` again, with a SecretId the emulator does not know, must
//!    fail with `InvalidAccessKeyId` — so the suites do talk to the endpoint the variables
//!    name, with the key they name.
//!
//! It prints `remote mode: N passed, M failed` (the suites' tests plus the checks of steps
//! 5 and 6) and exits non-zero when anything failed or nothing ran. A failing suite's
//! output is shown indented, so that its own `test result` line is not counted twice.

#[path = "blocking/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cos_blocking::Client;
use cos_blocking::proto::Body;
use cos_blocking::proto::ops::acl::GetBucketAcl;
use cos_blocking::proto::ops::bucket::GetBucket;
use cos_blocking::proto::ops::cors::GetBucketCors;
use cos_blocking::proto::ops::multipart::{MultipartInit, MultipartList};
use cos_blocking::proto::ops::object::PutObject;
use cos_tests::Tally;
use cos_tests::process::{describe_status, run_captured};

const SECRET_ID: &str = "AKIDremotemode";
const SECRET_KEY: &str = "remote-mode-secret-key";
const BUCKET: &str = "remote-1250000000";
const REGION: &str = "ap-chengdu";
/// The other user's object and upload (step 3).
const OTHER_OBJECT: &str = "other-user/keep.txt";
const OTHER_UPLOAD: &str = "other-user/upload.bin";
/// How long cargo may take to say where the programs are (a build, when run alone).
const CARGO_TIMEOUT: Duration = Duration::from_secs(900);
/// How long one suite may take.
const SUITE_TIMEOUT: Duration = Duration::from_secs(300);

fn main() {
    let mut tally = Tally::default();
    if let Err(e) = run(&mut tally) {
        tally.fail("setup", e);
    }
    tally.finish("remote mode");
}

fn run(tally: &mut Tally) -> Result<(), String> {
    let programs = programs()?;
    let emulator = Emulator::start(&programs.emulator)?;
    let client = common::endpoint_client(&emulator.url, SECRET_ID, SECRET_KEY);
    let before = seed(&client)?;

    let started = Instant::now();
    let runs: Vec<_> = programs
        .suites
        .iter()
        .map(|(name, exe)| {
            let (name, exe, url) = (name.clone(), exe.clone(), emulator.url.clone());
            std::thread::spawn(move || run_suite(&name, &exe, &url, SECRET_ID))
        })
        .collect();
    for run in runs {
        let result = run
            .join()
            .map_err(|_| "a suite's runner thread panicked".to_owned())?;
        result.record(tally);
    }
    println!(
        "  remote | {} suites in {:.1}s",
        programs.suites.len(),
        started.elapsed().as_secs_f64()
    );

    check_left_as_found(&client, &before, tally);
    check_control(&programs, &emulator.url, tally);
    Ok(())
}

/// The suite of the control (step 6), and the SecretId it runs with.
const CONTROL_SUITE: &str = "blocking_bucket";
const UNKNOWN_SECRET_ID: &str = "AKIDunknowntoremote";

/// Step 6: with an unknown SecretId, the control suite's remote tests are refused.
fn check_control(programs: &Programs, url: &str, tally: &mut Tally) {
    let Some((name, exe)) = programs.suites.iter().find(|(n, _)| n == CONTROL_SUITE) else {
        tally.fail("control", format!("cargo named no {CONTROL_SUITE} suite"));
        return;
    };
    let run = run_suite(name, exe, url, UNKNOWN_SECRET_ID);
    let refused = run.output.iter().any(|l| l.contains("InvalidAccessKeyId"));
    println!(
        "  remote | control: {} of {name}'s {} tests fail with an unknown SecretId",
        run.failed.len(),
        run.passed + run.failed.len()
    );
    tally.check(
        "control: an unknown SecretId fails the remote tests with InvalidAccessKeyId",
        "(true, true)".to_owned(),
        format!("({}, {refused})", !run.failed.is_empty()),
    );
}

/// The programs step 1 finds.
struct Programs {
    emulator: PathBuf,
    /// `(target name, executable)` of every `blocking_*` suite, by name.
    suites: Vec<(String, PathBuf)>,
}

/// Asks cargo where the emulator binary and the suites are, building them if needed.
fn programs() -> Result<Programs, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("the tests package has no parent directory")?;
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let target_dir = tmp.parent().unwrap_or(&tmp);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let mut command = Command::new(cargo);
    command
        .arg("test")
        .arg("--workspace")
        .arg("--no-run")
        .arg("--message-format=json")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir);
    if let Some(profile) = profile_dir().filter(|p| p != "debug") {
        command.arg("--profile").arg(profile);
    }
    // Cargo hands a test the variables it sets for the package under test; left in, they
    // make this cargo think the environment changed (build scripts that read
    // CARGO_MANIFEST_DIR, ring's among them, would run again and everything above them be
    // rebuilt, twice: here, and again in the next ordinary cargo run).
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || matches!(
                name.as_ref(),
                "CARGO"
                    | "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_TARGET_TMPDIR"
                    | "OUT_DIR"
            )
        {
            command.env_remove(name.as_ref());
        }
    }
    let tests_manifest = root.join("tests").join("Cargo.toml");
    let mut emulator = None;
    let mut suites = Vec::new();
    let run = run_captured(command, CARGO_TIMEOUT, |line| {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            return;
        };
        let (Some(exe), Some(name)) = (msg["executable"].as_str(), msg["target"]["name"].as_str())
        else {
            return;
        };
        let kind = msg["target"]["kind"][0].as_str();
        let test_profile = msg["profile"]["test"].as_bool();
        if name == "cos-emulator" && kind == Some("bin") && test_profile == Some(false) {
            emulator = Some(PathBuf::from(exe));
        } else if name.starts_with("blocking_")
            && kind == Some("test")
            && msg["manifest_path"].as_str().map(Path::new) == Some(tests_manifest.as_path())
        {
            suites.push((name.to_owned(), PathBuf::from(exe)));
        }
    })?;
    if !run.success() {
        let tail: Vec<&str> = run.stderr.trim().lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "cargo test --no-run failed ({}):\n{}",
            describe_status(run.status),
            tail.join("\n")
        ));
    }
    suites.sort();
    let emulator = emulator.ok_or("cargo named no cos-emulator binary")?;
    if suites.is_empty() {
        return Err("cargo named no blocking_* suite".into());
    }
    Ok(Programs { emulator, suites })
}

/// The profile directory this runner was built in (`debug`, `release`, ...): the directory
/// above `deps/`.
fn profile_dir() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    let profile = deps.parent()?.file_name()?;
    Some(profile.to_string_lossy().into_owned())
}

/// The `cos-emulator` process of step 2; dropping it ends the process.
struct Emulator {
    child: Child,
    url: String,
}

impl Emulator {
    fn start(exe: &Path) -> Result<Emulator, String> {
        let mut child = Command::new(exe)
            .args(["--secret-id", SECRET_ID, "--secret-key", SECRET_KEY])
            .args(["--bucket", BUCKET, "--region", REGION])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        let stdout = child.stdout.take();
        // From here on, dropping `emulator` ends the process, whatever fails next.
        let mut emulator = Emulator {
            child,
            url: String::new(),
        };
        let stdout = stdout.ok_or("the emulator's stdout was not captured")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .map_err(|_| "the emulator did not say where it listens within 30 s")?;
        emulator.url = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("the emulator's first line is {line:?}"))?
            .to_owned();
        println!("  remote | {} listening on {}", exe.display(), emulator.url);
        Ok(emulator)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What step 3 put in the bucket, and the state step 5 compares with.
struct Seeded {
    object: Vec<u8>,
    upload_id: String,
    acl: String,
}

/// Puts the other user's object and upload in the bucket (step 3).
fn seed(client: &Client) -> Result<Seeded, String> {
    let object = common::data(1000);
    client
        .put_object(&PutObject {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: OTHER_OBJECT.into(),
            body: Body::from(object.clone()),
            ..PutObject::default()
        })
        .map_err(|e| format!("seeding the other user's object: {e}"))?;
    let upload_id = client
        .multipart_init(&MultipartInit {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: OTHER_UPLOAD.into(),
            ..MultipartInit::default()
        })
        .map_err(|e| format!("seeding the other user's upload: {e}"))?
        .upload_id;
    let acl = bucket_acl(client).map_err(|e| format!("reading the bucket ACL: {e}"))?;
    Ok(Seeded {
        object,
        upload_id,
        acl,
    })
}

fn bucket_acl(client: &Client) -> cos_blocking::Result<String> {
    let acl = client.get_bucket_acl(&GetBucketAcl {
        bucket: BUCKET.into(),
        region: REGION.into(),
    })?;
    Ok(format!("{:?}", acl.policy))
}

/// One suite's run: its tests passed, the names of those that failed, and why the run
/// itself failed (no result line, a non-zero exit, the time limit).
struct SuiteRun {
    name: String,
    passed: usize,
    failed: Vec<String>,
    broken: Option<String>,
    output: Vec<String>,
    seconds: f64,
}

impl SuiteRun {
    /// Adds the run to the tally, and shows the output of a suite that failed.
    fn record(self, tally: &mut Tally) {
        println!(
            "  remote | {}: {} tests passed, {} failed in {:.1}s",
            self.name,
            self.passed,
            self.failed.len(),
            self.seconds
        );
        tally.pass_many(self.passed);
        for test in &self.failed {
            tally.fail(&format!("{}::{test}", self.name), "failed in remote mode");
        }
        if let Some(why) = &self.broken {
            tally.fail(&self.name, why);
        }
        if !self.failed.is_empty() || self.broken.is_some() {
            for line in &self.output {
                eprintln!("  {} | {line}", self.name);
            }
        }
    }
}

/// Runs one suite with the `COS_TEST_*` variables naming the emulator and `secret_id`
/// (step 4).
fn run_suite(name: &str, exe: &Path, url: &str, secret_id: &str) -> SuiteRun {
    let started = Instant::now();
    let mut command = Command::new(exe);
    command
        .env("COS_TEST_ENDPOINT", url)
        .env("COS_TEST_SECRET_ID", secret_id)
        .env("COS_TEST_SECRET_KEY", SECRET_KEY)
        .env("COS_TEST_BUCKET", BUCKET)
        .env("COS_TEST_REGION", REGION);
    let mut output = Vec::new();
    let mut failed = Vec::new();
    let mut summary = None;
    let run = run_captured(command, SUITE_TIMEOUT, |line| {
        output.push(line.to_owned());
        if let Some(test) = line
            .strip_prefix("test ")
            .and_then(|l| l.strip_suffix(" ... FAILED"))
        {
            failed.push(test.to_owned());
        }
        summary = parse_result(line).or(summary);
    });
    let broken = match (&run, summary) {
        (Err(e), _) => Some(e.clone()),
        (Ok(run), None) => Some(format!(
            "no `test result` line; {}",
            describe_status(run.status)
        )),
        (Ok(_), Some((_, f))) if f != failed.len() => {
            Some(format!("{f} tests failed but {} were named", failed.len()))
        }
        (Ok(run), Some((_, 0))) if !run.success() => Some(describe_status(run.status)),
        _ => None,
    };
    if let Ok(run) = &run {
        output.extend(run.stderr.lines().map(|l| format!("stderr: {l}")));
    }
    SuiteRun {
        name: name.to_owned(),
        passed: summary.map_or(0, |(p, _)| p),
        failed,
        broken,
        output,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// `(passed, failed)` from libtest's `test result: ok. 3 passed; 0 failed; ...`.
fn parse_result(line: &str) -> Option<(usize, usize)> {
    let rest = line.strip_prefix("test result: ")?;
    let (_, counts) = rest.split_once(". ")?;
    let mut parts = counts.split("; ");
    let passed = parts.next()?.strip_suffix(" passed")?.parse().ok()?;
    let failed = parts.next()?.strip_suffix(" failed")?.parse().ok()?;
    Some((passed, failed))
}

/// Step 5: the bucket holds exactly what it held before the suites ran.
fn check_left_as_found(client: &Client, before: &Seeded, tally: &mut Tally) {
    let listed = client.get_bucket(&GetBucket {
        bucket: BUCKET.into(),
        region: REGION.into(),
        ..GetBucket::default()
    });
    tally.check(
        "objects left in the bucket",
        format!("{:?}", Ok::<_, String>(vec![OTHER_OBJECT.to_owned()])),
        format!(
            "{:?}",
            listed
                .map(|l| l.contents.into_iter().map(|o| o.key).collect::<Vec<_>>())
                .map_err(|e| e.to_string())
        ),
    );
    let object = client.get_object(&cos_blocking::proto::ops::object::GetObject {
        bucket: BUCKET.into(),
        region: REGION.into(),
        key: OTHER_OBJECT.into(),
        ..Default::default()
    });
    tally.check(
        "the other user's object is unchanged",
        "Ok(true)".to_owned(),
        format!(
            "{:?}",
            object
                .map(|o| o.body == before.object)
                .map_err(|e| e.to_string())
        ),
    );
    let uploads = client.multipart_list(&MultipartList {
        bucket: BUCKET.into(),
        region: REGION.into(),
        ..MultipartList::default()
    });
    tally.check(
        "multipart uploads left in the bucket",
        format!(
            "{:?}",
            Ok::<_, String>(vec![(OTHER_UPLOAD.to_owned(), before.upload_id.clone())])
        ),
        format!(
            "{:?}",
            uploads
                .map(|l| l
                    .upload
                    .into_iter()
                    .map(|u| (u.key, u.upload_id))
                    .collect::<Vec<_>>())
                .map_err(|e| e.to_string())
        ),
    );
    tally.check(
        "the bucket ACL is unchanged",
        format!("{:?}", Ok::<_, String>(before.acl.clone())),
        format!("{:?}", bucket_acl(client).map_err(|e| e.to_string())),
    );
    let cors = client.get_bucket_cors(&GetBucketCors {
        bucket: BUCKET.into(),
        region: REGION.into(),
    });
    tally.check(
        "no CORS configuration is left",
        "Some(\"NoSuchCORSConfiguration\")".to_owned(),
        match cors {
            Ok(c) => format!("a configuration of {} rules", c.cors_rules.len()),
            Err(e) => format!("{:?}", e.code()),
        },
    );
}
