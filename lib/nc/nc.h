/*
 * nc.h - the configuration datastores of hybridgw and the NETCONF operations on them.
 *
 * DOC: this module owns the YANG context (yang/hybridgw.yang plus the IETF modules from
 * Debian's packages), the three datastores running, candidate and startup, and the
 * semantics of the NETCONF operations that change them (RFC 6241): edit-config with every
 * operation, default-operation, error-option and test-option; copy-config, delete-config,
 * validate, commit, discard-changes.  It has no sockets and no clock: the NETCONF server
 * (libnetconf2) parses the RPC, calls in here, and turns the collected errors into
 * <rpc-error>s; unit tests and the fuzzer call in here directly.
 *
 * Only this module and the NETCONF server include libyang's headers.
 *
 * The commit contract.  Every change of running - <commit>, <edit-config> or <copy-config>
 * with target running, the start-up copy of startup into running - goes through one path:
 * the new tree is validated (YANG, then the checks YANG cannot express, nc_check.c), then
 * handed to the apply callback together with the old one.  Only when the callback returns
 * 0 does the new tree become running; otherwise running stays what it was and the
 * callback's errors (or one naming its return code) go back to the client.
 *
 * Candidate.  Edits of candidate are checked for syntax, types, structure and edit
 * semantics (data-exists, data-missing, ...), but not validated as a whole: an operator
 * may pass through invalid states (a leafref to an entry a later edit creates), as on
 * Junos or IOS XR.  <validate> and <commit> validate it.  test-option test-only does
 * validate the would-be result.
 *
 * test-option.  test-only validates the would-be result and changes nothing.  set is
 * test-then-set: running is never allowed to become invalid, and candidate edits are
 * never validated as a whole anyway.
 *
 * error-option.  stop-on-error and rollback-on-error both leave the target unchanged when
 * anything fails (RFC 6241 allows it for stop-on-error; it is the only behaviour an
 * operator can reason about).  continue-on-error applies every edit that succeeded and
 * reports every one that did not; for running, the result must still validate.
 *
 * Persistence.  startup is a file; it is only ever replaced whole and crash-safely (see
 * nc_store.h).  It changes on <copy-config> to startup, <delete-config> of startup (which
 * leaves an empty file: the empty configuration), and, with autosave, after every change
 * of running (then the server should not advertise :startup).
 *
 * Errors: functions return 0 or -errno.  A failure that a client must hear about adds one
 * or more errors to the caller's struct hgw_nc_errors (see nc_err.h); -EINVAL then means
 * "the request was wrong", anything else that the system failed.
 */
#ifndef HGW_NC_H
#define HGW_NC_H

#include <stdbool.h>
#include <time.h>

#include <libyang/libyang.h>

#include "nc/nc_err.h"

/* The module hybridgwd is configured with, and its namespace. */
#define HGW_NC_MODULE "hybridgw"
#define HGW_NC_NAMESPACE "urn:hybridgw:params:xml:ns:yang:hybridgw"

enum hgw_nc_datastore {
	HGW_NC_RUNNING,
	HGW_NC_CANDIDATE,
	HGW_NC_STARTUP,
};

/* The value of the "operation" attribute, or of <default-operation>. */
enum hgw_nc_op {
	HGW_NC_OP_MERGE,
	HGW_NC_OP_REPLACE,
	HGW_NC_OP_CREATE,
	HGW_NC_OP_DELETE,
	HGW_NC_OP_REMOVE,
	HGW_NC_OP_NONE,
};

enum hgw_nc_error_option {
	HGW_NC_STOP_ON_ERROR,
	HGW_NC_CONTINUE_ON_ERROR,
	HGW_NC_ROLLBACK_ON_ERROR,
};

enum hgw_nc_test_option {
	HGW_NC_TEST_THEN_SET,
	HGW_NC_SET,
	HGW_NC_TEST_ONLY,
};

struct hgw_nc_edit_options {
	enum hgw_nc_op default_op; /* MERGE, REPLACE or NONE */
	enum hgw_nc_error_option error_option;
	enum hgw_nc_test_option test_option;
};

/* RFC 6241's defaults: merge, stop-on-error, test-then-set. */
#define HGW_NC_EDIT_DEFAULTS                                                \
	(struct hgw_nc_edit_options)                                        \
	{                                                                   \
		HGW_NC_OP_MERGE, HGW_NC_STOP_ON_ERROR, HGW_NC_TEST_THEN_SET \
	}

/* "running", "candidate", "startup"; NULL outside the enum. */
const char *hgw_nc_datastore_name(enum hgw_nc_datastore ds);
/* "merge", ... "none"; NULL outside the enum. */
const char *hgw_nc_op_name(enum hgw_nc_op op);
/* The inverse of hgw_nc_op_name(); -EINVAL for anything else. */
int hgw_nc_op_from_name(const char *name, enum hgw_nc_op *op);

/*
 * A context with ietf-netconf (for the "operation" attribute and the NETCONF features),
 * ietf-netconf-acm and hybridgw loaded, searched for in yang_dir then ietf_dir (either
 * may be NULL for the installed defaults).  Switches libyang's logging to "store only":
 * libyang's messages reach the operator as rpc-errors, not on stderr.
 * The caller owns *ret and frees it with ly_ctx_destroy().
 */
int hgw_nc_ctx_new(const char *yang_dir, const char *ietf_dir, struct ly_ctx **ret);

/*
 * Parse the XML content of a <config> element (a NUL-terminated string; "" and pure
 * whitespace are the empty configuration).  As an edit (edit = true), "operation"
 * attributes are kept; as data, they are refused.  On error, *ret is NULL and errs says
 * why (unknown-element, unknown-namespace, invalid-value, bad-attribute, ...).
 */
int hgw_nc_parse_config(struct ly_ctx *ctx, const char *xml, bool edit, struct lyd_node **ret,
			struct hgw_nc_errors *errs);

/*
 * Full validation of a configuration tree: YANG (mandatory, must, unique, leafref, ...),
 * then hgw_nc_check().  Adds default nodes to *tree.  Returns 0 or -EINVAL with errors.
 */
int hgw_nc_validate_tree(struct ly_ctx *ctx, struct lyd_node **tree, struct hgw_nc_errors *errs);

/*
 * The checks YANG cannot express (nc_check.c), on a tree that passed YANG validation.
 * Each failure is an operation-failed error whose message says what to change.
 */
int hgw_nc_check(const struct lyd_node *tree, struct hgw_nc_errors *errs);

/*
 * Apply the edit tree (from hgw_nc_parse_config(..., edit = true)) to the configuration
 * *target in place.  Pure tree surgery, no validation.  Returns 0, or -EINVAL after adding
 * one error (stop-on-error, rollback-on-error) or all errors (continue-on-error).
 */
int hgw_nc_edit_tree(struct lyd_node **target, const struct lyd_node *edit,
		     enum hgw_nc_op default_op, enum hgw_nc_error_option error_option,
		     struct hgw_nc_errors *errs);

/*
 * The apply callback: make the system match `to` (the validated new running tree, with
 * defaults) coming from `from` (the current running tree; NULL-able: empty).  Both trees
 * are borrowed for the duration of the call.  Return 0, or -errno after undoing whatever
 * was done; errors added to errs reach the client (add at least one that names the cause).
 */
typedef int (*hgw_nc_apply_fn)(const struct lyd_node *from, const struct lyd_node *to,
			       struct hgw_nc_errors *errs, void *userdata);

struct hgw_nc_ds_options {
	struct ly_ctx *ctx;	  /* borrowed: must outlive the datastores */
	const char *startup_path; /* copied */
	hgw_nc_apply_fn apply;	  /* NULL: every change of running is accepted */
	void *userdata;
	bool autosave; /* write startup after every change of running */
};

struct hgw_nc_ds;

/*
 * Load startup from opts->startup_path (a missing or empty file is the empty
 * configuration; an invalid one is refused with errors), leave running and candidate
 * empty.  A daemon then calls hgw_nc_copy_config(ds, HGW_NC_RUNNING, HGW_NC_STARTUP).
 */
int hgw_nc_ds_new(const struct hgw_nc_ds_options *opts, struct hgw_nc_ds **ret,
		  struct hgw_nc_errors *errs);
/* NULL is ok. */
void hgw_nc_ds_free(struct hgw_nc_ds *ds);

/* The datastore's tree (NULL when empty), owned by ds, valid until the next change. */
const struct lyd_node *hgw_nc_ds_tree(const struct hgw_nc_ds *ds, enum hgw_nc_datastore which);
/* Whether candidate differs from running since the last commit or discard. */
bool hgw_nc_candidate_modified(const struct hgw_nc_ds *ds);

/* <edit-config>: target running or candidate; xml is the content of <config>. */
int hgw_nc_edit_config(struct hgw_nc_ds *ds, enum hgw_nc_datastore target, const char *xml,
		       const struct hgw_nc_edit_options *opts, struct hgw_nc_errors *errs);

/* <copy-config> from a datastore, or (source_xml) from inline <config> content. */
int hgw_nc_copy_config(struct hgw_nc_ds *ds, enum hgw_nc_datastore target,
		       enum hgw_nc_datastore source, struct hgw_nc_errors *errs);
int hgw_nc_copy_config_xml(struct hgw_nc_ds *ds, enum hgw_nc_datastore target,
			   const char *source_xml, struct hgw_nc_errors *errs);

/* <delete-config>: only startup can be deleted; it becomes an empty file. */
int hgw_nc_delete_config(struct hgw_nc_ds *ds, enum hgw_nc_datastore target,
			 struct hgw_nc_errors *errs);

/* <validate> of a datastore or of inline <config> content. */
int hgw_nc_validate(struct hgw_nc_ds *ds, enum hgw_nc_datastore source, struct hgw_nc_errors *errs);
int hgw_nc_validate_xml(struct hgw_nc_ds *ds, const char *source_xml, struct hgw_nc_errors *errs);

/* <commit>: candidate becomes running through the apply callback (see the contract above). */
int hgw_nc_commit(struct hgw_nc_ds *ds, struct hgw_nc_errors *errs);

/*
 * Running becomes a copy of tree (NULL: empty) through the same path as a commit
 * (validation, the apply callback; on failure running is unchanged).  A candidate without
 * uncommitted changes follows.  For the rollback of a confirmed commit.
 */
int hgw_nc_replace_running(struct hgw_nc_ds *ds, const struct lyd_node *tree,
			   struct hgw_nc_errors *errs);

/* <discard-changes>: candidate becomes a copy of running again. */
int hgw_nc_discard_changes(struct hgw_nc_ds *ds, struct hgw_nc_errors *errs);

/*
 * RFC 6241 6: the xpath that selects what a subtree filter selects, for lyd_find_xpath()
 * on the datastore (a union of absolute paths).  filter is the first top-level node of
 * the filter's content, as libyang parses the anyxml <filter> of an RPC: nodes it knows
 * are data nodes, the others opaque (resolved here by XML namespace and name).  A node
 * that names nothing in the schema selects nothing.  Containment nodes become steps,
 * content match nodes (a leaf with a value) predicates on their parent's step, selection
 * nodes (empty) and content matches with other siblings paths of their own; when all
 * the children of a node are content matches, the matching instances are selected
 * whole.  Attribute match expressions are not supported (ignored).
 * *xpath is malloc()ed, NULL when the filter selects nothing (empty, or only unknown
 * nodes).  Returns 0, -EINVAL when a value holds both ' and " (no xpath literal can
 * hold it), or -ENOMEM.
 */
int hgw_nc_subtree_xpath(const struct ly_ctx *ctx, const struct lyd_node *filter, char **xpath);

/*
 * State data, built a node at a time (the daemon's and ietf-netconf-monitoring's).
 * hgw_nc_state_put(): create or update the node at path (absolute, JSON-style prefixes) with
 * value (NULL: a container or list entry) in *tree (NULL: a new tree).  Returns the node
 * for a container or list entry (NULL for a leaf, not looked up again), or NULL with *err set (the
 * first error is kept: -EINVAL for a path or value the model refuses, -ENOMEM).  A state leaf-list
 * takes no predicate: each call appends an instance.
 */
struct lyd_node *hgw_nc_state_put(const struct ly_ctx *ctx, struct lyd_node **tree,
				  const char *path, const char *value, int *err);
/* yang:date-and-time of a CLOCK_REALTIME second ("2026-11-23T19:32:14Z") into buf. */
const char *hgw_nc_date_and_time(time_t t, char *buf, size_t size);

#endif
