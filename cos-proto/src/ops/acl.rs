//! ACL calls: getBucketAcl, putBucketAcl, getObjectAcl, putObjectAcl (all on the `?acl`
//! sub-resource).
//!
//! An ACL is written one of two ways, never both: as headers (a canned `ACL` and/or `Grant*`
//! lists of `id="..."` entries) or as a whole [`AccessControlPolicy`] document in the body.
//! COS rejects a request that mixes them, so cos-proto refuses it before anything is sent,
//! as it refuses a request that sets nothing.

use serde::Serialize;

use super::bucket::{EmptyOutput, acl_headers};
use super::{Operation, bucket_target, operation_names, parse_xml, require_key, set_xml_body};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::header;
use crate::http::{Method, Request};
use crate::response::{Response, ResponseMeta};
use crate::types::AccessControlPolicy;

/// The query sub-resource of every ACL call.
const ACL_QUERY: &str = "acl";

/// `getBucketAcl`: the ACL of a bucket (only its owner may read it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetBucketAcl {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
}

/// The result of [`GetBucketAcl`] and [`GetObjectAcl`]: the `AccessControlPolicy` document.
///
/// Serializes as the JavaScript SDK's data: `{"Owner": {...}, "Grants": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AclOutput {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The owner and the grants; the same value [`PutBucketAcl`] and [`PutObjectAcl`] take.
    #[serde(flatten)]
    pub policy: AccessControlPolicy,
}

/// Reads an `<AccessControlPolicy>` response.
fn parse_acl(operation: &'static str, response: Response) -> Result<AclOutput> {
    let (meta, root) = parse_xml(operation, "AccessControlPolicy", response)?;
    Ok(AclOutput {
        meta,
        policy: AccessControlPolicy::from_xml(&root),
    })
}

impl Operation for GetBucketAcl {
    type Output = AclOutput;
    const NAME: &'static str = "GetBucketACL";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        Ok(Request::new(
            Method::Get,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            "",
        )
        .with_query(ACL_QUERY, ""))
    }

    fn parse(&self, response: Response) -> Result<AclOutput> {
        parse_acl(Self::NAME, response)
    }

    operation_names!(bucket);
}

/// `putBucketAcl`: replaces the ACL of a bucket, by headers (`acl`, `grant_*`) or by an
/// [`AccessControlPolicy`] body — exactly one of the two.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutBucketAcl {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// A canned ACL (`x-cos-acl`): private, public-read, public-read-write or
    /// authenticated-read.
    pub acl: Option<String>,
    /// `x-cos-grant-read`: `id="qcs::cam::uin/<OwnerUin>:uin/<SubUin>"` entries, comma
    /// separated.
    pub grant_read: Option<String>,
    /// `x-cos-grant-write`, same format.
    pub grant_write: Option<String>,
    /// `x-cos-grant-read-acp`: who may read the ACL, same format.
    pub grant_read_acp: Option<String>,
    /// `x-cos-grant-write-acp`: who may change the ACL, same format.
    pub grant_write_acp: Option<String>,
    /// `x-cos-grant-full-control`, same format.
    pub grant_full_control: Option<String>,
    /// The whole ACL as an XML body, instead of the headers above. Its `Owner.ID` is
    /// required; each grantee needs an `ID` (CanonicalUser) or a `URI` (Group).
    pub access_control_policy: Option<AccessControlPolicy>,
}

/// `getObjectAcl`: the ACL of an object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetObjectAcl {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// The object key. Required, non-empty.
    pub key: String,
}

impl Operation for GetObjectAcl {
    type Output = AclOutput;
    const NAME: &'static str = "GetObjectACL";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        require_key(&self.key)?;
        Ok(Request::new(
            Method::Get,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            &self.key,
        )
        .with_query(ACL_QUERY, ""))
    }

    fn parse(&self, response: Response) -> Result<AclOutput> {
        parse_acl(Self::NAME, response)
    }

    operation_names!(bucket, key);
}

/// `putObjectAcl`: replaces the ACL of an object, by headers (`acl`, `grant_*`) or by an
/// [`AccessControlPolicy`] body — exactly one of the two.
///
/// There is no `grant_write`: the seed lists `GrantWrite`, but COS has no write permission
/// on a single object (writing is granted on the bucket).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutObjectAcl {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// The object key. Required, non-empty.
    pub key: String,
    /// A canned ACL (`x-cos-acl`): default (follow the bucket), private, public-read,
    /// public-read-write, authenticated-read, bucket-owner-read or
    /// bucket-owner-full-control.
    pub acl: Option<String>,
    /// `x-cos-grant-read`: `id="qcs::cam::uin/<OwnerUin>:uin/<SubUin>"` entries, comma
    /// separated.
    pub grant_read: Option<String>,
    /// `x-cos-grant-read-acp`: who may read the ACL, same format.
    pub grant_read_acp: Option<String>,
    /// `x-cos-grant-write-acp`: who may change the ACL, same format.
    pub grant_write_acp: Option<String>,
    /// `x-cos-grant-full-control`, same format.
    pub grant_full_control: Option<String>,
    /// The whole ACL as an XML body, instead of the headers above. Its `Owner.ID` is
    /// required; each grantee needs an `ID` (CanonicalUser) or a `URI` (Group).
    pub access_control_policy: Option<AccessControlPolicy>,
}

/// The grant parameters (seed name, header) in the order [`write_acl`] takes their values.
const GRANTS: [(&str, &str); 5] = [
    ("GrantRead", header::GRANT_READ),
    ("GrantWrite", header::GRANT_WRITE),
    ("GrantReadAcp", header::GRANT_READ_ACP),
    ("GrantWriteAcp", header::GRANT_WRITE_ACP),
    ("GrantFullControl", header::GRANT_FULL_CONTROL),
];

/// Builds the body or the headers of a put-ACL request into `req`: checks the grant values
/// (naming the seed's field), that exactly one of headers and body is given, then writes
/// them.
fn write_acl(
    req: &mut Request,
    acl: Option<&str>,
    for_object: bool,
    grants: [Option<&str>; 5],
    policy: Option<&AccessControlPolicy>,
) -> Result<()> {
    for ((field, name), value) in GRANTS.into_iter().zip(grants) {
        if let Some(value) = value {
            if value.is_empty() {
                return Err(Error::invalid(field, "is empty; leave it unset instead"));
            }
            header::check_value(name, value).map_err(|err| match err {
                Error::InvalidInput { reason, .. } => Error::invalid(field, reason),
                other => other,
            })?;
        }
    }
    let by_headers = acl.is_some() || grants.iter().any(Option::is_some);
    match (by_headers, policy) {
        (true, Some(_)) => Err(Error::invalid(
            "AccessControlPolicy",
            "cannot be combined with ACL or Grant* headers; COS takes one or the other",
        )),
        (false, None) => Err(Error::invalid(
            "AccessControlPolicy",
            "nothing to set: give ACL, a Grant* value, or AccessControlPolicy",
        )),
        (true, None) => {
            let headers = std::array::from_fn(|i| (GRANTS[i].1, grants[i]));
            acl_headers(req, acl, for_object, headers)
        }
        (false, Some(policy)) => {
            set_xml_body(req, policy.to_xml()?);
            Ok(())
        }
    }
}

impl Operation for PutBucketAcl {
    type Output = EmptyOutput;
    const NAME: &'static str = "PutBucketACL";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = Request::new(
            Method::Put,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            "",
        )
        .with_query(ACL_QUERY, "");
        write_acl(
            &mut req,
            self.acl.as_deref(),
            false,
            [
                self.grant_read.as_deref(),
                self.grant_write.as_deref(),
                self.grant_read_acp.as_deref(),
                self.grant_write_acp.as_deref(),
                self.grant_full_control.as_deref(),
            ],
            self.access_control_policy.as_ref(),
        )?;
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<EmptyOutput> {
        EmptyOutput::from_response(Self::NAME, response)
    }

    operation_names!(bucket);
}

impl Operation for PutObjectAcl {
    type Output = EmptyOutput;
    const NAME: &'static str = "PutObjectACL";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        require_key(&self.key)?;
        let mut req = Request::new(
            Method::Put,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            &self.key,
        )
        .with_query(ACL_QUERY, "");
        write_acl(
            &mut req,
            self.acl.as_deref(),
            true,
            [
                self.grant_read.as_deref(),
                None,
                self.grant_read_acp.as_deref(),
                self.grant_write_acp.as_deref(),
                self.grant_full_control.as_deref(),
            ],
            self.access_control_policy.as_ref(),
        )?;
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<EmptyOutput> {
        EmptyOutput::from_response(Self::NAME, response)
    }

    operation_names!(bucket, key);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Body;
    use crate::ops::testing::*;
    use crate::types::{Grant, Grantee, Owner, Permission};
    use crate::xml;

    const OWNER: &str = "qcs::cam::uin/100000000001:uin/100000000001";
    const USER: &str = "qcs::cam::uin/100000000002:uin/100000000002";
    const ALL_USERS: &str = "http://cam.qcloud.com/groups/global/AllUsers";
    const XSI: &str = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

    fn grant(grantee: Grantee, permission: Permission) -> Grant {
        Grant {
            grantee,
            permission,
        }
    }

    fn group(uri: &str) -> Grantee {
        Grantee {
            grantee_type: Some("Group".into()),
            uri: Some(uri.into()),
            ..Grantee::default()
        }
    }

    fn policy() -> AccessControlPolicy {
        let user = Grantee {
            id: Some(USER.into()),
            ..Grantee::default()
        };
        AccessControlPolicy {
            owner: Owner {
                id: OWNER.into(),
                display_name: None,
            },
            grants: vec![
                grant(group(ALL_USERS), Permission::Read),
                grant(user, Permission::ReadAcp),
            ],
        }
    }

    /// The test policy after `change`.
    fn policy_with(change: fn(&mut AccessControlPolicy)) -> Option<AccessControlPolicy> {
        let mut policy = policy();
        change(&mut policy);
        Some(policy)
    }

    fn pairs<const N: usize>(items: [(&str, &str); N]) -> Vec<(String, String)> {
        items.map(|(n, v)| (n.to_owned(), v.to_owned())).to_vec()
    }

    fn put_bucket() -> PutBucketAcl {
        PutBucketAcl {
            bucket: BUCKET.into(),
            region: REGION.into(),
            ..PutBucketAcl::default()
        }
    }

    fn put_object() -> PutObjectAcl {
        PutObjectAcl {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: "dir/1 .jpg".into(),
            ..PutObjectAcl::default()
        }
    }

    /// A bad-input case: how to spoil a valid call, and the field the error names.

    #[test]
    fn get_requests() {
        let e = Endpoint::new();
        let op = GetBucketAcl {
            bucket: BUCKET.into(),
            region: REGION.into(),
        };
        let req = op.to_request(&e).expect("valid");
        let want = (Method::Get, format!("{BASE}/?acl"));
        assert_eq!((req.method, req.url()), want);
        assert!(req.headers.is_empty() && req.body == Body::Empty);
        assert_eq!((op.bucket(), op.key()), (Some(BUCKET), None));
        assert_eq!(bad_field(&op, |o| o.bucket = "nope".into()), "Bucket");

        let op = GetObjectAcl {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: "dir/a b.jpg".into(),
        };
        let req = op.to_request(&e).expect("valid");
        let want = (Method::Get, format!("{BASE}/dir/a%20b.jpg?acl"));
        assert_eq!((req.method, req.url()), want);
        assert!(req.headers.is_empty() && req.body == Body::Empty);
        assert_eq!((op.bucket(), op.key()), (Some(BUCKET), Some("dir/a b.jpg")));
        assert_eq!(bad_field(&op, |o| o.key.clear()), "Key");
        assert_eq!(bad_field(&op, |o| o.region.clear()), "Region");
    }

    #[test]
    fn put_acl_by_headers() {
        let (user, both) = (
            format!("id=\"{USER}\""),
            format!("id=\"{OWNER}\",id=\"{USER}\""),
        );
        let op = PutBucketAcl {
            acl: Some("public-read".into()),
            grant_write: Some(user.clone()),
            grant_full_control: Some(both.clone()),
            ..put_bucket()
        };
        let req = op.to_request(&Endpoint::new()).expect("valid");
        assert_eq!(
            (req.method, req.url()),
            (Method::Put, format!("{BASE}/?acl"))
        );
        let want = pairs([
            ("Content-Length", "0"),
            ("x-cos-acl", "public-read"),
            ("x-cos-grant-write", &user),
            ("x-cos-grant-full-control", &both),
        ]);
        assert_eq!((&req.headers, &req.body), (&want, &Body::Empty));
        // A grant alone is enough.
        let mut op = put_bucket();
        op.grant_read_acp = Some(user.clone());
        let req = op.to_request(&Endpoint::new()).expect("valid");
        assert_eq!(
            req.headers,
            pairs([("Content-Length", "0"), ("x-cos-grant-read-acp", &user)])
        );

        // Objects take the object ACLs too.
        let op = PutObjectAcl {
            acl: Some("bucket-owner-full-control".into()),
            grant_read: Some(user.clone()),
            grant_write_acp: Some(both.clone()),
            ..put_object()
        };
        let req = op.to_request(&Endpoint::new()).expect("valid");
        let want = (Method::Put, format!("{BASE}/dir/1%20.jpg?acl"));
        assert_eq!((req.method, req.url()), want);
        let want = pairs([
            ("Content-Length", "0"),
            ("x-cos-acl", "bucket-owner-full-control"),
            ("x-cos-grant-read", &user),
            ("x-cos-grant-write-acp", &both),
        ]);
        assert_eq!((&req.headers, &req.body), (&want, &Body::Empty));
        assert_eq!((op.bucket(), op.key()), (Some(BUCKET), Some("dir/1 .jpg")));
        for acl in [
            "default",
            "bucket-owner-read",
            "private",
            "authenticated-read",
        ] {
            let mut op = put_object();
            op.acl = Some(acl.into());
            let req = op.to_request(&Endpoint::new()).expect("valid");
            assert_eq!(
                req.headers,
                pairs([("Content-Length", "0"), ("x-cos-acl", acl)])
            );
        }
    }

    #[test]
    fn put_acl_by_body_matches_the_sample_structure() {
        let sample = format!(
            "<AccessControlPolicy>\n\t<Owner>\n\t\t<ID>{OWNER}</ID>\n\t</Owner>\n\t<AccessControlList>\n\t\t<Grant>\n\t\t\t<Grantee {XSI} xsi:type=\"Group\">\n\t\t\t\t<URI>{ALL_USERS}</URI>\n\t\t\t</Grantee>\n\t\t\t<Permission>READ</Permission>\n\t\t</Grant>\n\t\t<Grant>\n\t\t\t<Grantee {XSI} xsi:type=\"CanonicalUser\">\n\t\t\t\t<ID>{USER}</ID>\n\t\t\t</Grantee>\n\t\t\t<Permission>READ_ACP</Permission>\n\t\t</Grant>\n\t</AccessControlList>\n</AccessControlPolicy>"
        );
        let expected = strip(xml::parse("T", sample.as_bytes()).expect("sample"));
        let e = Endpoint::new();
        let mut bucket_op = put_bucket();
        bucket_op.access_control_policy = Some(policy());
        let mut object_op = put_object();
        object_op.access_control_policy = Some(policy());
        let bucket_req = bucket_op.to_request(&e).expect("valid");
        let object_req = object_op.to_request(&e).expect("valid");
        assert_eq!(bucket_req.url(), format!("{BASE}/?acl"));
        assert_eq!(object_req.url(), format!("{BASE}/dir/1%20.jpg?acl"));
        for req in [bucket_req, object_req] {
            assert_eq!(req.method, Method::Put);
            let body = body_of(&req);
            assert_eq!(strip(xml::parse("T", body).expect("body")), expected);
            let md5 = super::super::content_md5(body);
            let len = body.len().to_string();
            let want = pairs([
                ("Content-Type", "application/xml"),
                ("Content-MD5", &md5),
                ("Content-Length", &len),
            ]);
            assert_eq!(req.headers, want);
        }
    }

    #[test]
    fn put_acl_bad_inputs_name_the_field() {
        const POLICY: &str = "AccessControlPolicy";
        let ok = put_bucket();
        #[rustfmt::skip]
        let cases: [Case<PutBucketAcl>; 10] = [
            (|_| {}, POLICY),
            (|o| (o.acl, o.access_control_policy) = (Some("private".into()), Some(policy())), POLICY),
            (|o| (o.grant_read, o.access_control_policy) = (Some("id=\"a\"".into()), Some(policy())), POLICY),
            (|o| o.acl = Some("bucket-owner-read".into()), "ACL"),
            (|o| o.acl = Some("public".into()), "ACL"),
            (|o| o.grant_write = Some("id=\"a\"\r\nx-evil: 1".into()), "GrantWrite"),
            (|o| o.grant_full_control = Some(String::new()), "GrantFullControl"),
            (|o| o.access_control_policy = policy_with(|p| p.owner.id.clear()), "AccessControlPolicy.Owner.ID"),
            (|o| o.access_control_policy = policy_with(|p| p.grants[1].grantee = Grantee::default()),
                "AccessControlPolicy.Grants[1].Grantee"),
            (|o| (o.bucket, o.acl) = ("Bad_Bucket".into(), Some("private".into())), "Bucket"),
        ];
        for (change, field) in cases {
            assert_eq!(bad_field(&ok, change), field);
        }
        let ok = put_object();
        #[rustfmt::skip]
        let cases: [Case<PutObjectAcl>; 8] = [
            (|o| (o.key, o.acl) = (String::new(), Some("private".into())), "Key"),
            (|_| {}, POLICY),
            (|o| (o.grant_read_acp, o.access_control_policy) = (Some("id=\"a\"".into()), Some(policy())), POLICY),
            (|o| o.grant_write_acp = Some("a\0b".into()), "GrantWriteAcp"),
            (|o| o.grant_read = Some(String::new()), "GrantRead"),
            (|o| o.acl = Some("PRIVATE".into()), "ACL"),
            (|o| o.access_control_policy = policy_with(|p| p.grants[1].permission = Permission::Other("ALL".into())),
                "AccessControlPolicy.Grants[1].Permission"),
            (|o| o.access_control_policy = policy_with(|p| p.grants[0].grantee.grantee_type = Some("Everyone".into())),
                "AccessControlPolicy.Grants[0].Grantee.Type"),
        ];
        for (change, field) in cases {
            assert_eq!(bad_field(&ok, change), field);
        }
    }

    #[test]
    fn parses_acl_documents() {
        // Namespaced root, xsi:type with another prefix, whitespace kept in text, a grant
        // list interleaved with an unknown element.
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AccessControlPolicy xmlns=\"http://www.qcloud.com/document/product/436/7751\">\n\t<Owner>\n\t\t<ID>{OWNER}</ID>\n\t\t<DisplayName>{OWNER}</DisplayName>\n\t</Owner>\n\t<AccessControlList>\n\t\t<Grant>\n\t\t\t<Grantee xmlns:x=\"http://www.w3.org/2001/XMLSchema-instance\" x:type=\"Group\">\n\t\t\t\t<URI>{ALL_USERS}</URI>\n\t\t\t</Grantee>\n\t\t\t<Permission>READ</Permission>\n\t\t</Grant>\n\t\t<Unknown>x</Unknown>\n\t\t<Grant>\n\t\t\t<Grantee {XSI} xsi:type=\"CanonicalUser\">\n\t\t\t\t<ID>{USER}</ID>\n\t\t\t\t<DisplayName> name </DisplayName>\n\t\t\t</Grantee>\n\t\t\t<Permission>WRITE_ACP</Permission>\n\t\t</Grant>\n\t</AccessControlList>\n</AccessControlPolicy>"
        );
        let response = Response::new(200).with_header("x-cos-request-id", "rid");
        let response = response.with_body(body);
        let out = GetBucketAcl::default().parse(response.clone());
        let out = out.expect("parses");
        let meta = (out.meta.status, out.meta.request_id.as_deref());
        assert_eq!(meta, (200, Some("rid")));
        let user = Grantee {
            grantee_type: Some("CanonicalUser".into()),
            id: Some(USER.into()),
            display_name: Some(" name ".into()),
            ..Grantee::default()
        };
        let expected = AccessControlPolicy {
            owner: Owner {
                id: OWNER.into(),
                display_name: Some(OWNER.into()),
            },
            grants: vec![
                grant(group(ALL_USERS), Permission::Read),
                grant(user, Permission::WriteAcp),
            ],
        };
        assert_eq!(out.policy, expected);
        let out = GetObjectAcl::default().parse(response).expect("parses");
        assert_eq!(out.policy, expected);
        // No grants at all: an empty list.
        let body = format!(
            "<AccessControlPolicy><Owner><ID>{OWNER}</ID></Owner><AccessControlList/></AccessControlPolicy>"
        );
        let out = GetObjectAcl::default().parse(Response::new(200).with_body(body));
        let policy = out.expect("parses").policy;
        assert!(policy.grants.is_empty());
        assert_eq!(policy.owner.display_name, None);
    }

    #[test]
    fn errors_are_service_or_parse_errors() {
        let body = "<?xml version='1.0' encoding='utf-8' ?><Error><Code>AccessDenied</Code><Message>Access Denied.</Message><Resource>r</Resource><RequestId>id1</RequestId><TraceId>t1</TraceId></Error>";
        for status in [403, 200] {
            let err = parse_err(
                &GetBucketAcl::default(),
                Response::new(status).with_body(body),
            );
            let s = err.service().expect("service error");
            let got = (
                s.operation,
                s.status,
                s.code.as_str(),
                s.request_id.as_deref(),
            );
            assert_eq!(got, ("GetBucketACL", status, "AccessDenied", Some("id1")));
        }
        for body in ["<ListBucketResult/>", "<AccessControlPolicy><Owner>"] {
            let err = parse_err(&GetObjectAcl::default(), Response::new(200).with_body(body));
            let ok = parse_op(&err) == Some("GetObjectACL");
            assert!(ok, "{body}: {err}");
        }
        let body = "<Error><Code>NoSuchKey</Code><Message>m</Message></Error>";
        let err = parse_err(&PutObjectAcl::default(), Response::new(404).with_body(body));
        let got = err.service().map(|s| (s.operation, s.code.as_str()));
        assert_eq!(got, Some(("PutObjectACL", "NoSuchKey")));
        let response = Response::new(200).with_header("x-cos-request-id", "r2");
        let out = PutBucketAcl::default().parse(response).expect("ok");
        assert_eq!(out.meta.request_id.as_deref(), Some("r2"));
    }
}
