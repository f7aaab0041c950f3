use super::*;

const GIB: u64 = 1024 * MIB;

/// The slow, bit-at-a-time CRC-64/XZ: the reference for everything else.
fn crc64(bytes: &[u8]) -> u64 {
    let mut crc = u64::MAX;
    for &b in bytes {
        crc ^= u64::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ CRC64_POLY_REFLECTED
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn crc64fast(bytes: &[u8]) -> u64 {
    let mut digest = crc64fast::Digest::new();
    digest.write(bytes);
    digest.sum64()
}

/// Deterministic pseudo-random bytes (xorshift).
fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn invalid_field(result: Result<PartPlan>) -> String {
    match result {
        Err(Error::InvalidInput { field, .. }) => field.into_owned(),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

// ---- PartPlan ----

#[test]
fn plan_keeps_the_requested_size() {
    let plan = PartPlan::new(10 * MIB + 5, 4 * MIB).expect("a valid plan");
    assert_eq!(plan.total_size(), 10 * MIB + 5);
    assert_eq!(plan.part_size(), 4 * MIB);
    assert_eq!(plan.part_count(), 3);
    assert_eq!(
        plan.parts().collect::<Vec<_>>(),
        vec![
            PartRange {
                number: 1,
                offset: 0,
                len: 4 * MIB
            },
            PartRange {
                number: 2,
                offset: 4 * MIB,
                len: 4 * MIB
            },
            PartRange {
                number: 3,
                offset: 8 * MIB,
                len: 2 * MIB + 5
            },
        ]
    );
    assert_eq!(plan.part(0), None);
    assert_eq!(plan.part(4), None);
    assert_eq!(plan.part(u32::MAX), None);
}

#[test]
fn plan_of_one_byte_and_of_exact_multiples() {
    let plan = PartPlan::new(1, MIB).expect("a valid plan");
    assert_eq!(plan.part_count(), 1);
    assert_eq!(
        plan.part(1),
        Some(PartRange {
            number: 1,
            offset: 0,
            len: 1
        })
    );

    let plan = PartPlan::new(3 * MIB, MIB).expect("a valid plan");
    assert_eq!(plan.part_count(), 3);
    assert_eq!(
        plan.part(3),
        Some(PartRange {
            number: 3,
            offset: 2 * MIB,
            len: MIB
        })
    );

    // A requested size that is not a multiple of MiB is kept when it fits.
    let plan = PartPlan::new(5 * MIB, MIB + 1).expect("a valid plan");
    assert_eq!(plan.part_size(), MIB + 1);
    assert_eq!(plan.part_count(), 5);
    assert_eq!(
        plan.part(5),
        Some(PartRange {
            number: 5,
            offset: 4 * MIB + 4,
            len: MIB - 4
        })
    );
}

#[test]
fn plan_at_ten_thousand_parts_stays() {
    let plan = PartPlan::new(10_000 * MIB, MIB).expect("a valid plan");
    assert_eq!(plan.part_size(), MIB);
    assert_eq!(plan.part_count(), 10_000);
    assert_eq!(
        plan.part(10_000),
        Some(PartRange {
            number: 10_000,
            offset: 9_999 * MIB,
            len: MIB
        })
    );
}

#[test]
fn plan_grows_to_the_next_mib_beyond_ten_thousand_parts() {
    let plan = PartPlan::new(10_000 * MIB + 1, MIB).expect("a valid plan");
    assert_eq!(plan.part_size(), 2 * MIB);
    assert_eq!(plan.part_count(), 5_001);
    assert_eq!(
        plan.part(5_001),
        Some(PartRange {
            number: 5_001,
            offset: 10_000 * MIB,
            len: 1
        })
    );

    // 100 GiB at 1 MiB: ceil(102400 MiB / 10000) = 10.24 MiB → 11 MiB.
    let plan = PartPlan::new(100 * GIB, MIB).expect("a valid plan");
    assert_eq!(plan.part_size(), 11 * MIB);
    assert_eq!(plan.part_count(), 9_310);

    // A larger request than needed is kept.
    let plan = PartPlan::new(100 * GIB, 64 * MIB).expect("a valid plan");
    assert_eq!(plan.part_size(), 64 * MIB);
    assert_eq!(plan.part_count(), 1_600);

    // Growth from a non-MiB request lands on a MiB multiple.
    let plan = PartPlan::new(20_000 * MIB, MIB + 7).expect("a valid plan");
    assert_eq!(plan.part_size(), 2 * MIB);
    assert_eq!(plan.part_count(), 10_000);
}

#[test]
fn plan_of_the_largest_object() {
    assert_eq!(MAX_OBJECT_SIZE, 53_687_091_200_000);
    let plan = PartPlan::new(MAX_OBJECT_SIZE, MIB).expect("a valid plan");
    assert_eq!(plan.part_size(), MAX_PART_SIZE);
    assert_eq!(plan.part_count(), 10_000);
    assert_eq!(
        plan.part(10_000),
        Some(PartRange {
            number: 10_000,
            offset: 9_999 * 5 * GIB,
            len: 5 * GIB
        })
    );
    let plan = PartPlan::new(MAX_OBJECT_SIZE - 1, 5 * GIB).expect("a valid plan");
    assert_eq!(plan.part(10_000).map(|p| p.len), Some(5 * GIB - 1));
    // 49,952 GiB (48.78 TiB): ceil(51,150,848 MiB / 10,000) = 5,115.08 MiB → 5,116 MiB.
    let plan = PartPlan::new(49_952 * GIB, 8 * MIB).expect("a valid plan");
    assert_eq!(plan.part_size(), 5_116 * MIB);
    assert_eq!(plan.part_count(), 9_999);
    assert_eq!(plan.part(9_999).map(|p| p.len), Some(1_132_462_080));
    let sum: u64 = plan.parts().map(|p| p.len).sum();
    assert_eq!(sum, plan.total_size());
}

#[test]
fn plan_rejects_bad_sizes() {
    assert_eq!(
        invalid_field(PartPlan::new(MAX_OBJECT_SIZE + 1, MIB)),
        "Body"
    );
    assert_eq!(
        invalid_field(PartPlan::new(u64::MAX, MAX_PART_SIZE)),
        "Body"
    );
    assert_eq!(invalid_field(PartPlan::new(0, MIB)), "Body");
    assert_eq!(invalid_field(PartPlan::new(10, MIB - 1)), "ChunkSize");
    assert_eq!(invalid_field(PartPlan::new(10, 0)), "ChunkSize");
    assert_eq!(
        invalid_field(PartPlan::new(10, MAX_PART_SIZE + 1)),
        "ChunkSize"
    );
    assert_eq!(invalid_field(PartPlan::new(10, u64::MAX)), "ChunkSize");
    assert!(PartPlan::new(10, MAX_PART_SIZE).is_ok());
}

#[test]
fn plan_parts_tile_the_object() {
    for (total, size) in [
        (1, MIB),
        (MIB, MIB),
        (MIB + 1, MIB),
        (7 * GIB + 3, 5 * GIB),
        (123_456_789_012, 3 * MIB),
    ] {
        let plan = PartPlan::new(total, size).expect("a valid plan");
        let mut next = 0;
        let parts: Vec<_> = plan.parts().collect();
        assert_eq!(parts.len(), plan.part_count() as usize);
        for (i, part) in parts.iter().enumerate() {
            assert_eq!(part.number as usize, i + 1);
            assert_eq!(part.offset, next);
            assert!(part.len > 0 && part.len <= plan.part_size());
            next += part.len;
        }
        assert_eq!(next, total, "{total} in parts of {size}");
        assert!(plan.part_count() <= MAX_PARTS);
    }
}

// ---- CRC-64 ----

#[test]
fn crc64_check_values() {
    assert_eq!(crc64(b"123456789"), 0x995D_C9BB_DF19_39FA);
    assert_eq!(crc64_of(b"123456789"), 0x995D_C9BB_DF19_39FA);
    assert_eq!(crc64fast(b"123456789"), 0x995D_C9BB_DF19_39FA);
    assert_eq!(crc64(b""), 0);
    assert_eq!(crc64(b"1234"), 0xCE4E_8793_66B8_C328);
    assert_eq!(crc64(b"56789"), 0x6971_A807_C348_604B);
    let data = bytes(4099, 7);
    assert_eq!(crc64_of(&data), crc64(&data));
    assert_eq!(crc64fast(&data), crc64(&data));
}

#[test]
fn crc64_combine_of_every_split() {
    let data = bytes(300, 42);
    let whole = crc64(&data);
    for split in 0..=data.len() {
        let (a, b) = data.split_at(split);
        assert_eq!(
            crc64_combine(crc64(a), crc64(b), b.len() as u64),
            whole,
            "split at {split}"
        );
    }
}

#[test]
fn crc64_combine_of_many_parts_against_crc64fast() {
    let data = bytes(70_001, 99);
    let whole = crc64fast(&data);
    for seed in 1..20u64 {
        // Cut the buffer at pseudo-random points, then fold the part CRCs.
        let mut cuts: Vec<usize> = bytes(6, seed)
            .chunks(2)
            .map(|c| usize::from(u16::from_le_bytes([c[0], c[1]])) % data.len())
            .collect();
        cuts.push(0);
        cuts.push(data.len());
        cuts.sort_unstable();
        let mut crc = 0;
        for w in cuts.windows(2) {
            let part = &data[w[0]..w[1]];
            crc = crc64_combine(crc, crc64fast(part), part.len() as u64);
        }
        assert_eq!(crc, whole, "seed {seed} cuts {cuts:?}");
    }
}

#[test]
fn crc64_combine_with_empty_parts() {
    let c = crc64(b"hello");
    assert_eq!(crc64_combine(c, 0, 0), c);
    assert_eq!(crc64_combine(0, c, 5), c);
    assert_eq!(crc64_combine(0, 0, 0), 0);
    assert_eq!(crc64_combine(c, crc64(b""), 0), c);
}

#[test]
fn crc64_combine_of_huge_lengths_does_not_panic() {
    // Zeros: crc(zeros(n)) combined again must match the one-shot CRC of the longer run.
    let z = bytes(0, 0);
    assert!(z.is_empty());
    let zeros = vec![0u8; 4096];
    let c4096 = crc64(&zeros);
    let c2048 = crc64(&zeros[..2048]);
    assert_eq!(crc64_combine(c2048, c2048, 2048), c4096);
    let _ = crc64_combine(u64::MAX, u64::MAX, u64::MAX);
    let _ = crc64_combine(1, 2, MAX_OBJECT_SIZE);
}

// ---- ResumePlan ----

fn md5_of(data: &[u8]) -> [u8; 16] {
    use md5::{Digest, Md5};
    Md5::digest(data).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A 3.5 MiB file in 1 MiB parts, and its parts as the server would list them.
fn resume_fixture() -> (Vec<u8>, PartPlan, Vec<ServerPart>) {
    let data = bytes((3 * MIB + MIB / 2) as usize, 5);
    let plan = PartPlan::new(data.len() as u64, MIB).expect("a valid plan");
    let server = plan
        .parts()
        .map(|p| ServerPart {
            number: p.number,
            size: p.len,
            etag: format!("\"{}\"", hex(&md5_of(slice(&data, p)))),
        })
        .collect();
    (data, plan, server)
}

fn slice(data: &[u8], p: PartRange) -> &[u8] {
    &data[p.offset as usize..(p.offset + p.len) as usize]
}

fn reconcile(plan: &PartPlan, server: &[ServerPart], data: &[u8]) -> (ResumePlan, Vec<u32>) {
    let mut asked = Vec::new();
    let resume = ResumePlan::reconcile(plan, server, |p| {
        asked.push(p.number);
        md5_of(slice(data, p))
    });
    (resume, asked)
}

#[test]
fn resume_reuses_every_matching_part() {
    let (data, plan, server) = resume_fixture();
    let (resume, asked) = reconcile(&plan, &server, &data);
    assert_eq!(asked, vec![1, 2, 3, 4]);
    assert_eq!(resume.upload, Vec::<u32>::new());
    let want: Vec<_> = server.iter().map(|p| (p.number, p.etag.clone())).collect();
    assert_eq!(resume.reuse, want);
}

#[test]
fn resume_reuploads_a_changed_part() {
    let (mut data, plan, server) = resume_fixture();
    data[(MIB + 10) as usize] ^= 1;
    let (resume, asked) = reconcile(&plan, &server, &data);
    assert_eq!(asked, vec![1, 2, 3, 4]);
    assert_eq!(resume.upload, vec![2]);
    assert_eq!(
        resume.reuse.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        vec![1, 3, 4]
    );
}

#[test]
fn resume_skips_wrong_sizes_missing_and_extra_parts() {
    let (data, plan, mut server) = resume_fixture();
    server[0].size -= 1; // part 1: wrong size, its file bytes are never read
    server.remove(2); // part 3: not on the server
    server.push(ServerPart {
        number: 5,
        size: MIB,
        etag: "\"x\"".into(),
    });
    server.push(ServerPart {
        number: 0,
        size: MIB,
        etag: "\"x\"".into(),
    });
    server.reverse(); // any order
    let (resume, asked) = reconcile(&plan, &server, &data);
    assert_eq!(asked, vec![2, 4]);
    assert_eq!(resume.upload, vec![1, 3]);
    assert_eq!(
        resume.reuse,
        vec![(2, server[3].etag.clone()), (4, server[2].etag.clone())]
    );
}

#[test]
fn resume_compares_etags_without_quotes_and_case() {
    let (data, plan, mut server) = resume_fixture();
    server[0].etag = server[0].etag.trim_matches('"').to_string();
    server[1].etag = server[1].etag.to_uppercase();
    server[2].etag = format!("{}-1", server[2].etag); // not an MD5
    server[3].etag = String::new();
    let (resume, _) = reconcile(&plan, &server, &data);
    assert_eq!(
        resume.reuse,
        vec![(1, server[0].etag.clone()), (2, server[1].etag.clone())]
    );
    assert_eq!(resume.upload, vec![3, 4]);
}

#[test]
fn resume_with_duplicate_listings_reads_each_part_once() {
    let (data, plan, mut server) = resume_fixture();
    server.push(server[1].clone());
    let (resume, asked) = reconcile(&plan, &server, &data);
    assert_eq!(asked, vec![1, 2, 3, 4]);
    assert_eq!(resume.reuse.len(), 4);
    assert!(resume.upload.is_empty());
}

#[test]
fn server_part_from_list_parts() {
    let part = Part {
        part_number: 3,
        last_modified: "2024-01-01T00:00:00.000Z".into(),
        etag: "\"abc\"".into(),
        size: 42,
    };
    assert_eq!(
        ServerPart::from(&part),
        ServerPart {
            number: 3,
            size: 42,
            etag: "\"abc\"".into()
        }
    );
}

// ---- Journal ----

fn journal() -> Journal {
    Journal {
        upload_id: "1700000000d1b2c3".into(),
        bucket: "examplebucket-1250000000".into(),
        key: "dir/名 with space%\nand newline".into(),
        total_size: 3 * MIB + 5,
        part_size: MIB,
        mtime_secs: -1,
        file_id: "2049:131".into(),
        parts_done: vec![
            (2, "\"0cc175b9c0f1b6a831c399e269772661\"".into(), 0),
            (1, "\"92eb5ffee6ae2fec3ad71c777531578f\"".into(), u64::MAX),
        ],
    }
}

fn journal_error(bytes: &[u8]) -> String {
    match Journal::decode(bytes) {
        Err(Error::Parse {
            operation: "Journal",
            reason,
        }) => reason,
        other => panic!("expected a Journal parse error, got {other:?}"),
    }
}

#[test]
fn journal_exact_text() {
    let text = String::from_utf8(journal().encode()).expect("journals are ASCII");
    let body = "cos-rs resume journal 1\n\
        upload_id 1700000000d1b2c3\n\
        bucket examplebucket-1250000000\n\
        key dir/%E5%90%8D%20with%20space%25%0Aand%20newline\n\
        total_size 3145733\n\
        part_size 1048576\n\
        mtime_secs -1\n\
        file_id 2049:131\n\
        part 2 \"0cc175b9c0f1b6a831c399e269772661\" 0000000000000000\n\
        part 1 \"92eb5ffee6ae2fec3ad71c777531578f\" ffffffffffffffff\n";
    assert_eq!(
        text,
        format!("{body}crc64:{:016x}\n", crc64(body.as_bytes()))
    );
}

#[test]
fn journal_round_trips() {
    for j in [
        journal(),
        Journal::default(),
        Journal {
            mtime_secs: i64::MIN,
            total_size: u64::MAX,
            part_size: 0,
            parts_done: vec![(10_000, String::new(), 1)],
            ..journal()
        },
        Journal {
            mtime_secs: i64::MAX,
            ..journal()
        },
    ] {
        assert_eq!(Journal::decode(&j.encode()).expect("round trip"), j);
    }
}

#[test]
fn journal_rejects_every_byte_flip() {
    let good = journal().encode();
    for i in 0..good.len() {
        for mask in 1..=255u8 {
            let mut bad = good.clone();
            bad[i] ^= mask;
            assert!(Journal::decode(&bad).is_err(), "byte {i} ^ {mask:#04x}");
        }
    }
}

#[test]
fn journal_rejects_every_truncation_and_extension() {
    let good = journal().encode();
    for len in 0..good.len() {
        journal_error(&good[..len]);
    }
    let mut longer = good.clone();
    longer.push(b'\n');
    journal_error(&longer);
    let mut twice = good.clone();
    twice.extend_from_slice(&good);
    journal_error(&twice);
}

/// Re-signs a hand-edited body, so the checks after the checksum are reached.
fn signed(body: &str) -> Vec<u8> {
    format!("{body}crc64:{:016x}\n", crc64(body.as_bytes())).into_bytes()
}

#[test]
fn journal_rejects_bad_content_under_a_good_checksum() {
    let head = "upload_id u\nbucket b\nkey k\n";
    let ok = format!(
        "cos-rs resume journal 1\n{head}total_size 1\npart_size 2\nmtime_secs 3\nfile_id f\n"
    );
    assert!(Journal::decode(&signed(&ok)).is_ok());
    let cases = [
        ok.replace("journal 1", "journal 2"),
        ok.replace("cos-rs resume journal 1", "hello"),
        ok.replace("total_size 1", "total_size 01"),
        ok.replace("total_size 1", "total_size +1"),
        ok.replace("total_size 1", "total_size "),
        ok.replace("total_size 1", "total_size 18446744073709551616"),
        ok.replace("mtime_secs 3", "mtime_secs -0"),
        ok.replace("mtime_secs 3", "mtime_secs 9223372036854775808"),
        ok.replace("mtime_secs 3", "mtime_secs -9223372036854775809"),
        ok.replace("key k", "key a b"),
        ok.replace("key k", "key %41"),
        ok.replace("key k", "key %e5"),
        ok.replace("key k", "key %FF"),
        ok.replace("key k", "key %2"),
        ok.replace("key k\n", ""),
        ok.replace("bucket b\nkey k", "key k\nbucket b"),
        format!("{ok}part 0 e 0000000000000000\n"),
        format!("{ok}part 10001 e 0000000000000000\n"),
        format!("{ok}part 1 e 000000000000000A\n"),
        format!("{ok}part 1 e 0\n"),
        format!("{ok}part 1 e\n"),
        format!("{ok}part 1 e 0000000000000000 x\n"),
        format!("{ok}part 1 e 0000000000000000\npart 1 f 0000000000000000\n"),
        format!("{ok}\n"),
        format!("{ok}extra line\n"),
        String::new(),
    ];
    for case in cases {
        journal_error(&signed(&case));
    }
    // The checksum line itself must be canonical.
    let good = signed(&ok);
    let text = String::from_utf8(good).expect("journals are ASCII");
    let upper = text.replace("crc64:", "CRC64:");
    journal_error(upper.as_bytes());
    journal_error(b"crc64:0000000000000000\n");
}

#[test]
fn journal_plan() {
    let plan = journal().plan().expect("a valid plan");
    assert_eq!(plan, PartPlan::new(3 * MIB + 5, MIB).expect("a valid plan"));
    assert_eq!(plan.part_count(), 4);
    for (total_size, part_size) in [
        (0, MIB),
        (MIB, 0),
        (MAX_OBJECT_SIZE + 1, MAX_PART_SIZE),
        (10_000 * MIB + 1, MIB),
    ] {
        let j = Journal {
            total_size,
            part_size,
            ..journal()
        };
        match j.plan() {
            Err(Error::Parse {
                operation: "Journal",
                ..
            }) => {}
            other => panic!("{total_size}/{part_size}: {other:?}"),
        }
    }
}
