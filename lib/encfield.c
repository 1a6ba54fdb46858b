/*
 * encfield.c -- libencfield's error strings and libgcrypt initialisation.
 */
#include "config.h"

#include <gcrypt.h>

#include "encfield.h"

static const char *const ef_errs[EF_ERR__MAX] = {
    "success",                                      /* EF_OK */
    "out of memory",                                /* EF_ERR_NOMEM */
    "libgcrypt missing, too old or failed",         /* EF_ERR_INIT */
    "invalid argument",                             /* EF_ERR_ARG */
    "no key given",                                 /* EF_ERR_KEY_NONE */
    "key entry is not of the form id:base64",       /* EF_ERR_KEY_SYNTAX */
    "key id is not a number in 0..65535",           /* EF_ERR_KEY_ID */
    "key is not valid base64",                      /* EF_ERR_KEY_BASE64 */
    "key is not 32 bytes long",                     /* EF_ERR_KEY_LENGTH */
    "duplicate key id",                             /* EF_ERR_KEY_DUP */
    "value was made under an unknown key id",       /* EF_ERR_UNKNOWN_KEY */
    "authentication failed",                        /* EF_ERR_AUTH */
    "malformed value",                              /* EF_ERR_MALFORMED */
    "unknown legacy engine",                        /* EF_ERR_ENGINE */
    "legacy value but no legacy secret is set",     /* EF_ERR_NO_LEGACY */
    "password hash format not recognised",          /* EF_ERR_PW_FORMAT */
    "cryptographic library failure",                /* EF_ERR_CRYPTO */
    "the same key under two key ids",               /* EF_ERR_KEY_REUSED */
    "envelope value without its data key (erased)", /* EF_ERR_NO_DATA_KEY */
};

const char *
ef_strerror(enum ef_err err)
{
	if ((unsigned)err >= EF_ERR__MAX)
		return "unknown error";
	return ef_errs[err];
}

enum ef_err
ef_init(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
		return EF_OK;
	if (gcry_check_version("1.10.0") == NULL)
		return EF_ERR_INIT;
	gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
	/*
	 * 64 KiB, which a 64 KiB RLIMIT_MEMLOCK (containers) still locks:
	 * keys, and one keyed cipher handle (about 1.7 KiB) per field key
	 * and column in use, dropped when short (encfield_v1.c).
	 */
	if (gcry_control(GCRYCTL_INIT_SECMEM, 65536, 0) != 0)
		return EF_ERR_INIT;
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return EF_OK;
}
