//! SHA-1 and HMAC-SHA1 (RFC 2104) on RustCrypto's SHA-1 block function, for signing.
//!
//! The `sha1` crate does the compression (with the CPU's SHA instructions where present);
//! this module only pads, chains and keys. Working on the bare 20-byte state lets a
//! [`HmacKey`] hold its two pre-keyed states and sign a string with exactly the block
//! compressions the data needs, without cloning a hasher. Checked against RFC 2202 and the
//! `hmac` crate in the tests. A [`Sha1Stream`] hashes text while it is written, one block
//! buffer at a time, so the FormatString is never kept.

use sha1::block_api::compress;

use crate::encode::Out;

const IV: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];
const BLOCK: usize = 64;

/// The SHA-1 of `data`, continuing from `state`, which has already absorbed `absorbed` bytes
/// (a multiple of 64).
fn finish(mut state: [u32; 5], absorbed: u64, data: &[u8]) -> [u8; 20] {
    let (blocks, rest) = data.as_chunks::<BLOCK>();
    compress(&mut state, blocks);
    // The rest, 0x80, zeros, and the bit length: one block, or two when the rest is long.
    let mut tail = [[0u8; BLOCK]; 2];
    let n = if rest.len() < BLOCK - 8 { 1 } else { 2 };
    let flat = tail.as_flattened_mut();
    flat[..rest.len()].copy_from_slice(rest);
    flat[rest.len()] = 0x80;
    let bits = (absorbed + data.len() as u64) * 8;
    flat[n * BLOCK - 8..n * BLOCK].copy_from_slice(&bits.to_be_bytes());
    compress(&mut state, &tail[..n]);
    let mut out = [0u8; 20];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// The SHA-1 digest of `data`.
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    finish(IV, 0, data)
}

/// SHA-1 fed piece by piece: bytes wait in one block buffer, which is compressed as soon as
/// it is full.
#[derive(Clone)]
pub(crate) struct Sha1Stream {
    state: [u32; 5],
    block: [u8; BLOCK],
    /// Bytes waiting in `block`, always fewer than 64.
    fill: usize,
    /// Bytes compressed into `state` (a multiple of 64).
    absorbed: u64,
}

impl Sha1Stream {
    /// A hash of nothing yet.
    pub(crate) fn new() -> Self {
        Sha1Stream {
            state: IV,
            block: [0; BLOCK],
            fill: 0,
            absorbed: 0,
        }
    }

    /// Hashes `data` after what came before.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.absorb(data, |_| {});
    }

    /// Hashes `data` with its ASCII letters lower-cased.
    pub(crate) fn update_lower(&mut self, data: &[u8]) {
        self.absorb(data, <[u8]>::make_ascii_lowercase);
    }

    /// Copies `data` into the block buffer, `fix`ing each piece there, and compresses every
    /// block it fills.
    fn absorb(&mut self, mut data: &[u8], fix: impl Fn(&mut [u8])) {
        while !data.is_empty() {
            let n = data.len().min(BLOCK - self.fill);
            let piece = &mut self.block[self.fill..self.fill + n];
            piece.copy_from_slice(&data[..n]);
            fix(piece);
            self.fill += n;
            data = &data[n..];
            if self.fill == BLOCK {
                self.compress_block();
            }
        }
    }

    /// Hashes one byte.
    #[inline]
    pub(crate) fn push(&mut self, b: u8) {
        self.block[self.fill] = b;
        self.fill += 1;
        if self.fill == BLOCK {
            self.compress_block();
        }
    }

    fn compress_block(&mut self) {
        compress(&mut self.state, std::slice::from_ref(&self.block));
        self.absorbed += BLOCK as u64;
        self.fill = 0;
    }

    /// The digest of everything hashed.
    pub(crate) fn finish(&self) -> [u8; 20] {
        finish(self.state, self.absorbed, &self.block[..self.fill])
    }
}

impl Out for Sha1Stream {
    fn put_str(&mut self, s: &str) {
        self.update(s.as_bytes());
    }

    #[inline]
    fn put_ascii(&mut self, b: u8) {
        self.push(b);
    }

    fn put_lower(&mut self, s: &str) {
        self.update_lower(s.as_bytes());
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
        let inner = finish(self.inner, BLOCK as u64, msg);
        finish(self.outer, BLOCK as u64, &inner)
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
            for piece in [1, 3, 63, 64, 65] {
                let mut stream = Sha1Stream::new();
                for chunk in data.chunks(piece) {
                    match chunk {
                        [b] => stream.push(*b),
                        _ => stream.update(chunk),
                    }
                }
                assert_eq!(
                    stream.finish(),
                    sha1(&data),
                    "{len} bytes in pieces of {piece}"
                );
            }
            let mut lower = Sha1Stream::new();
            lower.update_lower(&data);
            assert_eq!(
                lower.finish(),
                sha1(&data.to_ascii_lowercase()),
                "lower, {len} bytes"
            );
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
