/* SPDX-License-Identifier: MIT */
/*
 * check.h: a minimal host unit-test harness. Each TEST prints one line,
 * "PASS: suite/name" or "FAIL: suite/name: file:line: what", which
 * tests/run.py counts; main() returns non-zero if any test failed.
 */
#ifndef RIVET_CHECK_H
#define RIVET_CHECK_H
#include <stdio.h>
#include <string.h>

static const char *check_cur_name;
static int check_failed_total;
static int check_cur_failed;
static const char *check_suite = "unit";

#define CHECK(cond) do { if (!(cond)) { \
	if (!check_cur_failed) printf("FAIL: %s/%s: %s:%d: %s\n", check_suite, check_cur_name, __FILE__, __LINE__, #cond); \
	check_cur_failed = 1; } } while (0)
#define CHECK_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); if (_a != _b) { \
	if (!check_cur_failed) printf("FAIL: %s/%s: %s:%d: %s == %lld, expected %lld\n", check_suite, check_cur_name, __FILE__, __LINE__, #a, _a, _b); \
	check_cur_failed = 1; } } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); if (!_a || strcmp(_a, _b)) { \
	if (!check_cur_failed) printf("FAIL: %s/%s: %s:%d: %s == \"%s\", expected \"%s\"\n", check_suite, check_cur_name, __FILE__, __LINE__, #a, _a ? _a : "(null)", _b); \
	check_cur_failed = 1; } } while (0)

static const char *check_cur_name;
#define TEST(name) static void test_##name(void)
#define RUN(name) do { check_cur_name = #name; check_cur_failed = 0; test_##name(); \
	if (check_cur_failed) check_failed_total++; else printf("PASS: %s/%s\n", check_suite, #name); \
	fflush(stdout); } while (0)
#define CHECK_DONE() (check_failed_total ? 1 : 0)
#endif
