/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Checks of the driver queue's contract that hold the same on both
 * layouts (drvq.h), for test_drvq.c (split) and test_drvq_packed.c
 * (packed). On a failure they report (test.h) and return; the caller
 * follows with T_CHECK(!t_case_failed).
 */

#ifndef VRTC_DRVQ_CONTRACT_H
#define VRTC_DRVQ_CONTRACT_H

#include <errno.h>

#include "drvq.h"
#include "test.h"

/*
 * On a queue of 4 without indirect tables yet: an indirect add before
 * vrtc_drvq_indirect_init() and bad tables are refused, @p tables (4 * 2
 * descriptors at @p tables_gpa, 16-byte aligned) are taken, then a chain
 * above the table size and a readable buffer after a writable one are
 * refused. @p buf_gpa: 16 bytes the chains may name.
 */
static inline void
drvq_contract_indirect_refusals(struct vrtc_drvq *q, void *tables, uint64_t tables_gpa,
				uint64_t buf_gpa)
{
	struct vrtc_drvq_buf b[3] = {
		{ buf_gpa, 8, 0 }, { buf_gpa + 8, 8, 1 }, { buf_gpa + 8, 8, 1 }
	};

	T_EQ_INT(vrtc_drvq_add_indirect(q, b, 1, NULL), -EINVAL); /* no tables yet */
	T_EQ_INT(vrtc_drvq_indirect_init(q, NULL, tables_gpa, 2), -EINVAL);
	T_EQ_INT(vrtc_drvq_indirect_init(q, (uint8_t *)tables + 8, tables_gpa + 8, 2), -EINVAL);
	T_EQ_INT(vrtc_drvq_indirect_init(q, tables, tables_gpa, 0), -EINVAL);
	T_EQ_INT(vrtc_drvq_indirect_init(q, tables, tables_gpa, 5), -EINVAL); /* above size */
	T_EQ_INT(vrtc_drvq_indirect_init(q, tables, tables_gpa, 2), 0);
	T_EQ_INT(vrtc_drvq_add_indirect(q, b, 3, NULL), -EINVAL); /* table holds 2 */
	b[0].writable = 1;
	b[1].writable = 0;
	T_EQ_INT(vrtc_drvq_add_indirect(q, b, 2, NULL), -EINVAL); /* order */
	T_EQ(vrtc_drvq_inflight(q), 0);
	T_EQ(q->nb_free, 4);
}

#endif /* VRTC_DRVQ_CONTRACT_H */
