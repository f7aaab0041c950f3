//! The names of the COS operations the emulator serves: for every call cos-proto has, its
//! [`Operation::NAME`], so that request counts and fault rules use exactly the names
//! cos-proto and cos-blocking report. The router ([`crate::route`]) gives each request one
//! of these (or [`UNKNOWN`]); the handlers dispatch on them.

use cos_proto::Operation;
use cos_proto::ops::{acl, bucket, cors, multipart, object};

pub(crate) const GET_SERVICE: &str = bucket::GetService::NAME;
pub(crate) const PUT_BUCKET: &str = bucket::PutBucket::NAME;
pub(crate) const HEAD_BUCKET: &str = bucket::HeadBucket::NAME;
pub(crate) const DELETE_BUCKET: &str = bucket::DeleteBucket::NAME;
pub(crate) const GET_BUCKET: &str = bucket::GetBucket::NAME;
pub(crate) const GET_BUCKET_LOCATION: &str = bucket::GetBucketLocation::NAME;
pub(crate) const DELETE_MULTIPLE_OBJECTS: &str = object::DeleteMultipleObject::NAME;
pub(crate) const GET_BUCKET_ACL: &str = acl::GetBucketAcl::NAME;
pub(crate) const PUT_BUCKET_ACL: &str = acl::PutBucketAcl::NAME;
pub(crate) const GET_OBJECT_ACL: &str = acl::GetObjectAcl::NAME;
pub(crate) const PUT_OBJECT_ACL: &str = acl::PutObjectAcl::NAME;
pub(crate) const PUT_OBJECT: &str = object::PutObject::NAME;
pub(crate) const GET_OBJECT: &str = object::GetObject::NAME;
pub(crate) const HEAD_OBJECT: &str = object::HeadObject::NAME;
pub(crate) const DELETE_OBJECT: &str = object::DeleteObject::NAME;
pub(crate) const PUT_OBJECT_COPY: &str = object::PutObjectCopy::NAME;
pub(crate) const INITIATE_MULTIPART_UPLOAD: &str = multipart::MultipartInit::NAME;
pub(crate) const UPLOAD_PART: &str = multipart::MultipartUpload::NAME;
pub(crate) const UPLOAD_PART_COPY: &str = multipart::UploadPartCopy::NAME;
pub(crate) const COMPLETE_MULTIPART_UPLOAD: &str = multipart::MultipartComplete::NAME;
pub(crate) const ABORT_MULTIPART_UPLOAD: &str = multipart::MultipartAbort::NAME;
pub(crate) const LIST_PARTS: &str = multipart::MultipartListPart::NAME;
pub(crate) const LIST_MULTIPART_UPLOADS: &str = multipart::MultipartList::NAME;
pub(crate) const PUT_BUCKET_CORS: &str = cors::PutBucketCors::NAME;
pub(crate) const GET_BUCKET_CORS: &str = cors::GetBucketCors::NAME;
pub(crate) const DELETE_BUCKET_CORS: &str = cors::DeleteBucketCors::NAME;
pub(crate) const OPTIONS_OBJECT: &str = cors::OptionsObject::NAME;

/// A request that is none of the operations (the emulator answers it `405`); counted
/// under this name.
pub(crate) const UNKNOWN: &str = "Unknown";

/// Every operation name the emulator counts and fault rules can name, in the order of the
/// API reference's sections (service, bucket, object, multipart, CORS).
pub const OPERATIONS: &[&str] = &[
    GET_SERVICE,
    PUT_BUCKET,
    HEAD_BUCKET,
    DELETE_BUCKET,
    GET_BUCKET,
    GET_BUCKET_LOCATION,
    GET_BUCKET_ACL,
    PUT_BUCKET_ACL,
    PUT_OBJECT,
    GET_OBJECT,
    HEAD_OBJECT,
    DELETE_OBJECT,
    DELETE_MULTIPLE_OBJECTS,
    PUT_OBJECT_COPY,
    GET_OBJECT_ACL,
    PUT_OBJECT_ACL,
    INITIATE_MULTIPART_UPLOAD,
    UPLOAD_PART,
    UPLOAD_PART_COPY,
    COMPLETE_MULTIPART_UPLOAD,
    ABORT_MULTIPART_UPLOAD,
    LIST_PARTS,
    LIST_MULTIPART_UPLOADS,
    PUT_BUCKET_CORS,
    GET_BUCKET_CORS,
    DELETE_BUCKET_CORS,
    OPTIONS_OBJECT,
    UNKNOWN,
];
