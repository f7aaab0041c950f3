/*
 * Object calls: putObject (from a file, with metadata), headObject, getObject (to a file,
 * a range into memory, through a write callback), putObjectCopy, deleteObject,
 * deleteMultipleObject; a progress callback that cancels; a missing key's error.
 *
 * argv[1] is a key prefix, argv[2] a scratch directory.
 */
#include "common.h"

#define BIG (2 * 1024 * 1024)

/* A write callback: counts the bytes. */
static int count_bytes(void *userdata, const uint8_t *data, size_t len) {
    (void)data;
    *(size_t *)userdata += len;
    return 0;
}

/* A progress callback that cancels at once. */
static int cancel_now(void *userdata, const cos_progress *p) {
    (void)p;
    (*(int *)userdata)++;
    return 1;
}

static char key_buf[4][512];

static const char *key(int i, const char *prefix, const char *name) {
    snprintf(key_buf[i], sizeof key_buf[i], "%s%s", prefix, name);
    return key_buf[i];
}

int main(int argc, char **argv) {
    const char *prefix = argc > 1 ? argv[1] : "object/";
    const char *scratch = argc > 2 ? argv[2] : "/tmp";
    char src_path[512], dst_path[512], copy_source[1024];
    const char *a = key(0, prefix, "a.txt"), *b = key(1, prefix, "b.txt"), *big = key(2, prefix, "big.bin");
    cos_client *client = client_from_env();
    cos_params *p = cos_params_new();
    cos_upload *upload = NULL;
    cos_download *download = NULL;
    cos_output *out = NULL;
    const cos_value *meta;
    const uint8_t *data;
    size_t len, written = 0;
    int cancels = 0;
    FILE *f;
    static uint8_t big_data[BIG];
    char buf[64];

    /* putObject from a file, with metadata and a content type */
    snprintf(src_path, sizeof src_path, "%s/source.txt", scratch);
    f = fopen(src_path, "wb");
    expect(f != NULL, "the scratch file opens");
    fputs("0123456789abcdef", f);
    fclose(f);
    check(cos_params_set(p, "Key", a), "set Key");
    check(cos_params_set(p, "ContentType", "text/plain"), "set ContentType");
    check(cos_params_set(p, "x-cos-meta-author", "ffi"), "set metadata");
    check(cos_upload_new_file(src_path, &upload), "upload from a file");
    check(cos_client_put_object(client, p, upload, &out), "putObject");
    cos_output_free(out);
    cos_upload_free(upload);

    /* headObject: metadata, length, CRC64 */
    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Key", a), "set Key");
    check(cos_client_head_object(client, p, &out), "headObject");
    meta = cos_output_get(out, "Metadata");
    printf("head ContentLength %llu ContentType %s author %s CRC64 %s\n",
           (unsigned long long)u64_of(cos_output_root(out), "ContentLength"),
           str_of(cos_output_root(out), "ContentType"), str_of(meta, "author"),
           str_of(cos_output_root(out), "CRC64"));
    expect(cos_value_count(meta) == 1, "one metadata entry");
    {
        const char *name = NULL;
        check(cos_value_name_at(meta, 0, &name, &len), "metadata name");
        expect(len == 6 && strcmp(name, "author") == 0, "the metadata name");
    }
    expect(cos_value_type(cos_output_get(out, "NoSuchField")) == COS_VALUE_ABSENT, "absent fields are NULL");
    {
        const char *text = NULL;
        expect_failure(cos_value_str(cos_output_get(out, "ContentLength"), &text, NULL), COS_RESULT_WRONG_TYPE,
                       "a number read as a string");
        expect(text == NULL, "a failing reader leaves its out-parameter alone");
    }
    cos_output_free(out);

    /* getObject into a file */
    snprintf(dst_path, sizeof dst_path, "%s/downloaded.txt", scratch);
    check(cos_download_new_file(dst_path, &download), "download to a file");
    check(cos_client_get_object(client, p, download, &out), "getObject to a file");
    cos_output_free(out);
    cos_download_free(download);
    f = fopen(dst_path, "rb");
    expect(f != NULL, "the downloaded file exists");
    len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    expect(len == 16 && memcmp(buf, "0123456789abcdef", 16) == 0, "the file has the data");

    /* getObject of a range, into memory */
    check(cos_params_set(p, "Range", "bytes=2-5"), "set Range");
    check(cos_client_get_object(client, p, NULL, &out), "getObject range");
    check(cos_output_body(out, &data, &len), "body");
    expect(len == 4 && memcmp(data, "2345", 4) == 0, "the range");
    printf("range %llu-%llu of %llu\n", (unsigned long long)u64_of(cos_output_get(out, "ContentRange"), "First"),
           (unsigned long long)u64_of(cos_output_get(out, "ContentRange"), "Last"),
           (unsigned long long)u64_of(cos_output_get(out, "ContentRange"), "Total"));
    cos_output_free(out);

    /* putObjectCopy */
    snprintf(copy_source, sizeof copy_source, "%s.cos.%s.myqcloud.com/%s", env("COS_BUCKET"), env("COS_REGION"), a);
    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Key", b), "set Key");
    check(cos_params_set(p, "CopySource", copy_source), "set CopySource");
    check(cos_client_put_object_copy(client, p, &out), "putObjectCopy");
    printf("copy ETag %s\n", str_of(cos_output_root(out), "ETag"));
    cos_output_free(out);

    /* a bigger object, downloaded through a write callback */
    fill(big_data, sizeof big_data, 3);
    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Key", big), "set Key");
    check(cos_upload_new_bytes(big_data, sizeof big_data, &upload), "upload bytes");
    check(cos_client_put_object(client, p, upload, &out), "putObject big");
    cos_output_free(out);
    check(cos_download_new_writer(count_bytes, &written, &download), "download to a callback");
    check(cos_client_get_object(client, p, download, &out), "getObject to a callback");
    expect(written == BIG, "the write callback got every byte");
    cos_output_free(out);
    cos_download_free(download);

    /* a progress callback returning non-zero cancels: upload and download */
    check(cos_upload_set_progress(upload, cancel_now, &cancels), "progress");
    expect_failure(cos_client_put_object(client, p, upload, &out), COS_RESULT_CANCELED, "a canceled upload");
    check(cos_download_new_memory(&download), "download to memory");
    check(cos_download_set_progress(download, cancel_now, &cancels), "progress");
    expect_failure(cos_client_get_object(client, p, download, &out), COS_RESULT_CANCELED, "a canceled download");
    printf("canceled after %d progress callbacks\n", cancels);
    cos_download_free(download);
    cos_upload_free(upload);

    /* deleteMultipleObject, then deleteObject */
    check(cos_params_clear(p), "clear");
    check(cos_params_add_object(p, b, NULL), "add object");
    check(cos_params_add_object(p, big, NULL), "add object");
    check(cos_client_delete_multiple_object(client, p, &out), "deleteMultipleObject");
    printf("deleted %zu objects\n", cos_value_count(cos_output_get(out, "Deleted")));
    cos_output_free(out);
    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Key", a), "set Key");
    check(cos_client_delete_object(client, p, &out), "deleteObject");
    cos_output_free(out);

    /* a missing key */
    expect_failure(cos_client_get_object(client, p, NULL, &out), COS_RESULT_SERVICE, "getObject of a deleted key");
    {
        char code[64];
        check(cos_last_error_code(code, sizeof code, NULL), "code");
        printf("missing: %u %s\n", (unsigned)cos_last_error_status(), code);
    }

    cos_params_free(p);
    cos_client_free(client);
    return 0;
}
