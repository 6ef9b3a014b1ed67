/* SPDX-License-Identifier: MIT */
/*
 * xlcfg.c: a parser for xl.cfg syntax. Grammar (as Xen's libxlutil):
 *   file  := { stmt | comment | newline }
 *   stmt  := KEY ('=' | '+=') value [';']   (';' lets another stmt follow on the line)
 *   value := STRING | INT | '[' [ item { ',' item } [','] ] ']'   (lists may span lines)
 * And its rules: a key set again takes the later value; '+=' appends to the
 * key's string or list so far (or sets it, if there is none yet).
 * Every byte is checked against its bound: no input can overflow or crash it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg.h"

struct lex {
	const char *p, *end;
	unsigned line;
	const char *file;
	const char *key;      /* the key being parsed, for error messages */
	struct diag *d;
};

static int lex_fail(struct lex *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lex_fail(struct lex *l, const char *fmt, ...)
{
	char reason[REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	return diag_fail(l->d, l->file, l->line, l->key, "%s", reason);
}

/* "'x'" for a printable character, "byte 0xNN" otherwise, "end of file" at the end. */
static const char *describe(const struct lex *l, char *buf, size_t n)
{
	unsigned char c;

	if (l->p >= l->end)
		return "end of file";
	c = (unsigned char)*l->p;
	if (c == '\n')
		return "end of line";
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "byte 0x%02x", c);
	return buf;
}

static int at(const struct lex *l, char c)
{
	return l->p < l->end && *l->p == c;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void skip_blanks(struct lex *l)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\r'))
		l->p++;
}

/* A NUL ends a comment too, so that it is reported like a NUL anywhere else. */
static void skip_comment(struct lex *l)
{
	if (at(l, '#'))
		while (l->p < l->end && *l->p != '\n' && *l->p != '\0')
			l->p++;
}

/* Blanks, comments and newlines: the white space allowed inside a list. */
static void skip_space_nl(struct lex *l)
{
	for (;;) {
		skip_blanks(l);
		skip_comment(l);
		if (!at(l, '\n'))
			return;
		l->p++;
		l->line++;
	}
}

static void val_free(struct xlval *v)
{
	unsigned i;

	free(v->str);
	for (i = 0; i < v->nr_items; i++)
		val_free(&v->items[i]);
	free(v->items);
	memset(v, 0, sizeof *v);
}

/* A hex digit's value, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_string(struct lex *l, struct xlval *v)
{
	char quote = *l->p++;
	char *buf = malloc(XLCFG_MAX_STRING + 1);
	size_t n = 0;

	if (!buf)
		return lex_fail(l, "out of memory");
	for (;;) {
		char c;

		if (l->p >= l->end || *l->p == '\n') {
			free(buf);
			return lex_fail(l, "unterminated string (missing closing %c)", quote);
		}
		c = *l->p++;
		if (c == quote)
			break;
		if (c == '\\') {
			if (l->p >= l->end || *l->p == '\n') {
				free(buf);
				return lex_fail(l, "unterminated string (missing closing %c)", quote);
			}
			c = *l->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '\\': case '"': case '\'': break;
			/* Xen's other C escapes make control characters, which strings never hold here. */
			case 'a': case 'b': case 'f': case 'v':
				free(buf);
				return lex_fail(l, "'\\%c' would put a control character in the string", c);
			case 'x': {
				/* Xen's \xHH, exactly two hex digits; not a control character (nor NUL). */
				int hi = l->end - l->p >= 2 ? hexval(l->p[0]) : -1;
				int lo = hi >= 0 ? hexval(l->p[1]) : -1;

				if (lo < 0) {
					free(buf);
					return lex_fail(l, "'\\x' wants two hex digits in string");
				}
				l->p += 2;
				c = (char)(hi << 4 | lo);
				if ((unsigned char)c < 0x20 || c == 0x7f) {
					free(buf);
					return lex_fail(l, "'\\x%c%c' would put a control character in the string",
							l->p[-2], l->p[-1]);
				}
				break;
			}
			default:
				free(buf);
				if (c > 0x20 && c < 0x7f)
					return lex_fail(l, "unknown escape '\\%c' in string", c);
				return lex_fail(l, "unknown escape in string");
			}
		} else if ((unsigned char)c < 0x20 && c != '\t') {
			free(buf);
			return lex_fail(l, "control character (byte 0x%02x) in string",
					(unsigned char)c);
		} else if (c == 0x7f) {
			free(buf);
			return lex_fail(l, "control character (byte 0x7f) in string");
		}
		if (n == XLCFG_MAX_STRING) {
			free(buf);
			return lex_fail(l, "string longer than %d bytes", XLCFG_MAX_STRING);
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	v->kind = XLVAL_STRING;
	v->str = buf;
	return 0;
}

/* Decimal (no leading zeros: Xen would read them as octal) or 0x hex. */
static int parse_number(struct lex *l, struct xlval *v)
{
	const char *s = l->p;
	uint64_t num = 0;
	size_t n, i = 0;
	unsigned base = 10;
	char text[40];

	while (l->p < l->end && (is_alpha(*l->p) || is_digit(*l->p)))
		l->p++;
	n = (size_t)(l->p - s);
	snprintf(text, sizeof text, "%.*s%s", (int)(n > 32 ? 32 : n), s, n > 32 ? "..." : "");
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (n == 2)
			return lex_fail(l, "bad number '%s'", text);
		base = 16;
		i = 2;
	} else if (n > 1 && s[0] == '0') {
		return lex_fail(l, "bad number '%s' (leading zero; write 0x for hex)", text);
	}
	for (; i < n; i++) {
		unsigned dgt;
		char c = s[i];

		if (is_digit(c))
			dgt = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			dgt = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			dgt = (unsigned)(c - 'A' + 10);
		else
			return lex_fail(l, "bad number '%s'", text);
		if (num > (UINT64_MAX - dgt) / base)
			return lex_fail(l, "number '%s' is too large", text);
		num = num * base + dgt;
	}
	v->kind = XLVAL_INT;
	v->num = num;
	v->str = malloc(n + 1);
	if (!v->str)
		return lex_fail(l, "out of memory");
	memcpy(v->str, s, n);
	v->str[n] = '\0';
	return 0;
}

static int parse_scalar(struct lex *l, struct xlval *v)
{
	char buf[16];

	v->line = l->line;
	if (at(l, '"') || at(l, '\''))
		return parse_string(l, v);
	if (l->p < l->end && is_digit(*l->p))
		return parse_number(l, v);
	if (at(l, '-'))
		return lex_fail(l, "negative numbers are not allowed");
	if (l->p < l->end && is_alpha(*l->p)) {
		const char *s = l->p;

		while (l->p < l->end && (is_alpha(*l->p) || is_digit(*l->p)) && l->p - s < 32)
			l->p++;
		return lex_fail(l, "expected a value, got '%.*s' (strings need quotes)",
				(int)(l->p - s), s);
	}
	if (at(l, '[') )
		return lex_fail(l, "nested lists are not supported");
	if (l->p >= l->end || at(l, '\n') || at(l, '#') || at(l, ';'))
		return lex_fail(l, "missing value");
	return lex_fail(l, "expected a value (a quoted string, a number or a list), got %s",
			describe(l, buf, sizeof buf));
}

static int parse_list(struct lex *l, struct xlval *v)
{
	unsigned open_line = l->line;
	char buf[16];

	l->p++; /* '[' */
	v->kind = XLVAL_LIST;
	v->line = open_line;
	v->items = calloc(XLCFG_MAX_ITEMS, sizeof *v->items);
	if (!v->items)
		return lex_fail(l, "out of memory");
	for (;;) {
		skip_space_nl(l);
		if (l->p >= l->end)
			return lex_fail(l, "unterminated list (the '[' is on line %u)", open_line);
		if (at(l, ']'))
			break;
		if (v->nr_items == XLCFG_MAX_ITEMS)
			return lex_fail(l, "list has more than %d items", XLCFG_MAX_ITEMS);
		if (parse_scalar(l, &v->items[v->nr_items]) < 0)
			return -1;
		v->nr_items++;
		skip_space_nl(l);
		if (at(l, ','))
			l->p++;
		else if (l->p >= l->end)
			return lex_fail(l, "unterminated list (the '[' is on line %u)", open_line);
		else if (!at(l, ']'))
			return lex_fail(l, "expected ',' or ']' in the list, got %s",
					describe(l, buf, sizeof buf));
	}
	l->p++; /* ']' */
	return 0;
}

int xlval_add(struct xlval *to, struct xlval *add, char *why)
{
	static const char *const kind[] = { "a string", "a number", "a list" };

	if (to->kind != add->kind || to->kind == XLVAL_INT) {
		reason_set(why, "'+=' cannot add %s to %s", kind[add->kind], kind[to->kind]);
		val_free(add);
		return -1;
	}
	if (to->kind == XLVAL_STRING) {
		size_t a = strlen(to->str), b = strlen(add->str);
		char *s = a + b > XLCFG_MAX_STRING ? NULL : realloc(to->str, a + b + 1);

		if (!s) {
			if (a + b > XLCFG_MAX_STRING)
				reason_set(why, "string longer than %d bytes", XLCFG_MAX_STRING);
			else
				reason_set(why, "out of memory");
			val_free(add);
			return -1;
		}
		memcpy(s + a, add->str, b + 1);
		to->str = s;
		val_free(add);
		return 0;
	}
	if (to->nr_items + add->nr_items > XLCFG_MAX_ITEMS) {
		reason_set(why, "list has more than %d items", XLCFG_MAX_ITEMS);
		val_free(add);
		return -1;
	}
	/* Every list has room for XLCFG_MAX_ITEMS (parse_list): the items move over. */
	memcpy(&to->items[to->nr_items], add->items, add->nr_items * sizeof *add->items);
	to->nr_items += add->nr_items;
	free(add->items);
	memset(add, 0, sizeof *add);
	return 0;
}

/* KEY += value onto the value so far, at the key's LINE. */
static int add_value(struct lex *l, struct xlval *to, struct xlval *add, unsigned line)
{
	char why[REASON_MAX];

	if (xlval_add(to, add, why) == 0)
		return 0;
	l->line = line;
	return lex_fail(l, "%s", why);
}

static int parse_stmt(struct lex *l, struct xlcfg *cfg)
{
	struct xlent *e;
	const char *k = l->p;
	size_t klen;
	unsigned i;
	int append = 0;
	char buf[16];

	while (l->p < l->end && (is_alpha(*l->p) || is_digit(*l->p)))
		l->p++;
	klen = (size_t)(l->p - k);
	if (klen > XLCFG_MAX_KEY)
		return lex_fail(l, "key longer than %d characters", XLCFG_MAX_KEY);
	if (cfg->nr_ents == XLCFG_MAX_ENTRIES)
		return lex_fail(l, "more than %d settings", XLCFG_MAX_ENTRIES);
	e = &cfg->ents[cfg->nr_ents];
	e->key = malloc(klen + 1);
	if (!e->key)
		return lex_fail(l, "out of memory");
	memcpy(e->key, k, klen);
	e->key[klen] = '\0';
	e->line = l->line;
	cfg->nr_ents++; /* owned by cfg from here on, freed on any failure */
	l->key = e->key;

	skip_blanks(l);
	if (at(l, '+') && l->p + 1 < l->end && l->p[1] == '=') {
		append = 1;
		l->p++;
	}
	if (!at(l, '='))
		return lex_fail(l, "expected '=' after the key, got %s", describe(l, buf, sizeof buf));
	l->p++;
	skip_blanks(l);
	if (at(l, '[')) {
		if (parse_list(l, &e->val) < 0)
			return -1;
	} else if (parse_scalar(l, &e->val) < 0) {
		return -1;
	}
	/* The key again: its earlier entry takes the new value (or the sum) and this one goes. */
	for (i = 0; i + 1 < cfg->nr_ents; i++)
		if (!strcmp(cfg->ents[i].key, e->key)) {
			struct xlent *old = &cfg->ents[i];

			if (append && add_value(l, &old->val, &e->val, e->line) < 0)
				return -1;
			if (!append) {
				val_free(&old->val);
				old->val = e->val;
				memset(&e->val, 0, sizeof e->val);
			}
			old->line = e->line;
			free(e->key);
			e->key = NULL;
			cfg->nr_ents--;
			l->key = old->key;
			break;
		}
	skip_blanks(l);
	if (at(l, ';')) {
		l->p++;
	} else if (l->p < l->end && !at(l, '\n') && !at(l, '#')) {
		return lex_fail(l, "unexpected %s after the value", describe(l, buf, sizeof buf));
	}
	l->key = NULL;
	return 0;
}

int xlcfg_parse(const char *text, size_t len, const char *file, struct xlcfg *out,
		struct diag *d)
{
	struct lex l = { text, text + len, 1, file, NULL, d };
	char buf[16];

	out->nr_ents = 0;
	out->ents = calloc(XLCFG_MAX_ENTRIES, sizeof *out->ents);
	if (!out->ents)
		return diag_fail(d, file, 0, NULL, "out of memory");
	for (;;) {
		skip_blanks(&l);
		skip_comment(&l);
		if (l.p >= l.end)
			return 0;
		if (at(&l, '\n')) {
			l.p++;
			l.line++;
		} else if (is_alpha(*l.p)) {
			if (parse_stmt(&l, out) < 0)
				break;
		} else {
			lex_fail(&l, "unexpected %s (expected KEY = VALUE)",
				 describe(&l, buf, sizeof buf));
			break;
		}
	}
	xlcfg_free(out);
	return -1;
}

const struct xlent *xlcfg_find(const struct xlcfg *cfg, const char *key)
{
	unsigned i;

	for (i = 0; i < cfg->nr_ents; i++)
		if (!strcmp(cfg->ents[i].key, key))
			return &cfg->ents[i];
	return NULL;
}

void xlcfg_free(struct xlcfg *cfg)
{
	unsigned i;

	for (i = 0; i < cfg->nr_ents; i++) {
		free(cfg->ents[i].key);
		val_free(&cfg->ents[i].val);
	}
	free(cfg->ents);
	cfg->ents = NULL;
	cfg->nr_ents = 0;
}
