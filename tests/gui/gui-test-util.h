/* gui-test-util.h — shared by the in-process widget tests
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes @path and everything under it (a test's data dir) */
void zid_gui_test_rm_rf (const char *path);

G_END_DECLS
