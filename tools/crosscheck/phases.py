#!/usr/bin/python3
"""Recomputes phase_<p> of every commune (reference method §2-§3) with
shapely and GDAL's Python bindings, independently of raquette's code, and
compares with a run's communes.csv. Usage: phases.py RUN_DIR
Data: $RAQUETTE_GEODATA, else ../shared/geodata beside the project."""
import json, csv, os, sys
from osgeo import osr
from shapely.geometry import shape, Point
from shapely.ops import transform, unary_union
from shapely.strtree import STRtree
G = os.environ.get('RAQUETTE_GEODATA') or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'geodata')
d = sys.argv[1]
src = osr.SpatialReference(); src.ImportFromEPSG(4326); src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
dst = osr.SpatialReference(); dst.ImportFromEPSG(2154); dst.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
ct = osr.CoordinateTransformation(src, dst)
def proj(x, y, z=None):
    pts = ct.TransformPoints(list(zip(x, y)))
    return [p[0] for p in pts], [p[1] for p in pts]
rows = {r['code_insee']: r for r in csv.DictReader(open(d + '/communes.csv', encoding='utf-8'))}
gj = json.load(open(d + '/communes.geojson'))
geom = {f['properties']['code_insee']: transform(lambda x, y: proj(x, y), shape(f['geometry'])) for f in gj['features']}
cog = {r['code']: r for r in csv.DictReader(open(G + '/cog/communes-cog2026.csv', encoding='utf-8'))}
epci = {r['code']: r['membres'].split('|') for r in csv.DictReader(open(G + '/cog/epci-cog2026.csv', encoding='utf-8'))}
radius = {'incubateur': 40, 'fabrique_initiatives': 30, 'cae': 30, 'couveuse': 30, 'reseau_creation': 30,
          'dla': 40, 'financeur': 40, 'accelerateur': 60, 'pole_territorial': 25, 'tiers_lieu': 20}
def current(code):
    r = cog.get(code)
    if r and r['type'] != 'commune-actuelle' and r.get('chef_lieu'):
        return r['chef_lieu']
    return code
def zone(zt, zc):
    codes = zc.split('|')
    if zt == 'region':
        return {c for c, r in rows.items() if cog[c]['region'] in codes}
    if zt == 'departement':
        return {c for c, r in rows.items() if r['departement'] in codes}
    if zt == 'epci':
        return {current(m) for e in codes for m in epci.get(e, [])}
    return {current(c) for c in codes}
structs = {}
for s in csv.DictReader(open(G + '/structures/structures-occitanie-demo.csv', encoding='utf-8')):
    if s['lon'] and s['lat']:
        x, y = proj([float(s['lon'])], [float(s['lat'])]); pt = Point(x[0], y[0])
    else:
        pt = geom[current(s['commune_code'])].representative_point()
    r = float(s['rayon_km']) if s['rayon_km'] else radius[s['categorie']]
    z = zone(s['zone_type'], s['zone_codes']) & set(rows)
    zg = unary_union([geom[c] for c in z]) if z else None
    reach = zg.intersection(pt.buffer(r * 1000, 16)) if zg is not None else None
    st = structs.setdefault(s['structure_id'], {'phases': s['phases'].split('|'), 'reach': []})
    if reach is not None and not reach.is_empty:
        st['reach'].append(reach)
phase = {c: set() for c in rows}
for sid, st in structs.items():
    if not st['reach']: continue
    R = unary_union(st['reach'])
    for c, g in geom.items():
        if not g.intersects(R): continue
        if g.intersection(R).area / g.area >= 0.5:
            phase[c].update(st['phases'])
mism = 0
for p in ['emergence', 'creation', 'consolidation', 'developpement']:
    mine = {c for c in rows if p in phase[c]}
    theirs = {c for c, r in rows.items() if r['phase_' + p] == '1'}
    print(p, 'independent', len(mine), 'raquette', len(theirs), 'diff', sorted(mine ^ theirs)[:10])
    print('  rural without', p, sum(1 for c in rows if rows[c]['rural'] == '1' and p not in phase[c]))
