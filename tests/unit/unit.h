/*
 * unit.h: the smallest test harness that does the job.
 *
 * Each test file defines test functions and lists them in main() with
 * RUN(name).  CHECK() records a failure without stopping the test, so a
 * broken decoder shows every wrong field at once.  Output is TAP: one
 * "ok N - name" / "not ok N - name" line per test, then the closing line
 * "N passed, N failed" that tests/run-all.sh adds up.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed_checks;
static int unit_passed, unit_failed;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                    \
			unit_failed_checks++;                                              \
		}                                                                          \
	} while (0)

#define CHECK_INT(a, b)                                                                    \
	do {                                                                               \
		long long unit_a_ = (long long)(a), unit_b_ = (long long)(b);              \
		if (unit_a_ != unit_b_) {                                                  \
			fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__,    \
				__LINE__, #a, unit_a_, unit_b_);                           \
			unit_failed_checks++;                                              \
		}                                                                          \
	} while (0)

#define CHECK_STR(a, b)                                                                    \
	do {                                                                               \
		const char *unit_a_ = (a), *unit_b_ = (b);                                 \
		if (!unit_a_ || strcmp(unit_a_, unit_b_) != 0) {                           \
			fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n",         \
				__FILE__, __LINE__, #a, unit_a_ ? unit_a_ : "(null)",      \
				unit_b_);                                                  \
			unit_failed_checks++;                                              \
		}                                                                          \
	} while (0)

#define RUN(fn)                                                                            \
	do {                                                                               \
		int unit_before_ = unit_failed_checks;                                     \
		fn();                                                                      \
		if (unit_failed_checks == unit_before_) {                                  \
			unit_passed++;                                                     \
			printf("ok %d - %s\n", unit_passed + unit_failed, #fn);            \
		} else {                                                                   \
			unit_failed++;                                                     \
			printf("not ok %d - %s\n", unit_passed + unit_failed, #fn);        \
		}                                                                          \
	} while (0)

#define UNIT_DONE()                                                                        \
	(printf("%d passed, %d failed\n", unit_passed, unit_failed), unit_failed ? 1 : 0)

#endif
