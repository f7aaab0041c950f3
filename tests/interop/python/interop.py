#!/usr/bin/env python3
"""Drives the official COS Python SDK (cos-python-sdk-v5) against a COS endpoint, normally
the local cos-emulator, through every call of the seed, and checks every result.

Environment:
  COS_INTEROP_ADDRESS    127.0.0.1:PORT the SDK connects to (CosConfig IP/Port, Scheme http)
  COS_INTEROP_SECRET_ID, COS_INTEROP_SECRET_KEY
  COS_INTEROP_BUCKET     a name-appid bucket the script creates and deletes
  COS_INTEROP_REGION     e.g. ap-guangzhou
  COS_INTEROP_WORKDIR    a scratch directory for generated files (default: a temp dir)
  COS_INTEROP_VERBOSE    1: print every request and response to stderr

Prints `ok NAME` or `FAIL NAME: reason` per check (details of a failure, such as the
request the SDK sent and the answer, go to stderr), then `N passed, M failed`; exits 1 when
a check failed.
"""

import hashlib
import http.client
import logging
import os
import random
import sys
import tempfile
import time
import traceback
import urllib.parse
import xml.etree.ElementTree as ET

from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_exception import CosServiceError

MIB = 1024 * 1024
# What checks leave for later ones (see `need`).
state = {}


def env(name):
    value = os.environ.get(name)
    if not value:
        print("FAIL setup: environment variable %s is not set" % name)
        print("0 passed, 1 failed")
        sys.exit(1)
    return value


ADDRESS = env("COS_INTEROP_ADDRESS")
HOST, PORT = ADDRESS.rsplit(":", 1)
SECRET_ID = env("COS_INTEROP_SECRET_ID")
SECRET_KEY = env("COS_INTEROP_SECRET_KEY")
BUCKET = env("COS_INTEROP_BUCKET")
REGION = env("COS_INTEROP_REGION")
WORKDIR = os.environ.get("COS_INTEROP_WORKDIR") or tempfile.mkdtemp(prefix="cos-interop-py-")
VERBOSE = os.environ.get("COS_INTEROP_VERBOSE") == "1"
os.makedirs(WORKDIR, exist_ok=True)
# Unique per run, so that reruns against a long-lived endpoint never collide.
PREFIX = "py-%d-%d/" % (int(time.time()), os.getpid())
VHOST = "%s.cos.%s.myqcloud.com" % (BUCKET, REGION)

logging.getLogger("qcloud_cos").setLevel(logging.CRITICAL)

config = CosConfig(
    Region=REGION,
    SecretId=SECRET_ID,
    SecretKey=SECRET_KEY,
    IP=HOST,
    Port=int(PORT),
    Scheme="http",
    # IP/Port do not apply to GET Service, which goes to service.cos.myqcloud.com unless
    # ServiceDomain names another host.
    ServiceDomain=ADDRESS,
)
# No retries: a faithful endpoint answers every request right the first time, and a retry
# would hide a failure (and sleep).
client = CosS3Client(config, retry=0)
# Pre-signed URLs name the real COS host (no IP override); they are fetched by connecting to
# ADDRESS with that Host, as a client whose DNS resolves the host to the emulator would.
presign_client = CosS3Client(
    CosConfig(Region=REGION, SecretId=SECRET_ID, SecretKey=SECRET_KEY, Scheme="http"), retry=0
)

# Every exchange, so that a failure can show what the SDK sent and what it got back.
exchanges = []


def record(response, *args, **kwargs):
    req = response.request
    exchanges.append((req, response))
    if VERBOSE:
        sys.stderr.write(describe(req, response) + "\n")


client._session.hooks["response"].append(record)


def short(data, limit=600):
    if data is None:
        return ""
    if not isinstance(data, (bytes, str)):
        return data
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            return "<%d bytes>" % len(data)
    return data if len(data) <= limit else data[:limit] + "...(%d chars)" % len(data)


def describe(req, resp):
    body = req.body
    if hasattr(body, "read"):
        body = "<stream>"
    lines = ["  > %s %s" % (req.method, req.url)]
    for k, v in req.headers.items():
        lines.append("  > %s: %s" % (k, v))
    if body:
        text = short(body if isinstance(body, (bytes, str)) else str(body))
        lines.extend("  > " + line for line in str(text).splitlines())
    lines.append("  < %s %s" % (resp.status_code, resp.reason))
    for k, v in resp.headers.items():
        lines.append("  < %s: %s" % (k, v))
    # Only bodies that are read anyway: reading a streamed body here would leave the SDK's
    # StreamBody.read() returning its first chunk forever.
    if req.method != "HEAD" and (resp.status_code >= 400 or resp._content_consumed):
        if resp.content:
            lines.append("  < " + short(resp.content))
    return "\n".join(lines)


passed = 0
failed = 0


def check(name, fn):
    """Runs one check; prints its line. Returns fn's value, or None when it failed."""
    global passed, failed
    start = len(exchanges)
    try:
        value = fn()
    except Exception as e:  # noqa: BLE001 - every failure becomes a FAIL line
        failed += 1
        if isinstance(e, CosServiceError):
            reason = "%s %s: %s (HTTP %s)" % (
                e.get_error_code(),
                e.get_error_msg(),
                e.get_resource_location(),
                e.get_status_code(),
            )
        elif isinstance(e, AssertionError):
            reason = str(e) or "assertion failed"
        else:
            reason = "%s: %s" % (type(e).__name__, e)
        print("FAIL %s: %s" % (name, " ".join(reason.split())), flush=True)
        if not isinstance(e, (AssertionError, CosServiceError)):
            sys.stderr.write(traceback.format_exc())
        # The last failed exchange of this check (or its last one), for the report.
        mine = exchanges[start:]
        bad = [x for x in mine if x[1].status_code >= 400] or mine[-1:]
        for req, resp in bad[-1:]:
            sys.stderr.write("  [%s] last %sexchange:\n%s\n" % (
                name, "failed " if resp.status_code >= 400 else "", describe(req, resp)))
        return None
    passed += 1
    print("ok %s" % name, flush=True)
    return value


def eq(what, expected, actual):
    if expected != actual:
        raise AssertionError("%s: expected %r, got %r" % (what, short(expected, 200), short(actual, 200)))


def expect_error(fn, status, code):
    try:
        fn()
    except CosServiceError as e:
        eq("status", status, e.get_status_code())
        if code is not None:
            eq("error code", code, e.get_error_code())
        return e
    raise AssertionError("expected %s %s, the call succeeded" % (status, code))


def need(key, producer):
    """The value an earlier check left in `state`; a clear failure when it did not."""
    if key not in state:
        raise AssertionError("not run: needs %s, which failed" % producer)
    return state[key]


def md5_etag(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def data_of(size, seed):
    return random.Random(seed).randbytes(size)


def read_body(resp):
    return resp["Body"].get_raw_stream().read()


def raw_http(method, path_and_query, headers, body=None):
    """One plain HTTP exchange with the endpoint (no SDK)."""
    conn = http.client.HTTPConnection(HOST, int(PORT), timeout=30)
    try:
        conn.request(method, path_and_query, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), resp.read()
    finally:
        conn.close()


def fetch_presigned(url, method, body=None):
    """Fetches a pre-signed URL over plain HTTP: connects to ADDRESS, sends the URL's host."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    return raw_http(method, target, {"Host": parts.netloc}, body)


# ---------------------------------------------------------------------------------------------
# Buckets

K = PREFIX  # all keys of this run start with it


def put_bucket():
    client.create_bucket(Bucket=BUCKET)


check("putBucket", put_bucket)
check("putBucket again is BucketAlreadyOwnedByYou/BucketAlreadyExists", lambda: expect_error(
    lambda: client.create_bucket(Bucket=BUCKET), 409, None))


def head_bucket():
    r = client.head_bucket(Bucket=BUCKET)
    assert r is None or isinstance(r, dict)


check("headBucket", head_bucket)
check("headBucket of a missing bucket is 404", lambda: expect_error(
    lambda: client.head_bucket(Bucket="missing-interop-1250000000"), 404, None))


def get_service():
    r = client.list_buckets()
    buckets = as_list((r.get("Buckets") or {}).get("Bucket"))
    mine = [b for b in buckets if b.get("Name") == BUCKET]
    assert mine, "bucket %s not listed in %r" % (BUCKET, [b.get("Name") for b in buckets])
    eq("Location", REGION, mine[0].get("Location"))
    assert mine[0].get("CreationDate"), "no CreationDate"
    assert r.get("Owner", {}).get("ID"), "no Owner/ID"


check("getService", get_service)


def get_bucket_location():
    r = client.get_bucket_location(Bucket=BUCKET)
    eq("LocationConstraint", REGION, r.get("LocationConstraint"))


check("getBucketLocation", get_bucket_location)

# ---------------------------------------------------------------------------------------------
# Objects

LIST_KEYS = [K + "list/a.txt", K + "list/b.txt", K + "list/dir/c.txt", K + "list/dir/d.txt",
             K + "list/sp ace+plus&中.txt"]


def put_listing_objects():
    for i, key in enumerate(LIST_KEYS):
        body = ("object %d\n" % i).encode()
        r = client.put_object(Bucket=BUCKET, Key=key, Body=body)
        eq("ETag of " + key, md5_etag(body), r.get("ETag"))


check("putObject (listing fixtures)", put_listing_objects)


def list_keys(r):
    return [c["Key"] for c in as_list(r.get("Contents"))]


def get_bucket_prefix():
    r = client.list_objects(Bucket=BUCKET, Prefix=K + "list/")
    eq("keys", sorted(LIST_KEYS), list_keys(r))
    eq("IsTruncated", "false", r.get("IsTruncated"))
    eq("Prefix", K + "list/", r.get("Prefix"))
    c = as_list(r.get("Contents"))[0]
    eq("ETag of first", md5_etag(b"object 0\n"), c.get("ETag"))
    eq("Size of first", "9", c.get("Size"))
    assert c.get("LastModified"), "no LastModified"


check("getBucket prefix", get_bucket_prefix)


def get_bucket_delimiter():
    r = client.list_objects(Bucket=BUCKET, Prefix=K + "list/", Delimiter="/")
    eq("keys", sorted([LIST_KEYS[0], LIST_KEYS[1], LIST_KEYS[4]]), list_keys(r))
    prefixes = [p["Prefix"] for p in as_list(r.get("CommonPrefixes"))]
    eq("CommonPrefixes", [K + "list/dir/"], prefixes)
    eq("Delimiter", "/", r.get("Delimiter"))


check("getBucket delimiter", get_bucket_delimiter)


def get_bucket_max_keys_marker():
    r = client.list_objects(Bucket=BUCKET, Prefix=K + "list/", MaxKeys=2)
    ordered = sorted(LIST_KEYS)
    eq("page 1", ordered[:2], list_keys(r))
    eq("IsTruncated", "true", r.get("IsTruncated"))
    eq("MaxKeys", "2", r.get("MaxKeys"))
    marker = r.get("NextMarker") or ordered[1]
    eq("NextMarker", ordered[1], marker)
    r = client.list_objects(Bucket=BUCKET, Prefix=K + "list/", Marker=marker, MaxKeys=2)
    eq("Marker", marker, r.get("Marker"))
    eq("page 2", ordered[2:4], list_keys(r))
    r = client.list_objects(Bucket=BUCKET, Prefix=K + "list/", Marker=ordered[3], MaxKeys=2)
    eq("page 3", ordered[4:], list_keys(r))
    eq("IsTruncated", "false", r.get("IsTruncated"))


check("getBucket max-keys/marker", get_bucket_max_keys_marker)


def get_bucket_encoding_type():
    r = client.list_objects(Bucket=BUCKET, Prefix=K + "list/sp", EncodingType="url")
    keys = list_keys(r)
    eq("count", 1, len(keys))
    assert " " not in keys[0] and "&" not in keys[0] and "中" not in keys[0], \
        "key not URL-encoded: %r" % keys[0]
    eq("decoded key", LIST_KEYS[4], urllib.parse.unquote(keys[0]))


check("getBucket encoding-type=url", get_bucket_encoding_type)

OBJ = K + "obj/hello world.txt"
OBJ_DATA = data_of(64 * 1024 + 7, 1)


def put_object():
    r = client.put_object(Bucket=BUCKET, Key=OBJ, Body=OBJ_DATA, ContentType="text/plain",
                          Metadata={"x-cos-meta-color": "blue"}, EnableMD5=True)
    eq("ETag", md5_etag(OBJ_DATA), r.get("ETag"))
    assert r.get("x-cos-request-id"), "no x-cos-request-id"


check("putObject", put_object)


def head_object():
    r = client.head_object(Bucket=BUCKET, Key=OBJ)
    eq("Content-Length", str(len(OBJ_DATA)), r.get("Content-Length"))
    eq("ETag", md5_etag(OBJ_DATA), r.get("ETag"))
    eq("Content-Type", "text/plain", r.get("Content-Type"))
    eq("x-cos-meta-color", "blue", r.get("x-cos-meta-color"))
    assert r.get("Last-Modified"), "no Last-Modified"


check("headObject", head_object)


def put_object_storage_class():
    key = K + "obj/ia.bin"
    client.put_object(Bucket=BUCKET, Key=key, Body=b"ia", StorageClass="STANDARD_IA")
    eq("x-cos-storage-class", "STANDARD_IA",
       client.head_object(Bucket=BUCKET, Key=key).get("x-cos-storage-class"))
    listed = as_list(client.list_objects(Bucket=BUCKET, Prefix=key).get("Contents"))
    eq("listed StorageClass", ["STANDARD_IA"], [c.get("StorageClass") for c in listed])


check("putObject StorageClass", put_object_storage_class)


def get_object_response_overrides():
    r = client.get_object(Bucket=BUCKET, Key=OBJ, ResponseContentType="application/x-over",
                          ResponseContentDisposition="attachment; filename=a.txt")
    read_body(r)
    eq("Content-Type", "application/x-over", r.get("Content-Type"))
    eq("Content-Disposition", "attachment; filename=a.txt", r.get("Content-Disposition"))


check("getObject response-* overrides", get_object_response_overrides)
check("headObject of a missing key is 404", lambda: expect_error(
    lambda: client.head_object(Bucket=BUCKET, Key=K + "missing"), 404, None))


def get_object():
    r = client.get_object(Bucket=BUCKET, Key=OBJ)
    eq("ETag", md5_etag(OBJ_DATA), r.get("ETag"))
    body = read_body(r)
    eq("length", len(OBJ_DATA), len(body))
    assert body == OBJ_DATA, "body differs"


check("getObject", get_object)


def get_object_range():
    r = client.get_object(Bucket=BUCKET, Key=OBJ, Range="bytes=1000-4999")
    body = read_body(r)
    assert body == OBJ_DATA[1000:5000], "ranged body differs (%d bytes)" % len(body)
    eq("Content-Range", "bytes 1000-4999/%d" % len(OBJ_DATA), r.get("Content-Range"))
    eq("Content-Length", "4000", r.get("Content-Length"))
    r = client.get_object(Bucket=BUCKET, Key=OBJ, Range="bytes=-100")
    assert read_body(r) == OBJ_DATA[-100:], "suffix range differs"


check("getObject range", get_object_range)


def get_object_to_file():
    path = os.path.join(WORKDIR, "downloaded.bin")
    client.get_object(Bucket=BUCKET, Key=OBJ)["Body"].get_stream_to_file(path)
    with open(path, "rb") as f:
        assert f.read() == OBJ_DATA, "file differs"


check("getObject to file", get_object_to_file)
check("getObject of a missing key is NoSuchKey", lambda: expect_error(
    lambda: client.get_object(Bucket=BUCKET, Key=K + "missing"), 404, "NoSuchKey"))


def object_acl():
    client.put_object_acl(Bucket=BUCKET, Key=OBJ, ACL="public-read")
    r = client.get_object_acl(Bucket=BUCKET, Key=OBJ)
    eq("CannedACL", "public-read", r.get("CannedACL"))
    assert r.get("Owner", {}).get("ID"), "no Owner/ID"
    # Anonymous read now works.
    status, _, body = raw_http("GET", "/" + urllib.parse.quote(OBJ), {"Host": VHOST})
    eq("anonymous GET status", 200, status)
    assert body == OBJ_DATA, "anonymous body differs"
    grantee = "qcs::cam::uin/100000000001:uin/100000000011"
    client.put_object_acl(Bucket=BUCKET, Key=OBJ, GrantRead='id="%s"' % grantee)
    r = client.get_object_acl(Bucket=BUCKET, Key=OBJ)
    grants = as_list((r.get("AccessControlList") or {}).get("Grant"))
    ids = [(g.get("Grantee", {}).get("ID"), g.get("Permission")) for g in grants]
    assert (grantee, "READ") in ids, "grant not returned: %r" % ids
    client.put_object_acl(Bucket=BUCKET, Key=OBJ, ACL="private")
    status, _, _ = raw_http("GET", "/" + urllib.parse.quote(OBJ), {"Host": VHOST})
    eq("anonymous GET status after private", 403, status)


check("put/get Object ACL", object_acl)


def bucket_acl():
    client.put_bucket_acl(Bucket=BUCKET, ACL="public-read")
    r = client.get_bucket_acl(Bucket=BUCKET)
    eq("CannedACL", "public-read", r.get("CannedACL"))
    policy = {
        "Owner": r["Owner"],
        "AccessControlList": {"Grant": [{
            "Grantee": {"Type": "CanonicalUser", "ID": r["Owner"]["ID"]},
            "Permission": "FULL_CONTROL",
        }]},
    }
    client.put_bucket_acl(Bucket=BUCKET, AccessControlPolicy=policy)
    r = client.get_bucket_acl(Bucket=BUCKET)
    eq("CannedACL after body", "private", r.get("CannedACL"))
    grants = as_list((r.get("AccessControlList") or {}).get("Grant"))
    eq("Permission", ["FULL_CONTROL"], [g.get("Permission") for g in grants])
    client.put_bucket_acl(Bucket=BUCKET, ACL="private")


check("put/get Bucket ACL", bucket_acl)

CORS = {"CORSRule": [{
    "ID": "interop",
    "AllowedOrigin": ["http://www.example.com"],
    "AllowedMethod": ["GET", "PUT"],
    "AllowedHeader": ["x-cos-meta-test"],
    "ExposeHeader": ["ETag", "x-cos-meta-test1"],
    "MaxAgeSeconds": 500,
}]}


def put_get_cors():
    client.put_bucket_cors(Bucket=BUCKET, CORSConfiguration=CORS)
    r = client.get_bucket_cors(Bucket=BUCKET)
    rules = as_list(r.get("CORSRule"))
    eq("rule count", 1, len(rules))
    rule = rules[0]
    eq("ID", "interop", rule.get("ID"))
    eq("AllowedOrigin", ["http://www.example.com"], as_list(rule.get("AllowedOrigin")))
    eq("AllowedMethod", ["GET", "PUT"], as_list(rule.get("AllowedMethod")))
    eq("AllowedHeader", ["x-cos-meta-test"], as_list(rule.get("AllowedHeader")))
    eq("ExposeHeader", ["ETag", "x-cos-meta-test1"], as_list(rule.get("ExposeHeader")))
    eq("MaxAgeSeconds", "500", str(rule.get("MaxAgeSeconds")))


check("put/get Bucket CORS", put_get_cors)


def options_object():
    # The Python SDK has no OPTIONS call: a browser preflight in plain HTTP.
    path = "/" + urllib.parse.quote(OBJ)
    status, headers, _ = raw_http("OPTIONS", path, {
        "Host": VHOST, "Origin": "http://www.example.com",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "x-cos-meta-test"})
    eq("status", 200, status)
    eq("Access-Control-Allow-Origin", "http://www.example.com",
       headers.get("access-control-allow-origin"))
    assert "PUT" in headers.get("access-control-allow-methods", ""), \
        "Allow-Methods: %r" % headers.get("access-control-allow-methods")
    eq("Access-Control-Max-Age", "500", headers.get("access-control-max-age"))
    status, _, _ = raw_http("OPTIONS", path, {
        "Host": VHOST, "Origin": "http://evil.example.org",
        "Access-Control-Request-Method": "PUT"})
    eq("status for a foreign origin", 403, status)


check("optionsObject (plain HTTP preflight)", options_object)


def delete_cors():
    client.delete_bucket_cors(Bucket=BUCKET)
    expect_error(lambda: client.get_bucket_cors(Bucket=BUCKET), 404, "NoSuchCORSConfiguration")


check("deleteBucketCors", delete_cors)

COPY = K + "obj/copy.txt"


def put_object_copy():
    src = {"Bucket": BUCKET, "Key": OBJ, "Region": REGION}
    r = client.copy_object(Bucket=BUCKET, Key=COPY, CopySource=src)
    eq("ETag", md5_etag(OBJ_DATA), r.get("ETag"))
    assert r.get("LastModified"), "no LastModified"
    h = client.head_object(Bucket=BUCKET, Key=COPY)
    eq("copied metadata", "blue", h.get("x-cos-meta-color"))
    assert read_body(client.get_object(Bucket=BUCKET, Key=COPY)) == OBJ_DATA, "copy differs"
    client.copy_object(Bucket=BUCKET, Key=COPY, CopySource=src, CopyStatus="Replaced",
                       Metadata={"x-cos-meta-color": "red"}, ContentType="application/x-test")
    h = client.head_object(Bucket=BUCKET, Key=COPY)
    eq("replaced metadata", "red", h.get("x-cos-meta-color"))
    eq("replaced Content-Type", "application/x-test", h.get("Content-Type"))


check("putObjectCopy", put_object_copy)


def delete_object():
    key = K + "obj/to-delete"
    client.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    client.delete_object(Bucket=BUCKET, Key=key)
    expect_error(lambda: client.head_object(Bucket=BUCKET, Key=key), 404, None)
    client.delete_object(Bucket=BUCKET, Key=key)  # deleting a missing key succeeds


check("deleteObject", delete_object)


def delete_multiple():
    keys = [K + "multi/%d" % i for i in range(3)]
    for key in keys:
        client.put_object(Bucket=BUCKET, Key=key, Body=b"m")
    r = client.delete_objects(Bucket=BUCKET, Delete={
        "Quiet": "false", "Object": [{"Key": k} for k in keys + [K + "multi/never"]]})
    deleted = sorted(d["Key"] for d in as_list(r.get("Deleted")))
    eq("Deleted", sorted(keys + [K + "multi/never"]), deleted)
    eq("Error", [], as_list(r.get("Error")))
    left = list_keys(client.list_objects(Bucket=BUCKET, Prefix=K + "multi/"))
    eq("left", [], left)
    client.put_object(Bucket=BUCKET, Key=keys[0], Body=b"q")
    r = client.delete_objects(Bucket=BUCKET, Delete={"Quiet": "true", "Object": [{"Key": keys[0]}]})
    eq("quiet Deleted", [], as_list(r.get("Deleted")))


check("deleteMultipleObject", delete_multiple)

# ---------------------------------------------------------------------------------------------
# Multipart, call by call

MP = K + "mp/raw file+1.bin"
PART1 = data_of(MIB, 2)
COPY_SRC = K + "mp/copy-source.bin"
COPY_SRC_DATA = data_of(MIB + MIB // 2, 3)
PART3 = data_of(1234, 4)


def multipart_init():
    client.put_object(Bucket=BUCKET, Key=COPY_SRC, Body=COPY_SRC_DATA)
    r = client.create_multipart_upload(Bucket=BUCKET, Key=MP, ContentType="application/x-mp",
                                       Metadata={"x-cos-meta-mp": "1"})
    eq("Key", MP, r.get("Key"))
    eq("Bucket", BUCKET, r.get("Bucket"))
    assert r.get("UploadId"), "no UploadId"
    state["upload"] = r["UploadId"]


check("multipartInit", multipart_init)


def upload_part():
    r = client.upload_part(Bucket=BUCKET, Key=MP, Body=PART1, PartNumber=1,
                           UploadId=need("upload", "multipartInit"), EnableMD5=True)
    eq("part 1 ETag", md5_etag(PART1), r.get("ETag"))
    r = client.upload_part(Bucket=BUCKET, Key=MP, Body=PART3, PartNumber=3,
                           UploadId=need("upload", "multipartInit"))
    eq("part 3 ETag", md5_etag(PART3), r.get("ETag"))


check("multipartUpload", upload_part)


def upload_part_copy():
    src = {"Bucket": BUCKET, "Key": COPY_SRC, "Region": REGION}
    r = client.upload_part_copy(Bucket=BUCKET, Key=MP, PartNumber=2, UploadId=need("upload", "multipartInit"),
                                CopySource=src, CopySourceRange="bytes=100-%d" % (MIB + 99))
    eq("ETag", md5_etag(COPY_SRC_DATA[100:MIB + 100]), r.get("ETag"))
    assert r.get("LastModified"), "no LastModified"


check("uploadPartCopy", upload_part_copy)


def list_parts():
    r = client.list_parts(Bucket=BUCKET, Key=MP, UploadId=need("upload", "multipartInit"))
    parts = as_list(r.get("Part"))
    eq("PartNumbers", ["1", "2", "3"], [p.get("PartNumber") for p in parts])
    eq("Sizes", [str(MIB), str(MIB), str(len(PART3))], [p.get("Size") for p in parts])
    eq("ETag 1", md5_etag(PART1), parts[0].get("ETag"))
    eq("ETag 3", md5_etag(PART3), parts[2].get("ETag"))
    eq("UploadId", need("upload", "multipartInit"), r.get("UploadId"))
    eq("IsTruncated", "false", r.get("IsTruncated"))
    r = client.list_parts(Bucket=BUCKET, Key=MP, UploadId=need("upload", "multipartInit"), MaxParts=1,
                          PartNumberMarker=1)
    eq("page PartNumbers", ["2"], [p.get("PartNumber") for p in as_list(r.get("Part"))])
    eq("page IsTruncated", "true", r.get("IsTruncated"))
    eq("page NextPartNumberMarker", "2", r.get("NextPartNumberMarker"))


check("multipartListPart", list_parts)


def list_uploads():
    r = client.list_multipart_uploads(Bucket=BUCKET, Prefix=K + "mp/")
    uploads = as_list(r.get("Upload"))
    eq("uploads", [(MP, need("upload", "multipartInit"))], [(u.get("Key"), u.get("UploadId")) for u in uploads])
    assert uploads[0].get("Initiated"), "no Initiated"
    eq("StorageClass", "STANDARD", uploads[0].get("StorageClass"))


check("multipartList", list_uploads)


def multipart_complete():
    parts = client.list_parts(Bucket=BUCKET, Key=MP, UploadId=need("upload", "multipartInit"))
    lst = [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in as_list(parts.get("Part"))]
    r = client.complete_multipart_upload(Bucket=BUCKET, Key=MP, UploadId=need("upload", "multipartInit"),
                                         MultipartUpload={"Part": lst})
    eq("Key", MP, r.get("Key"))
    etag = r.get("ETag", "")
    assert etag.endswith('-3"'), "ETag of a 3-part object should end with -3: %r" % etag
    expected = PART1 + COPY_SRC_DATA[100:MIB + 100] + PART3
    g = client.get_object(Bucket=BUCKET, Key=MP)
    assert read_body(g) == expected, "assembled object differs"
    eq("GET ETag", etag, g.get("ETag"))
    eq("metadata", "1", g.get("x-cos-meta-mp"))
    eq("Content-Type", "application/x-mp", g.get("Content-Type"))
    r = client.list_multipart_uploads(Bucket=BUCKET, Prefix=K + "mp/")
    eq("uploads after complete", [], as_list(r.get("Upload")))


check("multipartComplete", multipart_complete)


def multipart_abort():
    r = client.create_multipart_upload(Bucket=BUCKET, Key=K + "mp/aborted")
    upload = r["UploadId"]
    client.upload_part(Bucket=BUCKET, Key=K + "mp/aborted", Body=b"abc", PartNumber=1,
                       UploadId=upload)
    client.abort_multipart_upload(Bucket=BUCKET, Key=K + "mp/aborted", UploadId=upload)
    expect_error(lambda: client.list_parts(Bucket=BUCKET, Key=K + "mp/aborted", UploadId=upload),
                 404, "NoSuchUpload")
    r = client.list_multipart_uploads(Bucket=BUCKET, Prefix=K + "mp/")
    eq("uploads after abort", [], as_list(r.get("Upload")))
    expect_error(lambda: client.head_object(Bucket=BUCKET, Key=K + "mp/aborted"), 404, None)


check("multipartAbort", multipart_abort)

# ---------------------------------------------------------------------------------------------
# High-level transfers

BIG = K + "big/file.bin"
BIG_DATA = data_of(5 * MIB + 12345, 5)
BIG_PATH = os.path.join(WORKDIR, "big.bin")
with open(BIG_PATH, "wb") as f:
    f.write(BIG_DATA)


def part_uploads(start):
    return [r for r, _ in exchanges[start:]
            if r.method == "PUT" and "partNumber=" in r.url and "uploadId=" in r.url]


def upload_file():
    start = len(exchanges)
    r = client.upload_file(Bucket=BUCKET, Key=BIG, LocalFilePath=BIG_PATH, PartSize=1,
                           MAXThread=4)
    assert r.get("ETag", "").endswith('-6"'), "ETag of a 6-part upload: %r" % r.get("ETag")
    eq("parts uploaded", 6, len(part_uploads(start)))
    h = client.head_object(Bucket=BUCKET, Key=BIG)
    eq("Content-Length", str(len(BIG_DATA)), h.get("Content-Length"))
    eq("ETag", r.get("ETag"), h.get("ETag"))
    assert read_body(client.get_object(Bucket=BUCKET, Key=BIG)) == BIG_DATA, "object differs"


check("upload_file (multipart, 6 parts, 4 threads)", upload_file)


def upload_file_resume():
    key = K + "big/resumed file+1.bin"
    # An interrupted upload: parts 1, 2 and 4 of the same file are already there.
    upload = client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    for n in (1, 2, 4):
        client.upload_part(Bucket=BUCKET, Key=key, Body=BIG_DATA[(n - 1) * MIB:n * MIB],
                           PartNumber=n, UploadId=upload)
    start = len(exchanges)
    r = client.upload_file(Bucket=BUCKET, Key=key, LocalFilePath=BIG_PATH, PartSize=1,
                           MAXThread=2)
    sent = sorted(int(urllib.parse.parse_qs(urllib.parse.urlsplit(x.url).query)["partNumber"][0])
                  for x in part_uploads(start))
    eq("parts sent by the resumed upload", [3, 5, 6], sent)
    completes = [urllib.parse.unquote(x.url) for x, _ in exchanges[start:] if x.method == "POST"]
    assert any("uploadId=" + upload in u for u in completes), \
        "did not complete the interrupted upload %s: %r" % (upload, completes)
    assert r.get("ETag", "").endswith('-6"'), "ETag: %r" % r.get("ETag")
    assert read_body(client.get_object(Bucket=BUCKET, Key=key)) == BIG_DATA, "object differs"


check("upload_file resumes an interrupted upload", upload_file_resume)


def download_file():
    # Its own object (a simple PUT), so that this check does not depend on multipart.
    key = K + "big/plain.bin"
    client.put_object(Bucket=BUCKET, Key=key, Body=BIG_DATA)
    path = os.path.join(WORKDIR, "big-download.bin")
    start = len(exchanges)
    client.download_file(Bucket=BUCKET, Key=key, DestFilePath=path, PartSize=1, MAXThread=4,
                         EnableCRC=True)
    ranged = [r for r, _ in exchanges[start:] if r.method == "GET" and "Range" in r.headers]
    assert len(ranged) >= 6, "expected ranged GETs, saw %d" % len(ranged)
    with open(path, "rb") as f:
        assert f.read() == BIG_DATA, "downloaded file differs"


check("download_file (ranged, 4 threads, CRC64 checked)", download_file)

# ---------------------------------------------------------------------------------------------
# Pre-signed URLs


def presigned_get():
    url = presign_client.get_presigned_url(Bucket=BUCKET, Key=OBJ, Method="GET", Expired=300)
    status, headers, body = fetch_presigned(url, "GET")
    eq("status", 200, status)
    assert body == OBJ_DATA, "body differs"
    eq("ETag", md5_etag(OBJ_DATA), headers.get("etag"))
    url = presign_client.get_presigned_download_url(
        Bucket=BUCKET, Key=OBJ, Params={"response-content-type": "application/x-override"})
    status, headers, body = fetch_presigned(url, "GET")
    eq("status with response-content-type", 200, status)
    eq("overridden Content-Type", "application/x-override", headers.get("content-type"))
    tampered = url.replace("response-content-type=application", "response-content-type=text")
    status, _, _ = fetch_presigned(tampered, "GET")
    eq("status of a tampered URL", 403, status)


check("pre-signed GET URL", presigned_get)


def presigned_put():
    key = K + "presigned/put.bin"
    data = data_of(4096, 6)
    url = presign_client.get_presigned_url(Bucket=BUCKET, Key=key, Method="PUT", Expired=300)
    status, headers, _ = fetch_presigned(url, "PUT", data)
    eq("status", 200, status)
    eq("ETag", md5_etag(data), headers.get("etag"))
    assert read_body(client.get_object(Bucket=BUCKET, Key=key)) == data, "object differs"


check("pre-signed PUT URL", presigned_put)

# ---------------------------------------------------------------------------------------------
# Cleanup and DELETE Bucket


def delete_bucket():
    expect_error(lambda: client.delete_bucket(Bucket=BUCKET), 409, "BucketNotEmpty")
    try:
        uploads = as_list(client.list_multipart_uploads(Bucket=BUCKET).get("Upload"))
    except CosServiceError as e:
        if e.get_error_code() != "NotImplemented":
            raise
        uploads = []  # an endpoint without multipart has no uploads to abort
    for u in uploads:
        client.abort_multipart_upload(Bucket=BUCKET, Key=u["Key"], UploadId=u["UploadId"])
    while True:
        keys = list_keys(client.list_objects(Bucket=BUCKET, MaxKeys=1000))
        if not keys:
            break
        client.delete_objects(Bucket=BUCKET, Delete={
            "Quiet": "true", "Object": [{"Key": k} for k in keys]})
    client.delete_bucket(Bucket=BUCKET)
    expect_error(lambda: client.head_bucket(Bucket=BUCKET), 404, None)


check("deleteBucket", delete_bucket)

print("%d passed, %d failed" % (passed, failed), flush=True)
sys.exit(1 if failed or not passed else 0)
