//! Crashes: an uploading process killed at a random moment, 20 times over, each upload
//! resumed by another process; an attempt killed before its first part; and the server
//! killed and restarted (on its data directory) in the middle of an upload.

#[path = "../blocking/common/mod.rs"]
mod common;

use std::io::Write;
use std::time::Duration;

use common::{Rng, Scratch, Target, static_key};
use cos_blocking::proto::ops::multipart::MultipartList;
use cos_blocking::proto::ops::object::PutObject;
use cos_blocking::{Client, SliceUploadFile, UploadBody, crc64};
use cos_emulator::{Emulator, FaultAction, FaultRule, Trigger};

const MIB: usize = 1 << 20;
const ROUNDS: u64 = 20;
const SEED: u64 = 0x06B1_11ED;
/// The child's ChunkParallelLimit (`tests/bin/upload_child.rs`).
const CHILD_PARALLEL: u64 = 2;

/// Writes a figures line to the test's real stderr (libtest captures `eprintln!`).
fn figures(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn params<'a>(t: &Target, name: &str, path: &std::path::Path) -> SliceUploadFile<'a> {
    SliceUploadFile {
        object: PutObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key(name),
            ..PutObject::default()
        },
        body: UploadBody::path(path),
        ..SliceUploadFile::default()
    }
}

/// The ids of the multipart uploads in progress under `prefix`.
fn uploads_under(client: &Client, t: &Target, prefix: &str) -> Vec<String> {
    client
        .multipart_list(&MultipartList {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            prefix: Some(prefix.to_owned()),
            ..MultipartList::default()
        })
        .expect("list uploads")
        .upload
        .into_iter()
        .map(|u| u.upload_id)
        .collect()
}

#[test]
fn twenty_killed_uploads_resume_and_resend_at_most_the_parts_in_flight() {
    let scratch = Scratch::new("killed-rounds");
    let journals = scratch.0.join("journals");
    // Each part waits 30 ms in the server, so that a kill lands mid-upload.
    let emu = Emulator::builder().fault(FaultRule::new(
        "UploadPart",
        Trigger::Always,
        FaultAction::Delay(Duration::from_millis(30)),
    ));
    let t = Target::embedded("killed-rounds", emu, static_key, |c| {
        c.resume_dir(&journals)
            .chunk_parallel_limit(CHILD_PARALLEL as usize)
    });
    let mut rng = Rng::new(SEED);
    let (mut killed, mut kept, mut resent, mut moved) = (0u64, 0u64, 0u64, 0u64);
    let mut lost = Vec::new();
    for round in 0..ROUNDS {
        let name = format!("k{round}");
        let len = 6 * MIB + rng.below(3 * MIB as u64) as usize;
        let bytes = rng.bytes(len);
        let parts = bytes.len().div_ceil(MIB) as u64;
        let path = scratch.0.join(&name);
        std::fs::write(&path, &bytes).expect("write");
        t.emu().reset_counts();

        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_upload-child"))
            .args([
                t.emu().address(),
                t.bucket.clone(),
                t.region.clone(),
                t.key(&name),
                path.display().to_string(),
                journals.display().to_string(),
                MIB.to_string(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("child starts");
        // A random moment: after a random number of parts began to arrive, plus up to a
        // part's wait.
        let started = rng.below(parts);
        wait_for("parts to arrive", || {
            (t.emu().count("UploadPart") >= started).then_some(())
        });
        std::thread::sleep(Duration::from_millis(rng.below(30)));
        let finished = child.try_wait().expect("try wait").is_some();
        if !finished {
            child.kill().expect("kill");
            killed += 1;
        }
        child.wait().expect("reaped");
        // The server finishes the requests the child had in flight (their parts wait 30 ms).
        std::thread::sleep(Duration::from_millis(120));

        let out = t
            .client
            .slice_upload_file(params(&t, &name, &path))
            .unwrap_or_else(|e| panic!("round {round}: resume: {e}"));
        assert_eq!(out.crc64, crc64(&bytes), "round {round}");
        let stored = t
            .client
            .get_object(&t.get_op(&name))
            .unwrap_or_else(|e| panic!("round {round}: get: {e}"))
            .body;
        if stored != bytes {
            lost.push(format!("round {round}: the object differs from the file"));
        }
        // Only the parts in flight at the kill went twice.
        let sent = t.emu().count("UploadPart");
        assert!(
            sent >= parts && sent - parts <= CHILD_PARALLEL,
            "round {round}: {sent} UploadPart requests for {parts} parts"
        );
        resent += sent - parts;
        kept += u64::from(out.parts_reused);
        moved += bytes.len() as u64;
        // Nothing left behind: no upload in progress, no journal.
        assert_eq!(
            uploads_under(&t.client, &t, &t.key(&name)),
            Vec::<String>::new(),
            "round {round}"
        );
        assert_eq!(
            std::fs::read_dir(&journals).map(|d| d.count()).unwrap_or(0),
            0,
            "round {round}"
        );
        std::fs::remove_file(&path).expect("remove");
    }
    figures(&format!(
        "kill-resume: {ROUNDS} rounds, {killed} killed mid-upload, {kept} parts kept from killed runs, {resent} parts sent twice (at most {CHILD_PARALLEL} a round), {moved} bytes moved, {} lost",
        lost.len()
    ));
    assert_eq!(lost, Vec::<String>::new());
}

#[test]
fn an_attempt_killed_before_its_first_part_leaves_no_upload_behind() {
    // A process that started an upload and died before its first part (and before it wrote
    // its journal) left an empty upload; the next call aborts it and uploads anew.
    let scratch = Scratch::new("killed-early");
    let t = Target::embedded("killed-early", Emulator::builder(), static_key, |c| {
        c.resume_dir(scratch.0.join("journals"))
    });
    let bytes = common::data(2 * MIB + 1);
    let path = scratch.0.join("early");
    std::fs::write(&path, &bytes).expect("write");
    let empty = t
        .client
        .multipart_init(&cos_blocking::proto::ops::multipart::MultipartInit {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key("early"),
            ..Default::default()
        })
        .expect("init")
        .upload_id;
    let out = t
        .client
        .slice_upload_file(params(&t, "early", &path))
        .expect("upload");
    assert_ne!(out.upload_id.as_deref(), Some(empty.as_str()));
    assert_eq!(out.parts_reused, 0);
    assert_eq!(
        t.client.get_object(&t.get_op("early")).expect("get").body,
        bytes
    );
    assert_eq!(t.emu().count("AbortMultipartUpload"), 1);
    assert_eq!(
        uploads_under(&t.client, &t, &t.key("early")),
        Vec::<String>::new()
    );
}

/// The emulator as a process (`tests/bin/emulator_child.rs`) on a data directory; dropping
/// it kills the process.
struct Server {
    child: std::process::Child,
    address: String,
}

impl Server {
    /// Starts the server on `listen` (`127.0.0.1:0` for a free port), its UploadParts each
    /// waiting `delay_ms`.
    fn start(listen: &str, dir: &std::path::Path, delay_ms: u64) -> Server {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_emulator-child"))
            .args([listen, &dir.display().to_string(), &delay_ms.to_string()])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("server starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut server = Server {
            child,
            address: String::new(),
        };
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server says where it listens");
        server.address = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("first line {line:?}"))
            .to_owned();
        server
    }

    /// Kills the process (SIGKILL: no chance to finish anything).
    fn kill(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::take(&mut self.address)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client of the server at `address` whose calls ride out a restart of a second or so.
fn patient_client(address: &str, attempts: u32) -> Client {
    Client::builder()
        .secret(common::SECRET_ID, common::SECRET_KEY)
        .config(
            common::test_config()
                .connect_address(address)
                .read_timeout(Some(Duration::from_secs(5)))
                .chunk_parallel_limit(2)
                .retry(
                    cos_blocking::RetryPolicy::default()
                        .max_attempts(attempts)
                        .initial_backoff(Duration::from_millis(20))
                        .max_backoff(Duration::from_millis(200))
                        .seed(SEED),
                ),
        )
        .build()
        .expect("client")
}

/// The parts the server holds of the one upload in progress of `key`, with its id.
fn held(client: &Client, key: &str) -> Option<(String, usize)> {
    let list = client
        .multipart_list(&MultipartList {
            bucket: common::BUCKET.into(),
            region: common::REGION.into(),
            prefix: Some(key.to_owned()),
            ..MultipartList::default()
        })
        .ok()?;
    let id = list.upload.first()?.upload_id.clone();
    let parts = client
        .multipart_list_part(&cos_blocking::proto::ops::multipart::MultipartListPart {
            bucket: common::BUCKET.into(),
            region: common::REGION.into(),
            key: key.to_owned(),
            upload_id: id.clone(),
            ..Default::default()
        })
        .ok()?;
    Some((id, parts.part.len()))
}

fn wait_for<T>(what: &str, mut found: impl FnMut() -> Option<T>) -> T {
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = found() {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_server_restarted_mid_upload_on_its_data_directory_loses_nothing() {
    let scratch = Scratch::new("restart");
    let data = scratch.0.join("data");
    let journals = scratch.0.join("journals");
    let bytes = common::data(8 * MIB + 3);
    let path = scratch.0.join("r.bin");
    std::fs::write(&path, &bytes).expect("write");
    let upload = |client: &Client, key: &str| {
        client.slice_upload_file(SliceUploadFile {
            object: PutObject {
                bucket: common::BUCKET.into(),
                region: common::REGION.into(),
                key: key.to_owned(),
                ..PutObject::default()
            },
            body: UploadBody::path(&path),
            resume_dir: Some(journals.clone()),
            ..SliceUploadFile::default()
        })
    };
    let get = |client: &Client, key: &str| {
        client
            .get_object(&cos_blocking::proto::ops::object::GetObject {
                bucket: common::BUCKET.into(),
                region: common::REGION.into(),
                key: key.to_owned(),
                ..Default::default()
            })
            .expect("get")
            .body
    };

    // 1. The server dies with parts stored and parts in flight, and comes back on the same
    //    address 300 ms later: the running upload carries on into the same upload.
    let server = Server::start("127.0.0.1:0", &data, 60);
    let address = server.address.clone();
    let client = patient_client(&address, 30);
    let out = std::thread::scope(|s| {
        let running = s.spawn(|| upload(&client, "restart/ride"));
        let (id, n) = wait_for("three parts", || {
            held(&client, "restart/ride").filter(|(_, n)| *n >= 3)
        });
        let address = server.kill();
        std::thread::sleep(Duration::from_millis(300));
        let server = Server::start(&address, &data, 60);
        // The parts stored before the kill are still there.
        let (id_after, n_after) = held(&client, "restart/ride").expect("upload kept");
        assert_eq!(id_after, id);
        assert!(n_after >= n, "{n_after} < {n}");
        let out = running
            .join()
            .expect("no panic")
            .expect("upload rides out the restart");
        assert_eq!(out.upload_id.as_deref(), Some(id.as_str()));
        drop(server);
        out
    });
    assert_eq!(out.crc64, crc64(&bytes));

    // 2. A client with a short retry budget gives up while the server is down; once the
    //    server is back, the next call continues the same upload.
    let server = Server::start(&address, &data, 60);
    let impatient = patient_client(&address, 1);
    let id = std::thread::scope(|s| {
        let running = s.spawn(|| upload(&impatient, "restart/resume"));
        let (id, _) = wait_for("two parts", || {
            held(&client, "restart/resume").filter(|(_, n)| *n >= 2)
        });
        server.kill();
        let err = running
            .join()
            .expect("no panic")
            .expect_err("fails while down");
        assert!(
            matches!(
                err.kind(),
                cos_blocking::ErrorKind::Transport { .. } | cos_blocking::ErrorKind::Timeout { .. }
            ),
            "{err}"
        );
        id
    });
    let server = Server::start(&address, &data, 0);
    let (_, held_now) = held(&client, "restart/resume").expect("upload kept");
    let out = upload(&client, "restart/resume").expect("resumed");
    assert_eq!(out.upload_id.as_deref(), Some(id.as_str()));
    assert_eq!(out.parts_reused as usize, held_now);
    assert!(held_now >= 2);
    assert_eq!(out.crc64, crc64(&bytes));

    // Both objects are whole, and survive one more restart.
    let address = server.kill();
    let _server = Server::start(&address, &data, 0);
    assert_eq!(get(&client, "restart/ride"), bytes);
    assert_eq!(get(&client, "restart/resume"), bytes);
}
