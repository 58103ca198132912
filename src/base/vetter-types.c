/* vetter-types.c: the words of the domain, as registered enumerations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vetter-enum-types.h"
#include "vetter-types.h"

/* The class of a registered enumeration, referenced once and kept: these
 * types are static and their classes live as long as the program. */
static GEnumClass *
enum_class (GType enum_type)
{
  GEnumClass *klass = g_type_class_peek (enum_type);

  return klass ? klass : g_type_class_ref (enum_type);
}

const char *
vetter_enum_to_string (GType enum_type,
                       int   value)
{
  GEnumValue *found = g_enum_get_value (enum_class (enum_type), value);

  return found ? found->value_nick : NULL;
}

gboolean
vetter_enum_from_string (GType       enum_type,
                         const char *str,
                         int        *value)
{
  GEnumValue *found = str ? g_enum_get_value_by_nick (enum_class (enum_type), str) : NULL;

  if (found == NULL)
    return FALSE;
  *value = found->value;
  return TRUE;
}

const char *
vetter_status_to_string (VetterStatus status)
{
  return vetter_enum_to_string (VETTER_TYPE_STATUS, status);
}

VetterStatus
vetter_status_from_string (const char *str)
{
  int value = VETTER_STATUS_QUEUED;

  vetter_enum_from_string (VETTER_TYPE_STATUS, str, &value);
  return (VetterStatus) value;
}

gboolean
vetter_status_is_decidable (VetterStatus status)
{
  return status == VETTER_STATUS_NEEDS_REVIEW || vetter_status_is_final (status);
}

gboolean
vetter_status_is_final (VetterStatus status)
{
  return status == VETTER_STATUS_APPROVED || status == VETTER_STATUS_REJECTED;
}

const char *
vetter_severity_to_string (VetterSeverity severity)
{
  return vetter_enum_to_string (VETTER_TYPE_SEVERITY, severity);
}

VetterSeverity
vetter_severity_from_string (const char *str)
{
  int value = VETTER_SEVERITY_LOW;

  vetter_enum_from_string (VETTER_TYPE_SEVERITY, str, &value);
  return (VetterSeverity) value;
}

const char *
vetter_variant_kind_to_string (VetterVariantKind kind)
{
  return vetter_enum_to_string (VETTER_TYPE_VARIANT_KIND, kind);
}

gboolean
vetter_variant_kind_from_string (const char        *str,
                                 VetterVariantKind *kind)
{
  int value;

  if (!vetter_enum_from_string (VETTER_TYPE_VARIANT_KIND, str, &value))
    return FALSE;
  *kind = (VetterVariantKind) value;
  return TRUE;
}

const char *
vetter_outbox_kind_to_string (VetterOutboxKind kind)
{
  return vetter_enum_to_string (VETTER_TYPE_OUTBOX_KIND, kind);
}

gboolean
vetter_outbox_kind_from_string (const char       *str,
                                VetterOutboxKind *kind)
{
  int value;

  if (!vetter_enum_from_string (VETTER_TYPE_OUTBOX_KIND, str, &value))
    return FALSE;
  *kind = (VetterOutboxKind) value;
  return TRUE;
}

const char *
vetter_batch_kind_to_string (VetterBatchKind kind)
{
  return vetter_enum_to_string (VETTER_TYPE_BATCH_KIND, kind);
}

const char *
vetter_batch_state_to_string (VetterBatchState state)
{
  return vetter_enum_to_string (VETTER_TYPE_BATCH_STATE, state);
}

VetterBatchState
vetter_batch_state_from_string (const char *str)
{
  int value = VETTER_BATCH_RUNNING;

  vetter_enum_from_string (VETTER_TYPE_BATCH_STATE, str, &value);
  return (VetterBatchState) value;
}

gboolean
vetter_role_may_decide (VetterRole role)
{
  return role == VETTER_ROLE_MODERATOR || role == VETTER_ROLE_ADMIN;
}

gboolean
vetter_role_may_administer (VetterRole role)
{
  return role == VETTER_ROLE_ADMIN;
}

VetterStaffAccount *
vetter_staff_account_new (const char *username,
                          const char *role,
                          gboolean    active)
{
  VetterStaffAccount *account = g_new0 (VetterStaffAccount, 1);

  account->username = g_strdup (username);
  account->role = g_strdup (role);
  account->active = active;
  return account;
}

void
vetter_staff_account_free (VetterStaffAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->username);
  g_free (account->role);
  g_free (account);
}

gboolean
vetter_role_name_is_valid (const char *role)
{
  int value;

  return role && vetter_enum_from_string (VETTER_TYPE_ROLE, role, &value);
}
