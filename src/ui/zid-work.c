/* zid-work.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-work.h"

typedef struct
{
  ZidBackend     *portal;
  ZidWorkFunc     func;
  gpointer        data;
  GDestroyNotify  data_free;
  GDestroyNotify  result_free;
} Work;

static void
work_free (gpointer p)
{
  Work *work = p;

  g_clear_object (&work->portal);
  if (work->data_free != NULL && work->data != NULL)
    work->data_free (work->data);
  g_free (work);
}

static void
work_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Work *work = task_data;
  GError *error = NULL;
  gpointer result;

  if (g_task_return_error_if_cancelled (task))
    return;

  result = work->func (work->portal, work->data, &error);
  if (result == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("The operation failed for an unknown reason"));
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, result, work->result_free);
}

void
zid_work_run (gpointer             source_object,
              ZidBackend          *portal,
              ZidWorkFunc          func,
              gpointer             data,
              GDestroyNotify       data_free,
              GDestroyNotify       result_free,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Work *work;

  g_return_if_fail (ZID_IS_BACKEND (portal));
  g_return_if_fail (func != NULL);

  work = g_new0 (Work, 1);
  work->portal = g_object_ref (portal);
  work->func = func;
  work->data = data;
  work->data_free = data_free;
  work->result_free = result_free;

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, zid_work_run);
  g_task_set_task_data (task, work, work_free);
  g_task_run_in_thread (task, work_thread);
}

gpointer
zid_work_finish (GAsyncResult  *result,
                 GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == zid_work_run, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
