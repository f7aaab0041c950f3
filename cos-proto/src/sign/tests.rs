//! Tests of the signer: key times, pathnames, every stage, the SignKey cache, bad inputs.

use super::*;
use sha1::Digest;

fn signer() -> Signer {
    Signer::new(Credentials::new("AKIDtest", "secretkey").expect("valid"))
}

#[test]
fn key_time_rules() {
    assert_eq!(KeyTime::new(1, 2).map(|k| k.to_string()), Ok("1;2".into()));
    let err = KeyTime::new(5, 4).expect_err("backwards");
    assert_eq!(err.field(), Some("KeyTime"));
    assert!(KeyTime::new(5, 5).is_err());
    assert_eq!(KeyTime::parse("10;20"), KeyTime::new(10, 20));
    for bad in ["", "1", "1;", ";2", "a;b", "-1;2", "1;2;3", " 1;2"] {
        assert!(KeyTime::parse(bad).is_err(), "{bad}");
    }
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    assert_eq!(
        KeyTime::starting_at(now, 900),
        KeyTime::new(1_699_999_999, 1_700_000_899)
    );
    let err = KeyTime::starting_at(now, 0).expect_err("zero");
    assert_eq!(err.field(), Some("Expires"));
}

#[test]
fn request_windows_are_shared_and_cover_the_validity() {
    let t = |s| UNIX_EPOCH + Duration::from_secs(s);
    let v = Duration::from_secs(900);
    let a = KeyTime::for_request(t(1_700_000_040), v).expect("valid");
    let b = KeyTime::for_request(t(1_700_000_099), v).expect("valid");
    assert_eq!(a, b);
    for now in [1_700_000_040, 1_700_000_099] {
        assert!(a.contains(now) && a.contains(now + 900));
    }
}

#[test]
fn pathnames() {
    for (key, path) in [
        ("", "/"),
        ("/", "/"),
        ("a/b", "/a/b"),
        ("/a", "/a"),
        ("//a", "//a"),
        ("a//b/", "/a//b/"),
        ("a/./b/../c", "/a/./b/../c"),
    ] {
        assert_eq!(pathname_for_key(key), path);
    }
}

#[test]
fn stages_are_consistent() {
    let kt = KeyTime::new(1_700_000_000, 1_700_000_900).expect("valid");
    let req = SignableRequest::new("PUT", "/a b.txt")
        .header("Content-Type", "text/plain")
        .header("User-Agent", "x")
        .query("uploadId", "u 1")
        .query("partNumber", "2");
    let st = signer().sign_stages(&req, kt).expect("signs");
    assert_eq!(
        st.canonical.format_string(),
        "put\n/a b.txt\npartnumber=2&uploadid=u%201\ncontent-type=text%2Fplain\n"
    );
    assert_eq!(st.canonical.header_list(), "content-type");
    assert_eq!(st.canonical.url_param_list(), "partnumber;uploadid");
    let expected_sts = format!(
        "sha1\n1700000000;1700000900\n{}\n",
        hex_of(&sha1::Sha1::digest(st.canonical.format_string().as_bytes()))
    );
    assert_eq!(st.string_to_sign.as_str(), expected_sts);
    assert_eq!(
        st.sign_key.expose_hex(),
        hex_of(&hmac_sha1(b"secretkey", b"1700000000;1700000900"))
    );
    let sig = hex_of(&hmac_sha1(
        st.sign_key.expose_hex().as_bytes(),
        expected_sts.as_bytes(),
    ));
    assert_eq!(
        st.authorization.as_str(),
        format!(
            "q-sign-algorithm=sha1&q-ak=AKIDtest&q-sign-time=1700000000;1700000900\
             &q-key-time=1700000000;1700000900&q-header-list=content-type\
             &q-url-param-list=partnumber;uploadid&q-signature={sig}"
        )
    );
    assert_eq!(st.authorization.secret_id(), "AKIDtest");
    assert_eq!(st.authorization.signature(), sig);
    assert_eq!(st.authorization.key_time(), "1700000000;1700000900");
    assert_eq!(signer().sign(&req, kt), Ok(st.authorization));
}

/// HMAC-SHA1 by the RustCrypto `hmac` crate: an independent check of our own.
fn hmac_sha1(key: &[u8], msg: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).expect("any key");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn sign_key_is_reused_within_a_window_and_across_threads() {
    let s = signer();
    let kt = KeyTime::new(100, 200).expect("valid");
    let first = s.sign_key(kt);
    let keys: Vec<Arc<SignKey>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4).map(|_| scope.spawn(|| s.sign_key(kt))).collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    assert_eq!(keys.len(), 4);
    assert!(keys.iter().all(|k| Arc::ptr_eq(k, &first)));
    let other = s.sign_key(KeyTime::new(100, 201).expect("valid"));
    assert!(!Arc::ptr_eq(&other, &first));
    assert_eq!(other.key_time().end(), 201);
}

#[test]
fn shapes_are_cached_per_signer_and_their_values_still_checked() {
    let s = signer();
    let kt = KeyTime::new(100, 200).expect("valid");
    let sign = |method: &str, ua: &str, meta: &str| {
        s.sign(
            &SignableRequest::new(method, "/k")
                .header("Host", "h")
                .header("User-Agent", ua)
                .header("x-cos-meta-a", meta),
            kt,
        )
    };
    let first = sign("PUT", "ua", "1").expect("signs");
    assert_eq!(s.read_cache().shapes.len(), 1);
    assert_eq!(sign("PUT", "ua", "1"), Ok(first.clone()));
    assert_ne!(sign("PUT", "ua", "2"), Ok(first.clone()));
    assert_eq!(s.read_cache().shapes.len(), 1);
    // A cached shape does not vouch for the values or the method of the next request.
    let err = sign("PUT", "a\r\nInjected: 1", "1").expect_err("CR LF");
    assert_eq!(err.field(), Some("Headers[User-Agent]"));
    let err = sign("PUT", "ua", "a\nb").expect_err("LF");
    assert_eq!(err.field(), Some("Headers[x-cos-meta-a]"));
    let err = sign("P UT", "ua", "1").expect_err("method");
    assert_eq!(err.field(), Some("Method"));
    // Names in another order, or in another case, are another shape.
    let swapped = SignableRequest::new("PUT", "/k")
        .header("User-Agent", "ua")
        .header("Host", "h")
        .header("x-cos-meta-a", "1");
    assert_eq!(s.sign(&swapped, kt), Ok(first.clone()));
    let cased = SignableRequest::new("PUT", "/k")
        .header("HOST", "h")
        .header("User-Agent", "ua")
        .header("X-Cos-Meta-A", "1");
    assert_eq!(s.sign(&cased, kt), Ok(first.clone()));
    assert_eq!(s.read_cache().shapes.len(), 3);
    // More shapes than the cache holds: the oldest go, every signature stays right.
    let names: Vec<String> = (0..3 * Cache::SHAPES)
        .map(|i| format!("x-cos-meta-n{i}"))
        .collect();
    for round in 0..2 {
        for name in &names {
            let req = SignableRequest::new("GET", "/k").header(name, "v");
            let want = GetAuthorization {
                credentials: Some(Credentials::new("AKIDtest", "secretkey").expect("valid")),
                method: "GET".into(),
                key: "k".into(),
                key_time: Some(kt),
                headers: vec![(name.clone(), "v".into())],
                ..GetAuthorization::default()
            }
            .sign(UNIX_EPOCH)
            .expect("signs");
            assert_eq!(s.sign(&req, kt), Ok(want), "{name}, round {round}");
        }
    }
    assert_eq!(s.read_cache().shapes.len(), Cache::SHAPES);
}

#[test]
fn shapes_are_shared_between_threads() {
    let s = signer();
    let kt = KeyTime::new(100, 200).expect("valid");
    let values: Vec<String> = (0..200).map(|i| format!("v{i}")).collect();
    let request = |i: usize| {
        let req = SignableRequest::new("PUT", "/k").header("Host", "h");
        match i % 3 {
            0 => req.header("x-cos-meta-a", &values[i]),
            1 => req.query("partNumber", &values[i]),
            _ => req
                .header("Content-Type", &values[i])
                .header("x-cos-acl", "private"),
        }
    };
    let alone: Vec<Authorization> = (0..values.len())
        .map(|i| signer().sign(&request(i), kt).expect("signs"))
        .collect();
    let n = values.len();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (s, alone, request) = (&s, &alone, &request);
            scope.spawn(move || {
                for i in (t..n).step_by(4).chain(0..n) {
                    assert_eq!(s.sign(&request(i), kt).as_ref(), Ok(&alone[i]), "{i}");
                }
            });
        }
    });
    assert_eq!(s.read_cache().shapes.len(), 3);
}

#[test]
fn bad_inputs_are_typed_errors() {
    let kt = KeyTime::new(1, 2).expect("valid");
    let s = signer();
    let cases: Vec<(SignableRequest<'_>, &str)> = vec![
        (SignableRequest::new("", "/"), "Method"),
        (SignableRequest::new("G ET", "/"), "Method"),
        (
            SignableRequest::new("GET", "/")
                .header("X-Cos-A", "1")
                .header("x-cos-a", "2"),
            "Headers[x-cos-a]",
        ),
        (
            SignableRequest::new("GET", "/").header("User-Agent", "a\r\nInjected: 1"),
            "Headers[User-Agent]",
        ),
        (
            SignableRequest::new("GET", "/")
                .query("versionId", "1")
                .query("versionid", "2"),
            "Query[versionId]",
        ),
        (SignableRequest::new("GET", "/").query("", "x"), "Query"),
    ];
    for (req, field) in cases {
        let err = s.sign(&req, kt).expect_err(field);
        let got = err.field().unwrap_or_default();
        assert!(
            got == field || (field == "Query[versionId]" && got == "Query[versionid]"),
            "expected {field}, got {err}"
        );
    }
}

#[test]
fn debug_hides_derived_keys() {
    let s = signer();
    let key = s.sign_key(KeyTime::new(1, 2).expect("valid"));
    let shown = format!("{key:?} {s:?}");
    assert!(!shown.contains(key.expose_hex()), "{shown}");
    assert!(!shown.contains("secretkey"), "{shown}");
}

/// The FormatString and name lists the simple way (SIGNING.md sections 2–5): every name
/// encoded and lower-cased into its own string, sorted with the standard sort.
fn reference(
    method: &str,
    pathname: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
) -> (String, String, String) {
    use crate::encode::{encode, encode_lower};
    let pairs = |list: Vec<(String, String)>| {
        let mut list = list;
        list.sort();
        let joined =
            |f: &dyn Fn(&(String, String)) -> String| list.iter().map(f).collect::<Vec<_>>();
        (
            joined(&|(n, v)| format!("{n}={v}")).join("&"),
            joined(&|(n, _)| n.clone()).join(";"),
        )
    };
    let (q, q_names) = pairs(
        query
            .iter()
            .map(|(n, v)| (encode_lower(n), encode(v)))
            .collect(),
    );
    let (h, h_names) = pairs(
        headers
            .iter()
            .filter(|(n, _)| crate::header::is_signed(n))
            .map(|(n, v)| (encode_lower(n), encode(v)))
            .collect(),
    );
    let fs = format!("{}\n{pathname}\n{q}\n{h}\n", method.to_ascii_lowercase());
    (fs, h_names, q_names)
}

/// A small deterministic generator, so that the test needs no crate and fails the same way
/// every time.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.next(from.len())]
    }

    fn text(&mut self, parts: &[&str], max: usize) -> String {
        (0..self.next(max + 1)).map(|_| self.pick(parts)).collect()
    }

    fn random_case(&mut self, s: &str) -> String {
        s.chars()
            .map(|c| match self.next(3) {
                0 => c.to_ascii_uppercase(),
                _ => c,
            })
            .collect()
    }
}

#[test]
fn canonical_form_matches_the_simple_way_on_generated_requests() {
    const NAME_PARTS: [&str; 12] = [
        "a",
        "B",
        "meta",
        "-",
        "x",
        "long-shared-prefix",
        "_",
        ".",
        "~",
        "0",
        "!",
        "%",
    ];
    const KNOWN: [&str; 8] = [
        "host",
        "content-type",
        "content-length",
        "content-md5",
        "range",
        "if-none-match",
        "cache-control",
        "transfer-encoding",
    ];
    const UNSIGNED: [&str; 4] = ["User-Agent", "Accept", "x-amz-date", "my-x-cos-thing"];
    const VALUE_PARTS: [&str; 12] = [
        "abc",
        "XYZ",
        "0123456789",
        " ",
        "/",
        "=",
        "+",
        "%20",
        "中",
        "😀",
        "\t",
        "-_.~",
    ];
    let mut rng = Lcg(7);
    let signer = signer();
    let kt = KeyTime::new(1_700_000_000, 1_700_000_900).expect("valid");
    let mut checked = 0;
    for _ in 0..3000 {
        let mut query = Vec::new();
        for _ in 0..rng.next(6) {
            let name = format!("{}{}", rng.pick(&NAME_PARTS), rng.text(&NAME_PARTS, 6));
            query.push((name, rng.text(&VALUE_PARTS, 5)));
        }
        let mut headers = Vec::new();
        for _ in 0..rng.next(24) {
            let name = match rng.next(4) {
                0 => rng.pick(&KNOWN).to_owned(),
                1 => rng.pick(&UNSIGNED).to_owned(),
                // Long names sharing their first 16 bytes and more.
                _ => {
                    let middle = rng.pick(&["", "long-shared-prefix-", "ab"]);
                    format!("x-cos-meta-{middle}{}", rng.text(&NAME_PARTS, 4))
                }
            };
            let name = rng.random_case(&name);
            headers.push((name, rng.text(&VALUE_PARTS, 5)));
        }
        let req = SignableRequest::new("Put", "/a b/中")
            .queries(query.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let twice = |list: &[(String, String)], signed: &dyn Fn(&str) -> bool| {
            let mut names: Vec<String> = list
                .iter()
                .filter(|(n, _)| signed(n))
                .map(|(n, _)| n.to_ascii_lowercase())
                .collect();
            names.sort();
            names.windows(2).any(|w| w[0] == w[1])
        };
        let got = CanonicalRequest::new(&req);
        if twice(&query, &|_| true) || twice(&headers, &crate::header::is_signed) {
            let err = got.expect_err("a name given twice");
            assert!(err.to_string().contains("given twice"), "{err}");
            assert!(signer.sign(&req, kt).is_err());
            continue;
        }
        let got = got.expect("valid request");
        let (fs, header_list, url_param_list) = reference("Put", "/a b/中", &query, &headers);
        assert_eq!(got.format_string(), fs, "{query:?} {headers:?}");
        assert_eq!(got.header_list(), header_list);
        assert_eq!(got.url_param_list(), url_param_list);
        let stages = signer.sign_stages(&req, kt).expect("signs");
        assert_eq!(stages.canonical, got);
        // Signed as the first of its shape, then again from the signer's cache.
        assert_eq!(signer.sign(&req, kt), Ok(stages.authorization.clone()));
        assert_eq!(signer.sign(&req, kt), Ok(stages.authorization));
        // A request of the same shape with other values, from the cache.
        let values: Vec<String> = (0..query.len() + headers.len())
            .map(|_| rng.text(&VALUE_PARTS, 3))
            .collect();
        let query2: Vec<(String, String)> = query
            .iter()
            .zip(&values)
            .map(|((n, _), v)| (n.clone(), v.clone()))
            .collect();
        let headers2: Vec<(String, String)> = headers
            .iter()
            .zip(&values[query.len()..])
            .map(|((n, _), v)| (n.clone(), v.clone()))
            .collect();
        let req2 = SignableRequest::new("Put", "/a b/中")
            .queries(query2.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .headers(headers2.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let (fs, _, _) = reference("Put", "/a b/中", &query2, &headers2);
        let auth = signer.sign(&req2, kt).expect("signs");
        assert_eq!(
            auth,
            GetAuthorization {
                credentials: Some(Credentials::new("AKIDtest", "secretkey").expect("valid")),
                method: "Put".into(),
                key: "a b/中".into(),
                key_time: Some(kt),
                query: query2.clone(),
                headers: headers2.clone(),
                ..GetAuthorization::default()
            }
            .sign(UNIX_EPOCH)
            .expect("signs"),
            "{query2:?} {headers2:?}"
        );
        assert_eq!(
            signer
                .sign_stages(&req2, kt)
                .expect("signs")
                .canonical
                .format_string,
            fs
        );
        checked += 1;
    }
    assert!(checked > 1000, "only {checked} valid requests");
}

#[test]
fn key_time_text_matches_fmt() {
    let mut n = 1u64;
    let mut values = vec![0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, u64::MAX - 1];
    while let Some(next) = n.checked_mul(7) {
        values.push(next);
        n = next;
    }
    for &start in &values {
        for end in [start + 1, u64::MAX] {
            let kt = KeyTime::new(start, end).expect("valid");
            let want = format!("{start};{end}");
            assert_eq!(kt.to_string(), want);
            let text = KeyTimeText::new(kt);
            let (text, key_time) = text.parts();
            assert_eq!(key_time, want);
            assert_eq!(
                text,
                format!("&q-sign-time={want}&q-key-time={want}&q-header-list=")
            );
        }
    }
}
