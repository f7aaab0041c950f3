/*
 * One client from several threads at once, as the crate doc allows: each thread puts,
 * reads back, heads and signs objects of its own through the shared client, and fails a
 * call on purpose now and then to check that the last error is its own (per thread) while
 * the other threads' calls succeed.
 *
 * argv[1] is a key prefix. Prints one line per thread, then a summary.
 */
#include <pthread.h>

#include "common.h"

#define THREADS 4
#define ROUNDS 12

struct worker {
    cos_client *client;
    const char *prefix;
    int index;
    int puts, reads_ok, heads_ok, signs_ok, own_errors;
    char failure[512];
    uint8_t data[64 * 1024];
};

/* The bytes of object `round` of thread `index`: its size and contents differ per object. */
static size_t object_bytes(int index, int round, uint8_t *buf, size_t cap) {
    size_t len = 1000 + (size_t)(index * 7919 + round * 104729) % 60000, i;
    if (len > cap) {
        len = cap;
    }
    for (i = 0; i < len; i++) {
        buf[i] = (uint8_t)(i * 31 + (size_t)index * 17 + (size_t)round);
    }
    return len;
}

/* Records the first surprise of a worker (a thread must not exit the process). */
static int fail(struct worker *w, const char *what, cos_result rc) {
    char message[256];
    if (w->failure[0] == '\0') {
        if (cos_last_error_message(message, sizeof message, NULL) != COS_RESULT_OK) {
            strcpy(message, "?");
        }
        snprintf(w->failure, sizeof w->failure, "%s: %s: %s", what, cos_result_name(rc), message);
    }
    return 0;
}

static int one_round(struct worker *w, int round) {
    uint8_t *data = w->data;
    char key[256], missing[256], code[64], message[1024];
    cos_params *p = cos_params_new();
    cos_upload *upload = NULL;
    cos_output *out = NULL;
    const uint8_t *body = NULL;
    size_t len = object_bytes(w->index, round, data, sizeof w->data), body_len = 0;
    cos_result rc;
    int ok = 0;

    snprintf(key, sizeof key, "%st%d/o%02d.bin", w->prefix, w->index, round);
    if ((rc = cos_params_set(p, "Key", key)) != COS_RESULT_OK ||
        (rc = cos_upload_new_bytes(data, len, &upload)) != COS_RESULT_OK) {
        fail(w, "setting up", rc);
        goto done;
    }
    if ((rc = cos_client_put_object(w->client, p, upload, &out)) != COS_RESULT_OK) {
        fail(w, "putObject", rc);
        goto done;
    }
    w->puts++;
    cos_output_free(out);
    out = NULL;

    /* Every third round: a call that fails, and this thread's last error says so. */
    if (round % 3 == 1) {
        snprintf(missing, sizeof missing, "%st%d/missing-%d", w->prefix, w->index, round);
        cos_params_set(p, "Key", missing);
        rc = cos_client_head_object(w->client, p, &out);
        if (rc != COS_RESULT_SERVICE || out != NULL) {
            fail(w, "headObject of a missing key", rc);
            goto done;
        }
        /* A HEAD's 404 has no body: the code is COS's for a bare 404, and the message
         * names this thread's key, not another thread's. */
        if (cos_last_error_result() != COS_RESULT_SERVICE ||
            cos_last_error_code(code, sizeof code, NULL) != COS_RESULT_OK ||
            strcmp(code, "NotFound") != 0 ||
            cos_last_error_message(message, sizeof message, NULL) != COS_RESULT_OK ||
            strstr(message, missing) == NULL) {
            fail(w, "the thread's own last error", rc);
            goto done;
        }
        w->own_errors++;
        cos_params_set(p, "Key", key);
    }

    /* getObject into memory: the same bytes */
    if ((rc = cos_client_get_object(w->client, p, NULL, &out)) != COS_RESULT_OK) {
        fail(w, "getObject", rc);
        goto done;
    }
    if (cos_output_body(out, &body, &body_len) == COS_RESULT_OK && body_len == len &&
        memcmp(body, data, len) == 0) {
        w->reads_ok++;
    } else {
        fail(w, "the bytes read back", COS_RESULT_OK);
        goto done;
    }
    cos_output_free(out);
    out = NULL;

    /* headObject: the length */
    if ((rc = cos_client_head_object(w->client, p, &out)) != COS_RESULT_OK) {
        fail(w, "headObject", rc);
        goto done;
    }
    if (u64_of(cos_output_root(out), "ContentLength") == len) {
        w->heads_ok++;
    }
    cos_output_free(out);
    out = NULL;

    /* getAuth with the shared signer */
    cos_params_set(p, "Method", "PUT");
    if ((rc = cos_client_get_auth(w->client, p, &out)) != COS_RESULT_OK) {
        fail(w, "getAuth", rc);
        goto done;
    }
    if (strncmp(str_of(cos_output_root(out), "Authorization"), "q-sign-algorithm=sha1&", 22) == 0) {
        w->signs_ok++;
    }
    ok = 1;
done:
    cos_output_free(out);
    cos_upload_free(upload);
    cos_params_free(p);
    return ok;
}

static void *work(void *arg) {
    struct worker *w = arg;
    int round;
    for (round = 0; round < ROUNDS; round++) {
        if (!one_round(w, round)) {
            break;
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    const char *prefix = argc > 1 ? argv[1] : "threads/";
    static struct worker workers[THREADS];
    pthread_t threads[THREADS];
    cos_client *client = client_from_env();
    cos_params *p = cos_params_new();
    cos_output *out = NULL;
    int i, listed = 0, failures = 0;
    char list_prefix[256];

    for (i = 0; i < THREADS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].client = client;
        workers[i].prefix = prefix;
        workers[i].index = i;
        expect(pthread_create(&threads[i], NULL, work, &workers[i]) == 0, "a thread starts");
    }
    for (i = 0; i < THREADS; i++) {
        expect(pthread_join(threads[i], NULL) == 0, "a thread ends");
    }
    for (i = 0; i < THREADS; i++) {
        struct worker *w = &workers[i];
        printf("thread %d: puts %d reads %d heads %d signs %d own errors %d%s%s\n", i, w->puts,
               w->reads_ok, w->heads_ok, w->signs_ok, w->own_errors,
               w->failure[0] ? " failure " : "", w->failure);
        failures += w->failure[0] != '\0';
    }

    /* The bucket holds every object the threads put. */
    snprintf(list_prefix, sizeof list_prefix, "%st", prefix);
    check(cos_params_set(p, "Prefix", list_prefix), "set Prefix");
    check(cos_client_get_bucket(client, p, &out), "getBucket");
    listed = (int)cos_value_count(cos_output_get(out, "Contents"));
    cos_output_free(out);
    printf("listed %d objects, failures %d\n", listed, failures);

    cos_params_free(p);
    cos_client_free(client);
    return failures == 0 && listed == THREADS * ROUNDS ? 0 : 1;
}
