#ifndef LFM_HTTP_H
#define LFM_HTTP_H

#include <stddef.h>
#include <stdint.h>

/// One HTTP request run with libcurl, which is loaded with dlopen on first use: the lfm binary
/// does not link libcurl (or its TLS, Kerberos, LDAP... libraries), so commands that never
/// talk HTTP never load it. Every libcurl call lives in lfm_http.c.
typedef struct lfm_http_job lfm_http_job;

/// Loads libcurl once (thread-safe). Returns 1 when it is usable; otherwise 0 and, in `error`,
/// why (dlopen's message).
int lfm_http_load(char *error, size_t error_size);

/// Copies everything it is given. `headers`: "Name: value" lines separated by '\n'.
/// `timeout_ms` bounds the whole request. NULL when out of memory.
lfm_http_job *lfm_http_job_new(const char *url, const char *method, const char *headers,
                               const uint8_t *body, size_t body_size, long timeout_ms);
/// Blocks until the reply, an error, the timeout or a cancellation. Call once, after lfm_http_load.
void lfm_http_job_perform(lfm_http_job *job);
/// From any thread: the transfer stops at libcurl's next progress call (at least once a second).
void lfm_http_job_cancel(lfm_http_job *job);
/// libcurl's CURLcode (0 = a complete HTTP reply was received).
int lfm_http_job_result(const lfm_http_job *job);
long lfm_http_job_status(const lfm_http_job *job);
/// The errno of a failed connect (ECONNREFUSED...), 0 when none.
long lfm_http_job_os_errno(const lfm_http_job *job);
const uint8_t *lfm_http_job_body(const lfm_http_job *job, size_t *size);
/// The raw header lines of every reply received (redirects and 100-continue included).
const uint8_t *lfm_http_job_headers(const lfm_http_job *job, size_t *size);
/// libcurl's error text for a failed job ("" when it succeeded).
const char *lfm_http_job_error(const lfm_http_job *job);
void lfm_http_job_free(lfm_http_job *job);

#endif
