/* icu_lazy — ICU's converter entry points for the static libxml2, loaded on
 * first use (RP_STATIC_XML, CMakeLists.txt; linked into the reviewpdf binary
 * only, never into the engine).
 *
 * Debian's libxml2 converts encodings that iconv does not know (SCSU,
 * BOCU-1…) with ICU. Linked against the shared libxml2, every start loaded
 * ICU's common library, its 30 MB data library and, for them, libstdc++ and
 * libgcc_s: four of the binary's 25 objects and over half of the dynamic
 * linker's symbol relocations (`reviewpdf --version` 2.8 -> 2.0 ms). libxml2
 * only calls these seven functions, and only for a document declaring such
 * an encoding, so they are defined here and each passes the call on to the
 * real one, opened with dlopen the first time one is needed. Without ICU
 * installed ucnv_open fails, and libxml2 reports the encoding unsupported,
 * as a libxml2 built without ICU does.
 *
 * The names are ICU's own, not rp_ ones: libxml2's objects refer to them.
 * <unicode/ucnv.h> renames each to its versioned symbol (ucnv_open_72), so
 * the shim follows the ICU that the static libxml2 was built against. */
#include <dlfcn.h>
#include <pthread.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/uversion.h>

#define STR2(x) #x
#define STR(x) STR2(x) /* the versioned name: STR(ucnv_open) is "ucnv_open_72" */

static struct {
  UConverter *(*open)(const char *, UErrorCode *);
  void (*close)(UConverter *);
  void (*convert)(UConverter *, UConverter *, char **, const char *, const char **, const char *,
                  UChar *, UChar **, UChar **, const UChar *, UBool, UBool, UErrorCode *);
  void (*set_from)(UConverter *, UConverterFromUCallback, const void *, UConverterFromUCallback *,
                   const void **, UErrorCode *);
  void (*set_to)(UConverter *, UConverterToUCallback, const void *, UConverterToUCallback *,
                 const void **, UErrorCode *);
  UConverterFromUCallback from_stop;
  UConverterToUCallback to_stop;
} icu;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* All seven or none: a converter opened here is only ever used here. */
static void load(void) {
  void *h = dlopen("libicuuc.so." U_ICU_VERSION_SHORT, RTLD_NOW | RTLD_LOCAL);
  if (!h) return;
  void *s[7] = {dlsym(h, STR(ucnv_open)),
                dlsym(h, STR(ucnv_close)),
                dlsym(h, STR(ucnv_convertEx)),
                dlsym(h, STR(ucnv_setFromUCallBack)),
                dlsym(h, STR(ucnv_setToUCallBack)),
                dlsym(h, STR(UCNV_FROM_U_CALLBACK_STOP)),
                dlsym(h, STR(UCNV_TO_U_CALLBACK_STOP))};
  for (int i = 0; i < 7; i++)
    if (!s[i]) return; /* the handle stays open: ICU is not unloaded (NODELETE) */
  /* dlsym gives object pointers; POSIX guarantees they convert to functions */
  *(void **)&icu.close = s[1];
  *(void **)&icu.convert = s[2];
  *(void **)&icu.set_from = s[3];
  *(void **)&icu.set_to = s[4];
  *(void **)&icu.from_stop = s[5];
  *(void **)&icu.to_stop = s[6];
  *(void **)&icu.open = s[0]; /* last: open is what says ICU is there */
}

UConverter *ucnv_open(const char *name, UErrorCode *err) {
  pthread_once(&once, load);
  if (!icu.open) {
    if (U_SUCCESS(*err)) *err = U_FILE_ACCESS_ERROR;
    return NULL;
  }
  return icu.open(name, err);
}

/* The rest run only on a converter ucnv_open made, so ICU is loaded. */
void ucnv_close(UConverter *c) {
  if (c) icu.close(c);
}

void ucnv_convertEx(UConverter *target_cnv, UConverter *source_cnv, char **target,
                    const char *target_limit, const char **source, const char *source_limit,
                    UChar *pivot_start, UChar **pivot_source, UChar **pivot_target,
                    const UChar *pivot_limit, UBool reset, UBool flush, UErrorCode *err) {
  icu.convert(target_cnv, source_cnv, target, target_limit, source, source_limit, pivot_start,
              pivot_source, pivot_target, pivot_limit, reset, flush, err);
}

/* libxml2 passes these two callbacks by address; the real ones are given
 * to ICU instead of the stand-ins below. */
void ucnv_setFromUCallBack(UConverter *c, UConverterFromUCallback action, const void *context,
                           UConverterFromUCallback *old_action, const void **old_context,
                           UErrorCode *err) {
  if (action == UCNV_FROM_U_CALLBACK_STOP) action = icu.from_stop;
  icu.set_from(c, action, context, old_action, old_context, err);
}

void ucnv_setToUCallBack(UConverter *c, UConverterToUCallback action, const void *context,
                         UConverterToUCallback *old_action, const void **old_context,
                         UErrorCode *err) {
  if (action == UCNV_TO_U_CALLBACK_STOP) action = icu.to_stop;
  icu.set_to(c, action, context, old_action, old_context, err);
}

void UCNV_FROM_U_CALLBACK_STOP(const void *context, UConverterFromUnicodeArgs *args,
                               const UChar *units, int32_t length, UChar32 code_point,
                               UConverterCallbackReason reason, UErrorCode *err) {
  icu.from_stop(context, args, units, length, code_point, reason, err);
}

void UCNV_TO_U_CALLBACK_STOP(const void *context, UConverterToUnicodeArgs *args, const char *units,
                             int32_t length, UConverterCallbackReason reason, UErrorCode *err) {
  icu.to_stop(context, args, units, length, reason, err);
}
