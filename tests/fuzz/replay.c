/*
 * replay.c - a main() for fuzz targets without libFuzzer: feed every file of the corpus
 * to the target, once.
 *
 *	fuzz_x [FILE|DIR]...
 *
 * Without arguments, replays $HGW_FUZZ_CORPUS_DIR/<program name>/ (set by `make check`).
 * Each input is copied into a buffer of exactly its size, so that AddressSanitizer catches
 * a read one byte too far.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_INPUT (1024 * 1024)

static int replay_file(const char *path)
{
	unsigned char *data;
	struct stat st;
	size_t size;
	FILE *f;
	int r = -1;

	f = fopen(path, "rb");
	if (f == NULL || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: larger than %d bytes\n", path, REPLAY_MAX_INPUT);
		goto out;
	}
	size = (size_t)st.st_size;
	/* malloc(1) for an empty file: the target gets a valid pointer either way. */
	data = malloc(size > 0 ? size : 1);
	if (data == NULL)
		goto out;
	if (fread(data, 1, size, f) == size) {
		LLVMFuzzerTestOneInput(data, size);
		r = 1;
	} else {
		fprintf(stderr, "replay: %s: short read\n", path);
	}
	free(data);
out:
	if (f != NULL)
		fclose(f);
	return r;
}

/* Returns the number of inputs replayed, or -1. */
static int replay_dir(const char *dir)
{
	struct dirent **names;
	char path[PATH_MAX];
	int i, n, r, total = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		r = 0;
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			r = replay_file(path);
		}
		free(names[i]);
		if (r < 0 || total < 0)
			total = -1;
		else
			total += r;
	}
	free(names);
	return total;
}

static int replay(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return S_ISDIR(st.st_mode) ? replay_dir(path) : replay_file(path);
}

int main(int argc, char *argv[])
{
	const char *corpus = getenv("HGW_FUZZ_CORPUS_DIR");
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	char dir[PATH_MAX];
	int i, r, total = 0;

	if (argc < 2) {
		if (corpus == NULL) {
			fprintf(stderr, "usage: %s FILE|DIR... (or set HGW_FUZZ_CORPUS_DIR)\n",
				name);
			return 2;
		}
		snprintf(dir, sizeof(dir), "%s/%s", corpus, name);
		r = replay(dir);
		total = r;
	}
	for (i = 1; i < argc && total >= 0; i++) {
		r = replay(argv[i]);
		total = r < 0 ? -1 : total + r;
	}
	if (total <= 0) {
		fprintf(stderr, "%s: %s\n", name, total < 0 ? "failed" : "no inputs found");
		return 1;
	}
	printf("%s: %d inputs replayed\n", name, total);
	return 0;
}
