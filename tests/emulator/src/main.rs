//! `cos-emulator`: run the local COS emulator from the command line (see `--help`).

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use cos_emulator::{Emulator, EmulatorBuilder, FaultRule};

const HELP: &str = "\
cos-emulator: a local Tencent Cloud COS (XML API) emulator on loopback

USAGE:
    cos-emulator --secret-id ID --secret-key KEY [OPTIONS]

Prints `listening on http://127.0.0.1:PORT` as its first line on stdout, then serves
until it is killed.

OPTIONS:
    --listen ADDR            Address to listen on, loopback only [default: 127.0.0.1:0,
                             a free port]
    --data-dir DIR           Keep buckets, objects, metadata, ACLs, CORS rules and
                             multipart uploads in progress (with their parts) in DIR,
                             so that a restart loses nothing [default: in memory]
    --secret-id ID           A SecretId whose signatures are accepted; repeat with
                             --secret-key for several credentials (paired in order)
    --secret-key KEY         The SecretKey of the preceding --secret-id
    --security-token TOKEN   A security token the preceding credential's requests must
                             carry (x-cos-security-token, signed or not)
    --region REGION          Region of buckets created through hosts that name none
                             [default: ap-guangzhou]
    --bucket NAME-APPID      Create this bucket at start (repeatable)
    --allowed-skew SECS      How far in the future a signature's key time may start
                             [default: 900]
    --workers N              Requests handled at once, 1 to 64 (an upload holds a
                             worker while its body arrives; more requests wait for
                             one) [default: 16]
    --fault KIND:ACTION[:WHEN]
                             Inject faults (repeatable):
                               KIND    an operation name as cos-proto and
                                       cos-blocking report it, or * for all:
                                       GetService PutBucket HeadBucket
                                       DeleteBucket GetBucket GetBucketLocation
                                       GetBucketACL PutBucketACL PutObject
                                       GetObject HeadObject DeleteObject
                                       DeleteMultipleObjects PutObjectCopy
                                       GetObjectACL PutObjectACL
                                       InitiateMultipartUpload UploadPart
                                       UploadPartCopy CompleteMultipartUpload
                                       AbortMultipartUpload ListParts
                                       ListMultipartUploads PutBucketCORS
                                       GetBucketCORS DeleteBucketCORS
                                       OptionsObject Unknown
                               ACTION  500      answer 500 InternalError
                                       503      answer 503 SlowDown
                                       reset    break the exchange mid-body: a
                                                download sends half its body, then
                                                the connection closes (client sent
                                                Connection: close) or the chunked
                                                body breaks off (keep-alive); an
                                                upload is half read, then closed
                                                unanswered (Connection: close) or
                                                answered 500 (keep-alive)
                                       delay=MS wait MS milliseconds, then answer
                               WHEN    nth=N    only the Nth matching request
                                       first=N  the first N matching requests
                                       p=P      each with probability P (0..1)
                                       (omitted: every matching request)
                             e.g. --fault UploadPart:503:p=0.3 --fault GetObject:reset:nth=2
    --fault-seed N           Seed of the probabilistic faults [default: 24301]
    -h, --help               Print this help
    -V, --version            Print the version

Clients connect to http://127.0.0.1:PORT, either virtual-hosted (Host:
{bucket}.cos.{region}.myqcloud.com, or any host whose first label is a NAME-APPID
bucket) or path-style (http://127.0.0.1:PORT/{bucket}/{key}).

Implemented: GET Service (by region with Host cos.{region}.myqcloud.com); PUT/HEAD/
DELETE/GET Bucket; bucket location, ACL and CORS; OPTIONS preflight; PUT/GET/HEAD/
DELETE Object, PUT Object - Copy, DELETE Multiple Objects, object ACL; multipart
uploads (Initiate, Upload Part, Upload Part - Copy, Complete, Abort, List Parts, List
Multipart Uploads). A request declaring a body over 5 GiB + 1 MiB is answered
400 EntityTooLarge before its body is read, and the rest is drained through a small
buffer. The HTTP server is tiny_http 0.12 with its thread pool fixed (every connection is
served, however many open at once) and its body drain bounded; see the README's Limits.
";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("cos-emulator: {msg}");
            eprintln!("Try `cos-emulator --help`.");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let mut builder = Emulator::builder();
    let mut pending_id: Option<String> = None;
    let mut last: Option<(String, String)> = None;
    let mut any_credential = false;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(());
            }
            "-V" | "--version" => {
                println!("cos-emulator {}", env!("CARGO_PKG_VERSION"));
                return Ok(());
            }
            "--listen" => {
                let addr: SocketAddr = value()?
                    .parse()
                    .map_err(|_| "--listen: not an IP:PORT address".to_string())?;
                builder = builder.listen(addr);
            }
            "--data-dir" => builder = builder.data_dir(value()?),
            "--secret-id" => {
                builder = flush(builder, &mut last);
                if pending_id.is_some() {
                    return Err("--secret-id must be followed by its --secret-key".into());
                }
                pending_id = Some(value()?);
            }
            "--secret-key" => {
                let id = pending_id
                    .take()
                    .ok_or("--secret-key must follow a --secret-id")?;
                last = Some((id, value()?));
                any_credential = true;
            }
            "--security-token" => {
                let (id, key) = last
                    .take()
                    .ok_or("--security-token must follow a --secret-key")?;
                let token = value()?;
                let creds = cos_proto::Credentials::new(id, key)
                    .and_then(|c| c.with_security_token(token))
                    .map_err(|e| e.to_string())?;
                builder = builder.credentials(creds);
            }
            "--region" => builder = builder.region(&value()?),
            "--bucket" => builder = builder.bucket(&value()?),
            "--allowed-skew" => {
                let secs: u64 = value()?
                    .parse()
                    .map_err(|_| "--allowed-skew: not a number of seconds".to_owned())?;
                builder = builder.allowed_skew(Duration::from_secs(secs));
            }
            "--workers" => {
                let n: usize = value()?
                    .parse()
                    .map_err(|_| "--workers: not a number".to_owned())?;
                builder = builder.workers(n);
            }
            "--fault" => builder = builder.fault(FaultRule::parse(&value()?)?),
            "--fault-seed" => {
                let seed: u64 = value()?
                    .parse()
                    .map_err(|_| "--fault-seed: not a number".to_owned())?;
                builder = builder.fault_seed(seed);
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if pending_id.is_some() {
        return Err("--secret-id must be followed by its --secret-key".into());
    }
    if !any_credential {
        return Err("give at least one --secret-id and --secret-key".into());
    }
    builder = flush(builder, &mut last);
    let emulator = builder.start().map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {}", emulator.url()).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    drop(out);
    loop {
        std::thread::park();
    }
}

/// Adds the credential read last, unless a `--security-token` already did.
fn flush(builder: EmulatorBuilder, last: &mut Option<(String, String)>) -> EmulatorBuilder {
    match last.take() {
        Some((id, key)) => builder.credential(&id, &key),
        None => builder,
    }
}
