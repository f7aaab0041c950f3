/*
 * What the example programs share: failing loudly with the last error, reading values of
 * an output, and a client builder pointed at the endpoint the environment names.
 *
 * The programs read COS_ENDPOINT (http://host:port), COS_SECRET_ID, COS_SECRET_KEY,
 * COS_BUCKET and COS_REGION; they check what they do and exit 1 on the first surprise.
 */
#ifndef COS_EXAMPLE_COMMON_H
#define COS_EXAMPLE_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cos.h"

/* Exits with the last error's name and message unless rc is COS_RESULT_OK. */
static inline void check(cos_result rc, const char *what) {
    char message[2048];
    if (rc == COS_RESULT_OK) {
        return;
    }
    if (cos_last_error_message(message, sizeof message, NULL) != COS_RESULT_OK) {
        strcpy(message, "(the message does not fit)");
    }
    fprintf(stderr, "%s failed: %s: %s\n", what, cos_result_name(rc), message);
    exit(1);
}

/* Exits unless cond holds. */
static inline void expect(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "expected: %s\n", what);
        exit(1);
    }
}

/* Exits unless rc is the failure `want`. */
static inline void expect_failure(cos_result rc, cos_result want, const char *what) {
    if (rc != want) {
        fprintf(stderr, "%s: expected %s, got %s\n", what, cos_result_name(want), cos_result_name(rc));
        exit(1);
    }
}

/* The environment variable `name`, which must be set. */
static inline const char *env(const char *name) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        fprintf(stderr, "%s is not set\n", name);
        exit(2);
    }
    return v;
}

/* The string field `name` of `v` (borrowed from its output). */
static inline const char *str_of(const cos_value *v, const char *name) {
    const char *s = NULL;
    check(cos_value_str(cos_value_get(v, name), &s, NULL), name);
    return s;
}

/* The number field `name` of `v`. */
static inline uint64_t u64_of(const cos_value *v, const char *name) {
    uint64_t n = 0;
    check(cos_value_u64(cos_value_get(v, name), &n), name);
    return n;
}

/* The flag field `name` of `v`. */
static inline bool bool_of(const cos_value *v, const char *name) {
    bool b = false;
    check(cos_value_bool(cos_value_get(v, name), &b), name);
    return b;
}

/* A builder with no way to authenticate yet, pointed at COS_ENDPOINT (http://host:port)
 * with COS_BUCKET and COS_REGION as the default bucket and region. */
static inline cos_client_builder *builder_from_env(void) {
    const char *endpoint = env("COS_ENDPOINT");
    const char *address = strstr(endpoint, "://");
    cos_client_builder *b = cos_client_builder_new();
    expect(address != NULL, "COS_ENDPOINT is http://host:port");
    check(cos_client_builder_set_option(b, "Protocol", "http:"), "Protocol");
    check(cos_client_builder_set_option(b, "ConnectAddress", address + 3), "ConnectAddress");
    check(cos_client_builder_set_option(b, "Bucket", env("COS_BUCKET")), "Bucket");
    check(cos_client_builder_set_option(b, "Region", env("COS_REGION")), "Region");
    check(cos_client_builder_set_option(b, "ReadTimeout", "20000"), "ReadTimeout");
    check(cos_client_builder_set_option(b, "InitialBackoff", "10"), "InitialBackoff");
    return b;
}

/* A client with the permanent key COS_SECRET_ID / COS_SECRET_KEY. */
static inline cos_client *client_from_env(void) {
    cos_client_builder *b = builder_from_env();
    cos_client *client = NULL;
    check(cos_client_builder_set_secret(b, env("COS_SECRET_ID"), env("COS_SECRET_KEY")), "secret");
    check(cos_client_builder_build(b, &client), "build");
    cos_client_builder_free(b);
    return client;
}

/* Deterministic bytes. */
static inline void fill(uint8_t *buf, size_t len, uint32_t seed) {
    size_t i;
    for (i = 0; i < len; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        buf[i] = (uint8_t)seed;
    }
}

#endif
