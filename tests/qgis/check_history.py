#!/usr/bin/python3
"""Loads the layers of a raquette history database in QGIS's own engine
(python3-qgis, headless), as an analyst adds them ("Add SpatiaLite Layer"),
and checks that they are valid, in the database's CRS, with the counts of
the runs table for the run asked.

Usage: check_history.py DB RUN_ID
Exit status 0 when every check passes; each failure is printed."""
import os
import sqlite3
import sys

os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen')
os.environ.setdefault('XDG_RUNTIME_DIR', '/tmp/runtime-qgis-test')
os.makedirs(os.environ['XDG_RUNTIME_DIR'], mode=0o700, exist_ok=True)

from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer

db, run_id = sys.argv[1], int(sys.argv[2])
failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what, flush=True)
    if not cond:
        failures.append(what)


con = sqlite3.connect(db)
communes, sites, zones = con.execute(
    'SELECT communes, sites, zones_trou FROM runs WHERE id = ?', (run_id,)).fetchone()
srid = int(con.execute("SELECT valeur FROM raquette_meta WHERE cle = 'srid'").fetchone()[0])
every_zone = con.execute('SELECT count(*) FROM trous WHERE run_id = ?', (run_id,)).fetchone()[0]
con.close()

app = QgsApplication([], False)
app.initQgis()
for table, count in (('communes', communes), ('sites', sites), ('trous', every_zone)):
    uri = QgsDataSourceUri()
    uri.setDatabase(db)
    uri.setDataSource('', table, 'geom', 'run_id = %d' % run_id)
    layer = QgsVectorLayer(uri.uri(), table, 'spatialite')
    check(layer.isValid(), 'SpatiaLite layer %s is valid' % table)
    if not layer.isValid():
        continue
    check(layer.featureCount() == count,
          '%s of run %d: %d features, expected %d' % (table, run_id, layer.featureCount(), count))
    check(layer.crs().authid() == 'EPSG:%d' % srid, '%s in %s' % (table, layer.crs().authid()))
    ogr = QgsVectorLayer('%s|layername=%s' % (db, table), table, 'ogr')
    check(ogr.isValid() and ogr.featureCount() >= count, '%s also opens through OGR' % table)
check(zones > 0, 'the run has %d gap zones' % zones)
app.exitQgis()
print('%d failure(s)' % len(failures))
sys.exit(1 if failures else 0)
