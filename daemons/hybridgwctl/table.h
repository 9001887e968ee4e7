/*
 * table.h - aligned text tables for hybridgwctl's views.
 *
 * Every column is as wide as its widest cell (header included), columns are two spaces
 * apart, a line never ends in blanks.  Cells are copied.  A failed allocation is remembered
 * and reported by table_print(), so that the views can fill a table without checking every
 * call.  Pure: nothing is written before table_print().
 */
#ifndef HGWCTL_TABLE_H
#define HGWCTL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

struct table_column {
	const char *header;
	bool right; /* right-aligned (numbers) */
};

struct table;

/* ncols columns described by cols (borrowed: must outlive the table).  NULL: no memory. */
struct table *table_new(const struct table_column *cols, size_t ncols);

/* Start a new row; its cells are added in column order, missing ones are empty. */
void table_row(struct table *t);

/* Add the next cell of the current row (extra cells are ignored). */
void HGW_PRINTF(2, 3) table_cell(struct table *t, const char *fmt, ...);

/* Rows added so far. */
size_t table_rows(const struct table *t);

/* Header and rows, each line prefixed by indent.  0, or -ENOMEM if anything failed. */
int table_print(const struct table *t, FILE *out, const char *indent);

/* Accepts NULL. */
void table_free(struct table *t);

#endif
