//! `cos_params`: the parameters of one call, set by the seed's names.
//!
//! A C program fills a `cos_params` with [`cos_params_set`] (`"Bucket"`, `"Key"`,
//! `"MaxKeys"`, `"x-cos-meta-author"`, ...) and the `cos_params_add_*` functions for the
//! seed's lists (`Headers`, `Query`, `Objects`, `Parts`, `CORSRules`, the grants of an
//! `AccessControlPolicy`), then hands it to a call. The call takes the names it knows
//! (`Take`) into cos-proto's parameter struct, which validates the values; a name the
//! call does not take is an error naming it, so a typo never goes unnoticed.

use std::ffi::c_char;

use cos_blocking::Client;
use cos_blocking::proto::ops::multipart::CompletedPart;
use cos_blocking::proto::ops::object::ObjectToDelete;
use cos_blocking::proto::types::{
    AccessControlPolicy, CorsRule, Grant, Grantee, Owner, Permission,
};

use crate::boundary::{arg_mut, arg_opt_str, arg_str, free, guard, into_handle};
use crate::error::{Failure, FfiResult, cos_result};

/// The prefix of user metadata names (`x-cos-meta-*`), which [`cos_params_set`] collects
/// in order instead of replacing.
const META_PREFIX: &str = "x-cos-meta-";

/// The parameters of one call: named values and the seed's lists. Create with
/// [`cos_params_new`], free with [`cos_params_free`]. Not thread-safe: fill and use it
/// from one thread at a time; a call only reads it, so it can be reused.
#[allow(non_camel_case_types)]
#[derive(Default)]
pub struct cos_params {
    values: Vec<(String, String)>,
    metadata: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    objects: Vec<ObjectToDelete>,
    parts: Vec<CompletedPart>,
    cors_rules: Vec<CorsRule>,
    acl_owner: Option<Owner>,
    acl_grants: Vec<Grant>,
}

/// The lists a call may take, to tell which were given and not taken.
#[derive(Clone, Copy, PartialEq, Eq)]
enum List {
    Metadata,
    Headers,
    Query,
    Objects,
    Parts,
    CorsRules,
    AccessControlPolicy,
}

impl List {
    fn name(self) -> &'static str {
        match self {
            List::Metadata => "x-cos-meta-*",
            List::Headers => "Headers",
            List::Query => "Query",
            List::Objects => "Objects",
            List::Parts => "Parts",
            List::CorsRules => "CORSRules",
            List::AccessControlPolicy => "AccessControlPolicy",
        }
    }
}

/// Reads a `cos_params` for one call: each name the call knows is taken once;
/// [`Take::finish`] then fails on anything given that the call did not take.
pub(crate) struct Take<'a> {
    call: &'static str,
    params: &'a cos_params,
    taken: Vec<bool>,
    lists: Vec<List>,
}

impl<'a> Take<'a> {
    /// Starts reading `params` for `call` (cos-proto's operation name, for errors).
    pub(crate) fn new(call: &'static str, params: &'a cos_params) -> Self {
        Take {
            call,
            params,
            taken: vec![false; params.values.len()],
            lists: Vec::new(),
        }
    }

    /// The value of `name`, if given.
    pub(crate) fn opt(&mut self, name: &str) -> Option<String> {
        let i = self.params.values.iter().position(|(n, _)| n == name)?;
        self.taken[i] = true;
        Some(self.params.values[i].1.clone())
    }

    /// The value of `name`, empty when not given (cos-proto says when it is required).
    pub(crate) fn string(&mut self, name: &str) -> String {
        self.opt(name).unwrap_or_default()
    }

    /// `Bucket`, or the client's default bucket.
    pub(crate) fn bucket(&mut self, client: &Client) -> String {
        self.opt("Bucket")
            .or_else(|| client.bucket().map(str::to_owned))
            .unwrap_or_default()
    }

    /// `Region`, or the client's default region.
    pub(crate) fn region(&mut self, client: &Client) -> String {
        self.opt("Region")
            .or_else(|| client.region().map(str::to_owned))
            .unwrap_or_default()
    }

    /// A number given in decimal.
    pub(crate) fn number<T: std::str::FromStr>(
        &mut self,
        name: &'static str,
    ) -> FfiResult<Option<T>> {
        self.opt(name)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| Failure::invalid(name, "must be a whole number in decimal"))
            })
            .transpose()
    }

    /// A flag given as `true` or `false`.
    pub(crate) fn flag(&mut self, name: &'static str) -> FfiResult<Option<bool>> {
        self.opt(name).map(|v| parse_bool(name, &v)).transpose()
    }

    fn list(&mut self, list: List) {
        self.lists.push(list);
    }

    /// The user metadata (`x-cos-meta-*` names, in the order set).
    pub(crate) fn metadata(&mut self) -> Vec<(String, String)> {
        self.list(List::Metadata);
        self.params.metadata.clone()
    }

    /// The `Headers` list.
    pub(crate) fn headers(&mut self) -> Vec<(String, String)> {
        self.list(List::Headers);
        self.params.headers.clone()
    }

    /// The `Query` list.
    pub(crate) fn query(&mut self) -> Vec<(String, String)> {
        self.list(List::Query);
        self.params.query.clone()
    }

    /// The `Objects` list.
    pub(crate) fn objects(&mut self) -> Vec<ObjectToDelete> {
        self.list(List::Objects);
        self.params.objects.clone()
    }

    /// The `Parts` list.
    pub(crate) fn parts(&mut self) -> Vec<CompletedPart> {
        self.list(List::Parts);
        self.params.parts.clone()
    }

    /// The `CORSRules` list.
    pub(crate) fn cors_rules(&mut self) -> Vec<CorsRule> {
        self.list(List::CorsRules);
        self.params.cors_rules.clone()
    }

    /// The `AccessControlPolicy`, when an owner or a grant was given.
    pub(crate) fn access_control_policy(&mut self) -> Option<AccessControlPolicy> {
        self.list(List::AccessControlPolicy);
        let p = self.params;
        if p.acl_owner.is_none() && p.acl_grants.is_empty() {
            return None;
        }
        Some(AccessControlPolicy {
            owner: p.acl_owner.clone().unwrap_or_default(),
            grants: p.acl_grants.clone(),
        })
    }

    /// Fails on the first name or list given that the call did not take.
    pub(crate) fn finish(self) -> FfiResult<()> {
        if let Some(i) = self.taken.iter().position(|t| !t) {
            let name = &self.params.values[i].0;
            return Err(Failure::invalid(
                name,
                format!("{} takes no parameter of this name", self.call),
            ));
        }
        let p = self.params;
        let given = [
            (List::Metadata, !p.metadata.is_empty()),
            (List::Headers, !p.headers.is_empty()),
            (List::Query, !p.query.is_empty()),
            (List::Objects, !p.objects.is_empty()),
            (List::Parts, !p.parts.is_empty()),
            (List::CorsRules, !p.cors_rules.is_empty()),
            (
                List::AccessControlPolicy,
                p.acl_owner.is_some() || !p.acl_grants.is_empty(),
            ),
        ];
        match given
            .into_iter()
            .find(|(list, given)| *given && !self.lists.contains(list))
        {
            Some((list, _)) => Err(Failure::invalid(
                list.name(),
                format!("{} takes no such list", self.call),
            )),
            None => Ok(()),
        }
    }
}

/// `true` or `false` (also `1` / `0`).
pub(crate) fn parse_bool(name: &'static str, value: &str) -> FfiResult<bool> {
    match value.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(Failure::invalid(name, "must be `true` or `false`")),
    }
}

/// A NULL-terminated array of NUL-terminated strings (NULL itself is the empty list).
///
/// # Safety
/// A non-NULL `list` must point to an array of string pointers ending with NULL, each a
/// NUL-terminated string.
unsafe fn string_list(list: *const *const c_char, name: &'static str) -> FfiResult<Vec<String>> {
    let mut out = Vec::new();
    if list.is_null() {
        return Ok(out);
    }
    for i in 0.. {
        // SAFETY: the array is NULL-terminated and every entry before the NULL is readable.
        let item = unsafe { *list.add(i) };
        if item.is_null() {
            break;
        }
        // SAFETY: each entry is a NUL-terminated string by the caller's guarantee.
        out.push(unsafe { arg_str(item, name) }?.to_owned());
    }
    Ok(out)
}

/// A new, empty parameter set; free it with [`cos_params_free`]. Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn cos_params_new() -> *mut cos_params {
    crate::boundary::guard_value(std::ptr::null_mut(), || into_handle(cos_params::default()))
}

/// Frees a parameter set. NULL is a no-op.
///
/// # Safety
/// `params` must be NULL or come from [`cos_params_new`], and not be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_params_free(params: *mut cos_params) {
    // SAFETY: forwarded to the caller's guarantee.
    crate::boundary::guard_value((), || unsafe { free(params) });
}

/// Empties a parameter set, to reuse it for another call.
///
/// # Safety
/// `params` must be NULL or a live parameter set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_params_clear(params: *mut cos_params) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        *unsafe { arg_mut(params, "params") }? = cos_params::default();
        Ok(())
    })
}

/// Sets parameter `name` (the seed's name: `"Bucket"`, `"Region"`, `"Key"`, `"Prefix"`,
/// `"MaxKeys"`, `"ACL"`, `"StorageClass"`, ...) to `value`, replacing an earlier value;
/// `value` NULL removes it. Numbers are decimal text (`"1000"`), flags `"true"` or
/// `"false"`.
///
/// A name starting with `x-cos-meta-` is user metadata: such names are kept in the order
/// set (one per name, ignoring case).
///
/// Names are checked by the call the set is given to: a name it does not take fails it
/// with `COS_RESULT_INVALID_PARAMETER`.
///
/// # Safety
/// `params` must be a live parameter set; `name` and `value` NUL-terminated strings (or
/// NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_params_set(
    params: *mut cos_params,
    name: *const c_char,
    value: *const c_char,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let (p, name, value) = unsafe {
            (
                arg_mut(params, "params")?,
                arg_str(name, "name")?,
                arg_opt_str(value, "value")?,
            )
        };
        if name.is_empty() {
            return Err(Failure::invalid("name", "is empty"));
        }
        let is_meta = name.len() >= META_PREFIX.len()
            && name[..META_PREFIX.len()].eq_ignore_ascii_case(META_PREFIX);
        let (list, same): (_, fn(&str, &str) -> bool) = if is_meta {
            (&mut p.metadata, |a, b| a.eq_ignore_ascii_case(b))
        } else {
            (&mut p.values, |a, b| a == b)
        };
        match (list.iter().position(|(n, _)| same(n, name)), value) {
            (Some(i), Some(v)) => list[i] = (name.to_owned(), v.to_owned()),
            (Some(i), None) => {
                list.remove(i);
            }
            (None, Some(v)) => list.push((name.to_owned(), v.to_owned())),
            (None, None) => {}
        }
        Ok(())
    })
}

/// Adds a pair to a list of `params`, both strings checked.
///
/// # Safety
/// As [`cos_params_add_header`].
unsafe fn add_pair(
    params: *mut cos_params,
    name: *const c_char,
    value: *const c_char,
    list: fn(&mut cos_params) -> &mut Vec<(String, String)>,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let (p, name, value) = unsafe {
            (
                arg_mut(params, "params")?,
                arg_str(name, "name")?,
                arg_str(value, "value")?,
            )
        };
        list(p).push((name.to_owned(), value.to_owned()));
        Ok(())
    })
}

/// Adds a header to the seed's `Headers` (of `getAuthorization`, `getAuth`,
/// `getObjectUrl`): headers the request will carry, which the signature covers.
///
/// # Safety
/// `params` must be a live parameter set; `name` and `value` NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_params_add_header(
    params: *mut cos_params,
    name: *const c_char,
    value: *const c_char,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { add_pair(params, name, value, |p| &mut p.headers) }
}

/// Adds a query parameter to the seed's `Query` (of `getAuthorization`, `getAuth`,
/// `getObjectUrl`).
///
/// # Safety
/// `params` must be a live parameter set; `name` and `value` NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_params_add_query(
    params: *mut cos_params,
    name: *const c_char,
    value: *const c_char,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { add_pair(params, name, value, |p| &mut p.query) }
}

/// Adds an object to the seed's `Objects` (of `deleteMultipleObject`): its `Key` and,
/// optionally (NULL for none), its `VersionId`.
///
/// # Safety
/// `params` must be a live parameter set; `key` a NUL-terminated string; `version_id` one
/// or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_params_add_object(
    params: *mut cos_params,
    key: *const c_char,
    version_id: *const c_char,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let (p, key, version_id) = unsafe {
            (
                arg_mut(params, "params")?,
                arg_str(key, "key")?,
                arg_opt_str(version_id, "version_id")?,
            )
        };
        p.objects.push(ObjectToDelete {
            key: key.to_owned(),
            version_id: version_id.map(str::to_owned),
        });
        Ok(())
    })
}

/// Adds a part to the seed's `Parts` (of `multipartComplete`): its `PartNumber` and the
/// `ETag` its upload returned.
///
/// # Safety
/// `params` must be a live parameter set; `etag` a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_params_add_part(
    params: *mut cos_params,
    part_number: u32,
    etag: *const c_char,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let (p, etag) = unsafe { (arg_mut(params, "params")?, arg_str(etag, "etag")?) };
        p.parts.push(CompletedPart {
            part_number,
            etag: etag.to_owned(),
        });
        Ok(())
    })
}

/// Adds a rule to the seed's `CORSRules` (of `putBucketCors`). Each list is a
/// NULL-terminated array of NUL-terminated strings (like `argv`); a NULL list is empty.
/// `id` may be NULL; `max_age_seconds` below 0 leaves `MaxAgeSeconds` out. The call checks
/// the rule (an origin and a method at least).
///
/// # Safety
/// `params` must be a live parameter set; `id` NULL or a NUL-terminated string; each list
/// NULL or a NULL-terminated array of NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_params_add_cors_rule(
    params: *mut cos_params,
    id: *const c_char,
    allowed_origins: *const *const c_char,
    allowed_methods: *const *const c_char,
    allowed_headers: *const *const c_char,
    expose_headers: *const *const c_char,
    max_age_seconds: i64,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let (p, rule) = unsafe {
            (
                arg_mut(params, "params")?,
                CorsRule {
                    id: arg_opt_str(id, "id")?.map(str::to_owned),
                    allowed_origins: string_list(allowed_origins, "allowed_origins")?,
                    allowed_methods: string_list(allowed_methods, "allowed_methods")?,
                    allowed_headers: string_list(allowed_headers, "allowed_headers")?,
                    expose_headers: string_list(expose_headers, "expose_headers")?,
                    max_age_seconds: u64::try_from(max_age_seconds).ok(),
                },
            )
        };
        p.cors_rules.push(rule);
        Ok(())
    })
}

/// Sets the `Owner` of the seed's `AccessControlPolicy` (of `putBucketAcl` and
/// `putObjectAcl`): its `ID` and, optionally, `DisplayName`.
///
/// # Safety
/// `params` must be a live parameter set; `id` a NUL-terminated string; `display_name` one
/// or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_params_set_acl_owner(
    params: *mut cos_params,
    id: *const c_char,
    display_name: *const c_char,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let (p, id, display_name) = unsafe {
            (
                arg_mut(params, "params")?,
                arg_str(id, "id")?,
                arg_opt_str(display_name, "display_name")?,
            )
        };
        p.acl_owner = Some(Owner {
            id: id.to_owned(),
            display_name: display_name.map(str::to_owned),
        });
        Ok(())
    })
}

/// Adds a grant to the seed's `AccessControlPolicy`: a grantee — a user by `id`
/// (`qcs::cam::uin/100000000001:uin/100000000001`) or a group by `uri`
/// (`http://cam.qcloud.com/groups/global/AllUsers`), `grantee_type` (`CanonicalUser`,
/// `Group`) and `display_name` optional — and its `permission` (`READ`, `WRITE`,
/// `FULL_CONTROL`, `READ_ACP`, `WRITE_ACP`). NULL leaves an optional field out; the call
/// checks the grant.
///
/// # Safety
/// `params` must be a live parameter set; each string NULL or NUL-terminated; `permission`
/// NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_params_add_acl_grant(
    params: *mut cos_params,
    grantee_type: *const c_char,
    id: *const c_char,
    uri: *const c_char,
    display_name: *const c_char,
    permission: *const c_char,
) -> cos_result {
    guard(|| {
        let owned = |s: Option<&str>| s.map(str::to_owned);
        // SAFETY: forwarded to the caller's guarantee.
        let (p, grant) = unsafe {
            (
                arg_mut(params, "params")?,
                Grant {
                    grantee: Grantee {
                        grantee_type: owned(arg_opt_str(grantee_type, "grantee_type")?),
                        uri: owned(arg_opt_str(uri, "uri")?),
                        id: owned(arg_opt_str(id, "id")?),
                        display_name: owned(arg_opt_str(display_name, "display_name")?),
                    },
                    permission: Permission::from_wire(arg_str(permission, "permission")?),
                },
            )
        };
        p.acl_grants.push(grant);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(values: &[(&str, &str)]) -> cos_params {
        cos_params {
            values: values
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            ..cos_params::default()
        }
    }

    #[test]
    fn a_name_or_list_the_call_does_not_take_is_refused() {
        let p = params(&[("Key", "a"), ("Prefx", "b/")]);
        let mut t = Take::new("GetObject", &p);
        assert_eq!(t.string("Key"), "a");
        let err = t.finish().expect_err("Prefx is not taken");
        assert_eq!(err.result(), cos_result::COS_RESULT_INVALID_PARAMETER);

        let p = cos_params {
            parts: vec![CompletedPart::default()],
            ..cos_params::default()
        };
        assert!(Take::new("PutObject", &p).finish().is_err());
        let mut t = Take::new("CompleteMultipartUpload", &p);
        assert_eq!(t.parts().len(), 1);
        assert!(t.finish().is_ok());
    }

    #[test]
    fn numbers_and_flags_are_checked() {
        let p = params(&[("MaxKeys", "12"), ("Quiet", "true"), ("Sign", "yes")]);
        let mut t = Take::new("T", &p);
        assert_eq!(t.number::<u32>("MaxKeys").ok(), Some(Some(12)));
        assert_eq!(t.flag("Quiet").ok(), Some(Some(true)));
        assert!(t.flag("Sign").is_err());
        assert_eq!(t.number::<u32>("Absent").ok(), Some(None));
    }
}
