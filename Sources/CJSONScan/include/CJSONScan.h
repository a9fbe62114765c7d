// Byte-level kernels for lfm's JSON parser: finding the end of a JSON string and checking its
// UTF-8 in the same pass, 32 bytes at a time with AVX2 (the Keiser-Lemire lookup algorithm of
// simdjson/simdutf, written for lfm). Chosen at run time: on a CPU without AVX2 (or not x86-64)
// `cjs_available()` is 0 and the Swift code paths in LFMCore are used instead.
#ifndef CJSONSCAN_H
#define CJSONSCAN_H

#include <stdint.h>

/// Where a string scan stopped.
typedef struct {
    /// Offset of the first '"', '\\' or control byte (< 0x20) from the start, or -1 when there is
    /// none in the `n` bytes scanned.
    int64_t stop;
    /// 1 when the bytes from the start up to and including `stop` are well-formed UTF-8, read as
    /// if an ASCII byte came before the start (so a sequence cut short by the stop byte is invalid).
    int32_t valid;
    /// 1 when every byte before `stop` is ASCII.
    int32_t ascii;
} cjs_scan_result;

/// 1 when the kernels below may be called (x86-64 with AVX2), else 0.
int cjs_available(void);

/// Scans `n` bytes from `p` for the end of a run of plain JSON string bytes (see the result).
/// Never reads outside `p[0..<n]`. Call only when `cjs_available()`.
cjs_scan_result cjs_scan_string(const uint8_t *p, int64_t n);

/// 1 when `n` bytes at `p` are well-formed UTF-8 (RFC 3629: what `String(validating:)` accepts,
/// not cut short at the end). Never reads outside `p[0..<n]`. Call only when `cjs_available()`.
int cjs_utf8_valid(const uint8_t *p, int64_t n);

#endif
