//! The listing calls of multipart uploads: multipartListPart (List Parts) and multipartList
//! (List Multipart Uploads), which a resumed upload uses to find its earlier parts.

use super::*;

/// `multipartListPart` (List Parts): the parts stored so far for an upload, by part number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultipartListPart {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// Object key. Required.
    pub key: String,
    /// The upload ID. Required.
    pub upload_id: String,
    /// `url`: COS percent-encodes the key in the response; it is decoded here.
    pub encoding_type: Option<String>,
    /// The most parts per response, 1 to 1000 (COS's default: 1000).
    pub max_parts: Option<u32>,
    /// Lists the parts after this part number.
    pub part_number_marker: Option<u32>,
}

/// The result of [`MultipartListPart`]: the `ListPartsResult` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPartsResult {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The bucket.
    pub bucket: String,
    /// `url` when the key came encoded (it is decoded here); may be empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// The object key.
    pub key: String,
    /// The upload ID.
    pub upload_id: String,
    /// Who started the upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiator: Option<Owner>,
    /// Who owns the parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// The parts' storage class, as COS wrote it (`Standard` stays `Other("Standard")`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClass>,
    /// The marker asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_number_marker: Option<u32>,
    /// Where the next page starts, when truncated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_part_number_marker: Option<u32>,
    /// The page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_parts: Option<u32>,
    /// Whether more parts follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_truncated: Option<bool>,
    /// The parts (every `<Part>`, wherever it stands in the document).
    pub part: Vec<Part>,
}

/// One stored part of an upload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Part {
    /// The part number.
    pub part_number: u32,
    /// When it was stored, as COS wrote it.
    pub last_modified: String,
    /// Its ETag, with its quotes.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// Its size in bytes.
    pub size: u64,
}

impl Operation for MultipartListPart {
    type Output = ListPartsResult;
    const NAME: &'static str = "ListParts";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = object_request(Method::Get, endpoint, &self.bucket, &self.region, &self.key)?;
        check_upload_id(&self.upload_id)?;
        check_page_size("MaxParts", self.max_parts)?;
        check_encoding_type(self.encoding_type.as_deref())?;
        push_query(
            &mut req,
            [
                ("uploadId", Some(self.upload_id.clone())),
                ("encoding-type", self.encoding_type.clone()),
                ("max-parts", self.max_parts.map(|n| n.to_string())),
                (
                    "part-number-marker",
                    self.part_number_marker.map(|n| n.to_string()),
                ),
            ],
        );
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<ListPartsResult> {
        const OP: &str = MultipartListPart::NAME;
        let (meta, root) = parse_xml(OP, "ListPartsResult", response)?;
        let encoding_type = encoding_type_of(&root);
        let url = encoding_type.as_deref() == Some("url");
        let part = root
            .children_named("Part")
            .map(|p| {
                Ok(Part {
                    part_number: opt_u32(OP, p, "PartNumber")?
                        .ok_or_else(|| Error::parse(OP, "a <Part> has no <PartNumber>"))?,
                    last_modified: p.text_of("LastModified").unwrap_or_default(),
                    etag: p.text_of("ETag").unwrap_or_default(),
                    size: p.u64_of(OP, "Size")?.unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ListPartsResult {
            bucket: root.text_of("Bucket").unwrap_or_default(),
            key: key_of(OP, url, root.text_of("Key").unwrap_or_default())?,
            upload_id: root.text_of("UploadId").unwrap_or_default(),
            initiator: root.child("Initiator").map(Owner::from_xml),
            owner: root.child("Owner").map(Owner::from_xml),
            storage_class: root
                .text_of("StorageClass")
                .map(|s| StorageClass::from_wire(&s)),
            part_number_marker: opt_u32(OP, &root, "PartNumberMarker")?,
            next_part_number_marker: opt_u32(OP, &root, "NextPartNumberMarker")?,
            max_parts: opt_u32(OP, &root, "MaxParts")?,
            is_truncated: opt_bool(OP, &root, "IsTruncated")?,
            encoding_type,
            part,
            meta,
        })
    }

    operation_names!(bucket, key);
}

/// `multipartList` (List Multipart Uploads): the uploads of a bucket that are neither
/// completed nor aborted, up to 1000 per call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultipartList {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// Only uploads whose key starts with this prefix.
    pub prefix: Option<String>,
    /// Groups keys that contain it after the prefix into `CommonPrefixes` (usually `/`).
    pub delimiter: Option<String>,
    /// `url`: COS percent-encodes the keys in the response; they are decoded here.
    pub encoding_type: Option<String>,
    /// The most uploads per response, 1 to 1000 (COS's default: 1000).
    pub max_uploads: Option<u32>,
    /// Starts listing after this key (with `upload_id_marker`: after that upload of it).
    pub key_marker: Option<String>,
    /// With `key_marker`: starts after this upload ID of that key (the seed's
    /// `UploadIdMarker`, query `upload-id-marker`).
    pub upload_id_marker: Option<String>,
}

/// The result of [`MultipartList`]: the `ListMultipartUploadsResult` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListMultipartUploadsResult {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The bucket.
    pub bucket: String,
    /// `url` when the keys came encoded (they are decoded here); may be empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// The key marker asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_marker: Option<String>,
    /// The upload ID marker asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_id_marker: Option<String>,
    /// Where the next page starts (key), when truncated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_key_marker: Option<String>,
    /// Where the next page starts (upload ID), when truncated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_upload_id_marker: Option<String>,
    /// The page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_uploads: Option<u32>,
    /// Whether more uploads follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_truncated: Option<bool>,
    /// The prefix asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The delimiter asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// The uploads.
    pub upload: Vec<MultipartUploadSummary>,
    /// The groups of keys sharing a prefix up to the delimiter (from `<CommonPrefixes>` or
    /// COS's `<CommonPrefixs>`).
    pub common_prefixes: Vec<CommonPrefix>,
}

/// One upload of [`ListMultipartUploadsResult`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MultipartUploadSummary {
    /// The object key.
    pub key: String,
    /// The upload ID.
    pub upload_id: String,
    /// The storage class, as COS wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClass>,
    /// Who started the upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiator: Option<Owner>,
    /// Who owns the parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// When the upload started, as COS wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiated: Option<String>,
}

impl Operation for MultipartList {
    type Output = ListMultipartUploadsResult;
    const NAME: &'static str = "ListMultipartUploads";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = Request::new(
            Method::Get,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            "",
        )
        .with_query("uploads", "");
        check_page_size("MaxUploads", self.max_uploads)?;
        check_encoding_type(self.encoding_type.as_deref())?;
        push_query(
            &mut req,
            [
                ("prefix", self.prefix.clone()),
                ("delimiter", self.delimiter.clone()),
                ("encoding-type", self.encoding_type.clone()),
                ("max-uploads", self.max_uploads.map(|n| n.to_string())),
                ("key-marker", self.key_marker.clone()),
                ("upload-id-marker", self.upload_id_marker.clone()),
            ],
        );
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<ListMultipartUploadsResult> {
        const OP: &str = MultipartList::NAME;
        let (meta, root) = parse_xml(OP, "ListMultipartUploadsResult", response)?;
        let encoding_type = encoding_type_of(&root);
        let url = encoding_type.as_deref() == Some("url");
        let opt_key = |s: Option<String>| s.map(|s| key_of(OP, url, s)).transpose();
        let upload = root
            .children_named("Upload")
            .map(|u| {
                Ok(MultipartUploadSummary {
                    key: key_of(OP, url, u.text_of("Key").unwrap_or_default())?,
                    upload_id: u.text_of("UploadId").unwrap_or_default(),
                    storage_class: u
                        .text_of("StorageClass")
                        .map(|s| StorageClass::from_wire(&s)),
                    initiator: u.child("Initiator").map(Owner::from_xml),
                    owner: u.child("Owner").map(Owner::from_xml),
                    initiated: u.text_of("Initiated"),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let common_prefixes = root
            .children
            .iter()
            .filter(|c| c.name == "CommonPrefixes" || c.name == "CommonPrefixs")
            .flat_map(|c| c.children_named("Prefix"))
            .map(|p| {
                Ok(CommonPrefix {
                    prefix: key_of(OP, url, p.text.clone())?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ListMultipartUploadsResult {
            bucket: root.text_of("Bucket").unwrap_or_default(),
            key_marker: opt_key(root.text_of("KeyMarker"))?,
            upload_id_marker: root.text_of("UploadIdMarker"),
            next_key_marker: opt_key(root.text_of("NextKeyMarker"))?,
            next_upload_id_marker: root.text_of("NextUploadIdMarker"),
            max_uploads: opt_u32(OP, &root, "MaxUploads")?,
            is_truncated: opt_bool(OP, &root, "IsTruncated")?,
            prefix: opt_key(root.text_of("Prefix"))?,
            delimiter: root.text_of("Delimiter"),
            encoding_type,
            upload,
            common_prefixes,
            meta,
        })
    }

    operation_names!(bucket);
}
