//! cosctl end to end: the real binary, run as a user would, against an embedded emulator
//! (a real HTTP server that checks signatures), with real files. Outputs are compared
//! whole where cosctl defines them; every run is checked for the secret key.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use cos_blocking::crc64;
use cos_emulator::Emulator;

const SECRET_ID: &str = "AKIDcosctltest";
const SECRET_KEY: &str = "cosctl-secret-key";
const REGION: &str = "ap-guangzhou";

/// An emulator, a scratch directory (also HOME, so no user config is read), and the
/// environment cosctl runs with.
struct Setup {
    emu: Emulator,
    dir: PathBuf,
    env: Vec<(&'static str, String)>,
}

impl Setup {
    fn new(name: &str) -> Setup {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "cosctl-test-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home")).expect("scratch dir");
        let emu = Emulator::builder()
            .credential(SECRET_ID, SECRET_KEY)
            .start()
            .expect("emulator starts");
        let env = vec![
            ("HOME", dir.join("home").display().to_string()),
            ("XDG_CACHE_HOME", dir.join("cache").display().to_string()),
            ("COS_SECRET_ID", SECRET_ID.to_owned()),
            ("COS_SECRET_KEY", SECRET_KEY.to_owned()),
            ("COS_REGION", REGION.to_owned()),
        ];
        Setup { emu, dir, env }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// cosctl with `args` after `--endpoint URL`, in the scratch directory, with only the
    /// setup's environment.
    fn run(&self, args: &[&str]) -> Output {
        self.run_with(&self.env, args)
    }

    fn run_with(&self, env: &[(&str, String)], args: &[&str]) -> Output {
        let url = self.emu.url();
        let args: Vec<&str> = ["--endpoint", url.as_str()]
            .iter()
            .chain(args)
            .copied()
            .collect();
        self.raw(env, &args)
    }

    /// cosctl with exactly `args` and `env`, in the scratch directory.
    fn raw(&self, env: &[(&str, String)], args: &[&str]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_cosctl"))
            .env_clear()
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .current_dir(&self.dir)
            .args(args)
            .output()
            .expect("cosctl runs");
        for stream in [&output.stdout, &output.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains(SECRET_KEY), "{args:?} showed the secret key");
        }
        output
    }

    /// Runs cosctl, expects success and no stderr, returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        succeeded(args, &output)
    }

    /// Runs cosctl, expects exit status `code` and one line on stderr, returns it.
    fn fails(&self, args: &[&str], code: i32) -> String {
        failed(args, &self.run(args), code)
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn succeeded(args: &[&str], output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.is_empty(),
        "cosctl {args:?}: {:?}, stderr {stderr}",
        output.status
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn failed(args: &[&str], output: &Output, code: i32) -> String {
    let stderr = String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr");
    assert_eq!(
        output.status.code(),
        Some(code),
        "cosctl {args:?}: {stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "cosctl {args:?} printed on stdout"
    );
    assert!(
        stderr.starts_with("cosctl: ") && stderr.ends_with('\n') && stderr.lines().count() == 1,
        "cosctl {args:?}: not one line: {stderr:?}"
    );
    stderr.trim_end().to_owned()
}

/// Deterministic bytes.
fn data(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, bytes).expect("write");
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn lines(text: &[&str]) -> String {
    text.iter().map(|l| format!("{l}\n")).collect()
}

fn md5_etag(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    let digest = Md5::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

const B: &str = "cos://cli-1250000000";

#[test]
fn buckets_objects_directories_acl_and_cors_end_to_end() {
    let s = Setup::new("e2e");
    let small = data(1000, 1);
    let big = data(9 << 20, 2); // a parallel multipart upload, and two ranged GETs back
    write(&s.path("small.txt"), &small);
    write(&s.path("big.bin"), &big);
    let tree = [
        ("tree/a.txt", data(10, 3)),
        ("tree/sub/b.txt", data(20, 4)),
        ("tree/sub/deeper/c.bin", data(1_500_000, 5)),
    ];
    for (name, bytes) in &tree {
        write(&s.path(name), bytes);
    }

    // mb, ls of the account
    assert_eq!(s.ok(&["mb", B]), lines(&[&format!("made bucket {B}")]));
    assert_eq!(s.ok(&["ls"]), lines(&[B]));
    let long = s.ok(&["ls", "-l"]);
    let fields: Vec<&str> = long.split_whitespace().collect();
    assert_eq!(
        (fields.len(), fields[0], fields[2]),
        (3, REGION, B),
        "{long}"
    );

    // put: a file to a key, a file into a "directory", a directory with -r
    assert_eq!(
        s.ok(&["put", "small.txt", &format!("{B}/docs/small.txt")]),
        lines(&[&format!(
            "uploaded small.txt -> {B}/docs/small.txt (1000 bytes)"
        )])
    );
    assert_eq!(
        s.ok(&["put", "big.bin", &format!("{B}/docs/")]),
        lines(&[&format!(
            "uploaded big.bin -> {B}/docs/big.bin (9437184 bytes)"
        )])
    );
    assert_eq!(
        s.ok(&["put", "-r", "tree", &format!("{B}/backup")]),
        lines(&[
            &format!("uploaded tree/a.txt -> {B}/backup/a.txt (10 bytes)"),
            &format!("uploaded tree/sub/b.txt -> {B}/backup/sub/b.txt (20 bytes)"),
            &format!(
                "uploaded tree/sub/deeper/c.bin -> {B}/backup/sub/deeper/c.bin (1500000 bytes)"
            ),
        ])
    );

    // ls: one level, every level, a prefix, the long form
    assert_eq!(
        s.ok(&["ls", B]),
        lines(&[&format!("{B}/backup/"), &format!("{B}/docs/")])
    );
    assert_eq!(
        s.ok(&["ls", &format!("{B}/backup/")]),
        lines(&[&format!("{B}/backup/a.txt"), &format!("{B}/backup/sub/")])
    );
    assert_eq!(
        s.ok(&["ls", "-r", B]),
        lines(&[
            &format!("{B}/backup/a.txt"),
            &format!("{B}/backup/sub/b.txt"),
            &format!("{B}/backup/sub/deeper/c.bin"),
            &format!("{B}/docs/big.bin"),
            &format!("{B}/docs/small.txt"),
        ])
    );
    let long = s.ok(&["ls", "-l", &format!("{B}/docs/")]);
    let rows: Vec<Vec<&str>> = long
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 2, "{long}");
    assert_eq!(
        (rows[0][0], rows[0][2]),
        ("9437184", format!("{B}/docs/big.bin").as_str())
    );
    assert_eq!(
        (rows[1][0], rows[1][2]),
        ("1000", format!("{B}/docs/small.txt").as_str())
    );
    assert!(rows[0][1].ends_with('Z'), "{long}");

    // stat of an object (the time is the server's) and of the bucket
    let stat = s.ok(&["stat", &format!("{B}/docs/small.txt")]);
    let stat: Vec<&str> = stat.lines().collect();
    assert_eq!(stat.len(), 7, "{stat:?}");
    assert!(
        stat[2].starts_with("last-modified: ") && stat[2].ends_with(" GMT"),
        "{stat:?}"
    );
    let mut without_time = stat.clone();
    without_time.remove(2);
    assert_eq!(
        without_time,
        [
            format!("{B}/docs/small.txt").as_str(),
            "size: 1000",
            &format!("etag: {}", md5_etag(&small)),
            "content-type: application/octet-stream",
            "storage-class: STANDARD",
            &format!("crc64: {}", crc64(&small)),
        ]
    );
    assert_eq!(
        s.ok(&["stat", B]),
        lines(&[B, &format!("region: {REGION}")])
    );

    // get: to a file, into a directory, to stdout, a tree with -r
    assert_eq!(
        s.ok(&["get", &format!("{B}/docs/big.bin"), "big.copy"]),
        lines(&[&format!(
            "downloaded {B}/docs/big.bin -> big.copy (9437184 bytes)"
        )])
    );
    assert_eq!(read(&s.path("big.copy")), big);
    std::fs::create_dir_all(s.path("into")).expect("mkdir");
    assert_eq!(
        s.ok(&["get", &format!("{B}/docs/small.txt"), "into"]),
        lines(&[&format!(
            "downloaded {B}/docs/small.txt -> into/small.txt (1000 bytes)"
        )])
    );
    assert_eq!(read(&s.path("into/small.txt")), small);
    let piped = s.run(&["get", &format!("{B}/docs/small.txt"), "-"]);
    assert!(piped.status.success() && piped.stderr.is_empty());
    assert_eq!(piped.stdout, small);
    assert_eq!(
        s.ok(&["get", "-r", &format!("{B}/backup"), "restored"]),
        lines(&[
            &format!("downloaded {B}/backup/a.txt -> restored/a.txt (10 bytes)"),
            &format!("downloaded {B}/backup/sub/b.txt -> restored/sub/b.txt (20 bytes)"),
            &format!(
                "downloaded {B}/backup/sub/deeper/c.bin -> restored/sub/deeper/c.bin (1500000 bytes)"
            ),
        ])
    );
    for (name, bytes) in &tree {
        let restored = s.path(&name.replacen("tree/", "restored/", 1));
        assert_eq!(&read(&restored), bytes, "{name}");
    }

    // cp on the server, into another bucket too
    assert_eq!(
        s.ok(&["cp", &format!("{B}/docs/big.bin"), &format!("{B}/copies/")]),
        lines(&[&format!("copied {B}/docs/big.bin -> {B}/copies/big.bin")])
    );
    let other = "cos://other-1250000000";
    s.ok(&["mb", other]);
    assert_eq!(
        s.ok(&[
            "cp",
            &format!("{B}/docs/small.txt"),
            &format!("{other}/s.txt")
        ]),
        lines(&[&format!("copied {B}/docs/small.txt -> {other}/s.txt")])
    );
    let piped = s.run(&["get", &format!("{B}/copies/big.bin"), "-"]);
    assert_eq!(piped.stdout, big);
    let piped = s.run(&["get", &format!("{other}/s.txt"), "-"]);
    assert_eq!(piped.stdout, small);

    // presign: the URL works with plain HTTP, and only for its object
    let url = s.ok(&["presign", &format!("{B}/docs/small.txt")]);
    let url = url.trim_end();
    assert!(
        url.starts_with(&format!("{}/cli-1250000000/docs/small.txt?", s.emu.url())),
        "{url}"
    );
    assert_eq!(fetch(url).expect("the pre-signed URL works"), small);
    let forged = url.replace("small.txt", "big.bin");
    assert_eq!(fetch(&forged).expect_err("a URL signs one object"), 403);

    // acl: private by default, public-read lets anyone read
    let plain = format!("{}/cli-1250000000/docs/small.txt", s.emu.url());
    let owner = "qcs::cam::uin/1250000000:uin/1250000000";
    let private = lines(&[
        &format!("owner: {owner}"),
        &format!("grant: FULL_CONTROL {owner}"),
    ]);
    assert_eq!(
        s.ok(&["acl", "get", &format!("{B}/docs/small.txt")]),
        private
    );
    assert_eq!(s.ok(&["acl", "get", B]), private);
    assert_eq!(fetch(&plain).expect_err("private"), 403);
    assert_eq!(
        s.ok(&["acl", "set", &format!("{B}/docs/small.txt"), "public-read"]),
        lines(&[&format!("set the ACL of {B}/docs/small.txt")])
    );
    assert_eq!(
        s.ok(&["acl", "get", &format!("{B}/docs/small.txt")]),
        lines(&[
            &format!("owner: {owner}"),
            &format!("grant: FULL_CONTROL {owner}"),
            "grant: READ http://cam.qcloud.com/groups/global/AllUsers",
        ])
    );
    assert_eq!(fetch(&plain).expect("public-read"), small);
    assert_eq!(
        s.ok(&["acl", "set", B, "--grant-read", &format!("id=\"{owner}\"")]),
        lines(&[&format!("set the ACL of {B}")])
    );

    // cors: set, append, get, rm
    assert_eq!(
        s.fails(&["cors", "get", B], 1),
        format!("cosctl: {B} has no CORS rules")
    );
    assert_eq!(
        s.ok(&[
            "cors",
            "set",
            B,
            "--origin",
            "https://a.example",
            "--origin",
            "https://*.b.example",
            "--method",
            "get",
            "--method",
            "PUT",
            "--header",
            "*",
            "--expose",
            "ETag",
            "--max-age",
            "600",
        ]),
        lines(&[&format!("{B} has 1 CORS rule")])
    );
    assert_eq!(
        s.ok(&[
            "cors", "set", B, "--append", "--id", "any", "--origin", "*", "--method", "HEAD"
        ]),
        lines(&[&format!("{B} has 2 CORS rules")])
    );
    assert_eq!(
        s.ok(&["cors", "get", B]),
        lines(&[
            "origins=https://a.example,https://*.b.example methods=GET,PUT headers=* expose=ETag max-age=600",
            "id=any origins=* methods=HEAD",
        ])
    );
    assert_eq!(
        s.ok(&["cors", "rm", B]),
        lines(&[&format!("removed the CORS rules of {B}")])
    );
    s.fails(&["cors", "get", B], 1);

    // rm: one object, a missing one, a directory with -r, a raw prefix
    assert_eq!(
        s.ok(&["rm", &format!("{B}/docs/small.txt")]),
        lines(&[&format!("deleted {B}/docs/small.txt")])
    );
    assert_eq!(
        s.fails(&["rm", &format!("{B}/docs/small.txt")], 1),
        format!("cosctl: {B}/docs/small.txt: no such object")
    );
    s.ok(&["put", "small.txt", &format!("{B}/backup-old/x")]);
    assert_eq!(
        s.ok(&["rm", "-r", &format!("{B}/backup")]),
        lines(&[
            &format!("deleted {B}/backup/a.txt"),
            &format!("deleted {B}/backup/sub/b.txt"),
            &format!("deleted {B}/backup/sub/deeper/c.bin"),
        ])
    );
    assert_eq!(
        s.ok(&["ls", "-r", B]),
        lines(&[
            &format!("{B}/backup-old/x"),
            &format!("{B}/copies/big.bin"),
            &format!("{B}/docs/big.bin"),
        ])
    );
    let refused = s.fails(&["rb", B], 1);
    assert!(refused.contains("HTTP 409 BucketNotEmpty"), "{refused}");
    assert_eq!(
        s.ok(&["rm", "--prefix", &format!("{B}/")]),
        lines(&[
            &format!("deleted {B}/backup-old/x"),
            &format!("deleted {B}/copies/big.bin"),
            &format!("deleted {B}/docs/big.bin"),
        ])
    );
    assert_eq!(s.ok(&["ls", "-r", B]), "");

    // rb
    assert_eq!(s.ok(&["rb", B]), lines(&[&format!("removed bucket {B}")]));
    s.ok(&["rm", &format!("{other}/s.txt")]);
    s.ok(&["rb", other]);
    assert_eq!(s.ok(&["ls"]), "");
}

/// GET with plain ureq: the body, or the HTTP status of a failure.
fn fetch(url: &str) -> Result<Vec<u8>, u16> {
    match ureq::get(url).call() {
        Ok(mut response) => {
            let mut body = Vec::new();
            response
                .body_mut()
                .as_reader()
                .read_to_end(&mut body)
                .expect("body");
            Ok(body)
        }
        Err(ureq::Error::StatusCode(code)) => Err(code),
        Err(e) => panic!("{url}: {e}"),
    }
}

#[test]
fn failures_are_one_line_with_a_non_zero_status() {
    let s = Setup::new("errors");
    write(&s.path("f.txt"), b"x");
    std::fs::create_dir_all(s.path("dir")).expect("mkdir");
    s.ok(&["mb", B]);
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["get", "x", "y"],
            2,
            "cosctl: invalid value 'x' for '<SRC>': \"x\" is not a cos://BUCKET/KEY path (see cosctl --help)",
        ),
        (
            &["put"],
            2,
            "cosctl: the following required arguments were not provided: <FILE> <DEST> (see cosctl --help)",
        ),
        (
            &["frobnicate"],
            2,
            "cosctl: unrecognized subcommand 'frobnicate' (see cosctl --help)",
        ),
        (
            &["rm", "-r", "--prefix", "cos://b-1/k"],
            2,
            "cosctl: the argument '--recursive' cannot be used with '--prefix' (see cosctl --help)",
        ),
        (
            &["put", "missing.txt", "cos://cli-1250000000/k"],
            1,
            "cosctl: missing.txt: No such file or directory",
        ),
        (
            &["put", "dir", "cos://cli-1250000000/k"],
            1,
            "cosctl: dir is a directory (put -r uploads a directory)",
        ),
        (
            &["get", "cos://cli-1250000000/", "out"],
            1,
            "cosctl: cos://cli-1250000000/ names no object (get -r downloads every object under a prefix)",
        ),
        (
            &["get", "-r", "cos://cli-1250000000/nothing", "out"],
            1,
            "cosctl: no objects under cos://cli-1250000000/nothing/",
        ),
        (
            &["rm", "cos://cli-1250000000/nope"],
            1,
            "cosctl: cos://cli-1250000000/nope: no such object",
        ),
        (
            &["stat", "cos://cli-1250000000/nope"],
            1,
            "cosctl: cos://cli-1250000000/nope: no such object",
        ),
        (
            &["mb", "cos://cli-1250000000/key"],
            1,
            "cosctl: cos://cli-1250000000/key is an object path; this command takes cos://cli-1250000000",
        ),
        (
            &["acl", "set", "cos://cli-1250000000"],
            1,
            "cosctl: give a canned ACL (private, public-read, ...) or a --grant-* option",
        ),
        (
            &["presign", "cos://cli-1250000000/k", "--expires", "0"],
            1,
            "cosctl: --expires must be at least 1 second",
        ),
    ];
    for (args, code, message) in cases {
        assert_eq!(&s.fails(args, *code), message, "{args:?}");
    }

    // Errors of COS name the call, the status and code, the bucket and key, the request id.
    let denied = s.fails(&["put", "f.txt", "cos://nobucket-1250000000/k"], 1);
    assert!(
        denied
            .starts_with("cosctl: SliceUploadFile failed: PutObject failed: HTTP 404 NoSuchBucket")
            && denied.contains("(bucket nobucket-1250000000, key k, request id "),
        "{denied}"
    );
    assert_eq!(
        s.fails(&["get", "cos://cli-1250000000/none", "out"], 1),
        "cosctl: cos://cli-1250000000/none: no such object"
    );
    assert_eq!(
        s.fails(&["get", "cos://nobucket-1250000000/none", "out"], 1),
        "cosctl: cos://nobucket-1250000000: no such bucket"
    );
    assert_eq!(
        s.fails(&["stat", "cos://nobucket-1250000000/none"], 1),
        "cosctl: cos://nobucket-1250000000: no such bucket"
    );
    assert_eq!(
        std::fs::read_dir(&s.dir).expect("dir").count(),
        3,
        "nothing is left behind"
    );
    let no_bucket = s.fails(&["ls", "cos://nobucket-1250000000"], 1);
    assert!(
        no_bucket.starts_with("cosctl: GetBucket failed: HTTP 404 NoSuchBucket"),
        "{no_bucket}"
    );

    // Settings that are missing or wrong.
    let home = ("HOME", s.path("home").display().to_string());
    let without = |name: &str| -> Vec<(&'static str, String)> {
        s.env.iter().filter(|(k, _)| *k != name).cloned().collect()
    };
    let out = s.run_with(&without("COS_SECRET_ID"), &["ls"]);
    assert_eq!(
        failed(&["ls"], &out, 1),
        "cosctl: no credentials: set COS_SECRET_ID and COS_SECRET_KEY, or secret_id and secret_key in ~/.config/cosctl/config.toml"
    );
    let out = s.run_with(&without("COS_REGION"), &["ls", B]);
    assert_eq!(
        failed(&["ls"], &out, 1),
        "cosctl: no region: give --region, set COS_REGION, or set region in ~/.config/cosctl/config.toml"
    );
    let wrong_key = [
        home,
        ("COS_SECRET_ID", SECRET_ID.to_owned()),
        ("COS_SECRET_KEY", "not-the-key".to_owned()),
        ("COS_REGION", REGION.to_owned()),
    ];
    let out = s.run_with(&wrong_key, &["ls", B]);
    let denied = failed(&["ls"], &out, 1);
    assert!(
        denied.starts_with("cosctl: GetBucket failed: HTTP 403 SignatureDoesNotMatch"),
        "{denied}"
    );
    assert!(!denied.contains("not-the-key"), "{denied}");
    let mut bad_endpoint = s.env.clone();
    bad_endpoint.push(("COS_ENDPOINT", "localhost:1".to_owned()));
    let out = s.raw(&bad_endpoint, &["ls"]);
    assert_eq!(
        failed(&["ls"], &out, 1),
        "cosctl: the endpoint must be http://host:port or https://host:port, not \"localhost:1\""
    );
}

#[test]
fn settings_come_from_flags_then_the_environment_then_the_config_file() {
    let s = Setup::new("settings");
    let config = s.path("home/.config/cosctl/config.toml");
    write(
        &config,
        format!(
            "# cosctl settings\nsecret_id = \"{SECRET_ID}\"\nsecret_key = \"{SECRET_KEY}\"\nregion = \"ap-shanghai\"\nendpoint = \"{}\"\n",
            s.emu.url()
        )
        .as_bytes(),
    );
    let home = ("HOME", s.path("home").display().to_string());

    // Only the default config file: its credentials and region (the emulator keeps the
    // region a bucket was made in, and stat shows it).
    let only_file = [home.clone()];
    let run = |env: &[(&str, String)], args: &[&str]| s.raw(env, args);
    let out = run(&only_file, &["mb", "cos://f-1250000000"]);
    assert_eq!(succeeded(&[], &out), "made bucket cos://f-1250000000\n");
    let out = run(&only_file, &["stat", "cos://f-1250000000"]);
    assert_eq!(
        succeeded(&[], &out),
        "cos://f-1250000000\nregion: ap-shanghai\n"
    );

    // The environment beats the file; the flag beats the environment.
    let env_region = [home.clone(), ("COS_REGION", "ap-beijing".to_owned())];
    let out = run(&env_region, &["mb", "cos://e-1250000000"]);
    succeeded(&[], &out);
    let out = run(
        &env_region,
        &["--region", "ap-chengdu", "mb", "cos://g-1250000000"],
    );
    succeeded(&[], &out);
    for (bucket, region) in [("e", "ap-beijing"), ("g", "ap-chengdu")] {
        let out = run(&only_file, &["stat", &format!("cos://{bucket}-1250000000")]);
        assert_eq!(
            succeeded(&[], &out),
            format!("cos://{bucket}-1250000000\nregion: {region}\n")
        );
    }

    // The key pair comes whole from the environment when COS_SECRET_ID is set there.
    let env_keys = [
        home.clone(),
        ("COS_SECRET_ID", SECRET_ID.to_owned()),
        ("COS_SECRET_KEY", "wrong-env-key".to_owned()),
    ];
    let out = run(&env_keys, &["ls"]);
    let denied = failed(&["ls"], &out, 1);
    assert!(denied.contains("SignatureDoesNotMatch"), "{denied}");
    let half = [home.clone(), ("COS_SECRET_ID", SECRET_ID.to_owned())];
    let out = run(&half, &["ls"]);
    assert_eq!(
        failed(&["ls"], &out, 1),
        "cosctl: COS_SECRET_ID is set but COS_SECRET_KEY is not"
    );

    // --config names another file; a bad file is reported by line, without its values.
    let other = s.path("other.toml");
    write(&other, b"region = \"ap-x\"\nsecret_key = oops oops\n");
    let out = run(
        &only_file,
        &["--config", other.to_str().expect("UTF-8"), "ls"],
    );
    assert_eq!(
        failed(&["ls"], &out, 1),
        format!(
            "cosctl: {}: line 2: put the value in double quotes",
            other.display()
        )
    );
    let out = run(&only_file, &["--config", "/nonexistent/cosctl.toml", "ls"]);
    assert_eq!(
        failed(&["ls"], &out, 1),
        "cosctl: /nonexistent/cosctl.toml: No such file or directory"
    );
}

#[test]
fn every_command_has_help() {
    let commands: &[&[&str]] = &[
        &[],
        &["ls"],
        &["put"],
        &["get"],
        &["rm"],
        &["cp"],
        &["mb"],
        &["rb"],
        &["stat"],
        &["presign"],
        &["acl"],
        &["acl", "get"],
        &["acl", "set"],
        &["cors"],
        &["cors", "get"],
        &["cors", "set"],
        &["cors", "rm"],
    ];
    for command in commands {
        let output = Command::new(env!("CARGO_BIN_EXE_cosctl"))
            .env_clear()
            .args(*command)
            .arg("--help")
            .output()
            .expect("runs");
        let help = succeeded(command, &output);
        let usage = format!(
            "Usage: {}",
            ["cosctl"]
                .iter()
                .chain(command.iter())
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(help.contains(&usage), "{command:?}: {help}");
        assert!(
            help.contains("--endpoint <URL>"),
            "{command:?}: global options are listed"
        );
    }
}
