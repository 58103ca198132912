/* vetter-review-keys.c: what each key does in the review page, and the
 * keys a moderator types ahead of the screen
 *
 * A moderator who knows the queue decides faster than ads can be read
 * and decoded now and then. Every key lands where it was meant: a key
 * pressed while the next ad is not yet on screen is kept, in order, and
 * played once it is, so that the n-th decision typed is the n-th ad's,
 * never another's; text typed for a note after "Other" goes to the note.
 * Keys are never dropped in silence: one that cannot act (nothing to
 * take back, a reason with no rejection open, too many kept) rings the
 * bell and says why ("refused").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-review-keys"

#include "config.h"

#include "vetter-review-keys.h"

/* Keys kept ahead of the screen: a note and a handful of decisions. */
#define MAX_WAITING 64

typedef struct
{
  guint            keyval;
  GdkModifierType  modifiers;
  const char      *action;
  int              reason;     /* review.reason's target, -1 for none */
} Binding;

static const Binding bindings[] = {
  { GDK_KEY_a, 0, "review.approve", -1 },
  { GDK_KEY_r, 0, "review.reject", -1 },
  { GDK_KEY_j, 0, "review.next", -1 },
  { GDK_KEY_Right, 0, "review.next", -1 },
  { GDK_KEY_Down, 0, "review.next", -1 },
  { GDK_KEY_k, 0, "review.previous", -1 },
  { GDK_KEY_Left, 0, "review.previous", -1 },
  { GDK_KEY_Up, 0, "review.previous", -1 },
  { GDK_KEY_z, 0, "review.undo", -1 },
  { GDK_KEY_z, GDK_CONTROL_MASK, "review.undo", -1 },
  { GDK_KEY_space, 0, "review.zoom", -1 },
  { GDK_KEY_v, 0, "review.reveal", -1 },
  { GDK_KEY_t, 0, "review.keep-theirs", -1 },
  { GDK_KEY_m, 0, "review.keep-mine", -1 },
  { GDK_KEY_Escape, 0, "review.cancel-reason", -1 },
  { GDK_KEY_question, 0, "win.show-help-overlay", -1 },
  { GDK_KEY_1, 0, "review.reason", 0 }, { GDK_KEY_KP_1, 0, "review.reason", 0 },
  { GDK_KEY_2, 0, "review.reason", 1 }, { GDK_KEY_KP_2, 0, "review.reason", 1 },
  { GDK_KEY_3, 0, "review.reason", 2 }, { GDK_KEY_KP_3, 0, "review.reason", 2 },
  { GDK_KEY_4, 0, "review.reason", 3 }, { GDK_KEY_KP_4, 0, "review.reason", 3 },
  { GDK_KEY_5, 0, "review.reason", 4 }, { GDK_KEY_KP_5, 0, "review.reason", 4 },
  { GDK_KEY_6, 0, "review.reason", 5 }, { GDK_KEY_KP_6, 0, "review.reason", 5 },
  { GDK_KEY_7, 0, "review.reason", 6 }, { GDK_KEY_KP_7, 0, "review.reason", 6 },
  { GDK_KEY_8, 0, "review.reason", 7 }, { GDK_KEY_KP_8, 0, "review.reason", 7 },
  { GDK_KEY_9, 0, "review.reason", 8 }, { GDK_KEY_KP_9, 0, "review.reason", 8 },
};

typedef struct
{
  guint            keyval;
  GdkModifierType  modifiers;
} Key;

struct _VetterReviewKeys
{
  GObject      parent_instance;

  GtkWidget   *page;        /* borrowed: it owns this object */
  GtkEditable *note;        /* borrowed */
  VetterReviewKeysCanAct can_act;
  GArray      *waiting;     /* Key, in the order pressed */
  gboolean     ready;
  gboolean     enabled;     /* FALSE while something else in the page takes the keys */
  gboolean     playing;
  guint        play_source;
};

G_DEFINE_FINAL_TYPE (VetterReviewKeys, vetter_review_keys, G_TYPE_OBJECT)

enum {
  REFUSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const Binding *
find_binding (guint           keyval,
              GdkModifierType modifiers)
{
  for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
    if (bindings[i].keyval == keyval && bindings[i].modifiers == modifiers)
      return &bindings[i];
  return NULL;
}

static gboolean
note_has_focus (VetterReviewKeys *self)
{
  GtkRoot *root = gtk_widget_get_root (self->page);
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  return focus && (focus == GTK_WIDGET (self->note) || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->note)));
}

/* The page's own actions say whether they can act now; others (the
 * help) always can. */
static gboolean
action_can_act (VetterReviewKeys *self,
                const char       *action)
{
  return !g_str_has_prefix (action, "review.") || self->can_act (self->page, action);
}

static void
refuse (VetterReviewKeys *self,
        const char       *action)
{
  gtk_widget_error_bell (self->page);
  g_signal_emit (self, signals[REFUSED], 0, action);
}

/* Plays one key as if pressed now, the note taking text typed into it. */
static void
play (VetterReviewKeys *self,
      const Key        *key)
{
  const Binding *binding = find_binding (key->keyval, key->modifiers);
  gunichar c = gdk_keyval_to_unicode (key->keyval);

  if (note_has_focus (self) && key->modifiers == 0)
    {
      if (key->keyval == GDK_KEY_Return || key->keyval == GDK_KEY_KP_Enter || key->keyval == GDK_KEY_ISO_Enter)
        {
          g_signal_emit_by_name (self->note, "activate");
          return;
        }
      if (key->keyval == GDK_KEY_BackSpace)
        {
          int end = gtk_editable_get_position (self->note);

          if (end > 0)
            gtk_editable_delete_text (self->note, end - 1, end);
          return;
        }
      if (c != 0 && g_unichar_isprint (c))
        {
          char text[8];
          int length = g_unichar_to_utf8 (c, text);
          int position = gtk_editable_get_position (self->note);

          gtk_editable_insert_text (self->note, text, length, &position);
          gtk_editable_set_position (self->note, position);
          return;
        }
    }
  if (binding == NULL)
    return;
  if (!action_can_act (self, binding->action))
    refuse (self, binding->action);
  else if (binding->reason >= 0)
    gtk_widget_activate_action (self->page, binding->action, "i", binding->reason);
  else
    gtk_widget_activate_action (self->page, binding->action, NULL);
}

static gboolean
play_waiting (gpointer user_data)
{
  VetterReviewKeys *self = user_data;

  self->play_source = 0;
  self->playing = TRUE;
  while (self->ready && self->waiting->len > 0)
    {
      Key key = g_array_index (self->waiting, Key, 0);

      g_array_remove_index (self->waiting, 0);
      play (self, &key);
    }
  self->playing = FALSE;
  return G_SOURCE_REMOVE;
}

static void
schedule_play (VetterReviewKeys *self)
{
  /* Before the window reads its next event: keys typed later wait behind
   * the ones kept. */
  if (self->play_source == 0 && !self->playing && self->waiting->len > 0)
    self->play_source = g_idle_add_full (G_PRIORITY_HIGH, play_waiting, self, NULL);
}

static gboolean
is_modifier (guint keyval)
{
  switch (keyval)
    {
    case GDK_KEY_Shift_L: case GDK_KEY_Shift_R:
    case GDK_KEY_Control_L: case GDK_KEY_Control_R:
    case GDK_KEY_Alt_L: case GDK_KEY_Alt_R:
    case GDK_KEY_Meta_L: case GDK_KEY_Meta_R:
    case GDK_KEY_Super_L: case GDK_KEY_Super_R:
    case GDK_KEY_ISO_Level3_Shift: case GDK_KEY_Caps_Lock:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                VetterReviewKeys      *self)
{
  GdkModifierType modifiers = state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK);
  const Binding *binding = find_binding (keyval, modifiers);
  Key key = { keyval, modifiers };

  if (is_modifier (keyval) || !self->enabled)
    return FALSE;

  /* The note field, focused a moment ago by "Other", takes no text until
   * it is on screen: what is typed into it meanwhile is kept for it. */
  if (!self->ready || self->waiting->len > 0 || (note_has_focus (self) && !gtk_widget_get_mapped (GTK_WIDGET (self->note))))
    {
      /* Window shortcuts (Ctrl+, …) and focus moves are not the ad's. */
      if ((modifiers != 0 && binding == NULL) || keyval == GDK_KEY_Tab || keyval == GDK_KEY_ISO_Left_Tab)
        return FALSE;
      if (self->waiting->len >= MAX_WAITING)
        {
          refuse (self, NULL);
          return TRUE;
        }
      g_array_append_val (self->waiting, key);
      schedule_play (self);
      return TRUE;
    }

  /* Text for the note goes to the note. */
  if (note_has_focus (self))
    return FALSE;
  /* A key whose action cannot act now says so rather than nothing. */
  if (binding && !action_can_act (self, binding->action))
    {
      refuse (self, binding->action);
      return TRUE;
    }
  return FALSE;
}

static void
vetter_review_keys_dispose (GObject *object)
{
  VetterReviewKeys *self = VETTER_REVIEW_KEYS (object);

  g_clear_handle_id (&self->play_source, g_source_remove);

  G_OBJECT_CLASS (vetter_review_keys_parent_class)->dispose (object);
}

static void
vetter_review_keys_finalize (GObject *object)
{
  VetterReviewKeys *self = VETTER_REVIEW_KEYS (object);

  g_clear_pointer (&self->waiting, g_array_unref);

  G_OBJECT_CLASS (vetter_review_keys_parent_class)->finalize (object);
}

static void
vetter_review_keys_class_init (VetterReviewKeysClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vetter_review_keys_dispose;
  object_class->finalize = vetter_review_keys_finalize;

  /**
   * VetterReviewKeys::refused:
   * @action: (nullable): the action the key stands for; %NULL when too
   *   many keys are kept already
   *
   * A key could not act; the bell has rung.
   */
  signals[REFUSED] = g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
vetter_review_keys_init (VetterReviewKeys *self)
{
  self->waiting = g_array_new (FALSE, FALSE, sizeof (Key));
  self->enabled = TRUE;
}

void
vetter_review_keys_bind_class (GtkWidgetClass *widget_class)
{
  for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
    {
      const Binding *b = &bindings[i];

      if (b->reason >= 0)
        gtk_widget_class_add_binding_action (widget_class, b->keyval, b->modifiers, b->action, "i", (gint32) b->reason);
      else
        gtk_widget_class_add_binding_action (widget_class, b->keyval, b->modifiers, b->action, NULL);
    }
}

VetterReviewKeys *
vetter_review_keys_new (GtkWidget              *page,
                        GtkEditable            *note,
                        VetterReviewKeysCanAct  can_act)
{
  VetterReviewKeys *self = g_object_new (VETTER_TYPE_REVIEW_KEYS, NULL);
  GtkEventController *controller = gtk_event_controller_key_new ();

  self->page = page;
  self->note = note;
  self->can_act = can_act;
  /* Capture: before the focused widget, so that keys kept are kept whole. */
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (page, controller);
  return self;
}

void
vetter_review_keys_set_ready (VetterReviewKeys *self,
                              gboolean          ready)
{
  g_return_if_fail (VETTER_IS_REVIEW_KEYS (self));

  self->ready = ready;
  if (ready)
    schedule_play (self);
}

void
vetter_review_keys_set_enabled (VetterReviewKeys *self,
                                gboolean          enabled)
{
  g_return_if_fail (VETTER_IS_REVIEW_KEYS (self));
  self->enabled = enabled;
}

guint
vetter_review_keys_get_n_waiting (VetterReviewKeys *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_KEYS (self), 0);
  return self->waiting->len;
}

void
vetter_review_keys_forget (VetterReviewKeys *self)
{
  g_return_if_fail (VETTER_IS_REVIEW_KEYS (self));
  g_array_set_size (self->waiting, 0);
}
