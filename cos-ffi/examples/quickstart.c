/*
 * Quickstart: put an object, get it back, list the bucket, upload a larger object in parts
 * with a progress callback, and make a pre-signed URL.
 *
 * Environment: COS_ENDPOINT, COS_SECRET_ID, COS_SECRET_KEY, COS_BUCKET, COS_REGION (the
 * client reads them itself with cos_client_new_from_env). argv[1] is a key prefix.
 */
#include "common.h"

#define PART_SIZE (1024 * 1024)

/* Counts the progress callbacks and remembers the last `loaded`. */
struct progress_seen {
    int calls;
    uint64_t loaded;
};

static int on_progress(void *userdata, const cos_progress *p) {
    struct progress_seen *seen = (struct progress_seen *)userdata;
    seen->calls++;
    seen->loaded = p->loaded;
    return 0; /* non-zero would cancel the upload */
}

int main(int argc, char **argv) {
    const char *prefix = argc > 1 ? argv[1] : "quickstart/";
    char key[512], big_key[512];
    cos_client *client = NULL;
    cos_params *p = cos_params_new();
    cos_upload *upload = NULL;
    cos_output *out = NULL;
    const uint8_t *data = NULL;
    size_t len = 0;
    static uint8_t big[PART_SIZE + 1000];
    char upload_id[256];
    struct progress_seen seen = {0, 0};
    const cos_value *contents;

    snprintf(key, sizeof key, "%shello.txt", prefix);
    snprintf(big_key, sizeof big_key, "%sbig.bin", prefix);
    check(cos_client_new_from_env(&client), "client from the environment");

    /* put */
    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_params_set(p, "ContentType", "text/plain"), "set ContentType");
    check(cos_upload_new_bytes((const uint8_t *)"Hello, COS!", 11, &upload), "upload");
    check(cos_client_put_object(client, p, upload, &out), "putObject");
    printf("put ETag %s\n", str_of(cos_output_root(out), "ETag"));
    cos_output_free(out);
    cos_upload_free(upload);

    /* get (into memory) */
    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_client_get_object(client, p, NULL, &out), "getObject");
    check(cos_output_body(out, &data, &len), "body");
    expect(len == 11 && memcmp(data, "Hello, COS!", 11) == 0, "the data put comes back");
    printf("got %.*s\n", (int)len, (const char *)data);
    cos_output_free(out);

    /* multipart upload with progress: two parts */
    fill(big, sizeof big, 7);
    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Key", big_key), "set Key");
    check(cos_client_multipart_init(client, p, &out), "multipartInit");
    snprintf(upload_id, sizeof upload_id, "%s", str_of(cos_output_root(out), "UploadId"));
    cos_output_free(out);
    {
        cos_params *complete = cos_params_new();
        int part;
        check(cos_params_set(complete, "Key", big_key), "set Key");
        check(cos_params_set(complete, "UploadId", upload_id), "set UploadId");
        for (part = 1; part <= 2; part++) {
            char number[16];
            size_t offset = (size_t)(part - 1) * PART_SIZE;
            size_t size = part == 1 ? PART_SIZE : sizeof big - PART_SIZE;
            snprintf(number, sizeof number, "%d", part);
            check(cos_params_set(p, "UploadId", upload_id), "set UploadId");
            check(cos_params_set(p, "PartNumber", number), "set PartNumber");
            check(cos_upload_new_bytes(big + offset, size, &upload), "part data");
            check(cos_upload_set_progress(upload, on_progress, &seen), "progress");
            check(cos_client_multipart_upload(client, p, upload, &out), "multipartUpload");
            check(cos_params_add_part(complete, (uint32_t)part, str_of(cos_output_root(out), "ETag")), "add part");
            expect(seen.loaded == size, "the last progress callback reports every byte");
            cos_output_free(out);
            cos_upload_free(upload);
        }
        check(cos_client_multipart_complete(client, complete, &out), "multipartComplete");
        printf("multipart ETag %s CRC64 %s progress callbacks %d\n",
               str_of(cos_output_root(out), "ETag"), str_of(cos_output_root(out), "CRC64"), seen.calls);
        cos_output_free(out);
        cos_params_free(complete);
    }

    /* list */
    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Prefix", prefix), "set Prefix");
    check(cos_client_get_bucket(client, p, &out), "getBucket");
    contents = cos_output_get(out, "Contents");
    expect(cos_value_count(contents) == 2, "two objects listed");
    {
        size_t i;
        for (i = 0; i < cos_value_count(contents); i++) {
            const cos_value *object = cos_value_at(contents, i);
            printf("listed %s %llu\n", str_of(object, "Key"), (unsigned long long)u64_of(object, "Size"));
        }
    }
    cos_output_free(out);

    /* pre-signed URL, valid for 60 seconds */
    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_params_set(p, "Expires", "60"), "set Expires");
    check(cos_client_get_object_url(client, p, &out), "getObjectUrl");
    printf("url %s\n", str_of(cos_output_root(out), "Url"));
    cos_output_free(out);

    cos_params_free(p);
    cos_client_free(client);
    return 0;
}
