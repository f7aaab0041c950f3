/*
 * Bucket calls: putBucket, headBucket, getService, getBucketLocation, getBucket,
 * deleteBucket, and how a COS error reads (status, Code, RequestId).
 *
 * argv[1] is the name of a bucket to create and delete ({name}-{appid}).
 */
#include "common.h"

int main(int argc, char **argv) {
    const char *bucket = argc > 1 ? argv[1] : "ffi-bucket-1250000000";
    cos_client *client = client_from_env();
    cos_params *p = cos_params_new();
    cos_output *out = NULL;
    const cos_value *buckets;
    size_t i;
    int found = 0;
    char code[64], request_id[128];
    size_t needed = 0;

    check(cos_params_set(p, "Bucket", bucket), "set Bucket");
    check(cos_client_put_bucket(client, p, &out), "putBucket");
    printf("putBucket status %llu\n", (unsigned long long)u64_of(cos_output_root(out), "statusCode"));
    cos_output_free(out);

    check(cos_client_head_bucket(client, p, &out), "headBucket");
    cos_output_free(out);

    check(cos_client_get_service(client, NULL, &out), "getService");
    buckets = cos_output_get(out, "Buckets");
    for (i = 0; i < cos_value_count(buckets); i++) {
        const cos_value *b = cos_value_at(buckets, i);
        printf("bucket %s %s\n", str_of(b, "Name"), str_of(b, "Location"));
        found |= strcmp(str_of(b, "Name"), bucket) == 0;
    }
    expect(found, "getService lists the new bucket");
    printf("owner %s\n", str_of(cos_output_get(out, "Owner"), "ID"));
    cos_output_free(out);

    check(cos_client_get_bucket_location(client, p, &out), "getBucketLocation");
    printf("location %s\n", str_of(cos_output_root(out), "LocationConstraint"));
    cos_output_free(out);

    check(cos_client_get_bucket(client, p, &out), "getBucket");
    expect(cos_value_count(cos_output_get(out, "Contents")) == 0, "a new bucket is empty");
    expect(!bool_of(cos_output_root(out), "IsTruncated"), "not truncated");
    printf("name %s\n", str_of(cos_output_root(out), "Name"));
    cos_output_free(out);

    check(cos_client_delete_bucket(client, p, &out), "deleteBucket");
    cos_output_free(out);

    /* The bucket is gone: headBucket fails, and the last error says how. */
    out = NULL;
    expect_failure(cos_client_head_bucket(client, p, &out), COS_RESULT_SERVICE, "headBucket of a deleted bucket");
    expect(out == NULL, "a failing call leaves its out-parameter alone");
    expect(cos_last_error_result() == COS_RESULT_SERVICE, "the last error is recorded");
    check(cos_last_error_code(code, sizeof code, NULL), "code");
    check(cos_last_error_request_id(request_id, sizeof request_id, NULL), "request id");
    printf("deleted bucket: status %u code %s request id %s\n", (unsigned)cos_last_error_status(), code,
           request_id[0] ? "present" : "missing");
    /* Asking for the length first. */
    expect_failure(cos_last_error_message(NULL, 0, &needed), COS_RESULT_INSUFFICIENT_SIZE, "length query");
    expect(needed > 0, "the message has a length");

    /* An unknown parameter name is refused before anything is sent. */
    check(cos_params_set(p, "Prefx", "typo/"), "set a misspelled name");
    expect_failure(cos_client_get_bucket(client, p, &out), COS_RESULT_INVALID_PARAMETER, "a misspelled parameter");
    expect(cos_client_get_bucket(NULL, p, &out) == COS_RESULT_NULL_PARAMETER, "a NULL client is refused");

    cos_params_free(p);
    cos_client_free(client);
    /* _free(NULL) is a no-op. */
    cos_params_free(NULL);
    cos_client_free(NULL);
    cos_output_free(NULL);
    return 0;
}
