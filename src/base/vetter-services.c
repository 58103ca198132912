/* vetter-services.c: where results go, and the credentials to get there
 *
 * Headless runs read the environment; the window adds what is stored in
 * the keyring. Secrets live in this struct only: they are never written
 * to the store, the settings or a message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "vetter-services.h"

static char *
env (const char *name)
{
  const char *value = g_getenv (name);

  return value && *value ? g_strdup (value) : NULL;
}

static char *
without_trailing_slash (char *url)
{
  if (url)
    {
      gsize len = strlen (url);

      while (len > 0 && url[len - 1] == '/')
        url[--len] = '\0';
    }
  return url;
}

VetterServices *
vetter_services_from_env (void)
{
  VetterServices *services = g_new0 (VetterServices, 1);

  services->s3_endpoint = without_trailing_slash (env ("VETTER_S3_ENDPOINT"));
  services->s3_region = env ("VETTER_S3_REGION");
  services->s3_bucket = env ("VETTER_S3_BUCKET");
  services->s3_access_key = env ("VETTER_S3_ACCESS_KEY");
  services->s3_secret_key = env ("VETTER_S3_SECRET_KEY");
  services->couch_url = without_trailing_slash (env ("VETTER_COUCHDB_URL"));
  services->couch_db = env ("VETTER_COUCHDB_DB");
  services->couch_user = env ("VETTER_COUCHDB_USER");
  services->couch_password = env ("VETTER_COUCHDB_PASSWORD");
  services->mailgun_url = without_trailing_slash (env ("VETTER_MAILGUN_URL"));
  services->mailgun_domain = env ("VETTER_MAILGUN_DOMAIN");
  services->mailgun_key = env ("VETTER_MAILGUN_KEY");
  services->mail_from = env ("VETTER_MAIL_FROM");

  services->webhook_secret = env ("VETTER_WEBHOOK_SECRET");
  services->imagga_url = without_trailing_slash (env ("VETTER_IMAGGA_URL"));
  services->imagga_key = env ("VETTER_IMAGGA_KEY");
  services->imagga_secret = env ("VETTER_IMAGGA_SECRET");
  vetter_services_complete (services);
  return services;
}

static void
fill (char      **field,
      GSettings  *settings,
      const char *key)
{
  if (*field == NULL)
    {
      g_autofree char *value = g_settings_get_string (settings, key);

      if (value && *value)
        *field = g_strdup (value);
    }
}

/* What the environment left unset, from the preferences. */
void
vetter_services_fill_from_settings (VetterServices *services,
                                    GSettings      *settings)
{
  fill (&services->s3_endpoint, settings, "s3-endpoint");
  without_trailing_slash (services->s3_endpoint);
  if (services->s3_region == NULL || g_str_equal (services->s3_region, "us-east-1"))
    {
      g_clear_pointer (&services->s3_region, g_free);
      fill (&services->s3_region, settings, "s3-region");
    }
  fill (&services->s3_bucket, settings, "s3-bucket");
  fill (&services->s3_access_key, settings, "s3-access-key");
  fill (&services->couch_url, settings, "couchdb-url");
  without_trailing_slash (services->couch_url);
  if (services->couch_db == NULL || g_str_equal (services->couch_db, "vetter"))
    {
      g_clear_pointer (&services->couch_db, g_free);
      fill (&services->couch_db, settings, "couchdb-db");
    }
  fill (&services->couch_user, settings, "couchdb-user");
  if (services->mailgun_url == NULL || g_str_equal (services->mailgun_url, "https://api.mailgun.net"))
    {
      g_clear_pointer (&services->mailgun_url, g_free);
      fill (&services->mailgun_url, settings, "mailgun-url");
      without_trailing_slash (services->mailgun_url);
    }
  fill (&services->mailgun_domain, settings, "mailgun-domain");
  fill (&services->mail_from, settings, "mail-from");
  if (services->imagga_url == NULL || g_str_equal (services->imagga_url, "https://api.imagga.com"))
    {
      g_clear_pointer (&services->imagga_url, g_free);
      fill (&services->imagga_url, settings, "imagga-url");
      without_trailing_slash (services->imagga_url);
    }
  fill (&services->imagga_key, settings, "imagga-key");
  vetter_services_complete (services);
}

/* Defaults for what nobody set, and the addressing the endpoint needs. */
void
vetter_services_complete (VetterServices *services)
{
  if (services->s3_region == NULL)
    services->s3_region = g_strdup ("us-east-1");
  if (services->mailgun_url == NULL)
    services->mailgun_url = g_strdup ("https://api.mailgun.net");
  if (services->couch_db == NULL)
    services->couch_db = g_strdup ("vetter");
  if (services->imagga_url == NULL)
    services->imagga_url = g_strdup ("https://api.imagga.com");
  /* AWS itself takes the bucket in the host name; a custom endpoint
   * (MinIO, ArvanCloud, a test server) may not resolve one there. */
  services->s3_path_style = services->s3_endpoint == NULL || strstr (services->s3_endpoint, "amazonaws.com") == NULL;
}

VetterServices *
vetter_services_copy (const VetterServices *s)
{
  VetterServices *copy = g_new0 (VetterServices, 1);

  copy->s3_endpoint = g_strdup (s->s3_endpoint);
  copy->s3_region = g_strdup (s->s3_region);
  copy->s3_bucket = g_strdup (s->s3_bucket);
  copy->s3_access_key = g_strdup (s->s3_access_key);
  copy->s3_secret_key = g_strdup (s->s3_secret_key);
  copy->s3_path_style = s->s3_path_style;
  copy->couch_url = g_strdup (s->couch_url);
  copy->couch_db = g_strdup (s->couch_db);
  copy->couch_user = g_strdup (s->couch_user);
  copy->couch_password = g_strdup (s->couch_password);
  copy->mailgun_url = g_strdup (s->mailgun_url);
  copy->mailgun_domain = g_strdup (s->mailgun_domain);
  copy->mailgun_key = g_strdup (s->mailgun_key);
  copy->mail_from = g_strdup (s->mail_from);
  copy->webhook_secret = g_strdup (s->webhook_secret);
  copy->imagga_url = g_strdup (s->imagga_url);
  copy->imagga_key = g_strdup (s->imagga_key);
  copy->imagga_secret = g_strdup (s->imagga_secret);
  return copy;
}

void
vetter_services_free (VetterServices *services)
{
  if (services == NULL)
    return;
  g_free (services->s3_endpoint);
  g_free (services->s3_region);
  g_free (services->s3_bucket);
  g_free (services->s3_access_key);
  g_free (services->s3_secret_key);
  g_free (services->couch_url);
  g_free (services->couch_db);
  g_free (services->couch_user);
  g_free (services->couch_password);
  g_free (services->mailgun_url);
  g_free (services->mailgun_domain);
  g_free (services->mailgun_key);
  g_free (services->mail_from);
  g_free (services->webhook_secret);
  g_free (services->imagga_url);
  g_free (services->imagga_key);
  g_free (services->imagga_secret);
  g_free (services);
}

gboolean
vetter_services_has_s3 (const VetterServices *services)
{
  return services->s3_endpoint && services->s3_bucket && services->s3_access_key && services->s3_secret_key;
}

gboolean
vetter_services_has_mail (const VetterServices *services)
{
  return services->mailgun_url && services->mailgun_domain && services->mailgun_key && services->mail_from;
}

/* A user is needed: CouchDB 3 has no anonymous writes, and the
 * database's validation knows moderators by name and role. */
gboolean
vetter_services_has_couch (const VetterServices *services)
{
  return services->couch_url && services->couch_db && services->couch_user && services->couch_password;
}

gboolean
vetter_services_has_tagger (const VetterServices *services)
{
  return services->imagga_url && services->imagga_key && services->imagga_secret;
}

GPtrArray *
vetter_services_secrets (const VetterServices *services)
{
  GPtrArray *secrets = g_ptr_array_new ();

  if (services->s3_secret_key)
    g_ptr_array_add (secrets, services->s3_secret_key);
  if (services->mailgun_key)
    g_ptr_array_add (secrets, services->mailgun_key);
  if (services->couch_password)
    g_ptr_array_add (secrets, services->couch_password);
  if (services->webhook_secret)
    g_ptr_array_add (secrets, services->webhook_secret);
  if (services->imagga_secret)
    g_ptr_array_add (secrets, services->imagga_secret);
  return secrets;
}

void
vetter_services_apply_tagger (const VetterServices *services,
                              VetterConfig         *config)
{
  g_clear_pointer (&config->imagga_url, g_free);
  g_clear_pointer (&config->imagga_key, g_free);
  g_clear_pointer (&config->imagga_secret, g_free);
  if (services->imagga_key == NULL || services->imagga_secret == NULL)
    return;
  config->imagga_url = g_strdup (services->imagga_url);
  config->imagga_key = g_strdup (services->imagga_key);
  config->imagga_secret = g_strdup (services->imagga_secret);
}
