/* vetter-types.h: the words of the domain, as registered enumerations
 *
 * Every value has a nick, which is how it is stored in the database,
 * written in documents and files, and compared: the nick is the contract,
 * the number is not. vetter-enum-types.h (generated) registers them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Where an item is on its way from the queue to a decision. */
typedef enum
{
  VETTER_STATUS_QUEUED,                              /*< nick=queued >*/
  VETTER_STATUS_PROCESSING,                          /*< nick=processing >*/
  VETTER_STATUS_NEEDS_REVIEW,                        /*< nick=needs_review >*/
  VETTER_STATUS_APPROVED,                            /*< nick=approved >*/
  VETTER_STATUS_REJECTED,                            /*< nick=rejected >*/
  VETTER_STATUS_FAILED,                              /*< nick=failed >*/
} VetterStatus;

typedef enum
{
  VETTER_SEVERITY_LOW,                               /*< nick=low >*/
  VETTER_SEVERITY_MEDIUM,                            /*< nick=medium >*/
  VETTER_SEVERITY_HIGH,                              /*< nick=high >*/
} VetterSeverity;

/* The files made of each image. */
typedef enum
{
  VETTER_VARIANT_COMPRESSED,                         /*< nick=compressed >*/
  VETTER_VARIANT_SQUARE,                             /*< nick=square >*/
  VETTER_VARIANT_PORTRAIT,                           /*< nick=portrait >*/
  VETTER_VARIANT_LANDSCAPE,                          /*< nick=landscape >*/
  VETTER_VARIANT_THUMB,                              /*< nick=thumb >*/
  VETTER_N_VARIANTS                                  /*< skip >*/
} VetterVariantKind;

/* What a side effect waiting in the outbox does. */
typedef enum
{
  VETTER_OUTBOX_S3_PUT,                              /*< nick=s3_put >*/
  VETTER_OUTBOX_MAIL,                                /*< nick=mail >*/
  VETTER_OUTBOX_WEBHOOK,                             /*< nick=webhook >*/
  VETTER_OUTBOX_COUCH,                               /*< nick=couch >*/
  VETTER_OUTBOX_REMOVE,                              /*< nick=remove >*/
  VETTER_N_OUTBOX_KINDS                              /*< skip >*/
} VetterOutboxKind;

typedef enum
{
  VETTER_BATCH_KIND_PRODUCTS,                        /*< nick=products >*/
  VETTER_BATCH_KIND_ADS,                             /*< nick=ads >*/
  VETTER_BATCH_KIND_IMAGES,                          /*< nick=images >*/
  VETTER_BATCH_KIND_REMOTE,                          /*< nick=remote >*/
} VetterBatchKind;

typedef enum
{
  VETTER_BATCH_RUNNING,                              /*< nick=running >*/
  VETTER_BATCH_PAUSED,                               /*< nick=paused >*/
  VETTER_BATCH_CANCELLED,                            /*< nick=cancelled >*/
  VETTER_BATCH_DONE,                                 /*< nick=done >*/
} VetterBatchState;

/* What a person may do (the shared database's roles; without one, the
 * desktop's own staff). */
typedef enum
{
  VETTER_ROLE_VIEWER,                                /*< nick=viewer >*/
  VETTER_ROLE_MODERATOR,                             /*< nick=moderator >*/
  VETTER_ROLE_ADMIN,                                 /*< nick=admin >*/
  VETTER_ROLE_WORKER,                                /*< nick=worker >*/
} VetterRole;

/* Whether @role may decide, claim and write notes (moderators, admins). */
gboolean    vetter_role_may_decide     (VetterRole   role);
/* Whether @role may change the team's settings and staff, and delete. */
gboolean    vetter_role_may_administer (VetterRole   role);

/* A member of the shared database's staff, as its accounts say. */
typedef struct
{
  char     *username;
  char     *role;      /* "viewer", "moderator", "admin" or "worker" */
  gboolean  active;    /* FALSE: deactivated, @role the one they get back */
} VetterStaffAccount;

VetterStaffAccount *vetter_staff_account_new  (const char         *username,
                                               const char         *role,
                                               gboolean            active);
void                vetter_staff_account_free (VetterStaffAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterStaffAccount, vetter_staff_account_free)
/* Whether @role names one of the four roles. */
gboolean            vetter_role_name_is_valid (const char         *role);

/* The nick of @value, as stored; NULL for a value the type does not have. */
const char *vetter_enum_to_string   (GType        enum_type,
                                     int          value);
/* The value whose nick is @str, or FALSE when none is. */
gboolean    vetter_enum_from_string (GType        enum_type,
                                     const char  *str,
                                     int         *value);

const char      *vetter_status_to_string        (VetterStatus      status);
/* An unknown or NULL @str reads as queued: the status of work not yet done. */
VetterStatus     vetter_status_from_string      (const char       *str);
/* Needs review, approved or rejected: what a person can decide again. */
gboolean         vetter_status_is_decidable     (VetterStatus      status);
/* Approved or rejected: what the advertiser hears of. */
gboolean         vetter_status_is_final         (VetterStatus      status);

const char      *vetter_severity_to_string      (VetterSeverity    severity);
VetterSeverity   vetter_severity_from_string    (const char       *str);

const char      *vetter_variant_kind_to_string  (VetterVariantKind kind);
gboolean         vetter_variant_kind_from_string (const char       *str,
                                                  VetterVariantKind *kind);

const char      *vetter_outbox_kind_to_string   (VetterOutboxKind  kind);
gboolean         vetter_outbox_kind_from_string (const char       *str,
                                                 VetterOutboxKind *kind);

const char      *vetter_batch_kind_to_string    (VetterBatchKind   kind);

const char      *vetter_batch_state_to_string   (VetterBatchState  state);
/* An unknown or NULL @str reads as running. */
VetterBatchState vetter_batch_state_from_string (const char       *str);

G_END_DECLS
