/*
 * Multipart calls: multipartInit, multipartUpload (part 1 from a read callback),
 * uploadPartCopy (part 2 from another object), multipartListPart, multipartList,
 * multipartComplete, and multipartAbort of a second upload.
 *
 * argv[1] is a key prefix.
 */
#include "common.h"

#define PART (1024 * 1024)

/* A read callback over a buffer. */
struct reader {
    const uint8_t *data;
    size_t len, at;
};

static int read_part(void *userdata, uint8_t *buf, size_t len, size_t *out_read) {
    struct reader *r = (struct reader *)userdata;
    size_t n = r->len - r->at < len ? r->len - r->at : len;
    memcpy(buf, r->data + r->at, n);
    r->at += n;
    *out_read = n;
    return 0;
}

int main(int argc, char **argv) {
    const char *prefix = argc > 1 ? argv[1] : "multipart/";
    char key[512], source[512], other[512], copy_source[1024], upload_id[256], other_id[256];
    static uint8_t part1[PART];
    cos_client *client = client_from_env();
    cos_params *p = cos_params_new();
    cos_params *complete = cos_params_new();
    cos_upload *upload = NULL;
    cos_output *out = NULL;
    struct reader r;
    const cos_value *parts, *uploads;
    size_t i;

    snprintf(key, sizeof key, "%sjoined.bin", prefix);
    snprintf(source, sizeof source, "%ssource.txt", prefix);
    snprintf(other, sizeof other, "%sabandoned.bin", prefix);
    fill(part1, sizeof part1, 11);

    /* the source of the copied part */
    check(cos_params_set(p, "Key", source), "set Key");
    check(cos_upload_new_bytes((const uint8_t *)"the copied tail", 15, &upload), "upload");
    check(cos_client_put_object(client, p, upload, &out), "putObject source");
    cos_output_free(out);
    cos_upload_free(upload);

    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_params_set(p, "ContentType", "application/octet-stream"), "set ContentType");
    check(cos_client_multipart_init(client, p, &out), "multipartInit");
    snprintf(upload_id, sizeof upload_id, "%s", str_of(cos_output_root(out), "UploadId"));
    cos_output_free(out);
    check(cos_params_set(p, "ContentType", NULL), "unset ContentType");
    check(cos_params_set(p, "UploadId", upload_id), "set UploadId");
    check(cos_params_set(complete, "Key", key), "set Key");
    check(cos_params_set(complete, "UploadId", upload_id), "set UploadId");

    /* part 1 from a read callback */
    r.data = part1;
    r.len = sizeof part1;
    r.at = 0;
    check(cos_params_set(p, "PartNumber", "1"), "set PartNumber");
    check(cos_upload_new_reader(read_part, &r, sizeof part1, &upload), "upload from a callback");
    check(cos_client_multipart_upload(client, p, upload, &out), "multipartUpload");
    check(cos_params_add_part(complete, 1, str_of(cos_output_root(out), "ETag")), "add part");
    cos_output_free(out);
    cos_upload_free(upload);

    /* part 2 copied from the source */
    snprintf(copy_source, sizeof copy_source, "%s.cos.%s.myqcloud.com/%s", env("COS_BUCKET"), env("COS_REGION"), source);
    check(cos_params_set(p, "PartNumber", "2"), "set PartNumber");
    check(cos_params_set(p, "CopySource", copy_source), "set CopySource");
    check(cos_params_set(p, "CopySourceRange", "bytes=4-14"), "set CopySourceRange");
    check(cos_client_upload_part_copy(client, p, &out), "uploadPartCopy");
    check(cos_params_add_part(complete, 2, str_of(cos_output_root(out), "ETag")), "add part");
    cos_output_free(out);

    /* what COS holds so far */
    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_params_set(p, "UploadId", upload_id), "set UploadId");
    check(cos_client_multipart_list_part(client, p, &out), "multipartListPart");
    parts = cos_output_get(out, "Part");
    for (i = 0; i < cos_value_count(parts); i++) {
        printf("part %llu %llu\n", (unsigned long long)u64_of(cos_value_at(parts, i), "PartNumber"),
               (unsigned long long)u64_of(cos_value_at(parts, i), "Size"));
    }
    cos_output_free(out);

    /* a second upload, to abandon */
    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Key", other), "set Key");
    check(cos_client_multipart_init(client, p, &out), "multipartInit");
    snprintf(other_id, sizeof other_id, "%s", str_of(cos_output_root(out), "UploadId"));
    cos_output_free(out);

    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Prefix", prefix), "set Prefix");
    check(cos_client_multipart_list(client, p, &out), "multipartList");
    uploads = cos_output_get(out, "Upload");
    for (i = 0; i < cos_value_count(uploads); i++) {
        printf("uploading %s\n", str_of(cos_value_at(uploads, i), "Key"));
    }
    cos_output_free(out);

    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Key", other), "set Key");
    check(cos_params_set(p, "UploadId", other_id), "set UploadId");
    check(cos_client_multipart_abort(client, p, &out), "multipartAbort");
    cos_output_free(out);

    check(cos_client_multipart_complete(client, complete, &out), "multipartComplete");
    printf("complete %s %s\n", str_of(cos_output_root(out), "Key"), str_of(cos_output_root(out), "ETag"));
    cos_output_free(out);

    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Prefix", prefix), "set Prefix");
    check(cos_client_multipart_list(client, p, &out), "multipartList");
    printf("in progress after: %zu\n", cos_value_count(cos_output_get(out, "Upload")));
    cos_output_free(out);

    cos_params_free(complete);
    cos_params_free(p);
    cos_client_free(client);
    return 0;
}
