# Run by CPack (CPACK_PRE_BUILD_SCRIPTS) on the staging folder of the .deb,
# after the install and before packing: what Debian asks of a package and
# not of `cmake --install` (which keeps its plain man page): the copyright
# file in Debian's machine-readable format, the changelog and the man page
# gzipped with -9n (best compression, no name or time stamp: the same bytes
# every build). Lintian's no-copyright-file, no-changelog and
# uncompressed-manual-page; tests/e2e/test_deb.sh checks all three.
set(stage "${CPACK_TEMPORARY_INSTALL_DIRECTORY}${CPACK_PACKAGING_INSTALL_PREFIX}")
if(NOT EXISTS "${stage}/bin/reviewpdf")
  message(FATAL_ERROR "deb-stage: no ${stage}/bin/reviewpdf: the staging layout has changed")
endif()
set(doc "${stage}/share/doc/reviewpdf")
set(readable OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

file(MAKE_DIRECTORY "${doc}")
file(COPY "${CPACK_RP_DEB_DIR}/copyright" DESTINATION "${doc}" FILE_PERMISSIONS ${readable})

# gzip -9n SRC > DST, failing the package on any error
function(gzip_to src dst)
  execute_process(COMMAND gzip -9n -c "${src}" OUTPUT_FILE "${dst}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "deb-stage: gzip ${src} failed (${rc})")
  endif()
  file(CHMOD "${dst}" FILE_PERMISSIONS ${readable})
endfunction()

# a native package (version without a Debian revision): changelog.gz
gzip_to("${CPACK_RP_DEB_DIR}/changelog" "${doc}/changelog.gz")
set(man "${stage}/share/man/man1/reviewpdf.1")
gzip_to("${man}" "${man}.gz")
file(REMOVE "${man}")

# Lintian overrides, each with its reason (packaging/deb/lintian-overrides):
# the bundled fonts that Debian also packages, kept for identical output.
set(overrides "${stage}/share/lintian/overrides")
file(MAKE_DIRECTORY "${overrides}")
file(COPY_FILE "${CPACK_RP_DEB_DIR}/lintian-overrides" "${overrides}/reviewpdf")
file(CHMOD "${overrides}/reviewpdf" FILE_PERMISSIONS ${readable})
