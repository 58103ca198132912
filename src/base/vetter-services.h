/* vetter-services.h: where results go, and the credentials to get there
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vetter-config.h"

G_BEGIN_DECLS

typedef struct
{
  char     *s3_endpoint;      /* base URL: https://s3.eu-central-1.amazonaws.com, http://127.0.0.1:4568 */
  char     *s3_region;
  char     *s3_bucket;
  char     *s3_access_key;
  char     *s3_secret_key;
  gboolean  s3_path_style;    /* bucket in the path rather than the host name */

  char     *couch_url;        /* base URL: https://couch.example.com:6984 */
  char     *couch_db;         /* the database's name; "vetter" unless set */
  char     *couch_user;
  char     *couch_password;

  char     *mailgun_url;      /* base URL: https://api.mailgun.net */
  char     *mailgun_domain;
  char     *mailgun_key;
  char     *mail_from;

  char     *webhook_secret;   /* whsec_<base64>, or the key itself */

  char     *imagga_url;       /* base URL: https://api.imagga.com */
  char     *imagga_key;
  char     *imagga_secret;
} VetterServices;

/* From the VETTER_* environment variables of the design. */
VetterServices *vetter_services_from_env   (void);
void            vetter_services_fill_from_settings (VetterServices *services,
                                                    GSettings      *settings);
void            vetter_services_complete   (VetterServices       *services);
VetterServices *vetter_services_copy       (const VetterServices *services);
void            vetter_services_free       (VetterServices       *services);
gboolean        vetter_services_has_s3     (const VetterServices *services);
gboolean        vetter_services_has_mail   (const VetterServices *services);
gboolean        vetter_services_has_couch  (const VetterServices *services);
gboolean        vetter_services_has_tagger (const VetterServices *services);
/* Gives @config the tagger's address and credentials, if configured. */
void            vetter_services_apply_tagger (const VetterServices *services,
                                              VetterConfig         *config);
/* Each configured secret, for checking that none is ever written out.
 * Returns: (transfer container) (element-type utf8): the strings stay
 * @services'. */
GPtrArray      *vetter_services_secrets    (const VetterServices *services);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterServices, vetter_services_free)

G_END_DECLS
