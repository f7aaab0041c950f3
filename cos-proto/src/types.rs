//! Shapes shared by several operations: owners, grants, ACLs, CORS rules, storage classes.
//!
//! Each is defined once and used by every operation that needs it. Serialized (and
//! deserialized) under the JavaScript SDK's field names (`Owner.ID`, `Grants[].Permission`,
//! `CORSRules[].AllowedOrigins`, ...), so outputs compare directly with the SDK's data.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::xml::{Element, Writer};

/// Declares a string enum with known values and a fallback that keeps any other text as COS
/// wrote it, so parsing never fails and nothing is lost.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this version does not know, kept as written.
            Other(String),
        }

        impl $name {
            /// The value as COS writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s,
                }
            }

            /// Reads a value as COS writes it; unknown text becomes `Other`.
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Parses a caller-supplied value, which must be one of the known ones.
            pub fn parse(field: &'static str, s: &str) -> Result<Self> {
                match $name::from_wire(s) {
                    $name::Other(_) => Err(Error::invalid(
                        field,
                        concat!("must be one of: ", $($text, " "),+),
                    )),
                    known => Ok(known),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok($name::from_wire(&s))
            }
        }
    };
}

string_enum! {
    /// The storage class of an object (`x-cos-storage-class`, `<StorageClass>`). An absent
    /// header means [`StorageClass::Standard`].
    #[derive(Default)]
    StorageClass {
        /// STANDARD, the default.
        #[default]
        Standard = "STANDARD",
        /// STANDARD_IA, infrequent access.
        StandardIa = "STANDARD_IA",
        /// INTELLIGENT_TIERING.
        IntelligentTiering = "INTELLIGENT_TIERING",
        /// ARCHIVE.
        Archive = "ARCHIVE",
        /// DEEP_ARCHIVE.
        DeepArchive = "DEEP_ARCHIVE",
        /// MAZ_STANDARD, multi-AZ standard.
        MazStandard = "MAZ_STANDARD",
        /// MAZ_STANDARD_IA.
        MazStandardIa = "MAZ_STANDARD_IA",
        /// MAZ_INTELLIGENT_TIERING.
        MazIntelligentTiering = "MAZ_INTELLIGENT_TIERING",
    }
}

string_enum! {
    /// A canned ACL (`x-cos-acl`, the seed's `ACL`).
    Acl {
        /// private: only the owner.
        Private = "private",
        /// public-read: anyone may read.
        PublicRead = "public-read",
        /// public-read-write: anyone may read and write.
        PublicReadWrite = "public-read-write",
        /// authenticated-read: any Tencent Cloud user may read.
        AuthenticatedRead = "authenticated-read",
        /// default: an object follows its bucket's ACL.
        Default = "default",
        /// bucket-owner-read: the bucket owner may read an object.
        BucketOwnerRead = "bucket-owner-read",
        /// bucket-owner-full-control: the bucket owner has full control of an object.
        BucketOwnerFullControl = "bucket-owner-full-control",
    }
}

string_enum! {
    /// A permission in a grant.
    Permission {
        /// READ.
        Read = "READ",
        /// WRITE.
        Write = "WRITE",
        /// FULL_CONTROL.
        FullControl = "FULL_CONTROL",
        /// READ_ACP: read the ACL.
        ReadAcp = "READ_ACP",
        /// WRITE_ACP: write the ACL.
        WriteAcp = "WRITE_ACP",
    }
}

string_enum! {
    /// What PUT Object - Copy does with the source's metadata (`x-cos-metadata-directive`).
    MetadataDirective {
        /// Copy: keep the source's metadata (the default).
        Copy = "Copy",
        /// Replaced: use the metadata sent with the copy request.
        Replaced = "Replaced",
    }
}

/// The owner of a bucket or object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// `qcs::cam::uin/<OwnerUin>:uin/<SubUin>`, or an APPID in some listings.
    #[serde(rename = "ID")]
    pub id: String,
    /// The display name.
    #[serde(
        rename = "DisplayName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
}

impl Owner {
    /// Reads an `<Owner>` / `<Initiator>` element.
    pub fn from_xml(el: &Element) -> Self {
        Owner {
            id: el.text_of("ID").unwrap_or_default(),
            display_name: el.text_of("DisplayName"),
        }
    }
}

/// Who a grant is for: a user (`CanonicalUser`, by ID) or a group (`Group`, by URI).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grantee {
    /// The `xsi:type`: `CanonicalUser` or `Group`.
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub grantee_type: Option<String>,
    /// The group URI, e.g. `http://cam.qcloud.com/groups/global/AllUsers`.
    #[serde(rename = "URI", default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The user ID.
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The display name.
    #[serde(
        rename = "DisplayName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
}

/// One grant of an ACL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Who.
    #[serde(rename = "Grantee")]
    pub grantee: Grantee,
    /// What.
    #[serde(rename = "Permission")]
    pub permission: Permission,
}

/// An access control list: the owner and the grants (the seed's `AccessControlPolicy`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessControlPolicy {
    /// The owner.
    #[serde(rename = "Owner")]
    pub owner: Owner,
    /// The grants.
    #[serde(rename = "Grants", default)]
    pub grants: Vec<Grant>,
}

impl AccessControlPolicy {
    /// Reads an `<AccessControlPolicy>` document.
    pub fn from_xml(root: &Element) -> Self {
        let grants = root
            .child("AccessControlList")
            .map(|list| {
                list.children_named("Grant")
                    .map(|g| {
                        let grantee = g.child("Grantee");
                        Grant {
                            grantee: Grantee {
                                grantee_type: grantee
                                    .and_then(|e| e.attr("type"))
                                    .map(str::to_owned),
                                uri: grantee.and_then(|e| e.text_of("URI")),
                                id: grantee.and_then(|e| e.text_of("ID")),
                                display_name: grantee.and_then(|e| e.text_of("DisplayName")),
                            },
                            permission: Permission::from_wire(
                                &g.text_of("Permission").unwrap_or_default(),
                            ),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        AccessControlPolicy {
            owner: root.child("Owner").map(Owner::from_xml).unwrap_or_default(),
            grants,
        }
    }

    /// Writes the `<AccessControlPolicy>` request body. Each grantee needs an ID
    /// (CanonicalUser) or a URI (Group).
    pub fn to_xml(&self) -> Result<Vec<u8>> {
        if self.owner.id.is_empty() {
            return Err(Error::invalid(
                "AccessControlPolicy.Owner.ID",
                "is required",
            ));
        }
        let mut w = Writer::new();
        w.open("AccessControlPolicy")
            .open("Owner")
            .leaf("ID", &self.owner.id);
        if let Some(name) = &self.owner.display_name {
            w.leaf("DisplayName", name);
        }
        w.close("Owner").open("AccessControlList");
        for (i, grant) in self.grants.iter().enumerate() {
            let g = &grant.grantee;
            let kind = match (&g.grantee_type, &g.id, &g.uri) {
                (Some(t), _, Some(_)) if t == "Group" => t.as_str(),
                (Some(t), Some(_), _) if t == "CanonicalUser" => t.as_str(),
                (Some(t), _, _) if t == "Group" || t == "CanonicalUser" => {
                    return Err(Error::invalid(
                        format!("AccessControlPolicy.Grants[{i}].Grantee"),
                        "a Group grantee needs a URI and a CanonicalUser grantee an ID",
                    ));
                }
                (Some(_), _, _) => {
                    return Err(Error::invalid(
                        format!("AccessControlPolicy.Grants[{i}].Grantee.Type"),
                        "must be CanonicalUser or Group",
                    ));
                }
                (None, Some(_), _) => "CanonicalUser",
                (None, None, Some(_)) => "Group",
                (None, None, None) => {
                    return Err(Error::invalid(
                        format!("AccessControlPolicy.Grants[{i}].Grantee"),
                        "needs an ID or a URI",
                    ));
                }
            };
            if let Permission::Other(_) = grant.permission {
                return Err(Error::invalid(
                    format!("AccessControlPolicy.Grants[{i}].Permission"),
                    "must be READ, WRITE, FULL_CONTROL, READ_ACP or WRITE_ACP",
                ));
            }
            w.open("Grant").open_with(
                "Grantee",
                &[
                    ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                    ("xsi:type", kind),
                ],
            );
            if let Some(uri) = &g.uri {
                w.leaf("URI", uri);
            }
            if let Some(id) = &g.id {
                w.leaf("ID", id);
            }
            if let Some(name) = &g.display_name {
                w.leaf("DisplayName", name);
            }
            w.close("Grantee")
                .leaf("Permission", grant.permission.as_str())
                .close("Grant");
        }
        w.close("AccessControlList").close("AccessControlPolicy");
        Ok(w.finish())
    }
}

/// One CORS rule of a bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorsRule {
    /// The rule's ID.
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Origins allowed (`*` wildcards allowed), e.g. `https://www.example.com`.
    #[serde(rename = "AllowedOrigins", default)]
    pub allowed_origins: Vec<String>,
    /// Methods allowed: GET, PUT, HEAD, POST, DELETE.
    #[serde(rename = "AllowedMethods", default)]
    pub allowed_methods: Vec<String>,
    /// Request headers allowed in the actual request (`*` allowed).
    #[serde(rename = "AllowedHeaders", default)]
    pub allowed_headers: Vec<String>,
    /// Response headers the browser may read.
    #[serde(rename = "ExposeHeaders", default)]
    pub expose_headers: Vec<String>,
    /// How long a browser may cache the preflight answer, in seconds.
    #[serde(
        rename = "MaxAgeSeconds",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "u64_from_number_or_string"
    )]
    pub max_age_seconds: Option<u64>,
}

/// Reads an optional `u64` given as a JSON number or as a decimal string (the seed writes
/// `MaxAgeSeconds: '5'`).
fn u64_from_number_or_string<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrString {
        Number(u64),
        String(String),
    }
    match Option::<NumberOrString>::deserialize(d)? {
        None => Ok(None),
        Some(NumberOrString::Number(n)) => Ok(Some(n)),
        Some(NumberOrString::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("MaxAgeSeconds must be a whole number")),
    }
}

/// Serializes an optional `u64` as a decimal string (CRC64 values exceed JSON's 2^53).
pub(crate) fn u64_as_string<S: Serializer>(
    v: &Option<u64>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(n) => s.serialize_str(&n.to_string()),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_keep_unknown_values_and_validate_inputs() {
        assert_eq!(
            StorageClass::from_wire("STANDARD_IA"),
            StorageClass::StandardIa
        );
        assert_eq!(
            StorageClass::from_wire("Standard"),
            StorageClass::Other("Standard".into())
        );
        assert_eq!(StorageClass::default().as_str(), "STANDARD");
        assert_eq!(Acl::parse("ACL", "public-read"), Ok(Acl::PublicRead));
        let err = Acl::parse("ACL", "public").expect_err("unknown acl");
        assert_eq!(err.field(), Some("ACL"));
        assert_eq!(Permission::from_wire("READ_ACP"), Permission::ReadAcp);
    }

    #[test]
    fn acl_bodies_round_trip() {
        let policy = AccessControlPolicy {
            owner: Owner {
                id: "qcs::cam::uin/1:uin/1".into(),
                display_name: None,
            },
            grants: vec![
                Grant {
                    grantee: Grantee {
                        id: Some("qcs::cam::uin/1:uin/2".into()),
                        ..Grantee::default()
                    },
                    permission: Permission::Read,
                },
                Grant {
                    grantee: Grantee {
                        uri: Some("http://cam.qcloud.com/groups/global/AllUsers".into()),
                        ..Grantee::default()
                    },
                    permission: Permission::FullControl,
                },
            ],
        };
        let body = policy.to_xml().expect("valid");
        let parsed = AccessControlPolicy::from_xml(&crate::xml::parse("T", &body).expect("xml"));
        assert_eq!(parsed.owner, policy.owner);
        assert_eq!(
            parsed.grants[0].grantee.grantee_type.as_deref(),
            Some("CanonicalUser")
        );
        assert_eq!(
            parsed.grants[1].grantee.grantee_type.as_deref(),
            Some("Group")
        );
        assert_eq!(parsed.grants[1].permission, Permission::FullControl);
        let mut bad = policy.clone();
        bad.grants[1].grantee = Grantee {
            grantee_type: Some("Group".into()),
            ..Grantee::default()
        };
        assert_eq!(
            bad.to_xml().expect_err("group without uri").field(),
            Some("AccessControlPolicy.Grants[1].Grantee")
        );
        let mut bad = policy.clone();
        bad.grants[0].grantee = Grantee::default();
        assert_eq!(
            bad.to_xml().expect_err("no grantee").field(),
            Some("AccessControlPolicy.Grants[0].Grantee")
        );
    }
}
