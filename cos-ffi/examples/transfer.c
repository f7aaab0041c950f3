/*
 * The transfer tasks: sliceUploadFile of a generated 6 MiB file with progress, paused from
 * another thread and restarted; a cancel by the progress callback (the upload is aborted);
 * a cancel that keeps the upload, and a second call that finds it on the server and
 * resumes it (parts checked by hashing, with hash progress, and reused); downloadFile and
 * a byte comparison; sliceCopyFile; uploadFiles of four files, one of them missing.
 *
 * Every task runs in 1 MiB parts. The callbacks of sliceUploadFile, downloadFile and
 * sliceCopyFile run on the calling thread; the controls (pause, restart, cancel, state)
 * are called from a second thread, which a blocking progress callback hands the task to at
 * a chosen point, so that each control lands mid-transfer whatever the machine's speed.
 *
 * argv[1] is a key prefix, argv[2] a scratch directory (the generated files, the download
 * and the resume journals go there).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <time.h>

#include "common.h"

#define MIB (1024 * 1024)
#define BIG (6 * MIB)
#define PARTS 6

/* The thread main runs on: sliceUploadFile, downloadFile and sliceCopyFile call their
 * callbacks there; uploadFiles its task-ready callbacks only. */
static pthread_t main_thread;

/* How many tasks ran a callback on another thread than main's (expected: none). */
static int callbacks_elsewhere;

/* What the callbacks of one task saw, and the hand-over to the controlling thread. */
struct watch {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t task_id;      /* 0 until task ready */
    uint64_t loaded, total;
    unsigned long calls;   /* progress calls so far */
    uint64_t trigger;      /* 0, or the bytes at which the progress callback stops... */
    int cancel_at_trigger; /* ...and cancels by returning non-zero, or else... */
    int triggered;         /* ...wakes the controller and waits until it has `acted` */
    int acted;
    int elsewhere;         /* a callback ran on another thread than main's */
};

static void watch_init(struct watch *w, uint64_t trigger, int cancel_at_trigger) {
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    w->trigger = trigger;
    w->cancel_at_trigger = cancel_at_trigger;
}

static void watch_destroy(struct watch *w) {
    if (w->elsewhere) {
        callbacks_elsewhere++;
    }
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
}

/* Task ready: the id pause, restart and cancel take. */
static int on_ready(void *userdata, uint64_t task_id) {
    struct watch *w = (struct watch *)userdata;
    pthread_mutex_lock(&w->lock);
    w->task_id = task_id;
    w->elsewhere |= !pthread_equal(pthread_self(), main_thread);
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    return 0;
}

/* Progress: records it; at the trigger, cancels or hands over to the controller. */
static int on_progress(void *userdata, const cos_progress *p) {
    struct watch *w = (struct watch *)userdata;
    int rc = 0;
    pthread_mutex_lock(&w->lock);
    w->loaded = p->loaded;
    w->total = p->total;
    w->calls++;
    w->elsewhere |= !pthread_equal(pthread_self(), main_thread);
    if (w->trigger != 0 && !w->triggered && p->loaded >= w->trigger) {
        w->triggered = 1;
        pthread_cond_broadcast(&w->cond);
        if (w->cancel_at_trigger) {
            rc = 1;
        } else {
            while (!w->acted) {
                pthread_cond_wait(&w->cond, &w->lock);
            }
        }
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

static void sleep_ms(long ms) {
    struct timespec t;
    t.tv_sec = ms / 1000;
    t.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&t, NULL);
}

static unsigned long calls_of(struct watch *w) {
    unsigned long n;
    pthread_mutex_lock(&w->lock);
    n = w->calls;
    pthread_mutex_unlock(&w->lock);
    return n;
}

enum action { PAUSE_AND_RESTART, CANCEL_KEEP };

/* The controlling thread: waits for the trigger, then pauses (and later restarts) the
 * task, or cancels it keeping what was sent. */
struct control {
    cos_client *client;
    struct watch *w;
    enum action action;
    uint64_t paused_at;
    size_t tasks_listed;
    uint64_t listed_state;
};

static void *controller(void *arg) {
    struct control *c = (struct control *)arg;
    struct watch *w = c->w;
    uint64_t id;
    cos_task_state state = 0;
    cos_output *list = NULL;
    unsigned long calls;
    int still;

    pthread_mutex_lock(&w->lock);
    while (!w->triggered) {
        pthread_cond_wait(&w->cond, &w->lock);
    }
    id = w->task_id;
    pthread_mutex_unlock(&w->lock);
    expect(id != 0, "the task id came before any progress");

    if (c->action == CANCEL_KEEP) {
        check(cos_client_cancel_task_keep(c->client, id), "cancelTask (keep)");
    } else {
        check(cos_client_pause_task(c->client, id), "pauseTask");
    }
    pthread_mutex_lock(&w->lock);
    w->acted = 1;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    if (c->action == CANCEL_KEEP) {
        return NULL;
    }

    /* Paused at once; the parts in flight finish, then no progress is reported. */
    check(cos_client_task_state(c->client, id, &state), "task state");
    expect(state == COS_TASK_STATE_PAUSED, "the task is paused");
    for (calls = calls_of(w), still = 0; still < 10; still++) {
        sleep_ms(50);
        if (calls_of(w) != calls) {
            calls = calls_of(w);
            still = -1;
        }
    }
    pthread_mutex_lock(&w->lock);
    c->paused_at = w->loaded;
    pthread_mutex_unlock(&w->lock);
    check(cos_client_task_list(c->client, &list), "task list");
    c->tasks_listed = cos_value_count(cos_output_get(list, "Tasks"));
    c->listed_state = u64_of(cos_value_at(cos_output_get(list, "Tasks"), 0), "State");
    expect(strcmp(str_of(cos_value_at(cos_output_get(list, "Tasks"), 0), "Kind"), "Upload") == 0,
           "the listed task is an upload");
    cos_output_free(list);
    sleep_ms(200);
    expect(calls_of(w) == calls, "no progress while paused");
    check(cos_client_task_state(c->client, id, &state), "task state");
    expect(state == COS_TASK_STATE_PAUSED, "still paused");
    check(cos_client_restart_task(c->client, id), "restartTask");
    return NULL;
}

/* Writes `len` bytes to `path`. */
static void write_file(const char *path, const uint8_t *data, size_t len) {
    FILE *f = fopen(path, "wb");
    expect(f != NULL, "the scratch file opens");
    expect(fwrite(data, 1, len, f) == len, "the scratch file is written");
    expect(fclose(f) == 0, "the scratch file is closed");
}

/* The whole file at `path` (malloc'd), its length in `*len`. */
static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long size;
    expect(f != NULL, "the file opens");
    expect(fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0, "the file has a size");
    rewind(f);
    data = (uint8_t *)malloc((size_t)size + 1);
    expect(data != NULL, "memory");
    expect(fread(data, 1, (size_t)size, f) == (size_t)size, "the file is read");
    fclose(f);
    *len = (size_t)size;
    return data;
}

/* The number of uploads in progress under `key`. */
static size_t uploads_of(cos_client *client, const char *key) {
    cos_params *p = cos_params_new();
    cos_output *out = NULL;
    size_t n;
    check(cos_params_set(p, "Prefix", key), "set Prefix");
    check(cos_client_multipart_list(client, p, &out), "multipartList");
    n = cos_value_count(cos_output_get(out, "Upload"));
    cos_output_free(out);
    cos_params_free(p);
    return n;
}

/* The one upload in progress under `key`, copied into `id`. */
static void upload_id_of(cos_client *client, const char *key, char *id, size_t len) {
    cos_params *p = cos_params_new();
    cos_output *out = NULL;
    check(cos_params_set(p, "Prefix", key), "set Prefix");
    check(cos_client_multipart_list(client, p, &out), "multipartList");
    snprintf(id, len, "%s", str_of(cos_value_at(cos_output_get(out, "Upload"), 0), "UploadId"));
    cos_output_free(out);
    cos_params_free(p);
}

/* A sliceUploadFile of `path` to `key` in 1 MiB parts, two at once. */
static cos_params *slice_upload_params(const char *key, const char *path, const char *journals) {
    cos_params *p = cos_params_new();
    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_params_set(p, "FilePath", path), "set FilePath");
    check(cos_params_set(p, "SliceSize", "1048576"), "set SliceSize");
    check(cos_params_set(p, "ChunkSize", "1048576"), "set ChunkSize");
    check(cos_params_set(p, "AsyncLimit", "2"), "set AsyncLimit");
    check(cos_params_set(p, "StorageClass", "STANDARD"), "set StorageClass");
    check(cos_params_set(p, "ContentType", "application/octet-stream"), "set ContentType");
    check(cos_params_set(p, "ResumeDir", journals), "set ResumeDir");
    return p;
}

/* Callbacks reporting to `w`. */
static cos_task_callbacks *callbacks_for(struct watch *w) {
    cos_task_callbacks *cb = cos_task_callbacks_new();
    check(cos_task_callbacks_set_task_ready(cb, on_ready, w), "set task ready");
    check(cos_task_callbacks_set_progress(cb, on_progress, w), "set progress");
    return cb;
}

/* What uploadFiles' batch callbacks saw. */
struct batch {
    pthread_mutex_t lock;
    uint64_t ids[8];
    size_t ready;
    unsigned long progress_calls;
    uint64_t loaded;
    cos_result finished[8];
    size_t finished_count;
    int finish_output_ok;
    int ready_elsewhere; /* a task-ready callback ran on another thread than main's */
    int finish_on_main;  /* a file-finish callback ran on main's thread */
};

static int batch_ready(void *userdata, uint64_t task_id) {
    struct batch *b = (struct batch *)userdata;
    /* On the calling thread, before any file starts: no lock needed, but harmless. */
    pthread_mutex_lock(&b->lock);
    b->ids[b->ready++] = task_id;
    b->ready_elsewhere |= !pthread_equal(pthread_self(), main_thread);
    pthread_mutex_unlock(&b->lock);
    return 0;
}

static int batch_progress(void *userdata, const cos_progress *p) {
    struct batch *b = (struct batch *)userdata;
    pthread_mutex_lock(&b->lock);
    b->progress_calls++;
    b->loaded = p->loaded;
    pthread_mutex_unlock(&b->lock);
    return 0;
}

/* On the thread of the file that ended; `output` is valid only during the call. */
static int batch_finish(void *userdata, size_t index, cos_result result, const cos_output *output) {
    struct batch *b = (struct batch *)userdata;
    const char *s = NULL;
    int ok = result == COS_RESULT_OK
                 ? cos_value_str(cos_output_get(output, "ETag"), &s, NULL) == COS_RESULT_OK
                 : cos_value_str(cos_output_get(output, "ResultName"), &s, NULL) == COS_RESULT_OK &&
                       strcmp(s, cos_result_name(result)) == 0;
    pthread_mutex_lock(&b->lock);
    b->finished[index] = result;
    b->finished_count++;
    b->finish_on_main |= pthread_equal(pthread_self(), main_thread) != 0;
    if (!ok) {
        b->finish_output_ok = 0;
    }
    pthread_mutex_unlock(&b->lock);
    return 0;
}

int main(int argc, char **argv) {
    const char *prefix = argc > 1 ? argv[1] : "transfer/";
    const char *scratch = argc > 2 ? argv[2] : ".";
    char key[512], path[1024], journals[1024], copy_source[1024], kept_id[256], crc[32];
    char file_keys[4][512], file_paths[4][1024];
    static const size_t file_sizes[3] = {200 * 1024, 3 * MIB / 2, 5 * MIB / 2};
    uint8_t *big = (uint8_t *)malloc(BIG);
    uint8_t *copy;
    size_t len, i;
    cos_client_builder *builder = builder_from_env();
    cos_client *client = NULL;
    cos_params *p;
    cos_task_callbacks *cb;
    cos_output *out = NULL;
    struct watch w, hashed;
    struct control c;
    pthread_t thread;
    cos_result rc;
    uint64_t id, reused, uploaded;
    cos_task_state state;

    expect(big != NULL, "memory");
    main_thread = pthread_self();
    check(cos_client_builder_set_option(builder, "ProgressInterval", "10"), "ProgressInterval");
    check(cos_client_builder_set_secret(builder, env("COS_SECRET_ID"), env("COS_SECRET_KEY")), "secret");
    check(cos_client_builder_build(builder, &client), "build");
    cos_client_builder_free(builder);

    fill(big, BIG, 2024);
    snprintf(path, sizeof path, "%s/big.bin", scratch);
    snprintf(journals, sizeof journals, "%s/journals", scratch);
    write_file(path, big, BIG);

    /* 1. sliceUploadFile, paused from the controller at 2 MiB, then restarted. */
    snprintf(key, sizeof key, "%spaused.bin", prefix);
    watch_init(&w, 2 * MIB, 0);
    cb = callbacks_for(&w);
    p = slice_upload_params(key, path, journals);
    memset(&c, 0, sizeof c);
    c.client = client;
    c.w = &w;
    c.action = PAUSE_AND_RESTART;
    expect(pthread_create(&thread, NULL, controller, &c) == 0, "the controller starts");
    check(cos_client_slice_upload_file(client, p, cb, &out), "sliceUploadFile (paused)");
    expect(pthread_join(thread, NULL) == 0, "the controller ends");
    expect(c.paused_at > 0 && c.paused_at < BIG, "paused mid-way");
    printf("paused at %s of %llu: tasks listed %zu, state %s\n", c.paused_at >= 2 * MIB ? "2+ MiB" : "less",
           (unsigned long long)w.total, c.tasks_listed, cos_task_state_name((uint32_t)c.listed_state));
    expect(w.loaded == BIG, "the last progress is the whole file");
    id = u64_of(cos_output_root(out), "TaskId");
    expect(id == w.task_id, "the output names the task");
    snprintf(crc, sizeof crc, "%s", str_of(cos_output_root(out), "CRC64"));
    printf("uploaded %s size %llu parts %llu reused %llu crc %s upload id %s\n", str_of(cos_output_root(out), "Key"),
           (unsigned long long)u64_of(cos_output_root(out), "Size"),
           (unsigned long long)u64_of(cos_output_root(out), "PartsUploaded"),
           (unsigned long long)u64_of(cos_output_root(out), "PartsReused"), crc,
           cos_output_get(out, "UploadId") != NULL ? "present" : "absent");
    expect(strstr(str_of(cos_output_root(out), "Location"), key) != NULL, "Location names the key");
    expect(u64_of(cos_output_root(out), "statusCode") == 200, "statusCode");
    cos_output_free(out);
    out = NULL;
    /* The task has ended: its id is no longer accepted. */
    expect_failure(cos_client_task_state(client, id, &state), COS_RESULT_NOT_FOUND, "state of an ended task");
    expect_failure(cos_client_pause_task(client, id), COS_RESULT_INVALID_PARAMETER, "pause of an ended task");
    cos_params_free(p);
    cos_task_callbacks_free(cb);
    watch_destroy(&w);

    /* 2. Canceled by the progress callback at 2 MiB: the multipart upload is aborted. */
    snprintf(key, sizeof key, "%scanceled.bin", prefix);
    watch_init(&w, 2 * MIB, 1);
    cb = callbacks_for(&w);
    p = slice_upload_params(key, path, journals);
    rc = cos_client_slice_upload_file(client, p, cb, &out);
    expect(out == NULL, "no output on failure");
    printf("canceled %s uploads left %zu\n", cos_result_name(rc), uploads_of(client, key));
    cos_params_free(p);
    cos_task_callbacks_free(cb);
    watch_destroy(&w);

    /* 3. Canceled from the controller at 3 MiB, keeping the upload; a second call resumes.
     * The first call writes no journal (Resume false), so the second finds the upload on
     * the server and hashes the local parts it holds (hash progress). */
    snprintf(key, sizeof key, "%sresumed.bin", prefix);
    watch_init(&w, 3 * MIB, 0);
    cb = callbacks_for(&w);
    p = slice_upload_params(key, path, journals);
    check(cos_params_set(p, "Resume", "false"), "set Resume");
    memset(&c, 0, sizeof c);
    c.client = client;
    c.w = &w;
    c.action = CANCEL_KEEP;
    expect(pthread_create(&thread, NULL, controller, &c) == 0, "the controller starts");
    rc = cos_client_slice_upload_file(client, p, cb, &out);
    expect(pthread_join(thread, NULL) == 0, "the controller ends");
    printf("kept %s uploads left %zu\n", cos_result_name(rc), uploads_of(client, key));
    upload_id_of(client, key, kept_id, sizeof kept_id);
    cos_task_callbacks_free(cb);
    watch_destroy(&w);

    watch_init(&w, 0, 0);
    watch_init(&hashed, 0, 0);
    cb = callbacks_for(&w);
    check(cos_task_callbacks_set_hash_progress(cb, on_progress, &hashed), "set hash progress");
    check(cos_params_set(p, "Resume", NULL), "unset Resume");
    check(cos_client_slice_upload_file(client, p, cb, &out), "sliceUploadFile (resumed)");
    reused = u64_of(cos_output_root(out), "PartsReused");
    uploaded = u64_of(cos_output_root(out), "PartsUploaded");
    expect(reused > 0 && reused + uploaded == PARTS, "every part reused or uploaded once");
    printf("resumed: reused %s, all parts %llu, same upload %s, same crc %s, hashed the reused %s\n",
           reused >= 1 ? "some" : "none", (unsigned long long)(reused + uploaded),
           strcmp(str_of(cos_output_root(out), "UploadId"), kept_id) == 0 ? "yes" : "no",
           strcmp(str_of(cos_output_root(out), "CRC64"), crc) == 0 ? "yes" : "no",
           hashed.loaded == reused * MIB && hashed.total == BIG ? "yes" : "no");
    watch_destroy(&hashed);
    expect(uploads_of(client, key) == 0, "the resumed upload is complete");
    cos_output_free(out);
    out = NULL;
    cos_params_free(p);
    cos_task_callbacks_free(cb);
    watch_destroy(&w);

    /* 4. downloadFile in 1 MiB ranges, three at once. */
    watch_init(&w, 0, 0);
    cb = callbacks_for(&w);
    p = cos_params_new();
    snprintf(path, sizeof path, "%s/downloaded.bin", scratch);
    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_params_set(p, "FilePath", path), "set FilePath");
    check(cos_params_set(p, "ChunkSize", "1048576"), "set ChunkSize");
    check(cos_params_set(p, "ChunkParallelLimit", "3"), "set ChunkParallelLimit");
    check(cos_client_download_file(client, p, cb, &out), "downloadFile");
    copy = read_file(path, &len);
    printf("downloaded %zu bytes in %llu parts, same bytes %s, same crc %s, progress %s\n", len,
           (unsigned long long)u64_of(cos_output_root(out), "PartsDownloaded"),
           len == BIG && memcmp(copy, big, BIG) == 0 ? "yes" : "no",
           strcmp(str_of(cos_output_root(out), "CRC64"), crc) == 0 ? "yes" : "no",
           w.loaded == BIG && w.task_id == u64_of(cos_output_root(out), "TaskId") ? "whole" : "partial");
    free(copy);
    cos_output_free(out);
    out = NULL;
    cos_params_free(p);

    /* 5. sliceCopyFile as a multipart copy of 1 MiB ranges. */
    cos_task_callbacks_free(cb);
    watch_destroy(&w);
    watch_init(&w, 0, 0);
    cb = callbacks_for(&w);
    p = cos_params_new();
    snprintf(copy_source, sizeof copy_source, "%s.cos.%s.myqcloud.com/%s", env("COS_BUCKET"), env("COS_REGION"), key);
    snprintf(key, sizeof key, "%scopied.bin", prefix);
    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_params_set(p, "CopySource", copy_source), "set CopySource");
    check(cos_params_set(p, "SliceSize", "1048576"), "set SliceSize");
    check(cos_params_set(p, "ChunkSize", "1048576"), "set ChunkSize");
    check(cos_client_slice_copy_file(client, p, cb, &out), "sliceCopyFile");
    printf("copied %s size %llu multipart %s progress %s\n", str_of(cos_output_root(out), "Key"),
           (unsigned long long)u64_of(cos_output_root(out), "Size"),
           cos_output_get(out, "UploadId") != NULL ? "yes" : "no", w.loaded == BIG ? "whole" : "partial");
    cos_output_free(out);
    out = NULL;
    cos_params_clear(p);
    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_client_head_object(client, p, &out), "headObject of the copy");
    printf("copy crc same %s\n", strcmp(str_of(cos_output_root(out), "CRC64"), crc) == 0 ? "yes" : "no");
    cos_output_free(out);
    out = NULL;
    cos_params_free(p);
    cos_task_callbacks_free(cb);
    watch_destroy(&w);

    /* 6. uploadFiles: three files and a missing one, two at once. */
    {
        struct batch b;
        struct watch own;
        cos_params *files[4];
        const cos_task_callbacks *file_callbacks[4] = {NULL, NULL, NULL, NULL};
        cos_params *batch_params = cos_params_new();
        cos_task_callbacks *batch_callbacks = cos_task_callbacks_new();
        cos_task_callbacks *own_callbacks;
        const cos_value *list;

        memset(&b, 0, sizeof b);
        pthread_mutex_init(&b.lock, NULL);
        b.finish_output_ok = 1;
        watch_init(&own, 0, 0);
        own_callbacks = callbacks_for(&own);
        file_callbacks[2] = own_callbacks;
        for (i = 0; i < 4; i++) {
            snprintf(file_keys[i], sizeof file_keys[i], "%sfiles/%c.bin", prefix, (char)('a' + i));
            snprintf(file_paths[i], sizeof file_paths[i], "%s/%c.bin", scratch, (char)('a' + i));
            if (i < 3) {
                fill(big, file_sizes[i], (uint32_t)(7 + i));
                write_file(file_paths[i], big, file_sizes[i]);
            }
            files[i] = cos_params_new();
            check(cos_params_set(files[i], "Key", file_keys[i]), "set Key");
            check(cos_params_set(files[i], "FilePath", file_paths[i]), "set FilePath");
            check(cos_params_set(files[i], "ChunkSize", "1048576"), "set ChunkSize");
            check(cos_params_set(files[i], "ResumeDir", journals), "set ResumeDir");
        }
        check(cos_params_set(batch_params, "FileParallelLimit", "2"), "set FileParallelLimit");
        check(cos_params_set(batch_params, "SliceSize", "1048576"), "set SliceSize");
        check(cos_task_callbacks_set_task_ready(batch_callbacks, batch_ready, &b), "set task ready");
        check(cos_task_callbacks_set_progress(batch_callbacks, batch_progress, &b), "set progress");
        check(cos_task_callbacks_set_file_finish(batch_callbacks, batch_finish, &b), "set file finish");
        check(cos_client_upload_files(client, (const cos_params *const *)files, file_callbacks, 4, batch_params,
                                      batch_callbacks, &out),
              "uploadFiles");
        list = cos_output_get(out, "files");
        expect(cos_value_count(list) == 4, "one result per file");
        for (i = 0; i < 3; i++) {
            const cos_value *data = cos_value_get(cos_value_at(list, i), "data");
            expect(cos_value_type(cos_value_get(cos_value_at(list, i), "error")) == COS_VALUE_NULL, "no error");
            printf("file %zu %s %llu multipart %s\n", i, str_of(data, "Key"), (unsigned long long)u64_of(data, "Size"),
                   cos_value_get(data, "UploadId") != NULL ? "yes" : "no");
        }
        printf("file 3 error %s\n", str_of(cos_value_get(cos_value_at(list, 3), "error"), "ResultName"));
        expect(strcmp(str_of(cos_value_get(cos_value_at(list, 3), "options"), "Key"), file_keys[3]) == 0,
               "the failed file's options name it");
        expect(b.ready == 4, "task ready for every file");
        for (i = 1; i < 4; i++) {
            expect(b.ids[i] > b.ids[i - 1], "task ids in the files' order");
        }
        expect(own.task_id == b.ids[2], "a file's own task ready sees its id");
        expect(own.loaded == file_sizes[2], "a file's own progress reaches its size");
        printf("uploadFiles threads: task ready on the caller %s, file finish and progress on file threads %s\n",
               b.ready_elsewhere ? "no" : "yes", !b.finish_on_main && own.elsewhere ? "yes" : "no");
        own.elsewhere = 0; /* expected there: not counted below */
        printf("uploadFiles: finished %zu, outputs %s, last batch progress %llu, io failure %s\n", b.finished_count,
               b.finish_output_ok ? "ok" : "wrong", (unsigned long long)b.loaded,
               b.finished[3] == COS_RESULT_IO ? "yes" : "no");
        cos_output_free(out);
        out = NULL;
        for (i = 0; i < 4; i++) {
            cos_params_free(files[i]);
        }
        cos_params_free(batch_params);
        cos_task_callbacks_free(batch_callbacks);
        cos_task_callbacks_free(own_callbacks);
        watch_destroy(&own);
        pthread_mutex_destroy(&b.lock);
    }

    printf("other tasks' callbacks off the calling thread: %d\n", callbacks_elsewhere);
    free(big);
    cos_client_free(client);
    return 0;
}
