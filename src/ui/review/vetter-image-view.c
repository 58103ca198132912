/* vetter-image-view.c: an image, zoomable and pannable, with boxes drawn over it
 *
 * Boxes are given in the source image's pixels (where analysis measured
 * them); the texture on screen may be a smaller copy, so everything is
 * placed through one scale from source pixels to widget pixels. By
 * default the image fits the widget, never enlarged: a small image shows
 * small, as the advertiser's buyers would see it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-image-view"

#include "config.h"

#include <math.h>

#include "vetter-image-view.h"

#define MIN_ZOOM 0.02
#define MAX_ZOOM 16.0

typedef struct
{
  int             x, y, width, height;
  char           *label;
  VetterBoxLevel  level;
} Box;

struct _VetterImageView
{
  GtkWidget   parent_instance;

  GdkTexture *texture;
  cairo_surface_t *surface;  /* the texture for the software renderer, made once */
  int         source_width;
  int         source_height;
  GArray     *boxes;         /* Box */
  GArray     *label_areas;   /* graphene_rect_t: where the last frame put each box's label */
  int         highlighted;

  gboolean    fit;
  double      zoom;          /* widget pixels per source pixel, when not fitting */
  double      center_x;      /* the source point shown at the widget's centre */
  double      center_y;
  double      drag_start_x;
  double      drag_start_y;
  double      pointer_x;
  double      pointer_y;
};

G_DEFINE_FINAL_TYPE (VetterImageView, vetter_image_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_FIT,
  PROP_ZOOM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
box_clear (gpointer data)
{
  Box *box = data;

  g_free (box->label);
}

static double
fit_scale (VetterImageView *self)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->source_width <= 0 || self->source_height <= 0 || w <= 0 || h <= 0)
    return 1.0;
  return MIN (1.0, MIN (w / self->source_width, h / self->source_height));
}

static double
current_scale (VetterImageView *self)
{
  return self->fit ? fit_scale (self) : self->zoom;
}

/* Keeps the image over the widget: no panning off into emptiness. */
static void
clamp_center (VetterImageView *self)
{
  double scale = current_scale (self);
  double half_w = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0 / scale;
  double half_h = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0 / scale;

  if (self->fit || half_w * 2 >= self->source_width)
    self->center_x = self->source_width / 2.0;
  else
    self->center_x = CLAMP (self->center_x, half_w, self->source_width - half_w);
  if (self->fit || half_h * 2 >= self->source_height)
    self->center_y = self->source_height / 2.0;
  else
    self->center_y = CLAMP (self->center_y, half_h, self->source_height - half_h);
}

/* Zooms to @zoom keeping the source point under (@wx, @wy) where it is. */
static void
zoom_at (VetterImageView *self,
         double           zoom,
         double           wx,
         double           wy)
{
  double old_scale = current_scale (self);
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double sx = self->center_x + (wx - w / 2) / old_scale;
  double sy = self->center_y + (wy - h / 2) / old_scale;
  gboolean was_fit = self->fit;

  zoom = CLAMP (zoom, MIN_ZOOM, MAX_ZOOM);
  if (zoom <= fit_scale (self))
    self->fit = TRUE;
  else
    {
      self->fit = FALSE;
      self->zoom = zoom;
      self->center_x = sx - (wx - w / 2) / zoom;
      self->center_y = sy - (wy - h / 2) / zoom;
    }
  clamp_center (self);
  if (was_fit != self->fit)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- Input ---------------------------------------------------------------- */

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           VetterImageView          *self)
{
  if (self->texture == NULL)
    return FALSE;
  zoom_at (self, current_scale (self) * pow (1.15, -dy), self->pointer_x, self->pointer_y);
  return TRUE;
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           VetterImageView          *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
}

static void
on_drag_begin (GtkGestureDrag  *gesture,
               double           x,
               double           y,
               VetterImageView *self)
{
  self->drag_start_x = self->center_x;
  self->drag_start_y = self->center_y;
}

static void
on_drag_update (GtkGestureDrag  *gesture,
                double           dx,
                double           dy,
                VetterImageView *self)
{
  double scale = current_scale (self);

  if (self->fit)
    return;
  self->center_x = self->drag_start_x - dx / scale;
  self->center_y = self->drag_start_y - dy / scale;
  clamp_center (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_double_click (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 VetterImageView *self)
{
  if (n_press != 2 || self->texture == NULL)
    return;
  if (self->fit)
    zoom_at (self, MAX (1.0, fit_scale (self) * 2), x, y);
  else
    zoom_at (self, 0, x, y);
}

/* ---- Drawing -------------------------------------------------------------- */

static void
level_color (VetterBoxLevel level,
             GdkRGBA       *color)
{
  /* The GNOME palette's red, orange and yellow: severity reads at a glance
   * and each stays visible over light and dark photographs. */
  switch (level)
    {
    case VETTER_BOX_HIGH:   gdk_rgba_parse (color, "#e01b24"); break;
    case VETTER_BOX_MEDIUM: gdk_rgba_parse (color, "#ff7800"); break;
    default:                gdk_rgba_parse (color, "#f6d32d"); break;
    }
}

static graphene_rect_t
box_rect (const Box *box,
          double     origin_x,
          double     origin_y,
          double     scale)
{
  return GRAPHENE_RECT_INIT (origin_x + box->x * scale, origin_y + box->y * scale, MAX (box->width * scale, 2),
                             MAX (box->height * scale, 2));
}

static void
draw_outline (const Box       *box,
              GtkSnapshot     *snapshot,
              graphene_rect_t *rect,
              gboolean         highlighted,
              gboolean         dimmed)
{
  float width = highlighted ? 4 : 2;
  float widths[4] = { width, width, width, width };
  GdkRGBA color, colors[4];
  GskRoundedRect outline;

  level_color (box->level, &color);
  if (dimmed)
    color.alpha = 0.45f;
  for (int i = 0; i < 4; i++)
    colors[i] = color;
  if (highlighted)
    {
      GdkRGBA fill = color;

      fill.alpha = 0.18f;
      gtk_snapshot_append_color (snapshot, &fill, rect);
    }
  gsk_rounded_rect_init_from_rect (&outline, rect, 0);
  gtk_snapshot_append_border (snapshot, &outline, widths, colors);
}

static gboolean
overlaps_any (GArray                *placed,
              const graphene_rect_t *tag)
{
  for (guint i = 0; i < placed->len; i++)
    if (graphene_rect_intersection (&g_array_index (placed, graphene_rect_t, i), tag, NULL))
      return TRUE;
  return FALSE;
}

/* Where a box's label goes: above its corner, else inside one of its
 * corners, else further down; never over a label already placed, so that
 * boxes sharing a corner (the bars of a frame) each keep theirs. */
static graphene_rect_t
place_label (GArray                *placed,
             const graphene_rect_t *rect,
             float                  tag_w,
             float                  tag_h,
             float                  view_w,
             float                  view_h)
{
  float x = rect->origin.x, y = rect->origin.y, w = rect->size.width, h = rect->size.height;
  float candidates[][2] = {
    { x, y - tag_h - 2 }, { x, y }, { x + w - tag_w, y }, { x, y + h - tag_h }, { x + w - tag_w, y + h - tag_h },
  };
  graphene_rect_t tag;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      tag = GRAPHENE_RECT_INIT (CLAMP (candidates[i][0], 0, MAX (0, view_w - tag_w)),
                                CLAMP (candidates[i][1], 0, MAX (0, view_h - tag_h)), tag_w, tag_h);
      if (!overlaps_any (placed, &tag))
        return tag;
    }
  tag = GRAPHENE_RECT_INIT (CLAMP (x, 0, MAX (0, view_w - tag_w)), CLAMP (y, 0, MAX (0, view_h - tag_h)), tag_w, tag_h);
  while (overlaps_any (placed, &tag) && tag.origin.y + 2 * tag_h < view_h)
    tag.origin.y += tag_h + 2;
  return tag;
}

static void
draw_label (VetterImageView *self,
            GtkSnapshot     *snapshot,
            const Box       *box,
            graphene_rect_t *rect,
            GArray          *placed,
            gboolean         dimmed)
{
  g_autoptr(PangoLayout) layout = NULL;
  int text_w, text_h;
  graphene_rect_t tag;
  GdkRGBA color, text;

  if (box->label == NULL)
    return;
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), box->label);
  pango_layout_get_pixel_size (layout, &text_w, &text_h);
  tag = place_label (placed, rect, text_w + 8, text_h + 4, gtk_widget_get_width (GTK_WIDGET (self)),
                     gtk_widget_get_height (GTK_WIDGET (self)));
  g_array_append_val (placed, tag);
  level_color (box->level, &color);
  if (dimmed)
    color.alpha = 0.45f;
  gdk_rgba_parse (&text, box->level == VETTER_BOX_LOW ? "#000000" : "#ffffff");
  gtk_snapshot_append_color (snapshot, &color, &tag);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (tag.origin.x + 4, tag.origin.y + 2));
  gtk_snapshot_append_layout (snapshot, layout, &text);
  gtk_snapshot_restore (snapshot);
}

static gboolean
drawn_by_cairo (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native ? gtk_native_get_renderer (native) : NULL;

  return renderer && GSK_IS_CAIRO_RENDERER (renderer);
}

/* GTK's software renderer converts a texture to a cairo surface on every
 * frame it draws it (a few milliseconds for a screenful): there, the
 * picture is converted once and drawn as a surface. A GPU renderer keeps
 * the texture uploaded and draws it as it is. */
static void
append_picture (VetterImageView       *self,
                GtkSnapshot           *snapshot,
                const graphene_rect_t *bounds)
{
  cairo_t *cr;

  if (!drawn_by_cairo (GTK_WIDGET (self)))
    {
      gtk_snapshot_append_texture (snapshot, self->texture, bounds);
      return;
    }
  if (self->surface == NULL)
    {
      int width = gdk_texture_get_width (self->texture), height = gdk_texture_get_height (self->texture);

      self->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
      gdk_texture_download (self->texture, cairo_image_surface_get_data (self->surface),
                            cairo_image_surface_get_stride (self->surface));
      cairo_surface_mark_dirty (self->surface);
    }
  cr = gtk_snapshot_append_cairo (snapshot, bounds);
  cairo_translate (cr, bounds->origin.x, bounds->origin.y);
  cairo_scale (cr, bounds->size.width / cairo_image_surface_get_width (self->surface),
               bounds->size.height / cairo_image_surface_get_height (self->surface));
  cairo_set_source_surface (cr, self->surface, 0, 0);
  /* Drawn at about its own size (it was made for the view), a bilinear
   * sample is exact enough and several times cheaper than a filter. */
  cairo_pattern_set_filter (cairo_get_source (cr),
                            bounds->size.width < 0.75 * cairo_image_surface_get_width (self->surface)
                            ? CAIRO_FILTER_GOOD : CAIRO_FILTER_BILINEAR);
  cairo_paint (cr);
  cairo_destroy (cr);
}

static void
vetter_image_view_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  VetterImageView *self = VETTER_IMAGE_VIEW (widget);
  double w = gtk_widget_get_width (widget);
  double h = gtk_widget_get_height (widget);
  double scale, origin_x, origin_y;

  if (self->texture == NULL)
    return;

  clamp_center (self);
  scale = current_scale (self);
  origin_x = w / 2 - self->center_x * scale;
  origin_y = h / 2 - self->center_y * scale;

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  append_picture (self, snapshot, &GRAPHENE_RECT_INIT (origin_x, origin_y, self->source_width * scale,
                                                       self->source_height * scale));
  {
    GArray *placed = self->label_areas;
    gboolean dimmed = self->highlighted >= 0;

    g_array_set_size (placed, 0);
    /* Outlines first, then every label over them; the highlighted box
     * last, over the others. */
    for (guint i = 0; i < self->boxes->len; i++)
      if ((int) i != self->highlighted)
        {
          graphene_rect_t rect = box_rect (&g_array_index (self->boxes, Box, i), origin_x, origin_y, scale);

          draw_outline (&g_array_index (self->boxes, Box, i), snapshot, &rect, FALSE, dimmed);
        }
    if (self->highlighted >= 0 && self->highlighted < (int) self->boxes->len)
      {
        const Box *box = &g_array_index (self->boxes, Box, self->highlighted);
        graphene_rect_t rect = box_rect (box, origin_x, origin_y, scale);

        draw_outline (box, snapshot, &rect, TRUE, FALSE);
        draw_label (self, snapshot, box, &rect, placed, FALSE);
      }
    for (guint i = 0; i < self->boxes->len; i++)
      if ((int) i != self->highlighted)
        {
          const Box *box = &g_array_index (self->boxes, Box, i);
          graphene_rect_t rect = box_rect (box, origin_x, origin_y, scale);

          draw_label (self, snapshot, box, &rect, placed, dimmed);
        }
  }
  gtk_snapshot_pop (snapshot);
}

static void
vetter_image_view_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  clamp_center (VETTER_IMAGE_VIEW (widget));
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_image_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  VetterImageView *self = VETTER_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_FIT:
      g_value_set_boolean (value, self->fit);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, current_scale (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vetter_image_view_finalize (GObject *object)
{
  VetterImageView *self = VETTER_IMAGE_VIEW (object);

  g_clear_object (&self->texture);
  g_clear_pointer (&self->boxes, g_array_unref);
  g_clear_pointer (&self->label_areas, g_array_unref);
  g_clear_pointer (&self->surface, cairo_surface_destroy);

  G_OBJECT_CLASS (vetter_image_view_parent_class)->finalize (object);
}

static void
vetter_image_view_class_init (VetterImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = vetter_image_view_get_property;
  object_class->finalize = vetter_image_view_finalize;
  widget_class->snapshot = vetter_image_view_snapshot;
  widget_class->size_allocate = vetter_image_view_size_allocate;

  properties[PROP_FIT] = g_param_spec_boolean ("fit", NULL, NULL, TRUE,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] = g_param_spec_double ("zoom", NULL, NULL, 0, G_MAXDOUBLE, 1,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "vetter-image-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vetter_image_view_init (VetterImageView *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->boxes = g_array_new (FALSE, TRUE, sizeof (Box));
  self->label_areas = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));
  g_array_set_clear_func (self->boxes, box_clear);
  self->highlighted = -1;
  self->fit = TRUE;
  self->zoom = 1.0;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_double_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
}

GtkWidget *
vetter_image_view_new (void)
{
  return g_object_new (VETTER_TYPE_IMAGE_VIEW, NULL);
}

void
vetter_image_view_set_image (VetterImageView *self,
                             GdkTexture      *texture,
                             int              source_width,
                             int              source_height)
{
  g_return_if_fail (VETTER_IS_IMAGE_VIEW (self));

  if (g_set_object (&self->texture, texture))
    g_clear_pointer (&self->surface, cairo_surface_destroy);
  if (texture && (source_width <= 0 || source_height <= 0))
    {
      source_width = gdk_texture_get_width (texture);
      source_height = gdk_texture_get_height (texture);
    }
  self->source_width = source_width;
  self->source_height = source_height;
  if (!self->fit)
    {
      self->fit = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIT]);
    }
  clamp_center (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
vetter_image_view_set_sharper (VetterImageView *self,
                               GdkTexture      *texture)
{
  g_return_if_fail (VETTER_IS_IMAGE_VIEW (self));
  g_return_if_fail (GDK_IS_TEXTURE (texture));

  if (g_set_object (&self->texture, texture))
    g_clear_pointer (&self->surface, cairo_surface_destroy);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GdkTexture *
vetter_image_view_get_texture (VetterImageView *self)
{
  g_return_val_if_fail (VETTER_IS_IMAGE_VIEW (self), NULL);
  return self->texture;
}

void
vetter_image_view_clear_boxes (VetterImageView *self)
{
  g_return_if_fail (VETTER_IS_IMAGE_VIEW (self));

  g_array_set_size (self->boxes, 0);
  self->highlighted = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
vetter_image_view_add_box (VetterImageView *self,
                           int              x,
                           int              y,
                           int              width,
                           int              height,
                           const char      *label,
                           VetterBoxLevel   level)
{
  Box box = { x, y, width, height, g_strdup (label), level };

  g_return_if_fail (VETTER_IS_IMAGE_VIEW (self));
  g_array_append_val (self->boxes, box);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
vetter_image_view_get_n_boxes (VetterImageView *self)
{
  g_return_val_if_fail (VETTER_IS_IMAGE_VIEW (self), 0);
  return self->boxes->len;
}

void
vetter_image_view_set_highlighted (VetterImageView *self,
                                   int              index)
{
  g_return_if_fail (VETTER_IS_IMAGE_VIEW (self));

  if (index >= (int) self->boxes->len)
    index = -1;
  if (self->highlighted == index)
    return;
  self->highlighted = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
vetter_image_view_get_highlighted (VetterImageView *self)
{
  g_return_val_if_fail (VETTER_IS_IMAGE_VIEW (self), -1);
  return self->highlighted;
}

void
vetter_image_view_toggle_zoom (VetterImageView *self)
{
  g_return_if_fail (VETTER_IS_IMAGE_VIEW (self));

  if (self->texture == NULL)
    return;
  if (self->fit)
    zoom_at (self, MAX (1.0, fit_scale (self) * 2),
             gtk_widget_get_width (GTK_WIDGET (self)) / 2.0, gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
  else
    zoom_at (self, 0, 0, 0);
}

double
vetter_image_view_get_zoom (VetterImageView *self)
{
  g_return_val_if_fail (VETTER_IS_IMAGE_VIEW (self), 1.0);
  return current_scale (self);
}

gboolean
vetter_image_view_get_fit (VetterImageView *self)
{
  g_return_val_if_fail (VETTER_IS_IMAGE_VIEW (self), TRUE);
  return self->fit;
}

gboolean
vetter_image_view_get_label_area (VetterImageView *self,
                                  guint            index,
                                  graphene_rect_t *area)
{
  g_return_val_if_fail (VETTER_IS_IMAGE_VIEW (self), FALSE);

  if (index >= self->label_areas->len)
    return FALSE;
  *area = g_array_index (self->label_areas, graphene_rect_t, index);
  return TRUE;
}
