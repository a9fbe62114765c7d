#include "lfm_http.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// libcurl's ABI (stable since 7.x; checked against curl.h when it is installed).
#define LFM_CURLOPT_WRITEDATA 10001
#define LFM_CURLOPT_URL 10002
#define LFM_CURLOPT_ERRORBUFFER 10010
#define LFM_CURLOPT_WRITEFUNCTION 20011
#define LFM_CURLOPT_POSTFIELDS 10015
#define LFM_CURLOPT_HTTPHEADER 10023
#define LFM_CURLOPT_HEADERDATA 10029
#define LFM_CURLOPT_CUSTOMREQUEST 10036
#define LFM_CURLOPT_NOPROGRESS 43
#define LFM_CURLOPT_NOBODY 44
#define LFM_CURLOPT_POST 47
#define LFM_CURLOPT_FOLLOWLOCATION 52
#define LFM_CURLOPT_XFERINFODATA 10057
#define LFM_CURLOPT_MAXREDIRS 68
#define LFM_CURLOPT_HEADERFUNCTION 20079
#define LFM_CURLOPT_HTTPGET 80
#define LFM_CURLOPT_NOSIGNAL 99
#define LFM_CURLOPT_ACCEPT_ENCODING 10102
#define LFM_CURLOPT_POSTFIELDSIZE_LARGE 30120
#define LFM_CURLOPT_TIMEOUT_MS 155
#define LFM_CURLOPT_XFERINFOFUNCTION 20219
#define LFM_CURLINFO_RESPONSE_CODE 0x200002
#define LFM_CURLINFO_OS_ERRNO 0x200019
#define LFM_CURL_GLOBAL_ALL 3
#define LFM_CURL_ERROR_SIZE 256
#define LFM_CURLE_OK 0
#define LFM_CURLE_FAILED_INIT 2
#define LFM_CURLE_OUT_OF_MEMORY 27

#if __has_include(<curl/curl.h>)
#include <curl/curl.h>
_Static_assert(CURLOPT_WRITEDATA == LFM_CURLOPT_WRITEDATA, "curl ABI");
_Static_assert(CURLOPT_URL == LFM_CURLOPT_URL, "curl ABI");
_Static_assert(CURLOPT_ERRORBUFFER == LFM_CURLOPT_ERRORBUFFER, "curl ABI");
_Static_assert(CURLOPT_WRITEFUNCTION == LFM_CURLOPT_WRITEFUNCTION, "curl ABI");
_Static_assert(CURLOPT_POSTFIELDS == LFM_CURLOPT_POSTFIELDS, "curl ABI");
_Static_assert(CURLOPT_HTTPHEADER == LFM_CURLOPT_HTTPHEADER, "curl ABI");
_Static_assert(CURLOPT_HEADERDATA == LFM_CURLOPT_HEADERDATA, "curl ABI");
_Static_assert(CURLOPT_CUSTOMREQUEST == LFM_CURLOPT_CUSTOMREQUEST, "curl ABI");
_Static_assert(CURLOPT_NOPROGRESS == LFM_CURLOPT_NOPROGRESS, "curl ABI");
_Static_assert(CURLOPT_NOBODY == LFM_CURLOPT_NOBODY, "curl ABI");
_Static_assert(CURLOPT_POST == LFM_CURLOPT_POST, "curl ABI");
_Static_assert(CURLOPT_FOLLOWLOCATION == LFM_CURLOPT_FOLLOWLOCATION, "curl ABI");
_Static_assert(CURLOPT_XFERINFODATA == LFM_CURLOPT_XFERINFODATA, "curl ABI");
_Static_assert(CURLOPT_MAXREDIRS == LFM_CURLOPT_MAXREDIRS, "curl ABI");
_Static_assert(CURLOPT_HEADERFUNCTION == LFM_CURLOPT_HEADERFUNCTION, "curl ABI");
_Static_assert(CURLOPT_HTTPGET == LFM_CURLOPT_HTTPGET, "curl ABI");
_Static_assert(CURLOPT_NOSIGNAL == LFM_CURLOPT_NOSIGNAL, "curl ABI");
_Static_assert(CURLOPT_ACCEPT_ENCODING == LFM_CURLOPT_ACCEPT_ENCODING, "curl ABI");
_Static_assert(CURLOPT_POSTFIELDSIZE_LARGE == LFM_CURLOPT_POSTFIELDSIZE_LARGE, "curl ABI");
_Static_assert(CURLOPT_TIMEOUT_MS == LFM_CURLOPT_TIMEOUT_MS, "curl ABI");
_Static_assert(CURLOPT_XFERINFOFUNCTION == LFM_CURLOPT_XFERINFOFUNCTION, "curl ABI");
_Static_assert(CURLINFO_RESPONSE_CODE == LFM_CURLINFO_RESPONSE_CODE, "curl ABI");
_Static_assert(CURLINFO_OS_ERRNO == LFM_CURLINFO_OS_ERRNO, "curl ABI");
_Static_assert(CURL_GLOBAL_ALL == LFM_CURL_GLOBAL_ALL, "curl ABI");
_Static_assert(CURL_ERROR_SIZE == LFM_CURL_ERROR_SIZE, "curl ABI");
_Static_assert(CURLE_OUT_OF_MEMORY == LFM_CURLE_OUT_OF_MEMORY, "curl ABI");
_Static_assert(sizeof(curl_off_t) == sizeof(int64_t), "curl ABI");
#endif

typedef void CURLh;
struct lfm_slist;

static struct {
    int (*global_init)(long);
    CURLh *(*easy_init)(void);
    int (*easy_setopt)(CURLh *, int, ...);
    int (*easy_perform)(CURLh *);
    int (*easy_getinfo)(CURLh *, int, ...);
    void (*easy_reset)(CURLh *);
    void (*easy_cleanup)(CURLh *);
    const char *(*easy_strerror)(int);
    struct lfm_slist *(*slist_append)(struct lfm_slist *, const char *);
    void (*slist_free_all)(struct lfm_slist *);
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static char load_error[512];

static void load(void) {
    // libcurl4 (OpenSSL) first, then Debian's GnuTLS build, same ABI.
#ifdef __APPLE__
    const char *names[] = {"libcurl.4.dylib", "/usr/lib/libcurl.4.dylib"};
#else
    const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};
#endif
    void *lib = NULL;
    for (size_t i = 0; i < sizeof names / sizeof *names && lib == NULL; i++) {
        lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (lib == NULL && i == 0) {
            const char *e = dlerror();
            snprintf(load_error, sizeof load_error, "%s", e ? e : "libcurl.so.4 not found");
        }
    }
    if (lib == NULL) return;
#define SYM(field, name)                                                           \
    if ((*(void **)&curl.field = dlsym(lib, name)) == NULL) {                      \
        snprintf(load_error, sizeof load_error, "libcurl has no %s", name);        \
        return;                                                                    \
    }
    SYM(global_init, "curl_global_init")
    SYM(easy_init, "curl_easy_init")
    SYM(easy_setopt, "curl_easy_setopt")
    SYM(easy_perform, "curl_easy_perform")
    SYM(easy_getinfo, "curl_easy_getinfo")
    SYM(easy_reset, "curl_easy_reset")
    SYM(easy_cleanup, "curl_easy_cleanup")
    SYM(easy_strerror, "curl_easy_strerror")
    SYM(slist_append, "curl_slist_append")
    SYM(slist_free_all, "curl_slist_free_all")
#undef SYM
    if (curl.global_init(LFM_CURL_GLOBAL_ALL) != LFM_CURLE_OK) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed");
        return;
    }
    loaded = 1;
}

int lfm_http_load(char *error, size_t error_size) {
    pthread_once(&load_once, load);
    if (!loaded && error != NULL && error_size > 0) snprintf(error, error_size, "%s", load_error);
    return loaded;
}

// Idle easy handles keep their connections open: the next request to the same host reuses one.
#define POOL_MAX 64
static CURLh *pool[POOL_MAX];
static int pool_count = 0;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

static CURLh *take_handle(void) {
    CURLh *h = NULL;
    pthread_mutex_lock(&pool_lock);
    if (pool_count > 0) h = pool[--pool_count];
    pthread_mutex_unlock(&pool_lock);
    return h != NULL ? h : curl.easy_init();
}

static void return_handle(CURLh *h) {
    curl.easy_reset(h);
    pthread_mutex_lock(&pool_lock);
    if (pool_count < POOL_MAX) {
        pool[pool_count++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&pool_lock);
    if (h != NULL) curl.easy_cleanup(h);
}

typedef struct {
    uint8_t *bytes;
    size_t size, capacity;
    int failed;
} buffer;

static void buffer_append(buffer *b, const void *data, size_t n) {
    if (b->failed) return;
    if (b->size + n > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->size + n) capacity *= 2;
        uint8_t *grown = realloc(b->bytes, capacity);
        if (grown == NULL) { b->failed = 1; return; }
        b->bytes = grown;
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->size, data, n);
    b->size += n;
}

struct lfm_http_job {
    char *url, *method, *headers;
    uint8_t *body;
    size_t body_size;
    long timeout_ms;
    int cancelled;  // read and written with __atomic builtins
    int result;
    long status;
    long os_errno;
    buffer reply, reply_headers;
    char error[LFM_CURL_ERROR_SIZE];
};

static char *copy_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

lfm_http_job *lfm_http_job_new(const char *url, const char *method, const char *headers,
                               const uint8_t *body, size_t body_size, long timeout_ms) {
    lfm_http_job *job = calloc(1, sizeof *job);
    if (job == NULL) return NULL;
    job->url = copy_string(url);
    job->method = copy_string(method);
    job->headers = copy_string(headers);
    job->body = malloc(body_size ? body_size : 1);
    if (!job->url || !job->method || !job->headers || !job->body) { lfm_http_job_free(job); return NULL; }
    if (body_size) memcpy(job->body, body, body_size);
    job->body_size = body_size;
    job->timeout_ms = timeout_ms;
    job->result = LFM_CURLE_FAILED_INIT;
    return job;
}

static size_t on_body(char *data, size_t size, size_t count, void *context) {
    buffer *b = context;
    buffer_append(b, data, size * count);
    return b->failed ? 0 : size * count;
}

static int on_progress(void *context, int64_t dltotal, int64_t dlnow, int64_t ultotal, int64_t ulnow) {
    (void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
    lfm_http_job *job = context;
    return __atomic_load_n(&job->cancelled, __ATOMIC_ACQUIRE);  // non-zero aborts the transfer
}

void lfm_http_job_perform(lfm_http_job *job) {
    if (!loaded) return;
    if (__atomic_load_n(&job->cancelled, __ATOMIC_ACQUIRE)) { job->result = 42; return; }  // CURLE_ABORTED_BY_CALLBACK
    CURLh *h = take_handle();
    if (h == NULL) { job->result = LFM_CURLE_OUT_OF_MEMORY; return; }
    struct lfm_slist *list = NULL;
    // No "Expect: 100-continue" round trip before large bodies.
    list = curl.slist_append(list, "Expect:");
    for (char *line = job->headers; *line;) {
        char *end = strchr(line, '\n');
        if (end) *end = '\0';
        if (*line) list = curl.slist_append(list, line);
        if (!end) break;
        line = end + 1;
    }
    curl.easy_setopt(h, LFM_CURLOPT_URL, job->url);
    curl.easy_setopt(h, LFM_CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(h, LFM_CURLOPT_ERRORBUFFER, job->error);
    curl.easy_setopt(h, LFM_CURLOPT_HTTPHEADER, list);
    curl.easy_setopt(h, LFM_CURLOPT_TIMEOUT_MS, job->timeout_ms);
    curl.easy_setopt(h, LFM_CURLOPT_FOLLOWLOCATION, 1L);
    curl.easy_setopt(h, LFM_CURLOPT_MAXREDIRS, 10L);
    curl.easy_setopt(h, LFM_CURLOPT_ACCEPT_ENCODING, "");
    curl.easy_setopt(h, LFM_CURLOPT_WRITEFUNCTION, on_body);
    curl.easy_setopt(h, LFM_CURLOPT_WRITEDATA, &job->reply);
    curl.easy_setopt(h, LFM_CURLOPT_HEADERFUNCTION, on_body);
    curl.easy_setopt(h, LFM_CURLOPT_HEADERDATA, &job->reply_headers);
    curl.easy_setopt(h, LFM_CURLOPT_NOPROGRESS, 0L);
    curl.easy_setopt(h, LFM_CURLOPT_XFERINFOFUNCTION, on_progress);
    curl.easy_setopt(h, LFM_CURLOPT_XFERINFODATA, job);
    if (strcmp(job->method, "GET") == 0) {
        curl.easy_setopt(h, LFM_CURLOPT_HTTPGET, 1L);
    } else if (strcmp(job->method, "HEAD") == 0) {
        curl.easy_setopt(h, LFM_CURLOPT_NOBODY, 1L);
    } else {
        curl.easy_setopt(h, LFM_CURLOPT_POST, 1L);
        curl.easy_setopt(h, LFM_CURLOPT_POSTFIELDS, job->body);
        curl.easy_setopt(h, LFM_CURLOPT_POSTFIELDSIZE_LARGE, (int64_t)job->body_size);
        if (strcmp(job->method, "POST") != 0) curl.easy_setopt(h, LFM_CURLOPT_CUSTOMREQUEST, job->method);
    }
    job->result = curl.easy_perform(h);
    if (job->reply.failed || job->reply_headers.failed) job->result = LFM_CURLE_OUT_OF_MEMORY;
    curl.easy_getinfo(h, LFM_CURLINFO_RESPONSE_CODE, &job->status);
    curl.easy_getinfo(h, LFM_CURLINFO_OS_ERRNO, &job->os_errno);
    if (job->result != LFM_CURLE_OK && job->error[0] == '\0')
        snprintf(job->error, sizeof job->error, "%s", curl.easy_strerror(job->result));
    curl.slist_free_all(list);
    // A failed or cancelled transfer may leave its connection in any state: do not reuse it.
    if (job->result == LFM_CURLE_OK) return_handle(h); else curl.easy_cleanup(h);
}

void lfm_http_job_cancel(lfm_http_job *job) { __atomic_store_n(&job->cancelled, 1, __ATOMIC_RELEASE); }
int lfm_http_job_result(const lfm_http_job *job) { return job->result; }
long lfm_http_job_status(const lfm_http_job *job) { return job->status; }
long lfm_http_job_os_errno(const lfm_http_job *job) { return job->os_errno; }

const uint8_t *lfm_http_job_body(const lfm_http_job *job, size_t *size) {
    *size = job->reply.size;
    return job->reply.bytes;
}

const uint8_t *lfm_http_job_headers(const lfm_http_job *job, size_t *size) {
    *size = job->reply_headers.size;
    return job->reply_headers.bytes;
}

const char *lfm_http_job_error(const lfm_http_job *job) { return job->error; }

void lfm_http_job_free(lfm_http_job *job) {
    if (job == NULL) return;
    free(job->url);
    free(job->method);
    free(job->headers);
    free(job->body);
    free(job->reply.bytes);
    free(job->reply_headers.bytes);
    free(job);
}
