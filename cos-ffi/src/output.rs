//! `cos_output` and `cos_value`: the result of a call, as the seed's returned data.
//!
//! Every call's output is a tree of values shaped exactly like the data the seed's callback
//! receives: an object whose fields carry the seed's names (`Contents`, `CommonPrefixes`,
//! `ETag`, `UploadId`, `Grants`, `CORSRules`, ...), plus `statusCode`, `headers` (an object
//! of the response headers, names in lower case) and `RequestId`. The shape comes from
//! cos-proto's serialization of its typed outputs (the same one the interop tests compare
//! with the official SDKs' data), so nothing is renamed here; the outputs that come from
//! headers only (headObject, getObject, putObject, deleteObject, headBucket, and the calls
//! with no data) are spelled out here, field by field.
//!
//! A C program walks the tree with [`cos_output_get`], [`cos_value_get`],
//! [`cos_value_count`] and [`cos_value_at`], and reads leaves with [`cos_value_str`],
//! [`cos_value_u64`] and [`cos_value_bool`]. Every `cos_value` pointer and every string
//! pointer it hands out is borrowed from the output and valid until [`cos_output_free`].

use std::ffi::{CStr, c_char};

use cos_blocking::GetObjectData;
use cos_blocking::proto::ResponseMeta;
use cos_blocking::proto::ops::ObjectHeaders;
use cos_blocking::proto::ops::acl::AclOutput;
use cos_blocking::proto::ops::bucket::{
    BucketLocation, EmptyOutput, HeadBucketOutput, ListAllMyBucketsResult, ListBucketResult,
};
use cos_blocking::proto::ops::cors::{CorsConfiguration, OptionsObjectOutput};
use cos_blocking::proto::ops::multipart::{
    CompleteMultipartUploadResult, CopyPartResult, InitiateMultipartUploadResult,
    ListMultipartUploadsResult, ListPartsResult, UploadPartOutput,
};
use cos_blocking::proto::ops::object::{
    CopyObjectResult, DeleteObjectOutput, DeleteResult, GetObjectOutput, HeadObjectOutput,
    PutObjectOutput,
};
use serde_json::{Map, Value, json};

use crate::boundary::{OutPtr, arg_ref, free, guard, guard_value};
use crate::error::{Failure, FfiResult, cos_result};

/// The result of a call: the tree of its returned data, and for `getObject` into memory,
/// the object's bytes. Owned by the caller, who frees it with [`cos_output_free`]; the
/// values and strings read from it live as long as it does. Immutable, so it may be read
/// from several threads at once.
#[allow(non_camel_case_types)]
pub struct cos_output {
    root: cos_value,
    body: Vec<u8>,
}

/// One value of an output: a string, number, flag, list, object, or null. Only ever seen
/// through `const cos_value *` pointers borrowed from a [`cos_output`].
#[allow(non_camel_case_types)]
pub struct cos_value {
    node: Node,
}

/// A text with a NUL after it, so that C can use it either way.
struct Text(Box<[u8]>);

impl Text {
    fn new(s: &str) -> Self {
        let mut bytes = Vec::with_capacity(s.len() + 1);
        bytes.extend_from_slice(s.as_bytes());
        bytes.push(0);
        Text(bytes.into_boxed_slice())
    }

    /// The bytes without the NUL.
    fn bytes(&self) -> &[u8] {
        &self.0[..self.0.len() - 1]
    }
}

enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Str(Text),
    List(Vec<cos_value>),
    Object(Vec<(Text, cos_value)>),
}

/// What a [`cos_value`] is. `COS_VALUE_ABSENT` is the kind of NULL: what a lookup of a
/// missing field or index returns.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cos_value_kind {
    /// No value (a NULL pointer).
    COS_VALUE_ABSENT = 0,
    /// JSON's null.
    COS_VALUE_NULL = 1,
    /// `true` or `false`: read with [`cos_value_bool`].
    COS_VALUE_BOOL = 2,
    /// A whole number: read with [`cos_value_u64`].
    COS_VALUE_NUMBER = 3,
    /// Text: read with [`cos_value_str`].
    COS_VALUE_STRING = 4,
    /// A list: [`cos_value_count`] items, each from [`cos_value_at`].
    COS_VALUE_LIST = 5,
    /// Named fields: [`cos_value_get`] by name, or [`cos_value_count`] /
    /// [`cos_value_name_at`] / [`cos_value_at`] in order.
    COS_VALUE_OBJECT = 6,
}

impl cos_value {
    fn from_json(value: Value) -> Self {
        let node = match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(b),
            Value::Number(n) => Node::Number(n),
            Value::String(s) => Node::Str(Text::new(&s)),
            Value::Array(items) => {
                Node::List(items.into_iter().map(cos_value::from_json).collect())
            }
            Value::Object(fields) => Node::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (Text::new(&k), cos_value::from_json(v)))
                    .collect(),
            ),
        };
        cos_value { node }
    }

    fn get(&self, name: &[u8]) -> Option<&cos_value> {
        match &self.node {
            Node::Object(fields) => fields
                .iter()
                .find(|(k, _)| k.bytes() == name)
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

impl cos_output {
    /// An output whose root is `data` (an object) plus the response's status, headers and
    /// request id.
    pub(crate) fn new(meta: &ResponseMeta, data: Value) -> FfiResult<Self> {
        Ok(cos_output::from_value(with_response(meta, data)?))
    }

    /// An output whose root is `root` as it is (an object, for the lookups to work).
    pub(crate) fn from_value(root: Value) -> Self {
        cos_output {
            root: cos_value::from_json(root),
            body: Vec::new(),
        }
    }

    /// An output of one string field and no response (the signing helpers).
    pub(crate) fn text(name: &str, value: &str) -> Self {
        cos_output::from_value(json!({ name: value }))
    }

    /// Sets the downloaded bytes.
    pub(crate) fn with_body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }
}

/// `data` (an object, or null for none) with the response's `statusCode`, `headers`
/// (names in lower case, repeated ones joined by `, `) and `RequestId` added: the root of
/// a call's output.
pub(crate) fn with_response(meta: &ResponseMeta, data: Value) -> FfiResult<Value> {
    let mut root = match data {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        _ => return Err(Failure::wrong_type("an output is not an object")),
    };
    root.insert("statusCode".into(), json!(meta.status));
    let mut headers = Map::new();
    for (name, value) in &meta.headers {
        let name = name.to_ascii_lowercase();
        match headers.get_mut(&name) {
            Some(Value::String(earlier)) => {
                earlier.push_str(", ");
                earlier.push_str(value);
            }
            _ => {
                headers.insert(name, Value::String(value.clone()));
            }
        }
    }
    root.insert("headers".into(), Value::Object(headers));
    if let Some(id) = &meta.request_id {
        root.insert("RequestId".into(), json!(id));
    }
    Ok(Value::Object(root))
}

/// An output type of cos-proto turned into a [`cos_output`].
pub(crate) trait ToOutput {
    /// The output as the seed's data.
    fn to_output(self) -> FfiResult<cos_output>;
}

/// The outputs whose serialization is the seed's data.
macro_rules! serialized {
    ($($t:ty),+ $(,)?) => {$(
        impl ToOutput for $t {
            fn to_output(self) -> FfiResult<cos_output> {
                let data = serde_json::to_value(&self)
                    .map_err(|e| Failure::wrong_type(format!("cannot represent the output: {e}")))?;
                cos_output::new(&self.meta, data)
            }
        }
    )+};
}

serialized!(
    ListAllMyBucketsResult,
    ListBucketResult,
    BucketLocation,
    AclOutput,
    CorsConfiguration,
    OptionsObjectOutput,
    DeleteResult,
    CopyObjectResult,
    InitiateMultipartUploadResult,
    UploadPartOutput,
    CopyPartResult,
    ListPartsResult,
    ListMultipartUploadsResult,
);

/// Adds `value` under `name` when it is set.
pub(crate) fn put<T: serde::Serialize>(map: &mut Map<String, Value>, name: &str, value: Option<T>) {
    if let Some(v) = value {
        map.insert(name.to_owned(), json!(v));
    }
}

/// What the headers of a HEAD or GET of an object say, under the seed's names.
fn object_headers(o: &ObjectHeaders, not_modified: bool) -> Map<String, Value> {
    let mut m = Map::new();
    put(&mut m, "ETag", o.etag.as_ref());
    put(&mut m, "VersionId", o.version_id.as_ref());
    // A string, as cos-proto writes every CRC64 (it exceeds JSON's exact integers).
    put(&mut m, "CRC64", o.crc64.map(|c| c.to_string()));
    put(&mut m, "StorageClass", Some(o.storage_class.as_str()));
    put(&mut m, "ObjectType", o.object_type.as_ref());
    put(&mut m, "ContentLength", o.content_length);
    put(&mut m, "ContentType", o.content_type.as_ref());
    put(&mut m, "LastModified", o.last_modified.as_ref());
    put(&mut m, "Metadata", Some(&o.metadata));
    put(&mut m, "NotModified", Some(not_modified));
    m
}

impl ToOutput for CompleteMultipartUploadResult {
    /// The document's fields, and `VersionId` and `CRC64` from the headers.
    fn to_output(self) -> FfiResult<cos_output> {
        let mut data = serde_json::to_value(&self)
            .map_err(|e| Failure::wrong_type(format!("cannot represent the output: {e}")))?;
        if let Value::Object(m) = &mut data {
            put(m, "VersionId", self.version_id.as_ref());
            put(m, "CRC64", self.crc64.map(|c| c.to_string()));
        }
        cos_output::new(&self.meta, data)
    }
}

impl ToOutput for EmptyOutput {
    fn to_output(self) -> FfiResult<cos_output> {
        cos_output::new(&self.meta, Value::Null)
    }
}

impl ToOutput for HeadBucketOutput {
    fn to_output(self) -> FfiResult<cos_output> {
        let mut m = Map::new();
        put(&mut m, "BucketRegion", self.bucket_region.as_ref());
        cos_output::new(&self.meta, Value::Object(m))
    }
}

impl ToOutput for HeadObjectOutput {
    fn to_output(self) -> FfiResult<cos_output> {
        let m = object_headers(&self.object, self.not_modified);
        cos_output::new(&self.meta, Value::Object(m))
    }
}

impl ToOutput for GetObjectOutput {
    fn to_output(self) -> FfiResult<cos_output> {
        let mut m = object_headers(&self.object, self.not_modified);
        if let Some(r) = &self.content_range {
            let mut range = Map::new();
            put(&mut range, "First", Some(r.first));
            put(&mut range, "Last", Some(r.last));
            put(&mut range, "Total", r.total);
            m.insert("ContentRange".into(), Value::Object(range));
        }
        cos_output::new(&self.meta, Value::Object(m))
    }
}

impl ToOutput for GetObjectData {
    fn to_output(self) -> FfiResult<cos_output> {
        Ok(self.output.to_output()?.with_body(self.body))
    }
}

impl ToOutput for PutObjectOutput {
    fn to_output(self) -> FfiResult<cos_output> {
        let mut m = Map::new();
        put(&mut m, "ETag", self.etag.as_ref());
        put(&mut m, "VersionId", self.version_id.as_ref());
        cos_output::new(&self.meta, Value::Object(m))
    }
}

impl ToOutput for DeleteObjectOutput {
    fn to_output(self) -> FfiResult<cos_output> {
        let mut m = Map::new();
        put(&mut m, "DeleteMarker", Some(self.delete_marker));
        put(&mut m, "VersionId", self.version_id.as_ref());
        cos_output::new(&self.meta, Value::Object(m))
    }
}

/// Frees an output and every value and string read from it. NULL is a no-op.
///
/// # Safety
/// `output` must be NULL or an output a call returned, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_output_free(output: *mut cos_output) {
    // SAFETY: forwarded to the caller's guarantee.
    guard_value((), || unsafe { free(output) });
}

/// The root of an output: an object (`COS_VALUE_OBJECT`). NULL when `output` is NULL.
///
/// # Safety
/// `output` must be NULL or a live output.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_output_root(output: *const cos_output) -> *const cos_value {
    guard_value(std::ptr::null(), || {
        // SAFETY: forwarded to the caller's guarantee.
        unsafe { output.as_ref() }.map_or(std::ptr::null(), |o| &o.root as *const cos_value)
    })
}

/// The field `name` of an output's root (`"ETag"`, `"Contents"`, `"statusCode"`, ...);
/// NULL when absent or when an argument is NULL. Same as
/// `cos_value_get(cos_output_root(output), name)`.
///
/// # Safety
/// `output` must be NULL or a live output; `name` NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_output_get(
    output: *const cos_output,
    name: *const c_char,
) -> *const cos_value {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { cos_value_get(cos_output_root(output), name) }
}

/// The object's bytes of a `getObject` into memory (no download, or one made with
/// `cos_download_new_memory`); empty (length 0, `*data` not NULL) for every other call.
/// Borrowed from the output.
///
/// # Safety
/// `output` must be a live output; `data` and `len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_output_body(
    output: *const cos_output,
    data: *mut *const u8,
    len: *mut usize,
) -> cos_result {
    guard(|| {
        let (data, len) = (OutPtr::new(data, "data")?, OutPtr::new(len, "len")?);
        // SAFETY: forwarded to the caller's guarantee.
        let output = unsafe { arg_ref(output, "output") }?;
        // SAFETY: both checked non-NULL and writable by the caller's guarantee.
        unsafe {
            data.write(output.body.as_ptr());
            len.write(output.body.len());
        }
        Ok(())
    })
}

/// What `value` is; `COS_VALUE_ABSENT` for NULL. Never fails.
///
/// # Safety
/// `value` must be NULL or borrowed from a live output.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_value_type(value: *const cos_value) -> cos_value_kind {
    guard_value(cos_value_kind::COS_VALUE_ABSENT, || {
        // SAFETY: forwarded to the caller's guarantee.
        match unsafe { value.as_ref() }.map(|v| &v.node) {
            None => cos_value_kind::COS_VALUE_ABSENT,
            Some(Node::Null) => cos_value_kind::COS_VALUE_NULL,
            Some(Node::Bool(_)) => cos_value_kind::COS_VALUE_BOOL,
            Some(Node::Number(_)) => cos_value_kind::COS_VALUE_NUMBER,
            Some(Node::Str(_)) => cos_value_kind::COS_VALUE_STRING,
            Some(Node::List(_)) => cos_value_kind::COS_VALUE_LIST,
            Some(Node::Object(_)) => cos_value_kind::COS_VALUE_OBJECT,
        }
    })
}

/// The field `name` of an object value (`"Key"`, `"Size"`, `"Owner"`, ...); NULL when the
/// field is absent, `value` is not an object, or an argument is NULL. Lookups chain: the
/// readers treat NULL as "not found".
///
/// # Safety
/// `value` must be NULL or borrowed from a live output; `name` NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_value_get(
    value: *const cos_value,
    name: *const c_char,
) -> *const cos_value {
    guard_value(std::ptr::null(), || {
        if name.is_null() {
            return std::ptr::null();
        }
        // SAFETY: forwarded to the caller's guarantee; `name` is non-NULL.
        let (value, name) = unsafe { (value.as_ref(), CStr::from_ptr(name)) };
        value
            .and_then(|v| v.get(name.to_bytes()))
            .map_or(std::ptr::null(), |v| v as *const cos_value)
    })
}

/// The number of items of a list, or of fields of an object; 0 for anything else and for
/// NULL.
///
/// # Safety
/// `value` must be NULL or borrowed from a live output.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_value_count(value: *const cos_value) -> usize {
    guard_value(0, || {
        // SAFETY: forwarded to the caller's guarantee.
        match unsafe { value.as_ref() }.map(|v| &v.node) {
            Some(Node::List(items)) => items.len(),
            Some(Node::Object(fields)) => fields.len(),
            _ => 0,
        }
    })
}

/// Item `index` of a list (or the value of field `index` of an object); NULL past the end,
/// for other values and for NULL.
///
/// # Safety
/// `value` must be NULL or borrowed from a live output.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_value_at(value: *const cos_value, index: usize) -> *const cos_value {
    guard_value(std::ptr::null(), || {
        // SAFETY: forwarded to the caller's guarantee.
        let item = match unsafe { value.as_ref() }.map(|v| &v.node) {
            Some(Node::List(items)) => items.get(index),
            Some(Node::Object(fields)) => fields.get(index).map(|(_, v)| v),
            _ => None,
        };
        item.map_or(std::ptr::null(), |v| v as *const cos_value)
    })
}

/// The name of field `index` of an object (to walk `headers` or `Metadata`), borrowed
/// from the output: `*name` is NUL-terminated and `*len` its length without the NUL (`len`
/// may be NULL). `COS_RESULT_NOT_FOUND` when `value` is NULL or `index` is past the end,
/// `COS_RESULT_WRONG_TYPE` when `value` is not an object.
///
/// # Safety
/// `value` must be NULL or borrowed from a live output; `name` writable; `len` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_value_name_at(
    value: *const cos_value,
    index: usize,
    name: *mut *const c_char,
    len: *mut usize,
) -> cos_result {
    guard(|| {
        let name = OutPtr::new(name, "name")?;
        // SAFETY: forwarded to the caller's guarantee.
        let text = match unsafe { value.as_ref() }.map(|v| &v.node) {
            None => return Err(Failure::not_found("no value (NULL)")),
            Some(Node::Object(fields)) => match fields.get(index) {
                Some((k, _)) => k,
                None => return Err(Failure::not_found(format!("no field {index}"))),
            },
            Some(_) => return Err(Failure::wrong_type("the value is not an object")),
        };
        // SAFETY: `name` is checked; `len` is NULL or writable by the caller's guarantee.
        unsafe { write_text(text, name, len) };
        Ok(())
    })
}

/// Writes a text's pointer and (when `len` is not NULL) length.
///
/// # Safety
/// `len` must be NULL or writable.
unsafe fn write_text(text: &Text, data: OutPtr<*const c_char>, len: *mut usize) {
    // SAFETY: `data` was checked; `len` is NULL or writable by the caller's guarantee.
    unsafe {
        data.write(text.0.as_ptr().cast());
        if let Ok(len) = OutPtr::new(len, "len") {
            len.write(text.bytes().len());
        }
    }
}

/// Reads a string value, borrowed from the output: `*data` is NUL-terminated and `*len`
/// (when `len` is not NULL) its length without the NUL. `COS_RESULT_NOT_FOUND` for NULL
/// (a missing field), `COS_RESULT_WRONG_TYPE` for another kind.
///
/// # Safety
/// `value` must be NULL or borrowed from a live output; `data` writable; `len` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_value_str(
    value: *const cos_value,
    data: *mut *const c_char,
    len: *mut usize,
) -> cos_result {
    guard(|| {
        let data = OutPtr::new(data, "data")?;
        // SAFETY: forwarded to the caller's guarantee.
        match unsafe { value.as_ref() }.map(|v| &v.node) {
            None => Err(Failure::not_found("no value (NULL)")),
            Some(Node::Str(text)) => {
                // SAFETY: `data` checked; `len` NULL or writable by the caller's guarantee.
                unsafe { write_text(text, data, len) };
                Ok(())
            }
            Some(_) => Err(Failure::wrong_type("the value is not a string")),
        }
    })
}

/// Reads a whole number: a number value, or a string of decimal digits (CRC64 values are
/// strings, as in the seed's data). `COS_RESULT_NOT_FOUND` for NULL,
/// `COS_RESULT_WRONG_TYPE` for anything else.
///
/// # Safety
/// `value` must be NULL or borrowed from a live output; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_value_u64(value: *const cos_value, out: *mut u64) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        // SAFETY: forwarded to the caller's guarantee.
        let n = match unsafe { value.as_ref() }.map(|v| &v.node) {
            None => return Err(Failure::not_found("no value (NULL)")),
            Some(Node::Number(n)) => n.as_u64(),
            Some(Node::Str(t)) => std::str::from_utf8(t.bytes())
                .ok()
                .and_then(|s| s.parse().ok()),
            Some(_) => None,
        };
        let n = n.ok_or_else(|| Failure::wrong_type("the value is not a whole number"))?;
        // SAFETY: checked, writable by the caller's guarantee.
        unsafe { out.write(n) };
        Ok(())
    })
}

/// Reads a flag. `COS_RESULT_NOT_FOUND` for NULL, `COS_RESULT_WRONG_TYPE` for another kind.
///
/// # Safety
/// `value` must be NULL or borrowed from a live output; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_value_bool(value: *const cos_value, out: *mut bool) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        // SAFETY: forwarded to the caller's guarantee.
        match unsafe { value.as_ref() }.map(|v| &v.node) {
            None => Err(Failure::not_found("no value (NULL)")),
            Some(Node::Bool(b)) => {
                // SAFETY: checked, writable by the caller's guarantee.
                unsafe { out.write(*b) };
                Ok(())
            }
            Some(_) => Err(Failure::wrong_type("the value is not a flag")),
        }
    })
}
