//! A process that runs one `slice_upload_file` and can be killed mid-way: the resume tests
//! start it, kill it, and continue its upload from the parent.
//!
//! Usage: `upload-child ADDRESS BUCKET REGION KEY FILE RESUME_DIR CHUNK_SIZE`, with the
//! emulator test credential (`AKIDblockingtest`). Prints `done {etag}` on success.

use std::process::ExitCode;

use cos_blocking::proto::Scheme;
use cos_blocking::proto::ops::object::PutObject;
use cos_blocking::{Client, Config, SliceUploadFile, UploadBody};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [address, bucket, region, key, file, resume_dir, chunk] = args.as_slice() else {
        eprintln!("usage: upload-child ADDRESS BUCKET REGION KEY FILE RESUME_DIR CHUNK_SIZE");
        return ExitCode::from(2);
    };
    let Ok(chunk) = chunk.parse::<u64>() else {
        eprintln!("CHUNK_SIZE must be a number");
        return ExitCode::from(2);
    };
    let client = Client::builder()
        .secret("AKIDblockingtest", "blocking-secret-key")
        .config(
            Config::default()
                .protocol(Scheme::Http)
                .connect_address(address.as_str())
                .resume_dir(resume_dir.as_str())
                .chunk_size(chunk)
                .chunk_parallel_limit(2),
        )
        .build();
    let client = match client {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let params = SliceUploadFile {
        object: PutObject {
            bucket: bucket.clone(),
            region: region.clone(),
            key: key.clone(),
            ..PutObject::default()
        },
        body: UploadBody::path(file),
        ..SliceUploadFile::default()
    };
    match client.slice_upload_file(params) {
        Ok(out) => {
            println!("done {}", out.etag);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
