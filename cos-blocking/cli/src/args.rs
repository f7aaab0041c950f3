//! The command line, as clap derives it: the global options and one struct per command.
//! Doc comments here are the `--help` texts.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::path::CosPath;

const AFTER_HELP: &str = "\
Remote paths are written cos://BUCKET/KEY (BUCKET is name-appid, e.g. examplebucket-1250000000).

Settings, first found wins: the flags; the environment (COS_SECRET_ID, COS_SECRET_KEY,
COS_SECURITY_TOKEN, COS_REGION, COS_ENDPOINT); the config file (--config PATH, else
$XDG_CONFIG_HOME/cosctl/config.toml or ~/.config/cosctl/config.toml) with lines
`secret_id = \"...\"`, `secret_key = \"...\"`, `security_token = \"...\"`, `region = \"...\"`,
`endpoint = \"...\"`. The key pair (and token) is taken whole from the environment when
COS_SECRET_ID is set there, else from the file.

Errors end with one line on stderr and exit status 1 (2 for a bad command line).";

/// cosctl: Tencent Cloud COS (XML API) from the command line.
#[derive(Debug, Parser)]
#[command(name = "cosctl", version, after_help = AFTER_HELP)]
pub(crate) struct Cli {
    /// Options of every command.
    #[command(flatten)]
    pub(crate) global: Global,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options of every command (they may be given before or after it).
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Connect to this address instead of COS: http://host:port or https://host:port (a
    /// cos-emulator, a proxy); requests keep the bucket's Host header [env: COS_ENDPOINT]
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) endpoint: Option<String>,
    /// The region of the buckets, e.g. ap-guangzhou [env: COS_REGION]
    #[arg(long, global = true, value_name = "REGION")]
    pub(crate) region: Option<String>,
    /// Read settings from this file instead of ~/.config/cosctl/config.toml
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) config: Option<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the buckets, or the objects under cos://BUCKET/PREFIX
    Ls(Ls),
    /// Upload a file, or a directory with -r
    Put(Put),
    /// Download an object, or every object under a prefix with -r
    Get(Get),
    /// Delete an object, or every object under a prefix with -r
    Rm(Rm),
    /// Copy an object on the server (nothing passes through this machine; parts in parallel over 5 GiB)
    Cp(Cp),
    /// Make a bucket
    Mb(Mb),
    /// Remove an empty bucket
    Rb(BucketOnly),
    /// Show the metadata of an object, or the region of a bucket
    Stat(Stat),
    /// Print a pre-signed URL of an object
    Presign(Presign),
    /// Read or set the ACL of a bucket or an object
    #[command(subcommand)]
    Acl(Acl),
    /// Read, set or remove the CORS rules of a bucket
    #[command(subcommand)]
    Cors(Cors),
}

/// `ls`.
#[derive(Debug, Args)]
pub(crate) struct Ls {
    /// cos://BUCKET or cos://BUCKET/PREFIX; without it, the buckets of the account
    pub(crate) path: Option<CosPath>,
    /// List every object under the prefix, not just one level ("directories" end with /)
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// Long format: size in bytes and last-modified time (region and creation time of buckets)
    #[arg(short, long)]
    pub(crate) long: bool,
}

/// `put`.
#[derive(Debug, Args)]
#[command(after_help = "\
A KEY that is empty or ends with / gets the file's name appended. With -r, every file under \
DIR is uploaded to PREFIX + its path relative to DIR (symbolic links to directories are not \
followed). Files over 1 MiB go up in parallel parts; an interrupted upload resumes where it \
stopped when the same command runs again.")]
pub(crate) struct Put {
    /// The file (or with -r, the directory) to upload
    #[arg(value_name = "FILE")]
    pub(crate) src: PathBuf,
    /// cos://BUCKET/KEY (or with -r, cos://BUCKET/PREFIX)
    #[arg(value_name = "DEST")]
    pub(crate) dest: CosPath,
    /// Upload a directory and everything under it
    #[arg(short, long)]
    pub(crate) recursive: bool,
}

/// `get`.
#[derive(Debug, Args)]
#[command(after_help = "\
FILE may be an existing directory (or end with /): the object's name is appended. FILE - \
writes the object to stdout. With -r, PREFIX is taken as a directory (PREFIX/) and every \
object under it is downloaded to DIR + its key relative to it. Large objects come in \
parallel ranges; each file is written to a temporary name beside it and renamed when \
complete and its CRC64 checked, and an interrupted download resumes when the same command \
runs again.")]
pub(crate) struct Get {
    /// cos://BUCKET/KEY (or with -r, cos://BUCKET/PREFIX)
    #[arg(value_name = "SRC")]
    pub(crate) src: CosPath,
    /// The file (or with -r, the directory) to write
    #[arg(value_name = "FILE")]
    pub(crate) dest: PathBuf,
    /// Download every object under the prefix
    #[arg(short, long)]
    pub(crate) recursive: bool,
}

/// `rm`.
#[derive(Debug, Args)]
#[command(after_help = "\
rm -r cos://BUCKET/photos deletes photos/ and everything under it (not photos-old/...); \
rm --prefix cos://BUCKET/photos deletes every key that starts with photos. Each deleted \
object is printed.")]
pub(crate) struct Rm {
    /// cos://BUCKET/KEY (or with -r, cos://BUCKET/DIR; with --prefix, cos://BUCKET/PREFIX)
    pub(crate) path: CosPath,
    /// Delete the "directory" DIR/ and every object under it
    #[arg(short, long, conflicts_with = "prefix")]
    pub(crate) recursive: bool,
    /// Delete every object whose key starts with PREFIX
    #[arg(long)]
    pub(crate) prefix: bool,
}

/// `cp`.
#[derive(Debug, Args)]
#[command(after_help = "A DEST key that is empty or ends with / gets the source's name appended.")]
pub(crate) struct Cp {
    /// cos://BUCKET/KEY to copy
    pub(crate) src: CosPath,
    /// cos://BUCKET/KEY of the copy (the bucket may differ; same region)
    pub(crate) dest: CosPath,
}

/// `mb`.
#[derive(Debug, Args)]
pub(crate) struct Mb {
    /// cos://BUCKET
    pub(crate) bucket: CosPath,
    /// A canned ACL: private, public-read, public-read-write, authenticated-read
    #[arg(long, value_name = "ACL")]
    pub(crate) acl: Option<String>,
}

/// A command on a bucket only.
#[derive(Debug, Args)]
pub(crate) struct BucketOnly {
    /// cos://BUCKET
    pub(crate) bucket: CosPath,
}

/// `stat`.
#[derive(Debug, Args)]
pub(crate) struct Stat {
    /// cos://BUCKET/KEY, or cos://BUCKET
    pub(crate) path: CosPath,
}

/// `presign`.
#[derive(Debug, Args)]
pub(crate) struct Presign {
    /// cos://BUCKET/KEY
    pub(crate) path: CosPath,
    /// Seconds the URL is valid
    #[arg(long, default_value_t = 900, value_name = "SECONDS")]
    pub(crate) expires: u64,
    /// The HTTP method the URL is for (GET, PUT, HEAD, DELETE)
    #[arg(long, default_value = "GET")]
    pub(crate) method: String,
}

/// `acl get|set`.
#[derive(Debug, Subcommand)]
pub(crate) enum Acl {
    /// Print the owner and the grants of cos://BUCKET or cos://BUCKET/KEY
    Get(AclGet),
    /// Set a canned ACL and/or grants (replacing the ACL)
    Set(AclSet),
}

/// `acl get`.
#[derive(Debug, Args)]
pub(crate) struct AclGet {
    /// cos://BUCKET (the bucket's ACL) or cos://BUCKET/KEY (the object's)
    pub(crate) path: CosPath,
}

/// `acl set`.
#[derive(Debug, Args)]
#[command(after_help = "\
Grants are lists like id=\"qcs::cam::uin/100000000001:uin/100000000001\" (comma separated).
At least one of CANNED and the --grant-* options is needed.")]
pub(crate) struct AclSet {
    /// cos://BUCKET (the bucket's ACL) or cos://BUCKET/KEY (the object's)
    pub(crate) path: CosPath,
    /// A canned ACL: private, public-read (buckets also public-read-write, objects also default)
    pub(crate) canned: Option<String>,
    /// x-cos-grant-read
    #[arg(long, value_name = "GRANTEES")]
    pub(crate) grant_read: Option<String>,
    /// x-cos-grant-write (buckets only)
    #[arg(long, value_name = "GRANTEES")]
    pub(crate) grant_write: Option<String>,
    /// x-cos-grant-read-acp
    #[arg(long, value_name = "GRANTEES")]
    pub(crate) grant_read_acp: Option<String>,
    /// x-cos-grant-write-acp
    #[arg(long, value_name = "GRANTEES")]
    pub(crate) grant_write_acp: Option<String>,
    /// x-cos-grant-full-control
    #[arg(long, value_name = "GRANTEES")]
    pub(crate) grant_full_control: Option<String>,
}

/// `cors get|set|rm`.
#[derive(Debug, Subcommand)]
pub(crate) enum Cors {
    /// Print the CORS rules of cos://BUCKET, one line per rule
    Get(BucketOnly),
    /// Set one CORS rule on cos://BUCKET (replacing the rules, or added to them with --append)
    Set(CorsSet),
    /// Remove every CORS rule of cos://BUCKET
    Rm(BucketOnly),
}

/// `cors set`.
#[derive(Debug, Args)]
pub(crate) struct CorsSet {
    /// cos://BUCKET
    pub(crate) bucket: CosPath,
    /// An allowed origin (scheme, host and port; * wildcards allowed); repeatable
    #[arg(long = "origin", value_name = "ORIGIN", required = true)]
    pub(crate) origins: Vec<String>,
    /// An allowed method: GET, PUT, HEAD, POST, DELETE; repeatable
    #[arg(long = "method", value_name = "METHOD", required = true)]
    pub(crate) methods: Vec<String>,
    /// A request header allowed (* for any); repeatable
    #[arg(long = "header", value_name = "HEADER")]
    pub(crate) headers: Vec<String>,
    /// A response header the browser may read; repeatable
    #[arg(long = "expose", value_name = "HEADER")]
    pub(crate) expose: Vec<String>,
    /// Seconds a browser may cache the preflight answer
    #[arg(long, value_name = "SECONDS")]
    pub(crate) max_age: Option<u64>,
    /// The rule's ID
    #[arg(long)]
    pub(crate) id: Option<String>,
    /// Keep the bucket's rules and add this one
    #[arg(long)]
    pub(crate) append: bool,
}

/// Reports a command line clap could not parse in one line (help and version are printed
/// in full, with status 0).
pub(crate) fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    // The message is the text before the usage (its continuation lines included).
    let rendered = e.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
        .collect();
    let message = message.join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    eprintln!("cosctl: {message} (see cosctl --help)");
    ExitCode::from(2)
}
