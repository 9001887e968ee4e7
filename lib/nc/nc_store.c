/*
 * nc_store.c - load and crash-safe save of the startup file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nc/nc.h"
#include "nc/nc_store.h"

static int tmp_path(const char *path, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s.tmp", path);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The whole file, NUL-terminated, into *ret (free() it). */
static int read_file(const char *path, char **ret)
{
	struct stat st;
	char *buf;
	size_t done = 0;
	ssize_t n;
	int fd, r = 0;

	*ret = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > HGW_NC_STORE_MAX) {
		r = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	buf[done] = '\0';
	*ret = buf;
out:
	close(fd);
	return r;
}

int hgw_nc_store_load(struct ly_ctx *ctx, const char *path, struct lyd_node **ret,
		      struct hgw_nc_errors *errs)
{
	struct lyd_node *tree = NULL;
	char *xml;
	int r;

	*ret = NULL;
	r = read_file(path, &xml);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		hgw_nc_error_add(errs, HGW_NC_ERR_OPERATION_FAILED, NULL, NULL,
				 "Cannot read the startup configuration %s: %s", path,
				 strerror(-r));
		return r;
	}
	r = hgw_nc_parse_config(ctx, xml, false, &tree, errs);
	free(xml);
	if (r == 0 && tree != NULL)
		r = hgw_nc_validate_tree(ctx, &tree, errs);
	if (r < 0) {
		lyd_free_all(tree);
		return r;
	}
	*ret = tree;
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int hgw_nc_store_prepare(const struct lyd_node *tree, const char *path)
{
	char tmp[PATH_MAX], *xml = NULL;
	int fd, r;

	if ((r = tmp_path(path, tmp, sizeof(tmp))) < 0)
		return r;
	if (tree != NULL &&
	    lyd_print_mem(&xml, tree, LYD_XML, LYD_PRINT_WITHSIBLINGS) != LY_SUCCESS)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = -errno;
		free(xml);
		return r;
	}
	r = write_all(fd, xml != NULL ? xml : "", xml != NULL ? strlen(xml) : 0);
	free(xml);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int hgw_nc_store_publish(const char *path)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd, r = 0;

	if ((r = tmp_path(path, tmp, sizeof(tmp))) < 0)
		return r;
	if (rename(tmp, path) < 0)
		return -errno;
	/* The rename is durable only once the directory is. */
	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

int hgw_nc_store_save(const struct lyd_node *tree, const char *path)
{
	int r = hgw_nc_store_prepare(tree, path);

	return r < 0 ? r : hgw_nc_store_publish(path);
}
