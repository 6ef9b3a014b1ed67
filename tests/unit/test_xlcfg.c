/* SPDX-License-Identifier: MIT */
/* test_xlcfg.c: the xl.cfg syntax parser, including hostile input. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xlcfg.h"

static struct xlcfg cfg;
static struct diag d;

/* Parses S; returns the parser's result, the message is in d.text. */
static int parse(const char *s)
{
	d.text[0] = '\0';
	return xlcfg_parse(s, strlen(s), "t.cfg", &cfg, &d);
}

static const struct xlval *val(const char *key)
{
	const struct xlent *e = xlcfg_find(&cfg, key);

	return e ? &e->val : NULL;
}

TEST(empty_file)
{
	CHECK_EQ(parse(""), 0);
	CHECK_EQ(cfg.nr_ents, 0);
	xlcfg_free(&cfg);
	CHECK_EQ(parse("\n\n  # only a comment\n\t\r\n"), 0);
	CHECK_EQ(cfg.nr_ents, 0);
	xlcfg_free(&cfg);
}

TEST(strings_ints_lists)
{
	const struct xlval *v;

	CHECK_EQ(parse("name = \"hello\"\n"
		       "kernel='k.elf' # trailing comment\n"
		       "memory=64;\n"
		       "addr = 0x8000_0000x\n"), -1);
	CHECK_STR(d.text, "t.cfg:4: addr: bad number '0x8000_0000x'");

	CHECK_EQ(parse("name = \"hello\"\n"
		       "kernel='k.elf' # trailing comment\n"
		       "memory=64;\n"
		       "big = 0xFFFFffffFFFFffff\n"
		       "zero = 0\n"
		       "disk = [ \"a\", 'b',\n"
		       "   # a comment inside\n"
		       "   \"c\", 7, ]\n"
		       "empty=[]\n"), 0);
	CHECK_EQ(cfg.nr_ents, 7);
	CHECK_STR(val("name")->str, "hello");
	CHECK_EQ(val("name")->kind, XLVAL_STRING);
	CHECK_STR(val("kernel")->str, "k.elf");
	CHECK_EQ(val("memory")->kind, XLVAL_INT);
	CHECK_EQ(val("memory")->num, 64);
	CHECK_STR(val("memory")->str, "64");
	CHECK(val("big")->num == UINT64_MAX);
	CHECK_EQ(val("zero")->num, 0);
	v = val("disk");
	CHECK_EQ(v->kind, XLVAL_LIST);
	CHECK_EQ(v->nr_items, 4);
	CHECK_STR(v->items[0].str, "a");
	CHECK_STR(v->items[1].str, "b");
	CHECK_STR(v->items[2].str, "c");
	CHECK_EQ(v->items[3].num, 7);
	CHECK_EQ(xlcfg_find(&cfg, "disk")->line, 6);
	CHECK_EQ(val("empty")->nr_items, 0);
	CHECK_EQ(xlcfg_find(&cfg, "empty")->line, 9);
	CHECK(xlcfg_find(&cfg, "nope") == NULL);
	xlcfg_free(&cfg);
}

TEST(escapes_and_semicolons)
{
	CHECK_EQ(parse("a = \"x\\\"y\\\\z\\n\"; b = 'it\\'s'\nc=\"#not a comment\""), 0);
	CHECK_STR(val("a")->str, "x\"y\\z\n");
	CHECK_STR(val("b")->str, "it's");
	CHECK_STR(val("c")->str, "#not a comment");
	CHECK_EQ(xlcfg_find(&cfg, "b")->line, 1);
	CHECK_EQ(xlcfg_find(&cfg, "c")->line, 2);
	xlcfg_free(&cfg);
	CHECK_EQ(parse("a = 'double \" inside single'"), 0);
	CHECK_STR(val("a")->str, "double \" inside single");
	xlcfg_free(&cfg);
	/* Xen's \xHH (two digits); no control characters, so not \x07 nor \a \b \f \v. */
	CHECK_EQ(parse("a = \"\\x41\\x7e-\\xc3\\xa9\""), 0);
	CHECK_STR(val("a")->str, "A~-\xc3\xa9");
	xlcfg_free(&cfg);
	CHECK_EQ(parse("a = \"\\x4\""), -1);
	CHECK_STR(d.text, "t.cfg:1: a: '\\x' wants two hex digits in string");
	CHECK_EQ(parse("a = \"\\x07\""), -1);
	CHECK_STR(d.text, "t.cfg:1: a: '\\x07' would put a control character in the string");
	CHECK_EQ(parse("a = \"\\x00\""), -1);
	CHECK_EQ(parse("a = \"\\a\""), -1);
	CHECK_STR(d.text, "t.cfg:1: a: '\\a' would put a control character in the string");
	CHECK_EQ(parse("a = \"\\x"), -1);
}

TEST(syntax_errors)
{
	CHECK_EQ(parse("name = \"abc\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: name: unterminated string (missing closing \")");
	CHECK_EQ(parse("\n\nname = 'abc"), -1);
	CHECK_STR(d.text, "t.cfg:3: name: unterminated string (missing closing ')");
	CHECK_EQ(parse("name \"abc\"\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: name: expected '=' after the key, got '\"'");
	CHECK_EQ(parse("name =\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: name: missing value");
	CHECK_EQ(parse("name = "), -1);
	CHECK_STR(d.text, "t.cfg:1: name: missing value");
	CHECK_EQ(parse("name = hello\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: name: expected a value, got 'hello' (strings need quotes)");
	CHECK_EQ(parse("name = \"a\" \"b\"\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: name: unexpected '\"' after the value");
	CHECK_EQ(parse("a = 1 b = 2\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: a: unexpected 'b' after the value");
	CHECK_EQ(parse("= 3\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: unexpected '=' (expected KEY = VALUE)");
	CHECK_EQ(parse("1abc = 3\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: unexpected '1' (expected KEY = VALUE)");
	CHECK_EQ(parse("a = \"\\q\"\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: a: unknown escape '\\q' in string");
	CHECK_EQ(parse("a = -1\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: a: negative numbers are not allowed");
	CHECK_EQ(parse(";\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: unexpected ';' (expected KEY = VALUE)");
}

TEST(bad_numbers)
{
	CHECK_EQ(parse("memory = 12abc\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: memory: bad number '12abc'");
	CHECK_EQ(parse("memory = 0x\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: memory: bad number '0x'");
	CHECK_EQ(parse("memory = 0x1g\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: memory: bad number '0x1g'");
	CHECK_EQ(parse("memory = 010\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: memory: bad number '010' (leading zero; write 0x for hex)");
	CHECK_EQ(parse("memory = 18446744073709551616\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: memory: number '18446744073709551616' is too large");
	CHECK_EQ(parse("memory = 0x10000000000000000\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: memory: number '0x10000000000000000' is too large");
	CHECK_EQ(parse("memory = 18446744073709551615\n"), 0);
	CHECK(val("memory")->num == UINT64_MAX);
	xlcfg_free(&cfg);
}

TEST(lists)
{
	CHECK_EQ(parse("disk = [ \"a\",\n \"b\"\n"), -1);
	CHECK_STR(d.text, "t.cfg:3: disk: unterminated list (the '[' is on line 1)");
	CHECK_EQ(parse("disk = [ \"a\",\n"), -1);
	CHECK_STR(d.text, "t.cfg:2: disk: unterminated list (the '[' is on line 1)");
	CHECK_EQ(parse("disk = [ \"a\" \"b\" ]"), -1);
	CHECK_STR(d.text, "t.cfg:1: disk: expected ',' or ']' in the list, got '\"'");
	CHECK_EQ(parse("disk = [ [ \"a\" ] ]"), -1);
	CHECK_STR(d.text, "t.cfg:1: disk: nested lists are not supported");
	CHECK_EQ(parse("disk = [ , ]"), -1);
	CHECK_STR(d.text, "t.cfg:1: disk: expected a value (a quoted string, a number or a list), got ','");
	CHECK_EQ(parse("disk = [ \"a\" ] junk"), -1);
	CHECK_STR(d.text, "t.cfg:1: disk: unexpected 'j' after the value");
}

TEST(list_too_long)
{
	char buf[2048];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(buf + n, sizeof buf - n, "l = [");
	for (i = 0; i < XLCFG_MAX_ITEMS; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%d,", i);
	snprintf(buf + n, sizeof buf - n, "]");
	CHECK_EQ(parse(buf), 0);
	CHECK_EQ(val("l")->nr_items, XLCFG_MAX_ITEMS);
	xlcfg_free(&cfg);
	snprintf(buf + n, sizeof buf - n, "99]");
	CHECK_EQ(parse(buf), -1);
	CHECK_STR(d.text, "t.cfg:1: l: list has more than 64 items");
}

TEST(a_key_set_again_takes_the_later_value)
{
	CHECK_EQ(parse("name = \"a\"\nmemory = 1\nname = \"b\"\nname = [ \"c\" ]\nname = 'd'\n"), 0);
	CHECK_EQ(cfg.nr_ents, 2);
	CHECK_STR(val("name")->str, "d");
	CHECK_EQ(xlcfg_find(&cfg, "name")->line, 5);
	xlcfg_free(&cfg);
	/* Repeats do not use up entries. */
	char *buf = malloc(16 * 1000 + 1);
	size_t n = 0;
	for (int i = 0; i < 1000; i++)
		n += (size_t)sprintf(buf + n, "a = %d\n", i);
	CHECK_EQ(parse(buf), 0);
	CHECK_EQ(cfg.nr_ents, 1);
	CHECK(val("a")->num == 999);
	xlcfg_free(&cfg);
	free(buf);
}

TEST(plus_equals_appends)
{
	CHECK_EQ(parse("extra = \"console=hvc0\"\nextra += \" quiet\"\nextra += ''\n"), 0);
	CHECK_STR(val("extra")->str, "console=hvc0 quiet");
	CHECK_EQ(xlcfg_find(&cfg, "extra")->line, 3);
	xlcfg_free(&cfg);
	CHECK_EQ(parse("disk = [ \"a\" ]\nvif = [ ]\ndisk += [ \"b\",\n  \"c\" ]; vif += [ 'x' ]\n"), 0);
	CHECK_EQ(val("disk")->nr_items, 3);
	CHECK_STR(val("disk")->items[2].str, "c");
	CHECK_EQ(val("vif")->nr_items, 1);
	xlcfg_free(&cfg);
	/* Nothing before: as '='. */
	CHECK_EQ(parse("a += \"x\"\nb += [ 1 ]\nc += 5\n"), 0);
	CHECK_STR(val("a")->str, "x");
	CHECK_EQ(val("b")->nr_items, 1);
	CHECK(val("c")->num == 5);
	xlcfg_free(&cfg);
	/* '=' after '+=' starts again. */
	CHECK_EQ(parse("a = \"x\"\na += \"y\"\na = \"z\"\n"), 0);
	CHECK_STR(val("a")->str, "z");
	xlcfg_free(&cfg);
}

TEST(plus_equals_refuses_what_it_cannot_add)
{
	CHECK_EQ(parse("memory = 1\nmemory += 2\n"), -1);
	CHECK_STR(d.text, "t.cfg:2: memory: '+=' cannot add a number to a number");
	CHECK_EQ(parse("a = \"x\"\n\na += [ \"y\" ]\n"), -1);
	CHECK_STR(d.text, "t.cfg:3: a: '+=' cannot add a list to a string");
	CHECK_EQ(parse("a = [ ]\na += \"y\"\n"), -1);
	CHECK_STR(d.text, "t.cfg:2: a: '+=' cannot add a string to a list");
	CHECK_EQ(parse("a + = \"y\"\n"), -1);
	CHECK_STR(d.text, "t.cfg:1: a: expected '=' after the key, got '+'");
	/* The bounds hold for sums too. */
	char *buf = malloc(3 * XLCFG_MAX_STRING);
	size_t n = (size_t)sprintf(buf, "e = \"");
	memset(buf + n, 'x', XLCFG_MAX_STRING - 1);
	n += XLCFG_MAX_STRING - 1;
	n += (size_t)sprintf(buf + n, "\"\ne += \"y\"\n");
	CHECK_EQ(parse(buf), 0);
	CHECK_EQ(strlen(val("e")->str), XLCFG_MAX_STRING);
	xlcfg_free(&cfg);
	sprintf(buf + n, "e += \"z\"\n");
	CHECK_EQ(parse(buf), -1);
	CHECK_STR(d.text, "t.cfg:3: e: string longer than 4096 bytes");
	n = (size_t)sprintf(buf, "l = [");
	for (int i = 0; i < XLCFG_MAX_ITEMS - 1; i++)
		n += (size_t)sprintf(buf + n, "%d,", i);
	n += (size_t)sprintf(buf + n, "]\nl += [ 7 ]\n");
	CHECK_EQ(parse(buf), 0);
	CHECK_EQ(val("l")->nr_items, XLCFG_MAX_ITEMS);
	xlcfg_free(&cfg);
	sprintf(buf + n, "l += [ 8 ]\n");
	CHECK_EQ(parse(buf), -1);
	CHECK_STR(d.text, "t.cfg:3: l: list has more than 64 items");
	free(buf);
}

TEST(overlong)
{
	char *buf = malloc(XLCFG_MAX_STRING + 64);
	int n;

	CHECK(buf != NULL);
	n = sprintf(buf, "extra = \"");
	memset(buf + n, 'x', XLCFG_MAX_STRING);
	strcpy(buf + n + XLCFG_MAX_STRING, "\"");
	CHECK_EQ(parse(buf), 0);
	CHECK_EQ(strlen(val("extra")->str), XLCFG_MAX_STRING);
	xlcfg_free(&cfg);
	strcpy(buf + n + XLCFG_MAX_STRING, "y\"");
	CHECK_EQ(parse(buf), -1);
	CHECK_STR(d.text, "t.cfg:1: extra: string longer than 4096 bytes");

	memset(buf, 'k', 64);
	strcpy(buf + 64, " = 1");
	CHECK_EQ(parse(buf), -1);
	CHECK_STR(d.text, "t.cfg:1: key longer than 63 characters");
	free(buf);
}

TEST(too_many_entries)
{
	char *buf = malloc(20 * (XLCFG_MAX_ENTRIES + 1));
	size_t n = 0;
	int i;

	for (i = 0; i <= XLCFG_MAX_ENTRIES; i++)
		n += (size_t)sprintf(buf + n, "k%d = %d\n", i, i);
	CHECK_EQ(parse(buf), -1);
	CHECK_STR(d.text, "t.cfg:257: more than 256 settings");
	free(buf);
}

TEST(binary_garbage)
{
	static const char nul_in_string[] = "name = \"a\0b\"\n";
	static const char nul_at_top[] = "\0name = 1";
	unsigned char buf[4096];
	unsigned seed = 12345;
	int i, round;

	CHECK_EQ(xlcfg_parse(nul_in_string, sizeof nul_in_string - 1, "t.cfg", &cfg, &d), -1);
	CHECK_STR(d.text, "t.cfg:1: name: control character (byte 0x00) in string");
	CHECK_EQ(xlcfg_parse(nul_at_top, sizeof nul_at_top - 1, "t.cfg", &cfg, &d), -1);
	CHECK_STR(d.text, "t.cfg:1: unexpected byte 0x00 (expected KEY = VALUE)");
	/* Found by tests/fuzz/fuzz_xlcfg.c: a comment used to swallow a NUL. */
	static const char nul_in_comment[] = "# a\0b\nname = 1";
	CHECK_EQ(xlcfg_parse(nul_in_comment, sizeof nul_in_comment - 1, "t.cfg", &cfg, &d), -1);
	CHECK_STR(d.text, "t.cfg:1: unexpected byte 0x00 (expected KEY = VALUE)");
	CHECK_EQ(parse("name = \"\x01\""), -1);
	CHECK_STR(d.text, "t.cfg:1: name: control character (byte 0x01) in string");
	CHECK_EQ(parse("\xff\xfe"), -1);
	CHECK_STR(d.text, "t.cfg:1: unexpected byte 0xff (expected KEY = VALUE)");

	/* Random bytes, and random mixes of the grammar's own characters. */
	for (round = 0; round < 4000; round++) {
		static const char alphabet[] = "ab_1x0=[],;'\"\\#\n \t-+\x01\xff";
		size_t len = (size_t)(seed % sizeof buf);
		int r;

		for (i = 0; i < (int)len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = round & 1 ? (unsigned char)(seed >> 16)
					   : (unsigned char)alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		r = xlcfg_parse((const char *)buf, len, "t.cfg", &cfg, &d);
		if (r == 0)
			xlcfg_free(&cfg);
		else
			CHECK(strncmp(d.text, "t.cfg:", 6) == 0 && !strchr(d.text, '\n'));
		seed = seed * 1103515245u + 12345u;
	}
}

int main(void)
{
	check_suite = "xlcfg";
	RUN(empty_file);
	RUN(strings_ints_lists);
	RUN(escapes_and_semicolons);
	RUN(syntax_errors);
	RUN(bad_numbers);
	RUN(lists);
	RUN(list_too_long);
	RUN(a_key_set_again_takes_the_later_value);
	RUN(plus_equals_appends);
	RUN(plus_equals_refuses_what_it_cannot_add);
	RUN(overlong);
	RUN(too_many_entries);
	RUN(binary_garbage);
	return CHECK_DONE();
}
