//! `put` and `get`: files and directories to and from COS.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use cos_blocking::proto::ops::object::{GetObject, PutObject};
use cos_blocking::{Download, DownloadFile, Progress, SliceUploadFile, UploadBody, UploadFiles};

use super::{Ctx, is_not_found, list, need_key, not_found, out};
use crate::args::{Get, Put};
use crate::fail::{Fail, Result};
use crate::path::CosPath;
use crate::progress::{Aggregate, bar};

/// `put FILE cos://BUCKET/KEY`, or `put -r DIR cos://BUCKET/PREFIX`.
pub(super) fn put(ctx: &Ctx, args: &Put) -> Result {
    let src = &args.src;
    let meta = fs::metadata(src).map_err(|e| Fail::io(src, &e))?;
    if meta.is_dir() {
        if !args.recursive {
            return Err(Fail::new(format!(
                "{} is a directory (put -r uploads a directory)",
                src.display()
            )));
        }
        return put_dir(ctx, args);
    }
    let key = if args.dest.is_dir_like() {
        format!("{}{}", args.dest.key, file_name(src)?)
    } else {
        args.dest.key.clone()
    };
    let bar = bar(meta.len(), "uploading", true);
    let on_progress = |p: &Progress| bar.set_position(p.loaded);
    let uploaded = ctx.client.slice_upload_file(SliceUploadFile {
        object: put_object(ctx, &args.dest.bucket, key.clone())?,
        body: UploadBody::path(src),
        on_progress: Some(&on_progress),
        ..SliceUploadFile::default()
    });
    bar.finish_and_clear();
    let uploaded = uploaded?;
    out(format_args!(
        "uploaded {} -> {} ({} bytes)",
        src.display(),
        args.dest.with_key(key),
        uploaded.size
    ))
}

/// `put -r`: every file under the directory, a few at a time, with one bar.
fn put_dir(ctx: &Ctx, args: &Put) -> Result {
    let files = walk(&args.src)?;
    let prefix = args.dest.dir_prefix();
    let total = files.iter().map(|f| f.size).sum();
    let mut items = Vec::with_capacity(files.len());
    for f in &files {
        items.push(SliceUploadFile {
            object: put_object(ctx, &args.dest.bucket, format!("{prefix}{}", f.relative))?,
            body: UploadBody::path(&f.path),
            ..SliceUploadFile::default()
        });
    }
    let bar = bar(total, "uploading", true);
    let on_progress = |p: &Progress| bar.set_position(p.loaded);
    let results = ctx.client.upload_files(UploadFiles {
        files: items,
        on_progress: Some(&on_progress),
        ..UploadFiles::default()
    });
    bar.finish_and_clear();
    let mut failed = Vec::new();
    for (f, result) in files.iter().zip(results) {
        match result {
            Ok(o) => out(format_args!(
                "uploaded {} -> {} ({} bytes)",
                f.path.display(),
                args.dest.with_key(o.key),
                o.size
            ))?,
            Err(e) => failed.push((f.path.display().to_string(), e.to_string())),
        }
    }
    summarize(&failed, files.len(), "files")
}

/// Fails with the first of `failed` when there are any.
fn summarize(failed: &[(String, String)], count: usize, what: &str) -> Result {
    match failed.first() {
        None => Ok(()),
        Some((name, why)) => Err(Fail::new(format!(
            "{} of {count} {what} failed; the first, {name}: {why}",
            failed.len()
        ))),
    }
}

fn put_object(ctx: &Ctx, bucket: &str, key: String) -> Result<PutObject> {
    Ok(PutObject {
        bucket: bucket.to_owned(),
        region: ctx.region()?,
        key,
        ..PutObject::default()
    })
}

/// A file found under a directory.
struct LocalFile {
    path: PathBuf,
    /// Its path under the directory, `/`-separated.
    relative: String,
    size: u64,
}

/// The files under `root` (following symbolic links to files, not to directories), in
/// order of their relative paths.
fn walk(root: &Path) -> Result<Vec<LocalFile>> {
    let mut files = Vec::new();
    let mut dirs = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, under)) = dirs.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| Fail::io(&dir, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Fail::io(&dir, &e))?;
            let path = entry.path();
            let name = file_name(&path)?.to_owned();
            let kind = entry.file_type().map_err(|e| Fail::io(&path, &e))?;
            if kind.is_dir() {
                dirs.push((path, format!("{under}{name}/")));
                continue;
            }
            let meta = fs::metadata(&path).map_err(|e| Fail::io(&path, &e))?;
            if meta.is_file() {
                files.push(LocalFile {
                    relative: format!("{under}{name}"),
                    size: meta.len(),
                    path,
                });
            }
        }
    }
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(files)
}

fn file_name(path: &Path) -> Result<&str> {
    path.file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Fail::new(format!("{}: the name is not UTF-8", path.display())))
}

/// `get cos://BUCKET/KEY FILE`, or `get -r cos://BUCKET/PREFIX DIR`.
pub(super) fn get(ctx: &Ctx, args: &Get) -> Result {
    if args.recursive {
        return get_tree(ctx, args);
    }
    need_key(&args.src, " (get -r downloads every object under a prefix)")?;
    let op = get_object(ctx, &args.src)?;
    if args.dest == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        ctx.client
            .get_object_into(&op, Download::to_writer(&mut stdout))?;
        return stdout.flush().map_err(|e| Fail::stdout(&e));
    }
    let into_dir = args.dest.is_dir() || args.dest.as_os_str().to_string_lossy().ends_with('/');
    let dest = if into_dir {
        let name = args.src.base_name();
        if name.is_empty() {
            return Err(Fail::new(format!(
                "{} ends with /: give a file name to write it to",
                args.src
            )));
        }
        args.dest.join(name)
    } else {
        args.dest.clone()
    };
    let bar = bar(0, "downloading", true);
    let on_progress = |p: &Progress| {
        bar.set_length(p.total);
        bar.set_position(p.loaded);
    };
    let size = download(ctx, &op, &dest, &on_progress);
    bar.finish_and_clear();
    out(format_args!(
        "downloaded {} -> {} ({} bytes)",
        args.src,
        dest.display(),
        size?
    ))
}

/// `get -r`: every object under the prefix (as a directory), a few at a time.
fn get_tree(ctx: &Ctx, args: &Get) -> Result {
    let dir = args.src.with_key(args.src.dir_prefix());
    let objects = list::objects(ctx, &dir)?;
    if objects.is_empty() {
        return Err(Fail::new(format!("no objects under {dir}")));
    }
    let mut jobs = Vec::new();
    for o in &objects {
        let relative = &o.key[dir.key.len()..];
        let local = local_path(&args.dest, relative).ok_or_else(|| {
            Fail::new(format!(
                "{} cannot be written under {}: its key has an empty, . or .. segment",
                dir.with_key(o.key.clone()),
                args.dest.display()
            ))
        })?;
        if relative.is_empty() || relative.ends_with('/') {
            // A "directory" object: make the directory.
            fs::create_dir_all(&local).map_err(|e| Fail::io(&local, &e))?;
            continue;
        }
        if let Some(parent) = local.parent() {
            fs::create_dir_all(parent).map_err(|e| Fail::io(parent, &e))?;
        }
        jobs.push((dir.with_key(o.key.clone()), local, o.size));
    }

    let total = jobs.iter().map(|j| j.2).sum();
    let bars = Aggregate::new(jobs.len(), total, "downloading");
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<u64>>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    let threads = ctx
        .client
        .config()
        .get_file_parallel_limit()
        .clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((src, local, _)) = jobs.get(i) else {
                        break;
                    };
                    let on_progress = |p: &Progress| bars.update(i, p);
                    let result =
                        get_object(ctx, src).and_then(|op| download(ctx, &op, local, &on_progress));
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    bars.finish();
    let mut failed = Vec::new();
    for ((src, local, _), result) in jobs.iter().zip(results) {
        let result = result
            .into_inner()
            .ok()
            .flatten()
            .unwrap_or_else(|| Err(Fail::new("not downloaded")));
        match result {
            Ok(size) => out(format_args!(
                "downloaded {src} -> {} ({size} bytes)",
                local.display()
            ))?,
            Err(e) => failed.push((src.to_string(), e.message().to_owned())),
        }
    }
    summarize(&failed, jobs.len(), "objects")
}

/// `dest` joined with the `/`-separated `relative`, unless a segment is empty, `.` or
/// `..` (a key must not write outside `dest`). A trailing `/` is allowed.
fn local_path(dest: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = dest.to_path_buf();
    let trimmed = relative.strip_suffix('/').unwrap_or(relative);
    if trimmed.is_empty() {
        return Some(path);
    }
    for segment in trimmed.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

fn get_object(ctx: &Ctx, path: &CosPath) -> Result<GetObject> {
    Ok(GetObject {
        bucket: path.bucket.clone(),
        region: ctx.region()?,
        key: path.key.clone(),
        ..GetObject::default()
    })
}

/// Downloads one object to `dest` with parallel ranged GETs (downloadFile: into a
/// temporary file beside it, renamed when complete and CRC64-checked; an interrupted
/// download resumes); returns its size.
fn download(
    ctx: &Ctx,
    op: &GetObject,
    dest: &Path,
    on_progress: &(dyn Fn(&Progress) + Sync),
) -> Result<u64> {
    let out = ctx.client.download_file(DownloadFile {
        object: op.clone(),
        path: dest.to_path_buf(),
        on_progress: Some(on_progress),
        ..DownloadFile::default()
    });
    match out {
        Ok(out) => Ok(out.size),
        Err(e) if is_not_found(&e) => {
            let path = CosPath {
                bucket: op.bucket.clone(),
                key: op.key.clone(),
            };
            Err(not_found(ctx, &path))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_leave_the_destination() {
        let dest = Path::new("/d");
        let ok = [
            ("a.txt", "/d/a.txt"),
            ("x/y/z.bin", "/d/x/y/z.bin"),
            ("x/", "/d/x"),
            ("", "/d"),
            ("..a/b..", "/d/..a/b.."),
        ];
        for (relative, want) in ok {
            assert_eq!(
                local_path(dest, relative),
                Some(PathBuf::from(want)),
                "{relative}"
            );
        }
        for relative in ["../x", "a/../../x", "a//b", "./a", "a/.", "/abs", "a/.."] {
            assert_eq!(local_path(dest, relative), None, "{relative}");
        }
    }
}
