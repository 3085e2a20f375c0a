#!/bin/bash
# deb/rpm post-install script (electron-builder.yml: deb/rpm `afterInstall`). electron-builder's own
# template, except that /usr/bin/keyhold is the operator CLI launcher (resources/bin/keyhold), not the
# app's executable: the desktop entry starts the app by its full path, /opt/Keyhold/keyhold.
# electron-builder fills in the two macros below; every other shell variable is written without braces
# because it treats each dollar-brace name as a macro.

launcher='/opt/${sanitizedProductName}/resources/bin/keyhold'
link='/usr/bin/keyhold'

chmod 0755 "$launcher" || true

if type update-alternatives >/dev/null 2>&1; then
    # Remove a previous link that does not go through update-alternatives.
    if [ -L "$link" ] && [ "$(readlink "$link")" != '/etc/alternatives/keyhold' ]; then
        rm -f "$link"
    fi
    update-alternatives --install "$link" keyhold "$launcher" 100 || ln -sf "$launcher" "$link"
else
    ln -sf "$launcher" "$link"
fi

# Check if user namespaces are supported by the kernel and working with a quick test:
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    # Use SUID chrome-sandbox only on systems without user namespaces:
    chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
    chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# AppArmor profile (Ubuntu 24+), as in electron-builder's template: installed only when this AppArmor
# understands it (a dry-run parse first).
if apparmor_status --enabled > /dev/null 2>&1; then
  apparmor_source='/opt/${sanitizedProductName}/resources/apparmor-profile'
  apparmor_target='/etc/apparmor.d/${executable}'
  if apparmor_parser --skip-kernel-load --debug "$apparmor_source" > /dev/null 2>&1; then
    cp -f "$apparmor_source" "$apparmor_target"
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --replace --write-cache --skip-read-cache "$apparmor_target"
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi
