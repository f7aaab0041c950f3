//! Remote paths, `cos://BUCKET/KEY`.

use std::fmt;
use std::str::FromStr;

/// A bucket and a key (or prefix) in it, written `cos://BUCKET/KEY`; the key may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CosPath {
    pub(crate) bucket: String,
    pub(crate) key: String,
}

impl FromStr for CosPath {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let rest = s
            .strip_prefix("cos://")
            .ok_or_else(|| format!("{s:?} is not a cos://BUCKET/KEY path"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("{s:?} names no bucket (cos://BUCKET/KEY)"));
        }
        Ok(CosPath {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        })
    }
}

impl fmt::Display for CosPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cos://{}/{}", self.bucket, self.key)
    }
}

impl CosPath {
    /// The same bucket, another key.
    pub(crate) fn with_key(&self, key: impl Into<String>) -> CosPath {
        CosPath {
            bucket: self.bucket.clone(),
            key: key.into(),
        }
    }

    /// Whether the key names a "directory" (empty, or ending with `/`).
    pub(crate) fn is_dir_like(&self) -> bool {
        self.key.is_empty() || self.key.ends_with('/')
    }

    /// The key's last segment (after the last `/`).
    pub(crate) fn base_name(&self) -> &str {
        self.key.rsplit('/').next().unwrap_or(&self.key)
    }

    /// The key as a directory prefix: empty, or ending with `/`.
    pub(crate) fn dir_prefix(&self) -> String {
        if self.is_dir_like() {
            self.key.clone()
        } else {
            format!("{}/", self.key)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<CosPath, String> {
        s.parse()
    }

    #[test]
    fn parses_bucket_and_key() {
        let cases = [
            ("cos://b-125", "b-125", ""),
            ("cos://b-125/", "b-125", ""),
            ("cos://b-125/a/b.txt", "b-125", "a/b.txt"),
            ("cos://b-125/dir/", "b-125", "dir/"),
            ("cos://b-125//x", "b-125", "/x"),
        ];
        for (text, bucket, key) in cases {
            let path = p(text).expect(text);
            assert_eq!(
                (path.bucket.as_str(), path.key.as_str()),
                (bucket, key),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_what_is_not_a_cos_path() {
        for text in ["b-125/k", "s3://b/k", "cos://", "cos:///k", "/tmp/x"] {
            assert!(p(text).is_err(), "{text}");
        }
    }

    #[test]
    fn names_and_prefixes() {
        let file = p("cos://b/a/b.txt").expect("path");
        assert_eq!(file.base_name(), "b.txt");
        assert!(!file.is_dir_like());
        assert_eq!(file.dir_prefix(), "a/b.txt/");
        assert_eq!(file.to_string(), "cos://b/a/b.txt");
        let dir = p("cos://b/a/").expect("path");
        assert!(dir.is_dir_like());
        assert_eq!(dir.dir_prefix(), "a/");
        assert_eq!(p("cos://b").expect("path").dir_prefix(), "");
    }
}
