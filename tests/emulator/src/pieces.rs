//! Object and part data in memory: whole request bodies, shared by windows.
//!
//! Every body kept in memory is read straight into one [`Buffer`] sized from its
//! `Content-Length` (no intermediate copy; no growth up to [`FIRST_MAX`]) and hashed once as
//! it arrives: MD5 for the ETag and CRC-64/XZ. Parts, objects and copies are [`Pieces`]: windows on
//! buffers, in order. Complete joins its parts' windows, Upload Part - Copy and PUT Object -
//! Copy take windows of their source, and GET writes the windows to the socket as they are:
//! no byte is copied in memory after it arrived. A window that spans a whole buffer knows
//! its MD5 and CRC-64 without hashing again; any other window is hashed when a digest is
//! needed (a copy whose range does not match a part of the source). A buffer is freed when
//! the last window on it goes.

use std::io::{self, Read};
use std::sync::Arc;

use cos_proto::plan::crc64_combine;

use crate::store::Digests;

/// The most a single read of a body asks for: the bytes just read are hashed while they are
/// still in cache.
const READ_STEP: usize = 256 << 10;

/// The first allocation for a body of unknown length (chunked); it doubles from there.
const FIRST_UNKNOWN: usize = 64 << 10;

/// The most allocated for a body before any of it arrived (64 MiB): a `Content-Length` is a
/// claim, and a client that declares 5 GiB and sends nothing must not cost 5 GiB.
const FIRST_MAX: usize = 64 << 20;

/// One request body as it arrived, with its digests.
#[derive(Debug)]
struct Buffer {
    bytes: Vec<u8>,
    md5: [u8; 16],
    crc64: u64,
}

/// A window on a [`Buffer`].
#[derive(Debug, Clone)]
struct Piece {
    buf: Arc<Buffer>,
    start: usize,
    len: usize,
}

impl Piece {
    fn bytes(&self) -> &[u8] {
        &self.buf.bytes[self.start..self.start + self.len]
    }

    /// Whether the window is its whole buffer (whose digests are then its own).
    fn is_whole(&self) -> bool {
        self.start == 0 && self.len == self.buf.bytes.len()
    }

    fn crc64(&self) -> u64 {
        if self.is_whole() {
            self.buf.crc64
        } else {
            let mut crc = crc64fast::Digest::new();
            crc.write(self.bytes());
            crc.sum64()
        }
    }
}

/// Bytes in memory: windows on shared buffers, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pieces {
    pieces: Vec<Piece>,
    /// The offset just past each piece.
    ends: Vec<u64>,
}

impl Pieces {
    /// The number of bytes.
    pub(crate) fn len(&self) -> u64 {
        self.ends.last().copied().unwrap_or(0)
    }

    fn push(&mut self, piece: Piece) {
        if piece.len > 0 {
            self.ends.push(self.len() + piece.len as u64);
            self.pieces.push(piece);
        }
    }

    /// Appends the windows of `other` (shared, not copied).
    pub(crate) fn extend(&mut self, other: &Pieces) {
        self.pieces.reserve(other.pieces.len());
        self.ends.reserve(other.pieces.len());
        for piece in &other.pieces {
            self.push(piece.clone());
        }
    }

    /// The bytes `start..start + len` (clamped to the end) as windows on the same buffers.
    pub(crate) fn range(&self, start: u64, len: u64) -> Pieces {
        let end = start.saturating_add(len).min(self.len());
        let mut out = Pieces::default();
        let mut i = self.ends.partition_point(|&e| e <= start);
        while i < self.pieces.len() {
            let piece_start = if i == 0 { 0 } else { self.ends[i - 1] };
            if piece_start >= end {
                break;
            }
            let p = &self.pieces[i];
            // Both within the piece, so they fit in usize.
            let from = (start.max(piece_start) - piece_start) as usize;
            let to = (end.min(self.ends[i]) - piece_start) as usize;
            out.push(Piece {
                buf: Arc::clone(&p.buf),
                start: p.start + from,
                len: to - from,
            });
            i += 1;
        }
        out
    }

    /// The bytes, window by window.
    pub(crate) fn slices(&self) -> impl Iterator<Item = &[u8]> {
        self.pieces.iter().map(Piece::bytes)
    }

    /// Size, MD5 and CRC-64. Known without hashing when the bytes are one whole body; else
    /// the MD5 is computed over the windows and the CRC-64 combined from theirs (hashing
    /// only windows that are part of a body).
    pub(crate) fn digests(&self) -> Digests {
        if let [p] = self.pieces.as_slice()
            && p.is_whole()
        {
            return Digests {
                size: self.len(),
                md5: p.buf.md5,
                crc64: p.buf.crc64,
            };
        }
        let mut md5 = fast_md5::Md5::new();
        let mut crc = 0;
        for p in &self.pieces {
            md5.update(p.bytes());
            crc = crc64_combine(crc, p.crc64(), p.len as u64);
        }
        Digests {
            size: self.len(),
            md5: md5.finalize(),
            crc64: crc,
        }
    }

    /// A reader of the bytes.
    pub(crate) fn reader(self) -> PiecesReader {
        PiecesReader {
            pieces: self,
            index: 0,
            offset: 0,
        }
    }
}

/// Reads [`Pieces`] from the start.
#[derive(Debug)]
pub(crate) struct PiecesReader {
    pieces: Pieces,
    index: usize,
    offset: usize,
}

impl Read for PiecesReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(piece) = self.pieces.pieces.get(self.index) else {
            return Ok(0);
        };
        let rest = &piece.bytes()[self.offset..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.offset += n;
        if self.offset == piece.len {
            self.index += 1;
            self.offset = 0;
        }
        Ok(n)
    }
}

/// Why [`receive`] stopped.
#[derive(Debug)]
pub(crate) enum ReceiveError {
    /// More than the limit arrived.
    TooLarge,
    /// Reading the body failed.
    Io(io::Error),
}

/// Reads the whole of `body` into one buffer — sized to `expected` bytes when the length is
/// known (up front up to [`FIRST_MAX`], a larger one grown towards it as it comes), grown by
/// doubling otherwise — hashing it as it arrives; at most `limit` bytes are accepted.
pub(crate) fn receive(
    body: &mut dyn Read,
    expected: Option<u64>,
    limit: u64,
) -> Result<(Pieces, Digests), ReceiveError> {
    receive_sized(body, expected, limit, FIRST_MAX)
}

/// [`receive`], allocating at most `first_max` bytes before any arrives.
fn receive_sized(
    body: &mut dyn Read,
    expected: Option<u64>,
    limit: u64,
    first_max: usize,
) -> Result<(Pieces, Digests), ReceiveError> {
    let cap = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
    let declared = expected.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX).min(cap));
    let mut bytes = vec![0u8; declared.min(first_max)];
    let mut md5 = fast_md5::Md5::new();
    let mut crc = crc64fast::Digest::new();
    let mut filled = 0usize;
    loop {
        if filled == bytes.len() && filled < declared {
            // A large body: room for more of what it said it has.
            let grown = filled.saturating_mul(2).min(declared);
            bytes.resize(grown, 0);
        } else if filled == bytes.len() {
            // Full: the body should be over. If it is not (no length was given, or more came
            // than it said), grow.
            let mut probe = [0u8; 8 << 10];
            let n = read_some(body, &mut probe)?;
            if n == 0 {
                break;
            }
            let grown = bytes
                .len()
                .saturating_mul(2)
                .max(filled + n)
                .max(FIRST_UNKNOWN)
                .min(cap.max(filled + n));
            bytes.resize(grown, 0);
            bytes[filled..filled + n].copy_from_slice(&probe[..n]);
            md5.update(&probe[..n]);
            crc.write(&probe[..n]);
            filled += n;
        } else {
            let end = bytes.len().min(filled + READ_STEP);
            let n = read_some(body, &mut bytes[filled..end])?;
            if n == 0 {
                break;
            }
            md5.update(&bytes[filled..filled + n]);
            crc.write(&bytes[filled..filled + n]);
            filled += n;
        }
        if filled as u64 > limit {
            return Err(ReceiveError::TooLarge);
        }
    }
    bytes.truncate(filled);
    bytes.shrink_to_fit();
    let buffer = Arc::new(Buffer {
        bytes,
        md5: md5.finalize(),
        crc64: crc.sum64(),
    });
    let digests = Digests {
        size: filled as u64,
        md5: buffer.md5,
        crc64: buffer.crc64,
    };
    let mut pieces = Pieces::default();
    pieces.push(Piece {
        len: filled,
        buf: buffer,
        start: 0,
    });
    Ok((pieces, digests))
}

fn read_some(body: &mut dyn Read, buf: &mut [u8]) -> Result<usize, ReceiveError> {
    loop {
        match body.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReceiveError::Io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::{Digest, Md5};

    fn data(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3] ^ seed)
            .collect()
    }

    fn digests_of(bytes: &[u8]) -> Digests {
        let mut crc = crc64fast::Digest::new();
        crc.write(bytes);
        Digests {
            size: bytes.len() as u64,
            md5: Md5::digest(bytes).into(),
            crc64: crc.sum64(),
        }
    }

    fn bytes_of(p: &Pieces) -> Vec<u8> {
        p.slices().flat_map(<[u8]>::to_vec).collect()
    }

    fn received(bytes: &[u8], expected: Option<u64>) -> Pieces {
        let (p, d) = receive(&mut &bytes[..], expected, 1 << 30).expect("receives");
        assert_eq!(d, digests_of(bytes));
        p
    }

    #[test]
    fn a_body_is_received_whole_with_the_md5_and_crc_of_an_independent_md5() {
        for len in [0, 1, 55, 56, 63, 64, 65, 1000, 300_000] {
            let bytes = data(len, 7);
            for expected in [Some(len as u64), None] {
                let p = received(&bytes, expected);
                assert_eq!(bytes_of(&p), bytes, "{len} {expected:?}");
                assert_eq!(p.digests(), digests_of(&bytes));
            }
        }
        // A body larger than the first allocation grows towards its declared length.
        let big = data(300_000, 4);
        let (p, d) = receive_sized(&mut &big[..], Some(300_000), 1 << 30, 1000).expect("receives");
        assert_eq!((bytes_of(&p), d), (big.clone(), digests_of(&big)));
        // A body longer than it said still arrives whole; the caller compares the lengths.
        let bytes = data(100_000, 1);
        assert_eq!(bytes_of(&received(&bytes, Some(10))), bytes);
        assert!(matches!(
            receive(&mut &bytes[..], None, 99_999),
            Err(ReceiveError::TooLarge)
        ));
    }

    #[test]
    fn ranges_share_the_bytes_and_their_digests_are_those_of_the_bytes() {
        let a = data(1000, 1);
        let b = data(1500, 2);
        let c = data(10, 3);
        let mut whole = Pieces::default();
        for part in [&a, &b, &c] {
            whole.extend(&received(part, Some(part.len() as u64)));
        }
        let joined: Vec<u8> = [a.clone(), b.clone(), c].concat();
        assert_eq!(whole.len(), joined.len() as u64);
        assert_eq!(whole.digests(), digests_of(&joined));
        for (start, len) in [
            (0, 1000),
            (1000, 1500),
            (999, 2),
            (0, 2510),
            (2500, 10),
            (5, 0),
        ] {
            let r = whole.range(start, len);
            let expected = &joined[start as usize..(start + len) as usize];
            assert_eq!(bytes_of(&r), expected, "{start}+{len}");
            assert_eq!(r.digests(), digests_of(expected), "{start}+{len}");
            let mut read = Vec::new();
            r.reader().read_to_end(&mut read).expect("reads");
            assert_eq!(read, expected);
        }
        // A range that is a whole body reuses that body's digests.
        assert!(matches!(whole.range(1000, 1500).pieces.as_slice(), [p] if p.is_whole()));
        assert_eq!(whole.range(2000, 10_000).len(), 510);
    }
}
