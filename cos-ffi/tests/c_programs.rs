//! The C example programs as tests: each `examples/*.c` is compiled with the system C
//! compiler (`cc`, C99, `-Wall -Wextra -Werror -pedantic`) against the static library that
//! cargo built for this test, run against a local COS emulator, and checked — by itself
//! (each program verifies what it does and exits non-zero on a surprise) and here (its
//! output, and the emulator's state through cos-blocking). The header also compiles as
//! C++17.
//!
//! With `COS_FFI_VALGRIND=1` (set by `.ci/run`) every program runs under valgrind memcheck
//! and must finish with no definite or indirect leak and no invalid access.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use cos_emulator::{Emulator, FaultAction, FaultRule, Trigger};
use cos_ffi::blocking::proto::ops::object::{GetObject, HeadObject};
use cos_ffi::blocking::proto::{Credentials, Scheme};
use cos_ffi::blocking::{Client, Config};

const BUCKET: &str = "examplebucket-1250000000";
const REGION: &str = "ap-guangzhou";
const SECRET_ID: &str = "AKIDffitest";
const SECRET_KEY: &str = "ffi-secret-key";
const TMP_SECRET_ID: &str = "AKIDffitemporary";
const TMP_SECRET_KEY: &str = "ffi-temporary-key";
const TMP_TOKEN: &str = "ffi-session-token";

/// The exit code valgrind gives when it found an error.
const VALGRIND_ERROR: i32 = 99;

/// The directory of this test's executable (`target/{profile}/deps`), where cargo puts the
/// library it built for it.
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    exe.parent().expect("the deps directory").to_path_buf()
}

/// The static library cargo built alongside this test (cargo builds every crate type of
/// cos-ffi's lib target as this test's dependency).
fn static_lib() -> PathBuf {
    let deps = deps_dir();
    let candidates = [deps.join("libcos_ffi.a"), deps.join("../libcos_ffi.a")];
    candidates
        .iter()
        .find(|p| p.exists())
        .cloned()
        .unwrap_or_else(|| panic!("no libcos_ffi.a in {} or its parent", deps.display()))
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where the compiled programs go.
fn out_dir() -> PathBuf {
    let dir = deps_dir().join("../cos-ffi-c");
    std::fs::create_dir_all(&dir).expect("output directory");
    dir
}

/// Runs `cmd`, failing the test with its output unless it succeeds.
fn run_ok(cmd: &mut Command, what: &str) -> Output {
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    if !output.status.success() {
        panic!(
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output
}

/// The system libraries a Rust static library needs on this platform.
const SYSTEM_LIBS: [&str; 4] = ["-lpthread", "-ldl", "-lm", "-lrt"];

/// Compiles `examples/{name}.c` as C99 and links it with the static library.
fn compile(name: &str) -> PathBuf {
    let dir = manifest_dir();
    let exe = out_dir().join(name);
    run_ok(
        Command::new("cc")
            .args([
                "-std=c99",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "-g",
                "-I",
            ])
            .arg(dir.join("include"))
            .arg("-o")
            .arg(&exe)
            .arg(dir.join("examples").join(format!("{name}.c")))
            .arg(static_lib())
            .args(SYSTEM_LIBS),
        &format!("compiling examples/{name}.c"),
    );
    exe
}

/// The emulator with the test key, a temporary key (with its token) and the test bucket.
fn emulator() -> Emulator {
    emulator_with(Vec::new())
}

/// [`emulator`] with fault-injection rules.
fn emulator_with(faults: Vec<FaultRule>) -> Emulator {
    let temporary = Credentials::new(TMP_SECRET_ID, TMP_SECRET_KEY)
        .and_then(|c| c.with_security_token(TMP_TOKEN))
        .expect("temporary credentials");
    faults
        .into_iter()
        .fold(Emulator::builder(), |emu, rule| emu.fault(rule))
        .credential(SECRET_ID, SECRET_KEY)
        .credentials(temporary)
        .bucket(BUCKET)
        .start()
        .expect("the emulator starts")
}

/// A Rust client on the emulator, to check what the C programs did.
fn rust_client(emu: &Emulator) -> Client {
    Client::builder()
        .secret(SECRET_ID, SECRET_KEY)
        .config(
            Config::default()
                .protocol(Scheme::Http)
                .connect_address(emu.address()),
        )
        .build()
        .expect("client")
}

/// A key prefix of its own for each run.
fn prefix(name: &str) -> String {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("ffi/{name}-{stamp}/")
}

fn valgrind() -> bool {
    std::env::var("COS_FFI_VALGRIND").is_ok_and(|v| v == "1")
}

/// `exe` under valgrind memcheck: any definite or indirect leak, or any invalid access,
/// makes it exit with [`VALGRIND_ERROR`].
fn memcheck(exe: &Path) -> Command {
    let mut c = Command::new("valgrind");
    c.args([
        "--quiet",
        "--leak-check=full",
        "--errors-for-leak-kinds=definite,indirect",
        "--show-leak-kinds=definite,indirect",
        &format!("--error-exitcode={VALGRIND_ERROR}"),
    ])
    .arg(exe);
    c
}

/// Runs program `exe` with `args` against `emu` (its endpoint and keys in the environment),
/// under valgrind when asked; returns its standard output.
fn run_program(exe: &Path, emu: &Emulator, args: &[&str]) -> String {
    let mut cmd = if valgrind() {
        memcheck(exe)
    } else {
        Command::new(exe)
    };
    cmd.args(args)
        .env("COS_ENDPOINT", emu.url())
        .env("COS_SECRET_ID", SECRET_ID)
        .env("COS_SECRET_KEY", SECRET_KEY)
        .env("COS_BUCKET", BUCKET)
        .env("COS_REGION", REGION)
        .env("COS_TMP_SECRET_ID", TMP_SECRET_ID)
        .env("COS_TMP_SECRET_KEY", TMP_SECRET_KEY)
        .env("COS_TMP_TOKEN", TMP_TOKEN)
        .env_remove("COS_SECURITY_TOKEN");
    let name = exe.file_name().map(|n| n.to_string_lossy().into_owned());
    let output = run_ok(&mut cmd, &format!("running {}", name.unwrap_or_default()));
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// The value of the first output line `{label} {value}`.
fn line<'a>(stdout: &'a str, label: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| {
            l.strip_prefix(label)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .unwrap_or_else(|| panic!("no `{label}` line in:\n{stdout}"))
}

/// The values of every output line `{label} {value}`.
fn lines<'a>(stdout: &'a str, label: &str) -> Vec<&'a str> {
    stdout
        .lines()
        .filter_map(|l| {
            l.strip_prefix(label)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .collect()
}

fn get(client: &Client, key: &str) -> Vec<u8> {
    let op = GetObject {
        bucket: BUCKET.into(),
        region: REGION.into(),
        key: key.into(),
        ..GetObject::default()
    };
    client.get_object(&op).expect("the object exists").body
}

#[test]
fn the_header_compiles_as_c99_and_cpp17() {
    let dir = manifest_dir();
    let src = out_dir().join("header_check.cpp");
    std::fs::write(
        &src,
        "#include \"cos.h\"\nint main(void) { return cos_result_name(COS_RESULT_OK) == 0; }\n",
    )
    .expect("write the check");
    for (compiler, std, lang) in [("cc", "-std=c99", "c"), ("c++", "-std=c++17", "c++")] {
        run_ok(
            Command::new(compiler)
                .args([std, "-Wall", "-Wextra", "-Werror", "-pedantic", "-x", lang])
                .arg("-I")
                .arg(dir.join("include"))
                .arg(&src)
                .arg("-x")
                .arg("none")
                .arg("-o")
                .arg(out_dir().join(format!("header_check_{lang}")))
                .arg(static_lib())
                .args(SYSTEM_LIBS),
            &format!("compiling the header as {std}"),
        );
    }
}

#[test]
fn quickstart() {
    let exe = compile("quickstart");
    let emu = emulator();
    let prefix = prefix("quickstart");
    let out = run_program(&exe, &emu, &[&prefix]);
    assert_eq!(line(&out, "got"), "Hello, COS!");
    let listed = lines(&out, "listed");
    assert_eq!(
        listed,
        [
            format!("{prefix}big.bin {}", (1 << 20) + 1000),
            format!("{prefix}hello.txt 11")
        ]
    );
    // The multipart object is whole, and its CRC64 the one the C program saw.
    let client = rust_client(&emu);
    let big = get(&client, &format!("{prefix}big.bin"));
    assert_eq!(big.len(), (1 << 20) + 1000);
    let crc = line(&out, "multipart").split(' ').nth(3).expect("CRC64");
    assert_eq!(crc, cos_ffi::blocking::crc64(&big).to_string());
    // The pre-signed URL works with any HTTP client.
    let url = line(&out, "url");
    let body = ureq::get(url)
        .call()
        .expect("the pre-signed URL is accepted")
        .body_mut()
        .read_to_vec()
        .expect("body");
    assert_eq!(body, b"Hello, COS!");
}

/// C calls retry as Rust calls do: a 503, a 500 and a download broken mid-body are each
/// tried again, and the quickstart succeeds.
#[test]
fn c_calls_retry_like_rust_calls() {
    let exe = compile("quickstart");
    let emu = emulator_with(vec![
        FaultRule::new("PutObject", Trigger::Nth(1), FaultAction::SlowDown),
        FaultRule::new("UploadPart", Trigger::Nth(2), FaultAction::InternalError),
        FaultRule::new("GetObject", Trigger::Nth(1), FaultAction::ResetMidBody),
    ]);
    let out = run_program(&exe, &emu, &[&prefix("retry")]);
    assert_eq!(line(&out, "got"), "Hello, COS!");
    assert_eq!(emu.faults_fired(), 3);
    assert_eq!(
        [
            emu.count("PutObject"),
            emu.count("UploadPart"),
            emu.count("GetObject")
        ],
        [2, 3, 2]
    );
}

#[test]
fn bucket() {
    let exe = compile("bucket");
    let emu = emulator();
    let out = run_program(&exe, &emu, &["ffi-bucket-1250000000"]);
    assert_eq!(line(&out, "putBucket status"), "200");
    assert!(
        lines(&out, "bucket").contains(&"ffi-bucket-1250000000 ap-guangzhou"),
        "{out}"
    );
    assert_eq!(line(&out, "location"), REGION);
    assert_eq!(line(&out, "name"), "ffi-bucket-1250000000");
    // A HEAD answer has no body, so the code is the status's name.
    assert_eq!(
        line(&out, "deleted bucket:"),
        "status 404 code NotFound request id present"
    );
}

#[test]
fn object() {
    let exe = compile("object");
    let emu = emulator();
    let prefix = prefix("object");
    let scratch = out_dir().join(prefix.replace('/', "_"));
    std::fs::create_dir_all(&scratch).expect("scratch directory");
    let scratch_arg = scratch.to_string_lossy().into_owned();
    let out = run_program(&exe, &emu, &[&prefix, &scratch_arg]);
    let crc = cos_ffi::blocking::crc64(b"0123456789abcdef");
    assert_eq!(
        line(&out, "head"),
        format!("ContentLength 16 ContentType text/plain author ffi CRC64 {crc}")
    );
    assert_eq!(line(&out, "range"), "2-5 of 16");
    assert_eq!(line(&out, "deleted"), "2 objects");
    assert_eq!(line(&out, "missing:"), "404 NoSuchKey");
    let downloaded = std::fs::read(scratch.join("downloaded.txt")).expect("downloaded");
    assert_eq!(downloaded, b"0123456789abcdef");
    let _ = std::fs::remove_dir_all(&scratch);
    // Everything the program wrote, it deleted.
    let client = rust_client(&emu);
    let head = HeadObject {
        bucket: BUCKET.into(),
        region: REGION.into(),
        key: format!("{prefix}a.txt"),
        ..HeadObject::default()
    };
    let err = client.head_object(&head).expect_err("deleted");
    assert_eq!(err.status(), Some(404));
}

#[test]
fn acl() {
    let exe = compile("acl");
    let emu = emulator();
    let out = run_program(&exe, &emu, &[&prefix("acl")]);
    assert!(
        lines(&out, "object grant").contains(&"http://cam.qcloud.com/groups/global/AllUsers READ"),
        "{out}"
    );
    assert_eq!(
        lines(&out, "bucket grant"),
        [
            "qcs::cam::uin/100000000001:uin/100000000001 FULL_CONTROL",
            "qcs::cam::uin/100000000002:uin/100000000002 READ",
            "http://cam.qcloud.com/groups/global/AllUsers READ",
        ]
    );
}

#[test]
fn cors() {
    let exe = compile("cors");
    let emu = emulator();
    let out = run_program(&exe, &emu, &[&prefix("cors")]);
    assert_eq!(lines(&out, "rule 0 methods"), ["GET PUT"]);
    assert_eq!(lines(&out, "rule 1 methods"), ["HEAD"]);
    assert_eq!(line(&out, "rule 0 id"), "web max age 600");
    assert_eq!(
        line(&out, "allowed origin").split(' ').next(),
        Some("https://www.example.com")
    );
    assert_eq!(line(&out, "refused status"), "403");
    assert_eq!(line(&out, "after delete:"), "NoSuchCORSConfiguration");
}

#[test]
fn multipart() {
    let exe = compile("multipart");
    let emu = emulator();
    let prefix = prefix("multipart");
    let out = run_program(&exe, &emu, &[&prefix]);
    assert_eq!(lines(&out, "part"), ["1 1048576", "2 11"]);
    let mut in_progress = lines(&out, "uploading");
    in_progress.sort_unstable();
    assert_eq!(
        in_progress,
        [
            format!("{prefix}abandoned.bin"),
            format!("{prefix}joined.bin")
        ]
    );
    assert_eq!(line(&out, "in progress after:"), "0");
    let joined = get(&rust_client(&emu), &format!("{prefix}joined.bin"));
    assert_eq!(joined.len(), (1 << 20) + 11);
    assert_eq!(&joined[1 << 20..], b"copied tail");
}

#[test]
fn auth() {
    use cos_ffi::blocking::proto::{GetAuthorization, KeyTime};
    let exe = compile("auth");
    let emu = emulator();
    let prefix = prefix("auth");
    let out = run_program(&exe, &emu, &[&prefix]);
    let key_time = KeyTime::new(1_700_000_000, 1_700_000_900).expect("key time");
    let credentials = Credentials::new(SECRET_ID, SECRET_KEY).expect("credentials");
    let expected = GetAuthorization {
        credentials: Some(credentials.clone()),
        method: "put".into(),
        key: "a/b c.txt".into(),
        key_time: Some(key_time),
        headers: vec![("Content-Type".into(), "text/plain".into())],
        query: vec![("acl".into(), String::new())],
        ..GetAuthorization::default()
    };
    let now = SystemTime::now();
    assert_eq!(
        line(&out, "authorization"),
        expected.sign(now).expect("signs").as_str()
    );
    let get_auth = GetAuthorization {
        credentials: Some(credentials),
        method: "GET".into(),
        key: format!("{prefix}authorizer.txt"),
        key_time: Some(key_time),
        ..GetAuthorization::default()
    };
    assert_eq!(
        line(&out, "getAuth"),
        get_auth.sign(now).expect("signs").as_str()
    );
    assert_eq!(line(&out, "provider calls"), "1");
    let client = rust_client(&emu);
    assert_eq!(
        get(&client, &format!("{prefix}provider.txt")),
        b"signed with a temporary key"
    );
    assert_eq!(
        get(&client, &format!("{prefix}authorizer.txt")),
        b"signed by the authorizer"
    );
}

/// Under valgrind (`COS_FFI_VALGRIND=1`), a program that forgets to free a handle fails:
/// the leak check of the examples can find what it looks for.
#[test]
fn valgrind_finds_a_forgotten_handle() {
    if !valgrind() {
        return;
    }
    let src = out_dir().join("leak.c");
    std::fs::write(
        &src,
        "#include \"cos.h\"\nint main(void) {\n  cos_params *p = cos_params_new();\n  \
         cos_params_set(p, \"Key\", \"forgotten\");\n  return 0;\n}\n",
    )
    .expect("write the leaking program");
    let exe = out_dir().join("leak");
    run_ok(
        Command::new("cc")
            .args(["-std=c99", "-I"])
            .arg(manifest_dir().join("include"))
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .arg(static_lib())
            .args(SYSTEM_LIBS),
        "compiling the leaking program",
    );
    let status = memcheck(&exe).output().expect("valgrind runs").status;
    assert_eq!(status.code(), Some(VALGRIND_ERROR));
}

/// The README's C example compiles as it is written there, and runs against the emulator.
#[test]
fn the_readme_example_compiles_and_runs() {
    let readme = std::fs::read_to_string(manifest_dir().join("../README.md")).expect("README.md");
    let section = readme
        .split("## Using the C API")
        .nth(1)
        .expect("the README has a C section");
    let code = section
        .split("```c\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the C section has a C example");
    let src = out_dir().join("readme.c");
    std::fs::write(&src, code).expect("write the example");
    let exe = out_dir().join("readme");
    run_ok(
        Command::new("cc")
            .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"])
            .arg(manifest_dir().join("include"))
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .arg(static_lib())
            .args(SYSTEM_LIBS),
        "compiling the README's example",
    );
    let emu = emulator();
    let client = rust_client(&emu);
    let put = cos_ffi::blocking::proto::ops::object::PutObject {
        bucket: BUCKET.into(),
        region: REGION.into(),
        key: "photos/a.jpg".into(),
        body: b"jpeg".as_slice().into(),
        ..Default::default()
    };
    client.put_object(&put).expect("put");
    let out = run_program(&exe, &emu, &[]);
    assert_eq!(out, "photos/a.jpg\n");
}

/// The transfer tasks from C: sliceUploadFile paused from another thread and restarted,
/// canceled by its progress callback (nothing left on the server), canceled keeping the
/// upload and resumed by a second call, downloadFile, sliceCopyFile, uploadFiles.
#[test]
fn transfer() {
    use cos_ffi::blocking::proto::ops::multipart::MultipartList;
    let exe = compile("transfer");
    let emu = emulator();
    let prefix = prefix("transfer");
    let scratch = out_dir().join(prefix.replace('/', "_"));
    std::fs::create_dir_all(&scratch).expect("scratch directory");
    let scratch_arg = scratch.to_string_lossy().into_owned();
    let out = run_program(&exe, &emu, &[&prefix, &scratch_arg]);

    let big = std::fs::read(scratch.join("big.bin")).expect("the generated file");
    assert_eq!(big.len(), 6 << 20);
    let crc = cos_ffi::blocking::crc64(&big).to_string();
    assert_eq!(
        line(&out, "paused at"),
        "2+ MiB of 6291456: tasks listed 1, state COS_TASK_STATE_PAUSED"
    );
    assert_eq!(
        line(&out, "uploaded"),
        format!("{prefix}paused.bin size 6291456 parts 6 reused 0 crc {crc} upload id present")
    );
    assert_eq!(line(&out, "canceled"), "COS_RESULT_CANCELED uploads left 0");
    assert_eq!(line(&out, "kept"), "COS_RESULT_CANCELED uploads left 1");
    assert_eq!(
        line(&out, "resumed:"),
        "reused some, all parts 6, same upload yes, same crc yes, hashed the reused yes"
    );
    assert_eq!(
        line(&out, "downloaded"),
        "6291456 bytes in 6 parts, same bytes yes, same crc yes, progress whole"
    );
    assert_eq!(
        line(&out, "copied"),
        format!("{prefix}copied.bin size 6291456 multipart yes progress whole")
    );
    assert_eq!(line(&out, "copy crc same"), "yes");
    assert_eq!(
        lines(&out, "file"),
        [
            format!("0 {prefix}files/a.bin 204800 multipart no"),
            format!("1 {prefix}files/b.bin 1572864 multipart yes"),
            format!("2 {prefix}files/c.bin 2621440 multipart yes"),
            "3 error COS_RESULT_IO".to_owned(),
        ]
    );
    assert_eq!(
        line(&out, "uploadFiles:"),
        "finished 4, outputs ok, last batch progress 4399104, io failure yes"
    );
    assert_eq!(
        line(&out, "uploadFiles threads:"),
        "task ready on the caller yes, file finish and progress on file threads yes"
    );
    assert_eq!(
        line(&out, "other tasks' callbacks off the calling thread:"),
        "0"
    );

    // What the program says, COS holds: whole objects, nothing canceled, no upload left.
    let client = rust_client(&emu);
    for name in ["paused.bin", "resumed.bin", "copied.bin"] {
        assert!(
            get(&client, &format!("{prefix}{name}")) == big,
            "{name} is the file"
        );
    }
    for name in ["a", "b", "c"] {
        let local = std::fs::read(scratch.join(format!("{name}.bin"))).expect("local file");
        assert_eq!(get(&client, &format!("{prefix}files/{name}.bin")), local);
    }
    let head = HeadObject {
        bucket: BUCKET.into(),
        region: REGION.into(),
        key: format!("{prefix}canceled.bin"),
        ..HeadObject::default()
    };
    let err = client
        .head_object(&head)
        .expect_err("the canceled upload made no object");
    assert_eq!(err.status(), Some(404));
    let list = MultipartList {
        bucket: BUCKET.into(),
        region: REGION.into(),
        prefix: Some(prefix.clone()),
        ..MultipartList::default()
    };
    let uploads = client.multipart_list(&list).expect("multipartList").upload;
    assert!(uploads.is_empty(), "uploads left: {uploads:?}");
    // Completed uploads leave no journal behind.
    let journals: Vec<_> = std::fs::read_dir(scratch.join("journals"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(journals.is_empty(), "journals left: {journals:?}");
    let _ = std::fs::remove_dir_all(&scratch);
}

/// One client from four C threads at once: every thread's objects arrive whole, every
/// thread's deliberate failure shows in its own last error, and nothing leaks (valgrind).
#[test]
fn threads() {
    let exe = compile("threads");
    let emu = emulator();
    let prefix = prefix("threads");
    let out = run_program(&exe, &emu, &[&prefix]);
    assert_eq!(
        lines(&out, "thread"),
        (0..4)
            .map(|i| format!("{i}: puts 12 reads 12 heads 12 signs 12 own errors 4"))
            .collect::<Vec<_>>()
    );
    assert_eq!(line(&out, "listed"), "48 objects, failures 0");
    // What the threads put, COS holds: each object's bytes as its thread made them.
    let client = rust_client(&emu);
    for t in 0..4usize {
        for round in 0..12usize {
            let len = 1000 + (t * 7919 + round * 104_729) % 60_000;
            let want: Vec<u8> = (0..len).map(|i| (i * 31 + t * 17 + round) as u8).collect();
            assert!(
                get(&client, &format!("{prefix}t{t}/o{round:02}.bin")) == want,
                "thread {t}, round {round}"
            );
        }
    }
}
