#!/usr/bin/python3
"""Groups touching communes of a run (communes.csv flags, communes.geojson
polygons) with shapely, independently of raquette's code: overall gap
communes, the same with segment-only contact, and per required phase.
Prints (number of communes, five largest group sizes). Usage: groups.py RUN_DIR"""
import json, csv, sys
from shapely.geometry import shape
from shapely.strtree import STRtree
d = sys.argv[1]
rows = {r['code_insee']: r for r in csv.DictReader(open(d + '/communes.csv', encoding='utf-8'))}
gj = json.load(open(d + '/communes.geojson'))
geom = {f['properties']['code_insee']: shape(f['geometry']) for f in gj['features']}
def groups(pred, rook=False):
    codes = sorted(c for c, r in rows.items() if pred(r))
    gs = [geom[c] for c in codes]
    idx = {id(g): i for i, g in enumerate(gs)}
    tree = STRtree(gs)
    parent = list(range(len(codes)))
    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]; x = parent[x]
        return x
    for i, g in enumerate(gs):
        for h in tree.query(g):
            j = idx[id(h)]
            if j <= i: continue
            if not g.intersects(h): continue
            if rook and g.intersection(h).geom_type in ('Point', 'MultiPoint'): continue
            a, b = find(i), find(j)
            if a != b: parent[max(a, b)] = min(a, b)
    sizes = {}
    for i in range(len(codes)):
        sizes[find(i)] = sizes.get(find(i), 0) + 1
    return len(codes), sorted(sizes.values(), reverse=True)[:5]
req = ['emergence', 'creation', 'consolidation']
print('trou', groups(lambda r: r['trou'] == '1'))
print('trou rook', groups(lambda r: r['trou'] == '1', True))
for p in req:
    print(p, groups(lambda r, p=p: r['rural'] == '1' and r['phase_' + p] == '0'))
