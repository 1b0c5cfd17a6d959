/* zid-users-view.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "zid-csv-export.h"
#include "zid-ui-util.h"
#include "zid-user-list.h"
#include "zid-user-item.h"
#include "zid-user-update.h"
#include "zid-users-view.h"
#include "zid-work.h"

struct _ZidUsersView
{
  GtkBox               parent_instance;

  /* template */
  GtkSearchEntry      *search_entry;
  GtkLabel            *count_label;
  GtkListView         *list_view;
  GtkBox              *table_box;
  GtkStack            *stack;
  GtkDropDown         *organisation_filter;
  GtkDropDown         *status_filter;
  GtkDropDown         *mobile_id_filter;
  GtkDropDown         *sort_column;
  GtkToggleButton     *sort_descending;

  /* borrowed */
  GtkWidget           *header;       /* a ZidUserRow, in table_box */

  /* owned */
  ZidBackend          *portal;
  GCancellable        *cancellable;
  ZidUserList         *list;
  GPtrArray           *spare_rows;   /* ZidUserRow, unparented */
  gint64               actor;
  GArray              *organisations; /* gint64 per item of organisation_filter; 0: all */

  /* staying current: the rows the watch names are read again, alone */
  ZidWatch            *watch;
  gulong               watch_handler;
  GCancellable        *update_cancellable;
  GArray              *pending;      /* gint64 user ids to read again */
  gboolean             loading;      /* the whole list is being read */
  gboolean             updating;     /* rows are being read */
};

G_DEFINE_FINAL_TYPE (ZidUsersView, zid_users_view, GTK_TYPE_BOX)

void
zid_users_view_prepare_user (ZidUser *user)
{
  zid_user_list_prepare_user (user);
}

/* The count, and the placeholder instead of the list when nobody matches
 * (the list keeps its rows then: see zid-user-list.h) */
static void
update_matches (ZidUsersView *self)
{
  guint n = zid_user_list_get_n_matches (self->list);
  guint total = zid_user_list_get_n_total (self->list);
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  g_autofree char *text = NULL;

  if (n == total)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u user", "%u users", n), n);
  else
    /* Translators: "3 of 120 users" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u user", "%u of %u users", total), n, total);
  gtk_label_set_text (self->count_label, text);

  if (g_strcmp0 (page, "loading") == 0)
    return;
  /* hidden, not only unmapped: assistive technologies skip it */
  gtk_widget_set_visible (GTK_WIDGET (self->table_box), n > 0 || total == 0);
  gtk_stack_set_visible_child_name (self->stack, n > 0 || total == 0 ? "list" : "empty");
}

void
zid_users_view_set_search (ZidUsersView *self,
                           const char   *text)
{
  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  zid_user_list_set_query (self->list, text);
  update_matches (self);
}

static void
on_search_changed (ZidUsersView *self)
{
  zid_users_view_set_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

gboolean
zid_users_view_is_filtering (ZidUsersView *self)
{
  /* The filter is synchronous: a few milliseconds at 100,000 users */
  return FALSE;
}

/* ---- Rows ------------------------------------------------------------- */

/* One row of the overview as one widget: the six texts are drawn as Pango
 * layouts in columns, the Beheer button is a real child. GTK 4.8's list view
 * keeps up to 200 rows instantiated and builds or destroys row widgets
 * whenever the number of matches crosses that range (every keystroke that
 * goes to or from a handful of matches); with a GtkColumnView that was 16
 * widgets per row (row, 7 cells, 7 children, the button's label), each
 * styled, realized and registered on the accessibility bus, ~0.45 ms a row.
 * Here it is 4 (the list item, this, the button, its label), and the rows
 * GTK lets go of are kept for the ones it builds next (take_spare_row). A
 * search gives each of the ~200 bound rows another user: that costs its
 * texts (laid out by Pango only when the row is drawn) and its accessible
 * name and description, nothing more (bench/ui/bench-search). The texts
 * reach assistive technologies as the row's name (the user's name) and
 * description (the other columns). */

#define ZID_TYPE_USER_ROW (zid_user_row_get_type ())
G_DECLARE_FINAL_TYPE (ZidUserRow, zid_user_row, ZID, USER_ROW, GtkWidget)

enum
{
  COL_NAME,
  COL_BIRTH_DATE,
  COL_ORGANISATIONS,
  COL_STATUS,
  COL_MOBILE_ID,
  COL_LAST_USE,
  N_TEXT_COLUMNS,
};

#define ROW_PAD_X 6
#define ROW_PAD_Y 6

struct _ZidUserRow
{
  GtkWidget    parent_instance;

  /* owned */
  GtkWidget   *button;                     /* not shown in the header */
  char        *texts[N_TEXT_COLUMNS];
  PangoLayout *layouts[N_TEXT_COLUMNS];    /* made when first drawn */
  int          column_x[N_TEXT_COLUMNS];
  int          column_width[N_TEXT_COLUMNS];
  gboolean     layouts_stale;              /* texts or widths changed since */
  gboolean     bold;                       /* the header */
  ZidUserItem  *item;
  gulong       item_handler;
  ZidUser     *shown;                      /* borrowed: what the texts show */
};

G_DEFINE_FINAL_TYPE (ZidUserRow, zid_user_row, GTK_TYPE_WIDGET)

/* The rows draw with the list's Pango context, one for all of them (a
 * context of its own cost a quarter of a row's construction); the header,
 * outside the list, with its own */
static PangoContext *
zid_user_row_get_context (ZidUserRow *self)
{
  GtkWidget *list = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_LIST_VIEW);

  return gtk_widget_get_pango_context (list ? list : GTK_WIDGET (self));
}

/* The widest text each column of fixed form can show (its title in bold
 * included), measured once per font: those columns get that width and
 * never cut a date, a status or a state; the name and the organisations
 * share the rest */
typedef struct
{
  guint serial;                            /* of the context measured */
  int   height;                            /* of a line of text */
  int   need[N_TEXT_COLUMNS];              /* 0: the column takes what is left */
} RowMetrics;

static const char *
column_title (int column)
{
  switch (column)
    {
    case COL_NAME:          return _("Name");
    case COL_BIRTH_DATE:    return _("Birth date");
    case COL_ORGANISATIONS: return _("Organisations and roles");
    case COL_STATUS:        return _("Status");
    case COL_MOBILE_ID:     return _("Mobile ID");
    case COL_LAST_USE:      return _("Last use");
    default:                g_assert_not_reached ();
    }
}

/* The header marks the column the list is sorted by */
#define SORT_MARK_UP   " \u25B2"
#define SORT_MARK_DOWN " \u25BC"

static int
text_width (PangoLayout *layout,
            const char  *text)
{
  int width;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

static void
measure_metrics (PangoContext *context,
                 RowMetrics   *metrics)
{
  g_autoptr(PangoLayout) layout = pango_layout_new (context);
  g_autoptr(PangoAttrList) bold = pango_attr_list_new ();
  g_autofree char *time = zid_ui_format_time (1788000000);  /* two digits each */
  g_autofree char *birth_date = zid_ui_format_date ("2000-08-28");
  const char *samples[N_TEXT_COLUMNS][4] = {
    [COL_BIRTH_DATE] = { birth_date, NULL },
    [COL_STATUS] = { _("Active"), _("Blocked"), NULL },
    [COL_MOBILE_ID] = { zid_ui_mobile_id_label (ZID_MOBILE_ID_ACTIVE),
                        zid_ui_mobile_id_label (ZID_MOBILE_ID_REVOKED),
                        zid_ui_mobile_id_label (ZID_MOBILE_ID_NONE), NULL },
    [COL_LAST_USE] = { time, _("Never"), NULL },
  };

  pango_layout_set_text (layout, "Ag", -1);
  pango_layout_get_pixel_size (layout, NULL, &metrics->height);
  pango_attr_list_insert (bold, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  for (int i = 0; i < N_TEXT_COLUMNS; i++)
    {
      g_autofree char *title = NULL;
      int need = 0;

      metrics->need[i] = 0;
      if (samples[i][0] == NULL)
        continue;
      for (int k = 0; samples[i][k] != NULL; k++)
        need = MAX (need, text_width (layout, samples[i][k]));
      title = g_strconcat (column_title (i), SORT_MARK_DOWN, NULL);
      pango_layout_set_attributes (layout, bold);
      need = MAX (need, text_width (layout, title));
      pango_layout_set_attributes (layout, NULL);
      metrics->need[i] = need + 2 * ROW_PAD_X + 1;
    }
}

static const RowMetrics *
row_metrics (PangoContext *context)
{
  static GQuark quark;
  guint serial = pango_context_get_serial (context);
  RowMetrics *cached;

  if (quark == 0)
    quark = g_quark_from_static_string ("zid-users-row-metrics");
  cached = g_object_get_qdata (G_OBJECT (context), quark);
  if (cached == NULL)
    {
      cached = g_new0 (RowMetrics, 1);
      g_object_set_qdata_full (G_OBJECT (context), quark, cached, g_free);
    }
  if (cached->serial != serial || cached->height == 0)
    {
      measure_metrics (context, cached);
      cached->serial = serial;
    }
  return cached;
}

/* The height of a line of text in @context */
static int
line_height (PangoContext *context)
{
  return row_metrics (context)->height;
}

/* The least important columns go first when the width is short */
static const int hide_order[] = { COL_LAST_USE, COL_BIRTH_DATE, COL_MOBILE_ID };

/* What the name and the organisations need at least before a column goes */
#define MIN_NAME_WIDTH          140
#define MIN_ORGANISATIONS_WIDTH 190

/* The columns' places in @width: hidden ones get a width of 0. The same
 * for the header and every row (the same font, the same width) */
static void
plan_columns (PangoContext *context,
              int           width,
              int          *column_x,
              int          *column_width)
{
  const RowMetrics *metrics = row_metrics (context);
  gboolean hidden[N_TEXT_COLUMNS] = { FALSE };
  int fixed = 0, rest, x = 0;

  for (int i = 0; i < N_TEXT_COLUMNS; i++)
    fixed += metrics->need[i];
  for (guint h = 0; h < G_N_ELEMENTS (hide_order) &&
       width - fixed < MIN_NAME_WIDTH + MIN_ORGANISATIONS_WIDTH; h++)
    {
      hidden[hide_order[h]] = TRUE;
      fixed -= metrics->need[hide_order[h]];
    }
  rest = MAX (0, width - fixed);
  for (int i = 0; i < N_TEXT_COLUMNS; i++)
    {
      int w;

      if (hidden[i])
        w = 0;
      else if (i == COL_NAME)
        w = rest * 2 / 5;
      else if (i == COL_ORGANISATIONS)
        w = rest - rest * 2 / 5;
      else
        w = metrics->need[i];
      column_x[i] = x + ROW_PAD_X;
      column_width[i] = MAX (0, w - 2 * ROW_PAD_X);
      x += w;
    }
}

/* The texts go to Pango only when the row is drawn: of the ~200 rows GTK
 * keeps bound, a search changes all and shows about 20 */
static void
zid_user_row_set_texts (ZidUserRow        *self,
                         const char * const *texts)
{
  for (int i = 0; i < N_TEXT_COLUMNS; i++)
    {
      g_free (self->texts[i]);
      self->texts[i] = g_strdup (texts[i]);
    }
  self->layouts_stale = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
zid_user_row_ensure_layouts (ZidUserRow *self)
{
  if (self->layouts[0] == NULL)
    {
      PangoContext *context = zid_user_row_get_context (self);
      g_autoptr(PangoAttrList) bold = pango_attr_list_new ();

      pango_attr_list_insert (bold, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      for (int i = 0; i < N_TEXT_COLUMNS; i++)
        {
          self->layouts[i] = pango_layout_new (context);
          pango_layout_set_ellipsize (self->layouts[i], PANGO_ELLIPSIZE_END);
          pango_layout_set_single_paragraph_mode (self->layouts[i], TRUE);
          if (self->bold)
            pango_layout_set_attributes (self->layouts[i], bold);
        }
      self->layouts_stale = TRUE;
    }
  if (!self->layouts_stale)
    return;
  for (int i = 0; i < N_TEXT_COLUMNS; i++)
    {
      pango_layout_set_text (self->layouts[i], self->texts[i] ? self->texts[i] : "", -1);
      pango_layout_set_width (self->layouts[i], self->column_width[i] * PANGO_SCALE);
    }
  self->layouts_stale = FALSE;
}

static void
zid_user_row_update (ZidUserRow *self)
{
  ZidUser *user = self->item ? zid_user_item_get_user (self->item) : NULL;
  g_autofree char *memberships = NULL;
  g_autofree char *last_use = NULL;
  g_autofree char *birth_date = NULL;
  g_autofree char *manage = NULL;
  g_autofree char *description = NULL;
  const char *texts[N_TEXT_COLUMNS];

  if (user == self->shown)
    return;
  self->shown = user;
  if (user == NULL)
    {
      zid_user_row_set_texts (self, (const char *[N_TEXT_COLUMNS]) { NULL });
      return;
    }

  texts[COL_NAME] = zid_user_get_display_name (user);
  texts[COL_BIRTH_DATE] = birth_date = zid_ui_format_date (zid_user_get_birth_date (user));
  texts[COL_ORGANISATIONS] = memberships = zid_ui_format_memberships (user);
  texts[COL_STATUS] = zid_user_get_blocked (user) ? _("Blocked") : _("Active");
  texts[COL_MOBILE_ID] = zid_ui_mobile_id_label (zid_user_get_mobile_id (user));
  texts[COL_LAST_USE] = last_use = zid_ui_format_time (zid_user_get_last_use (user));
  zid_user_row_set_texts (self, texts);

  /* Translators: a row of the users overview for assistive technologies:
   * birth date, organisations and roles, status, mobile ID, last use */
  description = g_strdup_printf (_("Born %s; %s; %s; mobile ID: %s; last use: %s"),
                                 texts[COL_BIRTH_DATE] ? texts[COL_BIRTH_DATE] : "",
                                 texts[COL_ORGANISATIONS] ? texts[COL_ORGANISATIONS] : "",
                                 texts[COL_STATUS],
                                 texts[COL_MOBILE_ID] ? texts[COL_MOBILE_ID] : "",
                                 texts[COL_LAST_USE] ? texts[COL_LAST_USE] : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, texts[COL_NAME],
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);

  manage = g_strdup_printf (_("Manage %s"), zid_user_get_display_name (user));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, manage, -1);
}

/* The button: win.manage-user for the user the row shows now. Not an
 * action on the button: a target per user re-registered its action on
 * every search, and a row action leaves the button insensitive once GTK
 * 4.8 has taken the row out of one list item and put it in another. */
static void
zid_user_row_manage (ZidUserRow *self)
{
  if (self->shown != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.manage-user", "x", zid_user_get_id (self->shown));
}

/* A row keeps its item while the search changes the item's user: follow it */
static void
zid_user_row_set_item (ZidUserRow *self,
                        ZidUserItem  *item)
{
  if (self->item == item)
    {
      zid_user_row_update (self);
      return;
    }
  if (self->item != NULL)
    g_clear_signal_handler (&self->item_handler, self->item);
  g_set_object (&self->item, item);
  if (item != NULL)
    self->item_handler = g_signal_connect_swapped (item, "notify::user",
                                                   G_CALLBACK (zid_user_row_update), self);
  zid_user_row_update (self);
}

static void
zid_user_row_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  ZidUserRow *self = ZID_USER_ROW (widget);
  int button_min = 0, button_nat = 0;

  gtk_widget_measure (self->button, orientation, -1, &button_min, &button_nat, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = button_min + 2 * ROW_PAD_X + MIN_NAME_WIDTH + MIN_ORGANISATIONS_WIDTH;
      *natural = button_nat + 2 * ROW_PAD_X + N_TEXT_COLUMNS * (120 + 2 * ROW_PAD_X);
    }
  else
    {
      /* one line whatever the texts: a new user in the row needs no resize */
      int text_height = line_height (zid_user_row_get_context (self));

      *minimum = *natural = MAX (text_height + 2 * ROW_PAD_Y, button_nat);
    }
}

static void
zid_user_row_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  ZidUserRow *self = ZID_USER_ROW (widget);
  int button_width, button_height;
  int column_width[N_TEXT_COLUMNS];

  gtk_widget_measure (self->button, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &button_width, NULL, NULL);
  gtk_widget_measure (self->button, GTK_ORIENTATION_VERTICAL, button_width, NULL, &button_height, NULL, NULL);
  button_height = MIN (button_height, height);
  gtk_widget_size_allocate (self->button,
                            &(GtkAllocation) { width - button_width - ROW_PAD_X, (height - button_height) / 2,
                                               button_width, button_height },
                            -1);
  plan_columns (zid_user_row_get_context (self), MAX (0, width - button_width - 2 * ROW_PAD_X),
                self->column_x, column_width);
  if (memcmp (column_width, self->column_width, sizeof column_width) != 0)
    {
      memcpy (self->column_width, column_width, sizeof column_width);
      self->layouts_stale = TRUE;
    }
}

/* The column under @x, -1 for none */
static int
zid_user_row_column_at (ZidUserRow *self,
                        double      x)
{
  for (int i = 0; i < N_TEXT_COLUMNS; i++)
    if (self->column_width[i] > 0 && x >= self->column_x[i] - ROW_PAD_X &&
        x < self->column_x[i] + self->column_width[i] + ROW_PAD_X)
      return i;
  return -1;
}

/* A cell cut short shows its whole text as a tooltip */
static gboolean
zid_user_row_query_tooltip (GtkWidget  *widget,
                            int         x,
                            int         y,
                            gboolean    keyboard,
                            GtkTooltip *tooltip)
{
  ZidUserRow *self = ZID_USER_ROW (widget);
  int column = zid_user_row_column_at (self, x);

  if (column < 0 || self->layouts[column] == NULL || self->texts[column] == NULL ||
      !pango_layout_is_ellipsized (self->layouts[column]))
    return FALSE;
  gtk_tooltip_set_text (tooltip, self->texts[column]);
  return TRUE;
}

static void
zid_user_row_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  ZidUserRow *self = ZID_USER_ROW (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA color;

  zid_user_row_ensure_layouts (self);
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  for (int i = 0; i < N_TEXT_COLUMNS; i++)
    {
      int text_height;

      if (self->column_width[i] == 0)
        continue;
      pango_layout_get_pixel_size (self->layouts[i], NULL, &text_height);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (self->column_x[i], (height - text_height) / 2));
      gtk_snapshot_append_layout (snapshot, self->layouts[i], &color);
      gtk_snapshot_restore (snapshot);
    }
  if (gtk_widget_get_child_visible (self->button))
    gtk_widget_snapshot_child (widget, self->button, snapshot);
}

static void
zid_user_row_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  ZidUserRow *self = ZID_USER_ROW (widget);

  GTK_WIDGET_CLASS (zid_user_row_parent_class)->css_changed (widget, change);
  /* the layouts follow the font */
  for (int i = 0; i < N_TEXT_COLUMNS && self->layouts[i] != NULL; i++)
    pango_layout_context_changed (self->layouts[i]);
  gtk_widget_queue_resize (widget);
}

static void
zid_user_row_dispose (GObject *object)
{
  ZidUserRow *self = ZID_USER_ROW (object);

  zid_user_row_set_item (self, NULL);
  g_clear_pointer (&self->button, gtk_widget_unparent);
  for (int i = 0; i < N_TEXT_COLUMNS; i++)
    {
      g_clear_object (&self->layouts[i]);
      g_clear_pointer (&self->texts[i], g_free);
    }
  G_OBJECT_CLASS (zid_user_row_parent_class)->dispose (object);
}

static void
zid_user_row_class_init (ZidUserRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_user_row_dispose;
  widget_class->measure = zid_user_row_measure;
  widget_class->size_allocate = zid_user_row_size_allocate;
  widget_class->snapshot = zid_user_row_snapshot;
  widget_class->css_changed = zid_user_row_css_changed;
  widget_class->query_tooltip = zid_user_row_query_tooltip;
  gtk_widget_class_set_css_name (widget_class, "zid-users-row");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
zid_user_row_init (ZidUserRow *self)
{
  self->button = gtk_button_new_with_label (_("Manage"));
  /* one Tab stop for the list: a row opens with Enter, the button is for
   * the pointer */
  gtk_widget_set_focusable (self->button, FALSE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect_swapped (self->button, "clicked", G_CALLBACK (zid_user_row_manage), self);
  gtk_widget_set_parent (self->button, GTK_WIDGET (self));
}

/* The column titles, drawn as the rows are so that they line up; the
 * column the list is sorted by is marked */
static void
zid_user_row_set_titles (ZidUserRow  *self,
                         ZidUserSort  sort,
                         gboolean     descending)
{
  g_autofree char *marked = NULL;
  g_autofree char *label = NULL;
  const char *titles[N_TEXT_COLUMNS + 1] = { NULL };

  for (int i = 0; i < N_TEXT_COLUMNS; i++)
    titles[i] = column_title (i);
  /* the columns are in the order of ZidUserSort */
  titles[sort] = marked = g_strconcat (column_title (sort), descending ? SORT_MARK_DOWN : SORT_MARK_UP, NULL);
  zid_user_row_set_texts (self, titles);
  titles[sort] = column_title (sort);
  label = g_strjoinv (", ", (char **) titles);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static GtkWidget *
zid_user_row_new_header (void)
{
  ZidUserRow *self = g_object_new (ZID_TYPE_USER_ROW, NULL);

  self->bold = TRUE;
  /* takes the rows' button width, never shown */
  gtk_widget_set_child_visible (self->button, FALSE);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  /* the list's rows are padded by 2 px (Adwaita) */
  gtk_widget_set_margin_start (GTK_WIDGET (self), 2);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 2);
  zid_user_row_set_titles (self, ZID_USER_SORT_NAME, FALSE);
  return GTK_WIDGET (self);
}

/* GTK 4.8's list view destroys the row widgets of removed items and builds
 * new ones for added items: up to 200 when the number of matches crosses
 * that range. The rows it lets go of are kept for the next ones it builds.
 * GTK has removed a row from its list item by the time "teardown" comes, so
 * every unbound row is held here; those GTK bound again (their list item
 * got another item) still have a parent and are dropped when met. */
#define MAX_SPARE_ROWS 256                 /* GTK 4.8 builds up to ~200 */

static GtkWidget *
take_spare_row (GPtrArray *spare)
{
  while (spare->len > 0)
    {
      GtkWidget *row = g_ptr_array_steal_index_fast (spare, spare->len - 1);

      if (gtk_widget_get_parent (row) == NULL)
        return row;
      g_object_unref (row);
    }
  return NULL;
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           GPtrArray                *spare)
{
  GtkWidget *row = take_spare_row (spare);

  if (row == NULL)
    row = g_object_ref_sink (g_object_new (ZID_TYPE_USER_ROW, NULL));
  gtk_list_item_set_child (item, row);
  g_object_unref (row);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  zid_user_row_set_item (ZID_USER_ROW (gtk_list_item_get_child (item)), gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            GPtrArray                *spare)
{
  GtkWidget *row = gtk_list_item_get_child (item);

  zid_user_row_set_item (ZID_USER_ROW (row), NULL);
  /* full of rows GTK bound again (every search unbinds and binds them):
   * drop those, so the ones it really lets go of still find room */
  for (guint i = spare->len; spare->len >= MAX_SPARE_ROWS && i > 0; i--)
    if (gtk_widget_get_parent (g_ptr_array_index (spare, i - 1)) != NULL)
      g_ptr_array_remove_index_fast (spare, i - 1);
  if (spare->len < MAX_SPARE_ROWS)
    g_ptr_array_add (spare, g_object_ref (row));
}

/* ---- Filter row, order, opening a row ---------------------------------- */

static void
on_filter_changed (ZidUsersView *self)
{
  guint org = gtk_drop_down_get_selected (self->organisation_filter);

  zid_user_list_set_filter (self->list,
                            org < self->organisations->len ? g_array_index (self->organisations, gint64, org) : 0,
                            (ZidUserStatusFilter) gtk_drop_down_get_selected (self->status_filter),
                            (ZidUserMobileFilter) gtk_drop_down_get_selected (self->mobile_id_filter));
  update_matches (self);
}

/* The organisations of the users listed, to filter by (the choice stays
 * while its organisation does) */
static void
update_organisations (ZidUsersView *self)
{
  g_autoptr(GPtrArray) found = zid_user_list_dup_organisations (self->list);
  g_autoptr(GtkStringList) names = NULL;
  guint selected = gtk_drop_down_get_selected (self->organisation_filter);
  gint64 chosen = selected < self->organisations->len ? g_array_index (self->organisations, gint64, selected) : 0;
  gboolean same = found->len + 1 == self->organisations->len;
  gint64 all = 0;
  guint keep = 0;

  for (guint i = 0; same && i < found->len; i++)
    same = ((ZidMembership *) g_ptr_array_index (found, i))->organisation_id ==
           g_array_index (self->organisations, gint64, i + 1);
  if (same)
    return;
  names = gtk_string_list_new (NULL);
  g_array_set_size (self->organisations, 0);
  gtk_string_list_append (names, _("All organisations"));
  g_array_append_val (self->organisations, all);
  for (guint i = 0; i < found->len; i++)
    {
      ZidMembership *m = g_ptr_array_index (found, i);

      gtk_string_list_append (names, m->organisation_name);
      g_array_append_val (self->organisations, m->organisation_id);
      if (m->organisation_id == chosen)
        keep = i + 1;
    }
  g_signal_handlers_block_by_func (self->organisation_filter, on_filter_changed, self);
  gtk_drop_down_set_model (self->organisation_filter, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->organisation_filter, keep);
  g_signal_handlers_unblock_by_func (self->organisation_filter, on_filter_changed, self);
  /* one organisation: nothing to choose */
  gtk_widget_set_visible (GTK_WIDGET (self->organisation_filter), found->len > 1);
  if (keep == 0 && chosen != 0)
    on_filter_changed (self);
}

static void
on_clear_filters (ZidUsersView *self)
{
  gtk_drop_down_set_selected (self->organisation_filter, 0);
  gtk_drop_down_set_selected (self->status_filter, 0);
  gtk_drop_down_set_selected (self->mobile_id_filter, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  zid_users_view_set_search (self, "");
}

static void
on_sort_changed (ZidUsersView *self)
{
  ZidUserSort sort = (ZidUserSort) gtk_drop_down_get_selected (self->sort_column);
  gboolean descending = gtk_toggle_button_get_active (self->sort_descending);

  if (sort > ZID_USER_SORT_LAST_USE)
    return;
  zid_user_list_set_sort (self->list, sort, descending);
  zid_user_row_set_titles (ZID_USER_ROW (self->header), sort, descending);
  update_matches (self);
}

/* A click on a column title sorts by it, a second one turns the order */
static void
on_header_released (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    ZidUsersView    *self)
{
  int column = zid_user_row_column_at (ZID_USER_ROW (self->header), x);

  if (column < 0)
    return;
  if ((guint) column == gtk_drop_down_get_selected (self->sort_column))
    gtk_toggle_button_set_active (self->sort_descending, !gtk_toggle_button_get_active (self->sort_descending));
  else
    {
      gtk_toggle_button_set_active (self->sort_descending, FALSE);
      gtk_drop_down_set_selected (self->sort_column, column);
    }
}

/* Enter or a double click on a row: the user's page */
static void
on_row_activated (ZidUsersView *self,
                  guint         position)
{
  g_autoptr(ZidUserItem) item = g_list_model_get_item (G_LIST_MODEL (self->list), position);
  ZidUser *user = item ? zid_user_item_get_user (item) : NULL;

  if (user != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.manage-user", "x", zid_user_get_id (user));
}

/* ---- Loading ---------------------------------------------------------- */

static gpointer
list_worker (ZidBackend  *portal,
             gpointer     data,
             GError     **error)
{
  gint64 actor = *(gint64 *) data;
  GPtrArray *users = zid_backend_list_users (portal, actor, 0, NULL, error);

  for (guint i = 0; users != NULL && i < users->len; i++)
    zid_users_view_prepare_user (g_ptr_array_index (users, i));
  return users;
}

/* ---- Staying current --------------------------------------------------- */

/* More changed rows than this at once: the whole list is read again */
#define MAX_ROW_UPDATES 2000

/* A user belongs in the overview while in one of the actor's organisations */
static gboolean
fetch_user (ZidBackend  *portal,
            gint64       actor,
            gint64       organisation,
            gint64       id,
            ZidUser    **current,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidUser) user = zid_backend_get_user (portal, actor, id, &local_error);

  if (user != NULL && zid_user_get_memberships (user)->len > 0)
    {
      zid_users_view_prepare_user (user);
      *current = g_steal_pointer (&user);
      return TRUE;
    }
  *current = NULL;
  if (user != NULL ||
      g_error_matches (local_error, ZID_ERROR, ZID_ERROR_NOT_FOUND) ||
      g_error_matches (local_error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static void update_rows (ZidUsersView *self);

static void
update_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  ZidUserUpdate *u = zid_user_update_finish (result, &error);
  ZidUsersView *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_USERS_VIEW (source);
  self->updating = FALSE;
  if (u == NULL)
    {
      /* the store failed: the whole list, once it answers again */
      g_debug ("users view: %s", error->message);
      zid_users_view_load (self, self->portal, self->actor);
      return;
    }
  /* every user named leaves its place; those still here come back */
  zid_user_list_update (self->list, u->users, u->ids);
  zid_user_update_free (u);
  update_organisations (self);
  update_matches (self);
  update_rows (self);
}

/* Reads the pending rows again, one batch at a time, never while the
 * whole list is read (its result comes first) */
static void
update_rows (ZidUsersView *self)
{
  if (self->loading || self->updating || self->pending->len == 0 || self->portal == NULL)
    return;
  self->updating = TRUE;
  zid_user_update_run (self, self->portal, self->actor, 0, self->pending, fetch_user,
                       self->update_cancellable, update_done);
  g_array_set_size (self->pending, 0);
}

static void
on_watch_changed (ZidWatch     *watch,
                  GArray       *users,
                  GArray       *organisations,
                  ZidUsersView *self)
{
  if (self->actor == 0)
    return;
  for (guint i = 0; i < users->len; i++)
    if (g_array_index (users, gint64, i) == self->actor)
      {
        /* the actor's own roles: which users are theirs may have changed */
        zid_users_view_load (self, self->portal, self->actor);
        return;
      }
  g_array_append_vals (self->pending, users->data, users->len);
  if (self->pending->len > MAX_ROW_UPDATES)
    {
      zid_users_view_load (self, self->portal, self->actor);
      return;
    }
  update_rows (self);
}

static void
watch (ZidUsersView *self,
       ZidBackend   *portal)
{
  if (self->watch != NULL && zid_watch_get_portal (self->watch) == portal)
    return;
  if (self->watch != NULL)
    g_clear_signal_handler (&self->watch_handler, self->watch);
  g_clear_object (&self->watch);
  if (portal == NULL)
    return;
  self->watch = zid_watch_get (portal);
  self->watch_handler = g_signal_connect (self->watch, "changed", G_CALLBACK (on_watch_changed), self);
}

void
zid_users_view_set_users (ZidUsersView *self,
                          GPtrArray    *users)
{
  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  gtk_widget_set_visible (GTK_WIDGET (self->table_box), TRUE);
  gtk_stack_set_visible_child_name (self->stack, "list");
  zid_user_list_set_users (self->list, users);
  update_organisations (self);
  update_matches (self);
}

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) users = zid_work_finish (result, &error);
  ZidUsersView *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_USERS_VIEW (source);
  self->loading = FALSE;
  if (users == NULL)
    {
      gtk_label_set_text (self->count_label, error->message);
      return;
    }
  zid_users_view_set_users (self, users);
  /* what changed while the list was read */
  update_rows (self);
}

/* The whole list, read again */
static void
load_all (ZidUsersView *self)
{
  gint64 *actor;

  g_cancellable_cancel (self->update_cancellable);
  g_clear_object (&self->update_cancellable);
  self->update_cancellable = g_cancellable_new ();
  self->updating = FALSE;
  g_array_set_size (self->pending, 0);
  self->loading = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  actor = g_new (gint64, 1);
  *actor = self->actor;
  zid_work_run (self, self->portal, list_worker, actor, g_free, (GDestroyNotify) g_ptr_array_unref,
                self->cancellable, list_done, NULL);
}

/* The list follows the changes by itself (the watch): a reload only looks
 * for them now, and reads the rows they name */
void
zid_users_view_reload (ZidUsersView *self)
{
  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  if (self->portal == NULL)
    return;
  if (self->watch != NULL)
    zid_watch_check (self->watch);
  else
    load_all (self);
}

void
zid_users_view_load (ZidUsersView *self,
                     ZidBackend   *portal,
                     gint64        actor)
{
  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  g_set_object (&self->portal, portal);
  self->actor = actor;
  /* watching before reading: a change is in what is read, or named after */
  watch (self, portal);
  if (zid_user_list_get_n_total (self->list) == 0)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  load_all (self);
}

void
zid_users_view_clear (ZidUsersView *self)
{
  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->update_cancellable);
  self->loading = self->updating = FALSE;
  g_array_set_size (self->pending, 0);
  watch (self, NULL);
  zid_user_list_remove_all (self->list);
  update_matches (self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  self->actor = 0;
}

void
zid_users_view_focus_search (ZidUsersView *self)
{
  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
row_column_state (ZidUserRow *row,
                  guint      *cut,
                  guint      *hidden)
{
  zid_user_row_ensure_layouts (row);
  for (int i = 0; i < N_TEXT_COLUMNS; i++)
    {
      if (row->column_width[i] == 0)
        *hidden |= 1u << i;
      else if (pango_layout_is_ellipsized (row->layouts[i]))
        *cut |= 1u << i;
    }
}

void
zid_users_view_get_column_state (ZidUsersView *self,
                                 guint        *cut,
                                 guint        *hidden)
{
  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  *cut = *hidden = 0;
  row_column_state (ZID_USER_ROW (self->header), cut, hidden);
  for (GtkWidget *item = gtk_widget_get_first_child (GTK_WIDGET (self->list_view));
       item != NULL; item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *row = gtk_widget_get_first_child (item);

      if (ZID_IS_USER_ROW (row) && gtk_widget_get_mapped (row) && ZID_USER_ROW (row)->shown != NULL)
        row_column_state (ZID_USER_ROW (row), cut, hidden);
    }
}

GListModel *
zid_users_view_get_model (ZidUsersView *self)
{
  g_return_val_if_fail (ZID_IS_USERS_VIEW (self), NULL);
  return G_LIST_MODEL (self->list);
}

static void
zid_users_view_dispose (GObject *object)
{
  ZidUsersView *self = ZID_USERS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->update_cancellable);
  watch (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_USERS_VIEW);
  G_OBJECT_CLASS (zid_users_view_parent_class)->dispose (object);
}

static void
zid_users_view_finalize (GObject *object)
{
  ZidUsersView *self = ZID_USERS_VIEW (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->update_cancellable);
  g_clear_pointer (&self->pending, g_array_unref);
  g_clear_object (&self->list);
  g_clear_pointer (&self->spare_rows, g_ptr_array_unref);
  g_clear_pointer (&self->organisations, g_array_unref);
  G_OBJECT_CLASS (zid_users_view_parent_class)->finalize (object);
}

/* "Export…": every user of the organisation the filter shows (all of the
 * actor's when it shows all), every column of the overview */
static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ZidUsersView *self = ZID_USERS_VIEW (widget);
  guint chosen = gtk_drop_down_get_selected (self->organisation_filter);
  gint64 organisation = chosen < self->organisations->len ? g_array_index (self->organisations, gint64, chosen) : 0;
  GObject *item = NULL;
  g_autofree char *name = NULL;

  /* one organisation (no filter shown): that one, with its roles */
  if (organisation == 0 && self->organisations->len == 2)
    {
      organisation = g_array_index (self->organisations, gint64, 1);
      item = g_list_model_get_item (G_LIST_MODEL (gtk_drop_down_get_model (self->organisation_filter)), 1);
      g_object_unref (item);   /* the model keeps it */
    }
  else if (organisation != 0)
    item = gtk_drop_down_get_selected_item (self->organisation_filter);

  if (self->portal == NULL)
    return;
  /* Translators: the suggested file name of the users' export */
  name = item ? g_strdup_printf (_("users %s.csv"), gtk_string_object_get_string (GTK_STRING_OBJECT (item)))
              : g_strdup (_("users.csv"));
  zid_csv_export_ask (widget, self->portal, self->actor, organisation, zid_backend_export_users_csv, name, NULL);
}

static void
zid_users_view_class_init (ZidUsersViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_users_view_dispose;
  object_class->finalize = zid_users_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-users-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, count_label);
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, list_view);
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, table_box);
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, stack);
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, organisation_filter);
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, status_filter);
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, mobile_id_filter);
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, sort_column);
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, sort_descending);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_filters);
  gtk_widget_class_bind_template_callback (widget_class, on_sort_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_install_action (widget_class, "users.export", NULL, export_action);
}

/* The spinner turns only while its page shows: GTK 4.8 keeps a spinning
 * spinner's animation ticking on a hidden page (about 55 frames a second
 * of an idle window) */
static void
on_page_changed (ZidUsersView *self)
{
  GtkWidget *spinner = gtk_stack_get_child_by_name (self->stack, "loading");

  gtk_spinner_set_spinning (GTK_SPINNER (spinner),
                            g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "loading") == 0);
}

static void
zid_users_view_init (ZidUsersView *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  g_autoptr(GtkListItemFactory) factory = NULL;
  GtkGesture *gesture;

  self->organisations = g_array_new (FALSE, FALSE, sizeof (gint64));
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->update_cancellable = g_cancellable_new ();
  self->pending = g_array_new (FALSE, FALSE, sizeof (gint64));

  self->list = zid_user_list_new ();
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->list)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));

  factory = gtk_signal_list_item_factory_new ();
  self->spare_rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self->spare_rows);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self->spare_rows);
  gtk_list_view_set_factory (self->list_view, factory);

  self->header = zid_user_row_new_header ();
  gtk_box_prepend (self->table_box, self->header);
  gesture = gtk_gesture_click_new ();
  g_signal_connect_object (gesture, "released", G_CALLBACK (on_header_released), self, 0);
  gtk_widget_add_controller (self->header, GTK_EVENT_CONTROLLER (gesture));
  gtk_widget_set_tooltip_text (self->header, _("Click a column title to sort by it"));
  update_organisations (self);
  g_signal_connect_object (self->stack, "notify::visible-child-name", G_CALLBACK (on_page_changed),
                           self, G_CONNECT_SWAPPED);
  on_page_changed (self);
}
