//! SHA-1 and HMAC-SHA1 (RFC 2104) on RustCrypto's SHA-1 block function, for signing.
//!
//! The `sha1` crate does the compression (with the CPU's SHA instructions where present);
//! this module only pads, chains and keys. Working on the bare 20-byte state lets a
//! [`HmacKey`] hold its two pre-keyed states and sign a string with exactly the block
//! compressions the data needs, without cloning a hasher. Checked against RFC 2202 and the
//! `hmac` crate in the tests. A [`Sha1Stream`] hashes text while it is written, one block
//! buffer at a time, so the FormatString is never kept.

use sha1::block_api::compress;

use crate::encode::{CHUNK, Chunk, Out, load_chunk};

const IV: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];
const BLOCK: usize = 64;

/// The SHA-1 digest of `data`.
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    let mut hash = Sha1Stream::new();
    hash.update_whole(data);
    hash.finish()
}

/// SHA-1 fed piece by piece: the bytes wait in a block buffer, which is compressed as soon
/// as it is full.
#[derive(Clone)]
pub(crate) struct Sha1Stream {
    state: [u32; 5],
    /// The block being filled, and room for a whole block more, so that any write of up to
    /// 64 bytes is one copy.
    buf: [u8; 2 * BLOCK],
    /// Bytes waiting in `buf`, always fewer than 64 between writes.
    fill: usize,
    /// Bytes compressed into `state` (a multiple of 64).
    absorbed: u64,
}

impl Sha1Stream {
    /// A hash of nothing yet.
    #[inline(always)]
    pub(crate) fn new() -> Self {
        Sha1Stream::resume(IV, 0)
    }

    /// A hash continuing from `state`, which has absorbed `absorbed` bytes (a multiple of
    /// 64).
    #[inline(always)]
    fn resume(state: [u32; 5], absorbed: u64) -> Self {
        Sha1Stream {
            state,
            buf: [0; 2 * BLOCK],
            fill: 0,
            absorbed,
        }
    }

    /// Hashes `data` after what came before.
    #[inline(always)]
    pub(crate) fn update(&mut self, data: &[u8]) {
        if data.len() <= 2 * CHUNK {
            // Short text (a header name): one or two chunk stores, no `memcpy`.
            let (chunk, n) = load_chunk(data, 0, 0);
            self.write_chunk(chunk, n);
            if data.len() > CHUNK {
                let (chunk, n) = load_chunk(data, CHUNK, 0);
                self.write_chunk(chunk, n);
            }
            return;
        }
        for piece in data.chunks(BLOCK) {
            self.buf[self.fill..self.fill + piece.len()].copy_from_slice(piece);
            self.fill += piece.len();
            if self.fill >= BLOCK {
                self.compress_block();
            }
        }
    }

    /// Hashes `data`, its whole blocks straight from it (the buffer must be empty): for
    /// a message at hand in one piece.
    fn update_whole(&mut self, data: &[u8]) {
        debug_assert_eq!(self.fill, 0);
        let (blocks, rest) = data.as_chunks::<BLOCK>();
        compress(&mut self.state, blocks);
        self.absorbed += (blocks.len() * BLOCK) as u64;
        self.update(rest);
    }

    /// Hashes the first `n` bytes of `chunk` with one store of the whole chunk: the bytes
    /// after them are overwritten by the next write.
    #[inline(always)]
    fn write_chunk(&mut self, chunk: Chunk, n: usize) {
        self.buf[self.fill..self.fill + CHUNK].copy_from_slice(&chunk);
        self.fill += n.min(CHUNK);
        if self.fill >= BLOCK {
            self.compress_block();
        }
    }

    /// Compresses the full block and moves what was written past it to the front: at most
    /// a chunk's worth after a chunk store, moved as one word.
    #[inline(always)]
    fn compress_block(&mut self) {
        compress(&mut self.state, &self.buf.as_chunks::<BLOCK>().0[..1]);
        self.absorbed += BLOCK as u64;
        self.fill -= BLOCK;
        if self.fill <= CHUNK {
            let (spill, _) = load_chunk(&self.buf, BLOCK, 0);
            self.buf[..CHUNK].copy_from_slice(&spill);
        } else {
            self.buf.copy_within(BLOCK..BLOCK + self.fill, 0);
        }
    }

    /// The digest of everything hashed: the padding (0x80, zeros, the bit length) is
    /// written in the buffer itself, one block, or two when fewer than 9 bytes of the first
    /// are free.
    pub(crate) fn finish(mut self) -> [u8; 20] {
        let bits = (self.absorbed + self.fill as u64) * 8;
        let blocks = if self.fill < BLOCK - 8 { 1 } else { 2 };
        let end = blocks * BLOCK;
        self.buf[self.fill] = 0x80;
        self.buf[self.fill + 1..end - 8].fill(0);
        self.buf[end - 8..end].copy_from_slice(&bits.to_be_bytes());
        compress(&mut self.state, &self.buf.as_chunks::<BLOCK>().0[..blocks]);
        let mut out = [0u8; 20];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

impl Out for Sha1Stream {
    #[inline(always)]
    fn put_str(&mut self, s: &str) {
        self.update(s.as_bytes());
    }

    #[inline(always)]
    fn put_chunk(&mut self, chunk: Chunk, n: usize) {
        self.write_chunk(chunk, n);
    }
}

/// An HMAC-SHA1 key, reduced to the hash states after its inner and outer padded blocks.
#[derive(Clone, Copy)]
pub(crate) struct HmacKey {
    inner: [u32; 5],
    outer: [u32; 5],
}

impl HmacKey {
    /// Keys HMAC-SHA1 with `key` (any length; longer than a block is hashed first).
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut block = [0u8; BLOCK];
        if key.len() > BLOCK {
            block[..20].copy_from_slice(&sha1(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let keyed = |pad: u8| {
            let mut b = block;
            for x in &mut b {
                *x ^= pad;
            }
            let mut state = IV;
            compress(&mut state, &[b]);
            state
        };
        HmacKey {
            inner: keyed(0x36),
            outer: keyed(0x5c),
        }
    }

    /// HMAC-SHA1 of `msg`.
    pub(crate) fn sign(&self, msg: &[u8]) -> [u8; 20] {
        let mut inner = self.start();
        inner.update_whole(msg);
        self.finish(inner)
    }

    /// The inner hash, to write the message into.
    pub(crate) fn start(&self) -> Sha1Stream {
        Sha1Stream::resume(self.inner, BLOCK as u64)
    }

    /// HMAC-SHA1 of the message written into `inner` (from [`HmacKey::start`]).
    pub(crate) fn finish(&self, inner: Sha1Stream) -> [u8; 20] {
        let mut outer = Sha1Stream::resume(self.outer, BLOCK as u64);
        outer.update(&inner.finish());
        outer.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, KeyInit, Mac};
    use sha1::Digest;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn rfc2202_vectors() {
        let cases: [(&[u8], &[u8], &str); 4] = [
            (
                &[0x0b; 20],
                b"Hi There",
                "b617318655057264e28bc0b6fb378c8ef146be00",
            ),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            ),
            (
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "aa4ae5e15272d00e95705637ce8a3b55ed402112",
            ),
            (
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
                "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
            ),
        ];
        for (key, msg, want) in cases {
            assert_eq!(hex(&HmacKey::new(key).sign(msg)), want);
        }
    }

    #[test]
    fn agrees_with_the_rustcrypto_crates_at_every_length() {
        for len in 0..200usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            assert_eq!(
                sha1(&data)[..],
                sha1::Sha1::digest(&data)[..],
                "sha1 of {len} bytes"
            );
            // Streamed in pieces of every size, and byte by byte.
            for piece in [1, 3, 7, 8, 9, 17, 63, 64, 65] {
                let mut stream = Sha1Stream::new();
                for chunk in data.chunks(piece) {
                    stream.update(chunk);
                }
                assert_eq!(
                    stream.finish()[..],
                    sha1::Sha1::digest(&data)[..],
                    "{len} bytes in pieces of {piece}"
                );
            }
            // In chunk stores of 1 to 8 bytes, crossing the block ends at every offset.
            for first in 1..=CHUNK {
                let mut stream = Sha1Stream::new();
                let (mut at, mut n) = (0, first);
                while at < len {
                    let (chunk, got) = crate::encode::load_chunk(&data, at, 0xaa);
                    stream.write_chunk(chunk, n.min(got));
                    at += n.min(got);
                    n = n % CHUNK + 1;
                }
                assert_eq!(
                    stream.finish()[..],
                    sha1::Sha1::digest(&data)[..],
                    "{len} bytes in chunks from {first}"
                );
            }
            for key_len in [0, 20, 40, 64, 65, 100] {
                let key = &data[..key_len.min(len)];
                let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).expect("any key");
                mac.update(&data);
                assert_eq!(
                    HmacKey::new(key).sign(&data)[..],
                    mac.finalize().into_bytes()[..],
                    "hmac, key {key_len}, data {len}"
                );
            }
        }
    }
}
