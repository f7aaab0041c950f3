/*
 * CORS calls: putBucketCors, getBucketCors, optionsObject (allowed and refused),
 * deleteBucketCors, and getBucketCors once there are none.
 *
 * argv[1] is a key prefix.
 */
#include "common.h"

int main(int argc, char **argv) {
    const char *prefix = argc > 1 ? argv[1] : "cors/";
    const char *origins[] = {"https://www.example.com", "https://*.example.org", NULL};
    const char *methods[] = {"GET", "put", NULL};
    const char *headers[] = {"*", NULL};
    const char *expose[] = {"ETag", "x-cos-request-id", NULL};
    const char *any[] = {"*", NULL};
    const char *head[] = {"HEAD", NULL};
    char key[512];
    cos_client *client = client_from_env();
    cos_params *p = cos_params_new();
    cos_output *out = NULL;
    const cos_value *rules;
    size_t i, j;

    check(cos_params_add_cors_rule(p, "web", origins, methods, headers, expose, 600), "rule");
    check(cos_params_add_cors_rule(p, NULL, any, head, NULL, NULL, -1), "rule");
    check(cos_params_set(p, "ResponseVary", "true"), "set ResponseVary");
    check(cos_client_put_bucket_cors(client, p, &out), "putBucketCors");
    cos_output_free(out);

    check(cos_params_clear(p), "clear");
    check(cos_client_get_bucket_cors(client, p, &out), "getBucketCors");
    rules = cos_output_get(out, "CORSRules");
    expect(cos_value_count(rules) == 2, "two rules");
    for (i = 0; i < cos_value_count(rules); i++) {
        const cos_value *rule = cos_value_at(rules, i);
        const cos_value *list = cos_value_get(rule, "AllowedMethods");
        printf("rule %zu methods", i);
        for (j = 0; j < cos_value_count(list); j++) {
            const char *m = NULL;
            check(cos_value_str(cos_value_at(list, j), &m, NULL), "method");
            printf(" %s", m);
        }
        printf("\n");
    }
    printf("rule 0 id %s max age %llu\n", str_of(cos_value_at(rules, 0), "ID"),
           (unsigned long long)u64_of(cos_value_at(rules, 0), "MaxAgeSeconds"));
    cos_output_free(out);

    /* a preflight the first rule allows, and one no rule allows */
    snprintf(key, sizeof key, "%sany.txt", prefix);
    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_params_set(p, "Origin", "https://www.example.com"), "set Origin");
    check(cos_params_set(p, "AccessControlRequestMethod", "PUT"), "set method");
    check(cos_params_set(p, "AccessControlRequestHeaders", "content-type"), "set headers");
    check(cos_client_options_object(client, p, &out), "optionsObject");
    expect(!bool_of(cos_output_root(out), "OptionsForbidden"), "allowed");
    printf("allowed origin %s methods %s\n", str_of(cos_output_root(out), "AccessControlAllowOrigin"),
           str_of(cos_output_root(out), "AccessControlAllowMethods"));
    cos_output_free(out);
    check(cos_params_set(p, "Origin", "https://evil.example.net"), "set Origin");
    check(cos_params_set(p, "AccessControlRequestMethod", "DELETE"), "set method");
    check(cos_client_options_object(client, p, &out), "optionsObject refused");
    expect(bool_of(cos_output_root(out), "OptionsForbidden"), "refused");
    printf("refused status %llu\n", (unsigned long long)u64_of(cos_output_root(out), "statusCode"));
    cos_output_free(out);

    check(cos_params_clear(p), "clear");
    check(cos_client_delete_bucket_cors(client, p, &out), "deleteBucketCors");
    cos_output_free(out);
    expect_failure(cos_client_get_bucket_cors(client, p, &out), COS_RESULT_SERVICE, "getBucketCors without rules");
    {
        char code[64];
        check(cos_last_error_code(code, sizeof code, NULL), "code");
        printf("after delete: %s\n", code);
    }

    /* a rule without origins is refused before anything is sent */
    check(cos_params_add_cors_rule(p, NULL, NULL, methods, NULL, NULL, -1), "rule");
    expect_failure(cos_client_put_bucket_cors(client, p, &out), COS_RESULT_INVALID_PARAMETER, "a rule without origins");

    cos_params_free(p);
    cos_client_free(client);
    return 0;
}
