"""Run by Debian's ``/usr/bin/python3`` (QGIS's Python), not by the test's interpreter.

Opens every collection named on the command line with QGIS's own OAPIF provider,
authenticated by a QGIS "Basic" configuration (user name + API token), reads every feature
and prints one JSON line per collection: its feature count and the seconds it took.

Usage: qgis_count.py BASE_URL USERNAME TOKEN AUTH_DB_DIR COLLECTION...
"""

import json
import os
import sys
import time


def main() -> None:
    base, username, token, auth_dir, *names = sys.argv[1:]
    os.environ["QGIS_AUTH_DB_DIR_PATH"] = auth_dir
    from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsVectorLayer

    app = QgsApplication([], False)
    app.initQgis()
    auth = QgsApplication.authManager()
    auth.setMasterPassword("beatgrid-test-master", True)
    config = QgsAuthMethodConfig("Basic")
    config.setName("beatgrid")
    config.setConfig("username", username)
    config.setConfig("password", token)
    if not auth.storeAuthenticationConfig(config)[0]:
        raise SystemExit("QGIS could not store the authentication configuration")
    for name in names:
        start = time.perf_counter()
        uri = f"url='{base}/ogc' typename='{name}' authcfg='{config.id()}'"
        layer = QgsVectorLayer(uri, name, "OAPIF")
        count = sum(1 for _ in layer.getFeatures()) if layer.isValid() else -1
        seconds = time.perf_counter() - start
        print(
            json.dumps(
                {
                    "collection": name,
                    "valid": layer.isValid(),
                    "features": count,
                    "seconds": round(seconds, 2),
                }
            ),
            flush=True,
        )
        del layer  # a layer outliving exitQgis() crashes QGIS's teardown
    app.exitQgis()
    os._exit(0)  # and so may Python's own teardown of the remaining Qt objects


if __name__ == "__main__":
    main()
