/*
 * table.c - aligned text tables (table.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

struct table {
	const struct table_column *cols;
	size_t ncols;
	char **cells; /* nrows * ncols, row-major; NULL: empty */
	size_t nrows, cap, next;
	bool failed;
};

struct table *table_new(const struct table_column *cols, size_t ncols)
{
	struct table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->cols = cols;
	t->ncols = ncols;
	return t;
}

void table_row(struct table *t)
{
	char **cells;
	size_t cap;

	if (t->failed)
		return;
	if (t->nrows == t->cap) {
		cap = t->cap ? 2 * t->cap : 8;
		cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));
		if (cells == NULL) {
			t->failed = true;
			return;
		}
		t->cells = cells;
		t->cap = cap;
	}
	memset(t->cells + t->nrows * t->ncols, 0, t->ncols * sizeof(*t->cells));
	t->nrows++;
	t->next = 0;
}

void table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (t->failed || t->nrows == 0 || t->next >= t->ncols)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->failed = true;
		return;
	}
	t->cells[(t->nrows - 1) * t->ncols + t->next++] = s;
}

size_t table_rows(const struct table *t)
{
	return t->nrows;
}

static const char *cell(const struct table *t, size_t row, size_t col)
{
	const char *s = t->cells[row * t->ncols + col];

	return s != NULL ? s : "";
}

/* The last column with a non-empty cell in the line (the header when row is SIZE_MAX). */
static size_t last_col(const struct table *t, size_t row)
{
	size_t c;

	for (c = t->ncols; c > 1; c--) {
		const char *s = row == SIZE_MAX ? t->cols[c - 1].header : cell(t, row, c - 1);

		if (s[0] != '\0')
			break;
	}
	return c - 1;
}

static void print_line(const struct table *t, FILE *out, const char *indent, const size_t *width,
		       size_t row)
{
	size_t c, last = last_col(t, row);

	fputs(indent, out);
	for (c = 0; c <= last; c++) {
		const char *s = row == SIZE_MAX ? t->cols[c].header : cell(t, row, c);
		int w = (int)width[c];

		if (c == last && !t->cols[c].right)
			fputs(s, out);
		else if (t->cols[c].right)
			fprintf(out, "%*s", w, s);
		else
			fprintf(out, "%-*s", w, s);
		if (c < last)
			fputs("  ", out);
	}
	fputc('\n', out);
}

int table_print(const struct table *t, FILE *out, const char *indent)
{
	size_t *width, r, c;

	if (t->failed)
		return -ENOMEM;
	width = calloc(t->ncols ? t->ncols : 1, sizeof(*width));
	if (width == NULL)
		return -ENOMEM;
	for (c = 0; c < t->ncols; c++) {
		width[c] = strlen(t->cols[c].header);
		for (r = 0; r < t->nrows; r++)
			if (strlen(cell(t, r, c)) > width[c])
				width[c] = strlen(cell(t, r, c));
	}
	print_line(t, out, indent, width, SIZE_MAX);
	for (r = 0; r < t->nrows; r++)
		print_line(t, out, indent, width, r);
	free(width);
	return 0;
}

void table_free(struct table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
