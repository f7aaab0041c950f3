/*
 * The three ways to authenticate and the signing helpers: COS.getAuthorization with a
 * fixed key time; a client whose credential provider hands out a temporary key (Format 1);
 * a client whose authorizer signs each request (Format 2) with getAuthorization; getAuth;
 * getObjectUrl, which an authorizer cannot sign.
 *
 * argv[1] is a key prefix. The temporary key is COS_TMP_SECRET_ID, COS_TMP_SECRET_KEY and
 * COS_TMP_TOKEN.
 */
#include <time.h>

#include "common.h"

/* Format 1: counts its calls and answers with the temporary key. */
static int provide(void *userdata, const cos_credential_scope *scope, cos_temporary_credentials *answer) {
    (*(int *)userdata)++;
    if (scope->bucket.data == NULL || strcmp(scope->bucket.data, env("COS_BUCKET")) != 0) {
        return 1;
    }
    return cos_temporary_credentials_set(answer, env("COS_TMP_SECRET_ID"), env("COS_TMP_SECRET_KEY"),
                                         env("COS_TMP_TOKEN"), (uint64_t)time(NULL) + 3600) != COS_RESULT_OK;
}

/* Format 2: signs the request as a signing server would, with getAuthorization. */
static int authorize(void *userdata, const cos_authorize_request *request, cos_authorization *answer) {
    cos_params *p = cos_params_new();
    cos_output *out = NULL;
    const char *authorization = NULL;
    size_t i;
    int failed;
    (*(int *)userdata)++;
    cos_params_set(p, "SecretId", env("COS_SECRET_ID"));
    cos_params_set(p, "SecretKey", env("COS_SECRET_KEY"));
    cos_params_set(p, "Method", request->method.data);
    cos_params_set(p, "Key", request->key.data);
    for (i = 0; i < request->headers_len; i++) {
        cos_params_add_header(p, request->headers[i].name.data, request->headers[i].value.data);
    }
    for (i = 0; i < request->query_len; i++) {
        cos_params_add_query(p, request->query[i].name.data, request->query[i].value.data);
    }
    failed = cos_get_authorization(p, &out) != COS_RESULT_OK ||
             cos_value_str(cos_output_get(out, "Authorization"), &authorization, NULL) != COS_RESULT_OK ||
             cos_authorization_set(answer, authorization, NULL) != COS_RESULT_OK;
    cos_output_free(out);
    cos_params_free(p);
    return failed;
}

/* Puts `text` at `key` and reads it back. */
static void round_trip(const cos_client *client, const char *key, const char *text) {
    cos_params *p = cos_params_new();
    cos_upload *upload = NULL;
    cos_output *out = NULL;
    const uint8_t *data = NULL;
    size_t len = 0;
    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_upload_new_bytes((const uint8_t *)text, strlen(text), &upload), "upload");
    check(cos_client_put_object(client, p, upload, &out), "putObject");
    cos_output_free(out);
    check(cos_client_get_object(client, p, NULL, &out), "getObject");
    check(cos_output_body(out, &data, &len), "body");
    expect(len == strlen(text) && memcmp(data, text, len) == 0, "the data comes back");
    cos_output_free(out);
    cos_upload_free(upload);
    cos_params_free(p);
}

int main(int argc, char **argv) {
    const char *prefix = argc > 1 ? argv[1] : "auth/";
    char key[512];
    cos_params *p = cos_params_new();
    cos_output *out = NULL;
    cos_client_builder *b;
    cos_client *client = NULL;
    int provided = 0, authorized = 0;

    /* COS.getAuthorization, with a fixed key time so the result can be compared */
    check(cos_params_set(p, "SecretId", env("COS_SECRET_ID")), "set SecretId");
    check(cos_params_set(p, "SecretKey", env("COS_SECRET_KEY")), "set SecretKey");
    check(cos_params_set(p, "Method", "put"), "set Method");
    check(cos_params_set(p, "Key", "a/b c.txt"), "set Key");
    check(cos_params_set(p, "KeyTime", "1700000000;1700000900"), "set KeyTime");
    check(cos_params_add_header(p, "Content-Type", "text/plain"), "add header");
    check(cos_params_add_query(p, "acl", ""), "add query");
    check(cos_get_authorization(p, &out), "getAuthorization");
    printf("authorization %s\n", str_of(cos_output_root(out), "Authorization"));
    cos_output_free(out);

    /* Format 1: a credential provider */
    snprintf(key, sizeof key, "%sprovider.txt", prefix);
    b = builder_from_env();
    check(cos_client_builder_set_credential_provider(b, provide, &provided), "provider");
    check(cos_client_builder_build(b, &client), "build");
    cos_client_builder_free(b);
    round_trip(client, key, "signed with a temporary key");
    printf("provider calls %d\n", provided);
    cos_client_free(client);

    /* Format 2: an authorizer */
    snprintf(key, sizeof key, "%sauthorizer.txt", prefix);
    b = builder_from_env();
    check(cos_client_builder_set_authorizer(b, authorize, &authorized), "authorizer");
    check(cos_client_builder_build(b, &client), "build");
    round_trip(client, key, "signed by the authorizer");
    expect(authorized >= 2, "the authorizer signed both requests");
    check(cos_params_clear(p), "clear");
    check(cos_params_set(p, "Method", "GET"), "set Method");
    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_client_get_auth(client, p, &out), "getAuth with an authorizer");
    expect(strncmp(str_of(cos_output_root(out), "Authorization"), "q-sign-algorithm=sha1&", 22) == 0,
           "the authorizer's answer");
    cos_output_free(out);
    expect_failure(cos_client_get_object_url(client, p, &out), COS_RESULT_INVALID_PARAMETER,
                   "a signed URL needs a key");
    cos_client_free(client);

    /* two ways at once, and a bad option, are refused */
    check(cos_client_builder_set_secret(b, "AKIDx", "y"), "secret");
    expect_failure(cos_client_builder_build(b, &client), COS_RESULT_INVALID_PARAMETER, "two ways to authenticate");
    expect_failure(cos_client_builder_set_option(b, "ChunkSize", "big"), COS_RESULT_INVALID_PARAMETER, "a bad value");
    expect_failure(cos_client_builder_set_option(b, "NoSuchOption", "1"), COS_RESULT_INVALID_PARAMETER, "a bad name");
    cos_client_builder_free(b);

    /* getAuth with the permanent key */
    client = client_from_env();
    check(cos_params_set(p, "KeyTime", "1700000000;1700000900"), "set KeyTime");
    check(cos_client_get_auth(client, p, &out), "getAuth");
    printf("getAuth %s\n", str_of(cos_output_root(out), "Authorization"));
    cos_output_free(out);
    cos_client_free(client);

    cos_params_free(p);
    return 0;
}
