//! Where the credentials, the region and the endpoint come from, first found wins:
//!
//! 1. the flags `--region`, `--endpoint`;
//! 2. the environment: `COS_SECRET_ID`, `COS_SECRET_KEY`, `COS_SECURITY_TOKEN`,
//!    `COS_REGION`, `COS_ENDPOINT`;
//! 3. the config file: `--config PATH`, else `$XDG_CONFIG_HOME/cosctl/config.toml`, else
//!    `$HOME/.config/cosctl/config.toml` (a missing default file is no error).
//!
//! The key pair and its token are one setting: taken whole from the environment when
//! `COS_SECRET_ID` is set there, else whole from the file, so a pair is never mixed.
//!
//! The config file is a small subset of TOML: `key = "value"` lines (the quotes may be
//! left out), `#` comments and blank lines; the keys are `secret_id`, `secret_key`,
//! `security_token`, `region` and `endpoint`. No message ever shows a value of it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cos_blocking::proto::Scheme;
use cos_blocking::{Client, Config};

use crate::args::Global;
use crate::fail::{Fail, Result};

/// The keys a config file may set.
const KEYS: [&str; 5] = [
    "secret_id",
    "secret_key",
    "security_token",
    "region",
    "endpoint",
];

/// The settings after the flags, the environment and the file were read.
pub(crate) struct Settings {
    secret: Option<(String, String, Option<String>)>,
    region: Option<String>,
    endpoint: Option<String>,
    /// The config file read, for messages.
    file: Option<PathBuf>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("secret_id", &self.secret.as_ref().map(|s| &s.0))
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Reads the settings: the flags in `global`, the variables `var` gives (the process
    /// environment, or a map in tests), and the config file.
    pub(crate) fn read(global: &Global, var: impl Fn(&str) -> Option<String>) -> Result<Settings> {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let (file, values) = match &global.config {
            Some(path) => (Some(path.clone()), Some(read_file(path)?)),
            None => match default_file(var) {
                Some(path) if path.exists() => (Some(path.clone()), Some(read_file(&path)?)),
                _ => (None, None),
            },
        };
        let values = values.unwrap_or_default();
        let from_file = |key: &str| values.get(key).cloned().filter(|v| !v.is_empty());
        let secret = match var("COS_SECRET_ID") {
            Some(id) => Some((
                id,
                var("COS_SECRET_KEY")
                    .ok_or_else(|| Fail::new("COS_SECRET_ID is set but COS_SECRET_KEY is not"))?,
                var("COS_SECURITY_TOKEN"),
            )),
            None => match (from_file("secret_id"), from_file("secret_key")) {
                (Some(id), Some(key)) => Some((id, key, from_file("security_token"))),
                (None, None) => None,
                _ => {
                    return Err(Fail::new(format!(
                        "{}: secret_id and secret_key go together",
                        shown(file.as_deref())
                    )));
                }
            },
        };
        Ok(Settings {
            secret,
            region: global
                .region
                .clone()
                .or_else(|| var("COS_REGION"))
                .or_else(|| from_file("region")),
            endpoint: global
                .endpoint
                .clone()
                .or_else(|| var("COS_ENDPOINT"))
                .or_else(|| from_file("endpoint")),
            file,
        })
    }

    /// The region, which bucket commands need.
    pub(crate) fn region(&self) -> Result<&str> {
        self.region.as_deref().ok_or_else(|| {
            Fail::new(format!(
                "no region: give --region, set COS_REGION, or set region in {}",
                shown(self.file.as_deref())
            ))
        })
    }

    /// A client with these settings (progress reported ten times a second).
    pub(crate) fn client(&self) -> Result<Client> {
        let Some((id, key, token)) = &self.secret else {
            return Err(Fail::new(format!(
                "no credentials: set COS_SECRET_ID and COS_SECRET_KEY, or secret_id and \
                 secret_key in {}",
                shown(self.file.as_deref())
            )));
        };
        let mut config = Config::default().progress_interval(Duration::from_millis(100));
        if let Some(region) = &self.region {
            config = config.region(region.clone());
        }
        if let Some(endpoint) = &self.endpoint {
            let (scheme, address) = split_endpoint(endpoint)?;
            config = config.protocol(scheme).connect_address(address);
        }
        let mut builder = Client::builder().secret(id.clone(), key.clone());
        if let Some(token) = token {
            builder = builder.security_token(token.clone());
        }
        Ok(builder.config(config).build()?)
    }
}

/// `$XDG_CONFIG_HOME/cosctl/config.toml`, else `$HOME/.config/cosctl/config.toml`.
fn default_file(var: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let base = var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| Path::new(&h).join(".config")))?;
    Some(base.join("cosctl").join("config.toml"))
}

fn shown(file: Option<&Path>) -> String {
    match file {
        Some(p) => p.display().to_string(),
        None => "~/.config/cosctl/config.toml".to_owned(),
    }
}

fn read_file(path: &Path) -> Result<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).map_err(|e| Fail::io(path, &e))?;
    parse(&text).map_err(|e| e.context(path.display()))
}

/// Reads `key = value` lines. Errors name the line, never its value.
pub(crate) fn parse(text: &str) -> Result<BTreeMap<String, String>> {
    let mut values = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| Fail::new(format!("line {}: {why}", n + 1));
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| bad("expected key = \"value\""))?;
        let key = key.trim();
        if !KEYS.contains(&key) {
            return Err(bad(&format!(
                "unknown key {key:?} (known: {})",
                KEYS.join(", ")
            )));
        }
        let value = value.trim();
        let value = match value.strip_prefix('"') {
            Some(rest) => rest
                .strip_suffix('"')
                .filter(|v| !v.contains('"') && !v.contains('\\'))
                .ok_or_else(|| bad("a quoted value must end with \" and hold no \" or \\"))?,
            None if value.contains(['"', '#', ' ']) => {
                return Err(bad("put the value in double quotes"));
            }
            None => value,
        };
        if values.insert(key.to_owned(), value.to_owned()).is_some() {
            return Err(bad(&format!("{key} is set twice")));
        }
    }
    Ok(values)
}

/// `http[s]://host:port` as the protocol and the address to connect to.
fn split_endpoint(endpoint: &str) -> Result<(Scheme, String)> {
    let bad = || {
        Fail::new(format!(
            "the endpoint must be http://host:port or https://host:port, not {endpoint:?}"
        ))
    };
    let (scheme, rest) = endpoint.split_once("://").ok_or_else(bad)?;
    let scheme = Scheme::parse(scheme).map_err(|_| bad())?;
    let address = rest.trim_end_matches('/');
    if address.is_empty() || address.contains('/') {
        return Err(bad());
    }
    Ok((scheme, address.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(config: Option<PathBuf>, region: Option<&str>) -> Global {
        Global {
            endpoint: None,
            region: region.map(str::to_owned),
            config,
        }
    }

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn parses_the_toml_subset() {
        let values = parse(
            "# cosctl\n\nsecret_id = \"AKIDfile\"\n  secret_key=plain\nregion = \"ap-beijing\"\n",
        )
        .expect("parses");
        let got: Vec<(&str, &str)> = values
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("region", "ap-beijing"),
                ("secret_id", "AKIDfile"),
                ("secret_key", "plain")
            ]
        );
    }

    #[test]
    fn file_errors_name_the_line_but_not_the_value() {
        let cases = [
            ("secret_key", "line 1: expected key = \"value\""),
            (
                "a = 1",
                "line 1: unknown key \"a\" (known: secret_id, secret_key, security_token, region, endpoint)",
            ),
            (
                "\nsecret_key = \"s3cr3t",
                "line 2: a quoted value must end with \" and hold no \" or \\",
            ),
            (
                "secret_key = s3 cr3t",
                "line 1: put the value in double quotes",
            ),
            ("region = a\nregion = b", "line 2: region is set twice"),
        ];
        for (text, message) in cases {
            let fail = parse(text).expect_err(text);
            assert_eq!(fail.message(), message, "{text}");
        }
    }

    #[test]
    fn flags_beat_the_environment_which_beats_the_file() {
        let dir = std::env::temp_dir().join(format!("cosctl-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("config.toml");
        std::fs::write(
            &file,
            "secret_id = \"AKIDfile\"\nsecret_key = \"file-key\"\nregion = \"ap-file\"\nendpoint = \"http://127.0.0.1:1\"\n",
        )
        .expect("write");

        let only_file =
            Settings::read(&global(Some(file.clone()), None), vars(&[])).expect("reads");
        assert_eq!(only_file.region().expect("region"), "ap-file");
        assert_eq!(
            only_file.secret.as_ref().map(|s| s.0.as_str()),
            Some("AKIDfile")
        );
        assert_eq!(only_file.endpoint.as_deref(), Some("http://127.0.0.1:1"));

        let env = [
            ("COS_SECRET_ID", "AKIDenv"),
            ("COS_SECRET_KEY", "env-key"),
            ("COS_REGION", "ap-env"),
        ];
        let with_env =
            Settings::read(&global(Some(file.clone()), None), vars(&env)).expect("reads");
        assert_eq!(with_env.region().expect("region"), "ap-env");
        assert_eq!(
            with_env
                .secret
                .as_ref()
                .map(|s| (s.0.as_str(), s.1.as_str())),
            Some(("AKIDenv", "env-key"))
        );
        let with_flag = Settings::read(&global(Some(file.clone()), Some("ap-flag")), vars(&env))
            .expect("reads");
        assert_eq!(with_flag.region().expect("region"), "ap-flag");
        assert!(!format!("{with_flag:?}").contains("env-key"));

        let half = Settings::read(
            &global(Some(file), None),
            vars(&[("COS_SECRET_ID", "AKIDenv")]),
        );
        assert!(half.is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_default_file_is_under_the_config_home() {
        let path = default_file(vars(&[("HOME", "/home/u")])).expect("a path");
        assert_eq!(path, Path::new("/home/u/.config/cosctl/config.toml"));
        let path = default_file(vars(&[("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/cfg")]))
            .expect("a path");
        assert_eq!(path, Path::new("/cfg/cosctl/config.toml"));
        let none = Settings::read(&global(None, None), vars(&[("HOME", "/nonexistent-home")]))
            .expect("a missing default file is no error");
        assert!(none.client().is_err());
    }

    #[test]
    fn endpoints_are_scheme_host_and_port() {
        let (scheme, address) = split_endpoint("http://127.0.0.1:9000/").expect("valid");
        assert_eq!((scheme, address.as_str()), (Scheme::Http, "127.0.0.1:9000"));
        for bad in ["127.0.0.1:9000", "ftp://h:1", "http://", "http://h:1/path"] {
            assert!(split_endpoint(bad).is_err(), "{bad}");
        }
    }
}
