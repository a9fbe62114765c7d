// See include/CJSONScan.h. The UTF-8 check is the "lookup" algorithm of John Keiser and Daniel
// Lemire ("Validating UTF-8 In Less Than One Instruction Per Byte", 2021): three 16-entry table
// lookups classify each pair (previous byte, byte) by the errors it could start; a continuation
// byte 2 or 3 bytes after a 3- or 4-byte lead is required by a separate compare.
#include "CJSONScan.h"
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

int cjs_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

// Error bits (a pair is invalid when all three lookups agree on one bit).
#define TOO_SHORT (1 << 0)   // lead or ASCII, then ASCII or a lead where a continuation belongs
#define TOO_LONG (1 << 1)    // ASCII, then a continuation
#define OVERLONG_3 (1 << 2)  // E0 80-9F
#define TOO_LARGE (1 << 3)   // F4 90-BF, F5-FF 90-BF
#define SURROGATE (1 << 4)   // ED A0-BF
#define OVERLONG_2 (1 << 5)  // C0-C1 80-BF
#define TOO_LARGE_1000 (1 << 6)  // F5-FF 80-8F
#define OVERLONG_4 (1 << 6)  // F0 80-8F
#define TWO_CONTS (1 << 7)   // continuation, continuation (fine only after a 3- or 4-byte lead)
#define CARRY (TOO_SHORT | TOO_LONG | TWO_CONTS)

// The lookup tables are byte patterns: bit 7 set is meant, not a sign (`_mm256_setr_epi8` takes `char`).
#pragma clang diagnostic ignored "-Wconstant-conversion"
#define T16(...) _mm256_setr_epi8(__VA_ARGS__, __VA_ARGS__)

__attribute__((target("avx2")))
static inline __m256i prev_n(__m256i input, __m256i prev_input, int n) {
    __m256i joined = _mm256_permute2x128_si256(prev_input, input, 0x21);
    switch (n) {
    case 1: return _mm256_alignr_epi8(input, joined, 15);
    case 2: return _mm256_alignr_epi8(input, joined, 14);
    default: return _mm256_alignr_epi8(input, joined, 13);
    }
}

/// Non-zero bytes where `input` (after `prev_input`) breaks UTF-8.
__attribute__((target("avx2")))
static inline __m256i utf8_errors(__m256i input, __m256i prev_input) {
    const __m256i byte_1_high_table = T16(
        TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
        TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
        TOO_SHORT | OVERLONG_2,
        TOO_SHORT,
        TOO_SHORT | OVERLONG_3 | SURROGATE,
        TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
    const __m256i byte_1_low_table = T16(
        CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,
        CARRY | OVERLONG_2,
        CARRY,
        CARRY,
        CARRY | TOO_LARGE,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000);
    const __m256i byte_2_high_table = T16(
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT);
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    __m256i prev1 = prev_n(input, prev_input, 1);
    __m256i b1h = _mm256_shuffle_epi8(byte_1_high_table, _mm256_and_si256(_mm256_srli_epi16(prev1, 4), low4));
    __m256i b1l = _mm256_shuffle_epi8(byte_1_low_table, _mm256_and_si256(prev1, low4));
    __m256i b2h = _mm256_shuffle_epi8(byte_2_high_table, _mm256_and_si256(_mm256_srli_epi16(input, 4), low4));
    __m256i special = _mm256_and_si256(_mm256_and_si256(b1h, b1l), b2h);
    __m256i third = _mm256_subs_epu8(prev_n(input, prev_input, 2), _mm256_set1_epi8((char)(0xE0 - 0x80)));
    __m256i fourth = _mm256_subs_epu8(prev_n(input, prev_input, 3), _mm256_set1_epi8((char)(0xF0 - 0x80)));
    __m256i must23 = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(must23, special);
}

/// Bits set at '"', '\\' and bytes < 0x20.
__attribute__((target("avx2")))
static inline uint32_t stop_mask(__m256i x) {
    __m256i quote = _mm256_cmpeq_epi8(x, _mm256_set1_epi8('"'));
    __m256i backslash = _mm256_cmpeq_epi8(x, _mm256_set1_epi8('\\'));
    __m256i control = _mm256_cmpeq_epi8(_mm256_max_epu8(x, _mm256_set1_epi8(0x1F)), _mm256_set1_epi8(0x1F));
    return (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(quote, backslash), control));
}

__attribute__((target("avx2")))
static inline uint32_t nonzero_mask(__m256i x) {
    return ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, _mm256_setzero_si256()));
}

__attribute__((target("avx2")))
cjs_scan_result cjs_scan_string(const uint8_t *p, int64_t n) {
    __m256i prev = _mm256_setzero_si256();
    __m256i errors = _mm256_setzero_si256();
    __m256i high = _mm256_setzero_si256();
    int64_t i = 0;
    for (;; i += 32) {
        __m256i x;
        int64_t left = n - i;
        if (left >= 32) {
            x = _mm256_loadu_si256((const __m256i *)(p + i));
        } else {
            // The end of the buffer: zero padding (a control byte, so the scan stops at `left`).
            uint8_t tail[32] = {0};
            if (left > 0) memcpy(tail, p + i, (size_t)left);
            x = _mm256_loadu_si256((const __m256i *)tail);
        }
        uint32_t stops = stop_mask(x);
        __m256i e = utf8_errors(x, prev);
        if (stops == 0) {
            errors = _mm256_or_si256(errors, e);
            high = _mm256_or_si256(high, x);
            prev = x;
            continue;
        }
        int k = __builtin_ctz(stops);
        cjs_scan_result r;
        if (k >= left) {
            r.stop = -1;
            r.valid = 0;
            r.ascii = 0;
            return r;
        }
        uint32_t upto = k == 31 ? 0xFFFFFFFFu : ((1u << (k + 1)) - 1);
        uint32_t before = (1u << k) - 1;
        r.stop = i + k;
        r.valid = (nonzero_mask(errors) == 0 && (nonzero_mask(e) & upto) == 0) ? 1 : 0;
        r.ascii = (_mm256_movemask_epi8(high) == 0 && ((uint32_t)_mm256_movemask_epi8(x) & before) == 0) ? 1 : 0;
        return r;
    }
}

__attribute__((target("avx2")))
int cjs_utf8_valid(const uint8_t *p, int64_t n) {
    __m256i prev = _mm256_setzero_si256();
    __m256i errors = _mm256_setzero_si256();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(p + i));
        errors = _mm256_or_si256(errors, utf8_errors(x, prev));
        prev = x;
    }
    // The rest, padded with ASCII zeros: a sequence cut short at the end is an error there.
    uint8_t tail[32] = {0};
    if (n > i) memcpy(tail, p + i, (size_t)(n - i));
    __m256i x = _mm256_loadu_si256((const __m256i *)tail);
    errors = _mm256_or_si256(errors, utf8_errors(x, prev));
    return nonzero_mask(errors) == 0 ? 1 : 0;
}

#else

int cjs_available(void) { return 0; }

cjs_scan_result cjs_scan_string(const uint8_t *p, int64_t n) {
    (void)p; (void)n;
    cjs_scan_result r = { -1, 0, 0 };
    return r;
}

int cjs_utf8_valid(const uint8_t *p, int64_t n) {
    (void)p; (void)n;
    return 0;
}

#endif
