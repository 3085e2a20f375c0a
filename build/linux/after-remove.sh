#!/bin/bash
# deb/rpm post-remove script (electron-builder.yml: deb/rpm `afterRemove`): undoes after-install.sh.
# The data folders in the users' homes are theirs and stay.

launcher='/opt/${sanitizedProductName}/resources/bin/keyhold'

if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove keyhold "$launcher" || true
fi
if [ -L /usr/bin/keyhold ] && [ ! -e /usr/bin/keyhold ]; then
    rm -f /usr/bin/keyhold
fi

apparmor_dest='/etc/apparmor.d/${executable}'
if [ -f "$apparmor_dest" ]; then
  if apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$apparmor_dest" || true
    fi
  fi
  rm -f "$apparmor_dest"
fi
