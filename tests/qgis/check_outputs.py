#!/usr/bin/python3
"""Loads a run's outputs in QGIS's own engine (python3-qgis, headless) the
way a GIS analyst meets them, and checks what they see:

  - the project <name>.qgs opens, every layer is valid, with the counts the
    data README gives (4,446 communes, 76 sites) and those of run.json;
  - each layer has the style it should: renderer type and number of
    classes, labels where expected;
  - a GeoPackage layer opened on its own gets its default style from the
    layer_styles table; a GeoJSON layer gets its .qml;
  - a rendered image of the project is not blank: it counts its coloured
    pixels, and saves it (PNG) for a person to look at;
  - every CSV opened with the delimited-text provider ("Add Delimited Text
    Layer") reads code columns as text, thanks to its .csvt.

Usage: check_outputs.py RUN_DIR NAME [PNG]
Exit status 0 when every check passes; each failure is printed."""
import csv
import json
import os
import sys

os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen')
os.environ.setdefault('XDG_RUNTIME_DIR', '/tmp/runtime-qgis-test')
os.makedirs(os.environ['XDG_RUNTIME_DIR'], mode=0o700, exist_ok=True)

from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsProject,
                       QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize, QUrl, QUrlQuery, QVariant
from qgis.PyQt.QtGui import QColor

run_dir, name = sys.argv[1], sys.argv[2]
png = sys.argv[3] if len(sys.argv) > 3 else None
failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what, flush=True)
    if not cond:
        failures.append(what)


app = QgsApplication([], False)
app.initQgis()
run = json.load(open(os.path.join(run_dir, 'run.json'), encoding='utf-8'))
n_communes = run['comptes']['communes']
n_sites = run['comptes']['sites']
n_required = len(run['parametres']['phases_requises'])
n_categories = len(run['parametres']['rayons_km'])

# ---- The project -------------------------------------------------------
project = QgsProject.instance()
check(project.read(os.path.join(run_dir, name + '.qgs')), 'the project opens')
check(project.title().startswith('Trous dans la raquette'), 'French title: %s' % project.title())
check(project.crs().authid() == run['parametres']['crs_metrique'],
      'project CRS %s' % project.crs().authid())
layers = {l.name(): l for l in project.mapLayers().values()}
check(len(layers) >= 10, '%d layers in the project' % len(layers))
for lname, layer in layers.items():
    check(layer.isValid(), 'layer "%s" is valid' % lname)
    check('|layername=' in layer.source() and layer.source().startswith(run_dir.rstrip('/')),
          'layer "%s" reads the GeoPackage beside the project' % lname)
qgs = open(os.path.join(run_dir, name + '.qgs'), encoding='utf-8').read()
check('<Absolute type="bool">false</Absolute>' in qgs and 'source="./' + name + '.gpkg' in qgs,
      'the project stores relative paths')

expected = {
    'Communes : phases requises manquantes': (n_communes, 'categorizedSymbol', n_required + 1),
    'Communes : accessibilité (E2SFCA)': (n_communes, 'graduatedSymbol', 5),
    'Sites des structures': (n_sites, 'categorizedSymbol', n_categories),
    'Portée des sites': (n_sites, 'categorizedSymbol', n_categories),
    'Zones de trou (toutes phases requises)': (run['comptes']['zones_trou']['toutes'],
                                                'singleSymbol', 1),
    'Départements': (None, 'singleSymbol', 1),
    'EPCI': (None, 'singleSymbol', 1),
}
for lname, (count, rtype, classes) in expected.items():
    layer = layers.get(lname)
    check(layer is not None, 'the project has the layer "%s"' % lname)
    if layer is None:
        continue
    if count is not None:
        check(layer.featureCount() == count,
              '"%s": %d features, expected %d' % (lname, layer.featureCount(), count))
    renderer = layer.renderer()
    check(renderer.type() == rtype, '"%s": renderer %s, expected %s' % (lname, renderer.type(), rtype))
    if rtype == 'categorizedSymbol':
        cats = renderer.categories()
        check(len(cats) == classes, '"%s": %d classes, expected %d' % (lname, len(cats), classes))
    elif rtype == 'graduatedSymbol':
        ranges = renderer.ranges()
        check(len(ranges) == classes, '"%s": %d classes, expected %d' % (lname, len(ranges), classes))
check(layers['Zones de trou (toutes phases requises)'].labelsEnabled(), 'gap zones are labelled')
check(layers['Sites des structures'].labelsEnabled(), 'sites are labelled')
labels = {'emergence': 'émergence', 'creation': 'création', 'consolidation': 'consolidation',
          'developpement': 'développement'}
for p in run['parametres']['phases_requises']:
    lname = 'Zones sans accompagnement : ' + labels[p]
    check(lname in layers, 'the project has the layer "%s"' % lname)
    if lname in layers:
        check(layers[lname].featureCount() == run['comptes']['zones_trou'][p],
              '"%s": %d zones' % (lname, layers[lname].featureCount()))
# The comparison with the previous run, when the history had one.
evolution = layers.get('Évolution des communes')
if evolution is not None:
    check(evolution.featureCount() == n_communes and
          evolution.renderer().type() == 'categorizedSymbol' and
          len(evolution.renderer().categories()) == 8,
          'evolution layers: "Évolution des communes" has %d features, 8 classes'
          % evolution.featureCount())
    zones_layer = layers.get('Évolution des zones de trou (toutes phases requises)')
    check(zones_layer is not None and zones_layer.renderer().type() == 'categorizedSymbol' and
          zones_layer.labelsEnabled(), 'evolution layers: the gap zones, by status, labelled')
    group = project.layerTreeRoot().findGroup(
        [g.name() for g in project.layerTreeRoot().findGroups()
         if g.name().startswith('Évolution depuis le run')][0])
    check(group is not None and len(group.findLayers()) == 2,
          'evolution layers: their group "%s"' % (group.name() if group else ''))
departements = layers['Départements']
check(departements.featureCount() == len(set(
    f['departement'] for f in layers['Communes : phases requises manquantes'].getFeatures())),
    'one polygon per département of the communes')

# ---- A picture of the project -------------------------------------------
settings = QgsMapSettings()
visible = [layers[n] for n in ('Sites des structures', 'Zones de trou (toutes phases requises)',
                               'Départements', 'Communes : phases requises manquantes')]
settings.setLayers(visible)
settings.setDestinationCrs(project.crs())
extent = QgsRectangle()
for layer in visible:
    extent.combineExtentWith(layer.extent())
settings.setExtent(extent)
settings.setOutputSize(QSize(900, 800))
settings.setBackgroundColor(QColor(255, 255, 255))
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
coloured = 0
hues = set()
for y in range(0, image.height(), 4):
    for x in range(0, image.width(), 4):
        c = image.pixelColor(x, y)
        if (c.red(), c.green(), c.blue()) != (255, 255, 255):
            coloured += 1
            hues.add((c.red() // 32, c.green() // 32, c.blue() // 32))
total = (image.height() // 4) * (image.width() // 4)
check(coloured > total * 0.3, 'the rendered map is not blank: %d of %d sampled pixels coloured'
      % (coloured, total))
check(len(hues) >= 5, 'the rendered map shows several colours (%d)' % len(hues))
if png:
    image.save(png)

# ---- Default styles outside the project ----------------------------------
gpkg = os.path.join(run_dir, name + '.gpkg')
for table, rtype in (('communes', 'categorizedSymbol'), ('sites', 'categorizedSymbol'),
                     ('trous', 'singleSymbol')):
    layer = QgsVectorLayer(gpkg + '|layername=' + table, table, 'ogr')
    check(layer.isValid() and layer.renderer().type() == rtype,
          'GeoPackage layer %s opened alone gets its default style (%s)' % (table, rtype))
geojson = QgsVectorLayer(os.path.join(run_dir, 'communes.geojson'), 'communes', 'ogr')
check(geojson.isValid() and geojson.renderer().type() == 'categorizedSymbol',
      'communes.geojson gets the style of communes.qml')
# trous.geojson mixes the zones of every meaning: one category per meaning,
# only the overall zones drawn at first.
gaps = QgsVectorLayer(os.path.join(run_dir, 'trous.geojson'), 'trous', 'ogr')
check(gaps.isValid() and gaps.renderer().type() == 'categorizedSymbol' and
      gaps.renderer().classAttribute() == 'phase',
      'trous.geojson gets the style of trous.qml, by phase')
if gaps.isValid() and gaps.renderer().type() == 'categorizedSymbol':
    shown = [c.value() for c in gaps.renderer().categories() if c.renderState()]
    check(len(gaps.renderer().categories()) == n_required + 1 and shown == ['toutes'],
          'trous.geojson: %d categories, drawn: %s' % (len(gaps.renderer().categories()), shown))

# ---- CSV through the delimited-text provider ------------------------------
fr = run['parametres'].get('format_csv') == 'fr'
sep = ';' if fr else ','
for name_csv, code in (('communes.csv', 'code_insee'), ('agregats_departements.csv', 'code'),
                       ('agregats_epci.csv', 'code'), ('annuaire.csv', 'code_insee')):
    path = os.path.join(run_dir, name_csv)
    url = QUrl.fromLocalFile(path)
    query = QUrlQuery()
    for key, value in (('type', 'csv'), ('delimiter', sep), ('detectTypes', 'yes'),
                       ('geomType', 'none'), ('decimalPoint', ',' if fr else '.')):
        query.addQueryItem(key, value)
    url.setQuery(query)
    layer = QgsVectorLayer(url.toString(), name_csv, 'delimitedtext')
    check(layer.isValid(), '%s opens as a delimited text layer' % name_csv)
    if not layer.isValid():
        continue
    check(code in layer.fields().names(), '%s: QGIS sees the column %s' % (name_csv, code))
    if code not in layer.fields().names():
        continue
    field = layer.fields().field(code)
    check(field.type() == QVariant.String, '%s: %s is text (%s)' % (name_csv, code,
                                                                  field.typeName()))
    # The first row as Python's csv module reads the file: QGIS shows the
    # same code, leading zero included, and the same numbers.
    with open(path, encoding='utf-8-sig', newline='') as f:
        rows = csv.DictReader(f, delimiter=sep)
        raw = next(rows)
    first = next(layer.getFeatures())
    check(first[code] == raw[code], '%s: code %s, the file says %s' % (name_csv, first[code],
                                                                      raw[code]))
    if name_csv == 'communes.csv':
        check(layer.featureCount() == n_communes, 'communes.csv: %d rows' % layer.featureCount())
        for numeric in ('population', 'superficie_km2'):
            value = first[numeric]
            expected_value = float(raw[numeric].replace(',', '.'))
            check(layer.fields().field(numeric).isNumeric() and value == expected_value,
                  'communes.csv: %s is the number %s (%s)' % (numeric, value, raw[numeric]))

app.exitQgis()
print('%d failure(s)' % len(failures))
sys.exit(1 if failures else 0)
