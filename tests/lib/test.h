/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Minimal unit-test harness: each test program is a list of cases run in
 * order; a failed check prints file, line and the values involved, and the
 * program exits non-zero after finishing the current case. Exit code 77
 * tells meson a test was skipped (with the reason printed).
 */

#ifndef VRTC_TEST_H
#define VRTC_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_EXIT_SKIP 77

extern int t_case_failed;

#define T_FAIL_AT(...)                                                                       \
	do {                                                                                   \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                \
		fprintf(stderr, __VA_ARGS__);                                                  \
		fputc('\n', stderr);                                                           \
		t_case_failed = 1;                                                             \
	} while (0)

/** Check a condition; on failure report and return from the test case. */
#define T_CHECK(cond)                                                                        \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			T_FAIL_AT("check failed: %s", #cond);                                  \
			return;                                                                \
		}                                                                              \
	} while (0)

/** Compare two unsigned integers (any width). */
#define T_EQ(a, b)                                                                           \
	do {                                                                                   \
		uint64_t t_a_ = (uint64_t)(a), t_b_ = (uint64_t)(b);                           \
		if (t_a_ != t_b_) {                                                            \
			T_FAIL_AT("%s == %s: 0x%" PRIx64 " (%" PRIu64 ") != 0x%" PRIx64          \
				  " (%" PRIu64 ")",                                           \
				  #a, #b, t_a_, t_a_, t_b_, t_b_);                               \
			return;                                                                \
		}                                                                              \
	} while (0)

/** Compare two signed integers (errno-style returns). */
#define T_EQ_INT(a, b)                                                                       \
	do {                                                                                   \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);                        \
		if (t_a_ != t_b_) {                                                            \
			T_FAIL_AT("%s == %s: %lld != %lld", #a, #b, t_a_, t_b_);               \
			return;                                                                \
		}                                                                              \
	} while (0)

/** Compare @p n bytes, printing the first difference. */
#define T_EQ_MEM(a, b, n)                                                                    \
	do {                                                                                   \
		const uint8_t *t_a_ = (const uint8_t *)(a), *t_b_ = (const uint8_t *)(b);      \
		size_t t_i_;                                                                   \
		for (t_i_ = 0; t_i_ < (size_t)(n); t_i_++) {                                   \
			if (t_a_[t_i_] != t_b_[t_i_]) {                                        \
				T_FAIL_AT("%s vs %s differ at byte %zu: %02x != %02x", #a, #b, \
					  t_i_, t_a_[t_i_], t_b_[t_i_]);                       \
				return;                                                        \
			}                                                                      \
		}                                                                              \
	} while (0)

/** Whether all @p len bytes at @p p equal @p v. */
static inline int
t_all_bytes_are(const uint8_t *p, size_t len, uint8_t v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

struct t_case {
	const char *name;
	void (*fn)(void);
};

#define T_CASE(f) { #f, f }

/**
 * Run @p cases (argv[1], if given, selects cases whose name contains it).
 * @return the process exit code.
 */
static inline int
t_run(const struct t_case *cases, size_t n, int argc, char **argv)
{
	size_t i, failed = 0, ran = 0;

	for (i = 0; i < n; i++) {
		if (argc > 1 && strstr(cases[i].name, argv[1]) == NULL)
			continue;
		t_case_failed = 0;
		cases[i].fn();
		ran++;
		printf("%s %s\n", t_case_failed ? "FAIL" : "ok  ", cases[i].name);
		fflush(stdout);
		failed += t_case_failed != 0;
	}
	printf("%zu/%zu cases passed\n", ran - failed, ran);
	return failed ? 1 : 0;
}

#define T_MAIN(cases)                                                                        \
	int t_case_failed;                                                                     \
	int main(int argc, char **argv)                                                        \
	{                                                                                      \
		return t_run(cases, sizeof(cases) / sizeof((cases)[0]), argc, argv);           \
	}

#endif /* VRTC_TEST_H */
