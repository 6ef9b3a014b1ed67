/* SPDX-License-Identifier: MIT */
/*
 * xlcfg.h: xl.cfg syntax (Xen's domain config files) parsed into a list of
 * KEY = VALUE entries. Knows nothing about what the keys mean; see domcfg.h.
 */
#ifndef MKIMAGE_XLCFG_H
#define MKIMAGE_XLCFG_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define XLCFG_MAX_KEY     63   /* characters in a key */
#define XLCFG_MAX_STRING  4096 /* bytes in one string value */
#define XLCFG_MAX_ITEMS   64   /* items in one list */
#define XLCFG_MAX_ENTRIES 256  /* assignments in one file */

enum xlval_kind {
	XLVAL_STRING, /* "..." or '...' */
	XLVAL_INT,    /* 123 or 0x7b */
	XLVAL_LIST,   /* [ value, ... ]: strings and integers, not nested */
};

struct xlval {
	enum xlval_kind kind;
	char *str;            /* STRING: the text, escapes resolved; INT: as written */
	uint64_t num;         /* INT */
	struct xlval *items;  /* LIST */
	unsigned nr_items;
	unsigned line;        /* where the value starts */
};

struct xlent {
	char *key;
	unsigned line;        /* of the key */
	struct xlval val;
};

struct xlcfg {
	struct xlent *ents;
	unsigned nr_ents;
};

/*
 * Parses LEN bytes of TEXT (need not be NUL-terminated; NUL bytes are an
 * error). FILE only names the file in error messages. Returns 0, or -1 with
 * the message in D and *OUT empty. As in Xen, a key given again takes the
 * later value (its entry's line becomes the later one's), and KEY += VALUE
 * appends to a string or list given before (or sets it).
 */
int xlcfg_parse(const char *text, size_t len, const char *file, struct xlcfg *out,
		struct diag *d);

/*
 * VALUE += ADD by libxlutil's rule: a string gets ADD's text appended, a
 * list its items; numbers and mixed kinds are refused. ADD is consumed
 * either way. 0, or -1 with the reason in WHY (REASON_MAX bytes).
 */
int xlval_add(struct xlval *to, struct xlval *add, char *why);

/* The entry for KEY, or NULL. */
const struct xlent *xlcfg_find(const struct xlcfg *cfg, const char *key);

void xlcfg_free(struct xlcfg *cfg);

#endif
