//! `transfer`: the throughput of big transfers against the emulator over loopback.
//!
//! ```text
//! cargo run --release -p cos-benches --bin transfer [-- --mib N]
//! ```
//!
//! Builds `cos-emulator` (release) and starts it as a separate process in memory mode on a
//! free loopback port, writes a file of N MiB of pseudo-random bytes (default 1024) in a
//! temporary directory, then times three phases over HTTP/1.1 keep-alive — a multipart upload
//! of the file, a download of the object by ranged GETs into a new file (its CRC64 checked,
//! then compared with the original), a server-side copy by UploadPartCopy — and prints
//! exactly:
//!
//! ```text
//! upload: X MiB/s, peak RSS Y MiB
//! download: X MiB/s, peak RSS Y MiB
//! copy: X MiB/s
//! ```
//!
//! Peak RSS is this (client) process's `VmHWM`, reset before each phase. With `--runs N` the
//! phases run N times (the objects deleted after each run) and each line gives the median
//! rate and the highest peak. Details (times, CPU of both processes, the emulator's memory)
//! go to stderr. `--mib 8192` is the 8 GiB run that checks that the
//! client's memory does not grow with the file. See `benches/README.md` for figures.

mod emulator;
mod rss;
mod tasks;

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use cos_blocking::proto::Scheme;
use cos_blocking::proto::ops::object::DeleteObject;
use cos_blocking::{Client, Config, RetryPolicy};

use crate::emulator::EmulatorProcess;
use crate::tasks::Transfer;

/// Any error, with its message.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

const MIB: u64 = 1 << 20;

const HELP: &str = "\
transfer: upload, download and copy throughput against the emulator over loopback

USAGE:
    cargo run --release -p cos-benches --bin transfer [-- OPTIONS]

OPTIONS:
    --mib N          Size of the file in MiB [default: 1024]; 8192 for the RSS check
    --part-mib N     Part size in MiB (ChunkSize) [default: each task's: 1 for uploads,
                     8 for downloads, 10 for copies]
    --parallel N     Parts in flight (ChunkParallelLimit) [default: the client's, 3]
    --emulator PATH  The cos-emulator binary [default: built by cargo]
    --dir DIR        Where the temporary files go [default: the system's temp dir]
    --stop-after P   End after phase P (upload or download), for profiling one phase
    --runs N         Repeat the phases N times and print the median [default: 1]
    -h, --help       Print this help
";

struct Options {
    mib: u64,
    part_mib: Option<u64>,
    parallel: Option<usize>,
    emulator: Option<PathBuf>,
    dir: PathBuf,
    /// The last phase to run: 1 upload, 2 download, 3 copy.
    last_phase: u8,
    /// How many times the phases run.
    runs: u32,
}

fn parse_args() -> Result<Option<Options>, BoxError> {
    let mut o = Options {
        mib: 1024,
        part_mib: None,
        parallel: None,
        emulator: None,
        dir: std::env::temp_dir(),
        last_phase: 3,
        runs: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(None);
            }
            "--mib" => o.mib = value()?.parse()?,
            "--part-mib" => o.part_mib = Some(value()?.parse()?),
            "--parallel" => o.parallel = Some(value()?.parse()?),
            "--emulator" => o.emulator = Some(value()?.into()),
            "--dir" => o.dir = value()?.into(),
            "--runs" => o.runs = value()?.parse()?,
            "--stop-after" => {
                o.last_phase = match value()?.as_str() {
                    "upload" => 1,
                    "download" => 2,
                    other => {
                        return Err(format!("--stop-after: not upload or download: {other}").into());
                    }
                }
            }
            other => return Err(format!("unknown option {other} (see --help)").into()),
        }
    }
    if o.mib == 0 || o.part_mib == Some(0) || o.parallel == Some(0) || o.runs == 0 {
        return Err("--mib, --part-mib, --parallel and --runs must be at least 1".into());
    }
    Ok(Some(o))
}

fn main() -> ExitCode {
    match parse_args().and_then(|o| o.map_or(Ok(()), |o| run(&o))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("transfer: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A directory removed with everything in it when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(o: &Options) -> Result<(), BoxError> {
    let binary = emulator::binary(o.emulator.clone())?;
    let emu = EmulatorProcess::start(&binary)?;
    eprintln!("emulator: {} on {}", binary.display(), emu.address());

    let dir = TempDir(o.dir.join(format!("cos-transfer-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0)?;
    let source = dir.0.join("source.bin");
    let size = o.mib * MIB;
    let started = Instant::now();
    let source_crc = write_random_file(&source, size)?;
    eprintln!(
        "generated {} MiB in {:.1} s (CRC64 {source_crc})",
        o.mib,
        started.elapsed().as_secs_f64()
    );

    let client = Client::builder()
        .secret(emulator::SECRET_ID, emulator::SECRET_KEY)
        .config(
            Config::default()
                .protocol(Scheme::Http)
                .connect_address(emu.address())
                .region(emulator::REGION)
                .bucket(emulator::BUCKET)
                .retry(RetryPolicy::none())
                .chunk_parallel_limit(
                    o.parallel
                        .unwrap_or(Config::default().get_chunk_parallel_limit()),
                ),
        )
        .build()?;
    let t = Transfer {
        client: &client,
        bucket: emulator::BUCKET,
        region: emulator::REGION,
        part_size: o.part_mib.map(|m| m * MIB),
    };
    eprintln!(
        "{} MiB, parts of {}, {} in parallel",
        o.mib,
        o.part_mib
            .map_or("the tasks' default size".to_owned(), |m| format!("{m} MiB")),
        client.config().get_chunk_parallel_limit()
    );
    let resettable = rss::reset_peak();
    if !resettable {
        eprintln!("note: VmHWM cannot be reset here; each peak RSS is the peak since start");
    }

    let mib = o.mib as f64;
    let rate = |t: &Took| mib / t.wall.as_secs_f64();
    let mut rates: [Vec<f64>; 3] = Default::default();
    let mut peaks: [Option<f64>; 2] = [None, None];
    for run in 1..=o.runs {
        let key = format!("transfer/object-{run}.bin");
        let copy_key = format!("transfer/copy-{run}.bin");
        let (up, crc) = timed(&emu, || tasks::upload(&t, &source, &key))?;
        check_crc("upload", Some(crc), source_crc)?;
        record_peak(&mut peaks[0], peak_then_reset());
        report_phase(&emu, run, "upload", &up);
        rates[0].push(rate(&up));

        if o.last_phase >= 2 {
            let downloaded = dir.0.join("downloaded.bin");
            let (down, (got_size, _)) = timed(&emu, || tasks::download(&t, &key, &downloaded))?;
            record_peak(&mut peaks[1], peak_then_reset());
            report_phase(&emu, run, "download", &down);
            if got_size != size || file_crc(&downloaded)? != source_crc {
                return Err("the downloaded file differs from the original".into());
            }
            std::fs::remove_file(&downloaded)?;
            rates[1].push(rate(&down));
        }

        if o.last_phase >= 3 {
            let (copy, crc) = timed(&emu, || tasks::copy(&t, &key, &copy_key))?;
            check_crc("copy", crc, source_crc)?;
            report_phase(&emu, run, "copy", &copy);
            rates[2].push(rate(&copy));
        }
        // The next run starts from an empty bucket (the emulator frees the memory).
        for k in [&key, &copy_key] {
            client.delete_object(&DeleteObject {
                bucket: emulator::BUCKET.to_owned(),
                region: emulator::REGION.to_owned(),
                key: k.clone(),
                ..DeleteObject::default()
            })?;
        }
        rss::reset_peak();
    }

    if let Some(up) = median(&mut rates[0]) {
        println!("upload: {up:.0} MiB/s, peak RSS {} MiB", rss_text(peaks[0]));
    }
    if let Some(down) = median(&mut rates[1]) {
        println!(
            "download: {down:.0} MiB/s, peak RSS {} MiB",
            rss_text(peaks[1])
        );
    }
    if let Some(copy) = median(&mut rates[2]) {
        println!("copy: {copy:.0} MiB/s");
    }
    Ok(())
}

/// The median of `values` (the lower middle one of an even count).
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    values.get(values.len().saturating_sub(1) / 2).copied()
}

/// Keeps the larger of the peaks seen.
fn record_peak(peak: &mut Option<f64>, seen: Option<f64>) {
    *peak = match (*peak, seen) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
}

/// What a phase took: wall time, and the CPU time (user, system) of the client and of the
/// emulator.
struct Took {
    wall: Duration,
    client: (f64, f64),
    emulator: (f64, f64),
}

fn timed<T>(
    emu: &EmulatorProcess,
    f: impl FnOnce() -> Result<T, BoxError>,
) -> Result<(Took, T), BoxError> {
    let cpu = || {
        let c = rss::cpu_secs("self").unwrap_or_default();
        let e = emu.cpu_secs().unwrap_or_default();
        (c, e)
    };
    let (c0, e0) = cpu();
    let started = Instant::now();
    let value = f()?;
    let wall = started.elapsed();
    let (c1, e1) = cpu();
    let took = Took {
        wall,
        client: (c1.0 - c0.0, c1.1 - c0.1),
        emulator: (e1.0 - e0.0, e1.1 - e0.1),
    };
    Ok((took, value))
}

fn check_crc(phase: &str, reported: Option<u64>, expected: u64) -> Result<(), BoxError> {
    match reported {
        Some(crc) if crc == expected => Ok(()),
        Some(crc) => {
            Err(format!("{phase}: the object's CRC64 is {crc}, the file's {expected}").into())
        }
        None => Err(format!("{phase}: no CRC64 reported for the object").into()),
    }
}

/// The peak RSS of the phase that just ended; then a new phase starts from the current RSS.
fn peak_then_reset() -> Option<f64> {
    let peak = rss::peak_mib();
    rss::reset_peak();
    peak
}

fn rss_text(mib: Option<f64>) -> String {
    mib.map_or_else(|| "?".to_owned(), |m| format!("{m:.1}"))
}

/// Details of a phase on stderr: times, CPU of both sides, the emulator's memory.
fn report_phase(emu: &EmulatorProcess, run: u32, phase: &str, took: &Took) {
    let memory = emu
        .memory_mib()
        .map(|(peak, now)| format!("; emulator RSS {now:.0} MiB (peak {peak:.0} MiB)"))
        .unwrap_or_default();
    eprintln!(
        "run {run} {phase}: {:.3} s; CPU client {:.2} s user + {:.2} s sys, emulator {:.2} s user + {:.2} s sys{memory}",
        took.wall.as_secs_f64(),
        took.client.0,
        took.client.1,
        took.emulator.0,
        took.emulator.1,
    );
}

/// Writes `size` pseudo-random bytes (xorshift64*) to `path`; their CRC64.
fn write_random_file(path: &Path, size: u64) -> Result<u64, BoxError> {
    let mut out = BufWriter::with_capacity(MIB as usize, File::create(path)?);
    let mut crc = crc64fast::Digest::new();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut block = vec![0u8; MIB as usize];
    let mut left = size;
    while left > 0 {
        for word in block.chunks_exact_mut(8) {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            word.copy_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
        }
        let n = usize::try_from(left.min(MIB))?;
        out.write_all(&block[..n])?;
        crc.write(&block[..n]);
        left -= n as u64;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(crc.sum64())
}

/// The CRC64 of a whole file (through a small buffer, so that the check leaves the client's
/// heap as it was for the next run's peak).
fn file_crc(path: &Path) -> Result<u64, BoxError> {
    let mut file = File::open(path)?;
    let mut crc = crc64fast::Digest::new();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(crc.sum64());
        }
        crc.write(&buf[..n]);
    }
}
